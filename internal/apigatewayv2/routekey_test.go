package apigatewayv2

import (
	"maps"
	"testing"
)

func TestHTTPAPIParseRouteKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key, want string // want "" means malformed
	}{
		{"$default", "$default"},
		{"GET /", "GET /"},
		{"GET /pets", "GET /pets"},
		{"ANY /{proxy+}", "ANY /{proxy+}"},
		{"POST /pets/{petId}/toys/{toy}", "POST /pets/{petId}/toys/{toy}"},
		{"GET /files/{path+}", "GET /files/{path+}"},
		{"GET /a%20b", "GET /a b"},
		{"GET /pets/", "GET /pets/"},
		{"OPTIONS /x", "OPTIONS /x"},
		{"get /pets", ""},           // methods are upper case
		{"FETCH /pets", ""},         // not a method
		{"GET pets", ""},            // no leading slash
		{"GET", ""},                 // no path
		{"$connect", ""},            // WebSocket keys
		{"GET /{proxy+}/more", ""},  // greedy not last
		{"GET /a{id}", ""},          // partial variable
		{"GET /{id}/{id}", ""},      // repeated variable
		{"GET /{}", ""},             // empty name
		{"GET /{a b}", ""},          // bad name
		{"GET //pets", ""},          // empty segment
		{"GET /{id}x", ""},          // partial variable
		{"GET /pets/{id", ""},       // unbalanced
		{"ANY /{proxy++}", ""},      // bad name
		{"GET /%zz", ""},            // bad escape
		{" GET /pets", ""},          // leading space
		{"GET  /pets", ""},          // two spaces
		{"GET /pets/{proxy+}/", ""}, // greedy not last
	} {
		k, err := parseRouteKey(tc.key)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("parseRouteKey(%q) = %q, want an error", tc.key, k)
		case tc.want != "" && err != nil:
			t.Errorf("parseRouteKey(%q): %v", tc.key, err)
		case tc.want != "" && k.String() != tc.want:
			t.Errorf("parseRouteKey(%q) = %q, want %q", tc.key, k, tc.want)
		}
	}
}

// TestRoutePrecedence checks the example of "Routing API requests":
// exact paths over variables over greedy variables, a method over ANY,
// and $default when nothing else matches.
func TestHTTPAPIRoutePrecedence(t *testing.T) {
	t.Parallel()
	routes := map[string]*routeRecord{}
	for i, k := range []string{
		"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default",
		"GET /", "ANY /pets/dog/{id}", "POST /pets/{name}/toys", "ANY /files/{path+}", "GET /files/{path+}",
	} {
		id := string(rune('a' + i))
		routes[id] = &routeRecord{ID: id, Key: k}
	}
	table := newRouteTable(routes)
	for _, tc := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]string{"id": "2"}},
		{"PUT", "/pets/dog/2", "ANY /pets/dog/{id}", map[string]string{"id": "2"}},
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/1"}},
		{"GET", "/pets/dog", "GET /pets/{proxy+}", map[string]string{"proxy": "dog"}},
		{"POST", "/pets/cat/1", "ANY /{proxy+}", map[string]string{"proxy": "pets/cat/1"}},
		{"POST", "/pets/rex/toys", "POST /pets/{name}/toys", map[string]string{"name": "rex"}},
		{"GET", "/", "GET /", nil},
		{"POST", "/", "$default", nil}, // a greedy variable needs a segment
		{"GET", "/files/a/b%20c", "GET /files/{path+}", map[string]string{"path": "a/b c"}},
		{"DELETE", "/files/a", "ANY /files/{path+}", map[string]string{"path": "a"}},
		{"GET", "/pets/dog/a%2Fb", "GET /pets/dog/{id}", map[string]string{"id": "a/b"}},
	} {
		r, params := table.match(tc.method, tc.path)
		if r == nil || r.Key != tc.want || !maps.Equal(params, tc.params) {
			got := "none"
			if r != nil {
				got = r.Key
			}
			t.Errorf("%s %s matched %s %v, want %s %v", tc.method, tc.path, got, params, tc.want, tc.params)
		}
	}
	// Without $default an unmatched request matches nothing.
	delete(routes, "e")
	if r, _ := newRouteTable(routes).match("POST", "/"); r != nil {
		t.Errorf("POST / matched %s without a $default route", r.Key)
	}
}

func TestHTTPAPIMatchPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tmpl, path string
		ok         bool
	}{
		{"/pets", "/pets", true},
		{"/pets", "/pets/", false},
		{"/pets/", "/pets/", true},
		{"/pets/{id}", "/pets/", false}, // a variable is never empty
		{"/pets/{id}", "/pets/1/2", false},
		{"/{proxy+}", "/", false},
		{"/{proxy+}", "/a/", true},
		{"/a%20b", "/a%20b", true},
		{"/a%20b", "/a b", true},
	} {
		segs, err := parsePathTemplate(tc.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", tc.tmpl, err)
		}
		if _, ok := matchPath(segs, splitRequestPath(tc.path)); ok != tc.ok {
			t.Errorf("%s against %s: matched %v, want %v", tc.path, tc.tmpl, ok, tc.ok)
		}
	}
}
