package logs

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func TestFilterPattern(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, msg string
		want         bool
	}{
		{"", "anything", true},
		{"ERROR", "an ERROR here", true},
		{"ERROR", "an error here", false},
		{"ERROR Exception", "ERROR: NullPointerException", true},
		{"ERROR Exception", "ERROR only", false},
		{`"two words"`, "some two words here", true},
		{`"two words"`, "two other words", false},
		{"?ERROR ?WARN", "WARN low disk", true},
		{"?ERROR ?WARN", "INFO ok", false},
		{"ERROR -Retrying", "ERROR Retrying later", false},
		{"ERROR -Retrying", "ERROR fatal", true},
		{`{ $.level = "error" }`, `{"level":"error"}`, true},
		{`{ $.level = "error" }`, `{"level":"warn"}`, false},
		{`{ $.level = "error" }`, `not json`, false},
		{`{ $.a.b[1] = 7 }`, `{"a":{"b":[1,7]}}`, true},
		{`{ $.latency >= 100 && $.ok IS NULL }`, `{"latency":100,"ok":null}`, true},
		{`{ ($.x = 1 || $.x = 2) && $.y NOT EXISTS }`, `{"x":2}`, true},
		{`{ $.x != 1 }`, `{"x":1}`, false},
		{`{ $.name = "ab*" }`, `{"name":"abc"}`, true},
		{`{ $.p = "/api/*" }`, `{"p":"/api/v1/x"}`, true},
		{`{ $.p = "*x?[a]" }`, `{"p":"/v1/x?[a]"}`, true},
		{`{ $.p = "*x?[a]" }`, `{"p":"/v1/xy[a]"}`, false},
		{`{ $.p != "/api/*" }`, `{"p":"/api/v1/x"}`, false},
		{`{ $.ip != 123.123.* }`, `{"ip":"123.123.4.5"}`, false},
		{`{ $.ip != 123.123.* }`, `{"ip":"10.0.0.1"}`, true},
		{`{ $.flag = true }`, `{"flag":true}`, true},
		// IS TRUE / IS FALSE test a boolean; "= *" (quoted or not) only
		// that the field exists, whatever its type: the forms AWS CDK's
		// FilterPattern.booleanValue and exists generate.
		{`{ $.flag IS TRUE }`, `{"flag":true}`, true},
		{`{ $.flag IS TRUE }`, `{"flag":"true"}`, false},
		{`{ $.flag IS FALSE }`, `{"flag":false}`, true},
		{`{ $.flag IS FALSE }`, `{}`, false},
		{`{ $.latency = "*" }`, `{"latency":12}`, true},
		{`{ $.latency = * }`, `{"latency":{"p99":3}}`, true},
		{`{ $.latency = "*" }`, `{"other":1}`, false},
		{`{ ($.comp = "Http") && (($.ok IS TRUE) || ($.latency > 1000)) }`, `{"comp":"Http","ok":false,"latency":1500}`, true},
		// A regular expression on a JSON string field, as AWS CDK's
		// FilterPattern.regexValue writes it.
		{`{ $.message = %bind: address already in use% }`, `{"message":"listen: bind: address already in use"}`, true},
		{`{ $.message = %^refused|timed out$% }`, `{"message":"it timed out"}`, true},
		{`{ $.message != %refused% }`, `{"message":"connection refused"}`, false},
		{`{ $.message = %refused% && $.code = 7 }`, `{"message":"refused","code":7}`, true},
	}
	for _, c := range cases {
		p, err := ParseFilterPattern(c.pattern)
		if err != nil {
			t.Errorf("ParseFilterPattern(%q): %v", c.pattern, err)
			continue
		}
		if got := p.Match(c.msg); got != c.want {
			t.Errorf("%q on %q = %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
	for _, bad := range []string{"{ $.a = }", "{ $.a ~ 1 }", "{ a = 1 }", "{ $.a = 1", "[ip, user", "{ ($.a = 1 }", "{ $.a IS MAYBE }", "{ $.a > %x% }", "{ $.a = %x }"} {
		if _, err := ParseFilterPattern(bad); err == nil {
			t.Errorf("ParseFilterPattern(%q) accepted", bad)
		}
	}
}

func FuzzParseFilterPattern(f *testing.F) {
	for _, s := range []string{"", "ERROR", `"a b" ?c -d`, `{ $.a = "x" && ($.b > 1 || $.c IS NULL) }`, `{ $.a[0].b NOT EXISTS }`, "{", "{ ( }", "[a,b]", `{ $.a = "unterminated }`, "[..., a=x*, b>1 || b<0, ...]", "%a.b|c$%"} {
		f.Add(s, `{"a":"x","b":2}`)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := ParseFilterPattern(pattern)
		if err != nil {
			return
		}
		p.Match(msg)
	})
}

func TestSinkWritesBatchedStreams(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(Deps{Store: db, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Sink().Stream("/aws/lambda/f", "2026/01/01/[$LATEST]abc")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := 0; i < 300; i++ { // more than one batch
		if err := w.Write(now, "line"); err != nil {
			t.Fatal(err)
		}
	}
	w.Write(now.Add(-time.Second), "") // stepped-back clock and an empty line
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := s.getLogEvents(context.Background(), &GetLogEventsRequest{LogGroupName: ptr("/aws/lambda/f"), LogStreamName: ptr("2026/01/01/[$LATEST]abc"), StartFromHead: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 301 {
		t.Fatalf("%d events stored, want 301", len(out.Events))
	}
}

func TestFilterPatternRegexAndSpaceDelimited(t *testing.T) {
	t.Parallel()
	const report = "REPORT RequestId: 3f9c\tDuration: 1503.25 ms\tBilled Duration: 1504 ms\tMemory Size: 128 MB\tMax Memory Used: 41 MB\t"
	const access = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534`
	cases := []struct {
		pattern, msg string
		want         bool
	}{
		// Regular expressions, between % signs.
		{"%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", true},
		{"%hel+o%", "hello from python", true},
		{"%hel+o%", "help", false},
		{"%^[hc]at%", "cat food", true},
		{"%^[hc]at%", "a cat", false},
		{`%\d{3}\.\d%`, "took 123.4 ms", true},
		{"%[Ee]rror|[Ff]ail%", "it failed", true},
		{"%[Ee]rror|[Ff]ail%", "all good", false},
		// Space-delimited: fields by position, tabs separate too.
		{`[type=REPORT, ...]`, report, true},
		{`[type=START, ...]`, report, false},
		{`[type=REPORT, rid_label, rid, duration_label="Duration:", duration>1000, ...]`, report, true},
		{`[type=REPORT, rid_label, rid, duration_label="Duration:", duration>2000, ...]`, report, false},
		{`[..., used_label="Used:", used, unit=MB]`, report, true},
		{`[ip, user, username, timestamp, request="GET *", status_code=4*, bytes]`, access, true},
		{`[ip, user, username, timestamp, request, status_code=5* || status_code=4*, bytes>1000]`, access, true},
		{`[ip, user, username, timestamp, request, status_code!=404, bytes]`, access, false},
		{`[ip, user, username, timestamp, request, status_code>=400 && status_code<500, bytes]`, access, true},
		{`[ip, user, username=frank, timestamp="10/Oct/2000*", ...]`, access, true},
		{`[ip, user]`, access, false}, // without ..., the field count must match
		{`[a, b, c]`, "one two three", true},
		{`[a, b, c]`, "one two", false},
		{`[..., last=three]`, "one two three", true},
		// A regular expression on a field, = or !=, searched for in it;
		// commas and | inside it do not split the pattern.
		{`[ip=%^127\.0\.0\.[1-9]%, ...]`, access, true},
		{`[ip=%^10\.%, ...]`, access, false},
		{`[ip, user, username, timestamp, request = %GET /[a-z_]{3,20}\.gif%, ...]`, access, true},
		{`[ip, user, username!=%^fr%, ...]`, access, false},
		{`[..., status_code=%^5% || status_code=%^4%, bytes]`, access, true},
		{`[..., status_code=%^5%, bytes]`, access, false},
		{`[a, b="50%", c]`, "x 50% y", true},
	}
	for _, c := range cases {
		p, err := ParseFilterPattern(c.pattern)
		if err != nil {
			t.Errorf("ParseFilterPattern(%q): %v", c.pattern, err)
			continue
		}
		if got := p.Match(c.msg); got != c.want {
			t.Errorf("%q on %q = %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
	for _, bad := range []string{
		"%%", "%a(b)c%", "%bad!%", "%é%", // regex: empty, parentheses, unsupported characters
		"[a, b", "[]", "[a b, c]", "[a=, b]", "[a>x, b]", "[a, %b%]", // space-delimited
		"[a>%1%, b]", "[a=%b(c)%, d]", "[a=%b, c]", // regex on a field: = or != only, supported syntax, closed
		"[a=%1%, b=%2%, c=%3%]", `{ $.a = %1% && $.b = %2% && $.c = %3% }`, // at most 2 regular expressions
		`{ $.level = %ERR(OR)% }`, // regex inside JSON, with parentheses
	} {
		if _, err := ParseFilterPattern(bad); err == nil {
			t.Errorf("ParseFilterPattern(%q) accepted", bad)
		}
	}
}
