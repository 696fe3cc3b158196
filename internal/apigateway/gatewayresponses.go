package apigateway

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/velocity"
)

// Gateway responses are API Gateway's own answers (a missing token, a
// refused key, a failed integration), which an API may customize by
// response type: another status code, headers (most often CORS headers,
// so that a browser can read a 4xx), another body. A type without a
// customization of its own takes the API's DEFAULT_4XX or DEFAULT_5XX.
// They take effect with a deployment, as the rest of the definition.

// gatewayResponse is an API's customization of one response type.
type gatewayResponse struct {
	StatusCode         string            `json:",omitempty"`
	ResponseParameters map[string]string `json:",omitempty"`
	ResponseTemplates  map[string]string `json:",omitempty"`
}

// gatewayResponseStatus is each response type's status code, as API
// Gateway's documentation lists them; the defaults have none of their
// own.
var gatewayResponseStatus = map[string]string{
	"ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
	"AUTHORIZER_FAILURE": "500", "BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400",
	"DEFAULT_4XX": "", "DEFAULT_5XX": "", "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504",
	"INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403",
	"MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413",
	"RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401",
	"UNSUPPORTED_MEDIA_TYPE": "415", "WAF_FILTERED": "403",
}

// defaultGatewayTemplate is the body template of every response type
// that is not customized.
const defaultGatewayTemplate = `{"message":$context.error.messageString}`

// checkGatewayResponse checks a customization's response parameters.
func checkGatewayResponse(gr *gatewayResponse) error {
	for k, v := range gr.ResponseParameters {
		if !strings.HasPrefix(k, "gatewayresponse.header.") && !strings.HasPrefix(k, "gatewayresponse.querystring.") &&
			!strings.HasPrefix(k, "gatewayresponse.path.") {
			return badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", k)
		}
		if v == "" {
			return badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: %s]", k)
		}
	}
	if gr.StatusCode != "" {
		if n, err := strconv.Atoi(gr.StatusCode); err != nil || n < 100 || n > 599 {
			return badRequest("Invalid status code specified: %s", gr.StatusCode)
		}
	}
	return nil
}

func (s *Service) putGatewayResponse(ctx context.Context, in *PutGatewayResponseRequest) (*GatewayResponse, error) {
	typ := string(*in.ResponseType)
	gr := &gatewayResponse{StatusCode: deref(in.StatusCode), ResponseParameters: maps.Clone(in.ResponseParameters),
		ResponseTemplates: maps.Clone(in.ResponseTemplates)}
	if err := checkGatewayResponse(gr); err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*GatewayResponse, error) {
		if a.GatewayResponses == nil {
			a.GatewayResponses = map[string]*gatewayResponse{}
		}
		a.GatewayResponses[typ] = gr
		return gatewayResponseOutput(typ, gr), nil
	})
}

func (s *Service) getGatewayResponse(ctx context.Context, in *GetGatewayResponseRequest) (*GatewayResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	typ := string(*in.ResponseType)
	return gatewayResponseOutput(typ, st.def.GatewayResponses[typ]), nil
}

// getGatewayResponses lists every response type, customized or not, in
// the order of their names.
func (s *Service) getGatewayResponses(ctx context.Context, in *GetGatewayResponsesRequest) (*GatewayResponses, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	types := slices.Sorted(maps.Keys(gatewayResponseStatus))
	items, next := page(types, func(t string) string { return t }, in.Position, in.Limit)
	out := &GatewayResponses{Position: next, Items: make([]GatewayResponse, 0, len(items))}
	for _, typ := range items {
		out.Items = append(out.Items, *gatewayResponseOutput(typ, st.def.GatewayResponses[typ]))
	}
	return out, nil
}

func (s *Service) deleteGatewayResponse(ctx context.Context, in *DeleteGatewayResponseRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		typ := string(*in.ResponseType)
		if a.GatewayResponses[typ] == nil {
			return nil, notFound(msgGatewayResponseNotFound)
		}
		delete(a.GatewayResponses, typ)
		return nil, nil
	})
}

