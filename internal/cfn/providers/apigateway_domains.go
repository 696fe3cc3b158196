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
