package lambda

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/store"
)

// heldSource is a Kinesis stream of one open shard whose reads wait for
// release, whatever their context, as a read already under way does;
// each read is announced on entered.
type heldSource struct {
	entered chan struct{}
	release chan struct{}
	recs    []eventsource.StreamRecord
}

func (h *heldSource) StreamShards(string) ([]eventsource.StreamShard, bool) {
	return []eventsource.StreamShard{{ID: "shardId-000000000000"}}, true
}

func (h *heldSource) StreamStart(string, string, string, time.Time) (uint64, error) { return 0, nil }

func (h *heldSource) StreamRead(arn, shard string, after uint64, limit int) ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
	h.entered <- struct{}{}
	<-h.release
	var out []eventsource.StreamRecord
	for _, r := range h.recs {
		if r.Seq > after && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil, false, nil
}

// A mapping disabled and enabled again twice in a row, while its poller
// is still reading, does not start another poller beside it: a mapping
// reads its shard with one poller at a time, so a batch is not
// delivered twice at once.
func TestReplacedPollersRunOneAtATime(t *testing.T) {
	f := newFixture(t)
	src := &heldSource{entered: make(chan struct{}, 8), release: make(chan struct{})}
	f.svc.kinesis = src
	s := f.svc
	m := &mapping{cfg: EventSourceMappingConfiguration{
		UUID:                           ptr("u-held"),
		EventSourceArn:                 ptr("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		FunctionArn:                    ptr("arn:aws:lambda:us-east-1:000000000000:function:f"),
		BatchSize:                      ptr(int32(10)),
		MaximumBatchingWindowInSeconds: ptr(int32(0)),
		State:                          ptr(stateEnabled),
	}, result: noRecordsProcessed}
	s.esm.mu.Lock()
	s.esm.byUUID["u-held"] = m
	s.esm.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		s.runMappings(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	released := false
	defer func() {
		if !released {
			close(src.release)
		}
		cancel()
		<-ran
	}()
	select {
	case <-src.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the mapping's poller did not read its shard")
	}
	// Disabled and enabled again, twice, as UpdateEventSourceMapping does.
	for range 2 {
		s.esm.mu.Lock()
		m.stopPollers()
		s.startPollers(m)
		s.esm.mu.Unlock()
	}
	// The first poller still reads: a poller started now would read the
	// same records beside it.
	select {
	case <-src.entered:
		t.Fatal("a replacing poller read the shard while the poller it replaced was still reading it")
	case <-time.After(time.Second):
	}
	released = true
	close(src.release)
	// Once the first poller is done, the last one takes over.
	select {
	case <-src.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the replacing poller never read the shard")
	}
}

// A batch that a deleted mapping's poller finishes after
// DeleteEventSourceMapping answered leaves no checkpoint behind: the
// delete removed the mapping's checkpoints.
func TestDeletedMappingLeavesNoCheckpoint(t *testing.T) {
	f := newFixture(t)
	// The record matches no filter: the poller moves its checkpoint past
	// it without invoking the function.
	src := &heldSource{entered: make(chan struct{}, 8), release: make(chan struct{}),
		recs: []eventsource.StreamRecord{{Seq: 1, Shard: "shardId-000000000000", Key: "k", Data: []byte("x")}}}
	f.svc.kinesis = src
	s := f.svc
	m := &mapping{cfg: EventSourceMappingConfiguration{
		UUID:                           ptr("u-gone"),
		EventSourceArn:                 ptr("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		FunctionArn:                    ptr("arn:aws:lambda:us-east-1:000000000000:function:f"),
		BatchSize:                      ptr(int32(10)),
		MaximumBatchingWindowInSeconds: ptr(int32(0)),
		FilterCriteria:                 &FilterCriteria{Filters: []Filter{{Pattern: ptr(`{"data":{"n":[1]}}`)}}},
		State:                          ptr(stateEnabled),
	}, result: noRecordsProcessed}
	s.esm.mu.Lock()
	s.esm.byUUID["u-gone"] = m
	s.esm.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		s.runMappings(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	released := false
	defer func() {
		if !released {
			close(src.release)
		}
		cancel()
		<-ran
	}()
	select {
	case <-src.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the mapping's poller did not read its shard")
	}
	if _, err := s.deleteEventSourceMapping(ctx, &DeleteEventSourceMappingRequest{UUID: ptr("u-gone")}); err != nil {
		t.Fatal(err)
	}
	released = true
	close(src.release)
	// The poller finishes its read and stops.
	s.esm.mu.Lock()
	done := m.pollers.Done()
	s.esm.mu.Unlock()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the deleted mapping's poller did not stop")
	}
	if _, err := f.db.Get(checkpointKey("u-gone", "shardId-000000000000")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a checkpoint was written after the mapping was deleted (err %v)", err)
	}
}
