package store

import "errors"

// ErrNotFound is returned by Reader.Get when the key is absent.
var ErrNotFound = errors.New("store: key not found")

// ErrEmptyKey is returned by Reader.Get and Batch.Commit for an empty key.
// Keys must be non-empty: Pebble's columnar sstables cannot hold an empty
// key, and no key built by internal/store/keys is empty.
var ErrEmptyKey = errors.New("store: empty key")

// ErrClosed is returned by operations on a Store, Snapshot, Batch or
// Iterator that has already been closed, and by Batch.Commit on a batch that
// was already committed.
var ErrClosed = errors.New("store: closed")

// Reader reads keys and ranges of keys from one consistent view of the store.
type Reader interface {
	// Get returns a copy of the value stored under key, or ErrNotFound if the
	// key is absent. The copy is never nil.
	Get(key []byte) ([]byte, error)

	// NewIter returns an iterator over the keys in [lower, upper). A nil
	// lower means no lower bound and a nil upper means no upper bound; if
	// lower >= upper the iterator is empty. The iterator starts
	// unpositioned: call First, Last, SeekGE or SeekLT before reading from
	// it. The bounds are copied.
	NewIter(lower, upper []byte) (Iterator, error)
}

// Store is an ordered key-value store. Its Reader methods see the latest
// committed state.
type Store interface {
	Reader

	// NewBatch returns an empty batch of writes that will be applied to this
	// store atomically by Batch.Commit.
	NewBatch() Batch

	// NewSnapshot returns a consistent view of the store as of now; writes
	// committed later are not visible through it. If the store is closed,
	// the snapshot's reads return ErrClosed.
	NewSnapshot() Snapshot

	// Close releases the store. Calling it again returns nil. Every
	// iterator and snapshot must be closed first.
	Close() error
}

// Batch collects writes that are applied atomically and durably by Commit.
// Reads never see a batch's writes before Commit returns. Operations apply in
// the order they were added, so a Set after a DeleteRange covering the same
// key survives.
type Batch interface {
	// Set stores value under key. An empty key makes Commit fail with
	// ErrEmptyKey.
	Set(key, value []byte)

	// Delete removes key. Deleting an absent key is not an error. An empty
	// key makes Commit fail with ErrEmptyKey.
	Delete(key []byte)

	// DeleteRange removes every key in [start, end). If start >= end it
	// removes nothing. An empty start is allowed and means from the first
	// key.
	DeleteRange(start, end []byte)

	// Len returns the number of operations in the batch. Empty
	// DeleteRanges, which remove nothing, are not counted.
	Len() int

	// Commit applies the batch atomically and returns only once it is
	// durable: it survives a crash of the process, and of the machine if
	// the implementation promises that (see the package documentation).
	// If it returns an error, nothing
	// was applied. A batch can be committed once; afterwards only Close may
	// be called.
	Commit() error

	// CommitNoWait applies the batch atomically, as Commit does, and asks
	// for it to be synced, but returns without waiting for the sync. It is
	// for writes whose loss the caller's semantics already allow (an SQS
	// delete or receive that is lost means a redelivery, which
	// at-least-once delivery permits). The write reaches the log within
	// moments; a crash before it is synced may lose it, and then every
	// commit after it too, but never an earlier one: what a restart finds is
	// always a prefix of the commits, in order. The same once-only rule as
	// Commit applies.
	CommitNoWait() error

	// Close releases the batch, discarding its writes if it was not
	// committed. It is safe to call after Commit and more than once.
	Close()
}

// Snapshot is a consistent point-in-time view of a Store.
type Snapshot interface {
	Reader

	// Close releases the snapshot. Iterators created from it must be closed
	// first. Calling it again returns nil.
	Close() error
}

// Iterator walks the keys of a Reader within the bounds it was created with.
// Positioning methods return whether the iterator is now at a key, which is
// the same as Valid. Seek keys outside the bounds are clamped to them.
type Iterator interface {
	// First moves to the first key in bounds.
	First() bool
	// Last moves to the last key in bounds.
	Last() bool
	// Next moves to the following key. On an iterator that is not Valid
	// it does nothing and returns false.
	Next() bool
	// Prev moves to the preceding key. On an iterator that is not Valid
	// it does nothing and returns false.
	Prev() bool
	// SeekGE moves to the first key greater than or equal to key.
	SeekGE(key []byte) bool
	// SeekLT moves to the last key less than key.
	SeekLT(key []byte) bool
	// Valid reports whether the iterator is at a key.
	Valid() bool
	// Key returns the current key. It is valid only until the next call that
	// moves or closes the iterator, and the caller must not modify it.
	Key() []byte
	// Value returns the current value, with the same lifetime rules as Key.
	// If reading the value fails, Value returns nil, the iterator stops
	// being Valid and Error reports the failure.
	Value() []byte
	// Error returns the error, if any, that made the iterator stop early.
	// Callers check it once the iterator is no longer Valid.
	Error() error
	// Close releases the iterator and returns Error's value.
	Close() error
}
