package edge

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/sigv4"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
)

// Options are what the edge is built from.
type Options struct {
	// Services are the AWS services the edge routes to.
	Services []*awsproto.Service
	// DataPlanes serve requests addressed by Host name suffix
	// (".execute-api.localhost"), ahead of the AWS APIs. Because not
	// every client resolves *.localhost, each is also reachable by path:
	// /_aws/execute-api/ID/REST reaches the ".execute-api.localhost"
	// handler as a request to host ID.execute-api.localhost, path /REST
	// (see dataPlanePath).
	DataPlanes map[string]http.Handler
	// CustomDomains, when set, serves requests whose host is one of API
	// Gateway's custom domain names or user pools' custom domains,
	// which no suffix names, ahead of
	// the AWS APIs (requests signed for another service than
	// execute-api excepted: they are API calls).
	CustomDomains CustomDomains
	// Auth authenticates every AWS API request.
	Auth *Authenticator
	// Authorizer, when set (--auth iam), decides every authenticated
	// call against IAM policies once its input is decoded; nil leaves
	// calls unchecked and costs nothing.
	Authorizer awsproto.Authorizer
	// Internal serves virga's own endpoints under /_virga/.
	Internal http.Handler
	// Documents are the public documents services serve at fixed paths
	// of their endpoint to unsigned GET and HEAD requests, ahead of S3's
	// path-style routes.
	Documents []Document
	// Registry serves the container registry (ECR's OCI Distribution
	// API): requests to the registry's host names,
	// ACCOUNT.dkr.ecr.REGION.localhost and AWS's
	// ACCOUNT.dkr.ecr.REGION.amazonaws.com, and unsigned requests on
	// any host whose path RegistryPath accepts (/v2/ and the
	// registry's routes under it). AWS API requests are always signed
	// (S3's path-style requests for a bucket named "v2" among them), so
	// they never reach it.
	Registry     http.Handler
	RegistryPath func(path string) bool
	// Metrics, when set, records every AWS API request and data plane
	// request the edge answers (not virga's own /_virga/ endpoints).
	Metrics Metrics
	// Recorder, when set, is handed every AWS API call the edge
	// answered, once its response is written (CloudTrail). It must not
	// block: it runs on the request's goroutine.
	Recorder Recorder
	// Region is the region of requests that do not name one.
	Region string
	Logger *slog.Logger
	Clock  clock.Clock
	IDs    *ids.Generator
}

// Document is a service's public document, or set of them: Cognito user
// pools' JWKS and OpenID configuration (/POOL_ID/.well-known/...), SNS's
// signing certificate (/SimpleNotificationService-ID.pem). Their paths
// are never S3's: pool ids have an underscore and the certificate's name
// capitals, which bucket names do not.
type Document struct {
	// Service names the document's service in the request log and
	// metrics.
	Service string
	// Path reports whether a request path is one of the documents.
	Path    func(path string) bool
	Handler http.Handler
}

// CustomDomains serves API Gateway's custom domain names
// (apigatewayv2.DomainPlane) and user pools' custom domains.
type CustomDomains interface {
	http.Handler
	// ServesDomain reports whether host, with or without a port, is a
	// custom domain name.
	ServesDomain(host string) bool
}

// Metrics records what the edge answered (package metrics).
type Metrics interface {
	// APIRequest records an answered AWS API call: its service,
	// operation and error code as the call holds them, and its latency.
	APIRequest(c *awsproto.Call, latency time.Duration)
	// DataPlaneRequest records a data plane's answer: the plane's name
	// ("execute-api", "lambda-url", "elb", ...) and the HTTP status.
	DataPlaneRequest(plane string, status int)
}

// Recorder records answered AWS API calls (package cloudtrail).
type Recorder interface {
	// Record notes a call once answered. The call is not used after
	// Record returns: what the recorder keeps, it copies.
	Record(c *awsproto.Call)
}

// Edge is the HTTP handler in front of every service.
type Edge struct {
	opts   Options
	router *router
	log    *slog.Logger
}

// reservedHosts are host name suffixes kept for data planes (API Gateway
// stages, function URLs). A request to one with no data plane registered
// yet is answered 404, never routed to an AWS API.
var reservedHosts = []string{".execute-api.localhost", ".lambda-url.localhost"}

// New builds the edge.
func New(o Options) *Edge {
	return &Edge{opts: o, router: newRouter(o.Services), log: o.Logger}
}

