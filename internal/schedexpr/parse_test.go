package schedexpr

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // tests load IANA zones whatever the machine has installed
)

var dialects = []Dialect{DialectRule, DialectScheduler}

func dialectName(d Dialect) string {
	if d == DialectScheduler {
		return "scheduler"
	}
	return "rule"
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustParse(t testing.TB, expr string, opts Options) Schedule {
	t.Helper()
	s, err := Parse(expr, opts)
	if err != nil {
		var e *Error
		errors.As(err, &e)
		t.Fatalf("Parse(%q): %v (%s)", expr, err, e.Reason)
	}
	return s
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr          string
		kind          Kind
		schedulerOnly bool
	}{
		// Rate: singular for 1, plural otherwise.
		{"rate(1 minute)", KindRate, false},
		{"rate(5 minutes)", KindRate, false},
		{"rate(1 hour)", KindRate, false},
		{"rate(12 hours)", KindRate, false},
		{"rate(1 day)", KindRate, false},
		{"rate(365 days)", KindRate, false},

		// The user guides' examples.
		{"cron(0 10 * * ? *)", KindCron, false},
		{"cron(15 12 * * ? *)", KindCron, false},
		{"cron(0 18 ? * MON-FRI *)", KindCron, false},
		{"cron(0 8 1 * ? *)", KindCron, false},
		{"cron(0/15 * * * ? *)", KindCron, false},
		{"cron(0/10 * ? * MON-FRI *)", KindCron, false},
		{"cron(0/5 8-17 ? * MON-FRI *)", KindCron, false},
		{"cron(0/30 20-2 ? * MON-FRI *)", KindCron, false},
		{"cron(0 12 * * ? *)", KindCron, false},
		{"cron(5,35 14 * * ? *)", KindCron, false},
		{"cron(15 10 ? * 6L 2019-2022)", KindCron, false},

		// Every wildcard in every field that takes it.
		{"cron(0,15,30,45 0,12 1,15 1,6 ? 2020,2030)", KindCron, false}, // ,
		{"cron(0-29 8-17 1-15 JAN-JUN ? 2020-2030)", KindCron, false},   // -
		{"cron(* * * * ? *)", KindCron, false},                          // * and ?
		{"cron(0 0 ? * * *)", KindCron, false},                          // ? in day-of-month
		{"cron(1/10 */2 5/3 FEB/2 ? 2020/5)", KindCron, false},          // /
		{"cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)", KindCron, false},         // accepted by Scheduler
		{"cron(30-30 13-13 ? * 2,4,6 *)", KindCron, false},              // accepted by Scheduler
		{"cron(1-31/30 1-1 ? * 1,7 *)", KindCron, false},                // accepted by Scheduler
		{"cron(0 0 1/10,2,3/8 * ? *)", KindCron, false},                 // lists of increments
		{"cron(0 1-7/2,11-23/2 * * ? *)", KindCron, false},              // lists of stepped ranges
		{"cron(0 0 1 JAN-APR,JUL-OCT/2,DEC ? *)", KindCron, false},      // names in stepped ranges
		{"cron(*/5,*/7 * * * ? *)", KindCron, false},                    // */n in a list
		{"cron(0 0 L * ? *)", KindCron, false},                          // L in day-of-month
		{"cron(0 0 LW * ? *)", KindCron, false},                         // LW
		{"cron(0 0 15W * ? *)", KindCron, false},                        // W
		{"cron(0 0 1W * ? *)", KindCron, false},                         // W
		{"cron(0 0 31W * ? *)", KindCron, false},                        // W
		{"cron(0 0 ? * L *)", KindCron, false},                          // L in day-of-week
		{"cron(0 0 ? * 5L *)", KindCron, false},                         // nL
		{"cron(0 0 ? * FRIL *)", KindCron, false},                       // name + L
		{"cron(0 0 ? * 3#2 *)", KindCron, false},                        // #
		{"cron(0 0 ? * TUE#2 *)", KindCron, false},                      // name + #
		{"cron(0 0 ? * 1#5 *)", KindCron, false},                        // fifth Sunday
		{"cron(0 0 1 jan,Jul,DEC ? *)", KindCron, false},                // names are case-insensitive
		{"cron(0 0 ? * mon-Fri *)", KindCron, false},                    // names are case-insensitive
		{"cron(0 0 lw * ? *)", KindCron, false},                         // so are L and W
		{"cron(0 0 ? * 6l *)", KindCron, false},                         // so are L and W
		{"cron(0 0 ? * 1,7 *)", KindCron, false},                        // weekday numbers
		{"cron(0 0 1 02-MAR ? *)", KindCron, false},                     // numbers and names mixed
		{"cron(07 07/12 ? * * *)", KindCron, false},                     // leading zeros
		{"cron(0 0 25-5 * ? *)", KindCron, false},                       // wrapping day-of-month range
		{"cron(0 0 ? * FRI-MON *)", KindCron, false},                    // wrapping weekday range
		{"cron(0 0 1 NOV-FEB ? *)", KindCron, false},                    // wrapping month range
		{"cron(0 22-2/2 * * ? *)", KindCron, false},                     // wrapping stepped range
		{"cron(0 0 1 1 ? 1970)", KindCron, false},                       // first year
		{"cron(59 23 31 12 ? 2199)", KindCron, false},                   // last year
		{"cron(0 0 * * ? */229)", KindCron, false},                      // largest year increment
		{"cron(0/59 0/23 1/31 1/12 ? *)", KindCron, false},              // largest increments
		{"cron(0  0   * * ? *)", KindCron, false},                       // runs of spaces
		{"cron(0 0 30 2 ? *)", KindCron, false},                         // valid, never fires

		// at() is Scheduler's.
		{"at(2022-11-20T13:00:00)", KindAt, true},
		{"at(2024-02-29T23:59:59)", KindAt, true},
		{"at(2022-12-31T23:59:59)", KindAt, true}, // in the past: accepted
	}
	for _, tt := range tests {
		for _, d := range dialects {
			if tt.schedulerOnly && d == DialectRule {
				continue
			}
			s, err := Parse(tt.expr, Options{Dialect: d})
			if err != nil {
				var e *Error
				errors.As(err, &e)
				t.Errorf("%s: Parse(%q): %v (%s)", dialectName(d), tt.expr, err, e.Reason)
				continue
			}
			if s.Kind() != tt.kind || s.String() != tt.expr {
				t.Errorf("%s: Parse(%q) = %v %q", dialectName(d), tt.expr, s.Kind(), s.String())
			}
		}
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr      string
		ruleOnly  bool // valid for Scheduler
		rationale string
	}{
		// Rejected by the real services (EventBridge and Scheduler).
		{"rate(10 seconds)", false, "unit"},
		{"rate(10 years)", false, "unit"},
		{"rate(1 minutes)", true, "plural for 1"},
		{"rate(1 hours)", true, "plural for 1"},
		{"rate(1 days)", true, "plural for 1"},
		{"rate(10 minute)", true, "singular for 10"},
		{"rate(3 minute)", true, "singular for 3"},
		{"rate(10 hour)", true, "singular for 10"},
		{"rate(10 day)", true, "singular for 10"},
		{"rate()", false, "empty"},
		{"rate(10)", false, "no unit"},
		{"rate(10 minutess)", false, "unit"},
		{"rate(foo minutes)", false, "value"},
		{"rate(0 minutes)", false, "zero"},
		{"rate(-10 minutes)", false, "negative"},
		{"rate(10 MINUTES)", false, "upper-case unit"},
		{"rate( 10 minutes )", false, "spaces inside"},
		{" rate(10 minutes)", false, "leading space"},
		{"cron(0 1 * * * *)", false, "* in both day fields"},
		{"cron(7 20 * * NOT *)", false, "weekday name"},
		{"cron(INVALID)", false, "one field"},
		{"cron(0 dummy ? * MON-FRI *)", false, "hour"},
		{"cron(71 8 1 * ? *)", false, "minute 71"},
		{"cron()", false, "empty"},
		{"cron(*/60 * * * ? *)", false, "increment 60"},
		{"cron(15 12 ? * -1 *)", false, "weekday -1"},
		{"cron(0/1 * * ? *)", false, "five fields"},
		{"cron(0/15 * * * * *)", false, "* in both day fields"},
		{"cron(*/1 * * * *)", false, "five fields"},
		{"at(2021-12-31T23:59:59Z)", false, "zone suffix"},
		{"at(2021-12-31)", false, "no time"},

		// Rate, by the documented grammar.
		{"rate(10  minutes)", false, "two spaces"},
		{"rate(10 minutes) ", false, "trailing space"},
		{"rate(10 minutes", false, "no parenthesis"},
		{"rate(5 minutes))", false, "extra parenthesis"},
		{"RATE(10 minutes)", false, "upper-case keyword"},
		{"rate(+5 minutes)", false, "sign"},
		{"rate(1.5 hours)", false, "fraction"},
		{"rate(10 Minutes)", false, "mixed-case unit"},
		{"rate(99999999999999999999 days)", false, "overflow"},
		{"rate(200000 days)", false, "period over 292 years"},

		// Cron: field count and spacing.
		{"cron(0 0 * * ? * 1)", false, "seven fields"},
		{"cron( 0 0 * * ? *)", false, "leading space"},
		{"cron(0 0 * * ? * )", false, "trailing space"},
		{"cron(0\t0 * * ? *)", false, "tab"},
		{"CRON(0 0 * * ? *)", false, "upper-case keyword"},
		{"cron 0 0 * * ? *", false, "no parentheses"},

		// Cron: values out of range or malformed.
		{"cron(60 0 * * ? *)", false, "minute 60"},
		{"cron(0 24 * * ? *)", false, "hour 24"},
		{"cron(0 0 0 * ? *)", false, "day 0"},
		{"cron(0 0 32 * ? *)", false, "day 32"},
		{"cron(0 0 1 0 ? *)", false, "month 0"},
		{"cron(0 0 1 13 ? *)", false, "month 13"},
		{"cron(0 0 ? * 0 *)", false, "weekday 0"},
		{"cron(0 0 ? * 8 *)", false, "weekday 8"},
		{"cron(0 0 ? * 01 *)", false, "two-digit weekday"},
		{"cron(0 0 * * ? 1969)", false, "year 1969"},
		{"cron(0 0 * * ? 2200)", false, "year 2200"},
		{"cron(0 0 * * ? 20)", false, "two-digit year"},
		{"cron(001 0 * * ? *)", false, "three-digit minute"},
		{"cron(0 0 1 JANUARY ? *)", false, "long month name"},
		{"cron(0 0 ? * MONDAY *)", false, "long weekday name"},
		{"cron(0 0 1 JAN ? 2020-2030-2040)", false, "double range"},
		{"cron(0 0 * * ? 2030-2020)", false, "backwards year range"},
		{"cron(L 0 * * ? *)", false, "L in minutes"},
		{"cron(0 0 * * ? L)", false, "L in year"},
		{"cron(0 0 1 L ? *)", false, "L in month"},
		{"cron(# 0 * * ? *)", false, "# in minutes"},
		{"cron(0 ? * * ? *)", false, "? in hours"},

		// Cron: lists, ranges and increments.
		{"cron(1,,2 0 * * ? *)", false, "empty list item"},
		{"cron(1, 0 * * ? *)", false, "trailing comma"},
		{"cron(,1 0 * * ? *)", false, "leading comma"},
		{"cron(*,5 0 * * ? *)", false, "* in a list"},
		{"cron(*-5 0 * * ? *)", false, "* in a range"},
		{"cron(-5 0 * * ? *)", false, "open range"},
		{"cron(5- 0 * * ? *)", false, "open range"},
		{"cron(5/0 0 * * ? *)", false, "zero increment"},
		{"cron(/5 0 * * ? *)", false, "increment without start"},
		{"cron(5/ 0 * * ? *)", false, "increment without step"},
		{"cron(5/x 0 * * ? *)", false, "increment not a number"},
		{"cron(5/5/5 0 * * ? *)", false, "two increments"},
		{"cron(65/15 0 * * ? *)", false, "start out of range"},
		{"cron(0 */24 * * ? *)", false, "hour increment 24"},
		{"cron(0 0 */32 * ? *)", false, "day increment 32"},
		{"cron(0 0 1 */13 ? *)", false, "month increment 13"},
		{"cron(0 0 * * ? */230)", false, "year increment 230"},
		{"cron(0 0 1 2/FEB ? *)", false, "named increment"},
		{"cron(0 0 ? * MON/2 *)", false, "/ in day-of-week"},
		{"cron(0 0 ? * */2 *)", false, "/ in day-of-week"},

		// Cron: the day fields.
		{"cron(0 0 ? * ? *)", false, "? in both day fields"},
		{"cron(0 0 1 * MON *)", false, "values in both day fields"},
		{"cron(0 0 * * * *)", false, "* in both day fields"},
		{"cron(0 0 1 * * *)", false, "no ?"},
		{"cron(0 0 ?5 * ? *)", false, "? with a value"},
		{"cron(0 0 1,? * ? *)", false, "? in a list"},
		{"cron(0 0 3L * ? *)", false, "nL in day-of-month"},
		{"cron(0 0 L-3 * ? *)", false, "L offset"},
		{"cron(0 0 L,15 * ? *)", false, "L in a list"},
		{"cron(0 0 W * ? *)", false, "W without a day"},
		{"cron(0 0 0W * ? *)", false, "0W"},
		{"cron(0 0 32W * ? *)", false, "32W"},
		{"cron(0 0 1W,15W * ? *)", false, "W in a list"},
		{"cron(0 0 1-5W * ? *)", false, "W on a range"},
		{"cron(0 0 WL * ? *)", false, "WL"},
		{"cron(0 0 ? * 2#6 *)", false, "sixth instance"},
		{"cron(0 0 ? * 2#0 *)", false, "zeroth instance"},
		{"cron(0 0 ? * 2#10 *)", false, "two-digit instance"},
		{"cron(0 0 ? * 3#1,6#3 *)", false, "two # in a list (documented)"},
		{"cron(0 0 ? * 8#1 *)", false, "weekday 8"},
		{"cron(0 0 ? * # *)", false, "bare #"},
		{"cron(0 0 ? * 3# *)", false, "no instance"},
		{"cron(0 0 ? * #2 *)", false, "no weekday"},
		{"cron(0 0 ? * 5#2L *)", false, "# and L"},
		{"cron(0 0 ? * 5L,6 *)", false, "nL in a list"},
		{"cron(0 0 ? * L-2 *)", false, "L in a range"},
		{"cron(0 0 ? * 8L *)", false, "weekday 8 with L"},
		{"cron(0 0 ? * LL *)", false, "LL"},
		{"cron(0 0 ? * 1W *)", false, "W in day-of-week"},
		{"cron(0 0 1#2 * ? *)", false, "# in day-of-month"},

		// at(), by the documented format, and only for Scheduler.
		{"at(2022-11-20T13:00:00)", true, "at() is not a rule expression"},
		{"at(2022-02-30T00:00:00)", false, "February 30"},
		{"at(2023-02-29T00:00:00)", false, "not a leap year"},
		{"at(2022-11-20T24:00:00)", false, "hour 24"},
		{"at(2022-11-20T13:60:00)", false, "minute 60"},
		{"at(2022-11-20 13:00:00)", false, "space for T"},
		{"at(2022-11-20T13:00:00.5)", false, "fraction"},
		{"at(2022-11-20T13:00)", false, "no seconds"},
		{"at(22-11-20T13:00:00)", false, "two-digit year"},
		{"at(2022-1-20T13:00:00Z)", false, "one-digit month"},
		{"at( 2022-11-20T13:00:00)", false, "leading space"},
		{"at(2022-11-20t13:00:00)", false, "lower-case t"},
		{"AT(2022-11-20T13:00:00)", false, "upper-case keyword"},

		// Neither.
		{"", false, "empty"},
		{"cron", false, "keyword only"},
		{"every 5 minutes", false, "prose"},
		{"()", false, "parentheses only"},
	}
	for _, tt := range tests {
		for _, d := range dialects {
			if tt.ruleOnly && d == DialectScheduler {
				continue
			}
			_, err := Parse(tt.expr, Options{Dialect: d})
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%s: Parse(%q) (%s) = %v, want *Error", dialectName(d), tt.expr, tt.rationale, err)
				continue
			}
			if e.Reason == "" {
				t.Errorf("%s: Parse(%q) has no reason", dialectName(d), tt.expr)
			}
		}
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dialect Dialect
		expr    string
		want    string
	}{
		{DialectRule, "rate(1 minutes)", "Parameter ScheduleExpression is not valid."},
		{DialectRule, "cron(0 1 * * * *)", "Parameter ScheduleExpression is not valid."},
		{DialectRule, "at(2022-11-20T13:00:00)", "Parameter ScheduleExpression is not valid."},
		{DialectScheduler, "rate(10 seconds)", "Invalid Schedule Expression rate(10 seconds)."},
		{DialectScheduler, "cron(71 8 1 * ? *)", "Invalid Schedule Expression cron(71 8 1 * ? *)."},
		{DialectScheduler, " rate(10 minutes)", "Invalid Schedule Expression  rate(10 minutes)."},
		{DialectScheduler, "", "Invalid Schedule Expression ."},
	} {
		_, err := Parse(tt.expr, Options{Dialect: tt.dialect})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Parse(%q) = %v, want %q", dialectName(tt.dialect), tt.expr, err, tt.want)
		}
		var e *Error
		if !errors.As(err, &e) || e.Message != tt.want {
			t.Errorf("%s: Parse(%q): Message not %q", dialectName(tt.dialect), tt.expr, tt.want)
		}
	}
}

