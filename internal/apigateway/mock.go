package apigateway

import (
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A MOCK integration answers without a backend: its request template
// yields a status code ({"statusCode": 200}), which picks an integration
// response (the one whose selectionPattern matches it, or the default,
// which has none); that response's statusCode, responseParameters (static
// 'values' and request parameters as headers) and responseTemplates make
// the answer. This is how SAM answers CORS preflight requests.
//
// Mapping templates are not evaluated as Velocity templates: a request
// template is read for its statusCode and a response template is sent as
// it is written.

// errUnsupportedMediaType is the answer when no request template matches
// and the passthrough behaviour forbids passing the body.
var errUnsupportedMediaType = &gatewayError{415, "UnsupportedMediaTypeException", `{"message": "Unsupported Media Type"}`}

// statusInTemplate finds a statusCode in a template that is not plain JSON.
var statusInTemplate = regexp.MustCompile(`"statusCode"\s*:\s*"?(\d{3})`)

// mock runs a MOCK integration.
func (s *Service) mock(req *request, w http.ResponseWriter) *gatewayError {
	ig := req.match.method.Integration
	status, e := mockStatus(ig, req.r.Header.Get("Content-Type"), req.body)
	if e != nil {
		return e
	}
	ir := selectIntegrationResponse(ig, strconv.Itoa(status))
	if ir == nil {
		return errIntegration
	}
	code := parseStatus(ir.StatusCode)
	if code == 0 {
		return errIntegration
	}
	h := w.Header()
	for _, target := range slices.Sorted(maps.Keys(ir.ResponseParameters)) {
		name, ok := strings.CutPrefix(target, "method.response.header.")
		if !ok {
			continue
		}
		if v, ok := req.mappingValue(ir.ResponseParameters[target]); ok {
			h.Set(name, v)
		}
	}
	contentType, body := responseTemplate(ir, req.r.Header.Get("Accept"))
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	io.WriteString(w, body)
	return nil
}

// mockStatus is the status code a MOCK integration's request template
// gives for a request of the given content type.
func mockStatus(ig *integration, contentType string, body []byte) (int, *gatewayError) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || contentType == "" {
		mt = "application/json"
	}
	tmpl, ok := ig.RequestTemplates[mt]
	if !ok {
		switch {
		case ig.PassthroughBehavior == "NEVER",
			ig.PassthroughBehavior == "WHEN_NO_TEMPLATES" && len(ig.RequestTemplates) > 0:
			return 0, errUnsupportedMediaType
		}
		tmpl = string(body)
	}
	var doc struct {
		StatusCode json.RawMessage `json:"statusCode"`
	}
	if json.Unmarshal([]byte(tmpl), &doc) == nil && len(doc.StatusCode) > 0 {
		if code, err := parseStatusCode(doc.StatusCode); err == nil {
			return code, nil
		}
	}
	if m := statusInTemplate.FindStringSubmatch(tmpl); m != nil {
		return parseStatus(m[1]), nil
	}
	return http.StatusOK, nil
}

// selectIntegrationResponse picks the integration response for a status:
// the first (by status code) whose selectionPattern matches it whole,
// else the default one, which has no pattern.
func selectIntegrationResponse(ig *integration, status string) *integrationResponse {
	var def *integrationResponse
	for _, code := range slices.Sorted(maps.Keys(ig.Responses)) {
		ir := ig.Responses[code]
		if ir.SelectionPattern == "" {
			if def == nil {
				def = ir
			}
			continue
		}
		re, err := regexp.Compile("^(?:" + ir.SelectionPattern + ")$")
		if err == nil && re.MatchString(status) {
			return ir
		}
	}
	return def
}

// responseTemplate picks an integration response's template for the
// request's Accept header (application/json when it names none of them)
// and returns its content type and text.
func responseTemplate(ir *integrationResponse, accept string) (string, string) {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if t, ok := ir.ResponseTemplates[mt]; ok {
			return mt, t
		}
	}
	if t, ok := ir.ResponseTemplates["application/json"]; ok {
		return "application/json", t
	}
	for _, mt := range slices.Sorted(maps.Keys(ir.ResponseTemplates)) {
		return mt, ir.ResponseTemplates[mt]
	}
	return "application/json", ""
}

// mappingValue evaluates a parameter mapping expression: a 'static value',
// method.request.{header,querystring,path}.NAME, stageVariables.NAME or
// context.NAME.
func (req *request) mappingValue(expr string) (string, bool) {
	if len(expr) >= 2 && expr[0] == '\'' && expr[len(expr)-1] == '\'' {
		return expr[1 : len(expr)-1], true
	}
	switch {
	case strings.HasPrefix(expr, "method.request.header."):
		return req.r.Header.Get(strings.TrimPrefix(expr, "method.request.header.")), true
	case strings.HasPrefix(expr, "method.request.querystring."):
		single, _ := eventQuery(req.r.URL.RawQuery)
		v, ok := single[strings.TrimPrefix(expr, "method.request.querystring.")]
		return v, ok
	case strings.HasPrefix(expr, "method.request.path."):
		v, ok := req.match.params[strings.TrimPrefix(expr, "method.request.path.")]
		return v, ok
	case strings.HasPrefix(expr, "stageVariables."):
		v, ok := req.stageVars[strings.TrimPrefix(expr, "stageVariables.")]
		return v, ok
	case expr == "context.requestId":
		return req.requestID, true
	}
	return "", false
}
