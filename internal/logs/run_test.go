package logs

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// heldQueries is a store whose snapshot iterators over a group's time
// index wait, once armed, until released: a Logs Insights query caught
// mid-scan.
type heldQueries struct {
	store.Store
	group           string
	armed           atomic.Bool
	opened, release chan struct{}
}

func (h *heldQueries) NewSnapshot() store.Snapshot {
	return heldSnapshot{Snapshot: h.Store.NewSnapshot(), h: h}
}

type heldSnapshot struct {
	store.Snapshot
	h *heldQueries
}

func (s heldSnapshot) NewIter(lower, upper []byte) (store.Iterator, error) {
	it, err := s.Snapshot.NewIter(lower, upper)
	if err == nil && s.h.armed.Load() && bytes.HasPrefix(lower, timePrefix(s.h.group)) {
		select {
		case s.h.opened <- struct{}{}:
		default:
		}
		<-s.h.release
	}
	return it, err
}

// TestRunWaitsForRunningQueries checks that Run returns only once the
// Logs Insights queries still running have stopped reading the store,
// which the app closes after Run returns, and that no query starts after.
func TestRunWaitsForRunningQueries(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &heldQueries{Store: db, group: "/held", opened: make(chan struct{}, 1), release: make(chan struct{})}
	s, err := New(Deps{Store: h, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ensureGroup("/held", false, nil, ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, slog.New(slog.DiscardHandler))
	}()
	h.armed.Store(true)
	in := &StartQueryRequest{LogGroupName: ptr("/held"), QueryString: ptr("fields @message"),
		StartTime: ptr(int64(0)), EndTime: ptr(time.Now().Unix())}
	if _, err := s.startQuery(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	<-h.opened // the query holds its snapshot and an iterator
	cancel()
	// A Run that does not wait returns at once; give it the chance.
	select {
	case <-done:
		t.Error("Run returned while a query held a snapshot")
	case <-time.After(100 * time.Millisecond):
	}
	close(h.release)
	<-done
	if _, err := s.startQuery(context.Background(), in); !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("StartQuery after Run = %v, want ServiceUnavailableException", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("closing the store after Run: %v", err)
	}
}
