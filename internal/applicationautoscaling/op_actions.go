package applicationautoscaling

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/virga/virga/internal/schedexpr"
	"github.com/virga/virga/internal/store"
)

// schedule parses a scheduled action's Schedule (at, rate or cron, the
// forms EventBridge Scheduler takes) in its Timezone.
func schedule(a *ScheduledAction) (schedexpr.Schedule, error) {
	loc := time.UTC
	if tz := deref(a.Timezone); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return schedexpr.Schedule{}, invalid("Invalid timezone: %s", tz)
		}
		loc = l
	}
	start := deref(a.StartTime)
	if start.IsZero() {
		start = deref(a.CreationTime)
	}
	sch, err := schedexpr.Parse(deref(a.Schedule), schedexpr.Options{Dialect: schedexpr.DialectScheduler, Location: loc, Start: start})
	if err != nil {
		return schedexpr.Schedule{}, invalid("%s", err.Error())
	}
	return sch, nil
}

// nextRun is the time action runs next after after, or zero when it
// does not run again: an at() time past, or past its EndTime.
func nextRun(a *ScheduledAction, sch schedexpr.Schedule, after time.Time) time.Time {
	if st := deref(a.StartTime); st.After(after) && sch.Kind() != schedexpr.KindAt {
		after = st.Add(-time.Nanosecond)
	}
	t, ok := sch.Next(after)
	if !ok || (a.EndTime != nil && t.After(*a.EndTime)) {
		return time.Time{}
	}
	return t
}

