package pebble

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestWALFilesAreTracked checks that the store recognizes Pebble's WAL
// files, so that a Pebble upgrade that names their category differently is
// noticed here rather than by a slower benchmark.
func TestWALFilesAreTracked(t *testing.T) {
	db, err := Open(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	commit(t, db, set("k", "v"))
	if db.wal == nil || db.wal.tracked() == 0 {
		t.Fatalf("no WAL file is tracked; was Pebble's WAL write category (%q) renamed?", walCategory)
	}

	synced, err := Open(Options{Dir: t.TempDir(), Fsync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer synced.Close()
	if synced.wal != nil {
		t.Fatal("Options.Fsync still routes the WAL through background syncs")
	}
}

// TestCommitReachesTheOS checks the promise that makes background syncs
// safe against a killed process: when Commit returns, the batch's record is
// already in the WAL file as any other process reads it.
func TestCommitReachesTheOS(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, WALSyncInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Short values, so that no record spans a WAL block and its chunk
	// headers.
	for i := range 50 {
		value := fmt.Sprintf("value-%03d-end", i)
		commit(t, db, set("k", value))
		if !walHolds(t, dir, []byte(value)) {
			t.Fatalf("commit %d returned before its record was written to the WAL file", i)
		}
	}
}

// walHolds reports whether some WAL file under dir contains b.
func walHolds(t *testing.T, dir string, b []byte) bool {
	t.Helper()
	logs, err := filepath.Glob(filepath.Join(dir, pebbleDirName, "*.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no WAL file under %s (%v)", dir, err)
	}
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

// countingFS counts the fsyncs that reach its files.
type countingFS struct {
	vfs.FS
	syncs atomic.Int64
}

func (c *countingFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := c.FS.Create(name, category)
	if err != nil {
		return nil, err
	}
	return &countingFile{File: f, fs: c}, nil
}

type countingFile struct {
	vfs.File
	fs *countingFS
}

func (f *countingFile) Sync() error     { f.fs.syncs.Add(1); return f.File.Sync() }
func (f *countingFile) SyncData() error { f.fs.syncs.Add(1); return f.File.SyncData() }

// TestWALSyncs checks when a walFS fsyncs a WAL file: not on a sync
// request, at the next background pass after a write and not again without
// one, and on close; other files sync as asked.
func TestWALSyncs(t *testing.T) {
	inner := &countingFS{FS: vfs.NewMem()}
	w := newWALFS(inner, time.Hour, func(format string, args ...any) {
		t.Errorf("fatal: "+format, args...)
	})
	defer w.Close()
	want := func(n int64, after string) {
		t.Helper()
		if got := inner.syncs.Load(); got != n {
			t.Fatalf("after %s: %d fsyncs, want %d", after, got, n)
		}
	}

	f, err := w.Create("000001.log", walCategory)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("record")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.SyncData(); err != nil {
		t.Fatal(err)
	}
	want(0, "sync requests")
	w.syncAll()
	want(1, "a background pass")
	w.syncAll()
	want(1, "a pass with nothing written")
	if _, err := f.Write([]byte("more")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	want(2, "close")
	if w.tracked() != 0 {
		t.Fatal("a closed WAL file is still tracked")
	}

	sst, err := w.Create("000002.sst", vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	if err := sst.Sync(); err != nil {
		t.Fatal(err)
	}
	want(3, "syncing a file that is not a WAL")
	sst.Close()
}

// TestWALSyncLoop checks that the background loop runs by itself.
func TestWALSyncLoop(t *testing.T) {
	inner := &countingFS{FS: vfs.NewMem()}
	w := newWALFS(inner, 5*time.Millisecond, func(format string, args ...any) {
		t.Errorf("fatal: "+format, args...)
	})
	defer w.Close()
	f, err := w.Create("000001.log", walCategory)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("record")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for inner.syncs.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the WAL was not fsynced in the background")
		}
		time.Sleep(time.Millisecond)
	}
}
