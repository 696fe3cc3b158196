package pgstore

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/virga/virga/internal/store"
)

// pageSize is how many rows an iterator reads at a time. Tests lower it
// to exercise paging.
var pageSize = 256

// querier is what a pool and a connection have in common.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// get returns a copy of key's value; the copy is never nil.
func get(ctx context.Context, q querier, key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, store.ErrEmptyKey
	}
	var v []byte
	err := q.QueryRow(ctx, "SELECT value FROM "+kvTable+" WHERE key = $1", key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// snapshot is a REPEATABLE READ, READ ONLY transaction on a connection of
// its own. PostgreSQL takes the transaction's snapshot at its first
// statement, so opening one runs a query at once.
type snapshot struct {
	db *DB

	mu     sync.Mutex // serializes use of conn
	conn   *pgxpool.Conn
	closed bool
}

var _ store.Snapshot = (*snapshot)(nil)

func (d *DB) snapshot() (*snapshot, error) {
	ctx := context.Background()
	c, err := d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1"); err != nil {
		d.release(c) // a connection left in a transaction is destroyed
		return nil, err
	}
	return &snapshot{db: d, conn: c}, nil
}

func (s *snapshot) Get(key []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.db.closed.Load() {
		return nil, store.ErrClosed
	}
	return get(context.Background(), s.conn, key)
}

func (s *snapshot) NewIter(lower, upper []byte) (store.Iterator, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed || s.db.closed.Load() {
		return nil, store.ErrClosed
	}
	return newIter(s, lower, upper), nil
}

// Close ends the transaction and returns the connection to the pool.
func (s *snapshot) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.db.closed.Load() {
		return nil // Close took the connection
	}
	_, err := s.conn.Exec(context.Background(), "COMMIT")
	s.db.release(s.conn)
	return err
}

// page reads up to pageSize rows in key order (descending if desc) from
// the snapshot.
func (s *snapshot) page(sql string, args ...any) ([]row, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.db.closed.Load() {
		return nil, store.ErrClosed
	}
	rows, err := s.conn.Query(context.Background(), sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]row, 0, 16)
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.value); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// closedSnapshot is what NewSnapshot returns when it cannot take one: every
// read fails with err.
type closedSnapshot struct{ err error }

func (c closedSnapshot) Get([]byte) ([]byte, error)                  { return nil, c.err }
func (c closedSnapshot) NewIter(_, _ []byte) (store.Iterator, error) { return nil, c.err }
func (closedSnapshot) Close() error                                  { return nil }

type row struct{ key, value []byte }

// The iterator's queries. Every page is one index range scan of at most
// pageSize rows: keyset pagination from the last key seen.
const (
	selectKV = "SELECT key, value FROM " + kvTable + " WHERE "
	ascPage  = " ORDER BY key LIMIT "
	descPage = " ORDER BY key DESC LIMIT "
)

// iterator walks a snapshot a page at a time. rows holds a window of the
// range in ascending order; moreBelow and moreAbove say whether keys in
// bounds may lie outside it.
type iterator struct {
	s   *snapshot
	own bool // the snapshot is the iterator's own (a DB iterator)

	lower []byte // never nil: the empty key, below every key, if unbounded
	upper []byte // nil if unbounded
	empty bool   // the bounds select nothing

	rows                 []row
	pos                  int // index into rows; -1 when not positioned
	moreBelow, moreAbove bool

	err    error
	closed bool
}

var _ store.Iterator = (*iterator)(nil)

func newIter(s *snapshot, lower, upper []byte) *iterator {
	it := &iterator{s: s, lower: append([]byte{}, lower...), pos: -1}
	if upper != nil {
		it.upper = bytes.Clone(upper)
		if it.upper == nil {
			it.upper = []byte{}
		}
		it.empty = bytes.Compare(it.lower, it.upper) >= 0
	}
	return it
}

func (i *iterator) usable() bool { return !i.closed && i.err == nil && !i.empty }

func (i *iterator) Valid() bool {
	return !i.closed && i.err == nil && i.pos >= 0 && i.pos < len(i.rows)
}

