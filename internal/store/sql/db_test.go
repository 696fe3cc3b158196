package pgstore

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/sql/pgtest"
	"github.com/virga/virga/internal/store/storetest"
)

func TestMain(m *testing.M) {
	// Small pages, so that the suite's ranges of a few dozen keys span
	// many of them.
	pageSize = 3
	os.Exit(pgtest.Main(m))
}

// openURL opens the store at url, closed at cleanup.
func openURL(t testing.TB, url string) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := Open(ctx, Options{URL: url})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// TestConformance runs the store conformance suite, each test on a
// database of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	var urls sync.Map // *DB to its URL
	storetest.Run(t, storetest.Backend{
		Open: func(t testing.TB) store.Store {
			url := pgtest.NewDatabase(t)
			db := openURL(t, url)
			urls.Store(db, url)
			return db
		},
		Reopen: func(t testing.TB, s store.Store) store.Store {
			t.Helper()
			url, _ := urls.Load(s)
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			db := openURL(t, url.(string))
			urls.Store(db, url)
			return db
		},
	})
}

// TestOpenUnreachable checks that a server that is not there fails Open
// at once, with a message naming it and no password.
func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	start := time.Now()
	_, err := Open(context.Background(), Options{URL: "postgres://virga:secret@127.0.0.1:1/virga?connect_timeout=2"})
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("Open = %v, want *UnreachableError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "127.0.0.1:1/virga") || strings.Contains(msg, "secret") {
		t.Errorf("message %q should name the server and not the password", msg)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
	if _, err := Open(context.Background(), Options{URL: "mysql://x"}); err == nil || !strings.Contains(err.Error(), "store URL") {
		t.Errorf("Open of a non-PostgreSQL URL = %v", err)
	}
}

// TestOpenInUse checks that a second DB on the same database is refused
// while the first is open, and allowed once it is closed.
func TestOpenInUse(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	first, err := Open(context.Background(), Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), Options{URL: url})
	var iu *InUseError
	if !errors.As(err, &iu) {
		t.Fatalf("second Open = %v, want *InUseError", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openURL(t, url)
}

// TestOpenNewerFormat checks that a database written by a newer format is
// refused.
func TestOpenNewerFormat(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	db := openURL(t, url)
	if _, err := db.pool.Exec(context.Background(), "UPDATE "+metaTable+" SET value = '99' WHERE name = 'format'"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), Options{URL: url})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Found != 99 {
		t.Fatalf("Open = %v, want a *FormatError for format 99", err)
	}
}

// TestCloseWithOpenSnapshot checks that Close does not hang on a leaked
// snapshot and reports it.
func TestCloseWithOpenSnapshot(t *testing.T) {
	t.Parallel()
	db, err := Open(context.Background(), Options{URL: pgtest.NewDatabase(t)})
	if err != nil {
		t.Fatal(err)
	}
	snap := db.NewSnapshot()
	if err := db.Close(); err == nil || !strings.Contains(err.Error(), "still open") {
		t.Errorf("Close with an open snapshot = %v", err)
	}
	if _, err := snap.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get on the leaked snapshot = %v, want ErrClosed", err)
	}
	snap.Close()
}

// BenchmarkStore measures the store on a private server with fsync on, so
// that Commit pays for the flush as it would in use.
func BenchmarkStore(b *testing.B) {
	srv, err := pgtest.Start(pgtest.Require(b), pgtest.Options{Fsync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	pageSize = 256
	defer func() { pageSize = 3 }()
	storetest.Bench(b, func(b *testing.B) store.Store {
		url, err := srv.NewDatabase()
		if err != nil {
			b.Fatal(err)
		}
		db, err := Open(context.Background(), Options{URL: url})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	})
}
