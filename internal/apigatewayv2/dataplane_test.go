package apigatewayv2

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestEventV2 checks a 2.0 event field by field against the layout of
// "Create AWS Lambda proxy integrations for HTTP APIs".
func TestHTTPAPIEventV2(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("dev"), AutoDeploy: ptr(true),
		StageVariables: map[string]string{"color": "blue"}}))(t)
	h.route(api, "POST /pets/{id}/{rest+}", h.lambdaIntegration(api, testFn, "2.0"))

	req := httptest.NewRequest("POST", "/dev/pets/7/a/b%20c?a=1&a=2&b=x%20y&flag", strings.NewReader(`{"k":"v"}`))
	req.Host = api + ".execute-api.localhost:4566"
	req.RemoteAddr = "192.0.2.10:50000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tester/1.0")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Add("Cookie", "c1=v1; c2=v2")
	req.Header.Set("Connection", "keep-alive")
	rec := httptest.NewRecorder()
	DataPlane(h.s, nil).ServeHTTP(rec, req)
	r := reply{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	ev := r.echoed(t)
	rc := ev["requestContext"].(map[string]any)
	httpCtx := rc["http"].(map[string]any)
	headers := ev["headers"].(map[string]any)
	want := map[string]any{
		"version":               "2.0",
		"routeKey":              "POST /pets/{id}/{rest+}",
		"rawPath":               "/dev/pets/7/a/b%20c",
		"rawQueryString":        "a=1&a=2&b=x%20y&flag",
		"cookies":               []any{"c1=v1", "c2=v2"},
		"queryStringParameters": map[string]any{"a": "1,2", "b": "x y", "flag": ""},
		"pathParameters":        map[string]any{"id": "7", "rest": "a/b c"},
		"stageVariables":        map[string]any{"color": "blue"},
		"body":                  `{"k":"v"}`,
		"isBase64Encoded":       false,
	}
	for k, v := range want {
		if !reflect.DeepEqual(ev[k], v) {
			t.Errorf("%s = %#v, want %#v", k, ev[k], v)
		}
	}
	wantCtx := map[string]any{
		"accountId": testAccount, "apiId": api, "domainName": api + ".execute-api.localhost", "domainPrefix": api,
		"requestId": r.header.Get("Apigw-Requestid"), "routeKey": "POST /pets/{id}/{rest+}", "stage": "dev",
		"time": "12/Mar/2024:19:03:58 +0000", "timeEpoch": float64(testEpoch.UnixMilli()),
	}
	for k, v := range wantCtx {
		if rc[k] != v {
			t.Errorf("requestContext.%s = %#v, want %#v", k, rc[k], v)
		}
	}
	if _, ok := rc["authorizer"]; ok {
		t.Errorf("requestContext.authorizer = %v without an authorizer", rc["authorizer"])
	}
	wantHTTP := map[string]any{"method": "POST", "path": "/dev/pets/7/a/b c", "protocol": "HTTP/1.1",
		"sourceIp": "192.0.2.10", "userAgent": "tester/1.0"}
	if !reflect.DeepEqual(httpCtx, wantHTTP) {
		t.Errorf("requestContext.http = %v, want %v", httpCtx, wantHTTP)
	}
	wantHeaders := map[string]any{
		"content-type": "application/json", "user-agent": "tester/1.0", "x-multi": "one,two",
		"host": api + ".execute-api.localhost:4566", "x-forwarded-for": "192.0.2.10", "x-forwarded-port": "4566",
		"x-forwarded-proto": "http", "content-length": "9",
	}
	for k, v := range wantHeaders {
		if headers[k] != v {
			t.Errorf("headers[%s] = %#v, want %#v", k, headers[k], v)
		}
	}
	for _, k := range []string{"cookie", "connection", "X-Multi"} {
		if _, ok := headers[k]; ok {
			t.Errorf("headers has %s", k)
		}
	}
	if tr, _ := headers["x-amzn-trace-id"].(string); !strings.HasPrefix(tr, "Root=1-65f0a71e-") {
		t.Errorf("x-amzn-trace-id = %q", tr)
	}
	if id := r.header.Get("Apigw-Requestid"); len(id) != 16 || !strings.HasSuffix(id, "=") {
		t.Errorf("apigw-requestid = %q", id)
	}

	// A binary body is base64-encoded; no body, no query: none of them.
	bin := []byte{0, 1, 2, 0xff}
	ev = h.do(api, "POST", "/dev/pets/1/x", strings.NewReader(string(bin)), map[string]string{"Content-Type": "application/octet-stream"}).echoed(t)
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString(bin) {
		t.Errorf("binary body: isBase64Encoded %v, body %v", ev["isBase64Encoded"], ev["body"])
	}
	h.route(api, "GET /", h.lambdaIntegration(api, testFn, "2.0"))
	ev = h.do(api, "GET", "/", nil, nil).echoed(t)
	for _, k := range []string{"body", "queryStringParameters", "pathParameters", "stageVariables", "cookies"} {
		if _, ok := ev[k]; ok {
			t.Errorf("a bare GET's event has %s: %v", k, ev[k])
		}
	}
	if ev["rawQueryString"] != "" || ev["rawPath"] != "/" {
		t.Errorf("bare GET: rawPath %v rawQueryString %v", ev["rawPath"], ev["rawQueryString"])
	}
}

