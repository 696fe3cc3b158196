package pebble

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

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

// DB is a store.Store backed by Pebble. It is safe for concurrent use.
type DB struct {
	db     *pebbledb.DB
	lock   *dirLock // nil for in-memory stores
	wal    *walFS   // nil unless WAL syncs happen in the background
	closed atomic.Bool

	closeMu sync.Mutex // serializes Close
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
		return &DB{db: pdb}, nil
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
	return &DB{db: pdb, lock: lock, wal: wal}, nil
}

// Get returns a copy of the value stored under key, or store.ErrNotFound.
func (d *DB) Get(key []byte) ([]byte, error) {
	if d.closed.Load() {
		return nil, store.ErrClosed
	}
	return get(d.db, key)
}

// NewIter returns an iterator over the latest committed keys in
// [lower, upper).
func (d *DB) NewIter(lower, upper []byte) (store.Iterator, error) {
	if d.closed.Load() {
		return nil, store.ErrClosed
	}
	return newIter(d.db, lower, upper)
}

// NewBatch returns an empty batch whose Commit is durable as the package
// documentation describes.
func (d *DB) NewBatch() store.Batch {
	return &batch{b: d.db.NewBatch(), db: d}
}

// NewSnapshot returns a point-in-time view of the store.
func (d *DB) NewSnapshot() store.Snapshot {
	if d.closed.Load() {
		return closedSnapshot{}
	}
	return &snapshot{s: d.db.NewSnapshot()}
}

// Close closes Pebble and releases the directory lock. Later calls return
// nil. Every iterator and snapshot must be closed first; Pebble reports any
// that leaked as an error, after closing anyway.
func (d *DB) Close() error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Load() {
		return nil
	}
	d.closed.Store(true)
	err := d.db.Close()
	if d.wal != nil {
		d.wal.Close()
	}
	if d.lock != nil {
		if lerr := d.lock.unlock(); err == nil {
			err = lerr
		}
	}
	return err
}
