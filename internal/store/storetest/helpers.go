package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/virga/virga/internal/store"
)

// Op is one write in a test batch.
type Op struct {
	kind     string // "set", "del" or "delrange"
	key, val string // for delrange, the range is [key, val)
}

// Set is a Batch.Set of k to v.
func Set(k, v string) Op { return Op{"set", k, v} }

// Del is a Batch.Delete of k.
func Del(k string) Op { return Op{"del", k, ""} }

// DelRange is a Batch.DeleteRange of [s, e).
func DelRange(s, e string) Op { return Op{"delrange", s, e} }

// AddOps adds ops to b.
func AddOps(b store.Batch, ops []Op) {
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

// Commit applies ops to s in one batch or fails the test.
func Commit(t testing.TB, s store.Store, ops ...Op) {
	t.Helper()
	b := s.NewBatch()
	defer b.Close()
	AddOps(b, ops)
	if err := b.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// KV is a key and value read from a store.
type KV struct{ K, V string }

// Scan reads [lower, upper) of r forward, or backward if reverse.
func Scan(t testing.TB, r store.Reader, lower, upper []byte, reverse bool) []KV {
	t.Helper()
	it, err := r.NewIter(lower, upper)
	if err != nil {
		t.Fatalf("NewIter: %v", err)
	}
	var out []KV
	valid, step := it.First, it.Next
	if reverse {
		valid, step = it.Last, it.Prev
	}
	for ok := valid(); ok; ok = step() {
		out = append(out, KV{string(it.Key()), string(it.Value())})
	}
	if err := it.Close(); err != nil {
		t.Fatalf("iterator: %v", err)
	}
	return out
}

// GetString reads key from r as a string; absent keys read as "<absent>".
func GetString(t testing.TB, r store.Reader, key string) string {
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

// EqualKVs reports whether a and b hold the same entries in the same order.
func EqualKVs(a, b []KV) bool {
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
