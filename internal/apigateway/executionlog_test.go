package apigateway

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

func TestMethodLogging(t *testing.T) {
	t.Parallel()
	info, errorLevel, off, yes, no := "INFO", "ERROR", "OFF", true, false
	settings := map[string]MethodSetting{
		"*/*":            {LoggingLevel: &info, DataTraceEnabled: &yes},
		"quiet/GET":      {LoggingLevel: &off},
		"users/{id}/PUT": {LoggingLevel: &errorLevel, DataTraceEnabled: &no},
	}
	for _, tc := range []struct {
		path, verb, level string
		data              bool
	}{
		{"/loud", "GET", "INFO", true},
		{"/quiet", "GET", "OFF", true},
		{"/quiet", "POST", "INFO", true},
		{"/users/{id}", "PUT", "ERROR", false},
	} {
		level, data := methodLogging(settings, tc.path, tc.verb)
		if level != tc.level || data != tc.data {
			t.Errorf("%s %s: %q %v, want %q %v", tc.verb, tc.path, level, data, tc.level, tc.data)
		}
	}
	if !stageLogs(settings) || stageLogs(map[string]MethodSetting{"*/*": {LoggingLevel: &off}}) || stageLogs(nil) {
		t.Error("stageLogs")
	}
	if got := maskKey("abcdefgh"); got != "****efgh" {
		t.Errorf("maskKey = %q", got)
	}
	if got := logMap(map[string]string{"b": "2", "a": "1"}); got != "{a=1, b=2}" {
		t.Errorf("logMap = %q", got)
	}
}

// TestExecutionLogRedactsSecrets: the method request's headers, as data
// trace logs them, show the Authorization header's value and the API key
// redacted, as API Gateway's execution logs do.
func TestExecutionLogRedactsSecrets(t *testing.T) {
	t.Parallel()
	s := &Service{clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}
	r := httptest.NewRequest("GET", "https://abc.execute-api.localhost/prod/ok", nil)
	const token, apiKey = "Bearer eyJhbGciOiJSUzI1NiJ9.secret-claims.secret-signature", "k3yV4lu3-0123456789abcdef"
	r.Header.Set("Authorization", token)
	r.Header.Set("X-Api-Key", apiKey)
	r.Header.Set("Accept", "text/plain")
	req := &request{r: r, apiID: "abc", stage: "prod", requestID: "rid", logsExecution: true,
		deployment: &deployment{API: &restAPI{}},
		match:      routeMatch{node: &routeNode{template: "/ok"}, method: &method{HTTPMethod: "GET"}}}
	s.logUsagePlan(req)
	s.logMethodRequest(req)
	var headers string
	for _, l := range req.execution {
		if h, ok := strings.CutPrefix(l.text, "Method request headers: "); ok {
			headers = h
		}
		if strings.Contains(l.text, token) || strings.Contains(l.text, apiKey) {
			t.Errorf("a secret in the execution log: %q", l.text)
		}
	}
	for _, want := range []string{"Authorization=" + maskKey(token), "X-Api-Key=" + maskKey(apiKey), "Accept=text/plain"} {
		if !strings.Contains(headers, want) {
			t.Errorf("headers %q lack %q", headers, want)
		}
	}
}
