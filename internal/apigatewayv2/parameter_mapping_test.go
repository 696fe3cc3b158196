package apigatewayv2

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"request.path.id": "42", "context.stage": "prod", "request.header.x": ""}
	lookup := func(name string) (string, bool) {
		if p, ok := strings.CutPrefix(name, "request.body."); ok {
			return "<" + p + ">", true
		}
		v, ok := vars[name]
		return v, ok
	}
	for expr, want := range map[string]struct {
		out string
		ok  bool
	}{
		"$request.path.id":                    {"42", true},
		"/v2/orders/$request.path.id/items":   {"/v2/orders/42/items", true},
		"${request.path.id}-${context.stage}": {"42-prod", true},
		"$context.stage.":                     {"prod.", true},
		"static":                              {"static", true},
		"costs $5 and $":                      {"costs $5 and $", true},
		"$request.header.missing":             {"", false},
		"a-$request.header.missing":           {"a-", true},
		"$request.header.x":                   {"", true},
		"${unterminated":                      {"${unterminated", true},
		"id=$request.body.items[0].id;":       {"id=<items[0].id>;", true},
		"$request.header.x[0]":                {"[0]", true},
	} {
		out, ok := interpolate(expr, lookup)
		if out != want.out || ok != want.ok {
			t.Errorf("interpolate(%q) = %q, %v; want %q, %v", expr, out, ok, want.out, want.ok)
		}
	}
}

func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"$request.body.a.b", "${context.requestId}", "x$stageVariables.v-y", "$", "${", "$$request."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		out, _ := interpolate(expr, func(name string) (string, bool) { return "<" + name + ">", true })
		if !strings.Contains(expr, "$") && out != expr {
			t.Fatalf("interpolate(%q) = %q: text without variables changed", expr, out)
		}
	})
}

// Body values are JSON paths, with indexes and quoted names; $request.path
// is the path within the stage.
func TestMappingVariables(t *testing.T) {
	inv := &invocation{r: httptest.NewRequest("POST", "/prod/a%20b/c", nil), stagePath: "/a%20b/c",
		body: []byte(`{"items":[{"id":"i-1","n":2},{"id":"i-2"}],"odd key":{"x":true},"s":"text"}`)}
	for expr, want := range map[string]string{
		"$request.path":               "/a b/c",
		"$request.body.s":             "text",
		"$request.body.items[0].id":   "i-1",
		"${request.body.items[1].id}": "i-2",
		"$request.body.items[0]":      `{"id":"i-1","n":2}`,
		"$request.body['odd key'].x":  "true",
		"n=$request.body.items[0].n;": "n=2;",
		"$request.body.items[5].id|":  "|",
		"${request.body}":             string(inv.body),
	} {
		if got, _ := inv.mappingValue(expr); got != want {
			t.Errorf("mappingValue(%q) = %q, want %q", expr, got, want)
		}
	}
	if _, ok := inv.mappingValue("$request.body.items[7]"); ok {
		t.Error("a path that selects nothing has a value")
	}
}

// TestMappingAuthorizerVariables: $context.authorizer.KEY maps what the
// route's authorizer returned: a Lambda authorizer's context (strings as
// they are, other values as JSON) and a JWT authorizer's claims.
func TestMappingAuthorizerVariables(t *testing.T) {
	r := httptest.NewRequest("GET", "/me", nil)
	lambdaAuth := &invocation{r: r, auth: &authorization{principalID: "user-1",
		lambda: map[string]any{"user": "alice", "tier": float64(3), "admin": true, "nested": map[string]any{"a": "b"}}}}
	for expr, want := range map[string]string{
		"$context.authorizer.user":        "alice",
		"$context.authorizer.tier":        "3",
		"$context.authorizer.admin":       "true",
		"$context.authorizer.nested":      `{"a":"b"}`,
		"$context.authorizer.principalId": "user-1",
		"user=${context.authorizer.user}": "user=alice",
	} {
		if got, _ := lambdaAuth.mappingValue(expr); got != want {
			t.Errorf("mappingValue(%q) = %q, want %q", expr, got, want)
		}
	}
	jwtAuth := &invocation{r: r, auth: &authorization{jwt: true, jwtClaims: map[string]string{"sub": "u-42"}}}
	if got, _ := jwtAuth.mappingValue("$context.authorizer.claims.sub"); got != "u-42" {
		t.Errorf("claims.sub = %q", got)
	}
	for _, inv := range []*invocation{jwtAuth, {r: r}} {
		if v, ok := inv.mappingValue("$context.authorizer.user"); ok {
			t.Errorf("an absent authorizer value maps to %q", v)
		}
	}
}
