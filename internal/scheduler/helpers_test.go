package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

const (
	testAccount = "000000000000"
	testRegion  = "us-east-1"
	testRole    = "arn:aws:iam::000000000000:role/scheduler"
	testQueue   = "arn:aws:sqs:us-east-1:000000000000:target"
	testDLQ     = "arn:aws:sqs:us-east-1:000000000000:dead"
)

// testEpoch is a Monday, 10:00:30 UTC: half a minute past a whole minute,
// so that a rate schedule created then first fires at 10:01:00.
var testEpoch = time.Date(2024, 6, 3, 10, 0, 30, 0, time.UTC)

// delivered is one message the fake router was given.
type delivered struct {
	arn string
	msg deliver.Message
	at  time.Time
}

// fakeTargets records deliveries and fails those to ARNs the test marks.
type fakeTargets struct {
	clock *clock.Fake
	mu    sync.Mutex
	got   []delivered
	fail  map[string]error
}

func (f *fakeTargets) Deliver(ctx context.Context, arn string, m deliver.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, delivered{arn, m, f.clock.Now()})
	return f.fail[arn]
}

func (f *fakeTargets) setFail(arn string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = map[string]error{}
	}
	f.fail[arn] = err
}

// take returns and forgets what was delivered to arn.
func (f *fakeTargets) take(arn string) []delivered {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out, rest []delivered
	for _, d := range f.got {
		if d.arn == arn {
			out = append(out, d)
		} else {
			rest = append(rest, d)
		}
	}
	f.got = rest
	return out
}

// errThrottled is a failure a retry may mend; errGone one it cannot.
var (
	errThrottled = apierr.New("TooManyRequestsException", 429, "Rate Exceeded.")
	errGone      = apierr.New("QueueDoesNotExist", 400, "The specified queue does not exist.")
)

// harness is a Scheduler on a fake clock and a fake router, whose loop
// the test turns by hand.
type harness struct {
	t       *testing.T
	s       *Service
	db      store.Store
	clock   *clock.Fake
	targets *fakeTargets
	dir     string
}

// newHarness opens Scheduler on an in-memory store, or on dir when the
// test restarts it.
func newHarness(t *testing.T, dir string) *harness {
	t.Helper()
	h := &harness{t: t, clock: clock.NewFake(testEpoch), dir: dir}
	h.targets = &fakeTargets{clock: h.clock}
	h.open()
	t.Cleanup(func() { h.db.Close() })
	return h
}

func (h *harness) open() {
	h.t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{Dir: h.dir, InMemory: h.dir == ""})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.s, err = New(Deps{Store: db, Clock: h.clock, IDs: ids.New(nil), Account: testAccount, Region: testRegion, Targets: h.targets})
	if err != nil {
		h.t.Fatal(err)
	}
}

// restart closes the store and opens Scheduler again on it, as a new
// process would.
func (h *harness) restart() {
	h.t.Helper()
	h.s.deliveries.wait()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

// turn runs one round of the loop at the clock's time and waits for the
// attempts it started.
func (h *harness) turn() {
	log := slog.New(slog.DiscardHandler)
	h.s.fireDue(log)
	h.s.dispatch(context.Background(), log)
	h.s.deliveries.wait()
}

// at moves the clock to t and turns the loop.
func (h *harness) at(t time.Time) {
	h.clock.Set(t)
	h.turn()
}

// create creates a schedule; change adjusts the input first.
func (h *harness) create(name, expr string, change ...func(*CreateScheduleInput)) string {
	h.t.Helper()
	in := &CreateScheduleInput{
		Name: ptr(name), ScheduleExpression: ptr(expr),
		FlexibleTimeWindow: &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("OFF"))},
		Target:             &Target{Arn: ptr(testQueue), RoleArn: ptr(testRole), Input: ptr(`{"n":"` + name + `","t":"<aws.scheduler.scheduled-time>"}`)},
	}
	for _, c := range change {
		c(in)
	}
	out, err := h.s.createSchedule(context.Background(), in)
	if err != nil {
		h.t.Fatalf("CreateSchedule %s: %v", name, err)
	}
	return *out.ScheduleArn
}

// bodies returns and forgets the bodies delivered to arn.
func (h *harness) bodies(arn string) []string {
	var out []string
	for _, d := range h.targets.take(arn) {
		out = append(out, string(d.msg.Body))
	}
	return out
}

// wantCode asserts that err is the AWS error code with the message.
func wantCode(t *testing.T, err error, code, message string) {
	t.Helper()
	e := apierr.As(err)
	if e == nil {
		t.Fatalf("error = %v; want %s", err, code)
	}
	if e.Code != code || (message != "" && e.Message != message) {
		t.Fatalf("error = %s: %q; want %s: %q", e.Code, e.Message, code, message)
	}
}
