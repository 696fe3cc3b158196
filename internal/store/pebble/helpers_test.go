package pebble

import (
	"testing"

	"github.com/virga/virga/internal/store/storetest"
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

// openDir opens the DB in dir, closed at cleanup.
func openDir(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Shorthands for the conformance suite's helpers.
var (
	set       = storetest.Set
	commit    = storetest.Commit
	getString = storetest.GetString
	scan      = storetest.Scan
)
