package apigateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/headercase"
)

// maxPayloadBytes is API Gateway's request payload limit ("Payload size:
// 10 MB").
const maxPayloadBytes = 10 << 20

// Handler returns the data plane of the REST API with the given id, which
// serves its stages at /{stage}/{path} on the host
// {id}.execute-api.localhost; nil when virga has no REST API with that id
// (it may be an HTTP API). The handler looks the API up on every request,
// so it keeps working across deployments and answers 403 Forbidden once
// the API is deleted.
func (s *Service) Handler(apiID string) http.Handler {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.apis[apiID] == nil {
		return nil
	}
	return &stageHandler{s: s, apiID: apiID}
}

// stageHandler serves one REST API's stages.
type stageHandler struct {
	s     *Service
	apiID string
}

// request is one data plane request on its way through a stage.
type request struct {
	r          *http.Request
	body       []byte
	apiID      string
	stage      string
	stageVars  map[string]string
	deployment *deployment
	path       string // below the stage, escaped as sent: "/users/42"
	match      routeMatch
	requestID  string
	extendedID string
	traceID    string
	started    time.Time
	// headerNames are the client's spellings of its header names, by
	// canonical name; nil when they are not known (headercase.Names).
	headerNames map[string]string
	// segmentID is the id of the stage's X-Ray segment, when the stage
	// traces the request (tracing.go); parentID is the caller's Parent.
	segmentID, parentID string
	// authorizer is requestContext.authorizer, when a Lambda authorizer
	// let the request through, and usageKey its usageIdentifierKey.
	authorizer map[string]any
	usageKey   string
	// caller is who signed a request to an AWS_IAM method, when known.
	caller *awsproto.Caller
	// apiKeyID is the id of the API key a method that requires one was
	// called with, and plan the usage plan that lets it call the stage.
	apiKeyID string
	plan     *usagePlanRecord
	// methodSettings are the stage's, for throttling.
	methodSettings map[string]MethodSetting
	// accessLog is the stage's access log settings, nil when it has
	// none.
	accessLog *AccessLogSettings
	// logsExecution tells that the stage's method settings turn
	// execution logging on; execution are the lines so far
	// (executionlog.go).
	logsExecution bool
	execution     []executionLine
	// integrated tells that the integration's backend was called; it
	// took integrationLatency and answered integrationStatus (0 when it
	// answered no HTTP status: for a Lambda proxy integration, the
	// function's statusCode), for the access log. lambdaStatus is
	// Lambda's own status for a Lambda proxy integration.
	integrated         bool
	integrationLatency time.Duration
	integrationStatus  int
	lambdaStatus       int
}

// integrationDone notes that the integration's backend, called at start,
// has answered with status (0 if none).
func (s *Service) integrationDone(req *request, start time.Time, status int) {
	req.integrated = true
	req.integrationLatency = s.clock.Now().Sub(start)
	req.integrationStatus = status
	s.logExecution(req, false, "Received response. Integration latency: %d ms", req.integrationLatency.Milliseconds())
}

// gatewayError is one of API Gateway's own answers (a "gateway
// response"): its status, x-amzn-ErrorType and body, spelled as AWS
// spells each.
type gatewayError struct {
	status int
	kind   string
	body   string
	// responseType is the gateway response type an API may customize
	// (gatewayresponses.go); "" falls to DEFAULT_4XX or DEFAULT_5XX.
	responseType string
}

// API Gateway's answers for requests it does not pass on.
var (
	errMissingToken     = &gatewayError{403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`, "MISSING_AUTHENTICATION_TOKEN"}
	errForbidden        = &gatewayError{403, "ForbiddenException", `{"message":"Forbidden"}`, ""}
	errInvalidAPIKey    = &gatewayError{403, "ForbiddenException", `{"message":"Forbidden"}`, "INVALID_API_KEY"}
	errUnauthorized     = &gatewayError{401, "UnauthorizedException", `{"message":"Unauthorized"}`, "UNAUTHORIZED"}
	errExplicitDeny     = &gatewayError{403, "AccessDeniedException", `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "ACCESS_DENIED"}
	errImplicitDeny     = &gatewayError{403, "AccessDeniedException", `{"Message":"User is not authorized to access this resource"}`, "ACCESS_DENIED"}
	errAuthorizerConfig = &gatewayError{500, "AuthorizerConfigurationException", `{"message": null}`, "AUTHORIZER_CONFIGURATION_ERROR"}
	errIntegration      = &gatewayError{500, "InternalServerErrorException", `{"message": "Internal server error"}`, ""}
	errBadResponse      = &gatewayError{502, "InternalServerErrorException", `{"message": "Internal server error"}`, ""}
	errTimeout          = &gatewayError{504, "", `{"message": "Endpoint request timed out"}`, "INTEGRATION_TIMEOUT"}
	errTooLarge         = &gatewayError{413, "RequestTooLargeException", `{"message":"Request Too Long"}`, "REQUEST_TOO_LARGE"}
)

