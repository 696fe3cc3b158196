package accesslog

import (
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	t.Parallel()
	values := map[string]string{"requestId": "r-1", "identity.sourceIp": "10.0.0.9", "status": "200", "authorizer.claims.sub": "u"}
	lookup := func(name string) string { return values[name] }
	for _, tc := range []struct{ format, want string }{
		{`{"requestId":"$context.requestId","ip":"$context.identity.sourceIp"}`, `{"requestId":"r-1","ip":"10.0.0.9"}`},
		{`$context.requestId $context.status.`, `r-1 200.`},
		{`$context.integration.error|$context.waf.status`, `-|-`},
		{`$context.authorizer.claims.sub,$context.requestId`, `u,r-1`},
		{`$context. $context`, `$context. $context`},
		{`no variables`, `no variables`},
		{"", ""},
	} {
		if got := Render(tc.format, lookup); got != tc.want {
			t.Errorf("Render(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

func TestGroupName(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]string{
		"arn:aws:logs:us-east-1:000000000000:log-group:my-group":   "my-group",
		"arn:aws:logs:us-east-1:000000000000:log-group:/a/b:*":     "/a/b",
		"arn:aws:firehose:us-east-1:000000000000:deliverystream/x": "",
		"arn:aws:logs:us-east-1:000000000000:log-group:":           "",
		"not an arn": "",
	} {
		got, ok := GroupName(arn)
		if got != want || ok != (want != "") {
			t.Errorf("GroupName(%q) = %q, %v; want %q", arn, got, ok, want)
		}
	}
}

func TestStreamAndTime(t *testing.T) {
	t.Parallel()
	if a, b := Stream("api1", "prod"), Stream("api1", "prod"); a != b || len(a) != 32 || a == Stream("api1", "dev") {
		t.Errorf("Stream: %q %q", a, b)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	if got := RequestTime(at); got != "04/Mar/2026:05:06:07 +0000" {
		t.Errorf("RequestTime = %q", got)
	}
}

// FuzzRender: any format renders without a panic, text without a
// variable is copied as written, and a value never leaks into a format
// that names no variable.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"",
		"$context.requestId",
		`{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp" }`,
		"$context.",
		"$context.$context.x.",
		"$$context.a..b $context",
		"$context.status.",
		"\xff$context.a\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		got := Render(format, func(name string) string {
			if name == "" || strings.HasSuffix(name, ".") {
				t.Fatalf("variable name %q", name)
			}
			return "<" + name + ">"
		})
		if !strings.Contains(format, contextPrefix) && got != format {
			t.Fatalf("Render(%q) = %q, want it unchanged", format, got)
		}
	})
}
