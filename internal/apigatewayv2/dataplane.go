package apigatewayv2

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/apigateway"
)

// maxPayload is the largest request body an HTTP API accepts: "Maximum
// payload size 10 MB".
const maxPayload = 10 << 20

// RESTAPIs finds the data plane of an API Gateway REST API (version 1) by
// its id: the handler that serves the API's stages, or nil when no REST
// API has the id. It is how the version 1 service joins the execute-api
// host names, which both versions share.
type RESTAPIs func(apiID string) http.Handler

// DataPlane returns the handler of the execute-api host names,
// ID.execute-api.localhost (and AWS's ID.execute-api.REGION.amazonaws.com,
// which the edge maps to it): the HTTP API with the id serves the request
// if there is one, else the REST API restAPIs finds (restAPIs may be nil),
// else the answer is 404 {"message":"Not Found"}. The edge registers it
// under ".execute-api.localhost" and rewrites the path form,
// /_aws/execute-api/ID/..., into the host form.
func DataPlane(httpAPIs *Service, restAPIs RESTAPIs) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !serveAPI(httpAPIs, restAPIs, w, r, apiIDFromHost(r.Host)) {
			writeGatewayError(w, r, http.StatusNotFound)
		}
	})
}

// serveAPI has the HTTP or WebSocket API with the id answer r, else the
// REST API with it, and reports false when neither exists.
func serveAPI(httpAPIs *Service, restAPIs RESTAPIs, w http.ResponseWriter, r *http.Request, id string) bool {
	if httpAPIs != nil && httpAPIs.Serve(w, r, id) {
		return true
	}
	if restAPIs != nil {
		if h := restAPIs(id); h != nil {
			h.ServeHTTP(w, r)
			return true
		}
	}
	return false
}

// viaDomain reports whether r came through a custom domain name, which
// serves an API whose default endpoint is disabled.
func viaDomain(r *http.Request) bool {
	_, ok := apigateway.DomainRequestOf(r.Context())
	return ok
}

// DomainRoutes finds where a request to a custom domain name leads
// (apigateway.Service).
type DomainRoutes interface {
	ServesDomain(host string) bool
	ResolveDomain(host, escapedPath string) (apigateway.DomainRoute, bool)
}

// DomainPlane serves API Gateway's custom domain names: a request whose
// host is one goes to the API stage its path's mapping names (the
// longest mapping key that is a whole-segment prefix of the path, else
// the domain's root mapping), as a request for the path below the key.
// A path no mapping takes is answered 403 {"message":"Forbidden"}, as
// AWS answers it. The request carries apigateway.DomainRequest, so that
// events show the domain and the path the client sent, and an API whose
// default endpoint is disabled still serves it.
func DomainPlane(httpAPIs *Service, restAPIs RESTAPIs, domains DomainRoutes) *DomainPlaneHandler {
	return &DomainPlaneHandler{httpAPIs: httpAPIs, restAPIs: restAPIs, domains: domains}
}

// DomainPlaneHandler is DomainPlane's handler.
type DomainPlaneHandler struct {
	httpAPIs *Service
	restAPIs RESTAPIs
	domains  DomainRoutes
}

// ServesDomain reports whether host is a custom domain name.
func (p *DomainPlaneHandler) ServesDomain(host string) bool { return p.domains.ServesDomain(host) }

func (p *DomainPlaneHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sent := r.URL.EscapedPath()
	route, ok := p.domains.ResolveDomain(r.Host, sent)
	if !ok {
		writeGatewayError(w, r, http.StatusForbidden)
		return
	}
	unescaped, err := url.PathUnescape(route.Path)
	if err != nil {
		writeGatewayError(w, r, http.StatusForbidden)
		return
	}
	r2 := r.Clone(apigateway.WithDomainRequest(r.Context(),
		apigateway.DomainRequest{Domain: route.Domain, Path: sent, Stage: route.Stage,
			LowerCaseHeaders: strings.Contains(route.Key, "/")}))
	r2.URL.Path, r2.URL.RawPath = unescaped, route.Path
	if !serveAPI(p.httpAPIs, p.restAPIs, w, r2, route.APIID) {
		writeGatewayError(w, r, http.StatusForbidden)
	}
}

