package sns

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/store"
)

// HTTP/S deliveries go through a durable outbox: Subscribe, Publish and
// Unsubscribe store each POST they owe (a SubscriptionConfirmation, a
// Notification, an UnsubscribeConfirmation) in the same commit that
// precedes their answer, and Run makes the POSTs
// in the background, retrying per the subscription's effective delivery
// policy. The attempt count and next attempt time are stored after every
// failure, so a crash or restart loses no delivery and repeats at most
// the attempt in progress (subscribers see at-least-once delivery, as on
// AWS). After the last failed attempt a notification goes to the
// subscription's dead-letter queue, if it has one, and is dropped
// otherwise.

// httpDelivery is one POST in the outbox.
type httpDelivery struct {
	ID string `json:"id"`
	// Type is the x-amz-sns-message-type: SubscriptionConfirmation,
	// Notification or UnsubscribeConfirmation.
	Type           string `json:"type"`
	Topic          string `json:"topic"`
	SubscriptionID string `json:"subscription"`
	MessageID      string `json:"messageId"`
	Body           string `json:"body"`
	Raw            bool   `json:"raw,omitempty"`
	// GroupID and DedupID are kept for a FIFO dead-letter queue.
	GroupID string `json:"group,omitempty"`
	DedupID string `json:"dedup,omitempty"`
	// Attempts counts the attempts that failed; NotBefore (Unix
	// milliseconds) is when the next may start.
	Attempts  int   `json:"attempts,omitempty"`
	NotBefore int64 `json:"notBefore"`
}

// outboxPoll bounds how long Run sleeps between looks at the outbox. Due
// times are the injected clock's: Run sleeps until the next one by that
// clock, and no longer than outboxPoll, so that a retry starts at most
// outboxPoll after a fake clock is moved past its time.
const outboxPoll = time.Second

// maxConcurrentDeliveries bounds the POSTs in flight at once.
const maxConcurrentDeliveries = 32

// outbox is the in-memory side of the stored deliveries.
type outbox struct {
	kick    chan struct{}
	mu      sync.Mutex
	pending map[string]*httpDelivery // by id
	running map[string]bool
	wg      sync.WaitGroup
}

func (o *outbox) init() {
	o.kick = make(chan struct{}, 1)
	o.pending = map[string]*httpDelivery{}
	o.running = map[string]bool{}
}

// add indexes a stored delivery.
func (o *outbox) add(d *httpDelivery) {
	o.mu.Lock()
	o.pending[d.ID] = d
	o.mu.Unlock()
}

// nudge wakes Run.
func (o *outbox) nudge() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// dispatch starts every delivery whose attempt is due and returns how
// long until the next one not yet due (outboxPoll when there is none).
func (s *Service) dispatch(ctx context.Context, log *slog.Logger) time.Duration {
	next := outboxPoll
	if ctx.Err() != nil {
		return next
	}
	now := s.clock.Now().UnixMilli()
	o := &s.outbox
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, d := range o.pending {
		if o.running[id] {
			continue
		}
		if d.NotBefore > now {
			next = min(next, time.Duration(d.NotBefore-now)*time.Millisecond)
			continue
		}
		if len(o.running) >= maxConcurrentDeliveries {
			return next
		}
		o.running[id] = true
		o.wg.Add(1)
		go func() {
			defer func() {
				o.mu.Lock()
				delete(o.running, id)
				o.mu.Unlock()
				o.wg.Done()
				o.nudge()
			}()
			s.attempt(ctx, d, log)
		}()
	}
	return next
}

// deliveryOutcome is what one attempt came to.
type deliveryOutcome int

const (
	delivered deliveryOutcome = iota
	// retryable failures are AWS's server-side errors: no connection, no
	// answer in time, a 5xx status, or 429.
	retryable
	// permanent failures are client-side errors (other statuses), which
	// AWS does not retry.
	permanent
)

