package schedexpr

import (
	"errors"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(24 hours)", "rate(1 day)", "rate(153722867 minutes)",
	"rate(1 minutes)", "rate(0 minutes)", "rate(-1 day)", "rate( 1 day)", "rate(1  day)", "rate(99999999999999999999 days)",
	"cron(0 10 * * ? *)", "cron(0/15 * * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0/30 20-2 ? * MON-FRI *)",
	"cron(15 10 ? * 6L 2019-2022)", "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 1W * ? *)", "cron(0 0 31W 2 ? *)",
	"cron(0 0 ? * 3#2 *)", "cron(0 0 ? * 1#5 *)", "cron(0 0 ? * L *)", "cron(0 0 ? * satl *)", "cron(0 0 30 2 ? *)",
	"cron(59 23 31 12 ? 2199)", "cron(0 0 1 1 ? 1970)", "cron(* * * * ? *)", "cron(30 1 * * ? *)", "cron(30 2 * * ? *)",
	"cron(0 22-2/2 25-5 NOV-FEB ? */7)", "cron(0 0 ? * FRI-MON 2020,2199)", "cron(1-59/58,0 0-23/23 1/31 1/12 ? 1970/229)",
	"cron(0 0 * * * *)", "cron(0 0 ? * ? *)", "cron(*/60 * * * ? *)", "cron(0 0 3#1,6#3 * ? *)", "cron(0 0 ? * 2#6 *)",
	"cron(0 0 L-3 * ? *)", "cron()", "cron(      )", "cron(0 0 * * ? * )", "cron(0,,0 0 * * ? *)",
	"at(2022-11-20T13:00:00)", "at(2024-03-10T02:30:00)", "at(2024-11-03T01:30:00)", "at(2199-12-31T23:59:59)",
	"at(0000-01-01T00:00:00)", "at(2022-02-30T00:00:00)", "at(2022-11-20T13:00:00.5)", "at(2021-12-31T23:59:59Z)",
	"", ")", "rate()", "cron(", "at()", "rate(1 day))",
}

// fuzzInstants are the instants every parsed schedule is asked about:
// around daylight saving changes, the year range's ends and far outside it.
var fuzzInstants = []string{
	"0001-01-01T00:00:00Z", "1969-12-31T23:59:30Z", "1970-01-01T00:00:00Z", "2024-02-28T23:59:59Z",
	"2024-03-10T06:59:00Z", "2024-11-03T05:30:00Z", "2024-11-03T06:30:00.5Z", "2199-12-31T23:00:00Z",
	"2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
}

// FuzzParse checks that Parse never panics, that it fails only with an
// *Error in the dialect's wording, and that a parsed schedule's Next
// returns, returns instants strictly after its argument, returns whole
// minutes for cron and rate, and returns cron instants whose wall-clock
// reading the expression matches.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	start := time.Date(2024, 3, 9, 12, 34, 56, 0, time.UTC)
	instants := make([]time.Time, len(fuzzInstants))
	for i, s := range fuzzInstants {
		instants[i] = mustTime(f, s)
	}

	f.Fuzz(func(t *testing.T, expr string, scheduler bool) {
		opts := Options{Dialect: DialectRule, Location: ny, Start: start}
		wantMessage := "Parameter ScheduleExpression is not valid."
		if scheduler {
			opts.Dialect = DialectScheduler
			wantMessage = "Invalid Schedule Expression " + expr + "."
		}
		s, err := Parse(expr, opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message != wantMessage || err.Error() != wantMessage || e.Reason == "" {
				t.Fatalf("Parse(%q) = %#v", expr, err)
			}
			return
		}
		if s.String() != expr || s.Kind() < KindRate || s.Kind() > KindAt || (s.Kind() == KindAt && !scheduler) {
			t.Fatalf("Parse(%q) = kind %v, expr %q", expr, s.Kind(), s.String())
		}
		for _, after := range instants {
			got, ok := s.Next(after)
			if !ok {
				continue
			}
			if !got.After(after) {
				t.Fatalf("%q: Next(%v) = %v, not after it", expr, after, got)
			}
			if s.Kind() != KindAt && (got.Second() != 0 || got.Nanosecond() != 0) {
				t.Fatalf("%q: Next(%v) = %v, not a whole minute", expr, after, got)
			}
			if s.Kind() == KindCron && !refMatches(s.cron, got.In(s.Location())) {
				t.Fatalf("%q: Next(%v) = %v, which the expression does not match", expr, after, got)
			}
			if again, ok := s.Next(got); ok && !again.After(got) {
				t.Fatalf("%q: Next(%v) = %v, not after it", expr, got, again)
			}
		}
	})
}