// apiIDFromHost returns the API id an execute-api host name starts with.
func apiIDFromHost(host string) string { return idFromHost(host, "execute-api.") }

// idFromHost returns the first label of a data plane host name whose
// next label is kind ("execute-api.", "lambda-url.").
func idFromHost(host, kind string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	id, rest, ok := strings.Cut(strings.ToLower(host), ".")
	if !ok || !strings.HasPrefix(rest, kind) {
		return ""
	}
	return id
}

// gatewayMessages are the bodies of the answers API Gateway gives itself,
// by status.
var gatewayMessages = map[int]string{
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Not Found",
	http.StatusRequestEntityTooLarge: "Request Entity Too Large",
	http.StatusTooManyRequests:       "Too Many Requests",
	http.StatusInternalServerError:   "Internal Server Error",
	http.StatusServiceUnavailable:    "Service Unavailable",
}

// gatewayResponse is an answer of API Gateway's own: {"message":"..."}.
func gatewayResponse(status int) *response {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &response{status: status, header: h, body: []byte(`{"message":"` + gatewayMessages[status] + `"}`), gateway: true}
}

func writeGatewayError(w http.ResponseWriter, r *http.Request, status int) {
	gatewayResponse(status).write(w, r)
}

// response is what the data plane answers a request with.
type response struct {
	status int
	header http.Header
	body   []byte
	// gateway marks API Gateway's own answers, which response parameter
	// mapping leaves alone.
	gateway bool
}

// write sends the response. A response without Content-Type gets none:
// API Gateway passes on what the integration said.
func (res *response) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, vs := range res.header {
		// The length is the server's to set, from the body it sends.
		ck := http.CanonicalHeaderKey(k)
		if ck == "Content-Length" || hopHeaders[strings.ToLower(k)] {
			continue
		}
		h[ck] = vs
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // no sniffing by net/http
	}
	if bodyAllowed(res.status) {
		// API Gateway sends the whole answer with its length, where
		// net/http would chunk one over 2 KB.
		h.Set("Content-Length", strconv.Itoa(len(res.body)))
	}
	w.WriteHeader(res.status)
	if r.Method != http.MethodHead {
		w.Write(res.body)
	}
}

// bodyAllowed tells whether a response with status may carry a body
// (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// invocation is one request to an HTTP API, as the data plane works on
// it.
type invocation struct {
	r         *http.Request
	api       *apiRecord
	stage     *stageRecord
	d         *deployment
	requestID string
	traceID   string
	received  time.Time
	// rawPath is the request's path as it was sent, escaped, with the
	// stage's name for a named stage; stagePath is the part within the
	// stage, which routes match.
	rawPath   string
	stagePath string
	body      []byte
	sourceIP  string
	// route and params are the route the request matched and its path
	// variables.
	route  *routeRecord
	params map[string]string
	// auth is what the route's authorizer said, for the integration.
	auth *authorization
	// integration is what the access log tells of the integration's
	// backend call.
	integration integrationCall
}

// Serve answers a request to the HTTP API with the given id, and reports
// false without answering when there is none. DataPlane calls it; it is
// exported for handlers that find the id some other way.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, id string) bool {
	s.mu.RLock()
	a := s.apis[id]
	s.mu.RUnlock()
	if a == nil {
		return false
	}
	if a.ProtocolType == protocolWebSocket {
		s.serveWebSocket(w, r, a)
		return true
	}
	inv := &invocation{r: r, api: a, requestID: s.requestID(), received: s.clock.Now(), rawPath: r.URL.EscapedPath()}
	// Through a custom domain, the path the client sent is the
	// request's path, mapping key included.
	if dr, ok := apigateway.DomainRequestOf(r.Context()); ok {
		inv.rawPath = dr.Path
	}
	h := w.Header()
	// HTTP APIs identify a request by apigw-requestid alone.
	h.Del("X-Amzn-Requestid")
	h.Del("X-Amz-Request-Id")
	h.Set("Apigw-Requestid", inv.requestID)
	res := s.handle(inv)
	if inv.d != nil && inv.d.cors != nil {
		inv.d.cors.apply(res, r)
	}
	res.write(w, r)
	s.writeAccessLog(inv, res)
	return true
}

