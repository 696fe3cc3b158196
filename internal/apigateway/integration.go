package apigateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/velocity"
)

// Integrations other than AWS_PROXY: MOCK, AWS (Lambda without the proxy
// event, or another AWS service's API), HTTP, and HTTP_PROXY.
//
// All but HTTP_PROXY go the same way. The request template for the
// request's content type makes the integration request's body (or, with
// none, the body passes through as passthroughBehavior allows) and
// requestParameters its headers, query string and path parameters, which
// the template may override through $context.requestOverride. The
// backend answers; its answer selects an integration response — by the
// status code for AWS services and HTTP, by the function's errorMessage
// for Lambda (empty when it succeeded), by the statusCode the request
// template wrote for MOCK. That response's statusCode,
// responseParameters and response template (chosen by the Accept header)
// make the method response, and a template may override the status and
// headers through $context.responseOverride. HTTP_PROXY passes the
// request and the answer through unchanged.

// AWSServices carries AWS integrations that call an AWS service API
// (everything but Lambda's Invoke) to virga's own services.
type AWSServices interface {
	// Do sends r to the service, as API Gateway sends it to the
	// service's regional endpoint, with the credentials of r.Role.
	Do(ctx context.Context, r AWSRequest) (*http.Response, error)
}

// AWSRequest is an AWS integration's request to a service.
type AWSRequest struct {
	// Service is the endpoint prefix of the integration's URI
	// ("dynamodb", "sqs"); Action is set for action-style URIs
	// ("PutItem") and Path for path-style ones ("000000000000/orders").
	Service, Action, Path string
	Method                string
	Query                 url.Values
	Header                http.Header
	Body                  []byte
	// Role is the integration's credentials (a role ARN), if any.
	Role string
}

// errUnsupportedMediaType is the answer when no request template matches
// and the passthrough behaviour forbids passing the body.
var errUnsupportedMediaType = &gatewayError{415, "UnsupportedMediaTypeException", `{"message": "Unsupported Media Type"}`, "UNSUPPORTED_MEDIA_TYPE"}

// defaultIntegrationTimeout is API Gateway's default and maximum
// integration timeout, 29 seconds.
const defaultIntegrationTimeout = 29 * time.Second

// backendAnswer is what an integration's backend answered.
type backendAnswer struct {
	selector string // what selection patterns are matched against
	header   http.Header
	body     []byte
}

// integrationRequest is the request an integration sends its backend.
type integrationRequest struct {
	body        []byte
	contentType string
	header      http.Header
	query       url.Values
	path        map[string]string
}

// nonProxy runs a MOCK, AWS or HTTP integration.
func (s *Service) nonProxy(req *request, w http.ResponseWriter) *gatewayError {
	ig := req.match.method.Integration
	ir, e := s.buildIntegrationRequest(req)
	if e != nil {
		return e
	}
	var ans backendAnswer
	switch ig.Type {
	case "MOCK":
		ans = backendAnswer{selector: strconv.Itoa(mockStatus(ir.body))}
	case "HTTP":
		ans, e = s.httpBackend(req, ir)
	case "AWS":
		ans, e = s.awsBackend(req, ir)
	default:
		return errIntegration
	}
	if e != nil {
		return e
	}
	return s.methodResponse(req, w, ans)
}

// buildIntegrationRequest maps the method request to the integration
// request: its body through the request template, and requestParameters.
func (s *Service) buildIntegrationRequest(req *request) (*integrationRequest, *gatewayError) {
	ig := req.match.method.Integration
	ct := req.r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || ct == "" {
		mt = "application/json"
	}
	out := &integrationRequest{contentType: mt, header: http.Header{}, query: url.Values{}, path: map[string]string{}}
	var vars map[string]any
	if tmpl, ok := ig.RequestTemplates[mt]; ok {
		body, v, e := s.renderTemplate(req, tmpl, req.body)
		if e != nil {
			return nil, e
		}
		out.body, vars = []byte(body), v
	} else {
		switch {
		case ig.PassthroughBehavior == "NEVER",
			ig.PassthroughBehavior == "WHEN_NO_TEMPLATES" && len(ig.RequestTemplates) > 0:
			return nil, errUnsupportedMediaType
		}
		out.body = req.body
		if ct != "" {
			out.contentType = ct
		}
	}
	for _, target := range slices.Sorted(maps.Keys(ig.RequestParameters)) {
		v, ok := req.mappingValue(ig.RequestParameters[target])
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(target, "integration.request.header."):
			out.header.Set(strings.TrimPrefix(target, "integration.request.header."), v)
		case strings.HasPrefix(target, "integration.request.querystring."):
			out.query.Set(strings.TrimPrefix(target, "integration.request.querystring."), v)
		case strings.HasPrefix(target, "integration.request.path."):
			out.path[strings.TrimPrefix(target, "integration.request.path.")] = v
		}
	}
	applyRequestOverride(vars, out)
	return out, nil
}

