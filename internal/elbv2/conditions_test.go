package elbv2

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

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

func TestParseMatcher(t *testing.T) {
	for _, ok := range []string{"200", "200,202", "200-299", "200-299,404"} {
		if _, err := parseMatcher(ok, false); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "199", "500", "299-200", "2x0", "200-"} {
		if _, err := parseMatcher(bad, false); err == nil {
			t.Errorf("%q is accepted", bad)
		}
	}
	if !matches("200-299,404", 404) || matches("200-299", 302) {
		t.Error("matches")
	}
}

func TestRedirectLocation(t *testing.T) {
	tests := []struct {
		cfg  RedirectActionConfig
		url  string
		want string
	}{
		{RedirectActionConfig{Protocol: ptr("HTTPS"), Port: ptr("443")}, "http://a.example.com:8080/p/q?x=1", "https://a.example.com/p/q?x=1"},
		{RedirectActionConfig{Host: ptr("b.#{host}"), Path: ptr("/v2/#{path}"), Query: ptr("")}, "http://a.example.com/p?x=1", "http://b.a.example.com:8080/v2/p"},
		{RedirectActionConfig{Query: ptr("from=#{query}&y=2")}, "http://h/x?x=1", "http://h:8080/x?from=x=1&y=2"},
		{RedirectActionConfig{Port: ptr("80")}, "http://h/", "http://h/"},
	}
	for _, tt := range tests {
		tt.cfg.StatusCode = ptr("HTTP_302")
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", tt.url, nil)
		redirect(w, r, &route{l: listener{Protocol: "HTTP", Port: 8080}, action: Action{Type: ptr("redirect"), RedirectConfig: &tt.cfg}})
		if w.Code != 302 || w.Header().Get("Location") != tt.want {
			t.Errorf("%s: %d %q, want %q", tt.url, w.Code, w.Header().Get("Location"), tt.want)
		}
	}
}
