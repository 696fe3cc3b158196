package schedexpr

import (
	"testing"
	"time"
)

// nextCase is an expression, a starting instant and the fire times Next
// must return one after the other; fewer than asked for means Next must
// then report that there are none.
type nextCase struct {
	name  string
	expr  string
	zone  string // "" for UTC
	after string // RFC 3339
	want  []string
	more  bool // the list is a prefix: do not expect the end after it
}

func runNextCases(t *testing.T, tests []nextCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Dialect: DialectScheduler, Location: time.UTC}
			if tt.zone != "" {
				opts.Location = mustLoad(t, tt.zone)
			}
			s := mustParse(t, tt.expr, opts)
			at := mustTime(t, tt.after)
			for i, w := range tt.want {
				got, ok := s.Next(at)
				want := mustTime(t, w)
				if !ok || !got.Equal(want) {
					t.Fatalf("%s: Next #%d after %s = %s %v, want %s", tt.expr, i+1, at.Format(time.RFC3339), got.Format(time.RFC3339), ok, want.Format(time.RFC3339))
				}
				if got.Location() != opts.Location {
					t.Fatalf("Next returned %v, not in %v", got, opts.Location)
				}
				at = got
			}
			if !tt.more {
				if got, ok := s.Next(at); ok {
					t.Fatalf("%s: Next after %s = %s, want none", tt.expr, at.Format(time.RFC3339), got.Format(time.RFC3339))
				}
			}
		})
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCronNext(t *testing.T) {
	t.Parallel()
	runNextCases(t, []nextCase{
		{name: "daily", expr: "cron(0 10 * * ? *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z"}, more: true},
		{name: "strictly after", expr: "cron(0 10 * * ? *)", after: "2024-01-01T10:00:00Z",
			want: []string{"2024-01-02T10:00:00Z"}, more: true},
		{name: "just before", expr: "cron(0 10 * * ? *)", after: "2024-01-01T09:59:59.999999999Z",
			want: []string{"2024-01-01T10:00:00Z"}, more: true},
		{name: "just after", expr: "cron(0 10 * * ? *)", after: "2024-01-01T10:00:00.000000001Z",
			want: []string{"2024-01-02T10:00:00Z"}, more: true},
		{name: "every minute", expr: "cron(* * * * ? *)", after: "2024-12-31T23:58:30Z",
			want: []string{"2024-12-31T23:59:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z"}, more: true},
		{name: "list", expr: "cron(5,35 14 * * ? *)", after: "2024-01-01T14:05:00Z",
			want: []string{"2024-01-01T14:35:00Z", "2024-01-02T14:05:00Z"}, more: true},
		{name: "increment from 1", expr: "cron(1/10 * * * ? *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-01T00:01:00Z", "2024-01-01T00:11:00Z", "2024-01-01T00:21:00Z",
				"2024-01-01T00:31:00Z", "2024-01-01T00:41:00Z", "2024-01-01T00:51:00Z", "2024-01-01T01:01:00Z"}, more: true},
		{name: "stepped range", expr: "cron(5-20/5 9 * * ? *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-01T09:05:00Z", "2024-01-01T09:10:00Z", "2024-01-01T09:15:00Z",
				"2024-01-01T09:20:00Z", "2024-01-02T09:05:00Z"}, more: true},
		{name: "weekdays in hours", expr: "cron(0/5 8-17 ? * MON-FRI *)", after: "2024-01-05T17:52:00Z", // a Friday
			want: []string{"2024-01-05T17:55:00Z", "2024-01-08T08:00:00Z"}, more: true},
		{name: "wrapping hours", expr: "cron(0 22-2 * * ? *)", after: "2024-01-01T21:30:00Z",
			want: []string{"2024-01-01T22:00:00Z", "2024-01-01T23:00:00Z", "2024-01-02T00:00:00Z",
				"2024-01-02T01:00:00Z", "2024-01-02T02:00:00Z", "2024-01-02T22:00:00Z"}, more: true},
		{name: "wrapping stepped hours", expr: "cron(0 22-2/2 * * ? *)", after: "2024-01-01T21:30:00Z",
			want: []string{"2024-01-01T22:00:00Z", "2024-01-02T00:00:00Z", "2024-01-02T02:00:00Z",
				"2024-01-02T22:00:00Z"}, more: true},
		{name: "wrapping weekdays", expr: "cron(0 0 ? * FRI-MON *)", after: "2024-01-01T00:00:00Z", // a Monday
			want: []string{"2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z",
				"2024-01-08T00:00:00Z", "2024-01-12T00:00:00Z"}, more: true},
		{name: "wrapping months", expr: "cron(0 0 1 NOV-FEB ? *)", after: "2024-03-01T00:00:00Z",
			want: []string{"2024-11-01T00:00:00Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z",
				"2025-02-01T00:00:00Z", "2025-11-01T00:00:00Z"}, more: true},
		{name: "wrapping days", expr: "cron(0 0 30-2 * ? *)", after: "2024-01-29T00:00:00Z",
			want: []string{"2024-01-30T00:00:00Z", "2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z",
				"2024-02-02T00:00:00Z", "2024-03-01T00:00:00Z"}, more: true},
		{name: "weekday numbers", expr: "cron(0 0 ? * 1,7 *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z", "2024-01-13T00:00:00Z"}, more: true},

		// Month ends and leap years.
		{name: "31st", expr: "cron(0 0 31 * ? *)", after: "2024-01-31T00:00:00Z",
			want: []string{"2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z",
				"2024-08-31T00:00:00Z", "2024-10-31T00:00:00Z"}, more: true},
		{name: "30th skips February", expr: "cron(0 0 30 * ? *)", after: "2024-01-30T12:00:00Z",
			want: []string{"2024-03-30T00:00:00Z", "2024-04-30T00:00:00Z"}, more: true},
		{name: "29 February", expr: "cron(0 0 29 2 ? *)", after: "2024-03-01T00:00:00Z",
			want: []string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}, more: true},
		{name: "29 February skips 2100", expr: "cron(0 0 29 2 ? *)", after: "2096-03-01T00:00:00Z",
			want: []string{"2104-02-29T00:00:00Z"}, more: true},
		{name: "last day, leap year", expr: "cron(0 0 L * ? *)", after: "2024-01-31T00:00:00Z",
			want: []string{"2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"}, more: true},
		{name: "last day, common year", expr: "cron(0 0 L * ? *)", after: "2023-01-31T00:00:00Z",
			want: []string{"2023-02-28T00:00:00Z"}, more: true},
		{name: "last day of February 2100", expr: "cron(0 0 L 2 ? 2100)", after: "2024-01-01T00:00:00Z",
			want: []string{"2100-02-28T00:00:00Z"}},
		{name: "30 February never", expr: "cron(0 0 30 2 ? *)", after: "2024-01-01T00:00:00Z"},
		{name: "31 April never", expr: "cron(0 0 31 APR ? *)", after: "2024-01-01T00:00:00Z"},

		// W: the nearest Monday-Friday, within the month.
		{name: "1W on a Saturday is Monday the 3rd", expr: "cron(0 9 1W * ? *)", after: "2024-05-15T00:00:00Z",
			want: []string{"2024-06-03T09:00:00Z", "2024-07-01T09:00:00Z", "2024-08-01T09:00:00Z",
				"2024-09-02T09:00:00Z"}, more: true}, // 1 June is a Saturday, 1 September a Sunday
		{name: "15W", expr: "cron(0 9 15W * ? *)", after: "2024-06-01T00:00:00Z",
			want: []string{"2024-06-14T09:00:00Z", "2024-07-15T09:00:00Z", "2024-08-15T09:00:00Z",
				"2024-09-16T09:00:00Z"}, more: true}, // 15 June a Saturday, 15 September a Sunday
		{name: "31W on a Sunday stays in the month", expr: "cron(0 9 31W * ? *)", after: "2024-03-01T00:00:00Z",
			want: []string{"2024-03-29T09:00:00Z", "2024-05-31T09:00:00Z", "2024-07-31T09:00:00Z",
				"2024-08-30T09:00:00Z", "2024-10-31T09:00:00Z", "2024-12-31T09:00:00Z"}, more: true},
		{name: "LW", expr: "cron(0 12 LW * ? *)", after: "2024-03-01T00:00:00Z",
			want: []string{"2024-03-29T12:00:00Z", "2024-04-30T12:00:00Z", "2024-05-31T12:00:00Z",
				"2024-06-28T12:00:00Z", "2024-07-31T12:00:00Z", "2024-08-30T12:00:00Z"}, more: true},
		{name: "LW in February", expr: "cron(0 12 LW 2 ? 2025-2026)", after: "2024-03-01T00:00:00Z",
			want: []string{"2025-02-28T12:00:00Z", "2026-02-27T12:00:00Z"}}, // 28 Feb 2026 is a Saturday

		// Day-of-week L and #.
		{name: "L is Saturday", expr: "cron(0 9 ? * L *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-06T09:00:00Z", "2024-01-13T09:00:00Z"}, more: true},
		{name: "last Friday", expr: "cron(0 9 ? * 6L *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-26T09:00:00Z", "2024-02-23T09:00:00Z", "2024-03-29T09:00:00Z"}, more: true},
		{name: "last Saturday", expr: "cron(0 9 ? * SATL *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-27T09:00:00Z", "2024-02-24T09:00:00Z", "2024-03-30T09:00:00Z"}, more: true},
		{name: "last Friday, 2019-2022", expr: "cron(15 10 ? * 6L 2019-2022)", after: "2022-11-01T00:00:00Z",
			want: []string{"2022-11-25T10:15:00Z", "2022-12-30T10:15:00Z"}},
		{name: "second Tuesday", expr: "cron(0 9 ? * 3#2 *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-09T09:00:00Z", "2024-02-13T09:00:00Z", "2024-03-12T09:00:00Z"}, more: true},
		{name: "first Monday", expr: "cron(0 9 ? * MON#1 *)", after: "2024-01-01T09:00:00Z",
			want: []string{"2024-02-05T09:00:00Z", "2024-03-04T09:00:00Z"}, more: true},
		{name: "fifth Sunday skips months without one", expr: "cron(0 9 ? * 1#5 *)", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-03-31T09:00:00Z", "2024-06-30T09:00:00Z"}, more: true},
		{name: "no fifth Sunday", expr: "cron(0 9 ? 2 1#5 2023)", after: "2020-01-01T00:00:00Z"},

		// The year range.
		{name: "last year", expr: "cron(0 0 1 1 ? 2199)", after: "2024-01-01T00:00:00Z",
			want: []string{"2199-01-01T00:00:00Z"}},
		{name: "last minute", expr: "cron(59 23 31 12 ? *)", after: "2199-12-31T23:58:00Z",
			want: []string{"2199-12-31T23:59:00Z"}},
		{name: "after the range", expr: "cron(* * * * ? *)", after: "2200-01-01T00:00:00Z"},
		{name: "far after the range", expr: "cron(* * * * ? *)", after: "9999-12-31T23:59:59Z"},
		{name: "before the range", expr: "cron(0 0 1 1 ? 1970)", after: "0001-01-01T00:00:00Z",
			want: []string{"1970-01-01T00:00:00Z"}},
		{name: "just before the range", expr: "cron(* * * * ? *)", after: "1969-12-31T23:59:59Z",
			want: []string{"1970-01-01T00:00:00Z"}, more: true},
		{name: "year range ends", expr: "cron(0 0 * * ? 2020-2021)", after: "2021-12-30T12:00:00Z",
			want: []string{"2021-12-31T00:00:00Z"}},
		{name: "year increment", expr: "cron(0 0 1 1 ? */100)", after: "2024-01-01T00:00:00Z",
			want: []string{"2070-01-01T00:00:00Z", "2170-01-01T00:00:00Z"}},
		{name: "year list", expr: "cron(0 0 1 1 ? 2030,2025)", after: "2024-01-01T00:00:00Z",
			want: []string{"2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z"}},
	})
}