// applyRequestOverride applies $context.requestOverride after a request
// template ran: its header, querystring and path values replace what
// requestParameters mapped ("Override parameters after standard API
// Gateway mappings have been applied").
func applyRequestOverride(vars map[string]any, out *integrationRequest) {
	ctx, _ := vars["context"].(*velocity.Map)
	if ctx == nil {
		return
	}
	o, _ := ctx.Get("requestOverride")
	override, _ := o.(*velocity.Map)
	if override == nil {
		return
	}
	each := func(kind string, set func(k, v string)) {
		m, _ := override.Get(kind)
		if m, ok := m.(*velocity.Map); ok {
			for _, k := range m.Keys() {
				v, _ := m.Get(k)
				set(k, velocity.String(v))
			}
		}
	}
	each("header", out.header.Set)
	each("querystring", out.query.Set)
	each("path", func(k, v string) { out.path[k] = v })
}

// mockStatus is the statusCode a MOCK integration's request template
// wrote, 200 when it wrote none.
func mockStatus(body []byte) int {
	var doc struct {
		StatusCode json.RawMessage `json:"statusCode"`
	}
	if json.Unmarshal(body, &doc) == nil && len(doc.StatusCode) > 0 {
		if code, err := parseStatusCode(doc.StatusCode); err == nil {
			return code
		}
	}
	return http.StatusOK
}

// integrationTimeout is the integration's timeoutInMillis.
func integrationTimeout(ig *integration) time.Duration {
	if ig.TimeoutMillis > 0 {
		return time.Duration(ig.TimeoutMillis) * time.Millisecond
	}
	return defaultIntegrationTimeout
}

// awsBackend calls Lambda or another AWS service.
func (s *Service) awsBackend(req *request, ir *integrationRequest) (backendAnswer, *gatewayError) {
	ig := req.match.method.Integration
	if fn, ok := lambdaFunctionOf(ig.URI); ok {
		fn = substituteStageVariables(fn, req.stageVars)
		s.logEndpointRequest(req, s.lambdaEndpoint(fn), ir.body)
		start := s.clock.Now()
		out, fnErr, err := s.invokeFunction(req.r.Context(), fn, s.integrationSource(req), ig.Credentials, ir.body, integrationTimeout(ig))
		s.integrationDone(req, start, 0)
		if err == nil {
			req.integrationStatus = http.StatusOK
		}
		switch {
		case errors.Is(err, errTimedOut):
			return backendAnswer{}, errTimeout
		case err != nil:
			return backendAnswer{}, errIntegration
		}
		ans := backendAnswer{body: out, header: http.Header{"Content-Type": {"application/json"}}}
		if fnErr == "" {
			// A success has no error message: the patterns are matched
			// against nothing, so ".+" picks errors only and ".*"
			// picks successes too, as on AWS.
			return ans, nil
		}
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		json.Unmarshal(out, &e)
		ans.selector = e.ErrorMessage
		return ans, nil
	}
	service, action, path, ok := ParseServiceURI(ig.URI)
	if !ok || s.aws == nil {
		return backendAnswer{}, errIntegration
	}
	path = substitutePath(path, ir.path, req.match.params)
	header := ir.header.Clone()
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", ir.contentType)
	}
	ctx, cancel := context.WithTimeout(req.r.Context(), integrationTimeout(ig))
	defer cancel()
	method := ig.HTTPMethod
	if method == "" || method == "ANY" {
		method = req.r.Method
	}
	start := s.clock.Now()
	res, err := s.aws.Do(ctx, AWSRequest{Service: service, Action: action, Path: path, Method: method,
		Query: ir.query, Header: header, Body: ir.body, Role: ig.Credentials})
	s.integrationDone(req, start, 0)
	if err == nil {
		req.integrationStatus = res.StatusCode
	}
	if err != nil {
		if ctx.Err() != nil {
			return backendAnswer{}, errTimeout
		}
		return backendAnswer{}, errIntegration
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxPayloadBytes+1))
	if err != nil || len(body) > maxPayloadBytes {
		return backendAnswer{}, errBadResponse
	}
	return backendAnswer{selector: strconv.Itoa(res.StatusCode), header: res.Header, body: body}, nil
}

