package httpbinding

import (
	"maps"
	"net/url"
	"testing"
)

func newRouter(t *testing.T, bindings ...string) *Router[string] {
	t.Helper()
	r := &Router[string]{}
	for _, b := range bindings {
		if err := r.Add(b, b); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestRouterMatch(t *testing.T) {
	t.Parallel()
	lambda := []string{
		"GET /2015-03-31/functions/",
		"POST /2015-03-31/functions",
		"GET /2015-03-31/functions/{FunctionName}",
		"GET /2015-03-31/functions/{FunctionName}/configuration",
		"POST /2015-03-31/functions/{FunctionName}/invocations",
		"GET /2015-03-31/functions/{FunctionName}/policy",
		"GET /2017-03-31/tags/{ARN}",
	}
	s3 := []string{
		"GET /",
		"GET /{Bucket}",
		"GET /{Bucket}?list-type=2",
		"PUT /{Bucket}",
		"PUT /{Bucket}?tagging",
		"POST /{Bucket}?delete",
		"GET /{Bucket}/{Key+}?x-id=GetObject",
		"PUT /{Bucket}/{Key+}",
		"HEAD /{Bucket}/{Key+}",
		"POST /{Bucket}/{Key+}?uploads",
	}
	conflicts := []string{
		"GET /a/{B}",
		"GET /{A}/b",
		"GET /{A}/{B+}",
	}
	tests := []struct {
		name     string
		routes   []string
		method   string
		url      string
		want     string
		params   map[string]string
		wantRes  Result
		wantNone bool
	}{
		{name: "list trailing slash", routes: lambda, method: "GET", url: "/2015-03-31/functions/", want: "GET /2015-03-31/functions/"},
		{name: "list without trailing slash", routes: lambda, method: "GET", url: "/2015-03-31/functions", want: "GET /2015-03-31/functions/"},
		{name: "create", routes: lambda, method: "POST", url: "/2015-03-31/functions", want: "POST /2015-03-31/functions"},
		{name: "label", routes: lambda, method: "GET", url: "/2015-03-31/functions/my-fn",
			want: "GET /2015-03-31/functions/{FunctionName}", params: map[string]string{"FunctionName": "my-fn"}},
		{name: "label then literal", routes: lambda, method: "GET", url: "/2015-03-31/functions/my-fn/configuration?Qualifier=1",
			want: "GET /2015-03-31/functions/{FunctionName}/configuration", params: map[string]string{"FunctionName": "my-fn"}},
		{name: "label decoded", routes: lambda, method: "GET", url: "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af",
			want: "GET /2017-03-31/tags/{ARN}", params: map[string]string{"ARN": "arn:aws:lambda:us-east-1:000000000000:function:f"}},
		{name: "escaped slash stays in label", routes: lambda, method: "GET", url: "/2015-03-31/functions/a%2Fb/policy",
			want: "GET /2015-03-31/functions/{FunctionName}/policy", params: map[string]string{"FunctionName": "a/b"}},
		{name: "empty label", routes: lambda, method: "GET", url: "/2015-03-31/functions//policy", wantNone: true},
		{name: "unknown path", routes: lambda, method: "GET", url: "/2015-03-31/nothing", wantNone: true},
		{name: "wrong method", routes: lambda, method: "DELETE", url: "/2015-03-31/functions/f/invocations", wantNone: true, wantRes: MethodNotAllowed},
		{name: "too long", routes: lambda, method: "GET", url: "/2015-03-31/functions/f/policy/extra", wantNone: true},

		{name: "root", routes: s3, method: "GET", url: "/", want: "GET /"},
		{name: "root with query", routes: s3, method: "GET", url: "/?x-id=ListBuckets", want: "GET /"},
		{name: "bucket", routes: s3, method: "GET", url: "/b", want: "GET /{Bucket}", params: map[string]string{"Bucket": "b"}},
		{name: "bucket trailing slash", routes: s3, method: "GET", url: "/b/", want: "GET /{Bucket}", params: map[string]string{"Bucket": "b"}},
		{name: "query literal with value", routes: s3, method: "GET", url: "/b?list-type=2&prefix=x", want: "GET /{Bucket}?list-type=2", params: map[string]string{"Bucket": "b"}},
		{name: "query literal other value", routes: s3, method: "GET", url: "/b?list-type=3", want: "GET /{Bucket}", params: map[string]string{"Bucket": "b"}},
		{name: "query flag", routes: s3, method: "PUT", url: "/b?tagging", want: "PUT /{Bucket}?tagging", params: map[string]string{"Bucket": "b"}},
		{name: "query flag with empty value", routes: s3, method: "PUT", url: "/b?tagging=", want: "PUT /{Bucket}?tagging", params: map[string]string{"Bucket": "b"}},
		{name: "no query flag", routes: s3, method: "PUT", url: "/b", want: "PUT /{Bucket}", params: map[string]string{"Bucket": "b"}},
		{name: "post needs its flag", routes: s3, method: "POST", url: "/b", wantNone: true, wantRes: MethodNotAllowed},
		{name: "greedy", routes: s3, method: "PUT", url: "/b/dir/sub/file.txt", want: "PUT /{Bucket}/{Key+}",
			params: map[string]string{"Bucket": "b", "Key": "dir/sub/file.txt"}},
		{name: "greedy keeps slashes", routes: s3, method: "PUT", url: "/b//a//b/", want: "PUT /{Bucket}/{Key+}",
			params: map[string]string{"Bucket": "b", "Key": "/a//b/"}},
		{name: "greedy decoded", routes: s3, method: "PUT", url: "/b/a%20b%2Bc+d%3F", want: "PUT /{Bucket}/{Key+}",
			params: map[string]string{"Bucket": "b", "Key": "a b+c+d?"}},
		{name: "greedy with literal", routes: s3, method: "GET", url: "/b/k?x-id=GetObject", want: "GET /{Bucket}/{Key+}?x-id=GetObject",
			params: map[string]string{"Bucket": "b", "Key": "k"}},
		{name: "head", routes: s3, method: "HEAD", url: "/b/k", want: "HEAD /{Bucket}/{Key+}", params: map[string]string{"Bucket": "b", "Key": "k"}},
		{name: "more query literals win", routes: s3, method: "POST", url: "/b/k?uploads", want: "POST /{Bucket}/{Key+}?uploads",
			params: map[string]string{"Bucket": "b", "Key": "k"}},

		{name: "literal beats label", routes: conflicts, method: "GET", url: "/a/b", want: "GET /a/{B}", params: map[string]string{"B": "b"}},
		{name: "label beats greedy", routes: conflicts, method: "GET", url: "/x/b", want: "GET /{A}/b", params: map[string]string{"A": "x"}},
		{name: "greedy fallback", routes: conflicts, method: "GET", url: "/x/y/z", want: "GET /{A}/{B+}", params: map[string]string{"A": "x", "B": "y/z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRouter(t, tt.routes...)
			u, err := url.ParseRequestURI(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got, params, res := r.Match(tt.method, u)
			if tt.wantNone {
				if res == Matched || res != tt.wantRes {
					t.Fatalf("Match = %q, %v; want no match (%v)", got, res, tt.wantRes)
				}
				return
			}
			if res != Matched || got != tt.want {
				t.Fatalf("Match = %q (%v), want %q", got, res, tt.want)
			}
			if !maps.Equal(params, tt.params) {
				t.Errorf("params = %v, want %v", params, tt.params)
			}
		})
	}
}

func TestRouterAddRejects(t *testing.T) {
	t.Parallel()
	for _, b := range []string{
		"",
		"GET",
		"get /x",
		"GET x",
		"GET /a{B}",
		"GET /{}",
		"GET /{A+}/b",
		"GET /{A}/{A}",
		"GET /x?=1",
		"GET /x?%zz",
	} {
		r := &Router[string]{}
		if err := r.Add(b, b); err == nil {
			t.Errorf("Add(%q) succeeded", b)
		}
	}
	r := newRouter(t, "GET /{A}/x?q")
	if err := r.Add("GET /{B}/x?q", ""); err == nil {
		t.Error("a route matching the same requests as another was accepted")
	}
	if err := r.Add("PUT /{B}/x?q", ""); err != nil {
		t.Errorf("the same path for another method: %v", err)
	}
}

func TestSplitHeaderList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"a", []string{"a"}},
		{"a, b, c", []string{"a", "b", "c"}},
		{"a,b ,  c", []string{"a", "b", "c"}},
		{`"b,c", "\"def\"", a`, []string{"b,c", `"def"`, "a"}},
		{`" padded ", x`, []string{" padded ", "x"}},
		{"a,,b", []string{"a", "", "b"}},
		{`"unterminated`, []string{"unterminated"}},
	}
	for _, tt := range tests {
		got := SplitHeaderList(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("SplitHeaderList(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("SplitHeaderList(%q) = %q, want %q", tt.in, got, tt.want)
				break
			}
		}
	}
}

// FuzzMatch proves the router never panics, and that whatever it matches
// comes with decoded labels for every label of the route.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"/", "/b", "/b/k", "/b/k/", "//", "/%2F", "/b?list-type=2", "/b/k?uploads&x-id=GetObject", "/%zz", "/a/b?c=%"} {
		f.Add("GET", s)
		f.Add("PUT", s)
	}
	f.Fuzz(func(t *testing.T, method, target string) {
		r := &Router[string]{}
		for _, b := range []string{"GET /", "GET /{Bucket}", "GET /{Bucket}?list-type=2", "PUT /{Bucket}/{Key+}",
			"GET /{Bucket}/{Key+}?x-id=GetObject", "POST /{Bucket}/{Key+}?uploads", "GET /a/{B}/c"} {
			if err := r.Add(b, b); err != nil {
				t.Fatal(err)
			}
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		got, params, res := r.Match(method, u)
		if res != Matched {
			return
		}
		for _, name := range []string{"Bucket", "Key", "B"} {
			if v, ok := params[name]; ok && v == "" {
				t.Errorf("%s: empty label %s", got, name)
			}
		}
	})
}
