package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/virga/virga/internal/store"
)

// The schema. kvTable holds every key; metaTable holds the format row.
const (
	kvTable   = "virga_kv"
	metaTable = "virga_meta"
)

// FormatVersion is the newest data format this build reads and the one
// it writes into a fresh database.
const FormatVersion = 1

// lockID is the session advisory lock a DB holds on its database for its
// life, so that a second virga on the same database fails at once.
const lockID int64 = 0x7669726761 // "virga"

// Defaults for what the URL does not say.
const (
	defaultMaxConns       = 32
	defaultConnectTimeout = 5 * time.Second
)

// Options say which database to use.
type Options struct {
	// URL is a PostgreSQL connection URL or keyword/value string, as libpq
	// and pgx read them (postgres://user:pass@host:5432/db?sslmode=disable).
	// pool_max_conns in the URL sizes the connection pool (default 32).
	URL string
	// Logger receives the store's warnings; nil discards them.
	Logger *slog.Logger
}

// DB is a store.Store on a PostgreSQL-protocol database. It is safe for
// concurrent use.
type DB struct {
	pool   *pgxpool.Pool
	lock   *pgx.Conn // holds lockID; nil if the server has no advisory locks
	noWait bool      // the server has synchronous_commit, for CommitNoWait
	log    *slog.Logger

	closed  atomic.Bool
	closeMu sync.Mutex // serializes Close

	holdMu sync.Mutex
	holds  map[*pgxpool.Conn]struct{} // connections held by snapshots and iterators
}

var _ store.Store = (*DB)(nil)

// UnreachableError reports that the database server could not be reached or
// refused the connection.
type UnreachableError struct {
	// Target names the server and database, without the password.
	Target string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("store %s: cannot connect to the PostgreSQL server: %v", e.Target, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// InUseError reports that another virga holds the database.
type InUseError struct {
	Target string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("store %s is in use by another virga process (it holds advisory lock %d); one virga process per database", e.Target, lockID)
}

// FormatError reports a database written by a newer virga data format than
// this build reads.
type FormatError struct {
	Target           string
	Found, Supported int
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("store %s was written by a newer virga (format %d; this build reads up to %d)", e.Target, e.Found, e.Supported)
}

// Open connects to the database named by opts.URL, creates the schema if
// it is missing and takes the database's advisory lock. It fails within
// the connect timeout (5 seconds unless the URL's connect_timeout says
// otherwise) if the server cannot be reached.
func Open(ctx context.Context, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("store URL: %w", err)
	}
	target := describe(cfg.ConnConfig)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if !hasParam(opts.URL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, &UnreachableError{Target: target, Err: err}
	}
	d := &DB{log: logger, holds: map[*pgxpool.Conn]struct{}{}}
	if err := d.prepare(ctx, conn, target); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	if d.noWait {
		// Commit waits for the commit record to be flushed whatever the
		// server's or role's default is.
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		conn.Close(context.Background())
		if pool != nil {
			pool.Close()
		}
		return nil, &UnreachableError{Target: target, Err: err}
	}
	d.pool = pool
	return d, nil
}

// prepare takes the advisory lock on conn, which d then keeps, creates the
// schema and checks its format.
func (d *DB) prepare(ctx context.Context, conn *pgx.Conn, target string) error {
	var locked bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lockID).Scan(&locked); err != nil {
		// CockroachDB and others may have no advisory locks: go on
		// without the guard.
		d.log.Warn("the store's database has no advisory locks; nothing stops a second virga from using it", "store", target, "err", err)
	} else if !locked {
		return &InUseError{Target: target}
	} else {
		d.lock = conn
	}
	schema := []string{
		"CREATE TABLE IF NOT EXISTS " + kvTable + " (key bytea PRIMARY KEY, value bytea NOT NULL)",
		"CREATE TABLE IF NOT EXISTS " + metaTable + " (name text PRIMARY KEY, value text NOT NULL)",
	}
	for _, q := range schema {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("store %s: creating the schema: %w", target, err)
		}
	}
	if _, err := conn.Exec(ctx, "INSERT INTO "+metaTable+" (name, value) VALUES ('format', $1) ON CONFLICT (name) DO NOTHING",
		strconv.Itoa(FormatVersion)); err != nil {
		return fmt.Errorf("store %s: recording the format: %w", target, err)
	}
	var format string
	if err := conn.QueryRow(ctx, "SELECT value FROM "+metaTable+" WHERE name = 'format'").Scan(&format); err != nil {
		return fmt.Errorf("store %s: reading the format: %w", target, err)
	}
	n, err := strconv.Atoi(format)
	if err != nil {
		return fmt.Errorf("store %s: format %q in %s is not a number", target, format, metaTable)
	}
	if n > FormatVersion {
		return &FormatError{Target: target, Found: n, Supported: FormatVersion}
	}
	var sc string
	if err := conn.QueryRow(ctx, "SELECT current_setting('synchronous_commit')").Scan(&sc); err == nil {
		d.noWait = true
	}
	return nil
}

