package sandbox

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Host starts sandboxed processes. It is safe for concurrent use.
type Host struct {
	opts       Options
	namespaces bool // decided in New, never changed
	cg         *cgroupRoot
	cpus       *cpuSet    // nil: no binding
	vars       []varEntry // the host's /var, rebuilt in each sandbox
	readOnly   bool       // the host's files are read-only in a sandbox
	dash       string     // the file /bin/sh leads to, if it is dash and bash is there: bash is bound over it
	warn       warnOnce
}

// varEntry is one entry of the host's /var.
type varEntry struct {
	name   string
	mode   os.FileMode // type bits
	target string      // for symlinks
}

// New probes what the machine allows (root, namespaces, cgroups) and
// returns a Host that uses it, logging one warning when it must fall
// back to plain processes.
func New(opts Options) *Host {
	if opts.CgroupName == "" {
		opts.CgroupName = "virga"
	}
	if opts.WorkDir == "" {
		opts.WorkDir = filepath.Join(os.TempDir(), "virga-sandbox")
	}
	h := &Host{opts: opts, warn: warnOnce{log: opts.Logger}, cpus: newCPUSet()}
	if opts.Plain {
		return h
	}
	if os.Geteuid() != 0 {
		h.warn.warn("functions run as plain processes, without namespaces or cgroup limits: virga is not running as root")
		return h
	}
	readOnly, err := probeNamespaces()
	if err != nil {
		h.warn.warn("functions run without namespaces: unsharing a mount namespace failed", "err", err)
	} else if vars, err := readVar(); err != nil {
		h.warn.warn("functions run without namespaces: reading /var failed", "err", err)
	} else if err := os.MkdirAll("/opt", 0o755); err != nil {
		h.warn.warn("functions run without namespaces: /opt is missing", "err", err)
	} else {
		h.vars = vars
		h.dash = dashShell()
		h.readOnly = readOnly == nil
		if err := h.trialMount(); err != nil {
			h.warn.warn("functions run without namespaces: building a sandbox failed", "err", err)
		} else {
			h.namespaces = true
			// Isolation without a read-only view of the host is still
			// worth having: say so, and go on.
			if !h.readOnly && opts.Logger != nil {
				opts.Logger.Warn("functions can write to the host's files", "err", readOnly)
			}
		}
	}
	mountinfo, err1 := os.ReadFile("/proc/self/mountinfo")
	proccg, err2 := os.ReadFile("/proc/self/cgroup")
	if err := errors.Join(err1, err2); err == nil {
		h.cg, err = findCgroups(mountinfo, proccg, opts.CgroupName)
		if err != nil {
			h.warn.warn("functions run without memory, pids and CPU limits: no usable cgroup", "err", err)
		} else {
			h.cg.sweep()
		}
	}
	return h
}

// Isolation describes what processes get: "namespaces, cgroup v1",
// "process" and the like.
func (h *Host) Isolation() string {
	parts := []string{}
	if h.namespaces {
		parts = append(parts, "namespaces")
	} else {
		parts = append(parts, "process")
	}
	if h.cg != nil {
		parts = append(parts, "cgroup "+h.cg.version.String())
	}
	return strings.Join(parts, ", ")
}

func probeNamespaces() (readOnly error, err error) {
	type result struct{ readOnly, err error }
	done := make(chan result, 1)
	go func() {
		// Locked and never unlocked: the thread, with its namespace, ends
		// with this goroutine.
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
			done <- result{err: err}
			return
		}
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			done <- result{err: fmt.Errorf("making / private: %w", err)}
			return
		}
		// Whether an environment's view of the host can be made
		// read-only, tried in the probe's own namespace.
		done <- result{readOnly: makeReadOnly()}
	}()
	r := <-done
	return r.readOnly, r.err
}

// makeReadOnly makes every mount of this mount namespace read-only,
// keeping their other flags: an environment's view of the host's files,
// as Lambda's is outside /tmp. Kernels before 5.12 lack mount_setattr;
// there the root mount alone is remounted read-only.
func makeReadOnly() error {
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &attr)
	if errors.Is(err, unix.ENOSYS) {
		err = syscall.Mount("", "/", "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, "")
	}
	if err != nil {
		return fmt.Errorf("making the host's files read-only: %w", err)
	}
	return nil
}

// dashShell is the file /bin/sh leads to when it is dash and the host has
// bash, else "". Environments bind bash over it: Lambda's run on Amazon
// Linux, whose /bin/sh is bash, and scripts written for it (AWS's own
// custom runtime tutorial) use bash's "set -o pipefail". A multi-call
// binary such as busybox, which other commands lead to as well, is left
// alone.
func dashShell() string {
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil || filepath.Base(sh) != "dash" {
		return ""
	}
	if fi, err := os.Stat("/bin/bash"); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return sh
}