func TestCronNextDST(t *testing.T) {
	t.Parallel()
	const ny, sydney, lordHowe = "America/New_York", "Australia/Sydney", "Australia/Lord_Howe"
	runNextCases(t, []nextCase{
		// New York, 10 March 2024: 02:00 EST becomes 03:00 EDT (07:00Z).
		{name: "spring: the day before", expr: "cron(30 2 * * ? *)", zone: ny, after: "2024-03-09T00:00:00Z",
			want: []string{"2024-03-09T07:30:00Z"}, more: true},
		{name: "spring: 02:30 is skipped", expr: "cron(30 2 * * ? *)", zone: ny, after: "2024-03-09T08:00:00Z",
			want: []string{"2024-03-11T06:30:00Z"}, more: true},
		{name: "spring: 02:00 is skipped", expr: "cron(0 2 * * ? *)", zone: ny, after: "2024-03-09T08:00:00Z",
			want: []string{"2024-03-11T06:00:00Z"}, more: true},
		{name: "spring: 03:00 exists", expr: "cron(0 3 * * ? *)", zone: ny, after: "2024-03-09T09:00:00Z",
			want: []string{"2024-03-10T07:00:00Z", "2024-03-11T07:00:00Z"}, more: true},
		{name: "spring: every half hour", expr: "cron(0/30 * * * ? *)", zone: ny, after: "2024-03-10T06:00:00Z",
			want: []string{"2024-03-10T06:30:00Z", "2024-03-10T07:00:00Z", "2024-03-10T07:30:00Z"}, more: true},
		{name: "spring: local time of day kept", expr: "cron(0 10 * * ? *)", zone: ny, after: "2024-03-09T00:00:00Z",
			want: []string{"2024-03-09T15:00:00Z", "2024-03-10T14:00:00Z"}, more: true},

		// New York, 3 November 2024: 02:00 EDT becomes 01:00 EST (06:00Z).
		{name: "fall: 01:30 runs once", expr: "cron(30 1 * * ? *)", zone: ny, after: "2024-11-02T12:00:00Z",
			want: []string{"2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"}, more: true},
		{name: "fall: the repeated hour is not repeated", expr: "cron(0/30 * * * ? *)", zone: ny, after: "2024-11-03T05:00:00Z",
			want: []string{"2024-11-03T05:30:00Z", "2024-11-03T07:00:00Z", "2024-11-03T07:30:00Z"}, more: true},
		{name: "fall: after, inside the repeated hour", expr: "cron(0/30 * * * ? *)", zone: ny, after: "2024-11-03T06:15:00Z",
			want: []string{"2024-11-03T07:00:00Z"}, more: true},
		{name: "fall: 01:00 runs at its first occurrence", expr: "cron(0 1 3 11 ? 2024)", zone: ny, after: "2024-11-01T00:00:00Z",
			want: []string{"2024-11-03T05:00:00Z"}},

		// Sydney: clocks go back on 7 April 2024 (03:00 AEDT to 02:00
		// AEST) and forward on 6 October 2024 (02:00 AEST to 03:00 AEDT).
		{name: "southern fall", expr: "cron(30 2 * * ? *)", zone: sydney, after: "2024-04-06T00:00:00Z",
			want: []string{"2024-04-06T15:30:00Z", "2024-04-07T16:30:00Z"}, more: true},
		{name: "southern spring", expr: "cron(30 2 * * ? *)", zone: sydney, after: "2024-10-05T00:00:00Z",
			want: []string{"2024-10-06T15:30:00Z"}, more: true},

		// Lord Howe Island moves its clocks by 30 minutes: back from 02:00
		// to 01:30 on 7 April 2024, forward from 02:00 to 02:30 on 6 October.
		{name: "half-hour fall", expr: "cron(45 1 * * ? *)", zone: lordHowe, after: "2024-04-06T00:00:00Z",
			want: []string{"2024-04-06T14:45:00Z", "2024-04-07T15:15:00Z"}, more: true},
		{name: "half-hour spring", expr: "cron(15 2 * * ? *)", zone: lordHowe, after: "2024-10-05T00:00:00Z",
			want: []string{"2024-10-06T15:15:00Z"}, more: true},

		// Past the transitions zone files list, across a year boundary.
		{name: "far future", expr: "cron(0 0 ? * FRI-MON 2129)", zone: ny, after: "0001-01-01T00:00:00Z",
			want: []string{"2129-01-01T05:00:00Z", "2129-01-02T05:00:00Z", "2129-01-03T05:00:00Z",
				"2129-01-07T05:00:00Z"}, more: true}, // 1 January 2129 is a Saturday
		{name: "far future fall", expr: "cron(30 1 * * ? *)", zone: ny, after: "2150-10-31T12:00:00Z",
			want: []string{"2150-11-01T05:30:00Z", "2150-11-02T06:30:00Z"}, more: true},

		// A zone without daylight saving time, off by half an hour.
		{name: "Kolkata midnight", expr: "cron(0 0 * * ? *)", zone: "Asia/Kolkata", after: "2024-01-01T00:00:00Z",
			want: []string{"2024-01-01T18:30:00Z", "2024-01-02T18:30:00Z"}, more: true},
	})
}

