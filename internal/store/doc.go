// Package store defines virga's one storage interface: an ordered, durable
// key-value store with atomic batches, bounded iterators and point-in-time
// snapshots.
//
// Every service keeps its state behind this interface, so a service never
// imports a storage engine. The implementations live in
// internal/store/pebble (embedded, the default) and internal/store/sql
// (PostgreSQL-protocol databases); internal/store/storetest is the
// conformance suite both pass. internal/store/keys provides the
// order-preserving tuple encoding that services use to build keys.
//
// # Model
//
// Keys and values are byte slices. Keys are ordered bytewise (as by
// bytes.Compare) and must not be empty; values may be. Reads go through a Reader
// (the Store itself, which sees the latest committed state, or a Snapshot,
// which sees the state at the moment it was taken). Writes go through a
// Batch: nothing a batch holds is visible to any reader until Commit returns,
// and then all of it is. Commit is durable: when it returns without error the
// batch survives a crash of the process; an implementation may also promise
// that it survives a crash of the machine (internal/store/pebble does when
// asked to fsync every commit, and internal/store/sql when its server
// runs with fsync on, PostgreSQL's default). CommitNoWait is for
// writes a caller can afford to lose in a crash: it returns once the batch is
// visible and its sync is requested, not done.
//
// # Lifetimes
//
//   - Slices passed to Batch methods, NewIter and seeks may be reused as soon
//     as the method returns; the store copies what it keeps.
//   - Reader.Get returns a copy that the caller owns.
//   - Iterator.Key and Iterator.Value return slices that are only valid until
//     the next call that moves or closes the iterator; copy them to keep them.
//     The caller must not modify them.
//   - Every Iterator, Snapshot and Batch must be closed. Iterators must be
//     closed before the Snapshot or Store they came from.
//
// # Concurrency
//
// A Store and a Snapshot may be used from many goroutines at once. A Batch
// and an Iterator belong to one goroutine at a time. Close on a Store must
// not race with other calls on it.
//
// # What this package must not do
//
// It holds no data and no engine: it only names the contract. It must not
// grow engine-specific knobs; an engine's options belong to its own package.
package store
