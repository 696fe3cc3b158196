package pebble

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	pebbledb "github.com/cockroachdb/pebble/v2"
)

// pebbleLogger routes Pebble's log lines to slog. Pebble is chatty at info
// level (flushes, compactions, format upgrades), which is noise to a virga
// user, so those go to Debug.
type pebbleLogger struct {
	l *slog.Logger // nil discards everything but Fatalf
}

var _ pebbledb.Logger = pebbleLogger{}

// Infof logs at Debug level.
func (p pebbleLogger) Infof(format string, args ...any) {
	p.log(slog.LevelDebug, format, args)
}

// Errorf logs at Error level.
func (p pebbleLogger) Errorf(format string, args ...any) {
	p.log(slog.LevelError, format, args)
}

// Fatalf logs at Error level and exits the process. Pebble calls it when it
// cannot continue without risking the data, and requires that it not return.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.l != nil {
		p.l.Error("pebble: fatal: "+msg, "component", "pebble")
	} else {
		fmt.Fprintf(os.Stderr, "pebble: fatal: %s\n", msg)
	}
	os.Exit(1)
}

func (p pebbleLogger) log(level slog.Level, format string, args []any) {
	if p.l == nil || !p.l.Enabled(context.Background(), level) {
		return
	}
	p.l.Log(context.Background(), level, fmt.Sprintf(format, args...), "component", "pebble")
}