func TestRuleIgnoresLocation(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "cron(0 12 * * ? *)", Options{Dialect: DialectRule, Location: mustLoad(t, "America/New_York")})
	got, ok := s.Next(mustTime(t, "2024-07-01T00:00:00Z"))
	if want := mustTime(t, "2024-07-01T12:00:00Z"); !ok || !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Next = %v %v, want %v in UTC", got, ok, want)
	}
}

func TestRateNext(t *testing.T) {
	t.Parallel()
	start := mustTime(t, "2024-01-01T00:00:30Z") // rounded up to 00:01:00
	s := mustParse(t, "rate(5 minutes)", Options{Start: start})
	for _, tt := range []struct{ after, want string }{
		{"2023-12-31T00:00:00Z", "2024-01-01T00:01:00Z"},           // before the start: the start
		{"2024-01-01T00:00:30Z", "2024-01-01T00:01:00Z"},           // at the start
		{"2024-01-01T00:01:00Z", "2024-01-01T00:06:00Z"},           // strictly after
		{"2024-01-01T00:01:15Z", "2024-01-01T00:06:00Z"},           //
		{"2024-01-01T00:08:13Z", "2024-01-01T00:11:00Z"},           //
		{"2024-01-01T00:10:59.999999999Z", "2024-01-01T00:11:00Z"}, //
		{"2024-01-01T00:11:00Z", "2024-01-01T00:16:00Z"},           //
		{"2025-01-01T00:02:00Z", "2025-01-01T00:06:00Z"},           // a year on, still aligned
	} {
		got, ok := s.Next(mustTime(t, tt.after))
		if want := mustTime(t, tt.want); !ok || !got.Equal(want) {
			t.Errorf("Next(%s) = %v %v, want %v", tt.after, got, ok, want)
		}
	}

	// Without a start, the epoch anchors the rate.
	epoch := mustParse(t, "rate(7 minutes)", Options{})
	for _, tt := range []struct{ after, want string }{
		{"1969-12-31T00:00:00Z", "1970-01-01T00:00:00Z"},
		{"1970-01-01T00:00:00Z", "1970-01-01T00:07:00Z"},
		{"1970-01-01T01:00:00Z", "1970-01-01T01:03:00Z"},
	} {
		got, ok := epoch.Next(mustTime(t, tt.after))
		if want := mustTime(t, tt.want); !ok || !got.Equal(want) {
			t.Errorf("epoch: Next(%s) = %v %v, want %v", tt.after, got, ok, want)
		}
	}

	// A start in year 1 and an instant in year 9999 do not overflow.
	far := mustParse(t, "rate(1 day)", Options{Start: mustTime(t, "0001-01-01T00:00:00Z")})
	if got, ok := far.Next(mustTime(t, "9999-06-01T12:00:00Z")); !ok || !got.Equal(mustTime(t, "9999-06-02T00:00:00Z")) {
		t.Errorf("far: Next = %v %v", got, ok)
	}
}

