package sam

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode"
)

// restDomain writes a REST API's Domain as SAM does: an
// AWS::ApiGateway::DomainName named ApiGatewayDomainNameHASH (the hash
// of the domain name), its certificate regional or not as its endpoint
// type (REGIONAL unless EndpointConfiguration says otherwise), and an
// AWS::ApiGateway::BasePathMapping to the API's stage for the root
// (APIBasePathMapping) or for each BasePath (APIPATHBasePathMapping).
// Domain.Route53 adds the domain's alias records (see route53Records).
func (t *transformer) restDomain(api *restAPI, stageID string) error {
	domain, err := domainOf(api.id, api.props)
	if domain == nil || err != nil {
		return err
	}
	for _, p := range []string{"DomainName", "CertificateArn"} {
		if domain[p] == nil {
			// Wording unconfirmed.
			return resourceError(api.id, "Property 'Domain.%s' is required.", p)
		}
	}
	id := "ApiGatewayDomainName" + samHash(domain["DomainName"])
	endpoint := any("REGIONAL")
	if e, ok := domain["EndpointConfiguration"]; ok {
		if s, _ := e.(string); s != "EDGE" && s != "REGIONAL" && s != "PRIVATE" {
			return resourceError(api.id, "EndpointConfiguration for Custom Domains must be one of [EDGE, REGIONAL, PRIVATE].")
		}
		endpoint = e
	}
	props := map[string]any{"DomainName": clone(domain["DomainName"]), "EndpointConfiguration": map[string]any{"Types": []any{endpoint}}}
	if endpoint == "REGIONAL" {
		props["RegionalCertificateArn"] = clone(domain["CertificateArn"])
	} else {
		props["CertificateArn"] = clone(domain["CertificateArn"])
	}
	copyKeys(props, domain, "MutualTlsAuthentication", "SecurityPolicy", "OwnershipVerificationCertificateArn")
	endpointType, _ := endpoint.(string)
	mapping, err := t.addDomain(api.id, api.attrs, domain, stageID,
		domainTypes{id, "AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping", "RestApiId", "BasePath", endpointType, false}, props)
	if err != nil {
		return err
	}
	paths := basePaths(domain)
	if len(paths) == 0 {
		return mapping(api.id+"BasePathMapping", nil)
	}
	normalize := !isFalse(domain["NormalizeBasePath"])
	for _, p := range paths {
		s, ok := p.(string)
		if !ok {
			return invalidType(api.id, "Domain.BasePath")
		}
		path := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s)
		basePath := s
		if normalize {
			basePath = path
		}
		if err := mapping(api.id+path+"BasePathMapping", basePath); err != nil {
			return err
		}
	}
	return nil
}

// samHash is the digest SAM's logical ID generator appends for a value:
// the SHA-1 of a string as it is, of anything else as compact JSON with
// sorted keys, cut to logicalIDHashLength digits.
func samHash(v any) string {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])[:logicalIDHashLength]
}

