package apigatewayv2

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// authorizedAPI makes an API whose GET /secret route is guarded by a
// Lambda authorizer, and returns the API's id.
func (h *harness) authorizedAPI(version string, simple bool, ttl int32, sources []string) string {
	h.t.Helper()
	api := h.api(nil)
	auth := *must(h.s.createAuthorizer(h.ctx, &CreateAuthorizerRequest{ApiId: &api, Name: ptr("auth"),
		AuthorizerType: ptr(AuthorizerType("REQUEST")), AuthorizerUri: ptr(testAuthFn), AuthorizerPayloadFormatVersion: &version,
		EnableSimpleResponses: &simple, AuthorizerResultTtlInSeconds: &ttl, IdentitySource: sources}))(h.t).AuthorizerId
	integ := h.lambdaIntegration(api, testFn, version)
	must(h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &api, RouteKey: ptr("GET /secret/{id}"), Target: ptr("integrations/" + integ),
		AuthorizationType: ptr(AuthorizationType("CUSTOM")), AuthorizerId: &auth}))(h.t)
	return api
}

// simpleAuthorizer allows the token "allow" and puts a counter into the
// context, so that a test tells cached answers from fresh ones.
func simpleAuthorizer(calls *int) func(map[string]any) ([]byte, string, error) {
	return func(ev map[string]any) ([]byte, string, error) {
		*calls++
		tok, _ := ev["headers"].(map[string]any)["authorization"].(string)
		return fmt.Appendf(nil, `{"isAuthorized":%v,"context":{"user":"alice","call":%d,"tags":["a"]}}`, tok == "allow", *calls), "", nil
	}
}

func TestHTTPAPILambdaAuthorizerSimple(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.authorizedAPI("2.0", true, 0, []string{"$request.header.Authorization"})
	calls := 0
	h.fns.set(testAuthFn, simpleAuthorizer(&calls))

	if r := h.do(api, "GET", "/secret/1", nil, nil); r.status != 401 || r.body != `{"message":"Unauthorized"}` || calls != 0 {
		t.Errorf("no token: HTTP %d %s after %d authorizer calls", r.status, r.body, calls)
	}
	if r := h.do(api, "GET", "/secret/1", nil, map[string]string{"Authorization": "deny"}); r.status != 403 || r.body != `{"message":"Forbidden"}` {
		t.Errorf("denied: HTTP %d %s", r.status, r.body)
	}
	ev := h.do(api, "GET", "/secret/1?x=1", nil, map[string]string{"Authorization": "allow"}).echoed(t)
	want := map[string]any{"lambda": map[string]any{"user": "alice", "call": float64(2), "tags": []any{"a"}}}
	if got := ev["requestContext"].(map[string]any)["authorizer"]; !reflect.DeepEqual(got, want) {
		t.Errorf("requestContext.authorizer = %v, want %v", got, want)
	}
	// The authorizer's own event.
	aev := h.fns.callsTo(testAuthFn)[1]
	if aev["version"] != "2.0" || aev["type"] != "REQUEST" || aev["routeKey"] != "GET /secret/{id}" ||
		aev["routeArn"] != "arn:aws:execute-api:us-east-1:000000000000:"+api+"/$default/GET/secret/1" ||
		!reflect.DeepEqual(aev["identitySource"], []any{"allow"}) || aev["rawQueryString"] != "x=1" ||
		!reflect.DeepEqual(aev["pathParameters"], map[string]any{"id": "1"}) {
		t.Errorf("authorizer event = %v", aev)
	}
	if _, ok := aev["body"]; ok {
		t.Errorf("the authorizer event has a body")
	}
	// A malformed or failing authorizer is a 500.
	h.fns.answer(testAuthFn, `{"isAuthorized":"yes"}`)
	if r := h.do(api, "GET", "/secret/1", nil, map[string]string{"Authorization": "allow"}); r.status != 500 {
		t.Errorf("malformed authorizer answer: HTTP %d", r.status)
	}
	h.fns.set(testAuthFn, func(map[string]any) ([]byte, string, error) { return []byte(`{}`), "Unhandled", nil })
	if r := h.do(api, "GET", "/secret/1", nil, map[string]string{"Authorization": "allow"}); r.status != 500 {
		t.Errorf("failing authorizer: HTTP %d", r.status)
	}
}