// fetchAsc fills the window with the keys from from (inclusive or not)
// upward.
func (i *iterator) fetchAsc(from []byte, inclusive bool) {
	cond := "key > $1"
	if inclusive {
		cond = "key >= $1"
	}
	args := []any{from}
	if i.upper != nil {
		cond += " AND key < $2"
		args = append(args, i.upper)
	}
	args = append(args, pageSize)
	rows, err := i.s.page(selectKV+cond+ascPage+"$"+strconv.Itoa(len(args)), args...)
	i.set(rows, err, false)
	i.moreAbove = len(rows) == pageSize
}

// fetchDesc fills the window with the keys below below (nil: below the
// upper bound, or all) downward, and puts them in ascending order.
func (i *iterator) fetchDesc(below []byte) {
	cond := "key >= $1"
	args := []any{i.lower}
	if below != nil {
		cond += " AND key < $2"
		args = append(args, below)
	}
	args = append(args, pageSize)
	rows, err := i.s.page(selectKV+cond+descPage+"$"+strconv.Itoa(len(args)), args...)
	slices.Reverse(rows)
	i.set(rows, err, true)
	i.moreBelow = len(rows) == pageSize
}

// set installs a fetched window, positioned at its low end, or its high
// end if atHigh.
func (i *iterator) set(rows []row, err error, atHigh bool) {
	i.rows, i.pos = rows, 0
	if atHigh {
		i.pos = len(rows) - 1
	}
	if err != nil {
		i.err, i.rows, i.pos = err, nil, -1
	}
}

func (i *iterator) First() bool {
	if !i.usable() {
		return false
	}
	i.fetchAsc(i.lower, true)
	i.moreBelow = false
	return i.Valid()
}

func (i *iterator) Last() bool {
	if !i.usable() {
		return false
	}
	i.fetchDesc(i.upper)
	i.moreAbove = false
	return i.Valid()
}

func (i *iterator) SeekGE(key []byte) bool {
	if !i.usable() {
		return false
	}
	if bytes.Compare(key, i.lower) <= 0 {
		key = i.lower // never nil, which would be sent as NULL
	}
	if i.upper != nil && bytes.Compare(key, i.upper) >= 0 {
		i.rows, i.pos = nil, -1
		return false
	}
	i.fetchAsc(key, true)
	i.moreBelow = bytes.Compare(key, i.lower) > 0
	return i.Valid()
}

func (i *iterator) SeekLT(key []byte) bool {
	if !i.usable() {
		return false
	}
	if i.upper != nil && bytes.Compare(key, i.upper) > 0 {
		key = i.upper
	}
	if bytes.Compare(key, i.lower) <= 0 {
		i.rows, i.pos = nil, -1
		return false
	}
	i.fetchDesc(bytes.Clone(key))
	i.moreAbove = i.upper == nil || bytes.Compare(key, i.upper) < 0
	return i.Valid()
}

func (i *iterator) Next() bool {
	if !i.Valid() {
		return false
	}
	i.pos++
	if i.pos < len(i.rows) {
		return true
	}
	if !i.moreAbove {
		i.rows, i.pos = nil, -1
		return false
	}
	i.fetchAsc(i.rows[len(i.rows)-1].key, false)
	i.moreBelow = true
	return i.Valid()
}

func (i *iterator) Prev() bool {
	if !i.Valid() {
		return false
	}
	i.pos--
	if i.pos >= 0 {
		return true
	}
	if !i.moreBelow {
		i.rows, i.pos = nil, -1
		return false
	}
	i.fetchDesc(i.rows[0].key)
	i.moreAbove = true
	return i.Valid()
}

func (i *iterator) Key() []byte {
	if !i.Valid() {
		return nil
	}
	return i.rows[i.pos].key
}

func (i *iterator) Value() []byte {
	if !i.Valid() {
		return nil
	}
	return i.rows[i.pos].value
}

func (i *iterator) Error() error {
	if i.closed {
		return store.ErrClosed
	}
	return i.err
}

// Close releases the iterator, and its snapshot if it has its own.
func (i *iterator) Close() error {
	if i.closed {
		return nil
	}
	i.closed = true
	if i.own {
		if err := i.s.Close(); i.err == nil {
			return err
		}
	}
	return i.err
}
