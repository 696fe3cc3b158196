package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"time"
)

// echoResponse answers a proxy event with the event as the body.
func echoResponse(_ context.Context, payload []byte) ([]byte, string, error) {
	out, _ := json.Marshal(map[string]any{"statusCode": 200, "body": string(payload)})
	return out, "", nil
}

func TestRestAPIProxyEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fns.on(testFn, echoResponse)
	a := e.api(map[string]map[string]*integration{"/pets/{id}": {"ANY": lambdaIntegration()}})
	e.deploy(a, "prod", map[string]string{"color": "blue"})
	r := e.call(a, "POST", "/prod/pets/a%20b?x=1&y=2&x=3", `{"n":1}`, map[string]string{"Content-Type": "application/json", "User-Agent": "test-agent"})
	r.want(t, 200, "")
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"resource": "/pets/{id}", "path": "/pets/a%20b", "httpMethod": "POST", "body": `{"n":1}`, "isBase64Encoded": false,
		"pathParameters":                  map[string]any{"id": "a%20b"},
		"stageVariables":                  map[string]any{"color": "blue"},
		"queryStringParameters":           map[string]any{"x": "3", "y": "2"},
		"multiValueQueryStringParameters": map[string]any{"x": []any{"1", "3"}, "y": []any{"2"}},
	}
	for k, v := range want {
		if got, _ := json.Marshal(ev[k]); string(got) != mustJSON(v) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(v))
		}
	}
	headers := ev["headers"].(map[string]any)
	if headers["Host"] != a+".execute-api.localhost:4566" || headers["User-Agent"] != "test-agent" || headers["X-Forwarded-For"] != "192.0.2.7" ||
		headers["X-Forwarded-Proto"] != "http" || headers["X-Amzn-Trace-Id"] != r.header.Get("X-Amzn-Trace-Id") {
		t.Errorf("headers %v", headers)
	}
	if mv := ev["multiValueHeaders"].(map[string]any)["Content-Type"]; mustJSON(mv) != `["application/json"]` {
		t.Errorf("multiValueHeaders Content-Type %v", mv)
	}
	rc := ev["requestContext"].(map[string]any)
	for k, v := range map[string]any{
		"accountId": testAccount, "apiId": a, "resourcePath": "/pets/{id}", "httpMethod": "POST", "path": "/prod/pets/a%20b",
		"protocol": "HTTP/1.1", "stage": "prod", "domainName": a + ".execute-api.localhost", "domainPrefix": a,
		"requestId": r.header.Get("X-Amzn-Requestid"), "extendedRequestId": r.header.Get("X-Amz-Apigw-Id"),
		"requestTime": "03/Jun/2024:10:00:30 +0000", "requestTimeEpoch": float64(testEpoch.UnixMilli()),
	} {
		if rc[k] != v {
			t.Errorf("requestContext.%s = %v, want %v", k, rc[k], v)
		}
	}
	if !shortIDRe.MatchString(rc["resourceId"].(string)) || rc["authorizer"] != nil {
		t.Errorf("requestContext %v", rc)
	}
	id := rc["identity"].(map[string]any)
	if id["sourceIp"] != "192.0.2.7" || id["userAgent"] != "test-agent" || id["user"] != nil {
		t.Errorf("identity %v", id)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{15}=$`).MatchString(r.header.Get("X-Amz-Apigw-Id")) {
		t.Errorf("x-amz-apigw-id %q", r.header.Get("X-Amz-Apigw-Id"))
	}

	// No query, no body, no variables: null, as AWS sends them.
	e2 := e.call(a, "GET", "/prod/pets/1", "", nil)
	var ev2 map[string]any
	json.Unmarshal([]byte(e2.body), &ev2)
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "body"} {
		if v, ok := ev2[k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRestAPIProxyResponsesAndErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{
		"/r":    {"GET": lambdaIntegration()},
		"/slow": {"GET": {Type: "AWS_PROXY", HTTPMethod: "POST", URI: testURI, TimeoutMillis: 50}},
	})
	e.deploy(a, "prod", nil)
	respond := func(out string, fnErr string, err error) {
		e.fns.on(testFn, func(ctx context.Context, _ []byte) ([]byte, string, error) { return []byte(out), fnErr, err })
	}
	respond(`{"statusCode":201,"headers":{"X-One":"1","Content-Length":"99"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"made"}`, "", nil)
	r := e.call(a, "GET", "/prod/r", "", nil)
	r.want(t, 201, "made")
	if r.header.Get("X-One") != "1" || len(r.header.Values("Set-Cookie")) != 2 || r.header.Get("X-Amzn-Remapped-Content-Length") != "99" ||
		r.header.Get("Content-Length") != "4" || r.header.Get("X-Amzn-Requestid") == "" || r.header.Get("X-Amz-Request-Id") != "" {
		t.Errorf("headers %v", r.header)
	}

	for _, c := range []struct {
		out, fnErr string
		err        error
		status     int
		body, kind string
	}{
		{`{"body":"no status"}`, "", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{`{"statusCode":200,"body":{"json":"object"}}`, "", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{`{"errorMessage":"boom","errorType":"Exception"}`, "Unhandled", nil, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{``, "", errors.New("throttled"), 500, `{"message": "Internal server error"}`, "InternalServerErrorException"},
	} {
		respond(c.out, c.fnErr, c.err)
		r := e.call(a, "GET", "/prod/r", "", nil)
		r.want(t, c.status, c.body)
		if r.header.Get("X-Amzn-Errortype") != c.kind {
			t.Errorf("%s: x-amzn-ErrorType %q", c.out, r.header.Get("X-Amzn-Errortype"))
		}
	}

	e.fns.on(testFn, func(ctx context.Context, _ []byte) ([]byte, string, error) {
		<-ctx.Done()
		return nil, "", ctx.Err()
	})
	e.call(a, "GET", "/prod/slow", "", nil).want(t, 504, `{"message": "Endpoint request timed out"}`)

	e.call(a, "GET", "/prod/nowhere", "", nil).want(t, 403, `{"message":"Missing Authentication Token"}`)
	e.call(a, "POST", "/prod/r", "", nil).want(t, 403, `{"message":"Missing Authentication Token"}`)
	e.call(a, "GET", "/staging/r", "", nil).want(t, 403, `{"message":"Forbidden"}`)
	if r := e.call(a, "GET", "/prod/nowhere", "", nil); r.header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("x-amzn-ErrorType %q", r.header.Get("X-Amzn-Errortype"))
	}
}

func TestRestAPIBinaryMediaTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{"/img": {"POST": lambdaIntegration()}})
	must[*RestApi](t)(e.s.updateRestAPI(ctx, &UpdateRestApiRequest{RestApiId: &a, PatchOperations: []PatchOperation{
		{Op: ptr(Op("add")), Path: ptr("/binaryMediaTypes/image~1png")},
	}}))
	e.deploy(a, "prod", nil)
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	e.fns.on(testFn, func(_ context.Context, payload []byte) ([]byte, string, error) {
		var ev struct {
			Body            string
			IsBase64Encoded bool
		}
		json.Unmarshal(payload, &ev)
		out, _ := json.Marshal(map[string]any{"statusCode": 200, "headers": map[string]string{"Content-Type": "image/png"},
			"body": ev.Body, "isBase64Encoded": ev.IsBase64Encoded})
		return out, "", nil
	})
	// A binary request arrives base64-encoded; with Accept: image/png the
	// answer is decoded back.
	r := e.call(a, "POST", "/prod/img", string(png), map[string]string{"Content-Type": "image/png", "Accept": "image/png"})
	r.want(t, 200, string(png))
	ev := e.fns.last(t, testFn)
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString(png) {
		t.Errorf("event body %v %v", ev["body"], ev["isBase64Encoded"])
	}
	// Without a binary Accept the base64 text is passed on as it is.
	r = e.call(a, "POST", "/prod/img", string(png), map[string]string{"Content-Type": "image/png", "Accept": "application/json"})
	r.want(t, 200, base64.StdEncoding.EncodeToString(png))
	// Text is text.
	e.call(a, "POST", "/prod/img", "hello", map[string]string{"Content-Type": "text/plain"}).want(t, 200, "hello")
}

// authorizerFn answers a TOKEN or REQUEST event by the token: "allow",
// "deny", "unauthorized" (an error), "broken" (a malformed answer), or
// "only-get" (a policy for GET /things only).
func authorizerFn(_ context.Context, payload []byte) ([]byte, string, error) {
	var ev struct {
		Type, AuthorizationToken, MethodArn string
		Headers                             map[string]string
	}
	json.Unmarshal(payload, &ev)
	token := ev.AuthorizationToken
	if ev.Type == "REQUEST" {
		token = ev.Headers["X-Token"]
	}
	policy := func(effect, resource string) []byte {
		out, _ := json.Marshal(map[string]any{
			"principalId":    "user-" + token,
			"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}}},
			"context":        map[string]any{"n": 7, "ok": true, "s": "x", "nothing": nil},
		})
		return out
	}
	switch token {
	case "allow":
		return policy("Allow", "arn:aws:execute-api:*:*:*/*/*/*"), "", nil
	case "deny":
		return policy("Deny", ev.MethodArn), "", nil
	case "only-get":
		return policy("Allow", "arn:aws:execute-api:*:*:*/prod/GET/things"), "", nil
	case "unauthorized":
		return []byte(`{"errorMessage":"Unauthorized","errorType":"Error"}`), "Unhandled", nil
	}
	return []byte(`{"principalId":"x"}`), "", nil
}

func TestRestAPITokenAuthorizer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const authFn = "arn:aws:lambda:us-east-1:000000000000:function:auth"
	e.fns.on(authFn, authorizerFn)
	e.fns.on(testFn, echoResponse)
	a := e.api(map[string]map[string]*integration{"/things": {"GET": lambdaIntegration(), "POST": lambdaIntegration()}})
	au := must[*Authorizer](t)(e.s.createAuthorizer(ctx, &CreateAuthorizerRequest{RestApiId: &a, Name: ptr("tok"), Type: ptr(AuthorizerType("TOKEN")),
		AuthorizerUri:                ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + authFn + "/invocations"),
		IdentitySource:               ptr("method.request.header.Authorization"),
		IdentityValidationExpression: ptr("[a-z-]+"),
		AuthorizerResultTtlInSeconds: ptr(int32(60))}))
	things := e.s.apis[a].def.resourceAt("/things").ID
	for _, verb := range []string{"GET", "POST"} {
		must[*Method](t)(e.s.updateMethod(ctx, &UpdateMethodRequest{RestApiId: &a, ResourceId: &things, HttpMethod: ptr(verb), PatchOperations: []PatchOperation{
			{Op: ptr(Op("replace")), Path: ptr("/authorizationType"), Value: ptr("CUSTOM")},
			{Op: ptr(Op("replace")), Path: ptr("/authorizerId"), Value: au.Id},
		}}))
	}
	e.deploy(a, "prod", nil)
	call := func(verb, token string) response {
		h := map[string]string{}
		if token != "" {
			h["Authorization"] = token
		}
		return e.call(a, verb, "/prod/things", "", h)
	}

	call("GET", "").want(t, 401, `{"message":"Unauthorized"}`)
	call("GET", "Bearer 42").want(t, 401, `{"message":"Unauthorized"}`) // fails the validation expression
	if n := e.fns.count(authFn); n != 0 {
		t.Errorf("the authorizer ran %d times for requests without a valid token", n)
	}
	r := call("GET", "allow")
	r.want(t, 200, "")
	var ev map[string]any
	json.Unmarshal([]byte(r.body), &ev)
	authz := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	if authz["principalId"] != "user-allow" || authz["n"] != "7" || authz["ok"] != "true" || authz["s"] != "x" || authz["nothing"] != nil {
		t.Errorf("requestContext.authorizer %v", authz)
	}
	if _, ok := authz["integrationLatency"].(float64); !ok {
		t.Errorf("integrationLatency %v", authz["integrationLatency"])
	}
	tokenEvent := e.fns.last(t, authFn)
	if tokenEvent["type"] != "TOKEN" || tokenEvent["authorizationToken"] != "allow" ||
		tokenEvent["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:"+a+"/prod/GET/things" {
		t.Errorf("TOKEN event %v", tokenEvent)
	}

	// Cached: a second request does not call the function, until the TTL passes.
	call("POST", "allow").want(t, 200, "")
	if n := e.fns.count(authFn); n != 1 {
		t.Errorf("authorizer called %d times, want 1 (cached)", n)
	}
	e.clock.Advance(61 * time.Second)
	call("GET", "allow").want(t, 200, "")
	if n := e.fns.count(authFn); n != 2 {
		t.Errorf("authorizer called %d times after the TTL, want 2", n)
	}

	call("GET", "deny").want(t, 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	// A cached policy for one method denies the others.
	call("GET", "only-get").want(t, 200, "")
	call("POST", "only-get").want(t, 403, `{"Message":"User is not authorized to access this resource"}`)
	call("GET", "unauthorized").want(t, 401, `{"message":"Unauthorized"}`)
	r = call("GET", "broken")
	r.want(t, 500, `{"message": null}`)
	if r.header.Get("X-Amzn-Errortype") != "AuthorizerConfigurationException" {
		t.Errorf("x-amzn-ErrorType %q", r.header.Get("X-Amzn-Errortype"))
	}
}

func TestRestAPIRequestAuthorizer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const authFn = "arn:aws:lambda:us-east-1:000000000000:function:auth"
	e.fns.on(authFn, authorizerFn)
	e.fns.on(testFn, echoResponse)
	a := e.api(map[string]map[string]*integration{"/things": {"GET": lambdaIntegration()}})
	au := must[*Authorizer](t)(e.s.createAuthorizer(ctx, &CreateAuthorizerRequest{RestApiId: &a, Name: ptr("req"), Type: ptr(AuthorizerType("REQUEST")),
		AuthorizerUri:  ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + authFn + "/invocations"),
		IdentitySource: ptr("method.request.header.X-Token, method.request.querystring.tenant")}))
	things := e.s.apis[a].def.resourceAt("/things").ID
	must[*Method](t)(e.s.updateMethod(ctx, &UpdateMethodRequest{RestApiId: &a, ResourceId: &things, HttpMethod: ptr("GET"), PatchOperations: []PatchOperation{
		{Op: ptr(Op("replace")), Path: ptr("/authorizationType"), Value: ptr("CUSTOM")},
		{Op: ptr(Op("replace")), Path: ptr("/authorizerId"), Value: au.Id},
	}}))
	e.deploy(a, "prod", map[string]string{"tier": "gold"})
	e.call(a, "GET", "/prod/things", "", map[string]string{"X-Token": "allow"}).want(t, 401, `{"message":"Unauthorized"}`)
	e.call(a, "GET", "/prod/things?tenant=t1", "", map[string]string{"X-Token": "allow"}).want(t, 200, "")
	ev := e.fns.last(t, authFn)
	if ev["type"] != "REQUEST" || ev["resource"] != "/things" || ev["path"] != "/things" || ev["httpMethod"] != "GET" ||
		mustJSON(ev["queryStringParameters"]) != `{"tenant":"t1"}` || mustJSON(ev["stageVariables"]) != `{"tier":"gold"}` ||
		ev["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:"+a+"/prod/GET/things" {
		t.Errorf("REQUEST event %v", ev)
	}
	if _, ok := ev["body"]; ok {
		t.Errorf("REQUEST event has a body: %v", ev)
	}
	e.call(a, "GET", "/prod/things?tenant=t2", "", map[string]string{"X-Token": "deny"}).want(t, 403, "")
}

func TestRestAPIMockIntegration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{"/m": {"GET": {Type: "MOCK",
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 404}`},
		Responses: map[string]*integrationResponse{
			"200": {StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}},
			"404": {StatusCode: "404", SelectionPattern: "4\\d{2}", ResponseParameters: map[string]string{
				"method.response.header.X-Echo": "method.request.header.X-In", "method.response.header.X-Static": "'s'"},
				ResponseTemplates: map[string]string{"application/json": `{"missing":true}`, "text/plain": "missing"}},
		}}}})
	e.deploy(a, "prod", nil)
	r := e.call(a, "GET", "/prod/m", "", map[string]string{"X-In": "hi"})
	r.want(t, 404, `{"missing":true}`)
	if r.header.Get("X-Echo") != "hi" || r.header.Get("X-Static") != "s" {
		t.Errorf("headers %v", r.header)
	}
	r = e.call(a, "GET", "/prod/m", "", map[string]string{"Accept": "text/plain"})
	r.want(t, 404, "missing")
	if r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
}