// ParseServiceURI splits an AWS integration URI,
// arn:aws:apigateway:REGION:[SUBDOMAIN.]SERVICE:action/ACTION or
// ...:path/PATH.
func ParseServiceURI(uri string) (service, action, path string, ok bool) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "apigateway" {
		return "", "", "", false
	}
	service = parts[4]
	if i := strings.LastIndexByte(service, '.'); i >= 0 {
		service = service[i+1:]
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "action":
		action, _, _ = strings.Cut(rest, "&")
		return service, action, "", action != "" && service != ""
	case "path":
		return service, "", rest, service != ""
	}
	return "", "", "", false
}

// substitutePath fills {name} placeholders from the integration's path
// parameters, then from the method request's.
func substitutePath(p string, mapped, method map[string]string) string {
	if !strings.Contains(p, "{") {
		return p
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		j := strings.IndexByte(p[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(p)
			return b.String()
		}
		j += i
		name := strings.TrimSuffix(p[i+1:j], "+")
		v, ok := mapped[name]
		if !ok {
			v = method[name]
		}
		b.WriteString(p[:i])
		b.WriteString(v)
		p = p[j+1:]
	}
}

// integrationClient sends HTTP and HTTP_PROXY integration requests; it
// follows no redirects, as API Gateway does not.
var integrationClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// httpBackend calls an HTTP integration's endpoint.
func (s *Service) httpBackend(req *request, ir *integrationRequest) (backendAnswer, *gatewayError) {
	ig := req.match.method.Integration
	target, err := url.Parse(substitutePath(substituteStageVariables(ig.URI, req.stageVars), ir.path, req.match.params))
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") {
		return backendAnswer{}, errIntegration
	}
	q := target.Query()
	for k, vs := range ir.query {
		q[k] = vs
	}
	target.RawQuery = q.Encode()
	header := ir.header.Clone()
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", ir.contentType)
	}
	res, e := s.sendHTTP(req, ig, ig.HTTPMethod, target, header, ir.body)
	if e != nil {
		return backendAnswer{}, e
	}
	return backendAnswer{selector: strconv.Itoa(res.status), header: res.header, body: res.body}, nil
}

type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (s *Service) sendHTTP(req *request, ig *integration, method string, target *url.URL, header http.Header, body []byte) (*httpAnswer, *gatewayError) {
	if method == "" || method == "ANY" {
		method = req.r.Method
	}
	ctx, cancel := context.WithTimeout(req.r.Context(), integrationTimeout(ig))
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, errIntegration
	}
	out.Header = header
	s.logEndpointRequest(req, target.String(), body)
	start := s.clock.Now()
	res, err := integrationClient.Do(out)
	s.integrationDone(req, start, 0)
	if err == nil {
		req.integrationStatus = res.StatusCode
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, errTimeout
		}
		return nil, errIntegration
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxPayloadBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, errTimeout
		}
		return nil, errBadResponse
	}
	if len(data) > maxPayloadBytes {
		return nil, errBadResponse
	}
	return &httpAnswer{status: res.StatusCode, header: res.Header, body: data}, nil
}

// hopHeaders are not passed on by HTTP_PROXY, either way.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade", "Host", "Content-Length"}

