package apigateway

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// httpMethods are the methods a resource may have; ANY stands for every
// method the resource does not name.
var httpMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

// authorizationTypes are the values of a method's authorizationType.
var authorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}

// methodOf finds a resource's method in the definition.
func methodOf(a *restAPI, resourceID, httpMethod *string) (*resource, *method, error) {
	r := a.Resources[deref(resourceID)]
	if r == nil {
		return nil, nil, notFound(msgResourceNotFound)
	}
	m := r.Methods[deref(httpMethod)]
	if m == nil {
		return r, nil, notFound(msgMethodNotFound)
	}
	return r, m, nil
}

// readMethod finds a method under the read lock.
func (s *Service) readMethod(apiID, resourceID, httpMethod *string) (*restAPI, *method, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(apiID)
	if err != nil {
		return nil, nil, err
	}
	_, m, err := methodOf(st.def, resourceID, httpMethod)
	return st.def, m, err
}

// checkAuthorization checks a method's authorization type and authorizer.
func checkAuthorization(a *restAPI, m *method) error {
	if !slices.Contains(authorizationTypes, m.AuthorizationType) {
		return badRequest("Invalid authorization type specified: %s. Valid values are %s", m.AuthorizationType, strings.Join(authorizationTypes, ", "))
	}
	if m.AuthorizationType == "CUSTOM" || m.AuthorizationType == "COGNITO_USER_POOLS" {
		au := a.Authorizers[m.AuthorizerID]
		if au == nil || (m.AuthorizationType == "CUSTOM") == (au.Type == "COGNITO_USER_POOLS") {
			return badRequest(msgInvalidAuthorizerForCustom)
		}
		return nil
	}
	// An authorizer only applies to CUSTOM and COGNITO_USER_POOLS methods.
	m.AuthorizerID = ""
	return nil
}

func (s *Service) putMethod(ctx context.Context, in *PutMethodRequest) (*Method, error) {
	if !slices.Contains(httpMethods, *in.HttpMethod) {
		return nil, badRequest(msgInvalidHTTPMethod)
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Method, error) {
		r := a.Resources[*in.ResourceId]
		if r == nil {
			return nil, notFound(msgResourceNotFound)
		}
		if r.Methods[*in.HttpMethod] != nil {
			return nil, ErrConflict.WithMessage(msgMethodExists)
		}
		m := &method{
			HTTPMethod:          *in.HttpMethod,
			AuthorizationType:   *in.AuthorizationType,
			AuthorizerID:        deref(in.AuthorizerId),
			APIKeyRequired:      in.ApiKeyRequired != nil && *in.ApiKeyRequired,
			OperationName:       deref(in.OperationName),
			RequestValidatorID:  deref(in.RequestValidatorId),
			RequestParameters:   maps.Clone(in.RequestParameters),
			RequestModels:       maps.Clone(in.RequestModels),
			AuthorizationScopes: slices.Clone(in.AuthorizationScopes),
		}
		if err := checkAuthorization(a, m); err != nil {
			return nil, err
		}
		if r.Methods == nil {
			r.Methods = map[string]*method{}
		}
		r.Methods[m.HTTPMethod] = m
		return methodOutput(m), nil
	})
}

func (s *Service) getMethod(ctx context.Context, in *GetMethodRequest) (*Method, error) {
	_, m, err := s.readMethod(in.RestApiId, in.ResourceId, in.HttpMethod)
	if err != nil {
		return nil, err
	}
	return methodOutput(m), nil
}

func (s *Service) deleteMethod(ctx context.Context, in *DeleteMethodRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		r, _, err := methodOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		delete(r.Methods, *in.HttpMethod)
		return nil, nil
	})
}

func (s *Service) updateMethod(ctx context.Context, in *UpdateMethodRequest) (*Method, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Method, error) {
		_, m, err := methodOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		for _, p := range patches {
			if err := patchMethod(m, p); err != nil {
				return nil, err
			}
		}
		if err := checkAuthorization(a, m); err != nil {
			return nil, err
		}
		return methodOutput(m), nil
	})
}

