package pebble

import (
	"bytes"

	pebbledb "github.com/cockroachdb/pebble/v2"

	"github.com/virga/virga/internal/store"
)

// batch adapts *pebble.Batch to store.Batch. Pebble recycles closed batches
// through a pool, so every method checks that this one is still live.
type batch struct {
	b         *pebbledb.Batch
	db        *DB
	err       error // first error from adding an operation
	committed bool
	closed    bool
	syncing   bool // committed by CommitNoWait; Pebble may still hold it
}

var _ store.Batch = (*batch)(nil)

func (b *batch) live() bool { return !b.committed && !b.closed }

func (b *batch) Set(key, value []byte) {
	switch {
	case !b.live() || b.err != nil:
	case len(key) == 0:
		b.err = store.ErrEmptyKey
	default:
		b.err = b.b.Set(key, value, nil)
	}
}

func (b *batch) Delete(key []byte) {
	switch {
	case !b.live() || b.err != nil:
	case len(key) == 0:
		b.err = store.ErrEmptyKey
	default:
		b.err = b.b.Delete(key, nil)
	}
}

// DeleteRange skips empty ranges, which Pebble does not define, and starts
// an empty start at the smallest non-empty key, so that Pebble never sees
// an empty key (see store.ErrEmptyKey).
func (b *batch) DeleteRange(start, end []byte) {
	if len(start) == 0 {
		start = []byte{0} // the smallest non-empty key
	}
	if b.live() && b.err == nil && bytes.Compare(start, end) < 0 {
		b.err = b.b.DeleteRange(start, end, nil)
	}
}

// Len counts the operations in the batch; a skipped empty DeleteRange is not
// one. A closed batch has none.
func (b *batch) Len() int {
	if b.closed {
		return 0
	}
	return int(b.b.Count())
}

// Commit applies the batch with pebble.Sync: it returns once the WAL
// record is written and synced, as Options.Fsync says a sync is done (see
// the package documentation). A batch is committed at most
// once, even if Commit fails: Pebble does not allow retrying a batch.
func (b *batch) Commit() error {
	b.db.mu.RLock()
	defer b.db.mu.RUnlock()
	if !b.live() || b.db.closed {
		return store.ErrClosed
	}
	b.committed = true
	if b.err != nil {
		return b.err
	}
	return b.b.Commit(pebbledb.Sync)
}

// CommitNoWait applies the batch and enqueues its WAL sync without waiting
// for it. Pebble's log writer flushes and syncs the record promptly, in log
// order, so a crash keeps a prefix of the commits.
func (b *batch) CommitNoWait() error {
	b.db.mu.RLock()
	defer b.db.mu.RUnlock()
	if !b.live() || b.db.closed {
		return store.ErrClosed
	}
	b.committed = true
	if b.err != nil {
		return b.err
	}
	if err := b.db.db.ApplyNoSyncWait(b.b, pebbledb.Sync); err != nil {
		return err
	}
	b.syncing = true
	return nil
}

func (b *batch) Close() {
	if b.closed {
		return
	}
	b.closed = true
	if b.syncing {
		// Pebble signals the batch when its sync is done and must not
		// see it recycled before then; wait off the caller's path.
		pb := b.b
		go func() {
			_ = pb.SyncWait() // a failed WAL sync is fatal in Pebble
			pb.Close()
		}()
		return
	}
	b.b.Close()
}
