package scheduler

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// defaultMaxResults is the page size of a listing that sets no
// MaxResults: the model's maximum.
const defaultMaxResults = 100

// groupOrDefault is the group a request names, "default" when none.
func groupOrDefault(name *string) string {
	if name == nil {
		return defaultGroup
	}
	return *name
}

// createSchedule creates a schedule. A retry of a call that created it
// (the same ClientToken) answers as the call did; any other call for a
// taken name is ConflictException.
func (s *Service) createSchedule(ctx context.Context, in *CreateScheduleInput) (*CreateScheduleOutput, error) {
	group, name := groupOrDefault(in.GroupName), *in.Name
	rec, err := in.definition().record(group, name, s.clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	if err := s.checkUniversal(rec.Target.Arn); err != nil {
		return nil, err
	}
	if err := s.checkTrust(ctx, group, rec.Target.RoleArn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[group] == nil {
		return nil, groupNotFound(group)
	}
	id := scheduleID{group, name}
	if old := s.schedules[id]; old != nil {
		if rec.ClientToken != "" && rec.ClientToken == old.rec.ClientToken {
			return &CreateScheduleOutput{ScheduleArn: ptr(old.arn)}, nil
		}
		return nil, ErrConflict.Withf("Schedule %s already exists.", name)
	}
	e, err := s.newEntry(rec, time.Time{})
	if err != nil {
		return nil, err
	}
	err = s.commit(func(b store.Batch) error {
		deleteSchedule(b, s.account, group, name) // no fired mark survives from a namesake
		return putSchedule(b, s.account, rec)
	})
	if err != nil {
		return nil, err
	}
	s.schedules[id] = e
	s.plan(e)
	return &CreateScheduleOutput{ScheduleArn: ptr(e.arn)}, nil
}

// getSchedule returns a schedule's definition.
func (s *Service) getSchedule(ctx context.Context, in *GetScheduleInput) (*GetScheduleOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.schedules[scheduleID{groupOrDefault(in.GroupName), *in.Name}]
	if e == nil {
		return nil, scheduleNotFound(*in.Name)
	}
	return e.rec.output(e.arn), nil
}

// updateSchedule replaces a schedule's definition with the one sent:
// members left out take their defaults, as with CreateSchedule. The
// schedule keeps its creation date and the occurrences it fired; it fires
// what its new definition has from now on.
func (s *Service) updateSchedule(ctx context.Context, in *UpdateScheduleInput) (*UpdateScheduleOutput, error) {
	group, name := groupOrDefault(in.GroupName), *in.Name
	rec, err := in.definition().record(group, name, s.clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	if err := s.checkUniversal(rec.Target.Arn); err != nil {
		return nil, err
	}
	if err := s.checkTrust(ctx, group, rec.Target.RoleArn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := scheduleID{group, name}
	old := s.schedules[id]
	if old == nil {
		return nil, scheduleNotFound(name)
	}
	rec.Created, rec.ClientToken = old.rec.Created, old.rec.ClientToken
	e, err := s.newEntry(rec, old.fired)
	if err != nil {
		return nil, err
	}
	if err := s.commit(func(b store.Batch) error { return putSchedule(b, s.account, rec) }); err != nil {
		return nil, err
	}
	s.due.remove(old)
	s.schedules[id] = e
	s.plan(e)
	return &UpdateScheduleOutput{ScheduleArn: ptr(e.arn)}, nil
}

// deleteSchedule deletes a schedule. Invocations it already fired are
// still delivered.
func (s *Service) deleteSchedule(ctx context.Context, in *DeleteScheduleInput) (*DeleteScheduleOutput, error) {
	group, name := groupOrDefault(in.GroupName), *in.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	id := scheduleID{group, name}
	e := s.schedules[id]
	if e == nil {
		return nil, scheduleNotFound(name)
	}
	err := s.commit(func(b store.Batch) error {
		deleteSchedule(b, s.account, group, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.due.remove(e)
	delete(s.schedules, id)
	return &DeleteScheduleOutput{}, nil
}

// listSchedules lists schedules by group and name, filtered by group,
// name prefix and state.
func (s *Service) listSchedules(ctx context.Context, in *ListSchedulesInput) (*ListSchedulesOutput, error) {
	var after *scheduleID
	if in.NextToken != nil {
		names, err := decodeToken(*in.NextToken, 2)
		if err != nil {
			return nil, tokenError()
		}
		after = &scheduleID{names[0], names[1]}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.GroupName != nil && s.groups[*in.GroupName] == nil {
		return nil, groupNotFound(*in.GroupName)
	}
	var matched []*entry
	for id, e := range s.schedules {
		switch {
		case in.GroupName != nil && id.group != *in.GroupName,
			in.NamePrefix != nil && !strings.HasPrefix(id.name, *in.NamePrefix),
			in.State != nil && e.rec.State != string(*in.State),
			after != nil && compareIDs(id, *after) <= 0:
			continue
		}
		matched = append(matched, e)
	}
	slices.SortFunc(matched, func(a, b *entry) int {
		return compareIDs(scheduleID{a.rec.Group, a.rec.Name}, scheduleID{b.rec.Group, b.rec.Name})
	})
	out := &ListSchedulesOutput{Schedules: []ScheduleSummary{}}
	limit := pageSize(in.MaxResults)
	if len(matched) > limit {
		matched = matched[:limit]
		last := matched[limit-1].rec
		out.NextToken = ptr(encodeToken(last.Group, last.Name))
	}
	for _, e := range matched {
		r := e.rec
		out.Schedules = append(out.Schedules, ScheduleSummary{
			Arn: ptr(e.arn), Name: ptr(r.Name), GroupName: ptr(r.Group), State: (*ScheduleState)(ptr(r.State)),
			CreationDate: ptr(r.Created), LastModificationDate: ptr(r.Modified),
			Target: &TargetSummary{Arn: ptr(r.Target.Arn)},
		})
	}
	return out, nil
}

func compareIDs(a, b scheduleID) int {
	return cmp.Or(strings.Compare(a.group, b.group), strings.Compare(a.name, b.name))
}

// pageSize is a listing's MaxResults, or its default.
func pageSize(max *int32) int {
	if max == nil {
		return defaultMaxResults
	}
	return int(*max)
}
