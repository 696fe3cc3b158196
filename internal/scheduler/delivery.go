package scheduler

import (
	"container/heap"
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/deliver"
)

// Bounds of the delivery queue. Every attempt runs in the background,
// never in an API call, and none of these waits holds Service.mu.
const (
	// maxPendingDeliveries bounds the occurrences waiting for an attempt;
	// beyond it a newly fired occurrence is dropped (and logged), so that a
	// target that fails for a day cannot grow virga's memory without end.
	maxPendingDeliveries = 10000
	// maxInflightDeliveries bounds the attempts made at once.
	maxInflightDeliveries = 16
	// firstRetryDelay doubles with each retry up to maxRetryDelay: "Retry
	// attempts with exponential backoff continue until either the maximum
	// number of attempts is made or until the duration of the
	// MaximumEventAgeInSeconds is reached."
	firstRetryDelay = time.Second
	maxRetryDelay   = time.Minute
)

// The EXHAUSTED_RETRY_CONDITION a dead letter gives when the retry policy
// ran out.
const (
	exhaustedAttempts = "MaximumRetryAttempts"
	exhaustedAge      = "MaximumEventAgeInSeconds"
)

// pending is one fired occurrence waiting for its next delivery attempt.
type pending struct {
	scheduleARN string
	target      targetRecord
	scheduled   time.Time
	// created is when the occurrence fired: retries stop
	// MaximumEventAgeInSeconds after it.
	created   time.Time
	attempts  int
	notBefore time.Time
}

// deliveryQueue holds the occurrences waiting for an attempt, earliest
// first, and counts the attempts in flight. Its lock is taken after
// Service.mu, never before.
type deliveryQueue struct {
	mu       sync.Mutex
	h        pendingHeap
	inflight int
	wg       sync.WaitGroup
}

// add queues p for an attempt at p.notBefore.
func (q *deliveryQueue) add(p *pending, log *slog.Logger) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.h) >= maxPendingDeliveries {
		log.Error("scheduler: too many deliveries pending; dropping an invocation",
			"schedule", p.scheduleARN, "scheduled", p.scheduled, "target", p.target.Arn)
		return
	}
	heap.Push(&q.h, p)
}

// wait waits for the attempts in flight.
func (q *deliveryQueue) wait() { q.wg.Wait() }

// dispatch starts the attempts that are due, as many as the bound allows.
func (s *Service) dispatch(ctx context.Context, log *slog.Logger) {
	now := s.clock.Now()
	q := &s.deliveries
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.inflight < maxInflightDeliveries && len(q.h) > 0 && !q.h[0].notBefore.After(now) {
		p := heap.Pop(&q.h).(*pending)
		q.inflight++
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			s.attempt(ctx, p, log)
			q.mu.Lock()
			q.inflight--
			q.mu.Unlock()
		}()
	}
}

// attempt invokes p's target once. A failure is retried per the target's
// retry policy; when the policy runs out, or the failure is one a retry
// cannot mend, the invocation goes to the dead-letter queue.
func (s *Service) attempt(ctx context.Context, p *pending, log *slog.Logger) {
	p.attempts++
	inv := invocation{scheduleARN: p.scheduleARN, target: p.target, scheduled: p.scheduled,
		executionID: s.ids.Hex(8), attempt: p.attempts, eventID: s.ids.UUID()}
	err := s.targets.Deliver(ctx, p.target.Arn, inv.message())
	if err == nil {
		return
	}
	if ctx.Err() != nil {
		log.Warn("scheduler: invocation dropped at shutdown", "schedule", p.scheduleARN, "target", p.target.Arn, "err", err)
		return
	}
	retries := p.attempts - 1
	condition := ""
	switch now := s.clock.Now(); {
	case !retryable(err):
	case retries >= int(p.target.MaxRetryAttempts):
		condition = exhaustedAttempts
	default:
		delay := min(firstRetryDelay<<min(retries, 16), maxRetryDelay)
		if now.Add(delay).Sub(p.created) > time.Duration(p.target.MaxEventAgeSeconds)*time.Second {
			condition = exhaustedAge
			break
		}
		log.Debug("scheduler: invocation failed; retrying", "schedule", p.scheduleARN, "target", p.target.Arn,
			"attempt", p.attempts, "delay", delay, "err", err)
		p.notBefore = now.Add(delay)
		s.deliveries.add(p, log)
		return
	}
	s.deadLetter(ctx, inv, err, retries, condition, log)
}

// retryable reports whether a failed invocation may succeed if tried
// again: throttling and the target service's own faults may pass; client
// errors (a queue or function that does not exist, a message the target
// refuses) will not, and go to the dead-letter queue at once, as
// EventBridge documents for its targets. A failure that is not an AWS
// error (a target kind virga cannot reach yet) is retried.
func retryable(err error) bool {
	e := apierr.As(err)
	return e == nil || e.Fault || e.Status == 429 || e.Status >= 500
}

// deadLetter sends a failed invocation to the target's dead-letter queue:
// the payload the target was given, with the message attributes Scheduler
// documents for its dead-letter events, sent as the target's role (which
// needs sqs:SendMessage on the queue). Without a dead-letter queue the
// invocation is dropped, as AWS drops it.
func (s *Service) deadLetter(ctx context.Context, inv invocation, cause error, retries int, condition string, log *slog.Logger) {
	dlq := inv.target.DeadLetterArn
	if dlq == "" {
		log.Warn("scheduler: invocation failed; no dead-letter queue", "schedule", inv.scheduleARN,
			"target", inv.target.Arn, "attempts", inv.attempt, "err", cause)
		return
	}
	code, message := "InternalFailure", cause.Error()
	if e := apierr.As(cause); e != nil {
		code, message = e.Code, e.Message
	}
	str := func(v string) deliver.Attribute { return deliver.Attribute{DataType: "String", StringValue: v} }
	attrs := map[string]deliver.Attribute{
		"ERROR_CODE":           str(code),
		"ERROR_MESSAGE":        str(message),
		"EXECUTION_ID":         str(inv.executionID),
		"IS_PAYLOAD_TRUNCATED": str("false"),
		"RETRY_ATTEMPTS":       str(strconv.Itoa(retries)),
		"SCHEDULED_TIME":       str(inv.scheduled.UTC().Format(scheduledTimeLayout)),
		"SCHEDULE_ARN":         str(inv.scheduleARN),
		"TARGET_ARN":           str(inv.target.Arn),
	}
	if condition != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = str(condition)
	}
	if message == "" {
		// SQS refuses an empty string attribute.
		delete(attrs, "ERROR_MESSAGE")
	}
	if err := s.targets.Deliver(ctx, dlq, deliver.Message{Body: []byte(inv.input()), Attributes: attrs,
		Role: inv.role()}); err != nil {
		log.Error("scheduler: sending to the dead-letter queue", "schedule", inv.scheduleARN,
			"deadLetterQueue", dlq, "err", err, "cause", cause)
	}
}

type pendingHeap []*pending

func (h pendingHeap) Len() int { return len(h) }

func (h pendingHeap) Less(i, j int) bool { return h[i].notBefore.Before(h[j].notBefore) }

func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *pendingHeap) Push(x any) { *h = append(*h, x.(*pending)) }

func (h *pendingHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}