func (s *Service) putScheduledAction(ctx context.Context, in *PutScheduledActionRequest) (*PutScheduledActionResponse, error) {
	k := keyOf(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	name := deref(in.ScheduledActionName)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.target(k, targetNotRegistered); err != nil {
		return nil, err
	}
	var r actionRecord
	found, err := get(s.store, k.named(s.account, "s", name), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		if in.Schedule == nil {
			return nil, invalid("Schedule must be specified for a new scheduled action")
		}
		r.ScheduledAction = ScheduledAction{ScheduledActionName: ptr(name), ScheduledActionARN: ptr(s.actionARN(k, name)),
			ServiceNamespace: in.ServiceNamespace, ResourceId: ptr(k.ResourceID), ScalableDimension: in.ScalableDimension,
			CreationTime: ptr(s.clock.Now())}
	}
	if in.Schedule != nil {
		r.Schedule = in.Schedule
	}
	if in.Timezone != nil {
		r.Timezone = in.Timezone
	}
	if in.StartTime != nil {
		r.StartTime = in.StartTime
	}
	if in.EndTime != nil {
		r.EndTime = in.EndTime
	}
	if a := in.ScalableTargetAction; a != nil {
		if r.ScalableTargetAction == nil {
			r.ScalableTargetAction = &ScalableTargetAction{}
		}
		if a.MinCapacity != nil {
			r.ScalableTargetAction.MinCapacity = a.MinCapacity
		}
		if a.MaxCapacity != nil {
			r.ScalableTargetAction.MaxCapacity = a.MaxCapacity
		}
	}
	if a := r.ScalableTargetAction; a == nil || (a.MinCapacity == nil && a.MaxCapacity == nil) {
		return nil, invalid("ScalableTargetAction must specify MinCapacity or MaxCapacity")
	} else if a.MinCapacity != nil && a.MaxCapacity != nil && *a.MinCapacity > *a.MaxCapacity {
		return nil, invalid("Minimum capacity cannot be greater than maximum capacity")
	}
	if r.StartTime != nil && r.EndTime != nil && r.EndTime.Before(*r.StartTime) {
		return nil, invalid("EndTime cannot be before StartTime")
	}
	sch, err := schedule(&r.ScheduledAction)
	if err != nil {
		return nil, err
	}
	r.Next = nextRun(&r.ScheduledAction, sch, s.clock.Now())
	if sch.Kind() == schedexpr.KindRate && r.StartTime == nil {
		// A rate schedule anchored at its creation runs one period
		// after it, not at once.
		r.Next = nextRun(&r.ScheduledAction, sch, s.clock.Now().Add(time.Second))
	}
	if err := s.commit(func(b store.Batch) error { return put(b, k.named(s.account, "s", name), &r) }); err != nil {
		return nil, err
	}
	return &PutScheduledActionResponse{}, nil
}

func (s *Service) describeScheduledActions(ctx context.Context, in *DescribeScheduledActionsRequest) (*DescribeScheduledActionsResponse, error) {
	all, ks, err := scanAll[actionRecord](s.store, under(s.account, "s", string(deref(in.ServiceNamespace)), deref(in.ResourceId), ""))
	if err != nil {
		return nil, err
	}
	all, ks = filter(all, ks, func(a *actionRecord) bool {
		return (in.ScalableDimension == nil || *in.ScalableDimension == *a.ScalableDimension) &&
			(len(in.ScheduledActionNames) == 0 || slices.Contains(in.ScheduledActionNames, *a.ScheduledActionName))
	})
	items, next, err := page(all, ks, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := make([]ScheduledAction, len(items))
	for i, a := range items {
		out[i] = a.ScheduledAction
	}
	return &DescribeScheduledActionsResponse{ScheduledActions: out, NextToken: next}, nil
}

func (s *Service) deleteScheduledAction(ctx context.Context, in *DeleteScheduledActionRequest) (*DeleteScheduledActionResponse, error) {
	k := keyOf(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	name := deref(in.ScheduledActionName)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.remove(k, "s", name, &actionRecord{}, actionNotFound(k, name)); err != nil {
		return nil, err
	}
	return &DeleteScheduledActionResponse{}, nil
}

// RunDue runs every scheduled action whose time has come: it sets its
// target's MinCapacity and MaxCapacity to the action's, and moves the
// resource's capacity inside them, unless the target's scheduled
// scaling is suspended. An action's next time is recorded before its
// change is made, so a restart does not run it twice.
func (s *Service) RunDue(ctx context.Context, log *slog.Logger) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	all, ks, err := scanAll[actionRecord](s.store, rootKey(s.account, "s"))
	if err != nil {
		log.Error("application-autoscaling: reading scheduled actions", "err", err)
		return
	}
	for i := range all {
		a := &all[i]
		if a.Next.IsZero() || a.Next.After(now) {
			continue
		}
		k := targetKey{string(*a.ServiceNamespace), *a.ResourceId, string(*a.ScalableDimension)}
		sch, err := schedule(&a.ScheduledAction)
		if err != nil {
			continue
		}
		a.Next = nextRun(&a.ScheduledAction, sch, now)
		t, err := s.target(k, targetNotRegistered)
		err2 := s.commit(func(b store.Batch) error {
			if err == nil && !deref(t.SuspendedState.ScheduledScalingSuspended) {
				if v := a.ScalableTargetAction.MinCapacity; v != nil {
					t.MinCapacity = v
				}
				if v := a.ScalableTargetAction.MaxCapacity; v != nil {
					t.MaxCapacity = v
				}
				if *t.MinCapacity > *t.MaxCapacity {
					// The action's bound wins over the one it left.
					if a.ScalableTargetAction.MinCapacity != nil {
						t.MaxCapacity = t.MinCapacity
					} else {
						t.MinCapacity = t.MaxCapacity
					}
				}
				if err := put(b, k.key(s.account), t); err != nil {
					return err
				}
			}
			return put(b, ks[i], a)
		})
		if err2 != nil {
			log.Error("application-autoscaling: running scheduled action", "action", *a.ScheduledActionARN, "err", err2)
			continue
		}
		if err != nil || deref(t.SuspendedState.ScheduledScalingSuspended) {
			continue
		}
		c := capacity{s, k}
		if !c.scaled() {
			continue
		}
		cur, err := c.current(ctx)
		if err != nil {
			log.Warn("application-autoscaling: reading capacity", "target", k.String(), "err", err)
			continue
		}
		if to := clamp(cur, *t.MinCapacity, *t.MaxCapacity); to != cur {
			s.scale(ctx, c, to, "scheduled action name "+*a.ScheduledActionName+" was triggered")
		}
	}
}
