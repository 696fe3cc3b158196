package apigatewayv2

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"
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
	// the response's bytes (streamedResponse), not a 2.0 response
	// document.
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

// FunctionURLPlane returns the handler of the lambda-url host names.
func FunctionURLPlane(s *Service, urls FunctionURLs) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := idFromHost(r.Host, "lambda-url.")
		u, ok := urls(id)
		if !ok {
			writeGatewayError(w, r, http.StatusNotFound)
			return
		}
		res := s.serveFunctionURL(r, id, u)
		if u.Cors != nil {
			u.Cors.apply(res, r)
		}
		// A function URL's answer names its request by x-amzn-RequestId
		// alone (set by serveFunctionURL); the edge's id would be a
		// second, different one.
		w.Header().Del("X-Amz-Request-Id")
		res.write(w, r)
	})
}

func (s *Service) serveFunctionURL(r *http.Request, id string, u FunctionURL) *response {
	if u.Cors != nil && isPreflight(r) {
		return u.Cors.preflight(r)
	}
	var auth *authorization
	if u.AuthType == "AWS_IAM" {
		if auth = s.iamAuthorization(r); auth == nil {
			return &response{status: http.StatusForbidden, header: http.Header{"Content-Type": {"application/json"}},
				body: []byte(`{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`)}
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		return gatewayResponse(http.StatusInternalServerError)
	}
	if len(body) > maxPayload {
		return gatewayResponse(http.StatusRequestEntityTooLarge)
	}
	inv := &invocation{r: r, api: &apiRecord{ID: id}, stage: &stageRecord{Name: "$default"},
		route: &routeRecord{Key: "$default"}, requestID: s.ids.UUID(), received: s.clock.Now(),
		rawPath: r.URL.EscapedPath(), body: body, sourceIP: sourceIP(r), auth: auth}
	e := s.buildEventV2(inv)
	e.RequestContext.DomainName = id + ".lambda-url." + s.region + ".on.aws"
	if u.AuthType != "AWS_IAM" {
		e.RequestContext.AccountID = "anonymous"
	}
	payload, err := marshalEvent(e)
	if err != nil {
		return gatewayResponse(http.StatusInternalServerError)
	}
	out, err := s.callFunction(r.Context(), u.Function, payload, functionURLTimeout)
	if err != nil {
		s.log.Warn("function URL: invocation failed", "function", u.Function, "err", err, "requestId", inv.requestID)
		return &response{status: http.StatusBadGateway, header: http.Header{"Content-Type": {"application/json"}},
			body: []byte(`{"Message":"Internal Server Error"}`)}
	}
	if u.Streaming {
		res := streamedResponse(out)
		res.header.Set("X-Amzn-Requestid", inv.requestID)
		return res
	}
	res, err := lambdaResponse("2.0", out)
	if err != nil {
		return &response{status: http.StatusBadGateway, header: http.Header{"Content-Type": {"application/json"}},
			body: []byte(`{"Message":"Internal Server Error"}`)}
	}
	if res.header == nil {
		res.header = http.Header{}
	}
	if res.header.Get("Content-Type") == "" {
		// A function URL types an answer that names no type as JSON
		// (even an empty one), where an HTTP API would say text/plain.
		res.header.Set("Content-Type", "application/json")
	}
	res.header.Set("X-Amzn-Requestid", inv.requestID)
	return res
}

// preludeDelimiter ends the prelude of a streamed HTTP response: eight
// zero bytes.
var preludeDelimiter = make([]byte, 8)

// streamedResponse is the response of a URL in RESPONSE_STREAM mode: the
// bytes the function wrote, after the prelude that
// awslambda.HttpResponseStream.from puts first (a JSON object with
// statusCode, headers and cookies, then eight zero bytes), if there is
// one. Without a prelude the status is 200 and the type
// application/octet-stream, as Lambda answers. virga delivers the bytes
// once the function has finished, not as it writes them.
func streamedResponse(out []byte) *response {
	res := &response{status: http.StatusOK, header: http.Header{}, body: out}
	if i := bytes.Index(out, preludeDelimiter); i > 0 && out[0] == '{' {
		var prelude struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Cookies    []string          `json:"cookies"`
		}
		if json.Unmarshal(out[:i], &prelude) == nil {
			res.body = out[i+len(preludeDelimiter):]
			if prelude.StatusCode != 0 {
				res.status = prelude.StatusCode
			}
			for k, v := range prelude.Headers {
				res.header.Set(k, v)
			}
			for _, c := range prelude.Cookies {
				res.header.Add("Set-Cookie", c)
			}
		}
	}
	if res.header.Get("Content-Type") == "" {
		res.header.Set("Content-Type", "application/octet-stream")
	}
	return res
}
