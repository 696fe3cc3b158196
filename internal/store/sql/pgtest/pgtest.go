// Package pgtest runs throwaway PostgreSQL servers for tests: a private
// data directory under the system's temporary directory, listening only on
// a Unix socket in that directory, gone when the server is stopped.
//
// It needs PostgreSQL's server programs (initdb, postgres), which Debian's
// postgresql package installs under /usr/lib/postgresql/VERSION/bin. Where
// they are missing tests skip, except under CI=true, where they fail.
// initdb refuses to run as root, so as root the server runs as the
// postgres user.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/virga/virga/internal/testenv"
)

// port names the server's socket (.s.PGSQL.port in its directory); the
// server listens on no TCP port, so any number will do.
const port = 5432

// Options tune a server.
type Options struct {
	// Fsync turns PostgreSQL's fsync on; by default it is off, which is
	// faster and loses nothing unless the machine itself crashes.
	Fsync bool
}

// Server is a running PostgreSQL server.
type Server struct {
	dir  string // socket directory; data is dir/data
	bin  string
	opts Options
	cred *syscall.Credential // nil to run as this user

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *os.File
	dbs    atomic.Int64
}

// BinDir returns the directory holding initdb and postgres, or "".
func BinDir() string {
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d
			}
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Require returns PostgreSQL's bin directory, or skips the test (fails it
// under CI=true) if PostgreSQL is not installed.
func Require(t testing.TB) string {
	t.Helper()
	bin := BinDir()
	if bin == "" {
		testenv.Require(t, "PostgreSQL's server programs (initdb, postgres) are not installed (Debian package postgresql)")
	}
	return bin
}

// Start initializes a data directory and starts a server on it.
func Start(bin string, opts Options) (*Server, error) {
	s := &Server{bin: bin, opts: opts}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("initdb does not run as root and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", "virga-pg-")
	if err != nil {
		return nil, err
	}
	s.dir = dir
	if s.cred != nil {
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			s.remove()
			return nil, err
		}
	}
	initdb := s.command("initdb", "-D", s.dataDir(), "-U", "postgres", "--auth=trust",
		"--no-sync", "--encoding=UTF8", "--locale=C", "--no-instructions")
	var out []byte
	done := make(chan struct{})
	go func() { // on a locked thread, as start explains
		runtime.LockOSThread()
		out, err = initdb.CombinedOutput()
		close(done)
	}()
	<-done
	if err != nil {
		s.remove()
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := s.start(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// command runs one of PostgreSQL's programs as the server's user.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// start starts postgres on the data directory and waits until it accepts
// connections.
func (s *Server) start() error {
	fsync := "off"
	if s.opts.Fsync {
		fsync = "on"
	}
	args := []string{"-D", s.dataDir(), "-k", s.dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=", "-c", "fsync=" + fsync, "-c", "full_page_writes=" + fsync,
		"-c", "shared_buffers=16MB", "-c", "max_connections=300", "-c", "max_wal_size=256MB"}
	cmd := s.command("postgres", args...)
	log, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = log, log
	// The kernel sends Pdeathsig when the thread that started the
	// process exits, not the process, and Go ends threads whose
	// goroutine locked them; so the server is started, and waited for,
	// on a thread locked for the server's life.
	started, exited := make(chan error), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			cmd.Wait()
		}
		close(exited)
	}()
	if err := <-started; err != nil {
		log.Close()
		return fmt.Errorf("starting postgres: %w", err)
	}
	s.mu.Lock()
	s.cmd, s.exited, s.log = cmd, exited, log
	s.mu.Unlock()

	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, s.URL("postgres"))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited: %s", s.Log())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within a minute: %v\n%s", err, s.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Log returns the server's log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	return string(b)
}

// URL returns the connection URL of database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", db, s.dir, port)
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase() (string, error) {
	name := fmt.Sprintf("t%d", s.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return s.URL(name), nil
}

// Kill kills the server with SIGKILL, as a crash would: the postmaster
// and every process it started (PostgreSQL's backends leave its process
// group, so they are found by parent), and waits until they are gone.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	pid := cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGSTOP) // no new children from here on
	procs := append(children(pid), pid)
	for _, p := range procs {
		syscall.Kill(p, syscall.SIGKILL)
	}
	<-exited
	s.log.Close()
	// A restart refuses to start while an old process still holds the
	// shared memory.
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range procs {
		for alive(p) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// children returns the processes whose parent is pid.
func children(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _ := procStat(p); ppid == pid {
			out = append(out, p)
		}
	}
	return out
}

// procStat returns a process's parent and state from /proc/PID/stat.
func procStat(pid int) (ppid int, state string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, ""
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 2 {
		return 0, ""
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[0]
}

// alive reports whether pid is a process that is not a zombie.
func alive(pid int) bool {
	_, state := procStat(pid)
	return state != "" && state != "Z"
}

// Restart starts a killed or stopped server again on its data directory;
// PostgreSQL recovers from its WAL.
func (s *Server) Restart() error {
	return s.start()
}

// Stop shuts the server down and removes its directory.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Signal(syscall.SIGQUIT) // immediate shutdown: the data is thrown away
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		s.log.Close()
	}
	s.remove()
}

func (s *Server) remove() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

var (
	sharedOnce sync.Once
	shared     *Server
	sharedErr  error
)

// Shared returns the test binary's shared server (with fsync off), starting
// it on first use; Main stops it. It skips or fails the test as Require does
// if PostgreSQL is missing.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := Require(t)
	sharedOnce.Do(func() { shared, sharedErr = Start(bin, Options{}) })
	if sharedErr != nil {
		t.Fatalf("starting PostgreSQL: %v", sharedErr)
	}
	return shared
}

// NewDatabase returns the URL of a new empty database on the shared server.
func NewDatabase(t testing.TB) string {
	t.Helper()
	url, err := Shared(t).NewDatabase()
	if err != nil {
		t.Fatalf("creating a database: %v", err)
	}
	return url
}

// Main runs a package's tests and then stops the shared server, if one was
// started. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}
