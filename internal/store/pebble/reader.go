package pebble

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"

	pebbledb "github.com/cockroachdb/pebble/v2"

	"github.com/virga/virga/internal/store"
)

// pebbleReader is what *pebble.DB and *pebble.Snapshot have in common.
type pebbleReader interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(o *pebbledb.IterOptions) (*pebbledb.Iterator, error)
}

// get returns a copy of key's value in r. The copy is never nil, so an empty
// value is distinguishable from a missing key even by careless callers.
func get(r pebbleReader, key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, store.ErrEmptyKey
	}
	v, closer, err := r.Get(key)
	if errors.Is(err, pebbledb.ErrNotFound) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := append(make([]byte, 0, len(v)), v...)
	return out, closer.Close()
}

// newIter returns an iterator over [lower, upper) in r. Pebble keeps the
// bound slices for the iterator's life, so boundKey copies them: callers
// may reuse theirs.
// The caller has counted the iterator as open in db (DB.opened); the
// iterator uncounts itself when closed, or at once if it cannot be made.
func newIter(db *DB, r pebbleReader, lower, upper []byte) (store.Iterator, error) {
	lower, upper = boundKey(lower), boundKey(upper)
	if lower != nil && upper != nil && bytes.Compare(lower, upper) > 0 {
		// Pebble requires lower <= upper; [lower, lower) is as empty.
		upper = lower
	}
	it, err := r.NewIter(&pebbledb.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		db.released()
		return nil, err
	}
	return &iterator{it: it, db: db}, nil
}

// boundKey returns a copy of an iterator bound, with the empty key replaced
// by 0x00; nil, no bound, stays nil. Pebble assumes keys are non-empty, and
// since the empty key cannot be stored (store.ErrEmptyKey), 0x00 is
// equivalent to it as a bound or seek key: no stored key lies between them.
func boundKey(key []byte) []byte {
	if key != nil && len(key) == 0 {
		return []byte{0}
	}
	return bytes.Clone(key)
}

// seekKey returns key, or 0x00 for the empty key as boundKey explains.
// Pebble copies seek keys itself.
func seekKey(key []byte) []byte {
	if len(key) == 0 {
		return []byte{0}
	}
	return key
}

// iterator adapts *pebble.Iterator to store.Iterator. It guards against use
// after Close, which would otherwise touch pooled Pebble memory.
type iterator struct {
	it     *pebbledb.Iterator
	db     *DB
	err    error // set if reading a value failed
	closed bool
}

var _ store.Iterator = (*iterator)(nil)

func (i *iterator) First() bool { return !i.closed && i.it.First() }
func (i *iterator) Last() bool  { return !i.closed && i.it.Last() }

// Next and Prev stop at the ends instead of following Pebble, which steps
// back in from an exhausted position: the contract is simpler to keep.
func (i *iterator) Next() bool { return i.Valid() && i.it.Next() }
func (i *iterator) Prev() bool { return i.Valid() && i.it.Prev() }

func (i *iterator) SeekGE(key []byte) bool { return !i.closed && i.it.SeekGE(seekKey(key)) }
func (i *iterator) SeekLT(key []byte) bool { return !i.closed && i.it.SeekLT(seekKey(key)) }

func (i *iterator) Valid() bool { return !i.closed && i.it.Valid() }

func (i *iterator) Key() []byte {
	if !i.Valid() {
		return nil
	}
	return i.it.Key()
}

// Value returns the current value. If reading it fails, the iterator stops:
// Value returns nil, Valid returns false and Error reports why.
func (i *iterator) Value() []byte {
	if !i.Valid() {
		return nil
	}
	v, err := i.it.ValueAndErr()
	if err != nil {
		i.err = err
		return nil
	}
	return v
}

func (i *iterator) Error() error {
	if i.closed {
		return store.ErrClosed
	}
	if i.err != nil {
		return i.err
	}
	return i.it.Error()
}

func (i *iterator) Close() error {
	if i.closed {
		return nil
	}
	i.closed = true
	err := i.it.Close()
	i.db.released()
	if i.err != nil {
		return i.err
	}
	return err
}

// snapshot adapts *pebble.Snapshot to store.Snapshot.
type snapshot struct {
	s      *pebbledb.Snapshot
	db     *DB
	closed atomic.Bool
}

var _ store.Snapshot = (*snapshot)(nil)

func (s *snapshot) Get(key []byte) ([]byte, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	return get(s.s, key)
}

func (s *snapshot) NewIter(lower, upper []byte) (store.Iterator, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	s.db.opened()
	return newIter(s.db, s.s, lower, upper)
}

func (s *snapshot) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	err := s.s.Close()
	s.db.released()
	return err
}

// closedSnapshot is what NewSnapshot returns once the DB is closed: every
// read fails with store.ErrClosed.
type closedSnapshot struct{}

func (closedSnapshot) Get([]byte) ([]byte, error)                  { return nil, store.ErrClosed }
func (closedSnapshot) NewIter(_, _ []byte) (store.Iterator, error) { return nil, store.ErrClosed }
func (closedSnapshot) Close() error                                { return nil }
