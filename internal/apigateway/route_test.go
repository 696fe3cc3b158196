package apigateway

import (
	"maps"
	"strings"
	"testing"

	"github.com/virga/virga/internal/ids"
)

// tree builds a deployment's match tree from "VERB /path" entries.
func tree(t testing.TB, entries ...string) *routeNode {
	t.Helper()
	s := &Service{ids: ids.New(nil)}
	a := &restAPI{RootID: "root", Resources: map[string]*resource{"root": {ID: "root"}}}
	for _, e := range entries {
		verb, path, _ := strings.Cut(e, " ")
		r, err := s.ensurePath(a, path)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		if r.Methods == nil {
			r.Methods = map[string]*method{}
		}
		r.Methods[verb] = &method{HTTPMethod: verb}
	}
	return buildRoutes(a)
}

func TestRestAPIRouteMatching(t *testing.T) {
	t.Parallel()
	routes := tree(t,
		"GET /",
		"ANY /{proxy+}",
		"GET /pets",
		"POST /pets",
		"GET /pets/{id}",
		"GET /pets/dog",
		"PATCH /users/me",
		"GET /users/{userId}",
		"GET /things/real",
		"ANY /things/{proxy+}",
		"OPTIONS /cors",
		"GET /files/{path+}",
		"GET /a/{x}/c",
		"GET /a/b/d",
	)
	cases := []struct {
		verb, path string
		resource   string // "" for no match
		params     map[string]string
	}{
		{"GET", "/", "/", nil},
		{"GET", "", "/", nil},
		{"POST", "/", "", nil}, // {proxy+} needs a segment
		{"GET", "/pets", "/pets", nil},
		{"GET", "/pets/", "/pets", nil},
		{"POST", "/pets", "/pets", nil},
		{"DELETE", "/pets", "/{proxy+}", map[string]string{"proxy": "pets"}},
		{"GET", "/pets/dog", "/pets/dog", nil},
		{"GET", "/pets/cat", "/pets/{id}", map[string]string{"id": "cat"}},
		{"GET", "/pets/a%20b", "/pets/{id}", map[string]string{"id": "a%20b"}},
		{"PUT", "/pets/cat", "/{proxy+}", map[string]string{"proxy": "pets/cat"}},
		// A literal with the wrong method gives way to a variable sibling.
		{"GET", "/users/me", "/users/{userId}", map[string]string{"userId": "me"}},
		{"PATCH", "/users/me", "/users/me", nil},
		{"POST", "/users/me", "/{proxy+}", map[string]string{"proxy": "users/me"}},
		{"GET", "/things/real", "/things/real", nil},
		{"POST", "/things/real", "/things/{proxy+}", map[string]string{"proxy": "real"}},
		{"GET", "/things/x/y/z", "/things/{proxy+}", map[string]string{"proxy": "x/y/z"}},
		{"GET", "/cors", "/{proxy+}", map[string]string{"proxy": "cors"}},
		{"OPTIONS", "/cors", "/cors", nil},
		{"GET", "/files/a/b.txt", "/files/{path+}", map[string]string{"path": "a/b.txt"}},
		{"POST", "/files/a", "/{proxy+}", map[string]string{"proxy": "files/a"}},
		// Backtracking: /a/b matches the literal first, which has no c.
		{"GET", "/a/b/c", "/a/{x}/c", map[string]string{"x": "b"}},
		{"GET", "/a/b/d", "/a/b/d", nil},
		{"GET", "/a//c", "/{proxy+}", map[string]string{"proxy": "a//c"}},
	}
	for _, c := range cases {
		m, ok := routes.match(c.verb, splitRequestPath(c.path))
		got := ""
		if ok {
			got = m.node.template
		}
		if got != c.resource {
			t.Errorf("%s %s: resource %q, want %q", c.verb, c.path, got, c.resource)
			continue
		}
		if ok && !maps.Equal(m.params, c.params) {
			t.Errorf("%s %s: params %v, want %v", c.verb, c.path, m.params, c.params)
		}
	}
}

func TestRestAPIRouteMatchingWithoutCatchAll(t *testing.T) {
	t.Parallel()
	routes := tree(t, "GET /pets/{id}", "GET /orders/{id}/items")
	for _, c := range []struct{ verb, path string }{
		{"GET", "/"}, {"GET", "/pets"}, {"POST", "/pets/1"}, {"GET", "/pets/1/x"}, {"GET", "/orders/1"}, {"GET", "/nope"},
	} {
		if m, ok := routes.match(c.verb, splitRequestPath(c.path)); ok {
			t.Errorf("%s %s matched %s", c.verb, c.path, m.node.template)
		}
	}
}

// FuzzRouteMatch checks that matching never panics and that whatever it
// matches is a resource whose template fits the path: literals equal,
// variables non-empty, a greedy variable the rest of the path.
func FuzzRestAPIRouteMatch(f *testing.F) {
	f.Add("GET", "/pets/42")
	f.Add("POST", "/a/b/c/d")
	f.Add("DELETE", "//")
	f.Add("GET", "/users/me/")
	f.Add("PUT", "/%2F/x")
	routes := tree(f, "GET /", "ANY /{proxy+}", "GET /pets/{id}", "GET /pets/dog", "PATCH /users/me",
		"GET /users/{id}", "ANY /a/{b}/c/{rest+}", "POST /a/x")
	f.Fuzz(func(t *testing.T, verb, path string) {
		segs := splitRequestPath(path)
		m, ok := routes.match(verb, segs)
		if !ok {
			return
		}
		tmpl := splitRequestPath(m.node.template)
		for i, part := range tmpl {
			switch {
			case isGreedy(part):
				if i != len(tmpl)-1 || i >= len(segs) {
					t.Fatalf("%s %q matched %s", verb, path, m.node.template)
				}
				if got := m.params[strings.Trim(part, "{+}")]; got != strings.Join(segs[i:], "/") {
					t.Fatalf("%s %q: greedy value %q", verb, path, got)
				}
				return
			case i >= len(segs):
				t.Fatalf("%s %q matched the longer %s", verb, path, m.node.template)
			case isVariable(part):
				if segs[i] == "" || m.params[strings.Trim(part, "{}")] != segs[i] {
					t.Fatalf("%s %q: %s = %q", verb, path, part, m.params[strings.Trim(part, "{}")])
				}
			case part != segs[i]:
				t.Fatalf("%s %q matched %s", verb, path, m.node.template)
			}
		}
		if len(tmpl) != len(segs) {
			t.Fatalf("%s %q matched the shorter %s", verb, path, m.node.template)
		}
		if m.method.HTTPMethod != verb && m.method.HTTPMethod != "ANY" {
			t.Fatalf("%s %q reached method %s", verb, path, m.method.HTTPMethod)
		}
	})
}
