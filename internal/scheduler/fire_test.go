package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// body is what a harness schedule named name delivers for the occurrence
// at t.
func body(name string, t time.Time) string {
	return fmt.Sprintf(`{"n":%q,"t":%q}`, name, t.UTC().Format(scheduledTimeLayout))
}

func minute(m int) time.Time { return time.Date(2024, 6, 3, 10, m, 0, 0, time.UTC) }

func TestSchedulerRateFiresFromCreationEveryInterval(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("every", "rate(1 minute)")
	h.at(minute(0).Add(59 * time.Second))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("before the first whole minute: %q", got)
	}
	for m := 1; m <= 3; m++ {
		h.at(minute(m).Add(5 * time.Second))
		if got, want := h.bodies(testQueue), []string{body("every", minute(m))}; !slices.Equal(got, want) {
			t.Fatalf("minute %d: %q; want %q", m, got, want)
		}
	}
	h.turn()
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("a second turn in the same minute fired %q", got)
	}
}

func TestSchedulerCronInTimeZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("ny", "cron(0 9 * * ? *)", func(in *CreateScheduleInput) { in.ScheduleExpressionTimezone = ptr("America/New_York") })
	h.at(time.Date(2024, 6, 3, 9, 0, 10, 0, time.UTC))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("fired at 09:00 UTC: %q", got)
	}
	want := time.Date(2024, 6, 3, 13, 0, 0, 0, time.UTC)
	h.at(want.Add(2 * time.Second))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("ny", want)}) {
		t.Fatalf("at 13:00 UTC: %q", got)
	}
	// In winter New York is UTC-5: 09:00 is 14:00 UTC.
	winter := time.Date(2024, 12, 2, 14, 0, 0, 0, time.UTC)
	h.at(winter.Add(-time.Hour).Add(30 * time.Second))
	h.at(winter.Add(30 * time.Second))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("ny", winter)}) {
		t.Fatalf("in December: %q", got)
	}
}

func TestSchedulerMissedOccurrencesAreSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("every", "rate(1 minute)")
	h.create("hourly", "cron(0 * * * ? *)")
	// Ten minutes pass unseen: of "every", only the occurrence still
	// within its minute fires; "hourly" has none in the window.
	h.at(minute(10).Add(20 * time.Second))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("every", minute(10))}) {
		t.Fatalf("after a jump: %q", got)
	}
	h.at(minute(11))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("every", minute(11))}) {
		t.Fatalf("the minute after: %q", got)
	}
	// Exactly a minute late is too late.
	h.at(minute(13))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("every", minute(13))}) {
		t.Fatalf("a minute late: %q", got)
	}
}

func TestSchedulerRestartNeverFiresAnOccurrenceTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t.TempDir())
	h.create("every", "rate(1 minute)")
	h.at(minute(1).Add(10 * time.Second))
	if got := h.bodies(testQueue); len(got) != 1 {
		t.Fatalf("before the restart: %q", got)
	}
	h.restart()
	h.turn()
	h.at(minute(1).Add(50 * time.Second))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("the fired occurrence fired again after the restart: %q", got)
	}
	h.at(minute(2).Add(time.Second))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("every", minute(2))}) {
		t.Fatalf("the next occurrence after the restart: %q", got)
	}
	// Down for five minutes: the missed occurrences are not replayed.
	h.restart()
	h.at(minute(7).Add(30 * time.Second))
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("every", minute(7))}) {
		t.Fatalf("after five minutes down: %q", got)
	}
}