// patchMethod applies one patch operation to a method.
func patchMethod(m *method, p patch) error {
	if name, ok := p.under("requestParameters"); ok {
		switch p.op {
		case "add", "replace":
			v, err := p.boolValue()
			if err != nil {
				return err
			}
			if m.RequestParameters == nil {
				m.RequestParameters = map[string]bool{}
			}
			m.RequestParameters[name] = v
		case "remove":
			delete(m.RequestParameters, name)
		default:
			return p.invalid()
		}
		return nil
	}
	if ct, ok := p.under("requestModels"); ok {
		return applyMapPatch(&m.RequestModels, p, ct)
	}
	if scope, ok := p.under("authorizationScopes"); ok {
		return applyListPatch(&m.AuthorizationScopes, p, scope)
	}
	if p.op != "replace" {
		return p.invalid()
	}
	switch {
	case p.is("authorizationType"):
		m.AuthorizationType = p.str()
	case p.is("authorizerId"):
		m.AuthorizerID = p.str()
	case p.is("apiKeyRequired"):
		v, err := p.boolValue()
		if err != nil {
			return err
		}
		m.APIKeyRequired = v
	case p.is("operationName"):
		m.OperationName = p.str()
	case p.is("requestValidatorId"):
		m.RequestValidatorID = p.str()
	default:
		return p.invalid()
	}
	return nil
}

// methodOutput is a method as GetMethod answers it.
func methodOutput(m *method) *Method {
	out := &Method{
		HttpMethod:          ptr(m.HTTPMethod),
		AuthorizationType:   ptr(m.AuthorizationType),
		AuthorizerId:        optional(m.AuthorizerID),
		ApiKeyRequired:      ptr(m.APIKeyRequired),
		OperationName:       optional(m.OperationName),
		RequestValidatorId:  optional(m.RequestValidatorID),
		RequestParameters:   maps.Clone(m.RequestParameters),
		RequestModels:       maps.Clone(m.RequestModels),
		AuthorizationScopes: slices.Clone(m.AuthorizationScopes),
	}
	if len(m.Responses) > 0 {
		out.MethodResponses = make(map[string]MethodResponse, len(m.Responses))
		for code, r := range m.Responses {
			out.MethodResponses[code] = *methodResponseOutput(r)
		}
	}
	if m.Integration != nil {
		out.MethodIntegration = integrationOutput(m.Integration)
	}
	return out
}

func (s *Service) putMethodResponse(ctx context.Context, in *PutMethodResponseRequest) (*MethodResponse, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*MethodResponse, error) {
		_, m, err := methodOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		r := &methodResponse{StatusCode: *in.StatusCode, ResponseParameters: maps.Clone(in.ResponseParameters),
			ResponseModels: maps.Clone(in.ResponseModels)}
		if m.Responses == nil {
			m.Responses = map[string]*methodResponse{}
		}
		m.Responses[r.StatusCode] = r
		return methodResponseOutput(r), nil
	})
}

func (s *Service) getMethodResponse(ctx context.Context, in *GetMethodResponseRequest) (*MethodResponse, error) {
	_, m, err := s.readMethod(in.RestApiId, in.ResourceId, in.HttpMethod)
	if err != nil {
		return nil, err
	}
	r := m.Responses[*in.StatusCode]
	if r == nil {
		return nil, notFound(msgResponseNotFound)
	}
	return methodResponseOutput(r), nil
}

func (s *Service) deleteMethodResponse(ctx context.Context, in *DeleteMethodResponseRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		_, m, err := methodOf(a, in.ResourceId, in.HttpMethod)
		if err != nil {
			return nil, err
		}
		if m.Responses[*in.StatusCode] == nil {
			return nil, notFound(msgResponseNotFound)
		}
		delete(m.Responses, *in.StatusCode)
		return nil, nil
	})
}

func methodResponseOutput(r *methodResponse) *MethodResponse {
	return &MethodResponse{StatusCode: ptr(r.StatusCode), ResponseParameters: maps.Clone(r.ResponseParameters),
		ResponseModels: maps.Clone(r.ResponseModels)}
}

// parseStatus reads a three-digit status code.
func parseStatus(code string) int {
	n, err := strconv.Atoi(code)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}
