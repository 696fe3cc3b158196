package schedexpr

import (
	"strings"
	"time"
)

// Dialect names the service whose rules an expression is parsed by.
type Dialect int

const (
	// DialectRule is an EventBridge rule's ScheduleExpression: rate and
	// cron, always evaluated in UTC.
	DialectRule Dialect = iota
	// DialectScheduler is an EventBridge Scheduler schedule's
	// ScheduleExpression: rate, cron and at, evaluated in the schedule's
	// ScheduleExpressionTimezone.
	DialectScheduler
)

// Kind is the form of a schedule expression.
type Kind int

// The expression forms.
const (
	KindRate Kind = iota + 1 // rate(value unit)
	KindCron                 // cron(minutes hours day-of-month month day-of-week year)
	KindAt                   // at(yyyy-mm-ddThh:mm:ss), Scheduler only
)

func (k Kind) String() string {
	switch k {
	case KindRate:
		return "rate"
	case KindCron:
		return "cron"
	case KindAt:
		return "at"
	}
	return "invalid"
}

// Options says how Parse reads and evaluates an expression.
type Options struct {
	// Dialect selects the service's rules and error messages. The zero
	// value is DialectRule.
	Dialect Dialect

	// Location is the time zone cron and at expressions are evaluated in:
	// the schedule's ScheduleExpressionTimezone, loaded by the caller with
	// time.LoadLocation. Nil means UTC, Scheduler's default. Rules always
	// evaluate in UTC, so DialectRule ignores it.
	Location *time.Location

	// Start anchors rate expressions, which have no time of day of their
	// own: a rate schedule fires at Start and then every interval after it
	// (Start + k*interval for k = 0, 1, 2, ...). Start is rounded up to a
	// whole minute, so the first fire time is never before it. Pass the
	// Scheduler schedule's StartDate, or its creation time when it has none
	// (AWS then invokes the target at once); for a rule, the time it was
	// created or last enabled, plus one interval if the first event should
	// come one period later. The zero value anchors at the Unix epoch. Cron
	// and at expressions ignore Start.
	Start time.Time
}

// Schedule is a parsed schedule expression. It is immutable and safe for
// concurrent use; the zero value is not a valid schedule.
type Schedule struct {
	kind Kind
	expr string
	loc  *time.Location

	every time.Duration // KindRate
	start time.Time     // KindRate, a whole minute
	at    time.Time     // KindAt
	cron  *cronSpec     // KindCron
}

// Parse parses a schedule expression as the service named by opts.Dialect
// accepts it. The expression is taken exactly as sent: AWS rejects spaces
// around it or just inside its parentheses, and upper-case keywords, and so
// does Parse. An invalid expression fails with an *Error carrying the
// service's message.
func Parse(expr string, opts Options) (Schedule, error) {
	loc := opts.Location
	if loc == nil || opts.Dialect == DialectRule {
		loc = time.UTC
	}
	s := Schedule{expr: expr, loc: loc}
	fail := func(reason string) (Schedule, error) {
		return Schedule{}, invalid(opts.Dialect, expr, reason)
	}

	body, ok := strings.CutSuffix(expr, ")")
	if !ok {
		return fail("expression does not end with ')'")
	}
	switch {
	case strings.HasPrefix(body, "rate("):
		every, reason := parseRate(body[len("rate("):], opts.Dialect != DialectScheduler)
		if reason != "" {
			return fail(reason)
		}
		s.kind, s.every = KindRate, every
		s.start = time.Unix(0, 0).UTC()
		if !opts.Start.IsZero() {
			s.start = opts.Start.Truncate(time.Minute)
			if s.start.Before(opts.Start) {
				s.start = s.start.Add(time.Minute)
			}
		}
	case strings.HasPrefix(body, "cron("):
		spec, reason := parseCron(body[len("cron("):])
		if reason != "" {
			return fail(reason)
		}
		s.kind, s.cron = KindCron, spec
	case strings.HasPrefix(body, "at(") && opts.Dialect == DialectScheduler:
		at, reason := parseAt(body[len("at("):], loc)
		if reason != "" {
			return fail(reason)
		}
		s.kind, s.at = KindAt, at
	default:
		return fail("expression is not rate(...), cron(...) or, for Scheduler, at(...)")
	}
	return s, nil
}

// Kind reports the expression's form.
func (s Schedule) Kind() Kind { return s.kind }

// String returns the expression as it was parsed.
func (s Schedule) String() string { return s.expr }

// Location returns the time zone the schedule is evaluated in.
func (s Schedule) Location() *time.Location { return s.loc }

// Interval returns a rate schedule's period, and zero for other kinds.
func (s Schedule) Interval() time.Duration { return s.every }

// Next returns the schedule's first fire time strictly after after, in the
// schedule's location, and false when there is none: an at() time already
// passed, or a cron expression with no match before the end of its year
// range (2199 at most). Cron and rate fire times are whole minutes; an at()
// time keeps the seconds it was written with. Next always returns; its
// search is bounded by the year range.
func (s Schedule) Next(after time.Time) (time.Time, bool) {
	switch s.kind {
	case KindRate:
		return s.nextRate(after)
	case KindCron:
		return s.cron.next(after, s.loc)
	case KindAt:
		if s.at.After(after) {
			return s.at, true
		}
	}
	return time.Time{}, false
}
