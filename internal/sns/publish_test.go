package sns

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// TestFIFODeduplicationAcrossRestarts checks that a FIFO topic remembers
// deduplication ids for five minutes, across a new Service on the same
// store, and that sequence numbers keep growing even on a clock that does
// not move.
func TestFIFODeduplicationAcrossRestarts(t *testing.T) {
	t.Parallel()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	queues := &fakeQueues{}
	newService := func() *Service {
		s, err := New(Deps{Store: st, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Queues: queues})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	s := newService()
	topic, err := s.createTopic(ctx, &CreateTopicInput{Name: ptr("t.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	const queue = "arn:aws:sqs:us-east-1:000000000000:q.fifo"
	if _, err := s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("sqs"), Endpoint: ptr(queue)}); err != nil {
		t.Fatal(err)
	}
	publish := func(s *Service, dedup string) *PublishResponse {
		t.Helper()
		out, err := s.publish(ctx, &PublishInput{TopicArn: topic.TopicArn, Message: ptr("m"), MessageGroupId: ptr("g"), MessageDeduplicationId: ptr(dedup)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := publish(s, "d1")
	second := publish(s, "d2")
	if *second.SequenceNumber <= *first.SequenceNumber {
		t.Errorf("sequence %s after %s", *second.SequenceNumber, *first.SequenceNumber)
	}

	s = newService()
	if again := publish(s, "d1"); *again.MessageId != *first.MessageId || *again.SequenceNumber != *first.SequenceNumber {
		t.Errorf("after a restart d1 is %+v, want %+v", again, first)
	}
	third := publish(s, "d3")
	if *third.SequenceNumber <= *second.SequenceNumber {
		t.Errorf("after a restart the sequence went from %s to %s", *second.SequenceNumber, *third.SequenceNumber)
	}
	if n := len(queues.messages(queue)); n != 3 {
		t.Errorf("the queue got %d messages, want 3", n)
	}
	if m := queues.messages(queue)[0]; m.GroupID != "g" || m.DeduplicationID != "d1" {
		t.Errorf("FIFO delivery: %+v", m)
	}

	// Five minutes on, the id is forgotten, in memory and in the store.
	clk.Advance(dedupWindow)
	s.sweepDedup()
	count := 0
	scan(st, snsKey("d"), func(_ []byte, _ *dedupRecord) error { count++; return nil })
	if count != 0 {
		t.Errorf("%d deduplication records left after the window", count)
	}
	if later := publish(s, "d1"); *later.MessageId == *first.MessageId {
		t.Error("d1 was still a duplicate after five minutes")
	}
}

// newTestStore is an in-memory store for the test's duration.
func newTestStore(t testing.TB) store.Store {
	t.Helper()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newTestService is SNS over st on the real clock, delivering to q.
func newTestService(t testing.TB, st store.Store, q Queues) *Service {
	t.Helper()
	s, err := New(Deps{Store: st, Clock: clock.Real{}, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Queues: q})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// brokenQueues fails the way a broken store does: not with an AWS error.
type brokenQueues struct{}

func (brokenQueues) SendMessage(context.Context, string, QueueMessage) (string, error) {
	return "", errors.New("disk on fire")
}

// TestPublishFailsWhenADeliveryIsNotStored checks that Publish does not
// acknowledge a message that an SQS subscriber did not durably get.
func TestPublishFailsWhenADeliveryIsNotStored(t *testing.T) {
	t.Parallel()
	s := newTestService(t, newTestStore(t), brokenQueues{})
	ctx := context.Background()
	topic, _ := s.createTopic(ctx, &CreateTopicInput{Name: ptr("t")})
	if _, err := s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("sqs"), Endpoint: ptr("arn:aws:sqs:us-east-1:000000000000:q")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.publish(ctx, &PublishInput{TopicArn: topic.TopicArn, Message: ptr("m")}); err == nil || err.Error() != "disk on fire" {
		t.Errorf("Publish = %v, want the store's failure", err)
	}
}

// TestPublishInGo checks the API other services publish through.
func TestPublishInGo(t *testing.T) {
	t.Parallel()
	queues := &fakeQueues{}
	s := newTestService(t, newTestStore(t), queues)
	ctx := context.Background()
	topic, _ := s.createTopic(ctx, &CreateTopicInput{Name: ptr("t")})
	const queue = "arn:aws:sqs:us-east-1:000000000000:q"
	if _, err := s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("sqs"), Endpoint: ptr(queue),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"source":["aws.events"]}`}}); err != nil {
		t.Fatal(err)
	}
	// The trace of the request that caused the message (an S3
	// notification's) becomes the SQS message's AWSTraceHeader.
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:3"
	id, err := s.Publish(ctx, *topic.TopicArn, Outgoing{Message: `{"detail":{}}`, Attributes: map[string]Attribute{
		"source": {DataType: "String", StringValue: "aws.events"}, "raw": {DataType: "Binary", BinaryValue: []byte{7}}},
		TraceHeader: trace})
	if err != nil || id == "" {
		t.Fatalf("Publish = %q, %v", id, err)
	}
	got := queues.messages(queue)
	if len(got) != 1 || got[0].Body != `{"detail":{}}` || got[0].Attributes["raw"].BinaryValue[0] != 7 || got[0].TraceHeader != trace {
		t.Errorf("delivered %+v", got)
	}
	if _, err := s.Publish(ctx, "arn:aws:sns:us-east-1:000000000000:gone", Outgoing{Message: "m"}); err == nil || errText(err) != "NotFound: Topic does not exist" {
		t.Errorf("Publish to a missing topic: %v", err)
	}
	if _, err := s.Publish(ctx, *topic.TopicArn, Outgoing{}); errText(err) != "InvalidParameter: Invalid parameter: Empty message" {
		t.Errorf("Publish of nothing: %v", err)
	}
}
