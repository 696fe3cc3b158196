package pebble

import (
	"bytes"
	"errors"
	"testing"

	"github.com/virga/virga/internal/store"
)

// backends are the two ways to open a DB; store behaviour must not depend on
// which one is used.
var backends = []string{"memory", "disk"}

// openBackend opens a fresh DB of the named backend, closed at cleanup.
func openBackend(t testing.TB, backend string) *DB {
	t.Helper()
	opts := Options{InMemory: true}
	if backend == "disk" {
		opts = Options{Dir: t.TempDir()}
	}
	db, err := Open(opts)
	if err != nil {
		t.Fatalf("Open(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// op is one write in a test batch.
type op struct {
	kind     string // "set", "del" or "delrange"
	key, val string // for delrange, the range is [key, val)
}

func set(k, v string) op      { return op{"set", k, v} }
func del(k string) op         { return op{"del", k, ""} }
func delRange(s, e string) op { return op{"delrange", s, e} }

// addOps adds ops to b.
func addOps(b store.Batch, ops []op) {
	for _, o := range ops {
		switch o.kind {
		case "set":
			b.Set([]byte(o.key), []byte(o.val))
		case "del":
			b.Delete([]byte(o.key))
		case "delrange":
			b.DeleteRange([]byte(o.key), []byte(o.val))
		}
	}
}

// commit applies ops to s in one batch or fails the test.
func commit(t testing.TB, s store.Store, ops ...op) {
	t.Helper()
	b := s.NewBatch()
	defer b.Close()
	addOps(b, ops)
	if err := b.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// kv is a key and value read from a store.
type kv struct{ k, v string }

// scan reads [lower, upper) of r forward, or backward if reverse.
func scan(t testing.TB, r store.Reader, lower, upper []byte, reverse bool) []kv {
	t.Helper()
	it, err := r.NewIter(lower, upper)
	if err != nil {
		t.Fatalf("NewIter: %v", err)
	}
	var out []kv
	valid, step := it.First, it.Next
	if reverse {
		valid, step = it.Last, it.Prev
	}
	for ok := valid(); ok; ok = step() {
		out = append(out, kv{string(it.Key()), string(it.Value())})
	}
	if err := it.Close(); err != nil {
		t.Fatalf("iterator: %v", err)
	}
	return out
}

// getString reads key from r as a string; absent keys read as "<absent>".
func getString(t testing.TB, r store.Reader, key string) string {
	t.Helper()
	v, err := r.Get([]byte(key))
	if errors.Is(err, store.ErrNotFound) {
		return "<absent>"
	}
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if v == nil {
		t.Fatalf("Get(%q) returned a nil value for a present key", key)
	}
	return string(v)
}

func equalKVs(a, b []kv) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// b turns a string into a key, keeping "" and nil distinct: nil means
// unbounded to NewIter.
func b(s string) []byte { return bytes.Clone([]byte(s)) }
