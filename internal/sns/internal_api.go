package sns

import "context"

// Services publish to topics in Go: EventBridge rules and Scheduler
// schedules with an SNS target, S3 event notifications and CloudWatch
// alarms. Publish behaves as the Publish operation does (same checks,
// same deliveries, same durability) without going through HTTP.

// Attribute is a message attribute: DataType "String", "Number",
// "Binary" or "String.Array" (optionally with a custom suffix) and its
// value.
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Outgoing is a message another service publishes.
type Outgoing struct {
	Message, Subject string
	Attributes       map[string]Attribute
	// GroupID and DeduplicationID are for FIFO topics.
	GroupID, DeduplicationID string
	// TraceHeader is the X-Ray trace header of the request that caused
	// the message (an S3 notification's, an EventBridge event's), which
	// the subscriptions carry on: an SQS message's AWSTraceHeader, a
	// function's trace and with it Lambda's count of a recursive loop.
	// When it is empty the message has the trace of the call ctx
	// belongs to, as Publish's does.
	TraceHeader string
}

// Publish publishes m to the topic with the given ARN and returns its
// message id. Errors are the Publish operation's (*apierr.Error), or a
// failure of virga's own.
func (s *Service) Publish(ctx context.Context, topicARN string, m Outgoing) (string, error) {
	e := publishEntry{Message: &m.Message}
	if m.Subject != "" {
		e.Subject = &m.Subject
	}
	if m.GroupID != "" {
		e.GroupID = &m.GroupID
	}
	if m.DeduplicationID != "" {
		e.DedupID = &m.DeduplicationID
	}
	if len(m.Attributes) > 0 {
		e.MessageAttributes = make(map[string]MessageAttributeValue, len(m.Attributes))
		for name, a := range m.Attributes {
			v := MessageAttributeValue{DataType: ptr(a.DataType)}
			if attributeBase(a.DataType) == "Binary" {
				v.BinaryValue = a.BinaryValue
			} else {
				v.StringValue = ptr(a.StringValue)
			}
			e.MessageAttributes[name] = v
		}
	}
	msg, _, err := s.newMessage(ctx, e)
	if err != nil {
		return "", err
	}
	if m.TraceHeader != "" {
		msg.TraceHeader = m.TraceHeader
	}
	t, contentDedup, err := s.target("TopicArn", topicARN)
	if err != nil {
		return "", err
	}
	if err := setFIFO(t, contentDedup, e, msg); err != nil {
		return "", err
	}
	msg.TopicARN = t.arn
	id, _, err := s.publishOne(ctx, t, msg)
	return id, err
}

// TopicExists reports whether the topic with the ARN exists, for
// services that check a topic when it is configured (SES's identity
// notifications) rather than when they publish to it.
func (s *Service) TopicExists(topicARN string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.lookupTopic("TopicArn", topicARN)
	return err == nil
}