// TestRateDST checks that a day is 24 hours: "When Daylight Saving Time
// shortens a day to 23 hours, or extends it to 25 hours, the EventBridge
// Scheduler evaluates the rate expression 24 hours after the schedule's last
// invocation."
func TestRateDST(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	start := time.Date(2024, 3, 9, 12, 0, 0, 0, ny)
	s := mustParse(t, "rate(1 day)", Options{Dialect: DialectScheduler, Location: ny, Start: start})
	got, ok := s.Next(start)
	if want := time.Date(2024, 3, 10, 13, 0, 0, 0, ny); !ok || !got.Equal(want) || got.Location() != ny {
		t.Fatalf("Next = %v %v, want %v", got, ok, want)
	}
}

func TestAtNext(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, expr, zone, want string
	}{
		{"UTC", "at(2030-01-02T03:04:05)", "UTC", "2030-01-02T03:04:05Z"},
		{"zone", "at(2030-07-01T09:00:00)", "America/New_York", "2030-07-01T13:00:00Z"},
		// Times clocks skip are read after the jump, repeated times at
		// their first occurrence.
		{"New York gap", "at(2024-03-10T02:30:00)", "America/New_York", "2024-03-10T07:30:00Z"},
		{"New York overlap", "at(2024-11-03T01:30:00)", "America/New_York", "2024-11-03T05:30:00Z"},
		{"London gap", "at(2024-03-31T01:30:00)", "Europe/London", "2024-03-31T01:30:00Z"},
		{"London overlap", "at(2024-10-27T01:30:00)", "Europe/London", "2024-10-27T00:30:00Z"},
		{"Lord Howe gap", "at(2024-10-06T02:15:00)", "Australia/Lord_Howe", "2024-10-05T15:45:00Z"},
	} {
		s := mustParse(t, tt.expr, Options{Dialect: DialectScheduler, Location: mustLoad(t, tt.zone)})
		want := mustTime(t, tt.want)
		if got, ok := s.Next(want.Add(-time.Nanosecond)); !ok || !got.Equal(want) {
			t.Errorf("%s: Next = %v %v, want %v", tt.name, got, ok, want)
		}
		if got, ok := s.Next(want); ok {
			t.Errorf("%s: Next(at) = %v, want none", tt.name, got)
		}
		if got, ok := s.Next(time.Time{}); !ok || !got.Equal(want) {
			t.Errorf("%s: Next(zero) = %v %v", tt.name, got, ok)
		}
	}
}