// TestRestAPIServesWhileRedeployed calls a stage while the API is edited,
// redeployed and its stage updated, for the race detector: every answer
// is one deployment's or the other's, never a mix or a failure.
func TestRestAPIServesWhileRedeployed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{"/v": {"GET": {Type: "MOCK",
		Responses: map[string]*integrationResponse{"200": {StatusCode: "200", ResponseTemplates: map[string]string{"application/json": "A"}}}}}})
	e.deploy(a, "prod", nil)
	v := e.s.apis[a].def.resourceAt("/v").ID
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			body := map[bool]string{true: "A", false: "B"}[i%2 == 0]
			if _, err := e.s.putIntegrationResponse(ctx, &PutIntegrationResponseRequest{RestApiId: &a, ResourceId: &v, HttpMethod: ptr("GET"),
				StatusCode: ptr("200"), ResponseTemplates: map[string]string{"application/json": body}}); err != nil {
				t.Error(err)
				return
			}
			if _, err := e.s.createDeployment(ctx, &CreateDeploymentRequest{RestApiId: &a, StageName: ptr("prod"),
				Variables: map[string]string{"i": body}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		r := e.call(a, "GET", "/prod/v", "", nil)
		if r.status != 200 || (r.body != "A" && r.body != "B") {
			t.Fatalf("HTTP %d %q", r.status, r.body)
		}
	}
}
