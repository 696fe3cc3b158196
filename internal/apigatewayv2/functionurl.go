package apigatewayv2

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// Function URLs serve a function the way an HTTP API's $default route
// with a Lambda proxy integration does: payload format 2.0 in, the same
// response mapping out, CORS from the URL's configuration. The
// differences are the addresses (ID.lambda-url.localhost, AWS's
// ID.lambda-url.REGION.on.aws) and a few fields of the request context,
// so they are served here, by the same code.

// FunctionURL is what a function URL serves.
type FunctionURL struct {
	// Function is the function's ARN, qualified for an alias's URL.
	Function string
	// AuthType is NONE or AWS_IAM.
	AuthType string
	// Cors is the URL's CORS configuration, or nil.
	Cors *corsConfig
	// Streaming is InvokeMode RESPONSE_STREAM: the function's answer is
	// the response's bytes, sent as the function writes them
	// (functionurl_stream.go), not a 2.0 response document.
	Streaming bool
}

// FunctionURLCors builds a FunctionURL's CORS configuration.
func FunctionURLCors(allowCredentials bool, headers, methods, origins, expose []string, maxAge *int32) *corsConfig {
	return &corsConfig{AllowCredentials: allowCredentials, AllowHeaders: headers, AllowMethods: methods,
		AllowOrigins: origins, ExposeHeaders: expose, MaxAge: maxAge}
}

// FunctionURLs finds a function URL by its id.
type FunctionURLs func(id string) (FunctionURL, bool)

// functionURLTimeout bounds an invocation through a URL: the function's
// own timeout (at most 15 minutes) applies first.
const functionURLTimeout = 15 * time.Minute

// StreamingFunctions is implemented by a Functions that can stream a
// function's response (*lambda.Service does); without it, a URL in
// RESPONSE_STREAM mode answers once the function has finished.
type StreamingFunctions interface {
	// InvokeStream runs a synchronous invocation whose response goes to
	// write as the function streams it (begin is called first, with the
	// runtime's Content-Type). A function that does not stream returns
	// its whole response as response instead; functionError and err are
	// InvokeSync's.
	InvokeStream(ctx context.Context, function string, payload []byte, begin func(contentType string), write func([]byte) error) (response []byte, functionError string, err error)
}

// FunctionURLPlane returns the handler of the lambda-url host names.
func FunctionURLPlane(s *Service, urls FunctionURLs) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := idFromHost(r.Host, "lambda-url.")
		u, ok := urls(id)
		if !ok {
			writeGatewayError(w, r, http.StatusNotFound)
			return
		}
		// A function URL's answer names its request by x-amzn-RequestId
		// alone (set below); the edge's id would be a second, different one.
		w.Header().Del("X-Amz-Request-Id")
		payload, requestID, res := s.functionURLEvent(r, id, u)
		if res == nil {
			if sf, ok := s.functions.(StreamingFunctions); ok && u.Streaming {
				s.streamFunctionURL(w, r, sf, u, payload, requestID)
				return
			}
			res = s.callFunctionURL(r, u, payload, requestID)
		}
		if u.Cors != nil {
			u.Cors.apply(res, r)
		}
		res.write(w, r)
	})
}

// functionURLEvent answers a request that needs no invocation (a CORS
// preflight, a refused signature, a body too large) with res, or returns
// the invocation's payload (format 2.0) and request id.
func (s *Service) functionURLEvent(r *http.Request, id string, u FunctionURL) (payload []byte, requestID string, res *response) {
	if u.Cors != nil && isPreflight(r) {
		return nil, "", u.Cors.preflight(r)
	}
	var auth *authorization
	if u.AuthType == "AWS_IAM" {
		if auth = s.iamAuthorization(r); auth == nil {
			return nil, "", s.errFunctionURLForbidden()
		}
	}
	if err := s.authorizeFunctionURL(r, u, auth); err != nil {
		s.log.Debug("function URL: refused", "function", u.Function, "err", err)
		return nil, "", s.errFunctionURLForbidden()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		return nil, "", gatewayResponse(http.StatusInternalServerError)
	}
	if len(body) > maxPayload {
		return nil, "", gatewayResponse(http.StatusRequestEntityTooLarge)
	}
	inv := &invocation{r: r, api: &apiRecord{ID: id}, stage: &stageRecord{Name: "$default"},
		route: &routeRecord{Key: "$default"}, requestID: s.ids.UUID(), received: s.clock.Now(),
		rawPath: r.URL.EscapedPath(), body: body, sourceIP: sourceIP(r), auth: auth}
	inv.traceID = s.traceHeader(r, inv.received)
	e := s.buildEventV2(inv)
	e.RequestContext.DomainName = id + ".lambda-url." + s.region + ".on.aws"
	if u.AuthType != "AWS_IAM" {
		e.RequestContext.AccountID = "anonymous"
	}
	payload, err = marshalEvent(e)
	if err != nil {
		return nil, "", gatewayResponse(http.StatusInternalServerError)
	}
	return payload, inv.requestID, nil
}

