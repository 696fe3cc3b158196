package apigateway

import "testing"

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