// describe names a server and database for messages, never the password.
func describe(c *pgx.ConnConfig) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// hasParam reports whether a connection string sets name, in a URL's query
// or as a keyword.
func hasParam(connString, name string) bool {
	for i := 0; i+len(name) < len(connString); i++ {
		if connString[i:i+len(name)] == name && connString[i+len(name)] == '=' &&
			(i == 0 || connString[i-1] == '?' || connString[i-1] == '&' || connString[i-1] == ' ') {
			return true
		}
	}
	return false
}

// Get returns a copy of the latest committed value of key, or
// store.ErrNotFound.
func (d *DB) Get(key []byte) ([]byte, error) {
	if d.closed.Load() {
		return nil, store.ErrClosed
	}
	return get(context.Background(), d.pool, key)
}

// NewIter returns an iterator over the keys in [lower, upper) as of now:
// it reads from a snapshot of its own, held until it is closed.
func (d *DB) NewIter(lower, upper []byte) (store.Iterator, error) {
	if d.closed.Load() {
		return nil, store.ErrClosed
	}
	s, err := d.snapshot()
	if err != nil {
		return nil, err
	}
	it := newIter(s, lower, upper)
	it.own = true
	return it, nil
}

// NewBatch returns an empty batch; its Commit is one transaction.
func (d *DB) NewBatch() store.Batch {
	return &batch{db: d}
}

// NewSnapshot returns a point-in-time view of the store: a REPEATABLE READ,
// READ ONLY transaction on a connection of its own, open until Close.
func (d *DB) NewSnapshot() store.Snapshot {
	if d.closed.Load() {
		return closedSnapshot{err: store.ErrClosed}
	}
	s, err := d.snapshot()
	if err != nil {
		return closedSnapshot{err: err}
	}
	return s
}

// acquire takes a connection from the pool for a snapshot or iterator.
func (d *DB) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	c, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	d.holdMu.Lock()
	d.holds[c] = struct{}{}
	d.holdMu.Unlock()
	return c, nil
}

// release returns a connection acquire took.
func (d *DB) release(c *pgxpool.Conn) {
	d.holdMu.Lock()
	_, held := d.holds[c]
	delete(d.holds, c)
	d.holdMu.Unlock()
	if held {
		c.Release()
	}
}

// Close closes the pool and releases the database's lock. Later calls
// return nil. Every iterator and snapshot must be closed first; any still
// open have their connections closed, and Close reports them.
func (d *DB) Close() error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Load() {
		return nil
	}
	d.closed.Store(true)
	var err error
	d.holdMu.Lock()
	if n := len(d.holds); n > 0 {
		err = fmt.Errorf("store: closed with %d snapshots or iterators still open", n)
	}
	for c := range d.holds {
		c.Hijack().Close(context.Background())
		delete(d.holds, c)
	}
	d.holdMu.Unlock()
	d.pool.Close()
	if d.lock != nil {
		// Unlock before closing: the server ends a closed session's
		// backend, and releases its locks, only some moments later.
		ctx := context.Background()
		_, uerr := d.lock.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockID)
		if cerr := d.lock.Close(ctx); uerr == nil {
			uerr = cerr
		}
		if err == nil {
			err = uerr
		}
	}
	return err
}
