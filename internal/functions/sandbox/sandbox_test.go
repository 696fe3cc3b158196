package sandbox

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var seq atomic.Int64

func newHost(t *testing.T) *Host {
	t.Helper()
	return New(Options{WorkDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func id(t *testing.T) string {
	return "test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + string(rune('a'+seq.Add(1)%26))
}

// run starts script as the bootstrap of a fresh code directory and
// returns its output once it ends.
func run(t *testing.T, h *Host, script string, mutate func(*Config)) (string, Exit) {
	t.Helper()
	code := t.TempDir()
	if err := os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cfg := &Config{ID: id(t), CodeDir: code, MemoryMB: 64, Output: w,
		Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}}
	if mutate != nil {
		mutate(cfg)
	}
	cfg.Path = filepath.Join(h.Layout(cfg).TaskRoot, "bootstrap")
	p, err := h.Start(cfg)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r)
	select {
	case <-p.Done():
	case <-time.After(20 * time.Second):
		p.Kill()
		t.Fatal("process did not end")
	}
	return string(out), p.Exit()
}

func TestSandboxView(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	t.Logf("isolation: %s", h.Isolation())
	l1, l2 := t.TempDir(), t.TempDir()
	// A directory of the host's outside /tmp, which the function must not
	// be able to write to.
	hostDir, err := os.MkdirTemp(".", "hostdir-")
	if err != nil {
		t.Fatal(err)
	}
	hostDir, _ = filepath.Abs(hostDir)
	t.Cleanup(func() { os.RemoveAll(hostDir) })
	os.WriteFile(filepath.Join(l1, "who"), []byte("one"), 0o644)
	os.WriteFile(filepath.Join(l1, "only1"), []byte("first"), 0o644)
	os.WriteFile(filepath.Join(l2, "who"), []byte("two"), 0o644)
	out, ex := run(t, h, `
echo "pwd=$(pwd)"
echo "pid=$$"
echo "who=$(cat $OPT/who) only1=$(cat $OPT/only1)"
touch $TASK/x 2>/dev/null && echo task=writable || echo task=readonly
touch $HOSTDIR/x 2>/dev/null && echo host=writable || echo host=readonly
(set -o pipefail 2>/dev/null) && echo sh=pipefail || echo sh=posix
[ -w /bin/sh ] && echo shfile=writable || echo shfile=readonly
[ -w /var/lib ] && echo varlib=writable || echo varlib=readonly
echo x >/dev/null && echo devnull=ok
echo hi > $TMP/x && echo tmp=$(cat $TMP/x)
exit 3
`, func(c *Config) {
		c.LayerDirs = []string{l1, l2}
		l := h.Layout(c)
		c.Env = append(c.Env, "OPT="+l.OptDir, "TASK="+l.TaskRoot, "TMP="+l.TmpDir, "HOSTDIR="+hostDir)
	})
	if ex.Code != 3 || ex.Status != "exit status 3" || ex.OOM {
		t.Fatalf("exit %+v, output %s", ex, out)
	}
	for _, want := range []string{"who=two only1=first", "tmp=hi"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if h.namespaces {
		// /bin/sh is bash, as on Amazon Linux.
		// Every host mount is read-only (the host's /var entries, and
		// the file bash is bound over as /bin/sh, included); devices
		// still work.
		for _, want := range []string{"pwd=/var/task", "pid=1\n", "task=readonly", "host=readonly", "sh=pipefail",
			"shfile=readonly", "varlib=readonly", "devnull=ok"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
}

func TestOutOfMemory(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	if h.cg == nil {
		t.Skip("no cgroups: " + h.Isolation())
	}
	// tail buffers an endless line.
	out, ex := run(t, h, "exec tail /dev/zero\n", func(c *Config) { c.MemoryMB = 32 })
	if !ex.OOM || ex.Status != "signal: killed" {
		t.Fatalf("exit %+v, output %s", ex, out)
	}
}

func TestPeakMemory(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\nhead -c 20000000 /dev/zero | tail -c 1 >/dev/null; echo done; sleep 30\n"), 0o755)
	r, w, _ := os.Pipe()
	defer r.Close()
	cfg := &Config{ID: id(t), CodeDir: code, MemoryMB: 128, Output: w, Env: []string{"PATH=/usr/bin:/bin"}}
	cfg.Path = filepath.Join(h.Layout(cfg).TaskRoot, "bootstrap")
	p, err := h.Start(cfg)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	io.ReadFull(r, buf)
	if peak := p.PeakMemoryBytes(); peak <= 0 {
		t.Errorf("peak %d", peak)
	} else {
		t.Logf("peak %d bytes", peak)
	}
	// The bootstrap sleeps 30 s: well under that, the kill ended it (a
	// loaded machine can take seconds to reap and clean up).
	start := time.Now()
	p.Kill()
	<-p.Done()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("kill took %v", d)
	}
}

func TestKillTakesChildren(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	code := t.TempDir()
	// A grandchild in its own session that ignores SIGTERM, found again by
	// its unusual argument.
	marker := "307." + strconv.FormatInt(time.Now().UnixNano()%1000000, 10)
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n(trap '' TERM; setsid sleep "+marker+" & wait) &\necho up\nwait\n"), 0o755)
	r, w, _ := os.Pipe()
	defer r.Close()
	cfg := &Config{ID: id(t), CodeDir: code, Output: w, Env: []string{"PATH=/usr/bin:/bin"}}
	cfg.Path = filepath.Join(h.Layout(cfg).TaskRoot, "bootstrap")
	p, err := h.Start(cfg)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(r, make([]byte, 3))
	for deadline := time.Now().Add(20 * time.Second); findProcess(marker) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("grandchild never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Kill()
	<-p.Done()
	for deadline := time.Now().Add(20 * time.Second); findProcess(marker) != 0; {
		if time.Now().After(deadline) {
			t.Fatal("grandchild survived the kill")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// findProcess returns the pid of a live process whose command line
// contains s.
func findProcess(s string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if bytes.Contains(cmd, []byte(s)) && !bytes.Contains(stat, []byte(") Z")) {
			return pid
		}
	}
	return 0
}

func TestExecErrors(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	for _, c := range []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    error
	}{
		{"missing", nil, 0, fs.ErrNotExist},
		{"not-executable", []byte("#!/bin/sh\n"), 0o644, fs.ErrPermission},
		{"foreign", append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 120)...), 0o755, syscall.ENOEXEC},
	} {
		code := t.TempDir()
		if c.content != nil {
			os.WriteFile(filepath.Join(code, "bootstrap"), c.content, c.mode)
		}
		r, w, _ := os.Pipe()
		cfg := &Config{ID: id(t), CodeDir: code, Output: w}
		cfg.Path = filepath.Join(h.Layout(cfg).TaskRoot, "bootstrap")
		_, err := h.Start(cfg)
		w.Close()
		r.Close()
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op != "fork/exec" || !errors.Is(err, c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestFindCgroups(t *testing.T) {
	t.Parallel()
	// v2 with every controller at the root, virga's own cgroup not
	// delegated: environments go under the root.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cgroup.controllers"), []byte("cpuset cpu io memory hugetlb pids rdma\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("cpu memory pids\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "user.slice"), 0o755)
	os.WriteFile(filepath.Join(dir, "user.slice", "cgroup.subtree_control"), []byte("\n"), 0o444)
	// A real cgroupfs creates control files in new directories; a temp
	// directory does not, so the "virga" directory gets one by hand.
	os.MkdirAll(filepath.Join(dir, "virga"), 0o755)
	os.WriteFile(filepath.Join(dir, "virga", "cgroup.subtree_control"), []byte("cpu memory pids\n"), 0o644)
	mi := "30 1 0:26 / " + dir + " rw,nosuid - cgroup2 cgroup2 rw\n"
	root, err := findCgroups([]byte(mi), []byte("0::/user.slice\n"), "virga")
	if err != nil {
		t.Fatal(err)
	}
	if root.version != cgroupV2 || root.base[""] != filepath.Join(dir, "virga") {
		t.Fatalf("root %+v", root)
	}

	// v1 only (v2 holds hugetlb alone), memory nested under a parent's
	// cgroup: environments go beside virga's own cgroup.
	v2 := t.TempDir()
	os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("hugetlb\n"), 0o644)
	mem, pids := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(mem, "outer", "x"), 0o755)
	mi = "30 1 0:26 / " + v2 + " rw - cgroup2 cgroup2 rw\n" +
		"31 1 0:27 / " + mem + " rw - cgroup cgroup rw,memory\n" +
		"32 1 0:28 / " + pids + " rw - cgroup cgroup rw,pids\n"
	root, err = findCgroups([]byte(mi), []byte("4:memory:/outer/x\n8:pids:/\n0::/\n"), "virga")
	if err != nil {
		t.Fatal(err)
	}
	if root.version != cgroupV1 || root.base["memory"] != filepath.Join(mem, "outer", "x", "virga") ||
		root.base["pids"] != filepath.Join(pids, "virga") || root.base["cpu"] != "" {
		t.Fatalf("root %+v", root)
	}
	if _, err := findCgroups([]byte(mi[:strings.Index(mi, "31 ")]), []byte("0::/\n"), "virga"); err == nil {
		t.Fatal("hugetlb-only v2 and no v1 memory should fail")
	}
}

func TestPlainFallback(t *testing.T) {
	t.Parallel()
	h := New(Options{WorkDir: t.TempDir(), Plain: true})
	if h.Isolation() != "process" {
		t.Fatalf("isolation %q", h.Isolation())
	}
	out, ex := run(t, h, "pwd; echo $$\n", nil)
	if ex.Code != 0 || strings.Contains(out, "/var/task") {
		t.Fatalf("exit %+v output %s", ex, out)
	}
}

// TestFiles: host files bound into a sandbox, under /var and over a
// file of the host's, read-only; a missing target is left alone.
func TestFiles(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	if !h.namespaces {
		t.Skip("needs root and namespaces: plain processes see the host's files")
	}
	src := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(src, []byte("127.0.0.1\tabc.execute-api.localhost\n"), 0o644)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, []byte("CA"), 0o644)
	out, ex := run(t, h, `
cat /etc/hosts
echo "ca=$(cat /var/virga/ca.pem)"
echo x > /var/virga/ca.pem 2>/dev/null && echo ca=writable || echo ca=readonly
[ -e /nonexistent/file ] && echo missing=made || echo missing=absent
`, func(c *Config) {
		c.Files = map[string]string{"/etc/hosts": src, "/var/virga/ca.pem": ca, "/nonexistent/file": ca}
	})
	if ex.Code != 0 {
		t.Fatalf("exit %+v, output %s", ex, out)
	}
	for _, want := range []string{"abc.execute-api.localhost", "ca=CA", "ca=readonly", "missing=absent"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The host's own /etc/hosts is untouched.
	if b, _ := os.ReadFile("/etc/hosts"); strings.Contains(string(b), "abc.execute-api.localhost") {
		t.Error("the host's /etc/hosts changed")
	}
}

// TestConcurrentStarts: environments started at once, each with a file
// bound under /var, all start, and all in a sandbox. Building one view
// while another thread forks used to fail the remount of /var with
// EBUSY now and then (a mount point held open for writing was copied
// into the other thread's child).
func TestConcurrentStarts(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	if !h.namespaces {
		t.Skip("no namespaces here: " + h.Isolation())
	}
	src := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(src, []byte("127.0.0.1 localhost\n"), 0o644)
	const n = 100
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := func() (string, error) {
				code := t.TempDir()
				os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
				r, w, err := os.Pipe()
				if err != nil {
					return "", err
				}
				defer r.Close()
				cfg := &Config{ID: id(t) + strconv.Itoa(i), CodeDir: code, MemoryMB: 64, Output: w,
					Files: map[string]string{"/var/virga/a": src, "/var/virga/b": src, "/var/virga/c": src}}
				cfg.Path = filepath.Join(h.Layout(cfg).TaskRoot, "bootstrap")
				p, err := h.Start(cfg)
				w.Close()
				if err != nil {
					return "", err
				}
				io.Copy(io.Discard, r)
				<-p.Done()
				return "", nil
			}()
			errs <- err
		}()
	}
	failed := 0
	for range n {
		if err := <-errs; err != nil {
			failed++
			t.Error(err)
		}
	}
	if !h.namespaces {
		t.Error("the host stopped using namespaces")
	}
	t.Logf("%d of %d starts failed", failed, n)
}
