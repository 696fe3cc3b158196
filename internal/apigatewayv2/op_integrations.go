package apigatewayv2

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/virga/virga/internal/apigateway"
)

// maxIntegrationTimeout is HTTP APIs' integration timeout, and its
// default: "50-30,000 milliseconds for HTTP APIs".
const maxIntegrationTimeout = 30000

// integrationMethods are the methods an HTTP proxy integration may send.
var integrationMethods = map[string]bool{
	"ANY": true, "GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true,
}

func (s *Service) createIntegration(ctx context.Context, in *CreateIntegrationRequest) (*CreateIntegrationResult, error) {
	var integ *integrationRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		integ = &integrationRecord{
			Type: string(*in.IntegrationType), Subtype: deref(in.IntegrationSubtype, ""),
			URI: deref(in.IntegrationUri, ""), Method: deref(in.IntegrationMethod, ""),
			PayloadFormatVersion: deref(in.PayloadFormatVersion, ""),
			TimeoutMillis:        deref(in.TimeoutInMillis, maxIntegrationTimeout),
			ConnectionType:       string(deref(in.ConnectionType, "INTERNET")),
			ConnectionID:         deref(in.ConnectionId, ""),
			CredentialsArn:       deref(in.CredentialsArn, ""),
			Description:          deref(in.Description, ""),
			RequestParameters:    in.RequestParameters,
			ResponseParameters:   in.ResponseParameters,
		}
		if in.TlsConfig != nil {
			integ.TLSServerName = deref(in.TlsConfig.ServerNameToVerify, "")
		}
		integ.ContentHandlingStrategy = string(deref(in.ContentHandlingStrategy, ""))
		integ.PassthroughBehavior = string(deref(in.PassthroughBehavior, ""))
		integ.RequestTemplates = in.RequestTemplates
		integ.TemplateSelection = deref(in.TemplateSelectionExpression, "")
		if a.ProtocolType == protocolWebSocket {
			if in.TimeoutInMillis == nil {
				integ.TimeoutMillis = maxWebSocketIntegrationTimeout
			}
			if err := checkWebSocketIntegration(integ); err != nil {
				return err
			}
		} else if err := checkIntegration(integ, in.PayloadFormatVersion == nil); err != nil {
			return err
		} else if err := s.checkVpcLinkLocked(integ); err != nil {
			return err
		}
		integ.ID = newID(s.ids, a.Integrations, 7)
		a.Integrations[integ.ID] = integ
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateIntegrationResult(integrationShape(integ))
	return &out, nil
}

// checkIntegration checks an integration as HTTP APIs do and fills in
// the defaults its type has. noVersion says the request gave no payload
// format version.
func checkIntegration(integ *integrationRecord, noVersion bool) error {
	switch integ.Type {
	case "AWS_PROXY":
		if integ.Subtype != "" {
			if err := checkSubtype(integ); err != nil {
				return err
			}
			break
		}
		if integ.URI == "" {
			return badRequest("IntegrationUri is required for integration type AWS_PROXY.")
		}
		if !isLambdaTarget(integ.URI) {
			return badRequest("Invalid IntegrationUri %s: an AWS_PROXY integration's URI is a Lambda function ARN or its API Gateway invocation ARN.", integ.URI)
		}
		if noVersion && integ.PayloadFormatVersion == "" {
			return badRequest("PayloadFormatVersion is required for Lambda proxy integrations; use 1.0 or 2.0.")
		}
		if integ.Method == "" {
			integ.Method = "POST"
		}
	case "HTTP_PROXY":
		u, err := url.Parse(integ.URI)
		if integ.ConnectionType == connectionVpcLink {
			// A private integration's URI is a listener's ARN, checked below.
		} else if integ.URI == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			if !strings.Contains(integ.URI, "${stageVariables.") {
				return badRequest("Invalid IntegrationUri %q: an HTTP_PROXY integration's URI is an http or https URL.", integ.URI)
			}
		}
		if integ.Method == "" {
			return badRequest("IntegrationMethod is required for integration type HTTP_PROXY.")
		}
		if integ.PayloadFormatVersion == "" {
			integ.PayloadFormatVersion = "1.0"
		}
		if integ.PayloadFormatVersion != "1.0" {
			return badRequest("HTTP_PROXY integrations support payload format version 1.0 only.")
		}
	case "AWS", "HTTP", "MOCK":
		return badRequest("Integration type %s is only supported for WebSocket APIs; HTTP APIs use AWS_PROXY or HTTP_PROXY.", integ.Type)
	}
	if !integrationMethods[integ.Method] {
		return badRequest("Invalid IntegrationMethod %s.", integ.Method)
	}
	switch integ.PayloadFormatVersion {
	case "1.0", "2.0":
	default:
		return badRequest("Invalid PayloadFormatVersion %s: use 1.0 or 2.0.", integ.PayloadFormatVersion)
	}
	switch {
	case integ.ConnectionType == connectionVpcLink:
		if err := checkPrivateIntegration(integ); err != nil {
			return err
		}
	case integ.ConnectionType != "INTERNET":
		return badRequest("Invalid ConnectionType %s.", integ.ConnectionType)
	}
	return checkParameterMapping(integ)
}

