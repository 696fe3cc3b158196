// Package pebble implements store.Store on CockroachDB's Pebble engine.
//
// It owns virga's data directory. On disk the layout is:
//
//	DIR/
//	  FORMAT      virga's data format version, as JSON: {"format": 1}
//	  virga.lock  flock(2)-held for the life of the DB; holds the owner's PID
//	  pebble/     Pebble's own files (WAL, sstables, MANIFEST)
//
// Open takes the lock before it reads or writes anything else, so two
// virga processes never share a directory: the second fails at once with an
// *InUseError naming the first one's PID. The lock is also exclusive within
// one process, because flock locks belong to an open file description.
//
// The FORMAT file versions everything virga writes under DIR, including the
// Pebble format major version this package pins. A directory written by a
// newer format is refused with a *FormatError rather than risk misreading
// it; a directory without FORMAT is initialized, unless it already holds
// Pebble data, which means it was not created by virga's Open and is refused.
//
// With Options.InMemory the store lives in Pebble's in-memory filesystem and
// nothing touches disk; there is no lock and no FORMAT file.
//
// # Invariants
//
//   - Every Batch.Commit uses pebble.Sync: it returns only after the WAL
//     record has been written and synced. With Options.Fsync that sync is
//     an fsync, so an acknowledged write survives a crash of the machine.
//     By default the WAL's files are opened through walFS, whose sync
//     returns at once: the record has been written with write(2), so an
//     acknowledged write survives any crash or kill of the process, and
//     walFS fsyncs the WAL every Options.WALSyncInterval and when Pebble
//     closes a WAL file. Every other file (sstables, the MANIFEST) syncs
//     for real, so Pebble never relies on a flush or compaction that is
//     not on disk; a crash of the machine can lose only the WAL's last
//     interval, and Pebble's recovery takes what survived as a prefix.
//   - CommitNoWait requests the same sync through pebble's ApplyNoSyncWait
//     and returns once the batch is visible; the batch is closed only after
//     its sync.
//   - Pebble never sees an empty key: its columnar sstables cannot hold one
//     (it asserts so only when built with -race or the invariants tag;
//     otherwise the flush panics). Batches reject empty keys with store.ErrEmptyKey, and empty
//     bounds, seek keys and DeleteRange starts become 0x00, which selects
//     the same stored keys.
//   - Iterator bounds reach Pebble ordered (lower <= upper), as it requires.
//   - Pebble's informational log lines go to the slog logger at Debug level;
//     its errors at Error. Pebble calls Fatalf when continuing could corrupt
//     data (a failed WAL sync, detected corruption); the logger then logs at
//     Error and exits the process with status 1, as Pebble requires. A panic
//     would not do: net/http recovers handler panics and would keep serving
//     from a store in an unknown state.
//   - DB.Stats (stats.go) reports disk usage, WAL bytes and fsyncs
//     (walFS counts its background fsyncs; with Fsync, Pebble's own
//     fsync histogram does), flushes and compactions, from Pebble's
//     Metrics, for GET /_virga/metrics when it is scraped.
//
// # Closing
//
// Pebble panics when it is used after Close, and Close reports the
// iterators and snapshots still open ("leaked iterators"). DB.Close
// therefore never runs under a reader:
//
//   - DB.mu is held shared by every call that reaches Pebble through the
//     DB (Get, NewIter, NewSnapshot, Commit, CommitNoWait, Stats), from
//     its check of closed until Pebble returns, and exclusively by Close
//     to set closed. From then on those calls fail with store.ErrClosed.
//   - Iterators and snapshots are counted (DB.readers) from their making
//     to their Close. Close waits for the count to reach zero, up to
//     Options.CloseWait, before it closes Pebble; the ones already open
//     keep working meanwhile. If some are still open then, Close returns
//     an error naming how many and leaves Pebble open, so that a reader
//     nobody waited for reads on instead of reading freed memory.
//
// Lock order: closeMu, then mu, then readersMu; mu is released before
// Close waits, and readersMu is never held while calling Pebble.
//
// # What this package must not do
//
// It must not know about services or key layouts; callers build keys with
// internal/store/keys. It offers no writes that are never synced.
package pebble
