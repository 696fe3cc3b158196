package sandbox

import (
	"log/slog"
	"os"
	"sync"
	"time"
)

// Options configure a Host.
type Options struct {
	// WorkDir holds per-environment scratch directories (a private /tmp,
	// merged layers) for processes that run without namespaces.
	WorkDir string
	// Plain forces plain processes even where namespaces and cgroups
	// are available.
	Plain bool
	// CgroupName names the directory environments' cgroups are made in
	// ("virga" by default).
	CgroupName string
	// Logger receives the one warning about running without a sandbox.
	Logger *slog.Logger
}

// Config describes one process.
type Config struct {
	// ID names the environment (its cgroup, its scratch directory); it
	// must be unique among running environments and a valid file name.
	ID string
	// Path and Args are the program and its arguments as the process
	// sees the file system (see Layout).
	Path string
	Args []string
	// Env is the complete environment.
	Env []string
	// CodeDir, RuntimeDir and LayerDirs are host directories mounted at
	// /var/task, /var/runtime and /opt. RuntimeDir and LayerDirs may be
	// empty.
	CodeDir    string
	RuntimeDir string
	LayerDirs  []string
	// MemoryMB limits memory (and, proportionally, CPU); EphemeralMB
	// sizes /tmp. Zero means 128 and 512.
	MemoryMB    int
	EphemeralMB int
	// Output receives the process's stdout and stderr.
	Output *os.File
	// ExtraFiles are further open files the process inherits, as file
	// descriptors 3 and up (the launcher of a function's extensions
	// uses them).
	ExtraFiles []*os.File
	// Files are host files bound read-only into the process's view, by
	// the path it sees them at: a path under /var/ (outside /var/task
	// and /var/runtime) is made for them, any other must exist on the
	// host (/etc/hosts) and is bound over, or else left alone. Plain
	// processes see the host's files and get none of these.
	Files map[string]string
	// Links are symbolic links made in the process's view, by the path
	// it sees them at (under /var/, outside /var/task and /var/runtime),
	// to their targets: /var/lang/bin/python, where AWS's runtimes keep
	// their interpreters and scripts' #! lines name them. Plain
	// processes get none.
	Links map[string]string
}

// Layout is where a process finds its files.
type Layout struct {
	TaskRoot   string // /var/task, or the code directory
	RuntimeDir string // /var/runtime, or the runtime directory
	OptDir     string // /opt, or the layer directory ("" without layers)
	TmpDir     string // /tmp, or a private scratch directory
}

// Exit is how a process ended.
type Exit struct {
	// Status is Go's wording of the wait status: "exit status 1",
	// "signal: killed".
	Status string
	// Code is the exit code, -1 when a signal ended the process.
	Code int
	// OOM reports that the kernel killed a process of the environment for
	// want of memory.
	OOM bool
}

// Process is a started environment process.
type Process struct {
	pid  int
	done chan struct{}
	kill func()
	term func()       // SIGTERM to the process itself, not what it started
	peak func() int64 // bytes, 0 if unknown
	oom  func() bool  // the cgroup's OOM kills so far; nil without one

	mu       sync.Mutex
	exit     Exit
	lastPeak int64
}

// Pid is the process id (in virga's PID namespace).
func (p *Process) Pid() int { return p.pid }

// Done is closed when the process has ended and its sandbox is gone.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exit is how the process ended; valid once Done is closed.
func (p *Process) Exit() Exit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exit
}

// Kill ends the process and every process it started.
func (p *Process) Kill() {
	select {
	case <-p.done:
	default:
		p.kill()
	}
}

// Terminate asks the process (not the processes it started) to end
// with SIGTERM. In its own PID namespace the process is the
// namespace's first, which takes the signal only if it handles it.
func (p *Process) Terminate() {
	select {
	case <-p.done:
	default:
		if p.term != nil {
			p.term()
		}
	}
}

// OOMKilled reports whether the kernel has killed a process of the
// environment for want of memory, so far: while the process lives, the
// one it started may have been (false without a cgroup).
func (p *Process) OOMKilled() bool {
	select {
	case <-p.done:
		return p.Exit().OOM
	default:
		return p.oom != nil && p.oom()
	}
}

// PeakMemoryBytes is the most memory the environment used so far (its
// cgroup's peak, or the process's peak resident set without cgroups).
func (p *Process) PeakMemoryBytes() int64 {
	select {
	case <-p.done:
	default:
		if n := p.peak(); n > 0 {
			p.mu.Lock()
			p.lastPeak = max(p.lastPeak, n)
			p.mu.Unlock()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastPeak
}

// warnOnce logs the fallback warning once per Host.
type warnOnce struct {
	once sync.Once
	log  *slog.Logger
}

func (w *warnOnce) warn(msg string, args ...any) {
	w.once.Do(func() {
		if w.log != nil {
			w.log.Warn(msg, args...)
		}
	})
}

// retryRemove removes a scratch directory, which a dying process may
// still be writing into.
func retryRemove(dir string) {
	for wait := time.Millisecond; ; wait *= 4 {
		if err := os.RemoveAll(dir); err == nil || wait > time.Second {
			return
		}
		time.Sleep(wait)
	}
}
