package sns

import (
	"context"
	"fmt"
	"sort"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/traceheader"
)

// Publishing. A message goes to every confirmed subscription of its topic
// whose filter policy accepts it:
//
//   - SQS and Lambda subscriptions are delivered to in Go before Publish
//     answers. SQS's send is a synced store write and Lambda stores an
//     Event invocation before it returns, so an acknowledged message is
//     never lost for them, without an outbox of SNS's own. A crash in the
//     middle of a fan-out leaves the Publish unacknowledged; the client's
//     retry may deliver again to the subscriptions that already had it
//     (at-least-once, as on AWS; a FIFO queue drops the repeat by its
//     deduplication id).
//   - HTTP/S subscriptions get an entry in the durable outbox (see
//     http_delivery.go), committed before Publish answers.
//   - A delivery that SQS or Lambda refuses (the queue or function does
//     not exist, the message does not fit) is a client-side error, which
//     AWS does not retry: the message goes to the subscription's
//     dead-letter queue if it has one and is dropped otherwise.
//   - A firehose subscription's stream gets the message as one record
//     (firehoseRecordFor), buffered durably before Publish answers.
//   - email, email-json, sms and application subscriptions are not
//     delivered to.

// publishOne publishes a message that passed validation to t and returns
// its message id and, on a FIFO topic, its sequence number (those of the
// first message with the same deduplication id, when this one repeats it
// within five minutes).
func (s *Service) publishOne(ctx context.Context, t *topic, m *message) (string, string, error) {
	// A topic with active tracing traces every message it gets.
	if c := awsproto.CallFrom(ctx); c != nil && m.TraceHeader == "" && t.rec.Attributes["TracingConfig"] == "Active" {
		m.TraceHeader = c.TraceID
	}
	var dedup *dedupEntry
	if t.fifo {
		t.publishMu.Lock()
		defer t.publishMu.Unlock()
		now := s.clock.Now()
		if e, ok := t.dedup[m.DedupID]; ok && now.Before(e.expires) {
			return e.messageID, e.sequence, nil
		}
		// Sequence numbers grow with time, so they keep growing across
		// restarts without being stored, and by one at least.
		t.lastSeq = max(t.lastSeq+1, uint64(now.UnixNano()))
		m.Sequence = fmt.Sprintf("%020d", t.lastSeq)
		dedup = &dedupEntry{messageID: m.ID, sequence: m.Sequence, expires: now.Add(dedupWindow)}
	}
	subs, signatureVersion := s.snapshot(t)
	targets := subs[:0]
	for _, sub := range subs {
		if !sub.rec.Pending && sub.matches(m) {
			targets = append(targets, sub)
		}
	}
	g := signer{version: signatureVersion}
	if len(targets) > 0 {
		// The key is read (made, the first time) only once a message
		// is to be delivered.
		var err error
		if g.key, err = s.signingKey(); err != nil {
			return "", "", err
		}
	}
	var outbox []*httpDelivery
	for _, sub := range targets {
		var err error
		switch sub.rec.Protocol {
		case "sqs":
			err = s.deliverToQueue(ctx, t, sub, m, g)
		case "lambda":
			err = s.deliverToFunction(ctx, sub, m, g)
		case "firehose":
			err = s.deliverToFirehose(ctx, sub, m)
		case "http", "https":
			outbox = append(outbox, s.newHTTPDelivery(t, sub, m, g))
		}
		if err != nil {
			return "", "", err
		}
	}
	if len(outbox) > 0 || dedup != nil {
		err := commit(s.store, func(b store.Batch) {
			for _, d := range outbox {
				b.Set(deliveryKey(d.ID), mustJSON(d))
			}
			if dedup != nil {
				b.Set(dedupKey(t.name, m.DedupID), mustJSON(dedupRecord{MessageID: dedup.messageID,
					Sequence: dedup.sequence, ExpiresMillis: dedup.expires.UnixMilli()}))
			}
		})
		if err != nil {
			return "", "", err
		}
	}
	if dedup != nil {
		t.dedup[m.DedupID] = *dedup
	}
	for _, d := range outbox {
		s.outbox.add(d)
	}
	if len(outbox) > 0 {
		s.outbox.nudge()
	}
	return m.ID, m.Sequence, nil
}

// snapshot returns a topic's subscriptions in the order they were made,
// and the signature version of its messages.
func (s *Service) snapshot(t *topic) ([]*subscription, string) {
	s.mu.RLock()
	subs := make([]*subscription, 0, len(t.subs))
	for _, sub := range t.subs {
		subs = append(subs, sub)
	}
	version := t.signatureVersion()
	s.mu.RUnlock()
	sort.Slice(subs, func(i, j int) bool {
		if subs[i].rec.Created != subs[j].rec.Created {
			return subs[i].rec.Created < subs[j].rec.Created
		}
		return subs[i].rec.ID < subs[j].rec.ID
	})
	return subs, version
}

