package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	"golang.org/x/sys/unix"
)

// Limits of the agent's own containerd.
const (
	daemonReadyTimeout = 30 * time.Second // from exec to a served socket
	daemonStopTimeout  = 10 * time.Second // SIGTERM to exit, then SIGKILL
	maxSocketPath      = 100              // sun_path holds 108 bytes
)

// missingContainerd is the error for a machine without containerd.
const missingContainerd = "containerd is not installed: containers need containerd and runc " +
	"(on Debian or Ubuntu: apt-get install containerd runc), or pass --containerd-address"

// daemon is a containerd started by the agent, with its own root, state
// and socket under dir.
type daemon struct {
	dir    string
	socket string
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	stderr *tailBuffer
}

// daemonConfig is containerd's configuration (version 2, as 1.6 and 1.7
// read it): its own root, state and sockets, no CRI plugin.
func daemonConfig(root, state, socket string) string {
	q := strconv.Quote
	return fmt.Sprintf(`version = 2
root = %s
state = %s
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = %s

[ttrpc]
  address = %s
`, q(root), q(state), q(socket), q(socket+".ttrpc"))
}

// findContainerd returns the containerd executable to run.
func findContainerd(bin string) (string, error) {
	if bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%s: %w", missingContainerd, err)
		}
		return bin, nil
	}
	if p, err := exec.LookPath("containerd"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/containerd", "/usr/sbin/containerd", "/usr/local/bin/containerd"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New(missingContainerd)
}

// startDaemon starts containerd with a generated configuration under dir
// and waits until it serves its socket. A containerd left running by a
// previous run that died (its pid in dir/containerd.pid) is stopped first.
func startDaemon(ctx context.Context, bin, dir string, log *slog.Logger) (*daemon, error) {
	bin, err := findContainerd(bin)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("runc"); err != nil {
		if _, serr := os.Stat("/usr/sbin/runc"); serr != nil {
			return nil, errors.New("runc is not installed: containers need containerd and runc (on Debian or Ubuntu: apt-get install containerd runc)")
		}
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	stopStale(filepath.Join(dir, "containerd.pid"), log)
	socket := filepath.Join(dir, "containerd.sock")
	if len(socket) > maxSocketPath {
		sum := sha256.Sum256([]byte(dir))
		short := filepath.Join(os.TempDir(), "virga-containerd-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(short, 0o700); err != nil {
			return nil, err
		}
		socket = filepath.Join(short, "containerd.sock")
	}
	_ = os.Remove(socket)
	_ = os.Remove(socket + ".ttrpc")
	conf := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(conf, []byte(daemonConfig(filepath.Join(dir, "root"), filepath.Join(dir, "state"), socket)), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "containerd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	d := &daemon{dir: dir, socket: socket, done: make(chan struct{}), stderr: &tailBuffer{max: 4096}}
	cmd := exec.Command(bin, "--config", conf)
	cmd.Stdout = logf
	cmd.Stderr = &teeWriter{logf, d.stderr}
	// Its own process group: a ^C at virga's terminal reaches virga,
	// which stops containerd after the tasks.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "PATH="+daemonPath())
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start containerd: %w", err)
	}
	d.cmd = cmd
	_ = os.WriteFile(filepath.Join(dir, "containerd.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(d.done)
	}()
	if err := d.waitReady(ctx); err != nil {
		d.kill()
		return nil, err
	}
	return d, nil
}

// daemonPath is PATH for containerd: it runs containerd-shim-runc-v2
// and runc, which Debian installs in /usr/bin and /usr/sbin.
func daemonPath() string {
	p := os.Getenv("PATH")
	for _, d := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		if !strings.Contains(":"+p+":", ":"+d+":") {
			p += ":" + d
		}
	}
	return strings.TrimPrefix(p, ":")
}

// waitReady polls the socket until containerd answers, the process exits,
// or the deadline passes.
func (d *daemon) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, daemonReadyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(d.socket); err == nil {
			c, err := containerd.New(d.socket, containerd.WithTimeout(time.Second))
			if err == nil {
				_, verr := c.Version(ctx)
				c.Close()
				if verr == nil {
					return nil
				}
			}
		}
		select {
		case <-d.done:
			return fmt.Errorf("containerd exited at start: %s (log: %s)", strings.TrimSpace(d.stderr.String()), filepath.Join(d.dir, "containerd.log"))
		case <-ctx.Done():
			return fmt.Errorf("containerd did not serve %s within %s (log: %s)", d.socket, daemonReadyTimeout, filepath.Join(d.dir, "containerd.log"))
		case <-tick.C:
		}
	}
}

// stop asks containerd to exit (SIGTERM) and kills it after
// daemonStopTimeout. The containers' shims are not its children and
// outlive it; the agent stops its tasks first.
func (d *daemon) stop() error {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(daemonStopTimeout):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	_ = os.Remove(filepath.Join(d.dir, "containerd.pid"))
	return nil
}

// exited reports whether the containerd process has ended.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// kill ends containerd at once, as if virga had died.
func (d *daemon) kill() {
	_ = d.cmd.Process.Kill()
	<-d.done
}

// stopStale stops a containerd that a previous run started with this
// pid file and left running when it died.
func stopStale(pidFile string, log *slog.Logger) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil || filepath.Base(strings.TrimSuffix(exe, " (deleted)")) != "containerd" {
		return
	}
	log.Info("stopping containerd left by a previous run", "pid", pid)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(daemonStopTimeout)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// chooseSnapshotter picks overlayfs when containerd loaded it and an
// overlay mount works here, else native (a plain copy per layer).
// A forced snapshotter must be loaded.
func chooseSnapshotter(ctx context.Context, client *containerd.Client, d *daemon, force string) (string, error) {
	resp, err := client.IntrospectionService().Plugins(ctx, []string{`type=="io.containerd.snapshotter.v1"`})
	if err != nil {
		return "", fmt.Errorf("list containerd's snapshotters: %w", err)
	}
	ok := map[string]bool{}
	for _, p := range resp.Plugins {
		ok[p.ID] = p.InitErr == nil
	}
	if force != "" {
		if !ok[force] {
			return "", fmt.Errorf("containerd has no working %s snapshotter", force)
		}
		return force, nil
	}
	if ok["overlayfs"] && (d == nil || overlayMounts(d.dir)) {
		return "overlayfs", nil
	}
	if ok["native"] {
		return "native", nil
	}
	return "", errors.New("containerd has neither the overlayfs nor the native snapshotter")
}

// overlayMounts tries an overlay mount under dir: the overlayfs
// snapshotter loads on file systems where mounting then fails (an
// overlay upper directory on overlayfs, some user namespaces).
func overlayMounts(dir string) bool {
	p, err := os.MkdirTemp(dir, "overlay-probe-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(p)
	for _, s := range []string{"lower", "upper", "work", "merged"} {
		if err := os.Mkdir(filepath.Join(p, s), 0o700); err != nil {
			return false
		}
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", filepath.Join(p, "lower"), filepath.Join(p, "upper"), filepath.Join(p, "work"))
	if err := unix.Mount("overlay", filepath.Join(p, "merged"), "overlay", 0, opts); err != nil {
		return false
	}
	_ = unix.Unmount(filepath.Join(p, "merged"), 0)
	return true
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.b), []byte("\n"))
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return string(bytes.Join(lines, []byte("; ")))
}

// teeWriter writes to both; the file's errors do not stop the tail.
type teeWriter struct {
	f    *os.File
	tail *tailBuffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	_, _ = w.f.Write(p)
	return w.tail.Write(p)
}
