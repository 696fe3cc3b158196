package apigatewayv2

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/apigateway"
)

// Custom domain names are shared with REST APIs, as on AWS: the REST API
// service keeps them (Deps.Domains), and a mapping may name a REST API,
// an HTTP API or a WebSocket API; it checks their ACM certificates.
// virga reports the DNS targets AWS would give.

// Domains keeps the account's custom domain names
// (apigateway.Service).
type Domains interface {
	CreateCustomDomain(apigateway.CustomDomain) (apigateway.CustomDomain, error)
	CustomDomainNamed(name string) (apigateway.CustomDomain, error)
	CustomDomains() []apigateway.CustomDomain
	UpdateCustomDomain(apigateway.CustomDomain) (apigateway.CustomDomain, error)
	DeleteCustomDomain(name string) error
	PutAPIMapping(domain string, m apigateway.APIMapping, conflict, notFound error) (apigateway.APIMapping, error)
	DeleteAPIMapping(domain, id string, notFound error) error
	RESTStage(apiID, stage string) (bool, error)
}

// apiMappingSelection is the API mapping selection expression of every
// domain: mappings are chosen by the request's base path.
const apiMappingSelection = "$request.basepath"

// maxAPIMappingKeyLength bounds an API mapping key: "The maximum length
// for the path in an API mapping is 300 characters."
const maxAPIMappingKeyLength = 300

func mappingNotFound(id string) error {
	return ErrNotFound.Withf("Invalid API mapping identifier specified %s", id)
}

func mappingConflict(key string) error {
	return ErrConflict.Withf("ApiMapping with the key '%s' already exists for the domain name", key)
}

// domainConfiguration is the one endpoint configuration a domain takes.
func domainConfiguration(configs []DomainNameConfiguration) (DomainNameConfiguration, error) {
	switch len(configs) {
	case 0:
		return DomainNameConfiguration{}, nil
	case 1:
		return configs[0], nil
	}
	return DomainNameConfiguration{}, badRequest("Only one DomainNameConfiguration is supported")
}

// domainFromShape is the domain a request's name and configuration
// describe.
func domainFromShape(name string, c DomainNameConfiguration) apigateway.CustomDomain {
	d := apigateway.CustomDomain{Name: name, CertificateArn: deref(c.CertificateArn, ""), CertificateName: deref(c.CertificateName, "")}
	if c.EndpointType != nil {
		d.EndpointType = string(*c.EndpointType)
	}
	if c.SecurityPolicy != nil {
		d.SecurityPolicy = string(*c.SecurityPolicy)
	}
	return d
}

// domainShape is a domain as version 2 describes it.
func domainShape(d apigateway.CustomDomain) DomainName {
	c := DomainNameConfiguration{ApiGatewayDomainName: ptr(d.Target), CertificateArn: ptrNonEmpty(d.CertificateArn),
		CertificateName: ptrNonEmpty(d.CertificateName), DomainNameStatus: ptr(DomainNameStatus("AVAILABLE")),
		EndpointType: ptr(EndpointType(d.EndpointType)), HostedZoneId: ptrNonEmpty(d.HostedZoneID)}
	if d.SecurityPolicy != "" {
		c.SecurityPolicy = ptr(SecurityPolicy(d.SecurityPolicy))
	}
	if d.CertificateArn != "" {
		c.CertificateUploadDate = ptr(d.Created)
	}
	out := DomainName{ApiMappingSelectionExpression: ptr(apiMappingSelection), DomainName: ptr(d.Name),
		DomainNameConfigurations: []DomainNameConfiguration{c}}
	if len(d.Tags) > 0 {
		out.Tags = d.Tags
	}
	return out
}

func (s *Service) createDomainName(ctx context.Context, in *CreateDomainNameRequest) (*CreateDomainNameResponse, error) {
	c, err := domainConfiguration(in.DomainNameConfigurations)
	if err != nil {
		return nil, err
	}
	if in.MutualTlsAuthentication != nil && deref(in.MutualTlsAuthentication.TruststoreUri, "") != "" {
		return nil, ErrNotImplemented.WithMessage("Mutual TLS authentication is not implemented by virga yet.")
	}
	d := domainFromShape(*in.DomainName, c)
	d.Tags = in.Tags
	d, err = s.domains.CreateCustomDomain(d)
	if err != nil {
		return nil, err
	}
	out := CreateDomainNameResponse(domainShape(d))
	return &out, nil
}

func (s *Service) getDomainName(ctx context.Context, in *GetDomainNameRequest) (*GetDomainNameResponse, error) {
	d, err := s.domains.CustomDomainNamed(*in.DomainName)
	if err != nil {
		return nil, err
	}
	out := GetDomainNameResponse(domainShape(d))
	return &out, nil
}

func (s *Service) getDomainNames(ctx context.Context, in *GetDomainNamesRequest) (*GetDomainNamesResponse, error) {
	items, next, err := page(s.domains.CustomDomains(), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetDomainNamesResponse{Items: make([]DomainName, 0, len(items)), NextToken: next}
	for _, d := range items {
		out.Items = append(out.Items, domainShape(d))
	}
	return out, nil
}

func (s *Service) updateDomainName(ctx context.Context, in *UpdateDomainNameRequest) (*UpdateDomainNameResponse, error) {
	c, err := domainConfiguration(in.DomainNameConfigurations)
	if err != nil {
		return nil, err
	}
	d, err := s.domains.UpdateCustomDomain(domainFromShape(*in.DomainName, c))
	if err != nil {
		return nil, err
	}
	out := UpdateDomainNameResponse(domainShape(d))
	return &out, nil
}

func (s *Service) deleteDomainName(ctx context.Context, in *DeleteDomainNameRequest) (*noOutput, error) {
	return nil, s.domains.DeleteCustomDomain(*in.DomainName)
}

// checkMappingKey returns BadRequestException for a key API Gateway
// does not take: one that starts or ends with a slash, has an empty
// level, or characters other than letters, digits and $-_.+!*'()/.
func checkMappingKey(key string) error {
	if len(key) > maxAPIMappingKeyLength {
		return badRequest("Invalid ApiMappingKey specified: it may have at most %d characters", maxAPIMappingKeyLength)
	}
	if key == "" {
		return nil
	}
	if strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
		return badRequest("Invalid ApiMappingKey specified: it may neither start nor end with '/', nor contain '//'")
	}
	for _, c := range key {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("$-_.+!*'()/", c)) {
			return badRequest("Invalid ApiMappingKey specified: %q is not allowed", c)
		}
	}
	return nil
}

