package expr

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func TestProjectionErrors(t *testing.T) {
	t.Parallel()
	const p = "Invalid ProjectionExpression: "
	names := map[string]string{"#a": "a", "#c": "c", "#d": "[3]"}
	cases := []struct{ expr, want string }{
		{"", p + "The expression can not be empty;"},
		{strings.Repeat("ab, ", 1024) + "a", p + "Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"ab-cd", p + `Syntax error; token: "-", near: "ab-cd"`},
		{"l[a]", p + `Syntax error; token: "a", near: "[a]"`},
		{"l[]", p + `Syntax error; token: "]", near: "[]"`},
		{"a,", p + `Syntax error; token: "<EOF>", near: ","`},
		{"a b", p + `Syntax error; token: "b", near: "a b"`},
		{"(a)", p + `Syntax error; token: "(", near: "(a"`},
		{"a, :v", p + `Syntax error; token: ":v", near: ", :v"`},
		{"a, status", p + "Attribute name is a reserved keyword; reserved keyword: status"},
		{"#zz", p + "An expression attribute name used in the document path is not defined; attribute name: #zz"},
		{"a, a.b", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"a, #a", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"c[3].x, #c.#d", p + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], x], path two: [c, [3]]"},
		{"a" + strings.Repeat(".a", 32), p + "The document path has too many nesting levels; nesting levels: 33"},
	}
	for _, c := range cases {
		_, err := ParseProjection(c.expr, names)
		if got := errMessage(err); got != c.want {
			t.Errorf("ParseProjection(%.60q)\n got: %s\nwant: %s", c.expr, got, c.want)
		}
	}
}

func TestProject(t *testing.T) {
	t.Parallel()
	item := attr.Item{
		"id":  attr.S("k"),
		"a":   attr.S("va"),
		"m":   attr.M(map[string]attr.Value{"x": attr.MustN("1"), "y": attr.S("y"), "in": attr.M(map[string]attr.Value{"deep": attr.Bool(true), "other": attr.Null()})}),
		"l":   attr.L(attr.S("l0"), attr.S("l1"), attr.S("l2")),
		"lm":  attr.L(attr.M(map[string]attr.Value{"a": attr.S("a0"), "b": attr.S("b0"), "c": attr.S("c0")}), attr.M(map[string]attr.Value{"a": attr.S("a1")})),
		"x.y": attr.S("dotted"),
	}
	l := func(vs ...attr.Value) attr.Value { return attr.L(vs...) }
	m := func(kv ...any) attr.Value {
		out := map[string]attr.Value{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1].(attr.Value)
		}
		return attr.M(out)
	}
	cases := []struct {
		expr string
		want attr.Item
	}{
		{"a", attr.Item{"a": attr.S("va")}},
		{"a, id", attr.Item{"a": attr.S("va"), "id": attr.S("k")}},
		{"nope", attr.Item{}},
		{"#dot", attr.Item{"x.y": attr.S("dotted")}},
		{"m.x", attr.Item{"m": m("x", attr.MustN("1"))}},
		{"m.in.deep, m.y", attr.Item{"m": m("in", m("deep", attr.Bool(true)), "y", attr.S("y"))}},
		{"m.nope", attr.Item{}},
		{"l[1]", attr.Item{"l": l(attr.S("l1"))}},
		{"l[2], l[0]", attr.Item{"l": l(attr.S("l0"), attr.S("l2"))}},
		{"l[5]", attr.Item{}},
		{"l[5], l[1]", attr.Item{"l": l(attr.S("l1"))}},
		{"lm[0].a, lm[0].b", attr.Item{"lm": l(m("a", attr.S("a0"), "b", attr.S("b0")))}},
		{"lm[1].a, lm[0].c", attr.Item{"lm": l(m("c", attr.S("c0")), m("a", attr.S("a1")))}},
		{"a.b", attr.Item{}},
		{"l.x", attr.Item{}},
	}
	names := map[string]string{"#dot": "x.y"}
	for _, c := range cases {
		p, err := ParseProjection(c.expr, names)
		if err != nil {
			t.Errorf("ParseProjection(%q): %v", c.expr, err)
			continue
		}
		got := p.Project(item)
		if len(got) != len(c.want) {
			t.Errorf("Project(%q) = %v, want %v", c.expr, got, c.want)
			continue
		}
		for k, v := range c.want {
			if !attr.Equal(got[k], v) {
				t.Errorf("Project(%q)[%s] = %v, want %v", c.expr, k, got[k], v)
			}
		}
	}
	if got := mustProjection(t, "a").Project(nil); len(got) != 0 {
		t.Errorf("Project(nil) = %v", got)
	}
}

func mustProjection(t *testing.T, s string) *Projection {
	t.Helper()
	p, err := ParseProjection(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
