package main

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"github.com/virga/virga/internal/e2e"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// rieModule is AWS's Runtime Interface Emulator, the peer for
// Invoke and cold starts (../shared/tools/peers.md).
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// findRIE returns the path of aws-lambda-rie: on PATH, in Go's bin
// directory, or installed there now with `go install ...@latest`. It
// returns "" and a note saying why when there is none.
func findRIE(ctx context.Context) (path, note string) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, ""
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Sprintf("aws-lambda-rie is not on PATH and `go env` failed (%v)", err)
	}
	lines := strings.Split(string(out), "\n")
	bin := strings.TrimSpace(lines[0])
	if bin == "" && len(lines) > 1 {
		gopath, _, _ := strings.Cut(strings.TrimSpace(lines[1]), string(filepath.ListSeparator))
		bin = filepath.Join(gopath, "bin")
	}
	path = filepath.Join(bin, "aws-lambda-rie")
	if _, err := os.Stat(path); err == nil {
		return path, ""
	}
	fmt.Fprintf(os.Stderr, "  installing aws-lambda-rie: go install %s@latest\n", rieModule)
	cmd := exec.CommandContext(ctx, "go", "install", rieModule+"@latest")
	cmd.Dir = os.TempDir() // outside this module: @latest is resolved on its own
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Sprintf("aws-lambda-rie could not be installed (go install %s@latest: %v)", rieModule, err)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Sprintf("go install did not leave aws-lambda-rie at %s", path)
	}
	return path, ""
}

// rieVersion is the emulator's module version, read from the binary.
func rieVersion(path string) string {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "unknown version"
	}
	return bi.Main.Version
}

// rieProc is a running emulator.
type rieProc struct {
	endpoint string
	pid      int
	stop     func()
	stderr   *tailWriter
	exitedCh chan struct{}
}

// startRIE runs the emulator on free loopback ports with the echo
// function bin, in its default mode (mc 0) or with
// AWS_LAMBDA_MAX_CONCURRENCY=mc, and waits until an Invoke succeeds.
// The multi-concurrency mode ignores the bootstrap named on its command
// line and runs /var/task/bootstrap (or /var/runtime/bootstrap,
// /opt/bootstrap) with /var/task as its directory; the bench gives it a
// private /var holding task/bootstrap, a link to bin, so that nothing
// changes on the host and the same binary runs.
func startRIE(ctx context.Context, rie, bin, dir string, mc int) (*rieProc, error) {
	addrs, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	r, err := launchRIE(rie, bin, dir, mc, addrs)
	if err != nil {
		return r, err
	}
	c := newLambdaClient(r.endpoint, &http.Client{Timeout: lambdaCallTimeout})
	call := invokeCall(c, "function")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		err = call(ctx, nil)
		if err == nil {
			return r, nil
		}
		if r.exited() || time.Now().After(deadline) {
			return r, fmt.Errorf("no successful invoke: %v (emulator's stderr: %q)", err, r.stderr.String())
		}
	}
}

// launchRIE starts the emulator, its Invoke API on addrs[0] and its
// Runtime API on addrs[1], and returns at once.
func launchRIE(rie, bin, dir string, mc int, addrs []string) (*rieProc, error) {
	args := []string{
		"--runtime-interface-emulator-address", addrs[0],
		"--runtime-api-address", addrs[1],
		"--log-level", "error",
	}
	var cmd *exec.Cmd
	var err error
	if mc == 0 {
		cmd = exec.Command(rie, append(args, bin)...)
		cmd.Env = os.Environ()
	} else {
		varDir := filepath.Join(dir, "var")
		task := filepath.Join(varDir, "task")
		if err := os.MkdirAll(task, 0o755); err != nil {
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(task, "bootstrap")); err != nil {
			if err := os.Link(bin, filepath.Join(task, "bootstrap")); err != nil {
				return nil, err
			}
		}
		cmd, err = withPrivateVar(varDir, rie, args...)
		if err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, fmt.Sprintf("AWS_LAMBDA_MAX_CONCURRENCY=%d", mc))
	}
	cmd.Dir = dir
	r := &rieProc{endpoint: "http://" + addrs[0], stderr: &tailWriter{max: 2048}, exitedCh: make(chan struct{})}
	cmd.Stderr = r.stderr // its START/END/REPORT lines go to stdout, discarded
	inGroup(cmd)
	if err := startLasting(cmd); err != nil {
		return nil, err
	}
	r.pid = cmd.Process.Pid
	go func() { cmd.Wait(); close(r.exitedCh) }()
	r.stop = func() {
		syscall.Kill(-r.pid, syscall.SIGKILL) // the emulator and its runtime
		<-r.exitedCh
	}
	return r, nil
}

func (r *rieProc) exited() bool {
	select {
	case <-r.exitedCh:
		return true
	default:
		return false
	}
}

// rieColdStart starts a fresh emulator with the echo function and times
// it from the start of the process to the first successful Invoke,
// polling every millisecond as `loadgen startup` does; then it ends the
// emulator and its runtime.
func rieColdStart(ctx context.Context, rie, bin, dir string) (time.Duration, error) {
	addrs, err := freePorts(2)
	if err != nil {
		return 0, err
	}
	// The client is made before the clock starts; its probes dial anew
	// until the emulator listens.
	tr := newTransport(nil)
	defer tr.CloseIdleConnections()
	call := invokeCall(newLambdaClient("http://"+addrs[0], &http.Client{Transport: e2e.ReadOnlyBodies{Next: tr}, Timeout: lambdaCallTimeout}), "function")
	t0 := time.Now()
	r, err := launchRIE(rie, bin, dir, 0, addrs)
	if err != nil {
		return 0, err
	}
	defer r.stop()
	for {
		err := call(ctx, nil)
		if err == nil {
			return time.Since(t0), nil
		}
		if r.exited() || time.Since(t0) > 30*time.Second {
			return 0, fmt.Errorf("no successful invoke: %v (emulator's stderr: %q)", err, r.stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// freePorts returns n loopback addresses whose ports the kernel just
// handed out and took back: the emulator cannot be told port 0.
func freePorts(n int) ([]string, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if over := len(w.b) - w.max; over > 0 {
		w.b = append(w.b[:0], w.b[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
