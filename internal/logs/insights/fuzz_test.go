package insights

import (
	"errors"
	"testing"
)

// FuzzParse checks that any query either compiles or fails with an
// *Error whose location lies within the query, and that a compiled query
// runs over records without panicking.
func FuzzParse(f *testing.F) {
	for _, q := range []string{
		"fields @timestamp, @message | sort @timestamp desc | limit 20",
		`filter @type = "REPORT" | stats avg(@duration), max(@maxMemoryUsed) by bin(5m)`,
		"filter @message like /ERROR/ | stats count(*) by @logStream",
		`parse @message "user=* action=*" as user, action | stats count(*) by action`,
		`parse @message /(?<a>\w+) (?<b>\d+)/ | display a, b`,
		"fields abs(a - b) ^ 2 % 3 as x, `odd-name` | filter x in [1, 2, 'y'] or not ispresent(x)",
		"stats max(a) as m, min(a) as n, m - n as d, pct(a, 95) | sort d desc | dedup d | limit 1",
		"fields datefloor(@timestamp, 1h), dateceil(@timestamp, 5m), fromMillis(0), toMillis(@timestamp) # c",
		"filter a =~ /x\\/y/ and b != \"q\\\"\" | fields trim(' a '), substr('abc', 1), replace(a, 'b', 'c')",
		"", "|", "fields", "stats count(", "filter a like", "limit 99999", "parse 'x*' as", "`", "/", "1e", "5mo",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := Parse(q)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %v, not an *Error", q, err)
			}
			if n := len([]rune(q)); e.Start < 0 || e.End < e.Start || e.End > n {
				t.Fatalf("Parse(%q): location %d-%d outside the query (%d characters)", q, e.Start, e.End, n)
			}
			return
		}
		ex := parsed.Start(100)
		for _, r := range lambdaRecords() {
			ex.Add(r)
		}
		ex.Finish()
	})
}
