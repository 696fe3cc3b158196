package events

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/virga/virga/internal/deliver"
)

// RestAPIs serves the stages of API Gateway REST APIs in process, for
// API Gateway targets.
type RestAPIs interface {
	// Handler is the data plane of the REST API with the given id,
	// serving /STAGE/PATH; nil when there is no such REST API.
	Handler(apiID string) http.Handler
}

// An API Gateway target (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/
// METHOD/PATH) gets the target's input as the body of one request to
// the stage: METHOD (POST for *) on PATH, each * of the stage and path
// replaced in turn by HttpParameters.PathParameterValues, with its
// QueryStringParameters and HeaderParameters. "The EventBridge JSON
// event payload is sent as the body of the HTTP request to your
// endpoint." A 2xx answer delivers the event; 429 and 5xx are retried
// by the target's RetryPolicy, any other answer goes to the dead-letter
// queue at once.

// isRestAPI reports whether a target is an API Gateway REST API.
func isRestAPI(arn string) bool { return deliver.Service(arn) == "execute-api" }

// errRestAPI is a failed request to an API Gateway target; its Status is
// the stage's answer.
var errRestAPI = errAPIDest

// parseRestAPIARN splits an API Gateway target's ARN into the REST
// API's id, the stage, the method and the path below the stage (with
// its wildcards); ok is false for an ARN that names no stage or method.
func parseRestAPIARN(arn string) (apiID, stage, method, path string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return "", "", "", "", false
	}
	segs := strings.SplitN(parts[5], "/", 4)
	if len(segs) < 3 || segs[0] == "" || segs[1] == "" || segs[2] == "" {
		return "", "", "", "", false
	}
	if len(segs) == 4 {
		path = segs[3]
	}
	return segs[0], segs[1], segs[2], path, true
}

// restAPITarget is the REST API's id, the method and the URL path (the
// stage's, then the resource's) an API Gateway target's request goes
// to, the path values in place of the wildcards.
func restAPITarget(arn string, values []string) (apiID, method, path string, err error) {
	apiID, stage, method, rest, ok := parseRestAPIARN(arn)
	if !ok {
		return "", "", "", errRestAPI.Withf("Target %s is not an API Gateway REST API ARN.", arn)
	}
	if method = strings.ToUpper(method); method == "*" || method == "ANY" {
		method = http.MethodPost
	}
	// The stage and the path share the wildcards, in order.
	filled, err := fillPath("https://"+apiID+".execute-api.localhost/"+stage+"/"+rest, values)
	if err != nil {
		return "", "", "", errRestAPI.Withf("The API Gateway target %s cannot be invoked: %v.", arn, err)
	}
	_, path, _ = strings.Cut(strings.TrimPrefix(filled, "https://"), "/")
	return apiID, method, "/" + path, nil
}

// invokeRestAPI makes one attempt at an API Gateway target.
func (s *Service) invokeRestAPI(ctx context.Context, d *delivery) error {
	_, err := s.callRestAPI(ctx, deref(d.target.Arn), d.target.HttpParameters, d.msg.Body)
	return err
}

// callRestAPI makes one request to an API Gateway REST API stage and
// returns the body of its 2xx answer.
func (s *Service) callRestAPI(ctx context.Context, arn string, hp *HttpParameters, input []byte) ([]byte, error) {
	var values []string
	if hp != nil {
		values = hp.PathParameterValues
	}
	apiID, method, path, err := restAPITarget(arn, values)
	if err != nil {
		return nil, err
	}
	var h http.Handler
	if s.restAPIs != nil {
		h = s.restAPIs.Handler(apiID)
	}
	if h == nil {
		return nil, errRestAPI.Withf("The REST API %s does not exist.", apiID)
	}
	target := "https://" + apiID + ".execute-api.localhost" + path
	if hp != nil && len(hp.QueryStringParameters) > 0 {
		q := url.Values{}
		for _, k := range sortedNames(hp.QueryStringParameters) {
			q.Set(k, hp.QueryStringParameters[k])
		}
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(input))
	if err != nil {
		return nil, errRestAPI.Withf("The API Gateway target %s cannot be invoked: %v.", arn, err)
	}
	// On AWS the request comes over HTTPS from an address of
	// EventBridge's own; here EventBridge is this process, so it comes
	// from the loopback address, and API Gateway sees it as its
	// requestContext.identity.sourceIp and X-Forwarded-For.
	req.RemoteAddr = restAPISourceAddr
	req.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname()}
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey,
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 443}))
	req.Header.Set("User-Agent", restAPIUserAgent)
	req.Header.Set("Content-Type", apiDestContentType)
	if hp != nil {
		for k, v := range hp.HeaderParameters {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	e := errRestAPI.Withf("The API Gateway target answered with HTTP status %d.", resp.StatusCode)
	if b := excerpt(body); b != "" {
		e = errRestAPI.Withf("The API Gateway target answered with HTTP status %d: %s", resp.StatusCode, b)
	}
	e.Status = resp.StatusCode
	e.Fault = resp.StatusCode >= 500
	return nil, e
}

// CallHTTP makes one request to an API destination or an API Gateway
// REST API stage, named by its ARN, as a rule's target of that kind
// makes it, with input as its body, and returns the body of its 2xx
// answer (EventBridge Pipes' API destination and API Gateway targets
// and enrichments). HttpParameters' values are used as they are: the
// caller resolves their JSON paths. Any other answer, or a request that
// cannot be made, is an *apierr.Error whose Status is the answer's and
// whose Fault marks an answer worth retrying. An API destination's
// InvocationRateLimitPerSecond is not applied.
func (s *Service) CallHTTP(ctx context.Context, arn string, hp *HttpParameters, input []byte) ([]byte, error) {
	switch {
	case isAPIDestination(arn):
		answer, _, _, err := s.callAPIDestination(ctx, arn, hp, input)
		return answer, err
	case isRestAPI(arn):
		return s.callRestAPI(ctx, arn, hp, input)
	}
	return nil, errAPIDest.Withf("%s is neither an API destination nor an API Gateway REST API.", arn)
}

// restAPISourceAddr is where an API Gateway target's request comes
// from: EventBridge, in this process.
const restAPISourceAddr = "127.0.0.1:0"

// restAPIUserAgent is the User-Agent of EventBridge's requests to API
// Gateway targets.
const restAPIUserAgent = "Amazon/EventBridge/ApiGateway"
