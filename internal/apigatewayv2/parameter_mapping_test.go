package apigatewayv2

import (
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"request.path.id": "42", "context.stage": "prod", "request.header.x": ""}
	lookup := func(name string) (string, bool) {
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