// gatewayResponseOutput is a response type as GetGatewayResponse answers
// it: its customization, or API Gateway's default (gr nil).
func gatewayResponseOutput(typ string, gr *gatewayResponse) *GatewayResponse {
	if gr == nil {
		out := &GatewayResponse{ResponseType: ptr(GatewayResponseType(typ)), DefaultResponse: ptr(true),
			ResponseParameters: map[string]string{}, ResponseTemplates: map[string]string{"application/json": defaultGatewayTemplate}}
		if code := gatewayResponseStatus[typ]; code != "" {
			out.StatusCode = ptr(code)
		}
		return out
	}
	out := &GatewayResponse{ResponseType: ptr(GatewayResponseType(typ)), DefaultResponse: ptr(false),
		StatusCode: optional(gr.StatusCode), ResponseParameters: maps.Clone(gr.ResponseParameters),
		ResponseTemplates: maps.Clone(gr.ResponseTemplates)}
	if out.ResponseParameters == nil {
		out.ResponseParameters = map[string]string{}
	}
	if out.ResponseTemplates == nil {
		out.ResponseTemplates = map[string]string{}
	}
	if out.StatusCode == nil {
		if code := gatewayResponseStatus[typ]; code != "" {
			out.StatusCode = ptr(code)
		}
	}
	return out
}

// customization returns the API's customization of e's response type,
// or of the default of its class.
func (e *gatewayError) customization(a *restAPI) *gatewayResponse {
	if gr := a.GatewayResponses[e.responseType]; gr != nil && e.responseType != "" {
		return gr
	}
	if e.status >= 500 {
		return a.GatewayResponses["DEFAULT_5XX"]
	}
	return a.GatewayResponses["DEFAULT_4XX"]
}

// writeGatewayError writes one of API Gateway's own answers to a request,
// as the API's deployed gateway responses customize it.
func (s *Service) writeGatewayError(req *request, w http.ResponseWriter, e *gatewayError) {
	var gr *gatewayResponse
	if req.deployment != nil {
		gr = e.customization(req.deployment.API)
	}
	if gr == nil {
		e.write(w)
		return
	}
	h := w.Header()
	status := e.status
	if n, err := strconv.Atoi(gr.StatusCode); err == nil {
		status = n
	}
	for _, k := range slices.Sorted(maps.Keys(gr.ResponseParameters)) {
		name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
		if !ok {
			continue
		}
		if v, ok := req.parameterValue(gr.ResponseParameters[k]); ok {
			h.Set(name, v)
		}
	}
	body := e.body
	if tmpl, ok := gr.ResponseTemplates["application/json"]; ok {
		body = s.renderGatewayTemplate(req, e, tmpl)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if e.kind != "" {
		h.Set("X-Amzn-Errortype", e.kind)
	}
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// parameterValue evaluates a gateway response's parameter mapping: a
// static value ('text'), or a request's header, query string or path
// parameter, or a stage variable. Context variables are not mapped.
func (req *request) parameterValue(expr string) (string, bool) {
	if len(expr) >= 2 && strings.HasPrefix(expr, "'") && strings.HasSuffix(expr, "'") {
		return expr[1 : len(expr)-1], true
	}
	switch {
	case strings.HasPrefix(expr, "method.request.header."):
		v := req.r.Header.Get(strings.TrimPrefix(expr, "method.request.header."))
		return v, v != ""
	case strings.HasPrefix(expr, "method.request.querystring."):
		v := req.r.URL.Query().Get(strings.TrimPrefix(expr, "method.request.querystring."))
		return v, v != ""
	case strings.HasPrefix(expr, "method.request.path."):
		v, ok := req.match.params[strings.TrimPrefix(expr, "method.request.path.")]
		return v, ok
	case strings.HasPrefix(expr, "stageVariables."):
		v, ok := req.stageVars[strings.TrimPrefix(expr, "stageVariables.")]
		return v, ok
	}
	return "", false
}

// renderGatewayTemplate renders a gateway response's body template, with
// $context.error (message, messageString, responseType) beside what the
// request's context holds; a template that fails leaves the default
// body.
func (s *Service) renderGatewayTemplate(req *request, e *gatewayError, tmpl string) string {
	t, err := velocity.Parse(tmpl)
	if err != nil {
		return e.body
	}
	var vars map[string]any
	if req.match.node != nil {
		vars = s.templateVars(req, req.body)
	} else {
		// No method took the request: $context is what is known of it
		// without one.
		vars = map[string]any{"context": contextMap(s.requestContext(req)), "stageVariables": req.stageVariablesMap(), "util": util{}}
	}
	ctx := vars["context"].(*velocity.Map)
	var msg any
	var doc map[string]any
	if json.Unmarshal([]byte(e.body), &doc) == nil {
		msg = doc["message"]
		if msg == nil {
			msg = doc["Message"]
		}
	}
	errMap := velocity.NewMap()
	text, _ := msg.(string)
	quoted, _ := json.Marshal(msg)
	errMap.Put("message", text)
	errMap.Put("messageString", string(quoted))
	errMap.Put("responseType", e.responseType)
	errMap.Put("validationErrorString", "")
	ctx.Put("error", errMap)
	out, err := t.Execute(vars)
	if err != nil {
		return e.body
	}
	return out
}