// httpProxy runs an HTTP_PROXY integration: the request goes to the
// endpoint as it came (method, headers, query string, body), with the
// integration's parameters added, and the endpoint's answer comes back
// as it is.
func (s *Service) httpProxy(req *request, w http.ResponseWriter) *gatewayError {
	ig := req.match.method.Integration
	ir, e := s.buildIntegrationRequest(req)
	if e != nil {
		return e
	}
	target, err := url.Parse(substitutePath(substituteStageVariables(ig.URI, req.stageVars), ir.path, req.match.params))
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") {
		return errIntegration
	}
	q := target.Query()
	for k, vs := range req.r.URL.Query() {
		q[k] = append(q[k], vs...)
	}
	for k, vs := range ir.query {
		q[k] = vs
	}
	target.RawQuery = q.Encode()
	header := req.r.Header.Clone()
	for _, h := range hopHeaders {
		header.Del(h)
	}
	for k, vs := range ir.header {
		header[k] = vs
	}
	res, e := s.sendHTTP(req, ig, ig.HTTPMethod, target, header, req.body)
	if e != nil {
		return e
	}
	h := w.Header()
	for k, vs := range res.header {
		if slices.Contains(hopHeaders, k) {
			continue
		}
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	w.WriteHeader(res.status)
	w.Write(res.body)
	return nil
}

// methodResponse maps a backend's answer through the integration
// response it selects.
func (s *Service) methodResponse(req *request, w http.ResponseWriter, ans backendAnswer) *gatewayError {
	ig := req.match.method.Integration
	ir := selectIntegrationResponse(ig, ans.selector)
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
		if v, ok := responseValue(req, ans, ir.ResponseParameters[target]); ok {
			h.Set(name, v)
		}
	}
	contentType, body := "", ans.body
	if len(ir.ResponseTemplates) > 0 {
		var tmpl string
		contentType, tmpl = responseTemplate(ir, req.r.Header.Get("Accept"))
		// An empty template (the console's default, which the API shows
		// as null) passes the answer through.
		if tmpl != "" {
			out, vars, e := s.renderTemplate(req, tmpl, ans.body)
			if e != nil {
				return e
			}
			body = []byte(out)
			code = applyOverride(vars, h, code)
		}
	}
	// The backend's own headers stay behind (a non-proxy integration
	// passes on only the ones a response parameter maps), so without a
	// template's content type the answer is JSON, whatever the backend
	// said it was.
	if h.Get("Content-Type") == "" {
		if contentType == "" {
			contentType = "application/json"
		}
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
	return nil
}

// applyOverride applies $context.responseOverride after a response
// template ran: its status (when a valid code) and headers.
func applyOverride(vars map[string]any, h http.Header, code int) int {
	ctx, _ := vars["context"].(*velocity.Map)
	if ctx == nil {
		return code
	}
	o, _ := ctx.Get("responseOverride")
	override, _ := o.(*velocity.Map)
	if override == nil {
		return code
	}
	if st, ok := override.Get("status"); ok {
		if n := parseStatus(velocity.String(st)); n != 0 {
			code = n
		}
	}
	if hv, ok := override.Get("header"); ok {
		if hm, ok := hv.(*velocity.Map); ok {
			for _, k := range hm.Keys() {
				v, _ := hm.Get(k)
				h.Set(k, velocity.String(v))
			}
		}
	}
	return code
}

// responseValue evaluates a response parameter mapping: the integration
// response's integration.response.header.NAME, integration.response.body
// and integration.response.body.JSONPATH, or any request-side value.
func responseValue(req *request, ans backendAnswer, expr string) (string, bool) {
	switch {
	case strings.HasPrefix(expr, "integration.response.header."):
		if ans.header == nil {
			return "", false
		}
		v := ans.header.Get(strings.TrimPrefix(expr, "integration.response.header."))
		return v, v != ""
	case expr == "integration.response.body":
		return string(ans.body), true
	case strings.HasPrefix(expr, "integration.response.body."):
		return jsonPathValue(ans.body, "$"+strings.TrimPrefix(expr, "integration.response.body"))
	}
	return req.mappingValue(expr)
}

// jsonPathValue is what a JSONPath selects in a JSON body, as a parameter
// value: a string as it is, anything else as JSON.
func jsonPathValue(body []byte, path string) (string, bool) {
	doc, err := velocity.ParseJSON(body)
	if err != nil {
		return "", false
	}
	v, err := velocity.JSONPath(doc, path)
	if err != nil || v == nil {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	return velocity.ToJSON(v), true
}