// TestSchedulerFiringModel drives a rate schedule through random clock
// moves and restarts and compares what fires with a reference: at each
// turn, the latest occurrence not yet fired fires if it is less than a
// minute old.
func TestSchedulerFiringModel(t *testing.T) {
	t.Parallel()
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 7))
			h := newHarness(t, t.TempDir())
			every := time.Duration(1+r.IntN(3)) * time.Minute
			expr := fmt.Sprintf("rate(%d minutes)", every/time.Minute)
			if every == time.Minute {
				expr = "rate(1 minute)"
			}
			h.create("m", expr)
			first := minute(1)
			var last time.Time // the reference's last fired occurrence
			seen := map[string]bool{}
			for step := range 120 {
				if r.IntN(10) == 0 {
					h.restart()
				}
				now := h.clock.Now().Add(time.Duration(r.IntN(150)) * time.Second)
				h.at(now)
				var want []string
				if !now.Before(first) {
					occ := first.Add(now.Sub(first) / every * every)
					if occ.After(last) && now.Sub(occ) < time.Minute {
						want = []string{body("m", occ)}
						last = occ
					}
				}
				got := h.bodies(testQueue)
				if !slices.Equal(got, want) {
					t.Fatalf("step %d at %s (%s): fired %q; want %q", step, now.Format(time.TimeOnly), expr, got, want)
				}
				for _, b := range got {
					if seen[b] {
						t.Fatalf("step %d: %s fired twice", step, b)
					}
					seen[b] = true
				}
			}
			if len(seen) < 10 {
				t.Fatalf("only %d occurrences fired in 120 steps: the walk tests too little", len(seen))
			}
		})
	}
}

func TestSchedulerDisabledScheduleDoesNotFire(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("off", "rate(1 minute)", func(in *CreateScheduleInput) { in.State = (*ScheduleState)(ptr("DISABLED")) })
	h.at(minute(1))
	h.at(minute(2))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("a disabled schedule fired %q", got)
	}
}

func TestSchedulerUpdateReplacesTheScheduleAndKeepsWhatFired(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("u", "rate(1 minute)")
	h.at(minute(1))
	h.bodies(testQueue)
	_, err := h.s.updateSchedule(context.Background(), &UpdateScheduleInput{
		Name: ptr("u"), ScheduleExpression: ptr("rate(5 minutes)"),
		FlexibleTimeWindow: &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("OFF"))},
		Target:             &Target{Arn: ptr(testDLQ), RoleArn: ptr(testRole)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.s.getSchedule(context.Background(), &GetScheduleInput{Name: ptr("u")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Target.Input != nil || *got.Target.Arn != testDLQ || !got.CreationDate.Equal(testEpoch) || !got.LastModificationDate.Equal(minute(1)) {
		t.Fatalf("after the update: %+v %+v", got, got.Target)
	}
	// The rate stays anchored at the creation: 10:01, 10:06, ...
	h.at(minute(2))
	h.at(minute(6))
	// Without Input the target gets the default notification.
	if got := h.bodies(testDLQ); len(got) != 1 || !strings.Contains(got[0], `"source":"aws.scheduler"`) ||
		!strings.Contains(got[0], `"time":"`+minute(6).UTC().Format(scheduledTimeLayout)+`"`) {
		t.Fatalf("after the update: %q", got)
	}
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("the old target still got %q", got)
	}
}

func TestSchedulerOneTimeScheduleFiresOnceAndDeletesItself(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("once", "at(2024-06-03T12:30:00)", func(in *CreateScheduleInput) {
		in.ScheduleExpressionTimezone = ptr("Europe/Paris") // 10:30 UTC
		in.ActionAfterCompletion = (*ActionAfterCompletion)(ptr("DELETE"))
	})
	h.create("kept", "at(2024-06-03T10:30:00)")
	h.at(minute(29))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("early: %q", got)
	}
	h.at(minute(30).Add(3 * time.Second))
	got := h.bodies(testQueue)
	slices.Sort(got)
	if want := []string{body("kept", minute(30)), body("once", minute(30))}; !slices.Equal(got, want) {
		t.Fatalf("at 10:30: %q; want %q", got, want)
	}
	_, err := h.s.getSchedule(context.Background(), &GetScheduleInput{Name: ptr("once")})
	wantCode(t, err, "ResourceNotFoundException", "Schedule once does not exist.")
	if _, err := h.s.getSchedule(context.Background(), &GetScheduleInput{Name: ptr("kept")}); err != nil {
		t.Fatalf("ActionAfterCompletion NONE: %v", err)
	}
	h.at(minute(31))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("fired again: %q", got)
	}
}