// functionURLActions are what a URL's caller needs on its function, as
// AWS requires of function URLs made since October 2025: both
// lambda:InvokeFunctionUrl and lambda:InvokeFunction.
var functionURLActions = [...]string{"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}

// authorizeFunctionURL decides whether a URL's request may invoke its
// function. A NONE URL's resource-based policy is in effect whatever
// --auth says: it must allow everyone (Principal "*"), since nobody
// signed. An AWS_IAM URL's signer is held to its identity policies and
// the function's only with --auth iam. The request context has
// lambda:FunctionUrlAuthType (the URL's AuthType) and
// lambda:InvokedViaFunctionUrl (true), the keys the statements
// AddPermission writes for URLs test.
func (s *Service) authorizeFunctionURL(r *http.Request, u FunctionURL, auth *authorization) error {
	check, caller := s.urlPolicy, (*awsproto.Caller)(nil)
	if u.AuthType == "AWS_IAM" {
		check, caller = s.policyCheck, &auth.caller
	}
	if check == nil {
		return nil
	}
	extra := map[string][]string{"lambda:functionurlauthtype": {u.AuthType}, "lambda:invokedviafunctionurl": {"true"}}
	for _, action := range functionURLActions {
		if err := check(r.Context(), r, caller, "lambda", action, u.Function, extra); err != nil {
			return err
		}
	}
	return nil
}

// errFunctionURLForbidden is a URL's answer to a request it refuses: an
// unsigned one to an AWS_IAM URL, or one IAM policies do not allow,
// with its own request id, as Lambda names every answer.
func (s *Service) errFunctionURLForbidden() *response {
	return &response{status: http.StatusForbidden, header: http.Header{"Content-Type": {"application/json"},
		"X-Amzn-Errortype": {"AccessDeniedException"}, "X-Amzn-Requestid": {s.ids.UUID()}},
		body: []byte(`{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`)}
}

// errFunctionURL is a URL's answer when the function failed or could not
// be invoked.
func errFunctionURL() *response {
	return &response{status: http.StatusBadGateway, header: http.Header{"Content-Type": {"application/json"}},
		body: []byte(`{"Message":"Internal Server Error"}`)}
}

// callFunctionURL invokes the function and maps its whole answer.
func (s *Service) callFunctionURL(r *http.Request, u FunctionURL, payload []byte, requestID string) *response {
	out, err := s.callFunction(r.Context(), u.Function, payload, functionURLTimeout)
	if err != nil {
		s.log.Warn("function URL: invocation failed", "function", u.Function, "err", err, "requestId", requestID)
		return errFunctionURL()
	}
	if u.Streaming {
		res := streamedResponse(out)
		res.header.Set("X-Amzn-Requestid", requestID)
		return res
	}
	res, err := lambdaResponse("2.0", out)
	if err != nil {
		return errFunctionURL()
	}
	if res.header == nil {
		res.header = http.Header{}
	}
	if res.header.Get("Content-Type") == "" {
		// A function URL types an answer that names no type as JSON
		// (even an empty one), where an HTTP API would say text/plain.
		res.header.Set("Content-Type", "application/json")
	}
	res.header.Set("X-Amzn-Requestid", requestID)
	return res
}

// streamedResponse is the response of a URL in RESPONSE_STREAM mode
// whose function answered at once (it did not stream): its bytes, after
// the prelude awslambda.HttpResponseStream.from puts first, if there is
// one. Without a prelude the status is 200 and the type
// application/octet-stream, as Lambda answers.
func streamedResponse(out []byte) *response {
	res := &response{status: http.StatusOK, header: http.Header{}, body: out}
	if p, body, state := splitPrelude(out, len(out)); state == preludeFound {
		res.body = body
		p.apply(res)
	}
	if res.header.Get("Content-Type") == "" {
		res.header.Set("Content-Type", "application/octet-stream")
	}
	return res
}
