package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/virga/virga/internal/store"
)

// pollTick is how often the loop looks at the clock. The clock may be a
// test's, which no timer can wait on; the due queue makes each look cheap.
const pollTick = 50 * time.Millisecond

// Run fires schedules and delivers their invocations until ctx is done,
// then waits for the invocations in flight. Retries still pending are
// dropped: delivery is at most once across a restart.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(pollTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.deliveries.wait()
			return
		case <-t.C:
			s.fireDue(log)
			s.dispatch(ctx, log)
		}
	}
}

// claim is an occurrence the loop fires.
type claim struct {
	e          *entry
	occurrence time.Time
	// final says the occurrence is the schedule's last, and remove that
	// the schedule goes with it (ActionAfterCompletion DELETE).
	final, remove bool
}

// fireDue fires every schedule whose occurrence is due at the clock's
// time. Each fired occurrence is recorded durably (the schedule's fired
// mark) before it is handed to the delivery queue, so that a restart
// never fires it again; an occurrence found more than lateTolerance late
// is skipped.
func (s *Service) fireDue(log *slog.Logger) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var claims []claim
	for e := s.due.peek(); e != nil && !e.fireAt.After(now); e = s.due.peek() {
		s.due.pop()
		if missed(e.fireAt, now) {
			log.Info("scheduler: skipping occurrences missed by more than a minute",
				"schedule", e.arn, "from", e.next, "now", now)
			if !s.queueAfter(e, maxTime(e.next, e.plan.skipTo(now))) && e.rec.ActionAfterCompletion == actionDelete {
				// Its last occurrence is past: the schedule is complete.
				claims = append(claims, claim{e: e, final: true, remove: true})
			}
			continue
		}
		c := claim{e: e, occurrence: e.next}
		if _, more := e.plan.next(e.next); !more {
			c.final, c.remove = true, e.rec.ActionAfterCompletion == actionDelete
		}
		claims = append(claims, c)
	}
	if len(claims) == 0 {
		return
	}
	err := s.commit(func(b store.Batch) error {
		for _, c := range claims {
			switch {
			case c.remove:
				deleteSchedule(b, s.account, c.e.rec.Group, c.e.rec.Name)
			case !c.occurrence.IsZero():
				putFired(b, s.account, c.e.rec.Group, c.e.rec.Name, c.occurrence)
			}
		}
		return nil
	})
	if err != nil {
		// Nothing fired: the occurrences stay due and the next tick tries
		// again, unless they are late by then.
		log.Error("scheduler: recording fired occurrences", "err", err)
		for _, c := range claims {
			if !c.occurrence.IsZero() {
				s.due.push(c.e)
			}
		}
		return
	}
	for _, c := range claims {
		if c.remove {
			delete(s.schedules, scheduleID{c.e.rec.Group, c.e.rec.Name})
		}
		if c.occurrence.IsZero() {
			continue
		}
		c.e.fired = c.occurrence
		if !c.final {
			s.queueAfter(c.e, c.occurrence)
		}
		s.deliveries.add(&pending{
			scheduleARN: c.e.arn, target: c.e.rec.Target, scheduled: c.occurrence,
			created: now, notBefore: now,
		}, log)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
