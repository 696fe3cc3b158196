// Package storetest is the conformance suite for store.Store
// implementations: every backend runs the same tests, so the behaviour
// services rely on does not depend on the engine.
package storetest

import (
	"testing"

	"github.com/virga/virga/internal/store"
)

// Backend opens stores for the suite.
type Backend struct {
	// Open returns a fresh, empty store. The backend closes it when the
	// test ends; Close is idempotent, so a test may close it first.
	Open func(t testing.TB) store.Store
	// Reopen closes s, which Open or Reopen returned, and opens the same
	// data again. Nil for a backend whose data does not outlive Close.
	Reopen func(t testing.TB, s store.Store) store.Store
}

// Run runs the whole suite against bk, each test in parallel.
func Run(t *testing.T, bk Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"Get", testGet},
		{"Iterate", testIterate},
		{"Seek", testSeek},
		{"SeekNil", testSeekNil},
		{"Batch", testBatch},
		{"BuffersAreCopied", testBuffersAreCopied},
		{"SnapshotIsolation", testSnapshotIsolation},
		{"UseAfterClose", testUseAfterClose},
		{"CommitNoWait", testCommitNoWait},
		{"Reopen", testReopen},
		{"Model", testModel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, bk)
		})
	}
}

// testReopen checks that committed writes outlive a close.
func testReopen(t *testing.T, bk Backend) {
	if bk.Reopen == nil {
		t.Skip("the backend keeps nothing across Close")
	}
	db := bk.Open(t)
	Commit(t, db, Set("a", "1"), Set("b", "2"), Set("c", "3"))
	Commit(t, db, Del("b"), Set("d", "4"))
	db = bk.Reopen(t, db)
	want := []KV{{"a", "1"}, {"c", "3"}, {"d", "4"}}
	if got := Scan(t, db, nil, nil, false); !EqualKVs(got, want) {
		t.Errorf("after reopen = %q, want %q", got, want)
	}
}
