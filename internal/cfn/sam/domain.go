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
// Route53 records are not written: virga has no Route 53.
func (t *transformer) restDomain(api *restAPI, stageID string) error {
	v, ok := api.props["Domain"]
	if !ok {
		return nil
	}
	domain := asMap(v)
	if domain == nil {
		return invalidType(api.id, "Domain")
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
	if err := t.add(api.id, id, api.attrs.resource("AWS::ApiGateway::DomainName", props)); err != nil {
		return err
	}
	if _, ok := domain["Route53"]; ok {
		t.warn(api.id, "Domain.Route53 is not supported by virga yet and was ignored")
	}

	mapping := func(logicalID string, basePath any) error {
		m := map[string]any{"DomainName": ref(id), "RestApiId": ref(api.id), "Stage": ref(stageID)}
		if basePath != nil {
			m["BasePath"] = basePath
		}
		return t.add(api.id, logicalID, api.attrs.resource("AWS::ApiGateway::BasePathMapping", m))
	}
	var paths []any
	switch bp := domain["BasePath"].(type) {
	case string:
		if bp != "" {
			paths = []any{bp}
		}
	case []any:
		paths = bp
	}
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
