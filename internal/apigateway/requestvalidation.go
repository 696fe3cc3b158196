package apigateway

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"mime"
	"slices"
	"strings"
)

// Request validation: a method with a request validator has its
// required request parameters checked (present and not blank) and, for
// a validator that validates bodies, its body checked against the model
// its request models map the request's content type to ($default for
// any type; no model, no check). A failed check is API Gateway's 400:
// BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY, which gateway responses
// may customize.

// model is an API's model: a JSON Schema draft 4 document, as text.
type model struct {
	ID          string
	Name        string
	Description string `json:",omitempty"`
	ContentType string
	Schema      string
}

// requestValidator says what a method's validation checks.
type requestValidator struct {
	ID                        string
	Name                      string
	ValidateRequestBody       bool
	ValidateRequestParameters bool
}

// Validation's answers, as API Gateway words them.
var errInvalidBody = &gatewayError{400, "BadRequestException", `{"message": "Invalid request body"}`, "BAD_REQUEST_BODY"}

func errMissingParameters(names []string) *gatewayError {
	return &gatewayError{400, "BadRequestException", `{"message": "Missing required request parameters: [` + strings.Join(names, ", ") + `]"}`, "BAD_REQUEST_PARAMETERS"}
}

// validateRequest runs the method's request validator, if it has one.
func (s *Service) validateRequest(req *request) *gatewayError {
	m := req.match.method
	api := req.deployment.API
	v := api.RequestValidators[m.RequestValidatorID]
	if v == nil {
		return nil
	}
	if v.ValidateRequestParameters {
		var missing []string
		for _, p := range slices.Sorted(maps.Keys(m.RequestParameters)) {
			if !m.RequestParameters[p] {
				continue
			}
			if value, _ := req.parameterValue(p); strings.TrimSpace(value) == "" {
				missing = append(missing, p[strings.LastIndex(p, ".")+1:])
			}
		}
		if len(missing) > 0 {
			return errMissingParameters(missing)
		}
	}
	if v.ValidateRequestBody {
		ct, _, _ := mime.ParseMediaType(req.r.Header.Get("Content-Type"))
		name, ok := m.RequestModels[ct]
		if !ok {
			name, ok = m.RequestModels["$default"]
		}
		if !ok || api.Models[name] == nil {
			return nil
		}
		if !api.validBody(api.Models[name], req.body) {
			return errInvalidBody
		}
	}
	return nil
}

// validBody reports whether a body satisfies a model. A model whose
// schema is not JSON constrains nothing; a body that is not JSON fails.
func (a *restAPI) validBody(m *model, body []byte) bool {
	return ValidBody(m.Schema, body, func(name string) (string, bool) {
		target := a.Models[name]
		if target == nil {
			return "", false
		}
		return target.Schema, true
	})
}

// ValidBody reports whether body satisfies schema, a model's JSON schema
// (draft 4), as API Gateway validates a request body against a model; a
// $ref to another model is found by its name with models. A schema that
// is not JSON constrains nothing; a body that is not JSON fails.
func ValidBody(schema string, body []byte, models func(name string) (schema string, ok bool)) bool {
	s, err := decodeNumbers([]byte(schema))
	if err != nil {
		return true
	}
	doc, err := decodeNumbers(body)
	if err != nil {
		return false
	}
	return validJSON(s, doc, func(ref string) (any, bool) {
		target, ok := models(modelRef(ref))
		if !ok {
			return nil, false
		}
		s, err := decodeNumbers([]byte(target))
		return s, err == nil
	})
}

// decodeNumbers decodes one JSON document, keeping numbers as written.
func decodeNumbers(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errTrailingData
	}
	return v, nil
}

var errTrailingData = &json.SyntaxError{}

// parameterValue of a method request parameter (method.request.header.X
// and the others) is in gatewayresponses.go.

func (s *Service) getModels(ctx context.Context, in *GetModelsRequest) (*Models, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.def.Models), func(x, y *model) int { return cmp.Compare(x.Name, y.Name) })
	items, next := page(all, func(m *model) string { return m.Name }, in.Position, in.Limit)
	out := &Models{Position: next, Items: make([]Model, 0, len(items))}
	for _, m := range items {
		out.Items = append(out.Items, *modelOutput(m))
	}
	return out, nil
}

func (s *Service) getModel(ctx context.Context, in *GetModelRequest) (*Model, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	m := st.def.Models[*in.ModelName]
	if m == nil {
		return nil, notFound(msgModelNotFound)
	}
	return modelOutput(m), nil
}

// modelOutput is a model as GetModel answers it.
func modelOutput(m *model) *Model {
	return &Model{Id: ptr(m.ID), Name: ptr(m.Name), Description: optional(m.Description),
		ContentType: ptr(m.ContentType), Schema: ptr(m.Schema)}
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

func requestValidatorOutput(v *requestValidator) *RequestValidator {
	return &RequestValidator{Id: ptr(v.ID), Name: ptr(v.Name), ValidateRequestBody: ptr(v.ValidateRequestBody),
		ValidateRequestParameters: ptr(v.ValidateRequestParameters)}
}