func (e *gatewayError) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.kind != "" {
		h.Set("X-Amzn-Errortype", e.kind)
	}
	w.WriteHeader(e.status)
	io.WriteString(w, e.body)
}

func (h *stageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.s
	req := &request{r: r, apiID: h.apiID, requestID: s.ids.UUID(), extendedID: s.extendedRequestID(), started: s.clock.Now(),
		headerNames: headerNames(r)}
	req.traceID = r.Header.Get("X-Amzn-Trace-Id")
	if !strings.HasPrefix(req.traceID, "Root=") {
		req.traceID = traceID(req.started, s.ids.Hex(12))
	}
	hdr := w.Header()
	hdr.Del("X-Amz-Request-Id") // the edge's; API Gateway answers with these three
	hdr.Set("X-Amzn-Requestid", req.requestID)
	hdr.Set("X-Amz-Apigw-Id", req.extendedID)
	hdr.Set("X-Amzn-Trace-Id", req.traceID)
	rec := &responseRecorder{ResponseWriter: w}
	e := s.serve(req, rec)
	if e != nil {
		s.writeGatewayError(req, rec, e)
	}
	s.writeAccessLog(req, rec, e)
	s.writeExecutionLog(req, rec, e)
	s.writeTrace(req, rec)
}

// headerNames are the client's spellings of r's header names, in lower
// case through a custom domain's mapping of several levels.
func headerNames(r *http.Request) map[string]string {
	names := headercase.Names(r)
	if dr, ok := DomainRequestOf(r.Context()); !ok || !dr.LowerCaseHeaders {
		return names
	}
	names = make(map[string]string, len(r.Header))
	for k := range r.Header {
		names[k] = strings.ToLower(k)
	}
	return names
}

// serve runs a request through its stage: route, authorize, integrate.
// It returns the gateway's own answer when there is one to give.
func (s *Service) serve(req *request, w http.ResponseWriter) *gatewayError {
	stageName, rest := StagePath(req.r.Context(), req.r.URL.EscapedPath())
	tracing := false
	s.mu.RLock()
	if st := s.apis[req.apiID]; st != nil {
		if g := st.stages[stageName]; g != nil {
			req.deployment = st.deployments[g.DeploymentID]
			req.stageVars = maps.Clone(g.Variables)
			req.accessLog = g.AccessLog
			req.methodSettings = g.MethodSettings
			req.logsExecution = stageLogs(g.MethodSettings)
			tracing = g.TracingEnabled
		}
	}
	s.mu.RUnlock()
	// Disabling the execute-api endpoint takes effect with a deployment,
	// as on AWS; custom domain names still serve the API.
	_, viaDomain := DomainRequestOf(req.r.Context())
	if req.deployment == nil || req.deployment.API.DisableExecuteAPIEndpoint && !viaDomain {
		return errForbidden
	}
	req.stage = stageName
	req.path = "/" + rest
	if tracing {
		s.startTrace(req)
	}
	m, ok := req.deployment.routes.match(req.r.Method, splitRequestPath(rest))
	if !ok {
		return errMissingToken
	}
	req.match = m
	s.logExecution(req, false, "Extended Request Id: %s", req.extendedID)
	if req.r.ContentLength > maxPayloadBytes {
		return errTooLarge
	}
	if req.r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(req.r.Body, maxPayloadBytes+1))
		if err != nil {
			return errIntegration
		}
		if len(body) > maxPayloadBytes {
			return errTooLarge
		}
		req.body = body
	}
	if e := s.authorize(req); e != nil {
		return e
	}
	s.logUsagePlan(req)
	s.logMethodRequest(req)
	if e := s.throttleRequest(req); e != nil {
		return e
	}
	return s.integrate(req, w)
}

// integrate runs an authorized request through its method: the request
// validation, then the integration.
func (s *Service) integrate(req *request, w http.ResponseWriter) *gatewayError {
	if e := s.validateRequest(req); e != nil {
		return e
	}
	switch req.match.method.Integration.Type {
	case "AWS_PROXY":
		return s.lambdaProxy(req, w)
	case "HTTP_PROXY":
		return s.httpProxy(req, w)
	}
	return s.nonProxy(req, w)
}

// authorize applies the method's authorization (a Lambda authorizer, or
// a signature for AWS_IAM), then its API key requirement.
func (s *Service) authorize(req *request) *gatewayError {
	if e := s.authorizeCaller(req); e != nil {
		return e
	}
	if req.match.method.APIKeyRequired {
		id, plan, ok := s.keyForRequest(req.apiKey(), req.apiID, req.stage)
		if !ok {
			return errInvalidAPIKey
		}
		req.apiKeyID, req.plan = id, plan
	}
	return nil
}

