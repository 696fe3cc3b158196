package apigateway

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Integration timeouts: API Gateway's default and largest is 29 seconds,
// its smallest 50 ms.
const (
	defaultTimeoutMillis = 29000
	minTimeoutMillis     = 50
)

// lambdaFunctionOf returns the function a Lambda integration or
// authorizer URI names:
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION/invocations
// gives FUNCTION (an ARN, which may hold ${stageVariables.NAME}).
func lambdaFunctionOf(uri string) (string, bool) {
	const service = ":lambda:path/"
	i := strings.Index(uri, service)
	if !strings.HasPrefix(uri, "arn:") || i < 0 {
		return "", false
	}
	path := uri[i+len(service):]
	_, rest, ok := strings.Cut(path, "/functions/")
	if !ok {
		return "", false
	}
	fn, ok := strings.CutSuffix(rest, "/invocations")
	if !ok || fn == "" {
		return "", false
	}
	return fn, true
}

// checkIntegration checks an integration's type against its URI and
// method, as PutIntegration does, and fills in defaults.
func checkIntegration(in *integration) error {
	switch in.Type {
	case "MOCK":
	case "HTTP", "HTTP_PROXY":
		if in.HTTPMethod == "" {
			return badRequest(msgIntegrationHTTPMethod)
		}
		u, err := url.Parse(in.URI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return badRequest("Invalid HTTP endpoint specified for URI")
		}
	case "AWS", "AWS_PROXY":
		if in.HTTPMethod == "" {
			return badRequest(msgIntegrationHTTPMethod)
		}
		if in.URI == "" {
			return badRequest(msgInvalidIntegrationURI)
		}
		if !strings.HasPrefix(in.URI, "arn:") {
			return badRequest(msgInvalidARN)
		}
		if !strings.Contains(in.URI, ":path/") && !strings.Contains(in.URI, ":action/") {
			return badRequest("AWS ARN for integration must contain path or action")
		}
		if in.Type == "AWS_PROXY" && !strings.Contains(in.URI, ":lambda:") && !strings.Contains(in.URI, ":firehose:") {
			return badRequest(msgAWSProxyOnlyLambda)
		}
	}
	if in.TimeoutMillis == 0 {
		in.TimeoutMillis = defaultTimeoutMillis
	}
	if in.TimeoutMillis < minTimeoutMillis || in.TimeoutMillis > defaultTimeoutMillis {
		return badRequest(msgInvalidTimeout)
	}
	in.PassthroughBehavior = strings.ToUpper(in.PassthroughBehavior)
	if in.PassthroughBehavior == "" {
		in.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	switch in.PassthroughBehavior {
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return badRequest("Invalid passthrough behavior specified: %s", in.PassthroughBehavior)
	}
	return nil
}

func (s *Service) putIntegration(ctx context.Context, in *PutIntegrationRequest) (*Integration, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Integration, error) {
		r, m, err := methodOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		ig := &integration{
			Type:                string(*in.Type),
			HTTPMethod:          deref(in.IntegrationHttpMethod),
			URI:                 deref(in.Uri),
			Credentials:         deref(in.Credentials),
			ConnectionID:        deref(in.ConnectionId),
			RequestParameters:   maps.Clone(in.RequestParameters),
			RequestTemplates:    maps.Clone(in.RequestTemplates),
			PassthroughBehavior: deref(in.PassthroughBehavior),
			CacheNamespace:      deref(in.CacheNamespace),
			CacheKeyParameters:  slices.Clone(in.CacheKeyParameters),
		}
		if in.ConnectionType != nil {
			ig.ConnectionType = string(*in.ConnectionType)
		}
		if in.ContentHandling != nil {
			ig.ContentHandling = string(*in.ContentHandling)
		}
		if in.TimeoutInMillis != nil {
			ig.TimeoutMillis = *in.TimeoutInMillis
			if ig.TimeoutMillis == 0 {
				return nil, badRequest(msgInvalidTimeout)
			}
		}
		if in.TlsConfig != nil {
			ig.InsecureSkipVerification = in.TlsConfig.InsecureSkipVerification
		}
		if ig.CacheNamespace == "" {
			ig.CacheNamespace = r.ID
		}
		if err := checkIntegration(ig); err != nil {
			return nil, err
		}
		m.Integration = ig
		return integrationOutput(ig), nil
	})
}

