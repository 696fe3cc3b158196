package lambda

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/functions"
)

// drain runs every due asynchronous invocation to its end.
func (f *fixture) drain() {
	f.svc.dispatchDue(context.Background(), nil)
	f.svc.async.wg.Wait()
}

func TestAsyncInvokeRetriesTwice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("async")
	var attempts atomic.Int32
	f.fns.setHandler(func(spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error) {
		attempts.Add(1)
		return &functions.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"no"}`)}, nil
	})
	r := f.ok(202, nil, "POST", "/2015-03-31/functions/async/invocations", []byte(`{"n":1}`), "X-Amz-Invocation-Type", "Event")
	if len(r.Body) != 0 {
		t.Errorf("202 with a body: %s", r.Body)
	}
	if n := countKeys(t, f, lambdaKey("queue")); n != 1 {
		t.Fatalf("%d queued invocations after Invoke, want 1 stored", n)
	}
	f.drain()
	if attempts.Load() != 1 {
		t.Fatalf("%d attempts at first", attempts.Load())
	}
	// The first retry comes a minute later, the second two after that.
	f.clock.Advance(59 * time.Second)
	f.drain()
	if attempts.Load() != 1 {
		t.Errorf("retried after 59 s")
	}
	f.clock.Advance(time.Second)
	f.drain()
	if attempts.Load() != 2 {
		t.Errorf("%d attempts a minute later, want 2", attempts.Load())
	}
	f.clock.Advance(119 * time.Second)
	f.drain()
	if attempts.Load() != 2 {
		t.Errorf("retried again after 119 s")
	}
	f.clock.Advance(time.Second)
	f.drain()
	if attempts.Load() != 3 {
		t.Errorf("%d attempts, want 3", attempts.Load())
	}
	f.clock.Advance(time.Hour)
	f.drain()
	if attempts.Load() != 3 || countKeys(t, f, lambdaKey("queue")) != 0 {
		t.Errorf("after three failures: %d attempts, %d queued", attempts.Load(), countKeys(t, f, lambdaKey("queue")))
	}
	for _, c := range f.fns.invocations() {
		if c.Inv.RequestID != "11111111-2222-4333-8444-555555555555" || string(c.Inv.Payload) != `{"n":1}` {
			t.Errorf("attempt %+v", c.Inv)
		}
	}
}

func TestAsyncInvokeSucceedsAndThrottles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("a")
	var busy atomic.Bool
	busy.Store(true)
	f.fns.setHandler(func(spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error) {
		if busy.Load() {
			return nil, functions.ErrTooManyRequests
		}
		return &functions.Result{Payload: []byte(`{}`)}, nil
	})
	f.ok(202, nil, "POST", "/2015-03-31/functions/a/invocations?Qualifier=$LATEST", []byte(`{}`), "X-Amz-Invocation-Type", "Event")
	// Throttles do not use up attempts.
	for range 5 {
		f.drain()
		f.clock.Advance(asyncThrottleRetry)
	}
	if n := len(f.fns.invocations()); n != 5 || countKeys(t, f, lambdaKey("queue")) != 1 {
		t.Fatalf("%d throttled attempts, %d queued", n, countKeys(t, f, lambdaKey("queue")))
	}
	busy.Store(false)
	f.drain()
	if countKeys(t, f, lambdaKey("queue")) != 0 {
		t.Error("a delivered invocation stayed queued")
	}
	// An Event payload may have up to 1 MB (256 KB before Lambda raised
	// the limit); one byte more is refused.
	f.ok(202, nil, "POST", "/2015-03-31/functions/a/invocations",
		[]byte(`"`+strings.Repeat("x", maxAsyncPayload-2)+`"`), "X-Amz-Invocation-Type", "Event")
	msg := f.fails("RequestEntityTooLargeException", 413, "POST", "/2015-03-31/functions/a/invocations",
		[]byte(`"`+strings.Repeat("x", maxAsyncPayload-1)+`"`), "X-Amz-Invocation-Type", "Event")
	if msg != "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)" {
		t.Errorf("message %q", msg)
	}
}

func TestAsyncInvocationsSurviveRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("durable")
	f.ok(202, nil, "POST", "/2015-03-31/functions/durable/invocations", []byte(`{"kept":true}`), "X-Amz-Invocation-Type", "Event")
	// A new service over the same store, with an empty extraction cache,
	// delivers it.
	f.dataDir = t.TempDir()
	f.start()
	f.drain()
	calls := f.fns.invocations()
	if len(calls) != 1 || string(calls[0].Inv.Payload) != `{"kept":true}` {
		t.Fatalf("after restart: %+v", calls)
	}
	if _, err := readUnzippedSize(calls[0].Spec.CodeDir); err != nil {
		t.Errorf("the package was not extracted again: %v", err)
	}
	// Run delivers what is queued and returns when its context ends.
	f.ok(202, nil, "POST", "/2015-03-31/functions/durable/invocations", []byte(`{"run":1}`), "X-Amz-Invocation-Type", "Event")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.Run(ctx, nil); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for countKeys(t, f, lambdaKey("queue")) != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if n := countKeys(t, f, lambdaKey("queue")); n != 0 {
		t.Errorf("Run left %d invocations queued", n)
	}
	// The event of a function deleted meanwhile is discarded.
	f.ok(202, nil, "POST", "/2015-03-31/functions/durable/invocations", []byte(`{}`), "X-Amz-Invocation-Type", "Event")
	f.ok(204, nil, "DELETE", "/2015-03-31/functions/durable", nil)
	f.drain()
	if n := countKeys(t, f, lambdaKey("queue")); n != 0 {
		t.Errorf("%d queued for a deleted function", n)
	}
}

func TestTruncateUTF8(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exact", 5, "exact"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"}, // é is two bytes: not split
		{"éé", 3, "é"},
		{"", 0, ""},
	} {
		if got := truncateUTF8(c.in, c.n); got != c.want {
			t.Errorf("truncateUTF8(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// recordingDestinations keeps what is delivered to destinations.
type recordingDestinations struct {
	mu   sync.Mutex
	sent []string // ARN + " " + body
}

func (r *recordingDestinations) Deliver(ctx context.Context, arn string, m deliver.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, arn+" "+string(m.Body))
	return nil
}

func (r *recordingDestinations) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// An event of a function with no concurrency to run it (reserved
// concurrency 0) waits until it is older than MaximumEventAgeInSeconds,
// then goes to the OnFailure destination as EventAgeExceeded, never run.
func TestAsyncInvocationOfThrottledFunctionAgesOut(t *testing.T) {
	t.Parallel()
	dests := &recordingDestinations{}
	f := newFixture(t, func(d *Deps) { d.Destinations = dests })
	f.create("idle")
	f.ok(200, nil, "PUT", "/2017-10-31/functions/idle/concurrency", map[string]any{"ReservedConcurrentExecutions": 0})
	const failures = "arn:aws:sqs:us-east-1:000000000000:failures"
	f.ok(200, nil, "PUT", "/2019-09-25/functions/idle/event-invoke-config", map[string]any{
		"MaximumEventAgeInSeconds": 60,
		"DestinationConfig":        map[string]any{"OnFailure": map[string]any{"Destination": failures}},
	})
	f.ok(202, nil, "POST", "/2015-03-31/functions/idle/invocations", []byte(`{"n":1}`), "X-Amz-Invocation-Type", "Event")
	f.drain()
	f.clock.Advance(60 * time.Second)
	f.drain()
	if got := dests.all(); len(got) != 0 || countKeys(t, f, lambdaKey("queue")) != 1 {
		t.Fatalf("within the maximum age: %d queued, sent %q", countKeys(t, f, lambdaKey("queue")), got)
	}
	f.clock.Advance(time.Second)
	f.drain()
	got := dests.all()
	if len(got) != 1 || countKeys(t, f, lambdaKey("queue")) != 0 {
		t.Fatalf("past the maximum age: %d queued, sent %q", countKeys(t, f, lambdaKey("queue")), got)
	}
	if n := len(f.fns.invocations()); n != 0 {
		t.Errorf("the function ran %d times", n)
	}
	want := failures + ` {"version":"1.0","timestamp":"2024-03-04T05:07:08.890Z","requestContext":{"requestId":"11111111-2222-4333-8444-555555555555",` +
		`"functionArn":"arn:aws:lambda:us-east-1:000000000000:function:idle:$LATEST","condition":"EventAgeExceeded","approximateInvokeCount":0},"requestPayload":{"n":1}}`
	if got[0] != want {
		t.Errorf("record\n got %s\nwant %s", got[0], want)
	}
}
