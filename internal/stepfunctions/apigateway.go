package stepfunctions

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

// The API Gateway integration (arn:aws:states:::apigateway:invoke) makes
// one request to a REST or HTTP API's stage: https://ApiEndpoint/Stage/
// Path, with Method, QueryParameters and Headers (both maps of lists of
// strings) and RequestBody (a string as it is, any other JSON value as
// its JSON text, its null members dropped unless AllowNullValues). The
// task's result is the answer: {ResponseBody, StatusCode, StatusText,
// Headers}, ResponseBody parsed when the answer is JSON. An answer of 400
// or more fails the task with ApiGateway.STATUS, its body the cause.

// apiGatewayMethods are the methods the integration's Method may name.
var apiGatewayMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}

// apiGatewayMaxResponse bounds how much of an answer the task reads: the
// most a state's result may be (256 KiB).
const apiGatewayMaxResponse = 256 * 1024

// apiGatewayUserAgent is the User-Agent of Step Functions' requests.
const apiGatewayUserAgent = "AWS Step Functions"

// invokeAPIGateway runs an apigateway:invoke task.
func (x *execEnv) invokeAPIGateway(ctx context.Context, c *asl.TaskCall) (any, error) {
	params, ok := c.Input.(map[string]any)
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "The parameters of " + c.Resource + " must be a JSON object"}
	}
	req, err := apiGatewayRequest(ctx, params)
	if err != nil {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: err.Error()}
	}
	if x.s.apis == nil {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "No API Gateway in this virga"}
	}
	rec := httptest.NewRecorder()
	x.s.apis.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, apiGatewayMaxResponse))
	if resp.StatusCode >= 400 {
		return nil, &asl.Failure{Name: fmt.Sprintf("ApiGateway.%d", resp.StatusCode), Cause: string(body)}
	}
	headers := map[string]any{}
	for name, values := range resp.Header {
		list := make([]any, len(values))
		for i, v := range values {
			list[i] = v
		}
		headers[name] = list
	}
	out := map[string]any{
		"Headers":      headers,
		"StatusCode":   json.Number(fmt.Sprint(resp.StatusCode)),
		"StatusText":   http.StatusText(resp.StatusCode),
		"ResponseBody": apiGatewayResponseBody(resp.Header.Get("Content-Type"), body),
	}
	return out, nil
}

// apiGatewayResponseBody is an answer's body as the task's result holds
// it: the JSON value of a JSON answer, else the text.
func apiGatewayResponseBody(contentType string, body []byte) any {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		if v, err := asl.Decode(body); err == nil {
			return v
		}
	}
	return string(body)
}

// apiGatewayRequest is the request an apigateway:invoke task's
// parameters describe, addressed to the execute-api data plane in
// process; an error says which parameter is wrong.
func apiGatewayRequest(ctx context.Context, params map[string]any) (*http.Request, error) {
	endpoint, _ := params["ApiEndpoint"].(string)
	apiID, _, ok := strings.Cut(endpoint, ".execute-api.")
	if endpoint == "" || !ok || apiID == "" || strings.ContainsAny(apiID, "/:") {
		return nil, fmt.Errorf("The ApiEndpoint %q is not an API Gateway endpoint (API_ID.execute-api.REGION.amazonaws.com)", endpoint)
	}
	method, _ := params["Method"].(string)
	if !slices.Contains(apiGatewayMethods, method) {
		return nil, fmt.Errorf("The Method %q is not one of %s", method, strings.Join(apiGatewayMethods, ", "))
	}
	switch auth, _ := params["AuthType"].(string); auth {
	case "", "NO_AUTH", "IAM_ROLE", "RESOURCE_POLICY":
	default:
		return nil, fmt.Errorf("The AuthType %q is not one of NO_AUTH, IAM_ROLE, RESOURCE_POLICY", auth)
	}
	path := ""
	for _, key := range []string{"Stage", "Path"} {
		v, ok := params[key]
		if !ok {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return nil, fmt.Errorf("The %s must be a string", key)
		}
		if s = strings.Trim(s, "/"); s != "" {
			path += "/" + s
		}
	}
	if path == "" {
		path = "/"
	}
	query, err := apiGatewayLists(params, "QueryParameters")
	if err != nil {
		return nil, err
	}
	headers, err := apiGatewayLists(params, "Headers")
	if err != nil {
		return nil, err
	}
	var body []byte
	switch b := params["RequestBody"].(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		if allow, _ := params["AllowNullValues"].(bool); !allow {
			b = withoutNulls(b)
		}
		body = []byte(asl.Encode(b))
	}
	target := "https://" + apiID + ".execute-api.localhost" + path
	if len(query) > 0 {
		target += "?" + url.Values(query).Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("The request cannot be made: %v", err)
	}
	// The request comes, over HTTPS, from Step Functions: this process.
	req.RemoteAddr = "127.0.0.1:0"
	req.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname()}
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey,
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 443}))
	req.Header.Set("User-Agent", apiGatewayUserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for name, values := range headers {
		req.Header.Del(name)
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	return req, nil
}

// apiGatewayLists reads a map of lists of strings (QueryParameters,
// Headers).
func apiGatewayLists(params map[string]any, key string) (map[string][]string, error) {
	raw, ok := params[key]
	if !ok || raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("The %s must be a JSON object whose values are lists of strings", key)
	}
	out := make(map[string][]string, len(m))
	for name, v := range m {
		list, isList := v.([]any)
		if !isList {
			return nil, fmt.Errorf("The %s value of %q must be a list of strings", key, name)
		}
		for _, item := range list {
			s, isString := item.(string)
			if !isString {
				return nil, fmt.Errorf("The %s value of %q must be a list of strings", key, name)
			}
			out[name] = append(out[name], s)
		}
	}
	return out, nil
}

// withoutNulls is v with its objects' null members removed, at any
// depth.
func withoutNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if e != nil {
				out[k] = withoutNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutNulls(e)
		}
		return out
	}
	return v
}
