package elbv2

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"/img/*", "/img/a.png", false, true},
		{"/img/*", "/img/", false, true},
		{"/img/*", "/img", false, false},
		{"/img/*", "/IMG/a.png", false, false}, // paths compare case-sensitively
		{"*.example.com", "API.Example.com", true, true},
		{"*.example.com", "example.com", true, false},
		{"/a?c", "/abc", false, true},
		{"/a?c", "/ac", false, false},
		{"/a?c", "/aéc", false, true}, // ? is one character, not one byte
		{"*", "", false, true},
		{"", "", false, true},
		{"", "x", false, false},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"**", "abc", false, true},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

// oracle is wildcardMatch by regular expression.
func oracle(pattern, s string, fold bool) bool {
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?i)")
	}
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString("(?s:.*)")
		case '?':
			b.WriteString("(?s:.)")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

func FuzzWildcardMatch(f *testing.F) {
	f.Add("/img/*", "/img/a.png", false)
	f.Add("*.Example.com", "api.example.COM", true)
	f.Add("a?c*", "abcdef", false)
	f.Add("***?", "", false)
	f.Fuzz(func(t *testing.T, pattern, s string, fold bool) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 64 || len(s) > 256 {
			return
		}
		if fold && !isASCII(pattern+s) {
			return // the oracle folds Unicode cases differently from ToLower
		}
		if got, want := wildcardMatch(pattern, s, fold), oracle(pattern, s, fold); got != want {
			t.Fatalf("wildcardMatch(%q, %q, %v) = %v, the oracle says %v", pattern, s, fold, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestCheckConditions(t *testing.T) {
	path := func(vs ...string) RuleCondition {
		return RuleCondition{Field: ptr("path-pattern"), PathPatternConfig: &PathPatternConditionConfig{Values: vs}}
	}
	tests := []struct {
		name string
		cs   []RuleCondition
		want string // "" when valid
	}{
		{"one path", []RuleCondition{path("/a/*")}, ""},
		{"legacy values", []RuleCondition{{Field: ptr("host-header"), Values: []string{"*.example.com"}}}, ""},
		{"no field", []RuleCondition{{Values: []string{"/a"}}}, "A condition field must be specified"},
		{"six values", []RuleCondition{path("/1", "/2", "/3", "/4", "/5", "/6")}, "A rule can only have '5' condition values"},
		{"two path conditions", []RuleCondition{path("/a"), path("/b")}, "A rule can only have one 'path-pattern' condition"},
		{"bad method", []RuleCondition{{Field: ptr("http-request-method"), HttpRequestMethodConfig: &HttpRequestMethodConditionConfig{Values: []string{"get"}}}}, "can contain only"},
		{"bad cidr", []RuleCondition{{Field: ptr("source-ip"), SourceIpConfig: &SourceIpConditionConfig{Values: []string{"10.0.0.1"}}}}, "CIDR"},
		{"both forms", []RuleCondition{{Field: ptr("path-pattern"), Values: []string{"/a"}, PathPatternConfig: &PathPatternConditionConfig{Values: []string{"/b"}}}}, "cannot specify both"},
		{"unknown field", []RuleCondition{{Field: ptr("cookie"), Values: []string{"a"}}}, "must be one of"},
	}
	for _, tt := range tests {
		err := checkConditions(tt.cs)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestConditionsMatch(t *testing.T) {
	r := request{host: "API.example.com:8080", path: "/v1/users", method: "POST",
		header: http.Header{"X-Env": {"staging"}}, query: url.Values{"version": {"v2"}}, source: net.ParseIP("10.1.2.3")}
	yes := []RuleCondition{
		{Field: ptr("host-header"), HostHeaderConfig: &HostHeaderConditionConfig{Values: []string{"*.example.com"}}},
		{Field: ptr("path-pattern"), Values: []string{"/v1/*"}},
		{Field: ptr("http-request-method"), HttpRequestMethodConfig: &HttpRequestMethodConditionConfig{Values: []string{"GET", "POST"}}},
		{Field: ptr("http-header"), HttpHeaderConfig: &HttpHeaderConditionConfig{HttpHeaderName: ptr("x-env"), Values: []string{"STAG*"}}},
		{Field: ptr("query-string"), QueryStringConfig: &QueryStringConditionConfig{Values: []QueryStringKeyValuePair{{Key: ptr("version"), Value: ptr("v?")}}}},
		{Field: ptr("source-ip"), SourceIpConfig: &SourceIpConditionConfig{Values: []string{"10.0.0.0/8"}}},
	}
	if !conditionsMatch(yes, r) {
		t.Fatal("the conditions do not match the request")
	}
	for i := range yes {
		c := yes[i]
		switch deref(c.Field) {
		case "host-header":
			c.HostHeaderConfig = &HostHeaderConditionConfig{Values: []string{"www.example.com"}}
		case "path-pattern":
			c.Values = []string{"/V1/*"}
		case "http-request-method":
			c.HttpRequestMethodConfig = &HttpRequestMethodConditionConfig{Values: []string{"post"}}
		case "http-header":
			c.HttpHeaderConfig = &HttpHeaderConditionConfig{HttpHeaderName: ptr("x-other"), Values: []string{"*"}}
		case "query-string":
			c.QueryStringConfig = &QueryStringConditionConfig{Values: []QueryStringKeyValuePair{{Key: ptr("version"), Value: ptr("v3")}}}
		case "source-ip":
			c.SourceIpConfig = &SourceIpConditionConfig{Values: []string{"192.168.0.0/16"}}
		}
		if conditionMatches(c, r) {
			t.Errorf("%s condition %+v matches", deref(c.Field), c)
		}
	}
}

// FuzzConditions checks that no condition, valid or not, makes the
// checker or the matcher panic, and that a valid one can be evaluated.
func FuzzConditions(f *testing.F) {
	f.Add("path-pattern", "/a/*", "", "/a/b", "GET")
	f.Add("host-header", "*.example.com", "", "x.example.com", "GET")
	f.Add("http-header", "v*", "x-h", "/", "PUT")
	f.Add("query-string", "v?", "k", "/", "GET")
	f.Add("source-ip", "10.0.0.0/8", "", "/", "GET")
	f.Add("http-request-method", "GET", "", "/", "GET")
	f.Fuzz(func(t *testing.T, field, value, name, path, method string) {
		cs := []RuleCondition{{Field: ptr(field)}}
		switch field {
		case "path-pattern":
			cs[0].PathPatternConfig = &PathPatternConditionConfig{Values: []string{value}}
		case "host-header":
			cs[0].Values = []string{value}
		case "http-header":
			cs[0].HttpHeaderConfig = &HttpHeaderConditionConfig{HttpHeaderName: ptr(name), Values: []string{value}}
		case "query-string":
			cs[0].QueryStringConfig = &QueryStringConditionConfig{Values: []QueryStringKeyValuePair{{Key: ptr(name), Value: ptr(value)}}}
		case "source-ip":
			cs[0].SourceIpConfig = &SourceIpConditionConfig{Values: []string{value}}
		case "http-request-method":
			cs[0].HttpRequestMethodConfig = &HttpRequestMethodConditionConfig{Values: []string{value}}
		}
		_ = checkConditions(cs)
		r := request{host: value, path: path, method: method, header: http.Header{http.CanonicalHeaderKey(name): {value}},
			query: url.Values{name: {value}}, source: net.ParseIP("10.0.0.1")}
		_ = conditionsMatch(cs, r)
	})
}
