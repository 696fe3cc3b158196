package dynamodb

import (
	"bytes"
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// noStreams is a Kinesis with no streams.
type noStreams struct{}

func (noStreams) StreamExists(string) bool                  { return false }
func (noStreams) AppendRecord(string, string, []byte) error { return nil }

// heldReads is a store whose iterators over the Kinesis outbox wait,
// once open and once armed, until released.
type heldReads struct {
	store.Store
	armed           atomic.Bool
	opened, release chan struct{}
}

func (h *heldReads) NewIter(lower, upper []byte) (store.Iterator, error) {
	it, err := h.Store.NewIter(lower, upper)
	if err == nil && h.armed.Load() && bytes.Equal(lower, kdsPrefix()) {
		select {
		case h.opened <- struct{}{}:
		default:
		}
		<-h.release
	}
	return it, err
}

// TestRunWaitsForTheKinesisDeliverer checks that Run returns only once
// its Kinesis deliverer is out of the store: the app closes the store
// after Run returns, and Pebble reports an iterator still open then
// ("leaked iterators").
func TestRunWaitsForTheKinesisDeliverer(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &heldReads{Store: db, opened: make(chan struct{}, 1), release: make(chan struct{})}
	s, err := New(Deps{Store: h, Clock: clock.Real{}, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1",
		Kinesis: noStreams{}})
	if err != nil {
		t.Fatal(err)
	}
	h.armed.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, slog.New(slog.DiscardHandler))
	}()
	<-h.opened // the deliverer's first look at the outbox, at once
	cancel()
	// A Run that does not wait returns at once; give it the chance.
	select {
	case <-done:
		t.Error("Run returned while its Kinesis deliverer held an iterator")
	case <-time.After(100 * time.Millisecond):
	}
	close(h.release)
	<-done
	if err := db.Close(); err != nil {
		t.Errorf("closing the store after Run: %v", err)
	}
}
