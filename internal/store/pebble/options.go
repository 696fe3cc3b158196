package pebble

import "log/slog"

// Options configures Open.
type Options struct {
	// Dir is the data directory. It is created if it does not exist. It is
	// ignored when InMemory is set.
	Dir string

	// InMemory keeps all data in memory, in Pebble's in-memory filesystem.
	// Nothing is written to disk and everything is lost on Close. Tests and
	// throwaway environments use it.
	InMemory bool

	// Logger receives Pebble's log lines: informational ones at Debug
	// level, errors at Error. Nil discards them.
	Logger *slog.Logger
}