// TestParseWrapped checks that callers can wrap the error and still find it.
func TestParseWrapped(t *testing.T) {
	t.Parallel()
	_, err := Parse("rate(0 minutes)", Options{})
	wrapped := errors.Join(errors.New("PutRule"), err)
	var e *Error
	if !errors.As(wrapped, &e) || e.Message != "Parameter ScheduleExpression is not valid." {
		t.Fatalf("errors.As(%v) = %v", wrapped, e)
	}
}

func TestParseAccessors(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")

	r := mustParse(t, "rate(90 minutes)", Options{Dialect: DialectScheduler, Location: ny})
	if r.Interval() != 90*time.Minute || r.Location() != ny || r.Kind().String() != "rate" {
		t.Errorf("rate: %v %v %v", r.Interval(), r.Location(), r.Kind())
	}
	c := mustParse(t, "cron(0 0 * * ? *)", Options{Dialect: DialectScheduler})
	if c.Interval() != 0 || c.Location() != time.UTC || c.Kind().String() != "cron" {
		t.Errorf("cron: %v %v %v", c.Interval(), c.Location(), c.Kind())
	}
	// Rules evaluate in UTC whatever location is passed.
	rule := mustParse(t, "cron(0 0 * * ? *)", Options{Dialect: DialectRule, Location: ny})
	if rule.Location() != time.UTC {
		t.Errorf("rule location = %v, want UTC", rule.Location())
	}
	a := mustParse(t, "at(2030-01-02T03:04:05)", Options{Dialect: DialectScheduler, Location: ny})
	if a.Kind().String() != "at" {
		t.Errorf("at kind = %v", a.Kind())
	}
	if Kind(0).String() != "invalid" {
		t.Errorf("Kind(0) = %v", Kind(0))
	}
	var zero Schedule
	if _, ok := zero.Next(time.Now()); ok {
		t.Error("zero Schedule fired")
	}
}
