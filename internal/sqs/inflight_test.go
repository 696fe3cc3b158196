package sqs

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// TestSQSInFlightLimit: a standard queue with as many messages in flight
// as SQS allows answers a short-polling receive with OverLimit (403) and
// a long poll with no messages; a receive takes no more than the room
// left; deleting a message or letting its visibility timeout run out
// makes room, and the count survives a restart. FIFO queues answer no
// error at the limit.
func TestSQSInFlightLimit(t *testing.T) {
	t.Parallel()
	s, db, clk := newTestService(t)
	s.maxInFlight = 3
	ctx := context.Background()
	url := mustCreate(t, s, "q", nil)
	for i := range 6 {
		if _, err := s.sendMessage(ctx, &SendMessageRequest{QueueUrl: url, MessageBody: ptr(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(s *Service, max int32) (*ReceiveMessageResult, error) {
		return s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url, MaxNumberOfMessages: &max, VisibilityTimeout: ptr(int32(30))})
	}
	out, err := receive(s, 10)
	if err != nil || len(out.Messages) != 3 {
		t.Fatalf("receive of 10 with room for 3: %d messages, %v", len(out.Messages), err)
	}
	_, err = receive(s, 1)
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != "OverLimit" || ae.Status != 403 {
		t.Fatalf("short poll at the limit: %v, want OverLimit (403)", err)
	}
	s.mu.Lock()
	q := s.queues["q"]
	s.mu.Unlock()
	msgs, _, err := s.poll(ctx, q, &ReceiveMessageRequest{}, 1, 20*time.Millisecond)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("long poll at the limit: %d messages, %v; want none and no error", len(msgs), err)
	}

	// The limit survives a restart: the messages are still in flight.
	s = reopen(t, db, clk)
	s.maxInFlight = 3
	if _, err := receive(s, 1); !errors.As(err, &ae) || ae.Code != "OverLimit" {
		t.Fatalf("short poll at the limit after a restart: %v, want OverLimit", err)
	}
	// Deleting one makes room for one.
	if _, err := s.deleteMessage(ctx, &DeleteMessageRequest{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if out, err := receive(s, 10); err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive after a delete: %d messages, %v; want 1", len(out.Messages), err)
	}
	// When the visibility timeouts run out, the messages are no longer
	// in flight.
	clk.Advance(31 * time.Second)
	if out, err := receive(s, 10); err != nil || len(out.Messages) != 3 {
		t.Fatalf("receive after the visibility timeouts: %d messages, %v; want 3", len(out.Messages), err)
	}

	fifo := mustCreate(t, s, "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for i := range 4 {
		if _, err := s.sendMessage(ctx, &SendMessageRequest{QueueUrl: fifo, MessageBody: ptr(fmt.Sprint(i)), MessageGroupId: ptr(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: fifo, MaxNumberOfMessages: ptr(int32(10))}); err != nil || len(out.Messages) != 4 {
		t.Fatalf("FIFO receive: %d messages, %v; want 4 and no error", len(out.Messages), err)
	}
}