func TestSchedulerStartAndEndDatesBoundARecurringSchedule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("window", "cron(* * * * ? *)", func(in *CreateScheduleInput) {
		in.StartDate, in.EndDate = ptr(minute(3)), ptr(minute(5))
		in.ActionAfterCompletion = (*ActionAfterCompletion)(ptr("DELETE"))
	})
	var fired []string
	for m := 1; m <= 7; m++ {
		h.at(minute(m))
		fired = append(fired, h.bodies(testQueue)...)
	}
	want := []string{body("window", minute(3)), body("window", minute(4)), body("window", minute(5))}
	if !slices.Equal(fired, want) {
		t.Fatalf("fired %q; want %q", fired, want)
	}
	if _, err := h.s.getSchedule(context.Background(), &GetScheduleInput{Name: ptr("window")}); err == nil {
		t.Fatal("the schedule outlived its last occurrence with ActionAfterCompletion DELETE")
	}
}

func TestSchedulerFlexibleWindowFiresWithinTheWindowAndStaysPut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t.TempDir())
	arn := h.create("flex", "cron(0 11 * * ? *)", func(in *CreateScheduleInput) {
		in.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("FLEXIBLE")), MaximumWindowInMinutes: ptr(int32(30))}
	})
	occ := time.Date(2024, 6, 3, 11, 0, 0, 0, time.UTC)
	p := h.s.schedules[scheduleID{"default", "flex"}].plan
	fireAt := p.fireAt(occ)
	if fireAt.Before(occ) || !fireAt.Before(occ.Add(30*time.Minute)) {
		t.Fatalf("fires at %s, outside 11:00-11:30", fireAt)
	}
	h.restart()
	if got := h.s.schedules[scheduleID{"default", "flex"}].plan.fireAt(occ); !got.Equal(fireAt) {
		t.Fatalf("after a restart it fires at %s, not %s", got, fireAt)
	}
	if fireAt.After(occ) {
		h.at(fireAt.Add(-time.Second))
		if got := h.bodies(testQueue); len(got) != 0 {
			t.Fatalf("fired before its point in the window: %q", got)
		}
	}
	h.at(fireAt)
	if got := h.bodies(testQueue); !slices.Equal(got, []string{body("flex", occ)}) {
		t.Fatalf("at its point in the window (%s): %q", arn, got)
	}
}

func TestSchedulerRetriesFollowTheRetryPolicy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.targets.setFail(testQueue, errThrottled)
	arn := h.create("r", "at(2024-06-03T10:05:00)", func(in *CreateScheduleInput) {
		in.Target.RetryPolicy = &RetryPolicy{MaximumRetryAttempts: ptr(int32(2))}
		in.Target.DeadLetterConfig = &DeadLetterConfig{Arn: ptr(testDLQ)}
		in.Target.Input = ptr(`attempt <aws.scheduler.attempt-number> of <aws.scheduler.schedule-arn>`)
	})
	h.at(minute(5))
	h.at(minute(5).Add(500 * time.Millisecond)) // before the first retry's second
	h.at(minute(5).Add(time.Second))            // first retry
	h.at(minute(5).Add(2 * time.Second))        // second retry is due 2 s after the first
	h.at(minute(5).Add(3 * time.Second))
	var bodies []string
	var times []time.Time
	for _, d := range h.targets.take(testQueue) {
		bodies, times = append(bodies, string(d.msg.Body)), append(times, d.at)
	}
	want := []string{"attempt 1 of " + arn, "attempt 2 of " + arn, "attempt 3 of " + arn}
	if !slices.Equal(bodies, want) {
		t.Fatalf("attempts %q; want %q", bodies, want)
	}
	if wantTimes := []time.Time{minute(5), minute(5).Add(time.Second), minute(5).Add(3 * time.Second)}; !slices.EqualFunc(times, wantTimes, time.Time.Equal) {
		t.Fatalf("attempted at %v; want %v", times, wantTimes)
	}
	dead := h.targets.take(testDLQ)
	if len(dead) != 1 {
		t.Fatalf("dead letters: %+v", dead)
	}
	attrs := map[string]string{}
	for k, a := range dead[0].msg.Attributes {
		attrs[k] = a.StringValue
	}
	if string(dead[0].msg.Body) != "attempt 3 of "+arn || attrs["ERROR_CODE"] != "TooManyRequestsException" ||
		attrs["ERROR_MESSAGE"] != "Rate Exceeded." || attrs["RETRY_ATTEMPTS"] != "2" ||
		attrs["EXHAUSTED_RETRY_CONDITION"] != "MaximumRetryAttempts" || attrs["SCHEDULE_ARN"] != arn ||
		attrs["TARGET_ARN"] != testQueue || attrs["SCHEDULED_TIME"] != "2024-06-03T10:05:00Z" ||
		attrs["IS_PAYLOAD_TRUNCATED"] != "false" || len(attrs["EXECUTION_ID"]) != 16 {
		t.Fatalf("dead letter %q with %v", dead[0].msg.Body, attrs)
	}
}

