package eventsource

import (
	"context"
	"strconv"
	"time"
)

// QueueSource is SQS as pollers read it. The app wires virga's SQS in.
type QueueSource interface {
	// QueueInfo reports whether the queue exists, and its visibility
	// timeout and kind.
	QueueInfo(arn string) (visibility time.Duration, fifo, ok bool)
	// Receive long-polls for up to max (1 to 10) messages, waiting at most
	// wait, with every attribute.
	Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]QueueMessage, error)
	// Delete deletes received messages.
	Delete(ctx context.Context, arn string, receiptHandles []string) error
}

// QueueMessage is a received SQS message.
type QueueMessage struct {
	MessageID, ReceiptHandle, Body, MD5OfBody, MD5OfMessageAttributes string
	Attributes                                                        map[string]string
	MessageAttributes                                                 map[string]QueueMessageAttribute
}

// QueueMessageAttribute is an SQS message attribute.
type QueueMessageAttribute struct {
	DataType, StringValue string
	BinaryValue           []byte
}

// Handles are the receipt handles of messages.
func Handles(ms []QueueMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ReceiptHandle
	}
	return out
}

// StreamSource is a stream of shards as pollers read it: virga's
// DynamoDB Streams and Kinesis Data Streams, which the app wires in. A
// position in a shard is the Seq of the last record read (0 is the trim
// horizon).
type StreamSource interface {
	// StreamShards lists the stream's shards, parents before their
	// children; ok is false when there is no such stream, or it is
	// disabled.
	StreamShards(arn string) (shards []StreamShard, ok bool)
	// StreamStart is where a reader of the shard starts for a starting
	// position: TRIM_HORIZON, LATEST (after the last record) or
	// AT_TIMESTAMP (before the first record that arrived at or after at).
	StreamStart(arn, shard, position string, at time.Time) (uint64, error)
	// StreamRead returns up to limit records of the shard after a
	// position, and a channel closed when records next arrive; end
	// tells that the shard is closed and no record follows those
	// returned.
	StreamRead(arn, shard string, after uint64, limit int) (recs []StreamRecord, changed <-chan struct{}, end bool, err error)
}

// StreamShard is one shard of a stream: its id, and the ids of the
// shards a reshard made it of.
type StreamShard struct {
	ID      string
	Parents []string
}

// StreamRecord is one stream record.
type StreamRecord struct {
	// Seq is the record's position: reading after it reads the records
	// that follow it.
	Seq uint64
	// ID is the record's sequence number as events and
	// batchItemFailures name it; empty means Seq as DynamoDB writes it.
	ID string
	// JSON is the record as a DynamoDB event carries it; nil for a
	// Kinesis record, which the consumer renders from the fields below.
	JSON []byte
	// Created is when the record was written (Unix seconds); Arrived
	// the same to the millisecond, when the source knows it.
	Created int64
	Arrived time.Time
	Shard   string
	// Key is a Kinesis record's partition key; Data its data.
	Key  string
	Data []byte
}

// SequenceNumber is the record's sequence number as events name it.
func (r *StreamRecord) SequenceNumber() string {
	if r.ID != "" {
		return r.ID
	}
	return SeqDecimal(r.Seq)
}

// ArrivedAt is when the record arrived, to the millisecond when the
// source knows it.
func (r *StreamRecord) ArrivedAt() time.Time {
	if !r.Arrived.IsZero() {
		return r.Arrived
	}
	return time.Unix(r.Created, 0)
}

// SeqDecimal renders a sequence number as DynamoDB Streams does.
func SeqDecimal(seq uint64) string {
	s := strconv.FormatUint(seq, 10)
	for len(s) < 21 {
		s = "0" + s
	}
	return s
}

// Pause waits for d, or until ctx ends.
func Pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// WaitFor waits for d, until ch is closed, or until ctx ends.
func WaitFor(ctx context.Context, ch <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-ch:
	case <-t.C:
	}
}