// TestEventV1 checks a 1.0 event.
func TestHTTPAPIEventV1(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	h.route(api, "GET /items/{id}", h.lambdaIntegration(api, testFn, "1.0"))
	ev := h.do(api, "GET", "/items/9?q=1&q=2", nil, map[string]string{"X-One": "1", "User-Agent": "ua"}).echoed(t)
	rc := ev["requestContext"].(map[string]any)
	want := map[string]any{
		"version": "1.0", "resource": "/items/{id}", "path": "/items/9", "httpMethod": "GET",
		"queryStringParameters":           map[string]any{"q": "2"},
		"multiValueQueryStringParameters": map[string]any{"q": []any{"1", "2"}},
		"pathParameters":                  map[string]any{"id": "9"},
		"stageVariables":                  nil, "body": nil, "isBase64Encoded": false,
	}
	for k, v := range want {
		if !reflect.DeepEqual(ev[k], v) {
			t.Errorf("%s = %#v, want %#v", k, ev[k], v)
		}
	}
	if ev["headers"].(map[string]any)["x-one"] != "1" || !reflect.DeepEqual(ev["multiValueHeaders"].(map[string]any)["x-one"], []any{"1"}) {
		t.Errorf("headers %v multiValueHeaders %v", ev["headers"], ev["multiValueHeaders"])
	}
	id := rc["identity"].(map[string]any)
	if id["sourceIp"] != "192.0.2.10" || id["userAgent"] != "ua" || id["accessKey"] != nil {
		t.Errorf("identity = %v", id)
	}
	if rc["resourcePath"] != "/items/{id}" || rc["stage"] != "$default" || rc["requestTime"] != "12/Mar/2024:19:03:58 +0000" ||
		!reflect.DeepEqual(rc["authorizer"], map[string]any{"claims": nil, "scopes": nil}) || rc["httpMethod"] != "GET" {
		t.Errorf("requestContext = %v", rc)
	}
}