// httpDomain writes an HTTP API's Domain as SAM does: an
// AWS::ApiGatewayV2::DomainName named ApiGatewayDomainNameV2HASH with one
// REGIONAL configuration (the only endpoint type SAM takes here) tagged
// as SAM's, and an AWS::ApiGatewayV2::ApiMapping to the API's stage for
// the root (APIApiMapping) or for each BasePath (APIPATHApiMapping, the
// key without its outer slashes). Domain.Route53 adds the domain's
// alias records (see route53Records).
func (t *transformer) httpDomain(api *httpAPI, stageID string) error {
	domain, err := domainOf(api.id, api.props)
	if domain == nil || err != nil {
		return err
	}
	if domain["DomainName"] == nil || domain["CertificateArn"] == nil {
		return resourceError(api.id, "Custom Domains only works if both DomainName and CertificateArn are provided.")
	}
	config := map[string]any{"CertificateArn": clone(domain["CertificateArn"]), "EndpointType": "REGIONAL"}
	if e, ok := domain["EndpointConfiguration"]; ok {
		if e != "REGIONAL" {
			return resourceError(api.id, "EndpointConfiguration for Custom Domains must be one of [REGIONAL].")
		}
	}
	copyKeys(config, domain, "OwnershipVerificationCertificateArn", "SecurityPolicy")
	id := "ApiGatewayDomainNameV2" + samHash(domain["DomainName"])
	props := map[string]any{"DomainName": clone(domain["DomainName"]), "DomainNameConfigurations": []any{config},
		"Tags": map[string]any{httpAPITagName: "SAM"}}
	copyKeys(props, domain, "MutualTlsAuthentication")
	mapping, err := t.addDomain(api.id, api.attrs, domain, stageID,
		domainTypes{id, "AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping", "ApiId", "ApiMappingKey", "REGIONAL", true}, props)
	if err != nil {
		return err
	}
	paths := basePaths(domain)
	if len(paths) == 0 {
		return mapping(api.id+"ApiMapping", nil)
	}
	for _, p := range paths {
		s, ok := p.(string)
		if !ok {
			return resourceError(api.id, "Basepath must be a string.")
		}
		if strings.IndexFunc(s, func(r rune) bool { return !isBasePathRune(r) }) >= 0 {
			return resourceError(api.id, "Invalid Basepath name provided.")
		}
		name := strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r == '/' {
				return -1
			}
			return r
		}, s)
		if err := mapping(api.id+name+"ApiMapping", strings.Trim(s, "/")); err != nil {
			return err
		}
	}
	return nil
}

// isBasePathRune reports whether SAM takes r in an HTTP API's base path:
// ASCII letters and digits, '/', '-' and '_'.
func isBasePathRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '/' || r == '-' || r == '_'
}

// domainOf is an API's Domain, nil when it has none.
func domainOf(apiID string, props map[string]any) (map[string]any, error) {
	v, ok := props["Domain"]
	if !ok {
		return nil, nil
	}
	if domain := asMap(v); domain != nil {
		return domain, nil
	}
	return nil, invalidType(apiID, "Domain")
}

// domainTypes name what a Domain writes: the domain name resource's
// logical ID and type, and its mappings' type with the properties that
// name the API and the base path, the domain's endpoint type, and
// whether the API is an HTTP API (whose Route53 settings SAM reads
// differently, see route53Records).
type domainTypes struct {
	id, domain, mapping string
	apiProp, pathProp   string
	endpoint            string
	http                bool
}

// addDomain adds a Domain's domain name resource, with props, and
// returns the adder of its mappings to the API's stage, each under its
// logical ID and with its base path unless that is nil. A Route53
// setting adds the domain's records (route53Records).
func (t *transformer) addDomain(apiID string, attrs attributes, domain map[string]any, stageID string, k domainTypes,
	props map[string]any) (func(logicalID string, path any) error, error) {
	if err := t.add(apiID, k.id, attrs.resource(k.domain, props)); err != nil {
		return nil, err
	}
	if err := t.route53Records(apiID, attrs, domain, k); err != nil {
		return nil, err
	}
	return func(logicalID string, path any) error {
		m := map[string]any{"DomainName": ref(k.id), k.apiProp: ref(apiID), "Stage": ref(stageID)}
		if path != nil {
			m[k.pathProp] = path
		}
		return t.add(apiID, logicalID, attrs.resource(k.mapping, m))
	}, nil
}

// basePaths is a Domain's BasePath: one path or a list of them, none
// when it is absent or empty.
func basePaths(domain map[string]any) []any {
	switch bp := domain["BasePath"].(type) {
	case string:
		if bp != "" {
			return []any{bp}
		}
	case []any:
		return bp
	}
	return nil
}

// cloudFrontHostedZoneID is the hosted zone of every CloudFront
// distribution, which an edge-optimized domain's alias targets.
const cloudFrontHostedZoneID = "Z2FDTNDATAQYW2"