// deliverToQueue sends m to an SQS subscription's queue.
func (s *Service) deliverToQueue(ctx context.Context, t *topic, sub *subscription, m *message, g signer) error {
	if s.queues == nil {
		return nil
	}
	qm := QueueMessage{GroupID: m.GroupID, DeduplicationID: m.DedupID, TraceHeader: m.TraceHeader, TopicARN: s.topicARN(sub.rec.Topic)}
	if sub.raw {
		qm.Body = m.textFor(sub.rec.Protocol)
		attrs := m.deliveredAttributes()
		if len(attrs) > maxRawSQSAttributes {
			return s.deadLetter(ctx, sub, qm.Body, m, "InvalidParameter",
				fmt.Sprintf("Raw message delivery to SQS allows at most %d message attributes; the message has %d.", maxRawSQSAttributes, len(attrs)))
		}
		if len(attrs) > 0 {
			qm.Attributes = make(map[string]QueueAttribute, len(attrs))
			for name, a := range attrs {
				qm.Attributes[name] = QueueAttribute{DataType: a.DataType, StringValue: a.String, BinaryValue: a.Binary}
			}
		}
	} else {
		qm.Body = s.envelopeFor(m, sub, g, t.fifo)
	}
	_, err := s.queues.SendMessage(ctx, sub.rec.Endpoint, qm)
	if e := apierr.As(err); e != nil {
		return s.deadLetter(ctx, sub, qm.Body, m, e.Code, e.Message)
	}
	return err
}

// deliverToFunction invokes a Lambda subscription's function.
func (s *Service) deliverToFunction(ctx context.Context, sub *subscription, m *message, g signer) error {
	if s.functions == nil {
		return nil
	}
	var err error
	if s.permitted != nil {
		err = s.permitted(ctx, sub.rec.Endpoint, s.topicARN(sub.rec.Topic))
	}
	if err == nil {
		if m.TraceHeader != "" {
			ctx = traceheader.NewContext(ctx, m.TraceHeader)
		}
		_, err = s.functions.InvokeAsync(ctx, sub.rec.Endpoint, s.lambdaEventFor(m, sub, g))
	}
	if e := apierr.As(err); e != nil {
		body := s.envelopeFor(m, sub, g, false)
		return s.deadLetter(ctx, sub, body, m, e.Code, e.Message)
	}
	return err
}

// deliverToFirehose puts m as one record on a firehose subscription's
// stream.
func (s *Service) deliverToFirehose(ctx context.Context, sub *subscription, m *message) error {
	if s.firehose == nil {
		return nil
	}
	rec := s.firehoseRecordFor(m, sub)
	err := s.firehose.Put(sub.rec.Endpoint, rec)
	if e := apierr.As(err); e != nil {
		return s.deadLetter(ctx, sub, string(rec), m, e.Code, e.Message)
	}
	return err
}

// newHTTPDelivery is the outbox entry of m for an HTTP/S subscription.
func (s *Service) newHTTPDelivery(t *topic, sub *subscription, m *message, g signer) *httpDelivery {
	d := &httpDelivery{ID: s.ids.UUID(), Type: "Notification", Topic: t.name, SubscriptionID: sub.rec.ID,
		MessageID: m.ID, Raw: sub.raw, GroupID: m.GroupID, DedupID: m.DedupID, NotBefore: m.Published.UnixMilli()}
	if sub.raw {
		d.Body = m.textFor(sub.rec.Protocol)
	} else {
		d.Body = s.envelopeFor(m, sub, g, t.fifo)
	}
	return d
}

// deadLetter sends a message that could not be delivered to the
// subscription's dead-letter queue, with the reason in its ErrorCode and
// ErrorMessage attributes. Without a dead-letter queue the message is
// dropped and logged. It returns an error only when the dead-letter queue
// could not be written for a reason of virga's own.
func (s *Service) deadLetter(ctx context.Context, sub *subscription, body string, m *message, code, reason string) error {
	if sub.dlq == "" || s.queues == nil {
		s.log.Warn("sns: message not delivered and dropped", "subscription", sub.arn, "messageId", m.ID,
			"error", code, "reason", reason)
		return nil
	}
	qm := QueueMessage{Body: body, GroupID: m.GroupID, DeduplicationID: m.DedupID, TopicARN: s.topicARN(sub.rec.Topic), Attributes: map[string]QueueAttribute{
		"RequestID":    {DataType: "String", StringValue: s.ids.UUID()},
		"ErrorCode":    {DataType: "String", StringValue: code},
		"ErrorMessage": {DataType: "String", StringValue: nonEmpty(reason, code)},
	}}
	_, err := s.queues.SendMessage(ctx, sub.dlq, qm)
	if e := apierr.As(err); e != nil {
		s.log.Warn("sns: dead-letter queue refused an undelivered message; dropped", "subscription", sub.arn,
			"messageId", m.ID, "deadLetterQueue", sub.dlq, "error", e.Code, "reason", e.Message)
		return nil
	}
	return err
}

func nonEmpty(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// sweepDedup forgets FIFO deduplication ids older than five minutes.
func (s *Service) sweepDedup() {
	now := s.clock.Now()
	s.mu.RLock()
	topics := make([]*topic, 0, len(s.topics))
	for _, t := range s.topics {
		if t.fifo {
			topics = append(topics, t)
		}
	}
	s.mu.RUnlock()
	for _, t := range topics {
		t.publishMu.Lock()
		var expired []string
		for id, e := range t.dedup {
			if !now.Before(e.expires) {
				expired = append(expired, id)
			}
		}
		if len(expired) > 0 {
			err := commit(s.store, func(b store.Batch) {
				for _, id := range expired {
					b.Delete(dedupKey(t.name, id))
				}
			})
			if err == nil {
				for _, id := range expired {
					delete(t.dedup, id)
				}
			}
		}
		t.publishMu.Unlock()
	}
}

// phonePublish records a message published to a phone number.
func (s *Service) phonePublish(number string, m *message) error {
	return commit(s.store, func(b store.Batch) {
		b.Set(phoneKey(m.Published.UnixMilli(), m.ID), mustJSON(phoneMessage{MessageID: m.ID, PhoneNumber: number,
			Message: m.textFor("sms"), Subject: m.Subject, Sent: m.Published.UnixMilli()}))
	})
}