// ServeHTTP routes one request.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every response carries a request id, whoever answers it; a data
	// plane may replace it with its own.
	requestID := e.opts.IDs.UUID()
	h := w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("X-Amz-Request-Id", requestID)
	if strings.HasPrefix(r.URL.Path, "/_virga/") && e.opts.Internal != nil {
		e.opts.Internal.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, dataPlanePrefix) {
		r = dataPlanePath(r)
	}
	// A custom domain names its API by host, ahead of what paths claim
	// (the registry's /v2/, user pools' /.well-known/).
	if e.opts.CustomDomains != nil && e.opts.CustomDomains.ServesDomain(r.Host) && invocation(r) {
		e.serveDataPlane("execute-api", e.opts.CustomDomains, w, r)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		for _, d := range e.opts.Documents {
			if d.Path(r.URL.Path) && unsigned(r) {
				e.serveDataPlane(d.Service, d.Handler, w, r)
				return
			}
		}
	}
	if e.opts.Registry != nil && (registryHost(r.Host) ||
		(strings.HasPrefix(r.URL.Path, "/v2") && e.opts.RegistryPath(r.URL.Path) && !sigV4Signed(r))) {
		e.serveDataPlane("ecr", e.opts.Registry, w, r)
		return
	}
	var svc *awsproto.Service
	if bucket, ok := s3VirtualHost(r.Host); ok {
		if s3 := e.router.byName["s3"]; len(s3) > 0 {
			svc, r = s3[0], bucketPath(r, bucket)
		}
	}
	if dp, name := e.dataPlane(r.Host); dp != nil && svc == nil {
		e.serveDataPlane(name, dp, w, r)
		return
	}
	started := e.opts.Clock.Now()
	c := awsproto.NewCall(r, requestID, started)
	c.TraceID = traceHeader(r.Header.Get("X-Amzn-Trace-Id"), started, e.opts.IDs)
	c.Region = e.opts.Region
	rw := &responseWriter{ResponseWriter: w}
	if r.Header.Get("Origin") != "" {
		rw.beforeHeader = func(h http.Header) { corsHeaders(h, c.Service) }
	}
	defer e.finish(c, rw)
	e.serve(c, rw, svc)
}

// serve finds the service (unless the host named it), reads the body,
// authenticates and runs the call.
func (e *Edge) serve(c *awsproto.Call, w *responseWriter, svc *awsproto.Service) {
	r := c.Request
	if svc == nil && preflight(r) {
		if target, ok := e.router.preflightService(c); ok {
			c.Service = target
			writePreflight(w, r)
			return
		}
	}
	if svc == nil {
		svc = e.router.byHeaders(c)
	}
	if svc != nil && svc.StreamsBodies() && c.Op == nil {
		c.Service = svc
		if svc.Protocol.Resolve(c) != nil {
			c.Op, c.Params = nil, nil // Serve resolves again and answers the error
		}
	}
	if c.Op != nil && c.Op.StreamBody {
		if r.Body != nil && r.Body != http.NoBody {
			c.BodyStream = r.Body
		} else {
			c.BodyStream = http.NoBody
		}
	} else {
		limit := int64(awsproto.DefaultMaxBody)
		if svc != nil {
			limit = svc.MaxBodyBytes
		}
		body, err := readBody(r, limit)
		if err != nil {
			if err == errBodyTooLarge && svc != nil && svc.BodyTooLarge != nil {
				err = svc.BodyTooLarge(r)
			}
			e.fail(c, w, svc, err)
			return
		}
		c.Body = body
	}
	if svc == nil && r.Header.Get("X-Amz-Target") == "" {
		svc = e.router.byBody(c)
	}
	if svc == nil {
		e.fail(c, w, nil, unknownService(c))
		return
	}
	c.Service = svc
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			c.Err = errors.New("panic")
			e.log.Error("panic serving request", "requestId", c.RequestID, "service", svc.Name,
				"panic", p, "stack", string(debug.Stack()))
			if !w.wrote {
				svc.WriteError(c, w, apierr.ErrInternal)
			}
		}
	}()
	if err := e.opts.Auth.Authenticate(c); err != nil && !(anonymous(c, svc) && unsigned(r)) {
		svc.WriteError(c, w, err)
		return
	}
	c.Authorizer = e.opts.Authorizer
	svc.Serve(c, w)
}

