package apigatewayv2

import "testing"

func TestSelectTemplate(t *testing.T) {
	templates := map[string]string{"$default": "D", "sendOrder": "S"}
	for _, c := range []struct {
		expr, body, want string
		ok               bool
	}{
		{"$request.body.action", `{"action":"sendOrder"}`, "S", true},
		{"$request.body.action", `{"action":"other"}`, "D", true},
		{"request.body.action", `{"action":"sendOrder"}`, "D", true},
		{`\$default`, `not json`, "D", true},
		{"sendOrder", ``, "S", true},
	} {
		if got, ok := selectTemplate(templates, c.expr, []byte(c.body)); got != c.want || ok != c.ok {
			t.Errorf("selectTemplate(%q, %q) = %q %v, want %q %v", c.expr, c.body, got, ok, c.want, c.ok)
		}
	}
	if _, ok := selectTemplate(map[string]string{"x": "X"}, "$request.body.action", []byte(`{"action":"y"}`)); ok {
		t.Error("a template was selected with no match and no $default")
	}
}

func TestIntegrationResponseFor(t *testing.T) {
	integ := &integrationRecord{Responses: map[string]*integrationResponseRecord{
		"a": {ID: "a", Key: "$default"},
		"b": {ID: "b", Key: "/4\\d\\d/"},
		"c": {ID: "c", Key: "/5../"},
	}}
	for status, want := range map[int]string{200: "a", 404: "b", 503: "c", 4000: "a"} {
		if ir := integrationResponseFor(integ, status); ir == nil || ir.ID != want {
			t.Errorf("status %d: %+v, want %s", status, ir, want)
		}
	}
	if ir := integrationResponseFor(&integrationRecord{}, 200); ir != nil {
		t.Errorf("no responses: %+v", ir)
	}
}
