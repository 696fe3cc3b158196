// Package pgstore implements store.Store on a PostgreSQL-protocol
// database, with github.com/jackc/pgx/v5. It lives at internal/store/sql.
//
// It uses plain SQL that PostgreSQL, CockroachDB and YugabyteDB share;
// it is tested against PostgreSQL.
//
// # Schema
//
// Two tables, created if missing when the store is opened:
//
//	virga_kv   (key bytea PRIMARY KEY, value bytea NOT NULL)  every key
//	virga_meta (name text PRIMARY KEY, value text NOT NULL)   ('format', '1')
//
// PostgreSQL orders bytea bytewise (memcmp over the shorter length, then
// the shorter value first), exactly as bytes.Compare does, so the primary
// key's index is the store's key order. A database whose format row is
// newer than FormatVersion is refused with a *FormatError.
//
// # What it promises
//
//   - Durability is PostgreSQL's. A Batch is one transaction, its
//     statements pipelined in one round trip (BEGIN, the operations in the
//     order they were added, COMMIT); Commit returns once PostgreSQL has
//     committed it with synchronous_commit on, which Open sets for its
//     connections whatever the server's default: the commit record has
//     been flushed (fsynced, unless the server runs with fsync off) to the
//     server's WAL. DeleteRange is DELETE ... WHERE key >= $1 AND key < $2.
//   - CommitNoWait is the same transaction with SET LOCAL
//     synchronous_commit = off, which PostgreSQL documents as asynchronous
//     commit: COMMIT returns before the commit record is flushed, and the
//     WAL writer flushes it within three times wal_writer_delay (600 ms by
//     default). A crash of the server (not of virga) may lose it and later
//     asynchronous commits, but recovery replays a prefix of the WAL, so
//     never an earlier commit and never part of a transaction. On servers
//     without synchronous_commit, CommitNoWait is Commit.
//   - A Snapshot is a REPEATABLE READ, READ ONLY transaction on a
//     connection of its own, held until Close; it runs a query at once,
//     since PostgreSQL fixes the snapshot at a transaction's first
//     statement. An iterator on the DB takes a snapshot of its own the same
//     way, so it too reads one point in time.
//   - Iterators read pages of 256 rows in key order from the primary key's
//     index (keyset pagination: each page starts after the last key seen,
//     upward for Next or downward for Prev, Last and SeekLT); a range is
//     never read whole.
//   - Open connects at once and fails within the connect timeout (5 s
//     unless the URL's connect_timeout says otherwise) with an
//     *UnreachableError naming the server, never the password.
//   - Open takes a session advisory lock on the database, held for the
//     DB's life on a connection of its own, so a second virga on the same
//     database fails with an *InUseError. (On servers without advisory
//     locks, such as CockroachDB, it logs a warning and goes on.)
//
// # What it does not
//
//   - One virga process per database, for now. Services keep state in
//     memory beside the store (caches, queues' in-flight messages,
//     schedulers), so two processes on one database would disagree; the
//     advisory lock stops that. Clusters of virga nodes sharing one
//     database (DESIGN.md, decision 6) are later work.
//   - If the connection fails while COMMIT is in flight, Commit returns an
//     error although the server may have committed: the store's "on error
//     nothing was applied" holds only for errors the server reports.
//   - Other readers see a batch's writes once the server has committed
//     them, which is moments before Commit returns to its caller.
//   - Each snapshot and each open iterator holds a pooled connection; the
//     pool has 32 unless the URL's pool_max_conns says otherwise, and a
//     caller holding that many waits for one to be released.
//
// # Performance
//
// Every Get and Commit is a round trip to the server, and a DB iterator
// three (its snapshot's BEGIN, a page, COMMIT). BenchmarkStore here and in
// internal/store/pebble measure the same operations (storetest.Bench:
// 200-byte values, two-key batches, 100-key scans); one run on a
// two-core machine shared with other work, PostgreSQL 15 on a Unix socket
// with fsync on, Pebble on the same disk:
//
//	                 PostgreSQL   Pebble   Pebble --fsync
//	Get                  116 µs   2.4 µs           2.3 µs
//	Commit               4.8 ms    10 µs           0.86 ms
//	CommitNoWait         296 µs    10 µs            11 µs
//	scan of 100 keys     271 µs    18 µs            16 µs
//
// So a PostgreSQL store suits what needs its durability and operations
// (backups, replicas, a managed service) more than speed.
//
// # Lock order
//
// DB.holdMu is taken alone. snapshot.mu serializes the use of its
// connection and may take DB.holdMu (to release the connection).
package pgstore
