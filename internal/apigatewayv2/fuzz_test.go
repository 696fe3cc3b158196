package apigatewayv2

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseRouteKey checks that route key parsing never panics, and that
// a key it accepts prints in a form that parses back to the same key.
func FuzzHTTPAPIParseRouteKey(f *testing.F) {
	for _, s := range []string{
		"$default", "GET /", "ANY /{proxy+}", "GET /pets/{id}", "POST /a/b/{c}/{d+}", "GET /a%2Fb",
		"GET /pets/", "get /x", "GET //x", "GET /{a}{b}", "GET /{x+}/y", "GET /%", "GET /{é}", "PUT /%7Bx%7D",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := parseRouteKey(s)
		if err != nil {
			return
		}
		again, err := parseRouteKey(k.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, k, err)
		}
		if again.String() != k.String() {
			t.Fatalf("%q printed as %q, which reads back as %q", s, k, again)
		}
		for i, sg := range k.segs {
			if sg.kind == segGreedy && i != len(k.segs)-1 {
				t.Fatalf("%q has a greedy variable before its end", s)
			}
		}
	})
}

// FuzzMatchPath checks that matching any path against any template never
// panics, that a match binds every variable to a non-empty value, and
// that a path built from a template's own segments matches it.
func FuzzHTTPAPIMatchPath(f *testing.F) {
	for _, s := range [][2]string{
		{"/pets/{id}", "/pets/7"}, {"/{proxy+}", "/a/b/c"}, {"/", "/"}, {"/a%20b", "/a b"},
		{"/x/{y}/{z+}", "/x/1/2/3"}, {"/files/{p+}", "/files/%2F%2F"}, {"/{a}", "/%zz"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tmpl, path string) {
		segs, err := parsePathTemplate(tmpl)
		if err != nil {
			return
		}
		if params, ok := matchPath(segs, splitRequestPath(path)); ok {
			for _, sg := range segs {
				if sg.kind != segLiteral && params[sg.text] == "" {
					t.Fatalf("%q matched %q with variable %s empty", path, tmpl, sg.text)
				}
			}
		}
		// The template with each variable replaced by "v" matches.
		var b strings.Builder
		for _, sg := range segs {
			b.WriteByte('/')
			if sg.kind == segLiteral {
				b.WriteString(url.PathEscape(sg.text))
			} else {
				b.WriteString("v")
			}
		}
		own := b.String()
		if own == "" {
			own = "/"
		}
		if _, ok := matchPath(segs, splitRequestPath(own)); !ok {
			t.Fatalf("%q does not match its own template %q", own, tmpl)
		}
	})
}

// FuzzLambdaResponse checks that reading a function's result never
// panics and that a result it accepts has an HTTP status.
func FuzzHTTPAPILambdaResponse(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":201,"body":"x","headers":{"a":"b"},"cookies":["c=1"]}`, `"hello"`, `{"a":1}`,
		`{"statusCode":"200"}`, `{"statusCode":99}`, `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`,
		`not json`, `[1,2]`, `null`, `{"statusCode":200,"multiValueHeaders":{"x":["1",2,true]}}`,
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, payload string, v2 bool) {
		version := "1.0"
		if v2 {
			version = "2.0"
		}
		res, err := lambdaResponse(version, []byte(payload))
		if err == nil && (res.status < 100 || res.status > 599) {
			t.Fatalf("%q gave status %d", payload, res.status)
		}
	})
}

// FuzzQueryParams checks that query parsing never panics and keeps every
// parameter's values together.
func FuzzHTTPAPIQueryParams(f *testing.F) {
	for _, s := range []string{"a=1&a=2&b=x%20y", "", "&&", "a", "%zz=1", "a=%", "=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		seen := map[string]bool{}
		for _, q := range queryParams(raw) {
			if seen[q.name] || len(q.values) == 0 {
				t.Fatalf("%q: parameter %q repeated or without values", raw, q.name)
			}
			seen[q.name] = true
		}
	})
}

// FuzzSplitPrelude splits streamed function URL responses: a prelude is
// found only before eight zero bytes, within the limit, and what is not
// a prelude is served whole.
func FuzzSplitPrelude(f *testing.F) {
	f.Add([]byte(`{"statusCode":201,"headers":{"a":"b"},"cookies":["c=1"]}`+"\x00\x00\x00\x00\x00\x00\x00\x00body"), 100)
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00"), 8)
	f.Add([]byte(`{"statusCode":`), 16384)
	f.Add([]byte(`not json`+"\x00\x00\x00\x00\x00\x00\x00\x00\x00"), 3)
	f.Add([]byte(`{"headers":{"x":1}}`+"\x00\x00\x00\x00\x00\x00\x00\x00"), 0)
	f.Fuzz(func(t *testing.T, b []byte, limit int) {
		p, body, state := splitPrelude(b, limit)
		switch state {
		case preludeIncomplete:
			if bytes.Contains(b, preludeDelimiter) || len(b) >= limit || body != nil {
				t.Fatalf("incomplete with a delimiter or past the limit: %q", b)
			}
		case preludeNone:
			if !bytes.Equal(body, b) {
				t.Fatalf("not a prelude, yet the body %q is not the input %q", body, b)
			}
		case preludeFound:
			i := bytes.Index(b, preludeDelimiter)
			if i < 0 || !bytes.Equal(body, b[i+8:]) {
				t.Fatalf("prelude body %q of %q", body, b)
			}
			res := &response{status: 200, header: http.Header{}}
			p.apply(res)
			if res.status < 100 || res.status > 599 {
				t.Fatalf("status %d", res.status)
			}
		default:
			t.Fatalf("state %d", state)
		}
	})
}
