package sqs

import (
	"context"
	"time"
)

// Services talk to SQS in Go: SNS and EventBridge deliver to queues,
// Lambda's event source mappings poll them, Lambda's asynchronous
// invocations send failures to dead-letter queues. These calls behave as
// their API counterparts (same limits, same durability) without going
// through HTTP.

// Attribute is a message attribute: DataType "String", "Number" or
// "Binary" (optionally with a ".custom" suffix) and its value.
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Outgoing is a message another service sends.
type Outgoing struct {
	Body       string
	Attributes map[string]Attribute
	// GroupID and DeduplicationID are for FIFO queues.
	GroupID, DeduplicationID string
	// TraceHeader is the X-Ray trace header (AWSTraceHeader).
	TraceHeader string
}

// Send sends m to the queue with the given ARN and returns its message id.
func (s *Service) Send(ctx context.Context, queueARN string, m Outgoing) (string, error) {
	s.mu.Lock()
	q := s.queueByARN(queueARN)
	s.mu.Unlock()
	if q == nil {
		return "", ErrQueueDoesNotExist
	}
	e := sendEntry{body: &m.Body}
	if len(m.Attributes) > 0 {
		e.attrs = make(map[string]MessageAttributeValue, len(m.Attributes))
		for k, a := range m.Attributes {
			v := MessageAttributeValue{DataType: ptr(a.DataType)}
			if isBinaryType(a.DataType) {
				v.BinaryValue = a.BinaryValue
			} else {
				v.StringValue = ptr(a.StringValue)
			}
			e.attrs[k] = v
		}
	}
	if m.GroupID != "" {
		e.groupID = &m.GroupID
	}
	if m.DeduplicationID != "" && q.cfg.FIFO {
		e.dedupID = &m.DeduplicationID
	}
	if m.TraceHeader != "" {
		e.sysAttrs = map[string]MessageSystemAttributeValue{"AWSTraceHeader": {DataType: ptr("String"), StringValue: &m.TraceHeader}}
	}
	now := s.clock.Now()
	r, err := s.prepare(ctx, q, e, now)
	if err != nil {
		return "", err
	}
	res, err := s.send(q, []*messageRecord{r}, now)
	if err != nil {
		return "", err
	}
	return res[0].id, nil
}

// Received is a message as an event source mapping gets it.
type Received struct {
	MessageID     string
	ReceiptHandle string
	Body          string
	MD5OfBody     string
	// Attributes are the system attributes (ApproximateReceiveCount,
	// SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, and
	// SequenceNumber, MessageGroupId, MessageDeduplicationId on FIFO
	// queues, AWSTraceHeader when set).
	Attributes        map[string]string
	MessageAttributes map[string]Attribute
	MD5OfAttributes   string
}

// QueueInfo is what an event source mapping checks about a queue.
type QueueInfo struct {
	ARN               string
	FIFO              bool
	VisibilityTimeout time.Duration
}

// Queue returns the queue with the given ARN, if it exists.
func (s *Service) Queue(queueARN string) (QueueInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queueByARN(queueARN)
	if q == nil {
		return QueueInfo{}, false
	}
	return QueueInfo{ARN: q.arn, FIFO: q.cfg.FIFO, VisibilityTimeout: time.Duration(q.cfg.VisibilityTimeout) * time.Second}, true
}

// Receive long-polls the queue for up to max messages (1 to 10), waiting
// at most wait, as ReceiveMessage with every attribute selected.
func (s *Service) Receive(ctx context.Context, queueARN string, max int, wait time.Duration) ([]Received, error) {
	s.mu.Lock()
	q := s.queueByARN(queueARN)
	s.mu.Unlock()
	if q == nil {
		return nil, ErrQueueDoesNotExist
	}
	in := &ReceiveMessageRequest{AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}}
	msgs, gone, err := s.poll(ctx, q, in, max, wait)
	if err != nil {
		return nil, err
	}
	if gone {
		return nil, ErrQueueDoesNotExist
	}
	out := make([]Received, len(msgs))
	for i, m := range msgs {
		out[i] = Received{MessageID: *m.MessageId, ReceiptHandle: *m.ReceiptHandle, Body: *m.Body,
			MD5OfBody: *m.MD5OfBody, Attributes: m.Attributes, MD5OfAttributes: deref(m.MD5OfMessageAttributes)}
		if len(m.MessageAttributes) > 0 {
			out[i].MessageAttributes = map[string]Attribute{}
			for k, v := range m.MessageAttributes {
				out[i].MessageAttributes[k] = Attribute{DataType: deref(v.DataType), StringValue: deref(v.StringValue), BinaryValue: v.BinaryValue}
			}
		}
	}
	return out, nil
}

// Delete deletes received messages by their receipt handles.
func (s *Service) Delete(ctx context.Context, queueARN string, receiptHandles []string) error {
	s.mu.Lock()
	q := s.queueByARN(queueARN)
	s.mu.Unlock()
	if q == nil {
		return ErrQueueDoesNotExist
	}
	_, err := s.deleteHandles(q, receiptHandles)
	return err
}