// readIntegration finds a method's integration under the read lock.
func (s *Service) readIntegration(apiID, resourceID, httpMethod *string) (*integration, error) {
	_, m, err := s.readMethod(apiID, resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, notFound(msgIntegrationNotFound)
	}
	return m.Integration, nil
}

// integrationOf finds a method's integration in a definition being edited.
func integrationOf(a *restAPI, resourceID, httpMethod *string) (*integration, error) {
	_, m, err := methodOf(a, resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, notFound(msgIntegrationNotFound)
	}
	return m.Integration, nil
}

func (s *Service) getIntegration(ctx context.Context, in *GetIntegrationRequest) (*Integration, error) {
	ig, err := s.readIntegration(in.RestApiId, in.ResourceId, in.HttpMethod)
	if err != nil {
		return nil, err
	}
	return integrationOutput(ig), nil
}

func (s *Service) deleteIntegration(ctx context.Context, in *DeleteIntegrationRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		_, m, err := methodOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		if m.Integration == nil {
			return nil, notFound(msgIntegrationNotFound)
		}
		m.Integration = nil
		return nil, nil
	})
}

func (s *Service) updateIntegration(ctx context.Context, in *UpdateIntegrationRequest) (*Integration, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Integration, error) {
		ig, err := integrationOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		for _, p := range patches {
			if err := patchIntegration(ig, p); err != nil {
				return nil, err
			}
		}
		if err := checkIntegration(ig); err != nil {
			return nil, err
		}
		return integrationOutput(ig), nil
	})
}

// patchIntegration applies one patch operation to an integration.
func patchIntegration(ig *integration, p patch) error {
	if ct, ok := p.under("requestTemplates"); ok {
		return applyMapPatch(&ig.RequestTemplates, p, ct)
	}
	if name, ok := p.under("requestParameters"); ok {
		return applyMapPatch(&ig.RequestParameters, p, name)
	}
	if name, ok := p.under("cacheKeyParameters"); ok {
		return applyListPatch(&ig.CacheKeyParameters, p, name)
	}
	if p.op != "replace" {
		return p.invalid()
	}
	switch {
	case p.is("uri"):
		ig.URI = p.str()
	case p.is("httpMethod"):
		ig.HTTPMethod = p.str()
	case p.is("type"):
		ig.Type = p.str()
	case p.is("credentials"):
		ig.Credentials = p.str()
	case p.is("passthroughBehavior"):
		ig.PassthroughBehavior = p.str()
	case p.is("contentHandling"):
		ig.ContentHandling = p.str()
	case p.is("connectionType"):
		ig.ConnectionType = p.str()
	case p.is("connectionId"):
		ig.ConnectionID = p.str()
	case p.is("cacheNamespace"):
		ig.CacheNamespace = p.str()
	case p.is("timeoutInMillis"):
		n, err := p.intValue()
		if err != nil {
			return err
		}
		if n == 0 {
			return badRequest(msgInvalidTimeout)
		}
		ig.TimeoutMillis = n
	case p.is("tlsConfig", "insecureSkipVerification"):
		v, err := p.boolValue()
		if err != nil {
			return err
		}
		ig.InsecureSkipVerification = &v
	default:
		return p.invalid()
	}
	return nil
}

