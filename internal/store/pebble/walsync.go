package pebble

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// walCategory is the write category Pebble creates its WAL files with.
// TestWALFilesAreTracked fails if a Pebble upgrade renames it; until then
// the WAL would simply be fsynced on every commit again.
const walCategory vfs.DiskWriteCategory = "pebble-wal"

// DefaultWALSyncInterval is how often the WAL is fsynced when commits do not
// wait for it: what a crash of the machine can take, at most.
const DefaultWALSyncInterval = 100 * time.Millisecond

// walFS is a vfs.FS whose WAL files answer a sync request at once, once the
// data has been written to the operating system, and are fsynced in the
// background every interval and when they are closed.
//
// Pebble's log writer acknowledges a synced commit only after it has written
// the commit's record with write(2) and synced the file. With walFS that
// sync returns at once, so a commit returns once its record is in the
// kernel's page cache: it survives a kill of the process, which the kernel
// outlives, and reaches the disk within one interval. Files other than the
// WAL (sstables, the MANIFEST) sync as they always do, so a flushed memtable
// or a compaction is on disk before Pebble relies on it.
type walFS struct {
	vfs.FS
	fatalf func(format string, args ...any)

	mu    sync.Mutex // held while a file is synced or closed
	files map[*walFile]struct{}
	// syncs counts the fsyncs of WAL files, for Stats.
	syncs atomic.Uint64

	stop chan struct{}
	done chan struct{}
}

func newWALFS(fs vfs.FS, interval time.Duration, fatalf func(string, ...any)) *walFS {
	w := &walFS{
		FS:     fs,
		fatalf: fatalf,
		files:  map[*walFile]struct{}{},
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go w.loop(interval)
	return w
}

// Create creates a file; a WAL file is tracked.
func (w *walFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := w.FS.Create(name, category)
	return w.track(f, err, category)
}

// ReuseForWrite renames and reopens a recycled file; a WAL file is tracked.
func (w *walFS) ReuseForWrite(oldname, newname string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := w.FS.ReuseForWrite(oldname, newname, category)
	return w.track(f, err, category)
}

func (w *walFS) track(f vfs.File, err error, category vfs.DiskWriteCategory) (vfs.File, error) {
	if err != nil || category != walCategory {
		return f, err
	}
	wf := &walFile{File: f, fs: w}
	w.mu.Lock()
	w.files[wf] = struct{}{}
	w.mu.Unlock()
	return wf, nil
}

// tracked reports how many WAL files are open.
func (w *walFS) tracked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.files)
}

func (w *walFS) loop(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.syncAll()
		}
	}
}

// syncAll fsyncs every WAL file written to since its last fsync.
func (w *walFS) syncAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for f := range w.files {
		f.syncIfDirty()
	}
}

// Close stops the background syncs. Pebble has closed, and so synced,
// every WAL file by then.
func (w *walFS) Close() {
	close(w.stop)
	<-w.done
}

// walFile is an open WAL file of a walFS.
type walFile struct {
	vfs.File
	fs    *walFS
	dirty atomic.Bool
}

func (f *walFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.dirty.Store(true)
	return n, err
}

func (f *walFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	f.dirty.Store(true)
	return n, err
}

// Sync returns at once: everything written is already with the kernel, and
// the background loop fsyncs it.
func (f *walFile) Sync() error { return nil }

// SyncData returns at once, as Sync does.
func (f *walFile) SyncData() error { return nil }

// syncIfDirty fsyncs the file if it was written to since the last time.
// A failed fsync may have dropped the written pages: as Pebble does, virga
// then stops rather than go on acknowledging writes it cannot keep.
func (f *walFile) syncIfDirty() {
	if !f.dirty.Swap(false) {
		return
	}
	f.fs.syncs.Add(1)
	if err := f.File.SyncData(); err != nil {
		f.fs.fatalf("syncing the write-ahead log: %v", err)
	}
}

// Close fsyncs what is left and closes the file, so a WAL Pebble has
// finished with is whole on disk.
func (f *walFile) Close() error {
	w := f.fs
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.files, f)
	f.syncIfDirty()
	return f.File.Close()
}
