package pebble

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/store"
)

// TestCloseRacesReads runs reads, snapshots and commits while the store
// closes: each either works or fails with store.ErrClosed, none reaches
// a closed Pebble (which panics), and Close finds no reader left open.
func TestCloseRacesReads(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			opts := Options{InMemory: true}
			if backend == "disk" {
				opts = Options{Dir: t.TempDir()}
			}
			db, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			commit(t, db, set("a", "1"))
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			started := make(chan struct{}, 4)
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					started <- struct{}{}
					for n := 0; ; n++ {
						if err := readOnce(db, g, n); err != nil {
							if !errors.Is(err, store.ErrClosed) {
								errs <- err
							}
							return
						}
					}
				}()
			}
			for range 4 {
				<-started
			}
			if err := db.Close(); err != nil {
				t.Errorf("Close while reads run: %v", err)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("read racing Close: %v", err)
			}
		})
	}
}

// readOnce does one of each kind of access; it stops at the first error.
func readOnce(db *DB, g, n int) error {
	if _, err := db.Get([]byte("a")); err != nil {
		return err
	}
	it, err := db.NewIter(nil, nil)
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		_ = it.Value()
	}
	if err := it.Close(); err != nil {
		return err
	}
	snap := db.NewSnapshot()
	if _, err := snap.Get([]byte("a")); err != nil {
		snap.Close()
		return err
	}
	sit, err := snap.NewIter(nil, nil)
	if err != nil {
		snap.Close()
		return err
	}
	sit.First()
	sit.Close()
	if err := snap.Close(); err != nil {
		return err
	}
	b := db.NewBatch()
	defer b.Close()
	b.Set([]byte(fmt.Sprintf("k%d-%d", g, n)), []byte("v"))
	if n%2 == 0 {
		return b.Commit()
	}
	return b.CommitNoWait()
}

// TestCloseWaitsForOpenIterators: once Close starts, new reads fail with
// store.ErrClosed, but an iterator and a snapshot already open keep
// working, and Close returns once they are closed.
func TestCloseWaitsForOpenIterators(t *testing.T) {
	t.Parallel()
	db, err := Open(Options{InMemory: true, CloseWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	commit(t, db, set("a", "1"), set("b", "2"))
	it, err := db.NewIter(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := db.NewSnapshot()
	done := make(chan error, 1)
	go func() { done <- db.Close() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := db.Get([]byte("a")); errors.Is(err, store.ErrClosed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Get still answers after Close started")
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := db.NewIter(nil, nil); !errors.Is(err, store.ErrClosed) {
		t.Errorf("NewIter while closing = %v, want ErrClosed", err)
	}
	b := db.NewBatch()
	b.Set([]byte("c"), []byte("3"))
	if err := b.Commit(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Commit while closing = %v, want ErrClosed", err)
	}
	b.Close()
	var keys []string
	for it.First(); it.Valid(); it.Next() {
		keys = append(keys, string(it.Key()))
	}
	if strings.Join(keys, ",") != "a,b" {
		t.Errorf("open iterator while closing read %v, want a,b", keys)
	}
	if v, err := snap.Get([]byte("b")); err != nil || string(v) != "2" {
		t.Errorf("open snapshot while closing: Get(b) = %q, %v", v, err)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("Close returned (%v) with a snapshot still open", err)
	default:
	}
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Close once the readers are closed: %v", err)
	}
	if _, err := snap.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get on a closed snapshot after Close = %v, want ErrClosed", err)
	}
}

// TestCloseLeavesPebbleOpenForALeakedIterator: an iterator never closed
// makes Close report it once CloseWait has passed, and the iterator can
// still be read, since Pebble was not closed under it.
func TestCloseLeavesPebbleOpenForALeakedIterator(t *testing.T) {
	t.Parallel()
	db, err := Open(Options{InMemory: true, CloseWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	commit(t, db, set("a", "1"))
	it, err := db.NewIter(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Close()
	if err == nil || !strings.Contains(err.Error(), "1 iterators or snapshots still open") {
		t.Fatalf("Close with a leaked iterator = %v", err)
	}
	if err2 := db.Close(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second Close = %v, want %v", err2, err)
	}
	if !it.First() || string(it.Value()) != "1" {
		t.Errorf("leaked iterator after Close: valid %v, value %q", it.Valid(), it.Value())
	}
	if err := it.Close(); err != nil {
		t.Error(err)
	}
	if _, err := db.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
}
