// Package schedexpr parses and evaluates AWS schedule expressions, as
// EventBridge rules (PutRule's ScheduleExpression) and EventBridge
// Scheduler (CreateSchedule's ScheduleExpression and
// ScheduleExpressionTimezone) accept them:
//
//	rate(5 minutes)                every 5 minutes from an anchor
//	cron(0/15 8-17 ? * MON-FRI *)  every 15 minutes, 08:00-17:45, weekdays
//	cron(15 10 ? * 6L 2019-2022)   10:15 on the last Friday of each month
//	at(2022-11-20T13:00:00)        once (Scheduler only)
//
// Parse validates an expression for one service (Options.Dialect) and
// returns a Schedule; Schedule.Next gives the first fire time strictly
// after a given instant:
//
//	s, err := schedexpr.Parse(in.ScheduleExpression, schedexpr.Options{
//		Dialect:  schedexpr.DialectScheduler,
//		Location: loc,        // from in.ScheduleExpressionTimezone
//		Start:    startDate,  // anchors rate(); creation time if none
//	})
//	if err != nil {
//		return ErrValidation.WithMessage(err.Error()) // AWS's own message
//	}
//	when, ok := s.Next(now)
//
// # Errors
//
// An invalid expression fails with an *Error whose Message is the
// service's ValidationException message, observed from the real services:
// "Parameter ScheduleExpression is not valid." for rules and
// "Invalid Schedule Expression <expression>." for Scheduler. AWS gives no
// reason; Error.Reason has one, for logs and tests.
//
// # Rate
//
// value is a positive integer and unit one of minute, minutes, hour, hours,
// day, days: for rules singular for 1 and plural otherwise (Scheduler
// takes either), lower case, one space, no space inside the parentheses. A rate has no time of day: it fires at
// Options.Start (rounded up to a whole minute) and every interval after
// it, in elapsed time, so "rate(1 day)" stays 24 hours apart across a
// daylight saving change, as Scheduler documents.
//
// # Cron
//
// Six fields separated by spaces: minutes (0-59), hours (0-23),
// day-of-month (1-31), month (1-12 or JAN-DEC), day-of-week (1-7 or
// SUN-SAT, 1 = Sunday) and year (1970-2199). Every field takes lists (,),
// ranges (-, wrapping around when the start is after the end, except for
// years) and *; all but day-of-week take increments (a/n, a-b/n, */n, with
// n no larger than the field's maximum). Exactly one of day-of-month and
// day-of-week is ?. Day-of-month also takes L (last day), LW (last Monday
// to Friday) and nW (the Monday to Friday nearest day n, within the month:
// 1W on a Saturday is Monday the 3rd); day-of-week takes L (Saturday), nL
// (the last weekday n of the month: 6L is the last Friday) and n#k (the
// k-th weekday n, k 1-5: 3#2 is the second Tuesday). These special forms
// stand alone in their field. Names and the L and W letters are
// case-insensitive; everything else is case-sensitive.
//
// # Time zones and daylight saving time
//
// Rules evaluate in UTC. Scheduler evaluates cron and at expressions in
// Options.Location, and handles daylight saving time as its user guide
// says: a cron time that does not exist because clocks move forward is
// skipped, and a cron time that occurs twice because clocks move back fires
// once, at its first occurrence. An at() time that does not exist is read
// as the same time after the jump (02:30 becomes 03:30); one that occurs
// twice is its first occurrence.
//
// # Not owned here
//
// The package keeps no time and runs nothing: callers ask Next and arm
// their own timers with a clock.Clock. It does not apply a schedule's
// StartDate and EndDate to cron and at expressions, nor its flexible time
// window, nor load or validate time zone names, nor check the 256-character
// length limit both APIs declare in their models; those belong to the
// services. Schedules are immutable and safe for concurrent use.
//
// # Unconfirmed AWS behaviour
//
// Some behaviour is not documented and could not be checked against AWS;
// the package chooses as follows:
//
//   - Scheduler is not held to the rules' singular/plural rate units: its
//     API reference lists both forms without the rule, and AWS's published
//     Scheduler examples write "rate(5 minute)".
//   - The largest rate value is the one whose period fits a time.Duration
//     (about 292 years).
//   - Runs of spaces between cron fields are accepted.
//   - Increments up to the field's maximum are accepted (EventBridge rejects
//     */60 in minutes); year increments up to 229.
//   - nW for a day the month does not have (31W in April) does not fire
//     that month.
//   - The first fire of a rule's rate schedule relative to its creation is
//     left to the caller, through Options.Start.
//   - Forms some third-party validators report AWS to accept and this
//     package rejects: * inside a list (*,5), * in a range (*-5), and
//     L-n offsets (L-3).
//   - An at() time in a daylight saving gap or overlap is resolved as
//     java.time resolves it, described above.
//
// Files: schedule.go (Parse, Options, Schedule, Next), errors.go, rate.go,
// at.go, cron.go (the cron grammar), cron_next.go (the cron search) and
// zone.go (wall-clock readings to instants across daylight saving changes).
package schedexpr