func readVar() ([]varEntry, error) {
	entries, err := os.ReadDir("/var")
	if err != nil {
		return nil, err
	}
	var out []varEntry
	for _, e := range entries {
		switch e.Name() {
		case "task", "runtime":
			continue
		}
		v := varEntry{name: e.Name(), mode: e.Type()}
		if v.mode&os.ModeSymlink != 0 {
			if v.target, err = os.Readlink(filepath.Join("/var", e.Name())); err != nil {
				continue
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Layout says where cfg's process finds its files.
func (h *Host) Layout(cfg *Config) Layout {
	if h.namespaces {
		return Layout{TaskRoot: "/var/task", RuntimeDir: "/var/runtime", OptDir: "/opt", TmpDir: "/tmp"}
	}
	return plainLayout(h.opts.WorkDir, cfg)
}

// trialMount builds one sandbox's file system view, for an empty code
// directory, on a thread that ends with it: whether New may promise
// namespaces is decided there, once. A Host never changes its mind
// later: callers lay out a Config for the Layout they were given, and a
// failure to build one environment's sandbox fails that environment
// rather than quietly running it, and all after it, unconfined.
func (h *Host) trialMount() error {
	if err := os.MkdirAll(h.opts.WorkDir, 0o755); err != nil {
		return err
	}
	code, err := os.MkdirTemp(h.opts.WorkDir, "trial-")
	if err != nil {
		return err
	}
	defer os.Remove(code)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with its namespace
		done <- h.mount(&Config{CodeDir: code})
	}()
	return <-done
}

// errSandbox marks a failure to build an environment's sandbox (not to
// exec its program).
type errSandbox struct{ err error }

func (e *errSandbox) Error() string { return "sandbox: " + e.err.Error() }
func (e *errSandbox) Unwrap() error { return e.err }

// Start starts cfg's process. An error from exec (a missing or
// non-executable program, a binary for another architecture) is the
// *fs.PathError os/exec returns ("fork/exec /var/task/bootstrap: exec
// format error").
func (h *Host) Start(cfg *Config) (*Process, error) {
	var cg *cgroup
	if h.cg != nil {
		var err error
		if cg, err = h.cg.create(cfg.ID, orDefault(cfg.MemoryMB, 128)); err != nil {
			return nil, fmt.Errorf("sandbox: cgroup: %w", err)
		}
	}
	p := &Process{done: make(chan struct{})}
	started := make(chan error, 1)
	go h.run(cfg, cg, p, started)
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// run builds the sandbox on a locked thread, starts the process from it,
// and waits for the process there (see the package documentation).
func (h *Host) run(cfg *Config, cg *cgroup, p *Process, started chan<- error) {
	namespaces := h.namespaces
	// Never unlocked: the thread may hold a private mount namespace; it
	// ends with this goroutine.
	runtime.LockOSThread()
	tid := syscall.Gettid()

	cmd := &exec.Cmd{
		Path:       cfg.Path,
		Args:       append([]string{cfg.Path}, cfg.Args...),
		Env:        cfg.Env,
		Stdout:     cfg.Output,
		Stderr:     cfg.Output,
		ExtraFiles: cfg.ExtraFiles,
	}
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var scratch string
	if namespaces {
		if err := h.mount(cfg); err != nil {
			if cg != nil {
				cg.remove()
			}
			started <- &errSandbox{err}
			return
		}
		attr.Cloneflags = syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS
		cmd.Dir = "/var/task"
	} else {
		attr.Setpgid = true
		cmd.Dir = cfg.CodeDir
		var err error
		if scratch, err = preparePlain(h.opts.WorkDir, cfg); err != nil {
			if cg != nil {
				cg.remove()
			}
			started <- err
			return
		}
	}
	if cg != nil {
		if cg.fd >= 0 {
			attr.UseCgroupFD, attr.CgroupFD = true, cg.fd
		} else if err := cg.enterThread(tid); err != nil {
			cg.leaveThread(tid)
			cg.remove()
			started <- err
			return
		}
	}
	cmd.SysProcAttr = attr
	var cpus []int
	if h.cpus != nil {
		if cpus = h.cpus.take(orDefault(cfg.MemoryMB, 128)); cpus != nil {
			defer h.cpus.release(cpus)
			h.cpus.bindThread(cpus) // best effort: unbound is only slower
		}
	}
	err := startRetryingBusy(cmd)
	if cg != nil && cg.fd < 0 {
		// Out again at once: a thread of virga inside the memory cgroup
		// would make virga a candidate for the cgroup's OOM killer.
		cg.leaveThread(tid)
	}
	if err != nil {
		if cg != nil {
			cg.remove()
		}
		if scratch != "" {
			retryRemove(scratch)
		}
		started <- err
		return
	}
	pid := cmd.Process.Pid
	p.pid = pid
	p.term = func() { cmd.Process.Signal(syscall.SIGTERM) }
	p.kill = func() {
		if namespaces {
			cmd.Process.Kill() // PID 1 of its namespace: the namespace dies with it
		} else {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
		if cg != nil {
			cg.killAll()
		}
	}
	if cg != nil {
		p.peak = cg.peakBytes
		p.oom = func() bool { return cg.oomKills() > 0 }
	} else {
		p.peak = func() int64 { return vmHWM(pid) }
	}
	started <- nil

	cmd.Wait()
	ex := Exit{Status: cmd.ProcessState.String(), Code: cmd.ProcessState.ExitCode()}
	if !namespaces {
		syscall.Kill(-pid, syscall.SIGKILL) // what the process left behind
	}
	var peak int64
	if cg != nil {
		peak = cg.peakBytes()
		ex.OOM = cg.oomKills() > 0
		cg.killAll()
		cg.remove()
	}
	if scratch != "" {
		retryRemove(scratch)
	}
	p.mu.Lock()
	p.exit = ex
	p.lastPeak = max(p.lastPeak, peak)
	p.mu.Unlock()
	close(p.done)
}

// mount builds the environment's file system view in a mount namespace
// private to the calling (locked) thread.
func (h *Host) mount(cfg *Config) error {
	if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	// Nothing mounted here may propagate back to the host.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making / private: %w", err)
	}
	// Descriptors first (in this namespace, as bind mounts require): the
	// mounts below cover paths the sources may live under (/tmp, /opt).
	var fds []int
	defer func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	}()
	open := func(path string) (string, error) {
		fd, err := syscall.Open(path, oPath|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return "", &os.PathError{Op: "open", Path: path, Err: err}
		}
		fds = append(fds, fd)
		return "/proc/self/fd/" + strconv.Itoa(fd), nil
	}
	code, err := open(cfg.CodeDir)
	if err != nil {
		return err
	}
	var rt string
	if cfg.RuntimeDir != "" {
		if rt, err = open(cfg.RuntimeDir); err != nil {
			return err
		}
	}
	hostVar, err := open("/var")
	if err != nil {
		return err
	}
	files := make(map[string]string, len(cfg.Files))
	for dst, src := range cfg.Files {
		fd, err := syscall.Open(src, oPath|syscall.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: src, Err: err}
		}
		fds = append(fds, fd)
		files[dst] = "/proc/self/fd/" + strconv.Itoa(fd)
	}
	const nosuid = syscall.MS_NOSUID | syscall.MS_NODEV

	// /opt: the layers.
	switch layers := cfg.LayerDirs; len(layers) {
	case 0:
		err = syscall.Mount("tmpfs", "/opt", "tmpfs", nosuid|syscall.MS_RDONLY, "size=4k,mode=0755")
	case 1:
		err = bindReadOnly(layers[0], "/opt")
	default:
		// overlayfs: the leftmost lower directory is on top; later layers win.
		lower := make([]string, 0, len(layers))
		for i := len(layers) - 1; i >= 0; i-- {
			if strings.ContainsAny(layers[i], ":,\\") {
				return fmt.Errorf("layer path %q cannot be overlaid", layers[i])
			}
			lower = append(lower, layers[i])
		}
		err = syscall.Mount("overlay", "/opt", "overlay", nosuid|syscall.MS_RDONLY, "lowerdir="+strings.Join(lower, ":"))
	}
	if err != nil {
		return fmt.Errorf("mounting /opt: %w", err)
	}

	// /var: a tmpfs holding the host's entries, the code and the runtime.
	if err := syscall.Mount("tmpfs", "/var", "tmpfs", nosuid, "size=64k,mode=0755"); err != nil {
		return fmt.Errorf("mounting /var: %w", err)
	}
	for _, v := range h.vars {
		dst := "/var/" + v.name
		switch {
		case v.mode&os.ModeSymlink != 0:
			err = os.Symlink(v.target, dst)
		case v.mode.IsDir():
			if err = os.Mkdir(dst, 0o755); err == nil {
				err = syscall.Mount(hostVar+"/"+v.name, dst, "", syscall.MS_BIND|syscall.MS_REC, "")
			}
		default:
			if err = mountPoint(dst); err == nil {
				err = syscall.Mount(hostVar+"/"+v.name, dst, "", syscall.MS_BIND, "")
			}
		}
		if err != nil {
			return fmt.Errorf("rebuilding %s: %w", dst, err)
		}
	}
	for _, d := range []string{"/var/task", "/var/runtime"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if err := bindReadOnly(code, "/var/task"); err != nil {
		return fmt.Errorf("mounting /var/task: %w", err)
	}
	if rt != "" {
		if err := bindReadOnly(rt, "/var/runtime"); err != nil {
			return fmt.Errorf("mounting /var/runtime: %w", err)
		}
	}
	for _, dst := range slices.Sorted(maps.Keys(cfg.Links)) {
		if !strings.HasPrefix(dst, "/var/") || strings.HasPrefix(dst, "/var/task/") || strings.HasPrefix(dst, "/var/runtime/") {
			return fmt.Errorf("link %s is not under /var/", dst)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("making %s: %w", dst, err)
		}
		if err := os.Symlink(cfg.Links[dst], dst); err != nil {
			return fmt.Errorf("linking %s: %w", dst, err)
		}
	}
	// Files: those under /var go into its tmpfs now; the others are
	// bound over the host's below.
	var over []string
	for _, dst := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasPrefix(dst, "/var/") {
			over = append(over, dst)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("making %s: %w", dst, err)
		}
		if err := mountPoint(dst); err != nil {
			return fmt.Errorf("making %s: %w", dst, err)
		}
		if err := bindReadOnly(files[dst], dst); err != nil {
			return fmt.Errorf("binding %s: %w", dst, err)
		}
	}
	if err := syscall.Mount("", "/var", "", syscall.MS_REMOUNT|syscall.MS_RDONLY|nosuid, ""); err != nil {
		return fmt.Errorf("remounting /var: %w", err)
	}

	for _, dst := range over {
		if fi, err := os.Stat(dst); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := bindReadOnly(files[dst], dst); err != nil {
			return fmt.Errorf("binding %s: %w", dst, err)
		}
	}
	// /bin/sh: bash (see dashShell), read-only, in this namespace only.
	if h.dash != "" {
		if err := bindReadOnly("/bin/bash", h.dash); err != nil {
			return fmt.Errorf("binding bash as /bin/sh: %w", err)
		}
	}
	// The host's files, every mount of them: read-only, so that a
	// function that writes outside /tmp fails here as it fails on AWS,
	// and cannot change the developer's machine.
	if h.readOnly {
		if err := makeReadOnly(); err != nil {
			return err
		}
		// Except cgroupfs, through which this thread joins and leaves the
		// environment's cgroup and removes it when the process ends.
		if h.cg != nil {
			attr := unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY}
			err := unix.MountSetattr(unix.AT_FDCWD, "/sys/fs/cgroup", unix.AT_RECURSIVE, &attr)
			if err != nil && !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("keeping cgroupfs writable: %w", err)
			}
		}
	}
	// /tmp: private, sized by the ephemeral storage setting, and the one
	// writable place.
	size := "size=" + strconv.Itoa(orDefault(cfg.EphemeralMB, 512)) + "m,mode=1777"
	if err := syscall.Mount("tmpfs", "/tmp", "tmpfs", nosuid, size); err != nil {
		return fmt.Errorf("mounting /tmp: %w", err)
	}
	return nil
}

