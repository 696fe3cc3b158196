package pebble

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/storetest"
)

// TestConformance runs the store conformance suite on both kinds of DB.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			bk := storetest.Backend{Open: func(t testing.TB) store.Store { return openBackend(t, backend) }}
			if backend == "disk" {
				var dirs sync.Map // *DB to its directory
				bk.Open = func(t testing.TB) store.Store {
					dir := t.TempDir()
					db := openDir(t, dir)
					dirs.Store(db, dir)
					return db
				}
				bk.Reopen = func(t testing.TB, s store.Store) store.Store {
					t.Helper()
					dir, _ := dirs.Load(s)
					if err := s.Close(); err != nil {
						t.Fatalf("Close: %v", err)
					}
					db := openDir(t, dir.(string))
					dirs.Store(db, dir)
					return db
				}
			}
			storetest.Run(t, bk)
		})
	}
}

func TestInMemoryIsolated(t *testing.T) {
	t.Parallel()
	one, two := openBackend(t, "memory"), openBackend(t, "memory")
	commit(t, one, set("a", "1"))
	if got := getString(t, two, "a"); got != "<absent>" {
		t.Errorf("in-memory stores share data: Get(a) = %q", got)
	}
}

// TestLogging checks that Pebble's log lines reach the slog logger, and
// that a normal life cycle logs nothing at Info or above: Pebble's
// informational chatter stays at Debug.
func TestLogging(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dir := t.TempDir()
	for range 2 {
		db, err := Open(Options{Dir: dir, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			commit(t, db, set(string(rune('a'+i%26)), "v"))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("Pebble logged nothing, even at Debug")
	}
	for _, line := range lines {
		if !strings.Contains(line, "level=DEBUG") || !strings.Contains(line, "component=pebble") {
			t.Errorf("unexpected log line: %s", line)
		}
	}
}

// BenchmarkStore measures the on-disk DB, with and without Options.Fsync.
func BenchmarkStore(b *testing.B) {
	for _, fsync := range []bool{false, true} {
		b.Run(fmt.Sprintf("fsync=%v", fsync), func(b *testing.B) {
			storetest.Bench(b, func(b *testing.B) store.Store {
				db, err := Open(Options{Dir: b.TempDir(), Fsync: fsync})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				return db
			})
		})
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	for _, fsync := range []bool{false, true} {
		d, err := Open(Options{Dir: t.TempDir(), Fsync: fsync, WALSyncInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		b := d.NewBatch()
		b.Set([]byte("k"), make([]byte, 4096))
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		var s Stats
		for deadline := time.Now().Add(20 * time.Second); ; {
			if s = d.Stats(); s.WALSyncs > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if s.DiskBytes == 0 || s.WALBytesWritten < 4096 || s.WALSyncs == 0 {
			t.Errorf("fsync %v: %+v", fsync, s)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
