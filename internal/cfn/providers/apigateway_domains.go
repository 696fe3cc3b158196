package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

// Custom domain names of REST APIs: AWS::ApiGateway::DomainName and
// AWS::ApiGateway::BasePathMapping. API Gateway accepts and reports
// them; a change to either replaces it, as virga keeps no patch for them.

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::ApiGateway::DomainName",
		Provider: domainName{},
		Replace: []string{"DomainName", "CertificateArn", "RegionalCertificateArn", "EndpointConfiguration",
			"SecurityPolicy", "MutualTlsAuthentication", "OwnershipVerificationCertificateArn", "Tags"},
		Attributes: []string{"DistributionDomainName", "DistributionHostedZoneId", "RegionalDomainName", "RegionalHostedZoneId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::BasePathMapping",
		Required:   []string{"DomainName"},
		Provider:   basePathMapping{},
		Replace:    []string{"DomainName", "BasePath", "RestApiId", "Stage", "Id"},
		Attributes: []string{},
	})
}

// domainName is AWS::ApiGateway::DomainName: CreateDomainName. Its
// physical ID and Ref are the domain name.
type domainName struct{}

func (domainName) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"domainName": p.str("DomainName")}
	for prop, member := range map[string]string{"CertificateArn": "certificateArn", "RegionalCertificateArn": "regionalCertificateArn",
		"SecurityPolicy": "securityPolicy"} {
		if p.has(prop) {
			in[member] = p.str(prop)
		}
	}
	if ec := props(asMap(p["EndpointConfiguration"])); ec.has("Types") {
		in["endpointConfiguration"] = map[string]any{"types": ec.list("Types")}
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, restAPIs, "CreateDomainName", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: outStr(out, "domainName"), Attributes: domainAttributes(out)}, nil
}

func (domainName) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	out, err := call(ctx, r, restAPIs, "GetDomainName", map[string]any{"domainName": r.PhysicalID})
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: domainAttributes(out)}, nil
}

func (domainName) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteDomainName", map[string]any{"domainName": r.PhysicalID})
	return ignoreGone(err)
}

// domainAttributes are a domain's DNS targets, as GetAtt reads them; an
// edge domain has no regional ones and a regional domain no
// distribution.
func domainAttributes(out map[string]any) map[string]any {
	return map[string]any{
		"DistributionDomainName": outStr(out, "distributionDomainName"), "DistributionHostedZoneId": outStr(out, "distributionHostedZoneId"),
		"RegionalDomainName": outStr(out, "regionalDomainName"), "RegionalHostedZoneId": outStr(out, "regionalHostedZoneId"),
	}
}

// basePathMapping is AWS::ApiGateway::BasePathMapping:
// CreateBasePathMapping. Its physical ID is the domain name and the base
// path joined by ":".
type basePathMapping struct{}

func (basePathMapping) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"domainName": p.str("DomainName"), "restApiId": p.str("RestApiId")}
	if p.has("BasePath") {
		in["basePath"] = p.str("BasePath")
	}
	if p.has("Stage") {
		in["stage"] = p.str("Stage")
	}
	out, err := call(ctx, r, restAPIs, "CreateBasePathMapping", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("DomainName") + ":" + outStr(out, "basePath"), Attributes: map[string]any{}}, nil
}

func (basePathMapping) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (basePathMapping) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	path := p.str("BasePath")
	if path == "" {
		path = "(none)"
	}
	_, err := call(ctx, r, restAPIs, "DeleteBasePathMapping", map[string]any{"domainName": p.str("DomainName"), "basePath": path})
	return ignoreGone(err)
}

// Custom domain names of HTTP and WebSocket APIs (and REST APIs, which
// share them): AWS::ApiGatewayV2::DomainName and
// AWS::ApiGatewayV2::ApiMapping.

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::DomainName",
		Required:   []string{"DomainName"},
		Provider:   httpDomainName{},
		Replace:    []string{"DomainName", "Tags"},
		Attributes: []string{"RegionalDomainName", "RegionalHostedZoneId", "DomainNameArn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::ApiMapping",
		Required:   []string{"DomainName", "Stage", "ApiId"},
		Provider:   apiMapping{},
		Replace:    []string{"DomainName"},
		Attributes: []string{"ApiMappingId"},
	})
}

