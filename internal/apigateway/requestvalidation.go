package apigateway

import (
	"bytes"
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
