package scheduler

import (
	"hash/fnv"
	"time"

	"github.com/virga/virga/internal/schedexpr"
)

// lateTolerance is how long after its fire time an occurrence may still
// fire. Scheduler invokes targets "with 60 second precision": a schedule
// set for 1:00 invokes its target between 1:00:00 and 1:00:59. An
// occurrence the loop finds later than that (virga was down, the machine
// slept, a test moved the clock far ahead) is skipped, never replayed.
const lateTolerance = time.Minute

// plan is when a schedule fires: its expression, bounded by its StartDate
// and EndDate, and spread over its flexible time window. It has no
// state; the loop keeps the cursor.
type plan struct {
	expr schedexpr.Schedule
	// start and end bound recurring schedules (zero: unbounded); one-time
	// schedules ignore them, as Scheduler does.
	start, end time.Time
	// flex is the flexible time window (0 for Mode OFF) and seed what
	// picks an occurrence's point in it.
	flex time.Duration
	seed string
}

// newPlan builds a stored schedule's plan. The record was validated when
// it was written, so an error means the store holds something virga did
// not write.
func newPlan(r *scheduleRecord, arn string) (plan, error) {
	loc, err := loadLocation(r.Timezone)
	if err != nil {
		return plan{}, err
	}
	anchor := r.Created
	if r.StartDate != nil {
		anchor = *r.StartDate
	}
	expr, err := schedexpr.Parse(r.Expression, schedexpr.Options{Dialect: schedexpr.DialectScheduler, Location: loc, Start: anchor})
	if err != nil {
		return plan{}, err
	}
	p := plan{expr: expr, flex: time.Duration(r.FlexibleMinutes) * time.Minute, seed: arn}
	if expr.Kind() != schedexpr.KindAt {
		if r.StartDate != nil {
			p.start = *r.StartDate
		}
		if r.EndDate != nil {
			p.end = *r.EndDate
		}
	}
	return p, nil
}

// next returns the schedule's first occurrence strictly after t, and
// false when there is none: a one-time schedule's time has passed, the
// next recurrence is after EndDate, or the expression has no more.
func (p plan) next(t time.Time) (time.Time, bool) {
	if !p.start.IsZero() && t.Before(p.start) {
		t = p.start.Add(-time.Nanosecond) // StartDate itself may be an occurrence
	}
	occ, ok := p.expr.Next(t)
	if !ok || (!p.end.IsZero() && occ.After(p.end)) {
		return time.Time{}, false
	}
	return occ.UTC(), true
}

// fireAt returns when an occurrence fires: at its time with Mode OFF, and
// at a point within the flexible window otherwise. The point looks random
// but is a hash of the schedule and the occurrence, so that it stays the
// same across restarts and a restart cannot move an occurrence to after
// the one it already fired.
func (p plan) fireAt(occ time.Time) time.Time {
	if p.flex <= 0 {
		return occ
	}
	h := fnv.New64a()
	h.Write([]byte(p.seed))
	var b [8]byte
	u := uint64(occ.Unix())
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	h.Write(b[:])
	offset := time.Duration(h.Sum64()%uint64(p.flex/time.Second)) * time.Second
	return occ.Add(offset)
}

// missed reports whether an occurrence that fires at fireAt is too late
// to fire at now.
func missed(fireAt, now time.Time) bool { return now.Sub(fireAt) >= lateTolerance }

// skipTo is the instant after which a schedule looks for its next
// occurrence once it finds itself late at now: every occurrence at or
// before it would fire too late.
func (p plan) skipTo(now time.Time) time.Time {
	return now.Add(-lateTolerance - p.flex)
}