// route53Records writes a Domain's Route53 setting as SAM does: an
// AWS::Route53::RecordSetGroup named RecordSetGroupHASH (the hash of
// the HostedZoneId, or else the HostedZoneName), shared by the APIs
// whose domains name the same zone, gets an A record aliasing the
// domain name, and an AAAA record as well when IpV6 is true. The alias
// targets a regional domain's regional name, an edge-optimized domain's
// distribution (DistributionDomainName if given) in CloudFront's zone,
// and for a private REST API VpcEndpointDomainName in
// VpcEndpointHostedZoneId. A REST API's SeparateRecordSetGroup gives
// its records a group of their own, named by the hash of the zone and
// the domain name. An HTTP API's group names its zone by HostedZoneId
// alone when both are given.
func (t *transformer) route53Records(apiID string, attrs attributes, domain map[string]any, k domainTypes) error {
	v, ok := domain["Route53"]
	if !ok || v == nil {
		return nil
	}
	r53 := asMap(v)
	if r53 == nil {
		return resourceError(apiID, "Property 'Domain.Route53' should be a map.")
	}
	zone := r53["HostedZoneId"]
	if zone == nil {
		zone = r53["HostedZoneName"]
	}
	if zone == nil {
		return resourceError(apiID, "HostedZoneId or HostedZoneName is required to enable Route53 support on Custom Domains.")
	}
	alias := map[string]any{}
	if h, ok := r53["EvaluateTargetHealth"]; ok {
		alias["EvaluateTargetHealth"] = clone(h)
	}
	switch k.endpoint {
	case "REGIONAL":
		alias["HostedZoneId"] = getAtt(k.id, "RegionalHostedZoneId")
		alias["DNSName"] = getAtt(k.id, "RegionalDomainName")
	case "EDGE":
		alias["HostedZoneId"] = cloudFrontHostedZoneID
		alias["DNSName"] = getAtt(k.id, "DistributionDomainName")
		if d, ok := r53["DistributionDomainName"]; ok {
			alias["DNSName"] = clone(d)
		}
	default:
		alias["HostedZoneId"] = clone(r53["VpcEndpointHostedZoneId"])
		alias["DNSName"] = clone(r53["VpcEndpointDomainName"])
	}
	record := func(typ string) map[string]any {
		rs := map[string]any{"Name": clone(domain["DomainName"]), "Type": typ, "AliasTarget": clone(alias)}
		copyKeys(rs, r53, "Region", "SetIdentifier")
		return rs
	}
	sets := []any{record("A")}
	if b, _ := r53["IpV6"].(bool); b {
		sets = append(sets, record("AAAA"))
	}
	props := map[string]any{"RecordSets": sets}
	if k.http {
		if r53["HostedZoneId"] != nil {
			props["HostedZoneId"] = clone(r53["HostedZoneId"])
		} else {
			props["HostedZoneName"] = clone(r53["HostedZoneName"])
		}
	} else {
		copyKeys(props, r53, "HostedZoneId", "HostedZoneName")
		if separate, ok := r53["SeparateRecordSetGroup"]; ok && separate != nil {
			b, isBool := separate.(bool)
			if !isBool {
				return resourceError(apiID, "Property 'Domain.Route53.SeparateRecordSetGroup' should be a boolean.")
			}
			if b {
				return t.add(apiID, "RecordSetGroup"+samHash([]any{zone, domain["DomainName"]}), attrs.resource("AWS::Route53::RecordSetGroup", props))
			}
		}
	}
	id := "RecordSetGroup" + samHash(zone)
	if group, ok := t.out[id].(map[string]any); ok && group["Type"] == "AWS::Route53::RecordSetGroup" {
		shared := asMap(group["Properties"])
		shared["RecordSets"] = append(shared["RecordSets"].([]any), sets...)
		return nil
	}
	return t.add(apiID, id, attrs.resource("AWS::Route53::RecordSetGroup", props))
}