// mountPoint creates an empty regular file to bind a file over. It is
// made with mknod, never opened: a descriptor open for writing, even for
// an instant, would be copied into any process another thread forks in
// that instant, and while that child lives (until its exec closes it)
// the remount of /var read-only fails with EBUSY.
func mountPoint(path string) error {
	if err := unix.Mknod(path, unix.S_IFREG|0o644, 0); err != nil {
		return &os.PathError{Op: "mknod", Path: path, Err: err}
	}
	return nil
}

func bindReadOnly(src, dst string) error {
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return err
	}
	return syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, "")
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// vmHWM is a process's peak resident set size, from /proc.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	_, rest, ok := strings.Cut(string(b), "VmHWM:")
	if !ok {
		return 0
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return 0
	}
	kb, _ := strconv.ParseInt(f[0], 10, 64)
	return kb << 10
}

// oPath is O_PATH, which package syscall does not name: a descriptor
// that only locates a directory.
const oPath = 0x200000

// startRetryingBusy starts cmd, trying again a few times while the
// executable is "text file busy": a file written by this process (a
// function's code, just unzipped) can be held open for writing for a
// moment by a child that another goroutine forked in the meantime and
// that has not yet reached its own exec (golang.org/issue/22315). A fresh
// copy of cmd is started each time, since a Cmd is started only once.
func startRetryingBusy(cmd *exec.Cmd) error {
	for attempt := 1; ; attempt++ {
		try := *cmd
		err := try.Start()
		if err == nil || !errors.Is(err, syscall.ETXTBSY) || attempt == 5 {
			*cmd = try
			return err
		}
		time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
	}
}