// apiKey is the request's API key: the x-api-key header, or what the
// Lambda authorizer answered as usageIdentifierKey when the API takes
// keys from its authorizer. A method that requires a key takes an
// enabled one that a usage plan lets call the stage (keyForRequest),
// whose throttle and quota then apply (throttling.go).
func (req *request) apiKey() string {
	if req.deployment.API.APIKeySource == "AUTHORIZER" {
		return req.usageKey
	}
	return req.r.Header.Get("X-Api-Key")
}

// authorizeCaller runs the method's authorizer, if it has one.
func (s *Service) authorizeCaller(req *request) *gatewayError {
	m := req.match.method
	switch m.AuthorizationType {
	case "", "NONE":
		if s.policyCheck != nil {
			return s.authorizeAnonymous(req)
		}
	case "AWS_IAM":
		// An unsigned request is refused as AWS refuses it. With --auth
		// iam the signature must hold and its signer needs
		// execute-api:Invoke on the method's ARN (authorizeIAM).
		if !strings.HasPrefix(req.r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			return errMissingToken
		}
		if s.policyCheck != nil {
			return s.authorizeIAM(req)
		}
		if s.identify != nil {
			if c, ok := s.identify(req.r); ok {
				req.caller = &c
			}
		}
	case "CUSTOM":
		au := req.deployment.API.Authorizers[m.AuthorizerID]
		if au == nil || au.Type == "COGNITO_USER_POOLS" {
			return errAuthorizerConfig
		}
		if s.policyCheck != nil {
			if err := s.preAuthorize(req); err != nil {
				return err
			}
		}
		return s.runAuthorizer(req, au)
	case "COGNITO_USER_POOLS":
		au := req.deployment.API.Authorizers[m.AuthorizerID]
		if au == nil || au.Type != "COGNITO_USER_POOLS" {
			return errAuthorizerConfig
		}
		if err := s.authorizeUserPool(req, au); err != nil {
			return err
		}
		if s.policyCheck != nil {
			// Once the token holds, the resource policy is evaluated
			// on its own and must allow the request.
			return s.authorizeAnonymous(req)
		}
	}
	return nil
}

// errTimedOut is an invocation that did not finish within its timeout.
var errTimedOut = errors.New("apigateway: the integration timed out")

// invokeFunction runs a function for the data plane, bounded by timeout
// (errTimedOut beyond it), once API Gateway may invoke it for sourceARN
// (checked with --auth iam only): as role, the integration's or
// authorizer's credentials, when it has them, and otherwise by the
// function's policy. fnErr is the function's error type, err Lambda's
// failure to run it.
func (s *Service) invokeFunction(ctx context.Context, fn, sourceARN, role string, payload []byte, timeout time.Duration) (out []byte, fnErr string, err error) {
	if s.fns == nil {
		return nil, "", errNoFunctions
	}
	if s.permitted != nil {
		if err := s.permitted(ctx, fn, sourceARN, role); err != nil {
			return nil, "", err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		out   []byte
		fnErr string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		out, fnErr, err := s.fns.InvokeSync(ctx, fn, payload)
		done <- result{out, fnErr, err}
	}()
	select {
	case r := <-done:
		return r.out, r.fnErr, r.err
	case <-ctx.Done():
		return nil, "", errTimedOut
	}
}

// methodARN is the ARN an authorizer's policy is evaluated against:
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH, the path being
// the request's (below the stage, without its leading slash).
func (s *Service) methodARN(req *request) string {
	return "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + req.apiID + "/" + req.stage + "/" +
		req.r.Method + "/" + strings.TrimPrefix(req.path, "/")
}

// integrationSource is the ARN a method's Lambda integration invokes its
// function for, which the function's policy must allow (aws:SourceArn):
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH, with the
// method's verb ("*" for ANY) and its resource's path.
func (s *Service) integrationSource(req *request) string {
	verb := req.match.method.HTTPMethod
	if verb == "ANY" {
		verb = "*"
	}
	path := ""
	if req.match.node != nil {
		path = strings.TrimPrefix(req.match.node.template, "/")
	}
	return "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + req.apiID + "/" + req.stage + "/" + verb + "/" + path
}

// authorizerSource is the ARN a Lambda authorizer invokes its function
// for: arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/ID.
func (s *Service) authorizerSource(req *request, id string) string {
	return "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + req.apiID + "/authorizers/" + id
}

// sourceIP is the client's address.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// traceID returns an X-Ray trace header for a request that arrives
// without one: Root=1-{epoch seconds in hex}-{24 hex digits}.
func traceID(now time.Time, random string) string {
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), random)
}

// errNoFunctions is the failure of a Lambda integration when virga runs
// API Gateway without Lambda.
var errNoFunctions = errors.New("apigateway: no Lambda service to invoke")
