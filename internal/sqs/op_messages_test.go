package sqs

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// newTestService is SQS over a real in-memory store and a fake clock.
func newTestService(t *testing.T) (*Service, store.Store, *clock.Fake) {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(time.Now())
	s, err := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s, db, clk
}

// reopen is s as a restarted virga sees it: a new service over the same
// store, with nothing of s's memory.
func reopen(t *testing.T, db store.Store, clk clock.Clock) *Service {
	t.Helper()
	s, err := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustCreate(t *testing.T, s *Service, name string, attrs map[string]string) *string {
	t.Helper()
	out, err := s.createQueue(context.Background(), &CreateQueueRequest{QueueName: &name, Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return out.QueueUrl
}

// TestSQSReceiveSkipsDeletedRecord: a message whose record is deleted while
// it is still indexed (a purge racing a send, the sweep, a delete by an
// older handle, between their commit and their unindexing) is gone, not
// an error that fails every receive on the queue.
func TestSQSReceiveSkipsDeletedRecord(t *testing.T) {
	t.Parallel()
	s, db, _ := newTestService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "q", nil)
	for _, body := range []string{"gone", "kept"} {
		if _, err := s.sendMessage(ctx, &SendMessageRequest{QueueUrl: url, MessageBody: ptr(body)}); err != nil {
			t.Fatal(err)
		}
	}
	// Delete the first record behind the index's back, as a purge that
	// committed before the send indexed its message does.
	q := s.queues["q"]
	b := db.NewBatch()
	b.Delete(messageKey(q.rec.ID, 1))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	out, err := s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url, MaxNumberOfMessages: ptr(int32(10))})
	if err != nil {
		t.Fatalf("ReceiveMessage with a deleted record indexed: %v", err)
	}
	if len(out.Messages) != 1 || *out.Messages[0].Body != "kept" {
		t.Errorf("received %+v, want only kept", out.Messages)
	}
	s.mu.Lock()
	visible, inFlight, delayed := q.counts(s.clock.Now())
	s.mu.Unlock()
	if visible != 0 || inFlight != 1 || delayed != 0 {
		t.Errorf("counts: %d visible, %d in flight, %d delayed; want the deleted one dropped", visible, inFlight, delayed)
	}
}

// TestSQSFIFOReceiptHandleAcrossRestart: a FIFO message's latest receipt
// handle still deletes it after a restart while its receive's visibility
// timeout runs, and a receive after the restart hands out a handle unlike
// any before it.
func TestSQSFIFOReceiptHandleAcrossRestart(t *testing.T) {
	t.Parallel()
	s, db, clk := newTestService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, body := range []string{"a", "b"} {
		if _, err := s.sendMessage(ctx, &SendMessageRequest{QueueUrl: url, MessageBody: ptr(body), MessageGroupId: ptr("g")}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(s *Service) Message {
		t.Helper()
		out, err := s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url, VisibilityTimeout: ptr(int32(30))})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("ReceiveMessage: %+v %v", out, err)
		}
		return out.Messages[0]
	}
	first := receive(s)

	s = reopen(t, db, clk)
	if _, err := s.deleteMessage(ctx, &DeleteMessageRequest{QueueUrl: url, ReceiptHandle: first.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage with the handle from before the restart: %v", err)
	}
	second := receive(s) // b, received once
	clk.Advance(31 * time.Second)
	s = reopen(t, db, clk)
	third := receive(s) // b again, after its timeout
	if *third.Body != "b" || *third.ReceiptHandle == *second.ReceiptHandle {
		t.Errorf("receive after the restart: %s with handle %s; the one before: %s", *third.Body, *third.ReceiptHandle, *second.ReceiptHandle)
	}
	_, err := s.deleteMessage(ctx, &DeleteMessageRequest{QueueUrl: url, ReceiptHandle: second.ReceiptHandle})
	wantAPIError(t, "DeleteMessage with the earlier receive's handle", err, "InvalidParameterValue")
	if _, err := s.deleteMessage(ctx, &DeleteMessageRequest{QueueUrl: url, ReceiptHandle: third.ReceiptHandle}); err != nil {
		t.Errorf("DeleteMessage with the latest handle: %v", err)
	}
}

// TestSQSLateReceiveStateDoesNotResurrect: a receive whose store write
// lands after a concurrent delete's leaves an orphaned receive state,
// which a restart discards; the message stays deleted.
func TestSQSLateReceiveStateDoesNotResurrect(t *testing.T) {
	t.Parallel()
	s, db, clk := newTestService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "q", nil)
	if _, err := s.sendMessage(ctx, &SendMessageRequest{QueueUrl: url, MessageBody: ptr("x")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive: %+v %v", got, err)
	}
	if _, err := s.deleteMessage(ctx, &DeleteMessageRequest{QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// The late write of the receive that raced the delete.
	r, _ := parseReceipt(*got.Messages[0].ReceiptHandle)
	b := db.NewBatch()
	b.Set(receiveKey(r.queueID, r.seq), mustJSON(receiveState{Receives: 1, VisibleAtMillis: clk.Now().UnixMilli()}))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	s2 := reopen(t, db, clk)
	clk.Advance(time.Hour)
	again, err := s2.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url})
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("a deleted message came back: %+v %v", again, err)
	}
	if _, err := db.Get(receiveKey(r.queueID, r.seq)); err == nil {
		t.Error("the orphaned receive state was kept")
	}
}