// handle runs the request through the stage, CORS, the route, its
// authorizer and its integration.
func (s *Service) handle(inv *invocation) *response {
	r, a := inv.r, inv.api
	if a.DisableExecuteAPIEndpoint && !viaDomain(r) {
		return gatewayResponse(http.StatusForbidden)
	}
	inv.stage, inv.stagePath = selectStage(r, a)
	if inv.stage == nil {
		return gatewayResponse(http.StatusNotFound)
	}
	s.mu.RLock()
	inv.d = s.deployed[deployedKey(a.ID, inv.stage.DeploymentID)]
	s.mu.RUnlock()
	if inv.d == nil {
		return gatewayResponse(http.StatusNotFound)
	}
	if inv.d.cors != nil && isPreflight(r) {
		return inv.d.cors.preflight(r)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		return gatewayResponse(http.StatusInternalServerError)
	}
	if len(body) > maxPayload {
		return gatewayResponse(http.StatusRequestEntityTooLarge)
	}
	inv.body = body
	inv.sourceIP = sourceIP(r)
	inv.traceID = s.traceHeader(r, inv.received)
	inv.route, inv.params = inv.d.routes.match(r.Method, inv.stagePath)
	if inv.route == nil {
		return gatewayResponse(http.StatusNotFound)
	}
	if !s.allowRoute(a.ID, inv.stage, inv.route.Key, inv.received) {
		return throttledResponse()
	}
	if res := s.authorize(inv); res != nil {
		return res
	}
	integ := inv.d.integrations[strings.TrimPrefix(inv.route.Target, "integrations/")]
	if inv.route.Target == "" || integ == nil {
		return gatewayResponse(http.StatusNotFound)
	}
	switch integ.Type {
	case "AWS_PROXY":
		if integ.Subtype != "" {
			return inv.mapResponse(integ, s.callService(inv, integ))
		}
		return inv.mapResponse(integ, s.invokeLambda(inv, integ))
	case "HTTP_PROXY":
		return inv.mapResponse(integ, s.proxyHTTP(inv, integ))
	}
	return gatewayResponse(http.StatusInternalServerError)
}

// selectStage picks the stage a request addresses: the one its custom
// domain's mapping names, else a named stage by the path's first
// segment, else the $default stage with the whole path. It returns the
// stage (nil when there is none) and the escaped path within it.
func selectStage(r *http.Request, a *apiRecord) (*stageRecord, string) {
	escapedPath := r.URL.EscapedPath()
	if dr, ok := apigateway.DomainRequestOf(r.Context()); ok {
		return a.Stages[dr.Stage], "/" + strings.TrimPrefix(escapedPath, "/")
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(escapedPath, "/"), "/")
	if name, err := url.PathUnescape(first); err == nil && name != defaultStage {
		if st := a.Stages[name]; st != nil {
			return st, "/" + rest
		}
	}
	if st := a.Stages[defaultStage]; st != nil {
		if escapedPath == "" {
			escapedPath = "/"
		}
		return st, escapedPath
	}
	return nil, ""
}

// sourceIP is the address the request came from.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requestID is a new request id in the shape of AWS's apigw-requestid.
func (s *Service) requestID() string { return s.ids.Token(15) + "=" }

// traceHeader is the X-Ray trace header an event carries for r: the
// one the client sent, or a new one received at t.
func (s *Service) traceHeader(r *http.Request, t time.Time) string {
	if h := r.Header.Get("X-Amzn-Trace-Id"); h != "" {
		return h
	}
	return fmt.Sprintf("Root=1-%08x-%s", t.Unix(), s.ids.Hex(12))
}
