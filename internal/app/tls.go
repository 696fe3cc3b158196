package app

import (
	"os"
	"path/filepath"

	"github.com/virga/virga/internal/localtls"
)

// openAuthority opens virga's certificate authority: kept in
// DATA_DIR/tls, so that clients told to trust it go on trusting it, or,
// in memory, made in a temporary directory removed at shutdown.
func (a *App) openAuthority() error {
	dir := filepath.Join(a.cfg.DataDir, "tls")
	if a.cfg.InMemory {
		tmp, err := os.MkdirTemp("", "virga-tls-")
		if err != nil {
			return err
		}
		dir = tmp
		a.closers = append(a.closers, func() error { return os.RemoveAll(tmp) })
	}
	ca, err := localtls.Open(dir, a.clock.Now())
	if err != nil {
		if a.cfg.InMemory {
			os.RemoveAll(dir)
		}
		return err
	}
	a.tls = ca
	return nil
}

// CAPath is the file of virga's certificate authority, which clients
// trust to reach virga over HTTPS (https://127.0.0.1:PORT,
// https://ID.execute-api.localhost:PORT).
func (a *App) CAPath() string { return a.tls.CAPath() }