// httpDomainName is AWS::ApiGatewayV2::DomainName: CreateDomainName and
// UpdateDomainName of version 2. Its physical ID and Ref are the domain
// name.
type httpDomainName struct{}

// domainConfigurations are a template's DomainNameConfigurations as
// version 2 takes them.
func domainConfigurations(p props) []any {
	var out []any
	for _, c := range p.list("DomainNameConfigurations") {
		out = append(out, mustLowerKeys(c))
	}
	return out
}

// mustLowerKeys is lowerKeys of an object, nil for anything else.
func mustLowerKeys(v any) any {
	out, err := lowerKeys(v)
	if err != nil {
		return nil
	}
	return out
}

func (httpDomainName) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"domainName": p.str("DomainName")}
	if c := domainConfigurations(p); len(c) > 0 {
		in["domainNameConfigurations"] = c
	}
	if p.has("MutualTlsAuthentication") {
		in["mutualTlsAuthentication"] = mustLowerKeys(p["MutualTlsAuthentication"])
	}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, httpAPIs, "CreateDomainName", in)
	if err != nil {
		return nil, err
	}
	return httpDomainResult(r, out), nil
}

func (httpDomainName) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	out, err := call(ctx, r, httpAPIs, "UpdateDomainName", map[string]any{"DomainName": r.PhysicalID,
		"domainNameConfigurations": domainConfigurations(p)})
	if err != nil {
		return nil, err
	}
	return httpDomainResult(r, out), nil
}

func (httpDomainName) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteDomainName", map[string]any{"DomainName": r.PhysicalID})
	return ignoreGone(err)
}

// httpDomainResult is a version 2 domain's physical ID and attributes.
func httpDomainResult(r *resource.Request, out map[string]any) *resource.Result {
	name := outStr(out, "domainName")
	attrs := map[string]any{"DomainNameArn": "arn:aws:apigateway:" + r.Env.Region + "::/domainnames/" + name}
	if configs, _ := out["domainNameConfigurations"].([]any); len(configs) > 0 {
		c, _ := configs[0].(map[string]any)
		attrs["RegionalDomainName"], attrs["RegionalHostedZoneId"] = outStr(c, "apiGatewayDomainName"), outStr(c, "hostedZoneId")
	}
	return &resource.Result{PhysicalID: name, Attributes: attrs}
}

// apiMapping is AWS::ApiGatewayV2::ApiMapping: CreateApiMapping and
// UpdateApiMapping. Its physical ID and Ref are the mapping's id. (The
// members version 2 binds to the URI are named as its Go shapes name
// them, DomainName and ApiMappingId.)
type apiMapping struct{}

func (apiMapping) input(r *resource.Request) map[string]any {
	p := props(r.Properties)
	in := map[string]any{"DomainName": p.str("DomainName"), "apiId": p.str("ApiId"), "stage": p.str("Stage")}
	if p.has("ApiMappingKey") {
		in["apiMappingKey"] = p.str("ApiMappingKey")
	}
	return in
}

func (m apiMapping) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	out, err := call(ctx, r, httpAPIs, "CreateApiMapping", m.input(r))
	if err != nil {
		return nil, err
	}
	id := outStr(out, "apiMappingId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"ApiMappingId": id}}, nil
}

func (m apiMapping) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	in := m.input(r)
	in["ApiMappingId"] = r.PhysicalID
	if _, ok := in["apiMappingKey"]; !ok {
		in["apiMappingKey"] = ""
	}
	if _, err := call(ctx, r, httpAPIs, "UpdateApiMapping", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"ApiMappingId": r.PhysicalID}}, nil
}

func (apiMapping) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteApiMapping", map[string]any{
		"DomainName": props(r.Properties).str("DomainName"), "ApiMappingId": r.PhysicalID})
	return ignoreGone(err)
}