func TestWallInstant(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		zone, wall, want string
		gap              bool
	}{
		{"America/New_York", "2024-07-01T12:00:00Z", "2024-07-01T16:00:00Z", false},
		{"America/New_York", "2024-03-10T01:59:00Z", "2024-03-10T06:59:00Z", false},
		{"America/New_York", "2024-03-10T02:00:00Z", "2024-03-10T07:00:00Z", true},
		{"America/New_York", "2024-03-10T02:59:00Z", "2024-03-10T07:59:00Z", true},
		{"America/New_York", "2024-03-10T03:00:00Z", "2024-03-10T07:00:00Z", false},
		{"America/New_York", "2024-11-03T00:59:00Z", "2024-11-03T04:59:00Z", false},
		{"America/New_York", "2024-11-03T01:00:00Z", "2024-11-03T05:00:00Z", false},
		{"America/New_York", "2024-11-03T01:59:00Z", "2024-11-03T05:59:00Z", false},
		{"America/New_York", "2024-11-03T02:00:00Z", "2024-11-03T07:00:00Z", false},
		{"Europe/London", "2024-03-31T01:00:00Z", "2024-03-31T01:00:00Z", true},
		{"Australia/Lord_Howe", "2024-04-07T01:45:00Z", "2024-04-06T14:45:00Z", false},
		{"Asia/Kolkata", "2024-01-01T00:00:00Z", "2023-12-31T18:30:00Z", false},
		{"America/New_York", "2129-01-01T00:00:00Z", "2129-01-01T05:00:00Z", false},
		{"America/New_York", "2128-12-31T19:00:00Z", "2129-01-01T00:00:00Z", false},
		{"America/New_York", "2150-03-08T02:30:00Z", "2150-03-08T07:30:00Z", true},
		{"Pacific/Apia", "2011-12-30T12:00:00Z", "2011-12-30T22:00:00Z", true}, // Samoa skipped 30 December 2011
		{"UTC", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", false},
	} {
		wall := mustTime(t, tt.wall).Unix()
		u, gap := wallInstant(wall, mustLoad(t, tt.zone))
		if want := mustTime(t, tt.want).Unix(); u != want || gap != tt.gap {
			t.Errorf("%s %s: got %s gap=%v, want %s gap=%v", tt.zone, tt.wall,
				time.Unix(u, 0).UTC().Format(time.RFC3339), gap, tt.want, tt.gap)
		}
	}
}

func BenchmarkNext(b *testing.B) {
	ny := mustLoad(b, "America/New_York")
	for _, expr := range []string{"cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 6L *)", "cron(0 0 29 2 ? *)", "rate(5 minutes)"} {
		s := mustParse(b, expr, Options{Dialect: DialectScheduler, Location: ny})
		after := time.Date(2024, 11, 3, 1, 30, 0, 0, ny)
		b.Run(expr, func(b *testing.B) {
			for b.Loop() {
				s.Next(after)
			}
		})
	}
}