// anonymous reports whether the call is to an operation served without
// a signature (S3's CORS preflights; Cognito's SignUp, InitiateAuth and
// the other operations apps call with no AWS credentials), resolving
// the operation if routing has not (awsJson routes by target prefix
// alone).
func anonymous(c *awsproto.Call, svc *awsproto.Service) bool {
	if c.Op == nil {
		c.Service = svc
		if svc.Protocol.Resolve(c) != nil {
			c.Op, c.Params = nil, nil
		}
	}
	return c.Op != nil && c.Op.Anonymous
}

// unsigned reports whether r carries no SigV4 authentication at all.
func unsigned(r *http.Request) bool {
	auth, err := sigv4.Parse(r)
	return err == nil && auth == nil
}

// invocation reports whether r may be a request to an API: anything but
// a well-formed SigV4 signature for another service than execute-api
// (an AWS_IAM method's). A bearer token for a JWT authorizer is an
// API's.
func invocation(r *http.Request) bool {
	auth, err := sigv4.Parse(r)
	return err != nil || auth == nil || auth.Service == "execute-api"
}

// sigV4Signed reports whether r carries SigV4 authentication of any
// kind, well-formed or not: an AWS4-HMAC-SHA256 Authorization header or
// presigned query parameters. A registry client's Basic or Bearer
// Authorization is not.
func sigV4Signed(r *http.Request) bool {
	if strings.HasPrefix(strings.TrimSpace(r.Header.Get("Authorization")), "AWS4-") {
		return true
	}
	q := r.URL.Query()
	return q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Algorithm")
}

// errBodyTooLarge is a body over its service's limit.
var errBodyTooLarge = apierr.ErrRequestEntityTooLarge

func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, apierr.New("IncompleteBody", 400, "The request body terminated unexpectedly")
	}
	if int64(len(body)) > limit {
		return nil, errBodyTooLarge
	}
	return body, nil
}

// fail answers a request with err, in svc's protocol if it is known and in
// the protocol the request looks like it speaks otherwise.
func (e *Edge) fail(c *awsproto.Call, w *responseWriter, svc *awsproto.Service, err error) {
	if svc != nil {
		c.Service = svc
		svc.WriteError(c, w, err)
		return
	}
	writeUnroutedError(c, w, err)
}

// dataPlanePrefix starts the path form of data plane addresses.
const dataPlanePrefix = "/_aws/"

// signedRequestKey keeps, in the context of a rewritten data plane
// request, the request as the client sent and signed it.
type signedRequestKey struct{}

// dataPlanePath rewrites a path-form data plane request,
// /_aws/NAME/ID/REST, into the host form its handler serves: host
// ID.NAME.localhost (with the request's port), path /REST. A path that
// names no ID is left alone, to be answered 404 like any unknown path.
func dataPlanePath(r *http.Request) *http.Request {
	rest := strings.TrimPrefix(r.URL.Path, dataPlanePrefix)
	name, rest, ok := strings.Cut(rest, "/")
	if !ok || name == "" {
		return r
	}
	id, rest, _ := strings.Cut(rest, "/")
	if id == "" {
		return r
	}
	port := ""
	if i := strings.LastIndexByte(r.Host, ':'); i >= 0 && !strings.Contains(r.Host[i:], "]") {
		port = r.Host[i:]
	}
	r2 := r.Clone(context.WithValue(r.Context(), signedRequestKey{}, r))
	r2.Host = id + "." + name + ".localhost" + port
	r2.URL.Path = "/" + rest
	r2.URL.RawPath = ""
	if raw := r.URL.EscapedPath(); strings.HasPrefix(raw, dataPlanePrefix+name+"/") {
		if _, after, ok := strings.Cut(strings.TrimPrefix(raw, dataPlanePrefix+name+"/"), "/"); ok {
			r2.URL.RawPath = "/" + after
		}
	}
	return r2
}

