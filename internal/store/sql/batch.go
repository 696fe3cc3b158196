package pgstore

import (
	"bytes"
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/virga/virga/internal/store"
)

// The statements a batch is made of.
const (
	upsertSQL      = "INSERT INTO " + kvTable + " (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
	deleteSQL      = "DELETE FROM " + kvTable + " WHERE key = $1"
	deleteRangeSQL = "DELETE FROM " + kvTable + " WHERE key >= $1 AND key < $2"
	// noWaitSQL makes this transaction's COMMIT return before its commit
	// record is flushed to disk.
	noWaitSQL = "SET LOCAL synchronous_commit = off"
)

// batchOp is one statement of a batch.
type batchOp struct {
	sql  string
	args [2][]byte
	n    int // how many args
}

// batch collects statements and sends them as one transaction, pipelined
// in one round trip: BEGIN, the statements in order, COMMIT.
type batch struct {
	db        *DB
	ops       []batchOp
	err       error // first error from adding an operation
	committed bool
	closed    bool
}

var _ store.Batch = (*batch)(nil)

func (b *batch) live() bool { return !b.committed && !b.closed }

func (b *batch) Set(key, value []byte) {
	switch {
	case !b.live() || b.err != nil:
	case len(key) == 0:
		b.err = store.ErrEmptyKey
	default:
		// A nil []byte is sent as NULL; an empty value is not NULL.
		b.ops = append(b.ops, batchOp{sql: upsertSQL, args: [2][]byte{bytes.Clone(key), append([]byte{}, value...)}, n: 2})
	}
}

func (b *batch) Delete(key []byte) {
	switch {
	case !b.live() || b.err != nil:
	case len(key) == 0:
		b.err = store.ErrEmptyKey
	default:
		b.ops = append(b.ops, batchOp{sql: deleteSQL, args: [2][]byte{bytes.Clone(key)}, n: 1})
	}
}

// DeleteRange skips empty ranges; an empty start is the empty key, below
// every stored key.
func (b *batch) DeleteRange(start, end []byte) {
	if b.live() && b.err == nil && bytes.Compare(start, end) < 0 {
		b.ops = append(b.ops, batchOp{sql: deleteRangeSQL, args: [2][]byte{append([]byte{}, start...), bytes.Clone(end)}, n: 2})
	}
}

func (b *batch) Len() int {
	if b.closed {
		return 0
	}
	return len(b.ops)
}

// Commit runs the batch as one transaction and returns once PostgreSQL
// has committed it with synchronous_commit on: its commit record is
// flushed to the server's disk.
func (b *batch) Commit() error { return b.commit(false) }

// CommitNoWait runs the batch as Commit does but with synchronous_commit
// off for its transaction: COMMIT returns once the transaction is visible,
// and PostgreSQL's WAL writer flushes its commit record within moments.
// A crash of the server before then loses it and any later such commit,
// but never an earlier commit: recovery replays a prefix of the WAL.
func (b *batch) CommitNoWait() error { return b.commit(b.db.noWait) }

func (b *batch) commit(noWait bool) error {
	if !b.live() || b.db.closed.Load() {
		return store.ErrClosed
	}
	b.committed = true
	if b.err != nil {
		return b.err
	}
	if len(b.ops) == 0 {
		return nil
	}
	var pb pgx.Batch
	pb.Queue("BEGIN")
	if noWait {
		pb.Queue(noWaitSQL)
	}
	for _, op := range b.ops {
		if op.n == 1 {
			pb.Queue(op.sql, op.args[0])
		} else {
			pb.Queue(op.sql, op.args[0], op.args[1])
		}
	}
	pb.Queue("COMMIT")

	ctx := context.Background()
	conn, err := b.db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release() // destroys the connection if it is left in a transaction
	br := conn.SendBatch(ctx, &pb)
	for range pb.Len() {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil && conn.Conn().PgConn().TxStatus() != 'I' && !conn.Conn().IsClosed() {
		conn.Exec(ctx, "ROLLBACK")
	}
	return err
}

func (b *batch) Close() {
	b.closed = true
	b.ops = nil
}
