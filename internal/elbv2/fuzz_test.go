package elbv2

import (
	"net"
	"net/http"
	"net/url"
	"testing"
)

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
