package scheduler

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestSchedulerCreateIsIdempotentPerClientToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	withToken := func(token string) func(*CreateScheduleInput) {
		return func(in *CreateScheduleInput) { in.ClientToken = ptr(token) }
	}
	arn := h.create("i", "rate(1 hour)", withToken("t1"))
	if again := h.create("i", "rate(1 hour)", withToken("t1")); again != arn {
		t.Fatalf("retry answered %s; want %s", again, arn)
	}
	_, err := h.s.createSchedule(context.Background(), &CreateScheduleInput{Name: ptr("i"), ClientToken: ptr("t2"),
		ScheduleExpression: ptr("rate(1 hour)"), FlexibleTimeWindow: &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("OFF"))},
		Target: &Target{Arn: ptr(testQueue), RoleArn: ptr(testRole)}})
	wantCode(t, err, "ConflictException", "Schedule i already exists.")
}

func TestSchedulerListResumesAfterItsToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	for _, name := range []string{"a", "b", "c", "d"} {
		h.create(name, "rate(1 hour)")
	}
	ctx := context.Background()
	page, err := h.s.listSchedules(ctx, &ListSchedulesInput{MaxResults: ptr(int32(2))})
	if err != nil || len(page.Schedules) != 2 || page.NextToken == nil {
		t.Fatalf("first page: %+v %v", page, err)
	}
	// The last item of the page goes, and a new one comes before it: the
	// listing still resumes after "b".
	if _, err := h.s.deleteSchedule(ctx, &DeleteScheduleInput{Name: ptr("b")}); err != nil {
		t.Fatal(err)
	}
	h.create("a2", "rate(1 hour)")
	page, err = h.s.listSchedules(ctx, &ListSchedulesInput{NextToken: page.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range page.Schedules {
		names = append(names, *s.Name)
	}
	if !slices.Equal(names, []string{"c", "d"}) || page.NextToken != nil {
		t.Fatalf("second page: %q, token %v", names, page.NextToken)
	}
	_, err = h.s.listSchedules(ctx, &ListSchedulesInput{NextToken: ptr(encodeToken("only-one-name"))})
	wantCode(t, err, "ValidationException", "The NextToken provided is invalid.")
}

func TestSchedulerDeletingAGroupDeletesItsSchedulesForGood(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t.TempDir())
	ctx := context.Background()
	if _, err := h.s.createScheduleGroup(ctx, &CreateScheduleGroupInput{Name: ptr("g")}); err != nil {
		t.Fatal(err)
	}
	inGroup := func(in *CreateScheduleInput) { in.GroupName = ptr("g") }
	h.create("x", "rate(1 minute)", inGroup)
	h.create("x", "rate(1 minute)") // the same name in the default group
	h.at(minute(1))
	if got := h.bodies(testQueue); len(got) != 2 {
		t.Fatalf("before: %q", got)
	}
	if _, err := h.s.deleteScheduleGroup(ctx, &DeleteScheduleGroupInput{Name: ptr("g")}); err != nil {
		t.Fatal(err)
	}
	h.restart()
	if _, err := h.s.getScheduleGroup(ctx, &GetScheduleGroupInput{Name: ptr("g")}); err == nil {
		t.Fatal("the group is back after a restart")
	}
	// Recreated, the group is empty, and a namesake schedule starts
	// afresh: it fires 10:01, which the deleted one had already fired.
	if _, err := h.s.createScheduleGroup(ctx, &CreateScheduleGroupInput{Name: ptr("g")}); err != nil {
		t.Fatal(err)
	}
	list, err := h.s.listSchedules(ctx, &ListSchedulesInput{GroupName: ptr("g")})
	if err != nil || len(list.Schedules) != 0 {
		t.Fatalf("recreated group lists %+v %v", list, err)
	}
	h.create("x", "rate(1 minute)", inGroup)
	h.turn()
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("x", minute(1))}) {
		t.Fatalf("after: %q", got)
	}
	_, err = h.s.deleteScheduleGroup(ctx, &DeleteScheduleGroupInput{Name: ptr("default")})
	wantCode(t, err, "ValidationException", "Cannot delete the default schedule group.")
}

func TestSchedulerDefaultGroupKeepsItsCreationDate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t.TempDir())
	ctx := context.Background()
	first, err := h.s.getScheduleGroup(ctx, &GetScheduleGroupInput{Name: ptr("default")})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(testEpoch.Add(time.Hour))
	h.restart()
	again, err := h.s.getScheduleGroup(ctx, &GetScheduleGroupInput{Name: ptr("default")})
	if err != nil || !again.CreationDate.Equal(*first.CreationDate) || !first.CreationDate.Equal(testEpoch) {
		t.Fatalf("default group created %v, then %v (%v)", first.CreationDate, again.CreationDate, err)
	}
}
