package e2e_test

import (
	"os"
	"testing"

	"github.com/virga/virga/internal/store/sql/pgtest"
)

// TestMain stops the PostgreSQL server that tests started, if any (see
// e2e.StoreEnv).
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m))
}
