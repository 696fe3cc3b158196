package app

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/config"
)

// The start line says what an acknowledged write survives for the store
// in use: a PostgreSQL store's writes are the server's commits, not
// virga's own fsyncs.
func TestDurabilityForLog(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  func(*config.Config)
		want string
	}{
		{"pebble", func(*config.Config) {}, "fsynced within 100ms"},
		{"pebble fsync", func(c *config.Config) { c.Fsync = true }, "fsynced before"},
		{"in memory", func(c *config.Config) { c.InMemory = true }, "until virga stops"},
		{"postgres", func(c *config.Config) { c.Store = "postgres://u:p@db/virga" }, "PostgreSQL server"},
	} {
		cfg := config.Default()
		tc.cfg(&cfg)
		if got := durabilityForLog(cfg); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q; want it to contain %q", tc.name, got, tc.want)
		}
	}
}