func TestSchedulerRetriesStopAtTheMaximumEventAge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.targets.setFail(testQueue, errThrottled)
	h.create("age", "at(2024-06-03T10:05:00)", func(in *CreateScheduleInput) {
		in.Target.RetryPolicy = &RetryPolicy{MaximumEventAgeInSeconds: ptr(int32(60))}
		in.Target.DeadLetterConfig = &DeadLetterConfig{Arn: ptr(testDLQ)}
	})
	for s := 0; s <= 120; s++ {
		h.at(minute(5).Add(time.Duration(s) * time.Second))
	}
	// Attempts at 0, 1, 3, 7, 15 and 31 s; the next would be at 63 s.
	if got := len(h.targets.take(testQueue)); got != 6 {
		t.Fatalf("%d attempts; want 6", got)
	}
	dead := h.targets.take(testDLQ)
	if len(dead) != 1 || dead[0].msg.Attributes["EXHAUSTED_RETRY_CONDITION"].StringValue != "MaximumEventAgeInSeconds" ||
		dead[0].msg.Attributes["RETRY_ATTEMPTS"].StringValue != "5" {
		t.Fatalf("dead letters: %+v", dead)
	}
}

func TestSchedulerClientErrorsGoToTheDeadLetterQueueAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.targets.setFail(testQueue, errGone)
	h.create("gone", "rate(1 minute)", func(in *CreateScheduleInput) {
		in.Target.DeadLetterConfig = &DeadLetterConfig{Arn: ptr(testDLQ)}
	})
	h.at(minute(1))
	h.at(minute(1).Add(time.Minute / 2))
	if got := len(h.targets.take(testQueue)); got != 1 {
		t.Fatalf("%d attempts; want 1", got)
	}
	dead := h.targets.take(testDLQ)
	if len(dead) != 1 {
		t.Fatalf("dead letters: %+v", dead)
	}
	a := dead[0].msg.Attributes
	if a["ERROR_CODE"].StringValue != "QueueDoesNotExist" || a["RETRY_ATTEMPTS"].StringValue != "0" {
		t.Fatalf("attributes %+v", a)
	}
	if _, ok := a["EXHAUSTED_RETRY_CONDITION"]; ok {
		t.Fatalf("EXHAUSTED_RETRY_CONDITION set without a retry: %+v", a)
	}
}

func TestSchedulerDeletedScheduleStopsFiring(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.create("d", "rate(1 minute)")
	if _, err := h.s.deleteSchedule(context.Background(), &DeleteScheduleInput{Name: ptr("d")}); err != nil {
		t.Fatal(err)
	}
	h.at(minute(1))
	if got := h.bodies(testQueue); len(got) != 0 {
		t.Fatalf("a deleted schedule fired %q", got)
	}
	if h.s.due.len() != 0 {
		t.Fatalf("%d schedules still queued", h.s.due.len())
	}
}