// attempt makes one attempt at d and records its outcome.
func (s *Service) attempt(ctx context.Context, d *httpDelivery, log *slog.Logger) {
	sub, t, policy := s.deliveryTarget(d)
	if sub == nil || d.Type == "SubscriptionConfirmation" && !sub.rec.Pending {
		// Unsubscribed (or, for an UnsubscribeConfirmation, restored or
		// past restoring), topic deleted, or already confirmed.
		s.finish(d, log)
		return
	}
	outcome, detail := s.post(ctx, d, sub, t, policy)
	if ctx.Err() != nil {
		return // shutting down: the delivery stays for the next start
	}
	if outcome == delivered {
		s.finish(d, log)
		return
	}
	retry := policy.HealthyRetryPolicy
	if outcome == retryable && d.Attempts+1 <= retry.NumRetries {
		next := *d
		next.Attempts++
		next.NotBefore = s.clock.Now().Add(retry.delay(next.Attempts)).UnixMilli()
		if err := commit(s.store, func(b store.Batch) { b.Set(deliveryKey(d.ID), mustJSON(&next)) }); err != nil {
			log.Error("sns: storing an HTTP/S delivery's retry", "subscription", sub.arn, "err", err)
			s.postpone(d)
			return
		}
		s.outbox.mu.Lock()
		s.outbox.pending[d.ID] = &next
		s.outbox.mu.Unlock()
		return
	}
	if d.Type == "Notification" {
		code := "HttpError"
		if outcome == retryable {
			code = "EndpointUnavailable"
		}
		m := &message{ID: d.MessageID, GroupID: d.GroupID, DedupID: d.DedupID}
		if err := s.deadLetter(context.WithoutCancel(ctx), sub, d.Body, m, code, detail); err != nil {
			log.Error("sns: sending to a dead-letter queue", "subscription", sub.arn, "err", err)
			s.postpone(d)
			return
		}
	}
	log.Warn("sns: HTTP/S delivery failed for good", "subscription", sub.arn, "messageId", d.MessageID,
		"type", d.Type, "attempts", d.Attempts+1, "reason", detail)
	s.finish(d, log)
}

// postponeBy is how long a delivery waits after virga failed to record
// its outcome (a store error), before the attempt is made again.
const postponeBy = time.Minute

// postpone makes the next attempt at d wait postponeBy, in memory: the
// store, which just failed, still holds the earlier state.
func (s *Service) postpone(d *httpDelivery) {
	later := *d
	later.NotBefore = s.clock.Now().Add(postponeBy).UnixMilli()
	s.outbox.mu.Lock()
	s.outbox.pending[d.ID] = &later
	s.outbox.mu.Unlock()
}

// finish removes a delivery from the outbox.
func (s *Service) finish(d *httpDelivery, log *slog.Logger) {
	if err := commit(s.store, func(b store.Batch) { b.Delete(deliveryKey(d.ID)) }); err != nil {
		log.Error("sns: removing an HTTP/S delivery", "err", err)
		s.postpone(d)
		return
	}
	s.outbox.mu.Lock()
	delete(s.outbox.pending, d.ID)
	s.outbox.mu.Unlock()
}

// deliveryTarget finds a delivery's subscription, topic and effective
// policy; sub is nil when the subscription is gone. An
// UnsubscribeConfirmation goes to the unsubscribed subscription, while it
// can still be restored.
func (s *Service) deliveryTarget(d *httpDelivery) (*subscription, *topic, subscriptionPolicy) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.topics[d.Topic]
	if t == nil {
		return nil, nil, subscriptionPolicy{}
	}
	sub := t.subs[d.SubscriptionID]
	if d.Type == "UnsubscribeConfirmation" {
		sub = nil
		if r, ok := t.unsubscribed[d.SubscriptionID]; ok && restorable(r, s.clock.Now()) {
			sub = s.newSubscription(r, t)
		}
	}
	if sub == nil {
		return nil, nil, subscriptionPolicy{}
	}
	return sub, t, effectiveSubscriptionPolicy(t.policy, sub.policy)
}

// post makes the POST and classifies its outcome.
func (s *Service) post(ctx context.Context, d *httpDelivery, sub *subscription, t *topic, policy subscriptionPolicy) (deliveryOutcome, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.rec.Endpoint, strings.NewReader(d.Body))
	if err != nil {
		return permanent, err.Error()
	}
	h := req.Header
	h.Set("Content-Type", policy.RequestPolicy.HeaderContentType)
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", d.Type)
	h.Set("x-amz-sns-message-id", d.MessageID)
	h.Set("x-amz-sns-topic-arn", t.arn)
	if d.Type != "SubscriptionConfirmation" {
		h.Set("x-amz-sns-subscription-arn", sub.arn)
	}
	if d.Raw {
		h.Set("x-amz-sns-rawdelivery", "true")
	}
	res, err := s.client.Do(req)
	if err != nil {
		return retryable, err.Error()
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return delivered, ""
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return retryable, fmt.Sprintf("HTTP %d", res.StatusCode)
	default:
		return permanent, fmt.Sprintf("HTTP %d", res.StatusCode)
	}
}