// awsDataPlaneHost maps AWS's own data plane host names to the local
// ones, so that a URL a template builds by hand
// (https://ID.execute-api.REGION.amazonaws.com/Prod/, a user pool
// domain's https://PREFIX.auth.REGION.amazoncognito.com/, a function URL's
// https://ID.lambda-url.REGION.on.aws/, a bucket's website endpoint
// http://BUCKET.s3-website-REGION.amazonaws.com/, a load balancer's
// NAME-ID.REGION.elb.amazonaws.com) reaches virga when a client sends
// it here (with curl --resolve, or a proxy).
func awsDataPlaneHost(host string) string {
	if rest, ok := strings.CutSuffix(host, ".amazonaws.com"); ok {
		if id, region, ok := strings.Cut(rest, ".execute-api."); ok && !strings.Contains(region, ".") {
			return id + ".execute-api.localhost"
		}
		// A load balancer's NAME-ID.REGION.elb.amazonaws.com.
		if lb, ok := strings.CutSuffix(rest, ".elb"); ok && strings.Count(lb, ".") == 1 {
			return lb + ".elb.localhost"
		}
	}
	if i := strings.LastIndex(host, ".s3-website"); i > 0 && s3WebsiteSuffix(host[i+len(".s3-website"):]) {
		return host[:i] + ".s3-website.localhost"
	}
	// A user pool's prefix domain, PREFIX.auth.REGION.amazoncognito.com
	// on AWS and PREFIX.auth.REGION.localhost here, is PREFIX.auth.localhost.
	for _, domain := range []string{".amazoncognito.com", ".localhost"} {
		if rest, ok := strings.CutSuffix(host, domain); ok {
			if prefix, region, ok := strings.Cut(rest, ".auth."); ok && prefix != "" && !strings.Contains(prefix, ".") &&
				region != "" && !strings.Contains(region, ".") {
				return prefix + ".auth.localhost"
			}
		}
	}
	if rest, ok := strings.CutSuffix(host, ".on.aws"); ok {
		if id, region, ok := strings.Cut(rest, ".lambda-url."); ok && !strings.Contains(region, ".") {
			return id + ".lambda-url.localhost"
		}
	}
	return host
}

// s3WebsiteSuffix reports whether what follows ".s3-website" in a host
// name is one of the forms of S3's website endpoints: ".localhost" or
// ".amazonaws.com", after "-REGION" or ".REGION".
func s3WebsiteSuffix(rest string) bool {
	for _, domain := range []string{".localhost", ".amazonaws.com"} {
		r, ok := strings.CutSuffix(rest, domain)
		if !ok {
			continue
		}
		if r == "" {
			return true
		}
		if (r[0] == '-' || r[0] == '.') && len(r) > 1 && !strings.Contains(r[1:], ".") {
			return true
		}
	}
	return false
}

// s3VirtualHost reports whether host addresses an S3 bucket in the
// virtual-hosted style, and which: BUCKET.s3.localhost,
// BUCKET.s3.REGION.localhost, and AWS's own BUCKET.s3.amazonaws.com and
// BUCKET.s3.REGION.amazonaws.com. A bucket name may contain dots. The
// service's own host names (s3.localhost, s3.REGION.amazonaws.com) are
// path-style and routed like any other request.
func s3VirtualHost(host string) (bucket string, ok bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(host)
	rest, ok := strings.CutSuffix(host, ".localhost")
	if !ok {
		if rest, ok = strings.CutSuffix(host, ".amazonaws.com"); !ok {
			return "", false
		}
	}
	if b, ok := strings.CutSuffix(rest, ".s3"); ok && b != "" {
		return b, true
	}
	i := strings.LastIndex(rest, ".s3.")
	if i <= 0 || strings.Contains(rest[i+len(".s3."):], ".") {
		return "", false
	}
	return rest[:i], true
}

// registryHost reports whether host is a container registry's:
// ACCOUNT.dkr.ecr.REGION.localhost or AWS's
// ACCOUNT.dkr.ecr.REGION.amazonaws.com, with or without a port.
func registryHost(host string) bool {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(host)
	rest, ok := strings.CutSuffix(host, ".localhost")
	if !ok {
		if rest, ok = strings.CutSuffix(host, ".amazonaws.com"); !ok {
			return false
		}
	}
	account, region, ok := strings.Cut(rest, ".dkr.ecr.")
	return ok && account != "" && !strings.Contains(account, ".") && region != "" && !strings.Contains(region, ".")
}

// bucketPath turns a virtual-hosted request into the path-style one S3's
// routes serve: /KEY at BUCKET's host is /BUCKET/KEY. The request line
// (RequestURI) and Host stay as the client sent them, for SigV4.
func bucketPath(r *http.Request, bucket string) *http.Request {
	r2 := r.Clone(r.Context())
	if r.URL.Path == "" || r.URL.Path == "/" {
		r2.URL.Path, r2.URL.RawPath = "/"+bucket, ""
		return r2
	}
	r2.URL.Path = "/" + bucket + r.URL.Path
	if r.URL.RawPath != "" {
		r2.URL.RawPath = "/" + bucket + r.URL.RawPath
	}
	return r2
}

