package sigv4

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestURIEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		keepSlash bool
		want      string
	}{
		{"", true, ""},
		{"AZaz09-_.~", false, "AZaz09-_.~"},
		{"a b", false, "a%20b"},
		{"a/b", true, "a/b"},
		{"a/b", false, "a%2Fb"},
		{"%2F", true, "%252F"},
		{"!$&'()*+,;=:@", false, "%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40"},
		{"é", false, "%C3%A9"},
		{"\x00\xff", false, "%00%FF"},
	}
	for _, tt := range tests {
		if got := uriEncode(tt.in, tt.keepSlash); got != tt.want {
			t.Errorf("uriEncode(%q, %v) = %q, want %q", tt.in, tt.keepSlash, got, tt.want)
		}
	}
}

func TestNormalizePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"//", "/"},
		{"//example//", "/example/"},
		{"/./example", "/example"},
		{"/./", "/"},
		{"/example/..", "/"},
		{"/example1/example2/../..", "/"},
		{"/a/b/../c/", "/a/c/"},
		{"/../a", "/a"},
		{"/a%2F..", "/a%2F.."},
	}
	for _, tt := range tests {
		if got := normalizePath(tt.in); got != tt.want {
			t.Errorf("normalizePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalURIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		s3   bool
		want []string
	}{
		{"/", false, []string{"/"}},
		{"/a%20b", false, []string{"/a%2520b"}},
		{"/ሴ", false, []string{"/%E1%88%B4"}},
		{"//a/./b", false, []string{"//a/./b", "/a/b"}},
		{"/b/a%20b", true, []string{"/b/a%20b"}},
		{"/b/a!b", true, []string{"/b/a!b", "/b/a%21b"}},
		{"/b/ሴ", true, []string{"/b/ሴ", "/b/%E1%88%B4"}},
		{"/b/a%2fb", true, []string{"/b/a%2fb", "/b/a/b"}},
		{"/b/%zz", true, []string{"/b/%zz"}},
	}
	for _, tt := range tests {
		if got := canonicalURIs(tt.raw, tt.s3); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("canonicalURIs(%q, %v) = %q, want %q", tt.raw, tt.s3, got, tt.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		skip      []string
		want      string
	}{
		{"empty", "", nil, ""},
		{"sorted by name then value", "b=2&a=2&a=1", nil, "a=1&a=2&b=2"},
		{"sorted after encoding", "k=a-b&k=a%2Fb", nil, "k=a%2Fb&k=a-b"},
		{"repeated and empty values kept", "a=&a&a=x", nil, "a=&a=&a=x"},
		{"plus is a space", "q=a+b&r=a%2Bb", nil, "q=a%20b&r=a%2Bb"},
		{"lower-case escapes normalized", "q=%c3%a9", nil, "q=%C3%A9"},
		{"reserved characters encoded", "q=!*'()", nil, "q=%21%2A%27%28%29"},
		{"empty pairs dropped", "&&a=1&", nil, "a=1"},
		{"invalid escape kept", "q=%zz", nil, "q=%25zz"},
		{"skip", "X-Amz-Signature=00&a=1", []string{"X-Amz-Signature"}, "a=1"},
	}
	for _, tt := range tests {
		if got := canonicalQuery(parseQuery(tt.raw), tt.skip...); got != tt.want {
			t.Errorf("%s: canonicalQuery(%q) = %q, want %q", tt.name, tt.raw, got, tt.want)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	t.Parallel()
	r := &http.Request{
		Host:   "example.com",
		URL:    &url.URL{Path: "/"},
		Header: http.Header{},
		// Go's server moves these out of Header.
		ContentLength:    5,
		TransferEncoding: []string{"chunked"},
	}
	r.Header.Add("X-Spaces", "  a   b  c  ")
	r.Header.Add("X-Repeated", "one")
	r.Header.Add("X-Repeated", " two  three ")
	r.Header.Add("X-Tab", "a \t  b")
	r.Header.Add("X-Empty", "")
	names := []string{"host", "content-length", "transfer-encoding", "x-spaces", "x-repeated", "x-tab", "x-empty", "x-absent"}
	want := "host:example.com\ncontent-length:5\ntransfer-encoding:chunked\nx-spaces:a b c\nx-repeated:one,two three\n" +
		"x-tab:a \t b\nx-empty:\nx-absent:\n"
	if got := canonicalHeaders(r, names); got != want {
		t.Errorf("canonicalHeaders =\n%q\nwant\n%q", got, want)
	}
}

func TestRawPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    *http.Request
		want string
	}{
		{"origin form", &http.Request{RequestURI: "/a%20b/ሴ?x=1", URL: &url.URL{}}, "/a%20b/ሴ"},
		{"absolute form", &http.Request{RequestURI: "http://h:1/a/b?x", URL: &url.URL{}}, "/a/b"},
		{"absolute form without path", &http.Request{RequestURI: "http://h?x", URL: &url.URL{}}, "/"},
		{"client request", &http.Request{URL: &url.URL{Path: "/a b", RawPath: "/a%20b"}}, "/a%20b"},
		{"client request without path", &http.Request{URL: &url.URL{}}, "/"},
		{"opaque", &http.Request{URL: &url.URL{Opaque: "//h/a%2Fb"}}, "/a%2Fb"},
	}
	for _, tt := range tests {
		if got := rawPath(tt.r); got != tt.want {
			t.Errorf("%s: rawPath = %q, want %q", tt.name, got, tt.want)
		}
	}
}
