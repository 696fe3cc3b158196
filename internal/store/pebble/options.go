package pebble

import (
	"log/slog"
	"time"
)

// Options configures Open.
type Options struct {
	// Dir is the data directory. It is created if it does not exist. It is
	// ignored when InMemory is set.
	Dir string

	// InMemory keeps all data in memory, in Pebble's in-memory filesystem.
	// Nothing is written to disk and everything is lost on Close. Tests and
	// throwaway environments use it.
	InMemory bool

	// Fsync makes Commit return only once the batch's WAL record is
	// fsynced, so an acknowledged batch survives a crash of the machine as
	// well as of the process. Without it Commit returns once the record is
	// written to the operating system, which keeps it through any crash or
	// kill of the process, and the WAL is fsynced in the background every
	// WALSyncInterval: that bounds what a crash of the machine can take.
	// An fsync per commit costs about as much as the rest of a small write.
	Fsync bool

	// WALSyncInterval is how often the WAL is fsynced in the background
	// when Fsync is off. Zero means DefaultWALSyncInterval.
	WALSyncInterval time.Duration

	// CloseWait is how long Close waits for the iterators and snapshots
	// still open to be closed before it gives up on closing Pebble. Zero
	// means DefaultCloseWait.
	CloseWait time.Duration

	// Logger receives Pebble's log lines: informational ones at Debug
	// level, errors at Error. Nil discards them.
	Logger *slog.Logger
}

// DefaultCloseWait is Options.CloseWait's default: long enough for a read
// in progress when the store closes to finish.
const DefaultCloseWait = 5 * time.Second

func (o Options) closeWait() time.Duration {
	if o.CloseWait <= 0 {
		return DefaultCloseWait
	}
	return o.CloseWait
}