// checkMappingTarget returns NotFoundException unless apiID is an HTTP,
// WebSocket or REST API with the stage, and BadRequestException when the
// domain d (its mapping with the id mappingID aside) maps WebSocket APIs
// and the API is not one, or the other way round: "You can't map
// WebSocket APIs to the same custom domain name as an HTTP API or REST
// API."
func (s *Service) checkMappingTarget(d apigateway.CustomDomain, mappingID, apiID, stage string) error {
	s.mu.RLock()
	a := s.apis[apiID]
	webSocket := func(id string) bool { o := s.apis[id]; return o != nil && o.ProtocolType == protocolWebSocket }
	mixed := false
	for _, m := range d.Mappings {
		if m.ID != mappingID && webSocket(m.APIID) != webSocket(apiID) {
			mixed = true
		}
	}
	s.mu.RUnlock()
	if a != nil {
		if a.Stages[stage] == nil {
			return stageNotFound(stage)
		}
	} else if isREST, err := s.domains.RESTStage(apiID, stage); err != nil {
		return err
	} else if !isREST {
		return s.apiNotFound(apiID)
	}
	if mixed {
		return badRequest("WebSocket APIs cannot be mapped to the same domain name as HTTP or REST APIs: %s", d.Name)
	}
	return nil
}

func mappingShape(m apigateway.APIMapping) ApiMapping {
	return ApiMapping{ApiId: ptr(m.APIID), ApiMappingId: ptr(m.ID), ApiMappingKey: ptr(m.Key), Stage: ptr(m.Stage)}
}

func (s *Service) createAPIMapping(ctx context.Context, in *CreateApiMappingRequest) (*CreateApiMappingResponse, error) {
	key := deref(in.ApiMappingKey, "")
	if err := checkMappingKey(key); err != nil {
		return nil, err
	}
	d, err := s.domains.CustomDomainNamed(*in.DomainName)
	if err != nil {
		return nil, err
	}
	if err := s.checkMappingTarget(d, "", *in.ApiId, *in.Stage); err != nil {
		return nil, err
	}
	m, err := s.domains.PutAPIMapping(*in.DomainName, apigateway.APIMapping{APIID: *in.ApiId, Stage: *in.Stage, Key: key},
		mappingConflict(key), nil)
	if err != nil {
		return nil, err
	}
	out := CreateApiMappingResponse(mappingShape(m))
	return &out, nil
}

// mapping returns the named domain and its mapping with the id.
func (s *Service) mapping(domain, id string) (apigateway.CustomDomain, apigateway.APIMapping, error) {
	d, err := s.domains.CustomDomainNamed(domain)
	if err != nil {
		return d, apigateway.APIMapping{}, err
	}
	for _, m := range d.Mappings {
		if m.ID == id {
			return d, m, nil
		}
	}
	return d, apigateway.APIMapping{}, mappingNotFound(id)
}

func (s *Service) getAPIMapping(ctx context.Context, in *GetApiMappingRequest) (*GetApiMappingResponse, error) {
	_, m, err := s.mapping(*in.DomainName, *in.ApiMappingId)
	if err != nil {
		return nil, err
	}
	out := GetApiMappingResponse(mappingShape(m))
	return &out, nil
}

func (s *Service) getAPIMappings(ctx context.Context, in *GetApiMappingsRequest) (*GetApiMappingsResponse, error) {
	d, err := s.domains.CustomDomainNamed(*in.DomainName)
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.Mappings, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetApiMappingsResponse{Items: make([]ApiMapping, 0, len(items)), NextToken: next}
	for _, m := range items {
		out.Items = append(out.Items, mappingShape(m))
	}
	return out, nil
}

func (s *Service) updateAPIMapping(ctx context.Context, in *UpdateApiMappingRequest) (*UpdateApiMappingResponse, error) {
	d, m, err := s.mapping(*in.DomainName, *in.ApiMappingId)
	if err != nil {
		return nil, err
	}
	m.APIID = *in.ApiId
	setIf(&m.Stage, in.Stage)
	setIf(&m.Key, in.ApiMappingKey)
	if err := checkMappingKey(m.Key); err != nil {
		return nil, err
	}
	if err := s.checkMappingTarget(d, m.ID, m.APIID, m.Stage); err != nil {
		return nil, err
	}
	m, err = s.domains.PutAPIMapping(*in.DomainName, m, mappingConflict(m.Key), mappingNotFound(m.ID))
	if err != nil {
		return nil, err
	}
	out := UpdateApiMappingResponse(mappingShape(m))
	return &out, nil
}

func (s *Service) deleteAPIMapping(ctx context.Context, in *DeleteApiMappingRequest) (*noOutput, error) {
	return nil, s.domains.DeleteAPIMapping(*in.DomainName, *in.ApiMappingId, mappingNotFound(*in.ApiMappingId))
}
