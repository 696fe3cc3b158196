package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/store/keys"
)

// asyncInvocation is an Event invocation Lambda accepted: it is stored
// before Invoke answers 202, and deleted once it ran or gave up.
type asyncInvocation struct {
	ID            string
	Function      string
	Qualifier     string
	Payload       []byte
	ClientContext string
	TraceID       string
	// Upstream is the caller's own X-Amzn-Trace-Id, whose sampling
	// decision the function's TracingConfig honours (empty: the caller
	// sent none).
	Upstream string `json:",omitempty"`
	Enqueued time.Time
	// NotBefore is when the next attempt may start; Attempts counts the
	// attempts that failed.
	NotBefore time.Time
	Attempts  int
}

// queueKey is where an accepted invocation is stored: in its function's
// queue, in the order they were accepted.
func queueKey(e *asyncInvocation) []byte {
	k := keys.AppendInt(lambdaKey("queue", e.Function), e.Enqueued.UnixNano())
	return keys.AppendString(k, e.ID)
}

func functionQueueKey(name string) []byte { return lambdaKey("queue", name) }

// asyncQueue is the in-memory side of the queues: which stored
// invocations are running now, and a nudge for Run.
type asyncQueue struct {
	kick    chan struct{}
	mu      sync.Mutex
	running map[string]bool // by queue key
	perFn   map[string]int  // running invocations by function
	wg      sync.WaitGroup
}

func (q *asyncQueue) init() {
	q.kick = make(chan struct{}, 1)
	q.running = map[string]bool{}
	q.perFn = map[string]int{}
}

func (q *asyncQueue) nudge() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// asyncPoll is how often Run looks for invocations whose retry is due.
// Time is the injected clock's; the poll only bounds how late a retry
// starts.
const asyncPoll = time.Second

// enqueue stores an accepted invocation durably and wakes the runner.
func (s *Service) enqueue(e *asyncInvocation) error {
	w := s.newWrites()
	w.put(queueKey(e), e)
	if err := w.commit(); err != nil {
		return err
	}
	s.count(e.Function, e.Qualifier, MetricAsyncEventsReceived, "Count", 1)
	s.async.nudge()
	return nil
}

// Run delivers the accepted asynchronous invocations, those left from
// before a restart included, until ctx is done; then it waits for the
// invocations it started. Invocations interrupted by shutdown stay in
// the queue and run after the next start.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mappingsDone := make(chan struct{})
	go func() {
		defer close(mappingsDone)
		s.runMappings(ctx, log)
	}()
	defer func() { <-mappingsDone }()
	t := time.NewTicker(asyncPoll)
	defer t.Stop()
	for {
		s.dispatchDue(ctx, log)
		select {
		case <-ctx.Done():
			s.async.wg.Wait()
			return
		case <-s.async.kick:
		case <-t.C:
		}
	}
}

// dispatchDue starts every stored invocation whose attempt is due and
// whose function has concurrency to spare.
func (s *Service) dispatchDue(ctx context.Context, log *slog.Logger) {
	if ctx.Err() != nil {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := s.clock.Now()
	prefix := lambdaKey("queue")
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		log.Error("lambda: reading the asynchronous invocation queue", "error", err)
		return
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		key := string(it.Key())
		var e asyncInvocation
		if err := json.Unmarshal(it.Value(), &e); err != nil {
			log.Error("lambda: a stored asynchronous invocation is unreadable", "error", err)
			continue
		}
		if e.NotBefore.After(now) {
			continue
		}
		s.mu.RLock()
		fn := s.functions[e.Function]
		s.mu.RUnlock()
		limit, expired := 0, false
		if fn != nil {
			limit, expired = s.functionLimit(fn), now.Sub(e.Enqueued) > maxEventAge(fn, e.Qualifier)
		}
		s.async.mu.Lock()
		// An invocation too old to run starts even when the function has
		// no concurrency to spare (none at all, when its reserved
		// concurrency is 0): its delivery only sends the EventAgeExceeded
		// record and discards it, as Lambda does with events throttled
		// until they age out.
		if s.async.running[key] || (fn != nil && !expired && s.async.perFn[e.Function] >= limit) {
			s.async.mu.Unlock()
			continue
		}
		s.async.running[key] = true
		s.async.perFn[e.Function]++
		s.async.wg.Add(1)
		s.async.mu.Unlock()
		// The iterator reads the queue as it was when it opened. A
		// delivery of this invocation that ended since then deleted it or
		// queued it again for later (before it left running, which is
		// why this read comes after the check of running): that copy is
		// stale and must not run a second time.
		cur, due := s.queuedDue(key, now)
		if !due {
			s.async.mu.Lock()
			delete(s.async.running, key)
			s.async.perFn[e.Function]--
			s.async.mu.Unlock()
			s.async.wg.Done()
			continue
		}
		go s.deliver(ctx, key, cur, log)
	}
	if err := it.Error(); err != nil {
		log.Error("lambda: reading the asynchronous invocation queue", "error", err)
	}
}

