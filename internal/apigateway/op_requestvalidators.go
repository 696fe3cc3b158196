package apigateway

import (
	"cmp"
	"context"
	"maps"
	"slices"
)

// Request validators say what the methods that name them check of a
// request: its required parameters, its body against the method's model,
// or both (requestvalidation.go). Their names are unique in their API.

// msgValidatorExists is virga's wording of a validator name taken twice.
const msgValidatorExists = "Request Validator name already exists for this REST API"

func (s *Service) createRequestValidator(ctx context.Context, in *CreateRequestValidatorRequest) (*RequestValidator, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*RequestValidator, error) {
		v := &requestValidator{Name: deref(in.Name), ValidateRequestBody: in.ValidateRequestBody != nil && *in.ValidateRequestBody,
			ValidateRequestParameters: in.ValidateRequestParameters != nil && *in.ValidateRequestParameters}
		if err := checkValidatorName(a, v); err != nil {
			return nil, err
		}
		v.ID = s.newID(shortIDLength, func(id string) bool { return a.RequestValidators[id] != nil })
		if a.RequestValidators == nil {
			a.RequestValidators = map[string]*requestValidator{}
		}
		a.RequestValidators[v.ID] = v
		return requestValidatorOutput(v), nil
	})
}

// checkValidatorName refuses a name another of the API's validators has.
// Validators without names do not clash.
func checkValidatorName(a *restAPI, v *requestValidator) error {
	if v.Name == "" {
		return nil
	}
	for _, other := range a.RequestValidators {
		if other.ID != v.ID && other.Name == v.Name {
			return ErrConflict.WithMessage(msgValidatorExists)
		}
	}
	return nil
}

func (s *Service) getRequestValidators(ctx context.Context, in *GetRequestValidatorsRequest) (*RequestValidators, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.def.RequestValidators), func(x, y *requestValidator) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(v *requestValidator) string { return v.ID }, in.Position, in.Limit)
	out := &RequestValidators{Position: next, Items: make([]RequestValidator, 0, len(items))}
	for _, v := range items {
		out.Items = append(out.Items, *requestValidatorOutput(v))
	}
	return out, nil
}

func (s *Service) getRequestValidator(ctx context.Context, in *GetRequestValidatorRequest) (*RequestValidator, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	v := st.def.RequestValidators[*in.RequestValidatorId]
	if v == nil {
		return nil, notFound(msgValidatorNotFound)
	}
	return requestValidatorOutput(v), nil
}

func (s *Service) updateRequestValidator(ctx context.Context, in *UpdateRequestValidatorRequest) (*RequestValidator, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*RequestValidator, error) {
		v := a.RequestValidators[*in.RequestValidatorId]
		if v == nil {
			return nil, notFound(msgValidatorNotFound)
		}
		for _, p := range patches {
			if err := patchRequestValidator(v, p); err != nil {
				return nil, err
			}
		}
		if err := checkValidatorName(a, v); err != nil {
			return nil, err
		}
		return requestValidatorOutput(v), nil
	})
}

// patchRequestValidator applies one patch operation to a validator.
func patchRequestValidator(v *requestValidator, p patch) error {
	if p.op != "replace" {
		return p.invalid()
	}
	var err error
	switch {
	case p.is("name"):
		v.Name = p.str()
	case p.is("validateRequestBody"):
		v.ValidateRequestBody, err = p.boolValue()
	case p.is("validateRequestParameters"):
		v.ValidateRequestParameters, err = p.boolValue()
	default:
		return p.invalid()
	}
	return err
}

// deleteRequestValidator deletes a validator; the methods that name it
// validate nothing from then on.
func (s *Service) deleteRequestValidator(ctx context.Context, in *DeleteRequestValidatorRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		if a.RequestValidators[*in.RequestValidatorId] == nil {
			return nil, notFound(msgValidatorNotFound)
		}
		delete(a.RequestValidators, *in.RequestValidatorId)
		return nil, nil
	})
}

func requestValidatorOutput(v *requestValidator) *RequestValidator {
	return &RequestValidator{Id: ptr(v.ID), Name: ptr(v.Name), ValidateRequestBody: ptr(v.ValidateRequestBody),
		ValidateRequestParameters: ptr(v.ValidateRequestParameters)}
}
