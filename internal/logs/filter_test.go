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
		{`{ $.flag = true }`, `{"flag":true}`, true},
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
	for _, bad := range []string{"{ $.a = }", "{ $.a ~ 1 }", "{ a = 1 }", "{ $.a = 1", "[ip, user]", "{ ($.a = 1 }"} {
		if _, err := ParseFilterPattern(bad); err == nil {
			t.Errorf("ParseFilterPattern(%q) accepted", bad)
		}
	}
}

func FuzzParseFilterPattern(f *testing.F) {
	for _, s := range []string{"", "ERROR", `"a b" ?c -d`, `{ $.a = "x" && ($.b > 1 || $.c IS NULL) }`, `{ $.a[0].b NOT EXISTS }`, "{", "{ ( }", "[a,b]", `{ $.a = "unterminated }`} {
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