func (e *Edge) dataPlane(host string) (h http.Handler, name string) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = awsDataPlaneHost(strings.ToLower(host))
	// A suffix's first label names the data plane: ".execute-api.localhost"
	// is execute-api.
	label := func(suffix string) string {
		name, _, _ := strings.Cut(strings.TrimPrefix(suffix, "."), ".")
		return name
	}
	for suffix, h := range e.opts.DataPlanes {
		if strings.HasSuffix(host, suffix) {
			return h, label(suffix)
		}
	}
	for _, suffix := range reservedHosts {
		if strings.HasSuffix(host, suffix) {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"message":"No data plane serves `+suffix[1:]+` in this version of virga"}`)
			}), label(suffix)
		}
	}
	return nil, ""
}

// serveDataPlane runs a request to an API or a function URL and logs it
// as the API's own requests are logged: the service is the data plane
// (execute-api, lambda-url), the operation the method and path, the
// request id the one the data plane answered with.
func (e *Edge) serveDataPlane(service string, dp http.Handler, w http.ResponseWriter, r *http.Request) {
	started := e.opts.Clock.Now()
	rw := &responseWriter{ResponseWriter: w}
	dp.ServeHTTP(rw, r)
	status := rw.status
	switch {
	case rw.hijacked:
		status = http.StatusSwitchingProtocols
	case status == 0: // nothing written: net/http answers 200
		status = http.StatusOK
	}
	if e.opts.Metrics != nil {
		e.opts.Metrics.DataPlaneRequest(service, status)
	}
	if !e.log.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	h := w.Header()
	requestID := h.Get("Apigw-Requestid")
	if requestID == "" {
		requestID = h.Get("X-Amzn-Requestid")
	}
	e.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		requestAttrs(service, r.Method+" "+r.URL.Path, status, e.opts.Clock.Now().Sub(started), requestID)...)
}

// requestAttrs are the attributes every request log line starts with.
func requestAttrs(service, operation string, status int, latency time.Duration, requestID string) []slog.Attr {
	return []slog.Attr{
		slog.String("service", service),
		slog.String("operation", operation),
		slog.Int("status", status),
		slog.Duration("latency", latency),
		slog.String("requestId", requestID),
	}
}

// finish records the call's metrics, hands it to the recorder and
// writes the request log line.
func (e *Edge) finish(c *awsproto.Call, w *responseWriter) {
	latency := e.opts.Clock.Now().Sub(c.Started)
	if e.opts.Metrics != nil {
		e.opts.Metrics.APIRequest(c, latency)
	}
	if e.opts.Recorder != nil {
		e.opts.Recorder.Record(c)
	}
	if !e.log.Enabled(c.Context(), slog.LevelInfo) {
		return
	}
	service, op := "", ""
	if c.Service != nil {
		service = c.Service.Name
	}
	if c.Op != nil {
		op = c.Op.Name
	}
	attrs := append(requestAttrs(service, op, w.status, latency, c.RequestID), slog.String("traceId", c.TraceID))
	if c.ErrorCode != "" {
		attrs = append(attrs, slog.String("error", c.ErrorCode))
	}
	level := slog.LevelInfo
	if c.Err != nil {
		attrs = append(attrs, slog.String("cause", c.Err.Error()))
		level = slog.LevelError
	}
	e.log.LogAttrs(c.Context(), level, "request", attrs...)
}

// responseWriter records what was written, for the log and for the panic
// handler (which can only answer if nothing was written yet).
type responseWriter struct {
	http.ResponseWriter
	status   int
	wrote    bool
	hijacked bool
	// beforeHeader, when set, adds headers to the answer as its status
	// is written, once whoever answers is known (CORS's).
	beforeHeader func(http.Header)
}

func (w *responseWriter) WriteHeader(status int) {
	if !w.wrote {
		if w.beforeHeader != nil {
			w.beforeHeader(w.Header())
		}
		w.status, w.wrote = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Hijack hands the connection over (WebSocket APIs' upgrade).
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	conn, rw, err := hj.Hijack()
	w.hijacked = err == nil
	return conn, rw, err
}

// Flush lets streaming responses through.
func (w *responseWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