// TestSQSVisibilityLimitAfterRestart: the 12-hour limit counts from the
// latest receive, which a restart remembers.
func TestSQSVisibilityLimitAfterRestart(t *testing.T) {
	t.Parallel()
	s, db, clk := newTestService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "q", nil)
	s.sendMessage(ctx, &SendMessageRequest{QueueUrl: url, MessageBody: ptr("x")})
	got, err := s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url, VisibilityTimeout: ptr(int32(43200))})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive: %+v %v", got, err)
	}
	clk.Advance(time.Hour)
	s2 := reopen(t, db, clk)
	// 11 hours more is the limit; 11 hours and a minute is past it.
	_, err = s2.changeMessageVisibility(ctx, &ChangeMessageVisibilityRequest{QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: ptr(int32(11*3600 + 60))})
	if err == nil {
		t.Fatal("the 12-hour limit was forgotten across the restart")
	}
	if _, err := s2.changeMessageVisibility(ctx, &ChangeMessageVisibilityRequest{QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: ptr(int32(11 * 3600))}); err != nil {
		t.Fatal(err)
	}
}

// TestSQSReceiveRequestAttemptID: a FIFO receive retried with the same
// ReceiveRequestAttemptId gets the same messages and receipt handles.
func TestSQSReceiveRequestAttemptID(t *testing.T) {
	t.Parallel()
	s, _, clk := newTestService(t)
	ctx := context.Background()
	url := mustCreate(t, s, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, body := range []string{"a", "b"} {
		if _, err := s.sendMessage(ctx, &SendMessageRequest{QueueUrl: url, MessageBody: ptr(body), MessageGroupId: ptr("g")}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(attempt *string) []Message {
		t.Helper()
		out, err := s.receiveMessage(ctx, &ReceiveMessageRequest{QueueUrl: url, MaxNumberOfMessages: ptr(int32(10)), ReceiveRequestAttemptId: attempt})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	first := receive(ptr("try-1"))
	if len(first) != 2 {
		t.Fatalf("first receive: %d messages", len(first))
	}
	if n := len(receive(nil)); n != 0 {
		t.Fatalf("group in flight, yet %d received", n)
	}
	again := receive(ptr("try-1"))
	if len(again) != 2 || *again[0].ReceiptHandle != *first[0].ReceiptHandle || *again[1].Body != "b" {
		t.Fatalf("retried receive: %+v", again)
	}
	clk.Advance(6 * time.Minute) // past the attempt's five minutes and the visibility timeout
	third := receive(ptr("try-1"))
	if len(third) != 2 || *third[0].ReceiptHandle == *first[0].ReceiptHandle {
		t.Fatalf("after five minutes the id should start a new receive: %+v", third)
	}
}

func TestSQSNumberAttributes(t *testing.T) {
	for v, ok := range map[string]bool{
		"0": true, "-1.5": true, "1e126": true, "9.99e126": true, "1e127": false, "1e-128": true, "1e-129": false,
		"12345678901234567890123456789012345678": true, "123456789012345678901234567890123456789": false,
		"1000000000000000000000000000000000000000000": true, // trailing zeros do not count
		"0.000100": true, "abc": false, "NaN": false, "Infinity": false, "": false,
	} {
		if err := checkNumber("n", v); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", v, err, ok)
		}
	}
}

// TestSQSQueueURLScheme: a queue's URL has the host and the scheme of
// the call that asks for it, https when the call came over TLS, as
// AWS's queue URLs are https.
func TestSQSQueueURLScheme(t *testing.T) {
	t.Parallel()
	s, _, _ := newTestService(t)
	mustCreate(t, s, "q", nil)
	for _, tc := range []struct {
		url, want string
	}{
		{"http://127.0.0.1:4566/", "http://127.0.0.1:4566/000000000000/q"},
		{"https://localhost:4566/", "https://localhost:4566/000000000000/q"},
	} {
		r := httptest.NewRequest(http.MethodPost, tc.url, nil)
		c := awsproto.NewCall(r, "req", time.Now())
		out, err := s.getQueueURL(c.Context(), &GetQueueUrlRequest{QueueName: ptr("q")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.QueueUrl != tc.want {
			t.Errorf("called at %s: QueueUrl %s, want %s", tc.url, *out.QueueUrl, tc.want)
		}
	}
}