func TestHTTPAPILambdaAuthorizerCache(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.authorizedAPI("2.0", true, 60, []string{"$request.header.Authorization", "$request.querystring.tenant", "$context.routeKey"})
	calls := 0
	h.fns.set(testAuthFn, simpleAuthorizer(&calls))
	get := func(token, tenant string) reply {
		return h.do(api, "GET", "/secret/1?tenant="+tenant, nil, map[string]string{"Authorization": token})
	}
	userCall := func(r reply) any {
		return r.echoed(t)["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)["call"]
	}
	first := userCall(get("allow", "t1"))
	if again := userCall(get("allow", "t1")); again != first || calls != 1 {
		t.Errorf("cached answer: call %v then %v, %d authorizer calls", first, again, calls)
	}
	if r := h.do(api, "GET", "/secret/1", nil, map[string]string{"Authorization": "allow"}); r.status != 401 || calls != 1 {
		t.Errorf("missing querystring identity: HTTP %d, %d calls", r.status, calls)
	}
	get("allow", "t2")
	if calls != 2 {
		t.Errorf("another identity used the cache: %d calls", calls)
	}
	get("deny", "t1")
	get("deny", "t1")
	if calls != 3 {
		t.Errorf("denials are cached too: %d calls, want 3", calls)
	}
	h.clock.Advance(61 * time.Second)
	get("allow", "t1")
	if calls != 4 {
		t.Errorf("the TTL passed but the cache answered: %d calls", calls)
	}
	must(h.s.resetAuthorizersCache(h.ctx, &ResetAuthorizersCacheRequest{ApiId: &api, StageName: ptr("$default")}))(t)
	get("allow", "t1")
	if calls != 5 {
		t.Errorf("ResetAuthorizersCache kept the result: %d calls", calls)
	}
}

func TestHTTPAPILambdaAuthorizerPolicyV1(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.authorizedAPI("1.0", false, 0, []string{"$request.header.Authorization"})
	h.fns.set(testAuthFn, func(ev map[string]any) ([]byte, string, error) {
		tok := ev["authorizationToken"].(string)
		effect, resource := "Deny", ev["methodArn"].(string)
		switch tok {
		case "allow":
			effect = "Allow"
		case "wildcard":
			effect, resource = "Allow", "arn:aws:execute-api:us-east-1:000000000000:*/*/GET/secret/*"
		case "other-route":
			effect, resource = "Allow", "arn:aws:execute-api:us-east-1:000000000000:*/*/POST/*"
		}
		doc := map[string]any{"principalId": "user-1", "context": map[string]any{"role": "admin"},
			"policyDocument": map[string]any{"Version": "2012-10-17",
				"Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}}}}
		b, _ := json.Marshal(doc)
		return b, "", nil
	})
	for tok, want := range map[string]int{"allow": 200, "wildcard": 200, "deny": 403, "other-route": 403} {
		if r := h.do(api, "GET", "/secret/7", nil, map[string]string{"Authorization": tok}); r.status != want {
			t.Errorf("%s: HTTP %d, want %d", tok, r.status, want)
		}
	}
	aev := h.fns.callsTo(testAuthFn)[0]
	if aev["version"] != "1.0" || aev["type"] != "REQUEST" || aev["identitySource"] == nil ||
		!strings.HasSuffix(aev["methodArn"].(string), api+"/$default/GET/secret/7") || aev["resource"] != "/secret/{id}" {
		t.Errorf("1.0 authorizer event = %v", aev)
	}
	ev := h.do(api, "GET", "/secret/7", nil, map[string]string{"Authorization": "allow"}).echoed(t)
	au := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	if au["role"] != "admin" || au["principalId"] != "user-1" || au["integrationLatency"] == nil {
		t.Errorf("1.0 event's authorizer = %v", au)
	}
}

func TestHTTPAPIPolicyEvaluation(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets/1"
	for _, tc := range []struct {
		policy string
		want   bool
	}{
		{`{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":["execute-api:*"],"Resource":["arn:aws:execute-api:*:*:abc/*"]}]}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*/POST/*"}]}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*/GET/pets/?"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, false},
		{`{"Statement":[]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"EXECUTE-API:INVOKE","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets/?"}]}`, true},
	} {
		var p policyDocument
		if err := json.Unmarshal([]byte(tc.policy), &p); err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if got := p.allows("execute-api:Invoke", arn); got != tc.want {
			t.Errorf("%s allows = %v, want %v", tc.policy, got, tc.want)
		}
	}
}
