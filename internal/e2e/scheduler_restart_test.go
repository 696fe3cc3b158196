package e2e_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// schedVirga is virga on a data directory and a clock the test owns, so
// that the test can stop it and start it again where it left off.
type schedVirga struct {
	app   *app.App
	sched *scheduler.Client
	sqs   *sqs.Client
}

func startSchedVirga(t *testing.T, dir string, clk *clock.Fake) *schedVirga {
	t.Helper()
	cfg := config.Default()
	cfg.Listen, cfg.DataDir, cfg.InMemory = "127.0.0.1:0", dir, false
	a, err := app.New(cfg, app.Options{Clock: clk})
	if err != nil {
		t.Fatalf("starting virga on %s: %v", dir, err)
	}
	if err := a.Start(); err != nil {
		t.Fatalf("starting virga on %s: %v", dir, err)
	}
	v := &schedVirga{app: a}
	t.Cleanup(func() { v.stop(t) })
	c := e2e.ClientConfig("http://"+a.Addr(), cfg.Region, "test", "test", "")
	v.sched, v.sqs = scheduler.NewFromConfig(c), sqs.NewFromConfig(c)
	return v
}

func (v *schedVirga) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := v.app.Shutdown(ctx); err != nil {
		t.Errorf("stopping virga: %v", err)
	}
}

// TestSchedulerRestartFiresEachOccurrenceOnce fires an occurrence, stops
// virga and starts it again on the same data directory: the occurrence
// does not fire again and the next one does. Stopped for five minutes,
// virga does not replay the occurrences it missed: it fires the one still
// within its minute and carries on.
func TestSchedulerRestartFiresEachOccurrenceOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	start := time.Date(2024, 6, 3, 10, 0, 30, 0, time.UTC)
	clk := clock.NewFake(start)
	minute := func(m int) time.Time { return time.Date(2024, 6, 3, 10, m, 0, 0, time.UTC) }

	v := startSchedVirga(t, dir, clk)
	url, arn := schedQueue(t, v.sqs, "survivor")
	// "sync" fires as soon as virga is back at 10:01:30, in the loop's
	// first turn: once its message is in, that turn is known to have
	// happened, and whatever else it fired is in the queue too.
	for name, expr := range map[string]string{"every-minute": "rate(1 minute)", "once": "at(2024-06-03T10:03:00)", "sync": "at(2024-06-03T10:01:30)"} {
		_, err := v.sched.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String(expr),
			FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(arn), RoleArn: aws.String(schedRole), Input: schedInput(name)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(minute(1).Add(5 * time.Second))
	if got := schedWaitFor(t, v.sqs, url, schedBody("every-minute", minute(1))); len(got) != 1 {
		t.Fatalf("before the restart: %q", got)
	}
	v.stop(t)

	// Back within the same minute: 10:01 has fired and must not again.
	clk.Set(minute(1).Add(30 * time.Second))
	v = startSchedVirga(t, dir, clk)
	if _, err := v.sched.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("every-minute")}); err != nil {
		t.Fatalf("the schedule did not survive the restart: %v", err)
	}
	got := schedWaitFor(t, v.sqs, url, `{"tag":"sync","at":"2024-06-03T10:01:30Z"}`)
	clk.Set(minute(2).Add(5 * time.Second))
	got = append(got, schedWaitFor(t, v.sqs, url, schedBody("every-minute", minute(2)))...)
	if want := []string{`{"tag":"sync","at":"2024-06-03T10:01:30Z"}`, schedBody("every-minute", minute(2))}; !slices.Equal(got, want) {
		t.Fatalf("after the restart: %q; want %q", got, want)
	}
	clk.Set(minute(3).Add(5 * time.Second))
	got = schedWaitFor(t, v.sqs, url, schedBody("every-minute", minute(3)), schedBody("once", minute(3)))
	if slices.Sort(got); !slices.Equal(got, []string{schedBody("every-minute", minute(3)), schedBody("once", minute(3))}) {
		t.Fatalf("at 10:03: %q", got)
	}
	v.stop(t)

	// Down from 10:03:05 to 10:08:20: 10:04 to 10:07 are missed and not
	// replayed; 10:08 is within its minute and fires; the one-time
	// schedule, fired before, does not fire again.
	clk.Set(minute(8).Add(20 * time.Second))
	v = startSchedVirga(t, dir, clk)
	if got := schedWaitFor(t, v.sqs, url, schedBody("every-minute", minute(8))); len(got) != 1 {
		t.Fatalf("after five minutes down: %q", got)
	}
	clk.Set(minute(9).Add(time.Second))
	if got := schedWaitFor(t, v.sqs, url, schedBody("every-minute", minute(9))); len(got) != 1 {
		t.Fatalf("at 10:09: %q", got)
	}
	schedEmpty(t, v.sqs, url)
}