// integrationOutput is an integration as GetIntegration answers it.
func integrationOutput(ig *integration) *Integration {
	out := &Integration{
		Type:                ptr(IntegrationType(ig.Type)),
		HttpMethod:          optional(ig.HTTPMethod),
		Uri:                 optional(ig.URI),
		ConnectionId:        optional(ig.ConnectionID),
		Credentials:         optional(ig.Credentials),
		RequestParameters:   maps.Clone(ig.RequestParameters),
		RequestTemplates:    maps.Clone(ig.RequestTemplates),
		PassthroughBehavior: optional(ig.PassthroughBehavior),
		TimeoutInMillis:     ptr(ig.TimeoutMillis),
		CacheNamespace:      optional(ig.CacheNamespace),
		CacheKeyParameters:  slices.Clone(ig.CacheKeyParameters),
	}
	if out.CacheKeyParameters == nil {
		out.CacheKeyParameters = []string{}
	}
	if ig.ConnectionType != "" {
		out.ConnectionType = ptr(ConnectionType(ig.ConnectionType))
	}
	if ig.ContentHandling != "" {
		out.ContentHandling = ptr(ContentHandlingStrategy(ig.ContentHandling))
	}
	if ig.InsecureSkipVerification != nil {
		out.TlsConfig = &TlsConfig{InsecureSkipVerification: ig.InsecureSkipVerification}
	}
	if len(ig.Responses) > 0 {
		out.IntegrationResponses = make(map[string]IntegrationResponse, len(ig.Responses))
		for code, r := range ig.Responses {
			out.IntegrationResponses[code] = *integrationResponseOutput(r)
		}
	}
	return out
}

func (s *Service) putIntegrationResponse(ctx context.Context, in *PutIntegrationResponseRequest) (*IntegrationResponse, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*IntegrationResponse, error) {
		ig, err := integrationOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		r := &integrationResponse{
			StatusCode:         *in.StatusCode,
			SelectionPattern:   deref(in.SelectionPattern),
			ResponseParameters: maps.Clone(in.ResponseParameters),
			ResponseTemplates:  maps.Clone(in.ResponseTemplates),
		}
		if in.ContentHandling != nil {
			r.ContentHandling = string(*in.ContentHandling)
		}
		if ig.Responses == nil {
			ig.Responses = map[string]*integrationResponse{}
		}
		ig.Responses[r.StatusCode] = r
		return integrationResponseOutput(r), nil
	})
}

func (s *Service) getIntegrationResponse(ctx context.Context, in *GetIntegrationResponseRequest) (*IntegrationResponse, error) {
	ig, err := s.readIntegration(in.RestApiId, in.ResourceId, in.HttpMethod)
	if err != nil {
		return nil, err
	}
	r := ig.Responses[*in.StatusCode]
	if r == nil {
		return nil, notFound(msgResponseNotFound)
	}
	return integrationResponseOutput(r), nil
}

func (s *Service) deleteIntegrationResponse(ctx context.Context, in *DeleteIntegrationResponseRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		ig, err := integrationOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		if ig.Responses[*in.StatusCode] == nil {
			return nil, notFound(msgResponseNotFound)
		}
		delete(ig.Responses, *in.StatusCode)
		return nil, nil
	})
}

func integrationResponseOutput(r *integrationResponse) *IntegrationResponse {
	out := &IntegrationResponse{
		StatusCode:         ptr(r.StatusCode),
		SelectionPattern:   optional(r.SelectionPattern),
		ResponseParameters: maps.Clone(r.ResponseParameters),
		ResponseTemplates:  nullTemplates(r.ResponseTemplates),
	}
	if r.ContentHandling != "" {
		out.ContentHandling = ptr(ContentHandlingStrategy(r.ContentHandling))
	}
	return out
}

// nullTemplates is an integration response's templates as API Gateway
// answers them: a template given as "" (pass the body through) is null.
func nullTemplates(t map[string]string) map[string]*string {
	if t == nil {
		return nil
	}
	out := make(map[string]*string, len(t))
	for mt, tmpl := range t {
		out[mt] = optional(tmpl)
	}
	return out
}
