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
