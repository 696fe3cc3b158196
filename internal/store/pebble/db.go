package pebble

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/virga/virga/internal/store"
)

// pebbleFormat pins the Pebble format major version that new stores are
// created with and old ones ratcheted to. Pinning it, instead of following
// pebble.FormatNewest, keeps a dependency upgrade from silently rewriting
// data into something older virga builds cannot read: raising it is a data
// format change and needs a formatVersion bump.
const pebbleFormat = pebbledb.FormatTableFormatV6

// DB is a store.Store backed by Pebble. It is safe for concurrent use,
// Close included: see "Closing" in the package documentation.
type DB struct {
	db        *pebbledb.DB
	lock      *dirLock // nil for in-memory stores
	wal       *walFS   // nil unless WAL syncs happen in the background
	closeWait time.Duration

	// mu guards closed. Every call that reaches Pebble through the DB
	// (Get, NewIter, NewSnapshot, Commit, CommitNoWait, Stats) holds it
	// shared from its check of closed until Pebble returns; Close takes
	// it exclusively to set closed, so no call reaches a closed Pebble.
	mu     sync.RWMutex
	closed bool

	// readers counts the iterators and snapshots not yet closed; Close
	// waits for it to reach zero before it closes Pebble. drained, made
	// by Close, is closed when it does.
	readersMu sync.Mutex
	readers   int
	drained   chan struct{}

	closeMu  sync.Mutex // serializes Close
	closeErr error      // what the first Close returned
}

var _ store.Store = (*DB)(nil)

// Sizes of Pebble's block cache and memtables.
const (
	blockCacheSize = 128 << 20
	memTableSize   = 32 << 20
)

// Open opens the store described by opts, creating it if needed. On disk it
// fails with *InUseError if another DB holds the directory and with
// *FormatError if a newer virga wrote it.
func Open(opts Options) (*DB, error) {
	// A block cache and memtable sized for a developer machine's working
	// set: Pebble's defaults (8 MB and 4 MB) make every read of a table of
	// ten thousand 1 KB items a cache miss and a decompression.
	cache := pebbledb.NewCache(blockCacheSize)
	defer cache.Unref() // the DB holds its own reference
	popts := &pebbledb.Options{
		Logger:             pebbleLogger{l: opts.Logger},
		FormatMajorVersion: pebbleFormat,
		Cache:              cache,
		MemTableSize:       memTableSize,
	}
	if opts.InMemory {
		popts.FS = vfs.NewMem()
		pdb, err := pebbledb.Open(pebbleDirName, popts)
		if err != nil {
			return nil, fmt.Errorf("opening in-memory store: %w", err)
		}
		return &DB{db: pdb, closeWait: opts.closeWait()}, nil
	}

	if opts.Dir == "" {
		return nil, errors.New("opening store: Options.Dir is required unless Options.InMemory is set")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(opts.Dir); err != nil {
		lock.unlock()
		return nil, err
	}
	var wal *walFS
	if !opts.Fsync {
		interval := opts.WALSyncInterval
		if interval <= 0 {
			interval = DefaultWALSyncInterval
		}
		wal = newWALFS(vfs.Default, interval, popts.Logger.Fatalf)
		popts.FS = wal
	}
	pdb, err := pebbledb.Open(filepath.Join(opts.Dir, pebbleDirName), popts)
	if err != nil {
		if wal != nil {
			wal.Close()
		}
		lock.unlock()
		return nil, fmt.Errorf("data directory %s: opening store: %w", opts.Dir, err)
	}
	return &DB{db: pdb, lock: lock, wal: wal, closeWait: opts.closeWait()}, nil
}

// Get returns a copy of the value stored under key, or store.ErrNotFound.
func (d *DB) Get(key []byte) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, store.ErrClosed
	}
	return get(d.db, key)
}

// NewIter returns an iterator over the latest committed keys in
// [lower, upper).
func (d *DB) NewIter(lower, upper []byte) (store.Iterator, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, store.ErrClosed
	}
	d.opened()
	return newIter(d, d.db, lower, upper)
}

// NewBatch returns an empty batch whose Commit is durable as the package
// documentation describes.
func (d *DB) NewBatch() store.Batch {
	return &batch{b: d.db.NewBatch(), db: d}
}

// NewSnapshot returns a point-in-time view of the store.
func (d *DB) NewSnapshot() store.Snapshot {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return closedSnapshot{}
	}
	d.opened()
	return &snapshot{s: d.db.NewSnapshot(), db: d}
}

// opened counts a new iterator or snapshot; released uncounts it when it
// is closed, or when making it failed.
func (d *DB) opened() {
	d.readersMu.Lock()
	d.readers++
	d.readersMu.Unlock()
}

func (d *DB) released() {
	d.readersMu.Lock()
	defer d.readersMu.Unlock()
	d.readers--
	if d.readers == 0 && d.drained != nil {
		close(d.drained)
		d.drained = nil
	}
}

// Close closes Pebble and releases the directory lock. Later calls return
// what the first one did. From the start of Close every read, snapshot
// and commit through the DB fails with store.ErrClosed; the iterators and
// snapshots still open may finish, and Close waits for them to be closed
// for up to Options.CloseWait before it closes Pebble. If some are still
// open then, Close reports them and leaves Pebble open (and the
// directory locked) rather than free what they read: the process is
// expected to exit.
func (d *DB) Close() error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return d.closeErr
	}
	d.closed = true
	d.mu.Unlock()

	d.readersMu.Lock()
	var drained chan struct{}
	if d.readers > 0 {
		drained = make(chan struct{})
		d.drained = drained
	}
	d.readersMu.Unlock()
	if drained != nil {
		t := time.NewTimer(d.closeWait)
		select {
		case <-drained:
			t.Stop()
		case <-t.C:
			d.readersMu.Lock()
			n := d.readers
			d.readersMu.Unlock()
			if n > 0 {
				d.closeErr = fmt.Errorf("store: %d iterators or snapshots still open after %v; the store is left open", n, d.closeWait)
				return d.closeErr
			}
		}
	}

	err := d.db.Close()
	if d.wal != nil {
		d.wal.Close()
	}
	if d.lock != nil {
		if lerr := d.lock.unlock(); err == nil {
			err = lerr
		}
	}
	d.closeErr = err
	return err
}