// TestLambdaResponses checks how function results become responses.
func TestHTTPAPILambdaResponses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, version, result string
		status                int
		header                map[string]string
		body                  string
	}{
		{"string inferred", "2.0", `"Hello from Lambda!"`, 200, map[string]string{"Content-Type": "application/json"}, "Hello from Lambda!"},
		{"object inferred", "2.0", `{ "message": "Hello from Lambda!" }`, 200, map[string]string{"Content-Type": "application/json"}, `{ "message": "Hello from Lambda!" }`},
		{"number inferred", "2.0", `42`, 200, nil, "42"},
		{"structured", "2.0", `{"statusCode":201,"headers":{"X-A":"1","X-N":2},"body":"made"}`, 201, map[string]string{"X-A": "1", "X-N": "2"}, "made"},
		{"multi-value and cookies", "2.0", `{"statusCode":200,"multiValueHeaders":{"X-M":["a","b"]},"cookies":["a=1","b=2"]}`, 200, nil, ""},
		{"base64", "2.0", `{"statusCode":200,"isBase64Encoded":true,"headers":{"Content-Type":"image/png"},"body":"AAEC/w=="}`, 200, map[string]string{"Content-Type": "image/png"}, "\x00\x01\x02\xff"},
		{"string status", "2.0", `{"statusCode":"404","body":"gone"}`, 404, nil, "gone"},
		{"not JSON", "2.0", `hello`, 500, nil, `{"message":"Internal Server Error"}`},
		{"bad status", "2.0", `{"statusCode":"abc"}`, 500, nil, `{"message":"Internal Server Error"}`},
		{"body not a string", "2.0", `{"statusCode":200,"body":{"a":1}}`, 500, nil, `{"message":"Internal Server Error"}`},
		{"bad base64", "2.0", `{"statusCode":200,"isBase64Encoded":true,"body":"***"}`, 500, nil, `{"message":"Internal Server Error"}`},
		{"1.0 structured", "1.0", `{"statusCode":202,"headers":{"X-A":"1"},"multiValueHeaders":{"X-B":["1","2"]},"body":"ok"}`, 202, map[string]string{"X-A": "1"}, "ok"},
		{"1.0 needs statusCode", "1.0", `{"message":"hi"}`, 500, nil, `{"message":"Internal Server Error"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "")
			api := h.api(nil)
			h.route(api, "GET /", h.lambdaIntegration(api, testFn, tc.version))
			h.fns.answer(testFn, tc.result)
			r := h.do(api, "GET", "/", nil, nil)
			if r.status != tc.status || r.body != tc.body {
				t.Errorf("HTTP %d %q, want %d %q", r.status, r.body, tc.status, tc.body)
			}
			for k, v := range tc.header {
				if r.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, r.header.Get(k), v)
				}
			}
			if tc.name == "multi-value and cookies" {
				if got := r.header.Values("X-M"); !reflect.DeepEqual(got, []string{"a", "b"}) {
					t.Errorf("X-M = %v", got)
				}
				if got := r.header.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
					t.Errorf("Set-Cookie = %v", got)
				}
			}
		})
	}
}

// TestGatewayErrors checks API Gateway's own answers.
func TestHTTPAPIGatewayErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	integ := h.lambdaIntegration(api, testFn, "2.0")
	h.route(api, "GET /ok", integ)
	failing := "arn:aws:lambda:us-east-1:000000000000:function:failing"
	h.route(api, "GET /fails", h.lambdaIntegration(api, failing, "2.0"))
	h.fns.answer(failing, `{"errorMessage":"boom","errorType":"Exception"}`)
	h.fns.set(failing, func(map[string]any) ([]byte, string, error) {
		return []byte(`{"errorMessage":"boom"}`), "Unhandled", nil
	})
	missing := "arn:aws:lambda:us-east-1:000000000000:function:missing"
	h.route(api, "GET /missing", h.lambdaIntegration(api, missing, "2.0"))
	h.fns.set(missing, func(map[string]any) ([]byte, string, error) { return nil, "", errors.New("function not found") })
	slow := "arn:aws:lambda:us-east-1:000000000000:function:slow"
	slowInteg := *must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api, IntegrationType: ptr(IntegrationType("AWS_PROXY")),
		IntegrationUri: &slow, PayloadFormatVersion: ptr("2.0"), TimeoutInMillis: ptr(int32(50))}))(t).IntegrationId
	h.route(api, "GET /slow", slowInteg)
	release := make(chan struct{})
	defer close(release)
	h.fns.set(slow, func(map[string]any) ([]byte, string, error) { <-release; return []byte(`"late"`), "", nil })
	h.route(api, "GET /detached", integ)
	detached := must(h.s.getRoutes(h.ctx, &GetRoutesRequest{ApiId: &api}))(t).Items
	for _, r := range detached {
		if *r.RouteKey == "GET /detached" {
			must(h.s.updateRoute(h.ctx, &UpdateRouteRequest{ApiId: &api, RouteId: r.RouteId, Target: ptr("")}))(t)
		}
	}
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/ok", 200, ""},
		{"GET", "/nowhere", 404, `{"message":"Not Found"}`},
		{"POST", "/ok", 404, `{"message":"Not Found"}`},
		{"GET", "/fails", 500, `{"message":"Internal Server Error"}`},
		{"GET", "/missing", 500, `{"message":"Internal Server Error"}`},
		{"GET", "/slow", 503, `{"message":"Service Unavailable"}`},
		{"GET", "/detached", 404, `{"message":"Not Found"}`},
	} {
		r := h.do(api, tc.method, tc.path, nil, nil)
		if r.status != tc.status || (tc.body != "" && r.body != tc.body) {
			t.Errorf("%s %s: HTTP %d %s, want %d %s", tc.method, tc.path, r.status, r.body, tc.status, tc.body)
		}
		if r.header.Get("Apigw-Requestid") == "" || r.header.Get("X-Amzn-Requestid") != "" {
			t.Errorf("%s %s: request id headers %v", tc.method, tc.path, r.header)
		}
	}
	big := strings.NewReader(strings.Repeat("x", maxPayload+1))
	if r := h.do(api, "GET", "/ok", big, nil); r.status != 413 {
		t.Errorf("an 11 MB body: HTTP %d", r.status)
	}
	if r := h.do("nosuchapi1", "GET", "/", nil, nil); r.status != 404 || r.body != `{"message":"Not Found"}` {
		t.Errorf("unknown API: HTTP %d %s", r.status, r.body)
	}
	// No stage: not found; a disabled endpoint: forbidden.
	bare := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("bare"), ProtocolType: ptr(ProtocolType("HTTP"))}))(t).ApiId
	if r := h.do(bare, "GET", "/", nil, nil); r.status != 404 {
		t.Errorf("API without stages: HTTP %d", r.status)
	}
	must(h.s.updateAPI(h.ctx, &UpdateApiRequest{ApiId: &api, DisableExecuteApiEndpoint: ptr(true)}))(t)
	if r := h.do(api, "GET", "/ok", nil, nil); r.status != 403 || r.body != `{"message":"Forbidden"}` {
		t.Errorf("disabled endpoint: HTTP %d %s", r.status, r.body)
	}
}

func TestHTTPAPICORS(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(&Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"content-type", "authorization"}, ExposeHeaders: []string{"x-total"},
		MaxAge: ptr(int32(300)), AllowCredentials: ptr(true)})
	h.route(api, "GET /data", h.lambdaIntegration(api, testFn, "2.0"))
	h.fns.answer(testFn, `{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"https://evil.example","X-Total":"3"},"body":"[]"}`)

	pre := h.do(api, "OPTIONS", "/data", nil, map[string]string{"Origin": "https://app.example",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	want := map[string]string{
		"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,POST",
		"Access-Control-Allow-Headers": "content-type,authorization", "Access-Control-Max-Age": "300",
		"Access-Control-Allow-Credentials": "true",
	}
	if pre.status != 204 {
		t.Errorf("preflight: HTTP %d", pre.status)
	}
	for k, v := range want {
		if pre.header.Get(k) != v {
			t.Errorf("preflight %s = %q, want %q", k, pre.header.Get(k), v)
		}
	}
	if n := len(h.fns.callsTo(testFn)); n != 0 {
		t.Errorf("the preflight reached the function (%d calls)", n)
	}
	got := h.do(api, "GET", "/data", nil, map[string]string{"Origin": "https://app.example"})
	if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		got.header.Get("Access-Control-Allow-Credentials") != "true" || got.header.Get("Access-Control-Expose-Headers") != "x-total" {
		t.Errorf("CORS request: HTTP %d %v", got.status, got.header)
	}
	other := h.do(api, "GET", "/data", nil, map[string]string{"Origin": "https://other.example"})
	if other.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a foreign origin got Access-Control-Allow-Origin %q", other.header.Get("Access-Control-Allow-Origin"))
	}
	// Without a CORS configuration, OPTIONS is routed like any method.
	plain := h.api(nil)
	if r := h.do(plain, "OPTIONS", "/data", nil, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}); r.status != 404 {
		t.Errorf("preflight without CORS: HTTP %d", r.status)
	}
}

// TestHTTPProxy checks HTTP proxy integrations: variables in the URL, the
// $default route's path, the query, headers, and the response as it is.
func TestHTTPAPIHTTPProxy(t *testing.T) {
	t.Parallel()
	var got *http.Request
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("X-Backend", "yes")
		w.WriteHeader(207)
		w.Write([]byte("from backend"))
	}))
	defer backend.Close()
	h := newHarness(t, "")
	api := h.api(nil)
	integ := *must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api, IntegrationType: ptr(IntegrationType("HTTP_PROXY")),
		IntegrationUri: ptr(backend.URL + "/svc/{proxy}"), IntegrationMethod: ptr("ANY")}))(t).IntegrationId
	h.route(api, "ANY /api/{proxy+}", integ)
	whole := *must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api, IntegrationType: ptr(IntegrationType("HTTP_PROXY")),
		IntegrationUri: ptr(backend.URL + "/base"), IntegrationMethod: ptr("POST")}))(t).IntegrationId
	h.route(api, "$default", whole)

	r := h.do(api, "PUT", "/api/a/b%20c?x=1", strings.NewReader("payload"), map[string]string{"X-Client": "c"})
	if r.status != 207 || r.body != "from backend" || r.header.Get("X-Backend") != "yes" {
		t.Errorf("proxied: HTTP %d %q %v", r.status, r.body, r.header)
	}
	if got.Method != "PUT" || got.URL.EscapedPath() != "/svc/a/b%20c" || got.URL.RawQuery != "x=1" ||
		got.Header.Get("X-Client") != "c" || got.Header.Get("X-Forwarded-For") != "192.0.2.10" {
		t.Errorf("backend got %s %s?%s %v", got.Method, got.URL.EscapedPath(), got.URL.RawQuery, got.Header)
	}
	h.do(api, "GET", "/other/path", nil, nil)
	if got.Method != "POST" || got.URL.Path != "/base/other/path" {
		t.Errorf("$default route: backend got %s %s", got.Method, got.URL.Path)
	}
	backend.Close()
	if r := h.do(api, "GET", "/other", nil, nil); r.status != 500 {
		t.Errorf("unreachable backend: HTTP %d", r.status)
	}
}

// TestDataPlaneDispatch checks that ids that are not HTTP APIs go to the
// REST APIs' handler.
func TestHTTPAPIDataPlaneDispatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.quickAPI("")
	rest := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	dp := DataPlane(h.s, func(id string) http.Handler {
		if id == "restapi001" {
			return rest
		}
		return nil
	})
	for host, want := range map[string]int{
		api + ".execute-api.localhost:4566":          200,
		api + ".execute-api.us-east-1.amazonaws.com": 200,
		"restapi001.execute-api.localhost":           299,
		"unknown000.execute-api.localhost":           404,
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		dp.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s: HTTP %d, want %d", host, rec.Code, want)
		}
	}
}

// TestIntegrationTimeoutLetsFunctionFinish checks that a timed-out
// invocation is answered without waiting for the function.
func TestHTTPAPIIntegrationTimeoutLetsFunctionFinish(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	done := make(chan struct{})
	h.fns.set(testFn, func(map[string]any) ([]byte, string, error) {
		<-done
		return []byte(`"x"`), "", nil
	})
	out, err := h.s.callFunction(h.ctx, testFn, []byte(`{}`), 10*time.Millisecond)
	if err != errIntegrationTimeout || out != nil {
		t.Errorf("callFunction = %q, %v; want a timeout", out, err)
	}
	close(done)
}
