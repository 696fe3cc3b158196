package logs

import "testing"

// FuzzFilterPattern parses filter patterns and matches them against
// messages: nothing may panic, and a space-delimited pattern extracts
// fields exactly from the messages it matches.
func FuzzFilterPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"", "anything"},
		{"ERROR -Retrying", "ERROR fatal"},
		{`?"two words" ?WARN`, "two words here"},
		{`{ $.level = "error" && $.latency > 100 }`, `{"level":"error","latency":150}`},
		{`{ ($.a[0].b = * || $.c IS NULL) && $.d NOT EXISTS }`, `{"a":[{"b":1}],"c":null}`},
		{`{ $.message = %refused|timed out% }`, `{"message":"refused"}`},
		{`%ERR[0-9]+%`, "ERR42"},
		{`[ip, user, ..., status=4*, bytes>1000]`, `1.2.3.4 bob [x y] "GET /" 404 2048`},
		{`[..., a, ..., b=1 || b=2 && b!=3]`, `x a y 2`},
		{`[ip=%^1[0-9]{1,2}\.%, ..., code!=%^2% || code=%x,y%]`, `10.0.0.1 - 404`},
		{`[a,,b]`, `1 2`},
		{`[`, ``},
		{`{ $.x = `, `{}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := ParseFilterPattern(pattern)
		if err != nil {
			return
		}
		matched := p.Match(msg)
		fields := p.ExtractedFields(msg)
		if p.delimited != nil && (fields != nil) != matched {
			t.Fatalf("%q on %q: matched %v but extracted %v", pattern, msg, matched, fields)
		}
		// Metric filters match as FilterLogEvents does, and read any
		// field reference without panicking.
		m, ok := matchEvent(p, msg)
		if ok != matched {
			t.Fatalf("%q on %q: Match %v, matchEvent %v", pattern, msg, matched, ok)
		}
		if ok {
			for _, ref := range []string{"$.x", "$.a[0].b", "$ip", "$.", "$"} {
				m.field(ref)
			}
		}
	})
}
