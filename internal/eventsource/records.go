package eventsource

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
)

// queueEventSource is an SQS record's eventSource.
const queueEventSource = "aws:sqs"

// QueueRecord is a message as an SQS event record, members in the
// order Lambda and Pipes write them: md5OfMessageAttributes comes before
// md5OfBody and is null for a message without attributes.
type QueueRecord struct {
	MessageID              string                       `json:"messageId"`
	ReceiptHandle          string                       `json:"receiptHandle"`
	Body                   string                       `json:"body"`
	Attributes             sqsSystemAttributes          `json:"attributes"`
	MessageAttributes      map[string]sqsEventAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes *string                      `json:"md5OfMessageAttributes"`
	MD5OfBody              string                       `json:"md5OfBody"`
	EventSource            string                       `json:"eventSource"`
	EventSourceARN         string                       `json:"eventSourceARN"`
	AWSRegion              string                       `json:"awsRegion"`
}

// sqsEventAttribute is a message attribute in an SQS event: a value
// (stringValue or binaryValue, base64), the list members SQS reserves
// (always empty) and the data type.
type sqsEventAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      *string  `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues []string `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// sqsAttributeOrder is the order of a record's system attributes in
// events; any others follow, sorted.
var sqsAttributeOrder = []string{"ApproximateReceiveCount", "AWSTraceHeader", "SentTimestamp", "SequenceNumber", "MessageGroupId",
	"SenderId", "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp"}

// sqsSystemAttributes are a message's system attributes, all strings.
type sqsSystemAttributes map[string]string

// MarshalJSON writes the attributes in Lambda's order.
func (a sqsSystemAttributes) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(a))
	for _, n := range sqsAttributeOrder {
		if _, ok := a[n]; ok {
			names = append(names, n)
		}
	}
	var rest []string
	for n := range a {
		if !slices.Contains(sqsAttributeOrder, n) {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	b := []byte{'{'}
	for i, n := range append(names, rest...) {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(n)
		v, _ := json.Marshal(a[n])
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// NewQueueRecord is a message of the queue arn as an SQS event record.
func NewQueueRecord(m QueueMessage, arn, region string) QueueRecord {
	attrs := make(map[string]sqsEventAttribute, len(m.MessageAttributes))
	for k, v := range m.MessageAttributes {
		a := sqsEventAttribute{DataType: v.DataType, StringListValues: []string{}, BinaryListValues: []string{}}
		if v.BinaryValue != nil {
			a.BinaryValue = ptrTo(base64.StdEncoding.EncodeToString(v.BinaryValue))
		} else {
			a.StringValue = ptrTo(v.StringValue)
		}
		attrs[k] = a
	}
	sys := sqsSystemAttributes(m.Attributes)
	if sys == nil {
		sys = sqsSystemAttributes{}
	}
	rec := QueueRecord{
		MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, Attributes: sys, MessageAttributes: attrs,
		MD5OfBody: m.MD5OfBody, EventSource: queueEventSource, EventSourceARN: arn, AWSRegion: region,
	}
	if m.MD5OfMessageAttributes != "" {
		rec.MD5OfMessageAttributes = ptrTo(m.MD5OfMessageAttributes)
	}
	return rec
}

func ptrTo[T any](v T) *T { return &v }