// maxWebSocketIntegrationTimeout is WebSocket APIs' integration timeout,
// and its default: "50 milliseconds - 29 seconds for all integration
// types".
const maxWebSocketIntegrationTimeout = 29000

// checkWebSocketIntegration checks an integration of a WebSocket API and
// fills in the defaults its type has. virga runs Lambda proxy
// integrations (AWS_PROXY) and MOCK integrations for WebSocket APIs.
func checkWebSocketIntegration(integ *integrationRecord) error {
	switch integ.Type {
	case "AWS_PROXY":
		if integ.Subtype != "" {
			return badRequest("IntegrationSubtype is only supported for HTTP APIs.")
		}
		if integ.URI == "" {
			return badRequest("IntegrationUri is required for integration type AWS_PROXY.")
		}
		if !isLambdaTarget(integ.URI) {
			return badRequest("Invalid IntegrationUri %s: an AWS_PROXY integration's URI is a Lambda function ARN or its API Gateway invocation ARN.", integ.URI)
		}
		if integ.Method == "" {
			integ.Method = "POST"
		}
	case "MOCK":
	case "AWS":
		if integ.URI == "" {
			return badRequest("IntegrationUri is required for integration type AWS.")
		}
		if _, _, _, ok := apigateway.ParseServiceURI(integ.URI); !ok {
			return badRequest("Invalid IntegrationUri %s: an AWS integration's URI is arn:aws:apigateway:REGION:SERVICE:action/ACTION or ...:path/PATH.", integ.URI)
		}
		if integ.Method == "" {
			integ.Method = "POST"
		}
	case "HTTP", "HTTP_PROXY":
		return ErrNotImplemented.Withf("Integration type %s is not implemented by virga yet for WebSocket APIs; use AWS_PROXY, AWS or MOCK.", integ.Type)
	default:
		return badRequest("Invalid integration type %s.", integ.Type)
	}
	if integ.PayloadFormatVersion == "" {
		integ.PayloadFormatVersion = "1.0"
	}
	if integ.PayloadFormatVersion != "1.0" {
		return badRequest("WebSocket APIs support payload format version 1.0 only.")
	}
	if integ.TimeoutMillis < 50 || integ.TimeoutMillis > maxWebSocketIntegrationTimeout {
		return badRequest("Invalid TimeoutInMillis %d: WebSocket integrations time out after 50 to %d milliseconds.", integ.TimeoutMillis, maxWebSocketIntegrationTimeout)
	}
	switch {
	case integ.ConnectionType == "VPC_LINK":
		return ErrNotImplemented.WithMessage("Private integrations (ConnectionType VPC_LINK) are not implemented by virga yet.")
	case integ.ConnectionType != "INTERNET":
		return badRequest("Invalid ConnectionType %s.", integ.ConnectionType)
	}
	switch integ.ContentHandlingStrategy {
	case "", "CONVERT_TO_BINARY", "CONVERT_TO_TEXT":
	default:
		return badRequest("Invalid ContentHandlingStrategy %s.", integ.ContentHandlingStrategy)
	}
	if len(integ.ResponseParameters) > 0 || len(integ.RequestParameters) > 0 && !staticHeaders(integ) {
		return ErrNotImplemented.WithMessage("Parameter mapping of WebSocket integrations is not implemented by virga yet, except an AWS integration's static request headers.")
	}
	return nil
}

// staticHeaders reports whether an AWS integration's request parameters
// set only headers to quoted constants
// (integration.request.header.Content-Type: 'application/json').
func staticHeaders(integ *integrationRecord) bool {
	if integ.Type != "AWS" {
		return false
	}
	for k, v := range integ.RequestParameters {
		if !strings.HasPrefix(k, "integration.request.header.") || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
			return false
		}
	}
	return true
}

func (s *Service) getIntegration(ctx context.Context, in *GetIntegrationRequest) (*GetIntegrationResult, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	integ := a.Integrations[*in.IntegrationId]
	if integ == nil {
		return nil, integrationNotFound(*in.IntegrationId)
	}
	out := GetIntegrationResult(integrationShape(integ))
	return &out, nil
}