// queuedDue is the stored invocation under key if it is still queued and
// due at now.
func (s *Service) queuedDue(key string, now time.Time) (*asyncInvocation, bool) {
	v, err := s.store.Get([]byte(key))
	if err != nil {
		return nil, false
	}
	var e asyncInvocation
	if json.Unmarshal(v, &e) != nil || e.NotBefore.After(now) {
		return nil, false
	}
	return &e, true
}

// deliver makes one attempt at a stored invocation, then deletes it (it
// ran, or it is out of attempts or too old) or schedules the next
// attempt: after 1 minute, then 2, for function errors; soon, and
// without counting an attempt, when throttled.
func (s *Service) deliver(ctx context.Context, key string, e *asyncInvocation, log *slog.Logger) {
	defer func() {
		s.async.mu.Lock()
		delete(s.async.running, key)
		s.async.perFn[e.Function]--
		s.async.mu.Unlock()
		s.async.wg.Done()
		s.async.nudge()
	}()
	now := s.clock.Now()
	drop := func(why string) {
		log.Warn("lambda: asynchronous invocation discarded", "function", e.Function, "requestId", e.ID, "reason", why)
		s.count(e.Function, e.Qualifier, MetricAsyncEventsDropped, "Count", 1)
		s.deleteQueued(key, log)
	}
	s.mu.RLock()
	fn := s.functions[e.Function]
	s.mu.RUnlock()
	if fn == nil {
		drop("the function was deleted")
		return
	}
	v, err := s.resolveInvocation(fn, target{Name: e.Function, Qualifier: e.Qualifier})
	if err != nil {
		drop("the version or alias was deleted")
		return
	}
	p := asyncPolicyFor(fn, v, e.Qualifier)
	end := func(o outcome, why string) {
		if err := s.finish(ctx, e, p, o); err != nil {
			log.Warn("lambda: delivering an asynchronous invocation's outcome", "function", e.Function, "requestId", e.ID, "err", err)
		}
		if why == "" {
			s.deleteQueued(key, log)
			return
		}
		drop(why)
	}
	if now.Sub(e.Enqueued) > p.maxAge {
		end(outcome{condition: conditionEventAgeExceeded, attempts: e.Attempts}, "older than the maximum event age")
		return
	}
	// AsyncEventAge: from when the event was queued to this attempt,
	// growing with each retry.
	s.count(e.Function, e.Qualifier, MetricAsyncEventAge, "Milliseconds", float64(now.Sub(e.Enqueued).Milliseconds()))
	res, err := s.run(withUpstreamTrace(ctx, e.Upstream), fn, v, &functions.Invocation{
		RequestID: e.ID, InvokedARN: s.qualifiedARN(e.Function, e.Qualifier), Payload: e.Payload, TraceID: e.TraceID, ClientContext: e.ClientContext,
	})
	if err != nil && ctx.Err() != nil {
		return // shutting down before it ran: the invocation stays queued
	}
	if ae := apierr.As(err); ae != nil && ae.Code == ErrTooManyRequests.Code {
		e.NotBefore = s.clock.Now().Add(asyncThrottleRetry)
		log.Debug("lambda: asynchronous invocation throttled; queued again", "function", e.Function, "requestId", e.ID, "notBefore", e.NotBefore, "err", err)
		s.putQueued(key, e, log)
		return
	}
	e.Attempts++
	o := outcome{attempts: e.Attempts, statusCode: 200, executedVersion: v.name()}
	if isRecursive(err) {
		// Lambda stopped a recursive loop: no retries; the event goes to
		// the dead-letter queue or on-failure destination.
		o.statusCode, o.functionError, o.condition = ErrRecursiveInvocation.Status, "Unhandled", conditionRetriesExhausted
		end(o, "a recursive loop was stopped")
		return
	}
	if err != nil {
		o.statusCode = 500
		if ae := apierr.As(err); ae != nil {
			o.statusCode = ae.Status
		}
		o.functionError = "Unhandled"
	} else {
		o.functionError, o.response = res.FunctionError, res.Payload
	}
	if o.functionError == "" {
		o.condition = conditionSuccess
		end(o, "")
		return
	}
	if e.Attempts >= p.attempts {
		o.condition = conditionRetriesExhausted
		end(o, "the function failed on every attempt")
		return
	}
	e.NotBefore = s.clock.Now().Add(asyncFirstRetry << (e.Attempts - 1))
	log.Debug("lambda: asynchronous invocation failed; retried later", "function", e.Function, "requestId", e.ID,
		"attempts", e.Attempts, "notBefore", e.NotBefore, "functionError", o.functionError, "err", err)
	s.putQueued(key, e, log)
}

func (s *Service) putQueued(key string, e *asyncInvocation, log *slog.Logger) {
	s.mu.RLock()
	_, exists := s.functions[e.Function]
	s.mu.RUnlock()
	if !exists {
		s.deleteQueued(key, log) // deleted while it ran
		return
	}
	w := s.newWrites()
	w.put([]byte(key), e)
	if err := w.commit(); err != nil {
		log.Error("lambda: storing an asynchronous invocation", "error", err)
	}
}

func (s *Service) deleteQueued(key string, log *slog.Logger) {
	w := s.newWrites()
	w.del([]byte(key))
	if err := w.commit(); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("lambda: deleting an asynchronous invocation", "error", err)
	}
}