func (s *Service) getIntegrations(ctx context.Context, in *GetIntegrationsRequest) (*GetIntegrationsResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(a.Integrations), func(x, y *integrationRecord) int { return strings.Compare(x.ID, y.ID) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetIntegrationsResponse{Items: make([]Integration, 0, len(items)), NextToken: next}
	for _, integ := range items {
		out.Items = append(out.Items, integrationShape(integ))
	}
	return out, nil
}

func (s *Service) updateIntegration(ctx context.Context, in *UpdateIntegrationRequest) (*UpdateIntegrationResult, error) {
	var integ *integrationRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		integ = a.Integrations[*in.IntegrationId]
		if integ == nil {
			return integrationNotFound(*in.IntegrationId)
		}
		if in.IntegrationType != nil {
			integ.Type = string(*in.IntegrationType)
		}
		if in.ConnectionType != nil {
			integ.ConnectionType = string(*in.ConnectionType)
		}
		setIf(&integ.Subtype, in.IntegrationSubtype)
		setIf(&integ.URI, in.IntegrationUri)
		setIf(&integ.Method, in.IntegrationMethod)
		setIf(&integ.PayloadFormatVersion, in.PayloadFormatVersion)
		setIf(&integ.TimeoutMillis, in.TimeoutInMillis)
		setIf(&integ.ConnectionID, in.ConnectionId)
		setIf(&integ.CredentialsArn, in.CredentialsArn)
		setIf(&integ.Description, in.Description)
		if in.RequestParameters != nil {
			integ.RequestParameters = in.RequestParameters
		}
		if in.ResponseParameters != nil {
			integ.ResponseParameters = in.ResponseParameters
		}
		if in.TlsConfig != nil {
			integ.TLSServerName = deref(in.TlsConfig.ServerNameToVerify, "")
		}
		if in.ContentHandlingStrategy != nil {
			integ.ContentHandlingStrategy = string(*in.ContentHandlingStrategy)
		}
		if in.PassthroughBehavior != nil {
			integ.PassthroughBehavior = string(*in.PassthroughBehavior)
		}
		if in.RequestTemplates != nil {
			integ.RequestTemplates = in.RequestTemplates
		}
		setIf(&integ.TemplateSelection, in.TemplateSelectionExpression)
		if a.ProtocolType == protocolWebSocket {
			return checkWebSocketIntegration(integ)
		}
		if err := checkIntegration(integ, false); err != nil {
			return err
		}
		return s.checkVpcLinkLocked(integ)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateIntegrationResult(integrationShape(integ))
	return &out, nil
}

func (s *Service) deleteIntegration(ctx context.Context, in *DeleteIntegrationRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		id := *in.IntegrationId
		integ := a.Integrations[id]
		if integ == nil {
			return integrationNotFound(id)
		}
		if integ.Managed {
			// "You can update a managed integration, but you can't
			// delete it": it goes with its API.
			return badRequest("Integration %s is managed by API Gateway (quick create) and cannot be deleted; delete the API instead.", id)
		}
		var users []string
		for _, r := range a.Routes {
			if r.Target == "integrations/"+id {
				users = append(users, r.ID)
			}
		}
		if len(users) > 0 {
			slices.Sort(users)
			return referencedBy("Integration", users)
		}
		delete(a.Integrations, id)
		return nil
	})
	return nil, err
}

// integrationShape renders an integration as the operations return it.
func integrationShape(integ *integrationRecord) Integration {
	t, ct := IntegrationType(integ.Type), ConnectionType(integ.ConnectionType)
	out := Integration{
		ApiGatewayManaged:    ptrIf(integ.Managed),
		ConnectionId:         ptrNonEmpty(integ.ConnectionID),
		ConnectionType:       &ct,
		CredentialsArn:       ptrNonEmpty(integ.CredentialsArn),
		Description:          ptrNonEmpty(integ.Description),
		IntegrationId:        ptr(integ.ID),
		IntegrationMethod:    ptrNonEmpty(integ.Method),
		IntegrationSubtype:   ptrNonEmpty(integ.Subtype),
		IntegrationType:      &t,
		IntegrationUri:       ptrNonEmpty(integ.URI),
		PayloadFormatVersion: ptr(integ.PayloadFormatVersion),
		RequestParameters:    integ.RequestParameters,
		ResponseParameters:   integ.ResponseParameters,
		TimeoutInMillis:      ptr(integ.TimeoutMillis),
	}
	if integ.TLSServerName != "" {
		out.TlsConfig = &TlsConfig{ServerNameToVerify: &integ.TLSServerName}
	}
	if integ.ContentHandlingStrategy != "" {
		out.ContentHandlingStrategy = ptr(ContentHandlingStrategy(integ.ContentHandlingStrategy))
	}
	if integ.PassthroughBehavior != "" {
		out.PassthroughBehavior = ptr(PassthroughBehavior(integ.PassthroughBehavior))
	}
	out.RequestTemplates = integ.RequestTemplates
	out.TemplateSelectionExpression = ptrNonEmpty(integ.TemplateSelection)
	out.IntegrationResponseSelectionExpression = ptrNonEmpty(integ.ResponseSelection)
	return out
}
