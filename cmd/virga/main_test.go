package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// These tests run virga as a process, the way scripts outside the repo do:
// `virga up --listen 127.0.0.1:PORT --data-dir DIR`, then poll
// /_virga/health. The process is this test binary re-executed with
// runMainEnv set, which makes it run main() and nothing else: the same
// code as bin/virga, without a `go build` per test run.
const runMainEnv = "VIRGA_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// syncBuffer collects a process's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// proc is a running virga.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	exitCode       int
}

// start runs virga with args and extra environment variables; the
// environment is otherwise free of VIRGA_ settings.
func start(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = t.TempDir() // a stray ./.virga lands here, not in the source tree
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VIRGA_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, runMainEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			p.exitCode = ee.ExitCode()
		default:
			p.exitCode = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("virga %v stderr:\n%s", args, p.stderr.String())
		}
	})
	return p
}

// wait waits for the process to exit and returns its exit code (-1 when
// killed by a signal).
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.exitCode
	case <-time.After(timeout):
		t.Fatalf("virga did not exit within %v; stderr:\n%s", timeout, p.stderr.String())
		return 0
	}
}

func (p *proc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// run runs virga to completion and returns its exit code.
func run(t *testing.T, env map[string]string, args ...string) (*proc, int) {
	t.Helper()
	p := start(t, env, args...)
	return p, p.wait(t, 30*time.Second)
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitHealthy polls /_virga/health until it answers 200, failing if the
// process exits first or a deadline passes.
func waitHealthy(t *testing.T, p *proc, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get("http://" + addr + "/_virga/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("virga exited with %d before it was healthy; stderr:\n%s", p.exitCode, p.stderr.String())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("virga at %s not healthy after 30s (last error %v); stderr:\n%s", addr, err, p.stderr.String())
		}
	}
}

// info returns /_virga/info's configuration.
func info(t *testing.T, addr string) map[string]any {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/_virga/info")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Config map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Config
}

func stsAt(addr, region, key, secret, token string) *sts.Client {
	return sts.NewFromConfig(e2e.ClientConfig("http://"+addr, region, key, secret, token))
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestVersion(t *testing.T) {
	t.Parallel()
	p, code := run(t, nil, "version")
	if code != 0 || !regexp.MustCompile(`^virga \S+\n$`).MatchString(p.stdout.String()) {
		t.Errorf("virga version: exit %d, stdout %q, stderr %q", code, p.stdout.String(), p.stderr.String())
	}
}

func TestUpServesAndStopsCleanly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, p, addr)

	out, err := stsAt(addr, "us-east-1", "anything", "goes", "").GetCallerIdentity(context.Background(), nil)
	if err != nil || aws.ToString(out.Account) != "000000000000" {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "FORMAT")); err != nil {
		t.Errorf("data directory has no FORMAT file: %v", err)
	}

	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("after SIGTERM: exit %d, want 0; stderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopped") {
		t.Errorf("no 'stopped' log line after SIGTERM:\n%s", p.stderr.String())
	}

	// The store was closed cleanly: the same directory opens again, and
	// SIGINT stops virga as SIGTERM does.
	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir)
	waitHealthy(t, p2, addr2)
	p2.signal(t, os.Interrupt)
	if code := p2.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("after SIGINT: exit %d, want 0", code)
	}
}

func TestSecondUpOnSameDataDirFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freeAddr(t)
	first := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, first, addr)

	began := time.Now()
	second, code := run(t, nil, "up", "--listen", freeAddr(t), "--data-dir", dir)
	if code == 0 {
		t.Fatalf("second virga on %s exited 0", dir)
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("second virga took %v to give up; want at once", took)
	}
	want := fmt.Sprintf("data directory %s is in use by process %d", dir, first.cmd.Process.Pid)
	if stderr := second.stderr.String(); !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr, want)
	}
	// The first is unharmed.
	waitHealthy(t, first, addr)
	if _, err := stsAt(addr, "us-east-1", "test", "test", "").GetCallerIdentity(context.Background(), nil); err != nil {
		t.Errorf("first virga after the second tried: %v", err)
	}
}

func TestUpRefusesNewerDataFormat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "FORMAT"), []byte(`{"format":999}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p, code := run(t, nil, "up", "--listen", freeAddr(t), "--data-dir", dir)
	if code == 0 || !strings.Contains(p.stderr.String(), "newer virga") {
		t.Errorf("exit %d, stderr %q; want a refusal naming a newer virga", code, p.stderr.String())
	}
}

func TestEnvironmentAndFlags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		addr := freeAddr(t)
		p := start(t, map[string]string{
			"VIRGA_LISTEN":      addr,
			"VIRGA_DATA_DIR":    t.TempDir(),
			"VIRGA_AUTH":        "sigv4",
			"VIRGA_CREDENTIALS": "AKIDONE:secret-one,AKIDTWO:secret-two",
			"VIRGA_REGION":      "eu-west-1",
			"VIRGA_ACCOUNT_ID":  "123456789012",
			"VIRGA_LOG_FORMAT":  "json",
		}, "up")
		waitHealthy(t, p, addr)
		c := info(t, addr)
		if c["auth"] != "sigv4" || c["region"] != "eu-west-1" || c["accountId"] != "123456789012" || c["listen"] != addr || c["logFormat"] != "json" {
			t.Errorf("config = %v", c)
		}
		out, err := stsAt(addr, "eu-west-1", "AKIDTWO", "secret-two", "").GetCallerIdentity(ctx, nil)
		if err != nil || aws.ToString(out.Account) != "123456789012" {
			t.Errorf("AKIDTWO: %v", err)
		}
		if _, err := stsAt(addr, "eu-west-1", "test", "test", "").GetCallerIdentity(ctx, nil); errorCode(err) != "InvalidClientTokenId" {
			t.Errorf("test:test with VIRGA_CREDENTIALS set: %v, want InvalidClientTokenId", err)
		}
		// The log is JSON.
		first, _, _ := strings.Cut(p.stderr.String(), "\n")
		if !json.Valid([]byte(first)) {
			t.Errorf("VIRGA_LOG_FORMAT=json, but the log reads %q", first)
		}
	})

	t.Run("flags win", func(t *testing.T) {
		t.Parallel()
		addr := freeAddr(t)
		p := start(t, map[string]string{
			"VIRGA_LISTEN":      "127.0.0.1:1",
			"VIRGA_AUTH":        "sigv4",
			"VIRGA_DATA_DIR":    "/nonexistent/never/used",
			"VIRGA_CREDENTIALS": "AKIDENV:secret-env",
			"VIRGA_IN_MEMORY":   "false",
		}, "up", "--listen", addr, "--auth", "accept", "--in-memory", "--credentials", "AKIDFLAG:f1", "--credentials", "AKIDFLAG2:f2")
		waitHealthy(t, p, addr)
		c := info(t, addr)
		if c["auth"] != "accept" || c["listen"] != addr || c["inMemory"] != true {
			t.Errorf("config = %v", c)
		}
		creds, _ := json.Marshal(c["credentials"])
		if string(creds) != `[{"accessKeyId":"AKIDFLAG"},{"accessKeyId":"AKIDFLAG2"}]` {
			t.Errorf("credentials = %s, want the two from the flags", creds)
		}
	})
}

func TestInvalidSettings(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // not defer: the subtests run after this function returns
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"auth", nil, []string{"--auth", "bogus"}, `--auth "bogus": want accept, sigv4 or iam`},
		{"listen", nil, []string{"--listen", "nope"}, `--listen "nope"`},
		{"region", nil, []string{"--region", "Mars"}, `--region "Mars" is not an AWS region name`},
		{"account", nil, []string{"--account-id", "42"}, `--account-id "42" must be 12 digits`},
		{"credentials", nil, []string{"--credentials", "nocolon"}, "want ACCESS_KEY_ID:SECRET_ACCESS_KEY"},
		{"log level", nil, []string{"--log-level", "loud"}, `--log-level "loud"`},
		{"log format", nil, []string{"--log-format", "xml"}, `--log-format "xml"`},
		{"shutdown timeout", nil, []string{"--shutdown-timeout", "soon"}, `invalid argument "soon"`},
		{"unknown flag", nil, []string{"--bogus"}, "unknown flag: --bogus"},
		{"argument", nil, []string{"extra"}, `unknown command "extra"`},
		{"env bool", map[string]string{"VIRGA_IN_MEMORY": "maybe"}, nil, `VIRGA_IN_MEMORY="maybe"`},
		{"env duration", map[string]string{"VIRGA_SHUTDOWN_TIMEOUT": "soon"}, nil, `VIRGA_SHUTDOWN_TIMEOUT="soon"`},
		{"env auth", map[string]string{"VIRGA_AUTH": "none"}, nil, `--auth "none"`},
		{"env credentials", map[string]string{"VIRGA_CREDENTIALS": "a:b,broken"}, nil, `credentials for "broken"`},
		{"env no credentials for sigv4", map[string]string{"VIRGA_AUTH": "sigv4", "VIRGA_CREDENTIALS": ""}, nil, "credentials"},
		{"address in use", nil, []string{"--listen", busy.Addr().String()}, "listen on " + busy.Addr().String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"up", "--data-dir", dir}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), "--listen") {
				args = append(args, "--listen", "127.0.0.1:0")
			}
			p, code := run(t, tc.env, args...)
			stderr := p.stderr.String()
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("virga %v: exit %d, stderr %q; want exit 1 and %q", args[1:], code, stderr, tc.want)
			}
			if !strings.HasPrefix(stderr, "virga: ") && !strings.Contains(stderr, "\nvirga: ") {
				t.Errorf("error is not prefixed 'virga: ': %q", stderr)
			}
		})
	}
}

// TestAcknowledgedCredentialsSurviveKill9: temporary credentials STS
// handed out are on disk before the answer, so a SIGKILL right after
// loses nothing.
func TestAcknowledgedCredentialsSurviveKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir, "--auth", "sigv4")
	waitHealthy(t, p, addr)

	admin := stsAt(addr, "us-east-1", "test", "test", "")
	role, err := admin.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::000000000000:role/survivor"), RoleSessionName: aws.String("before-crash"),
	})
	if err != nil {
		t.Fatal(err)
	}
	session, err := admin.GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.signal(t, syscall.SIGKILL)
	if code := p.wait(t, 20*time.Second); code != -1 {
		t.Fatalf("after SIGKILL: exit %d", code)
	}

	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir, "--auth", "sigv4")
	waitHealthy(t, p2, addr2)
	rc := role.Credentials
	id, err := stsAt(addr2, "us-east-1", *rc.AccessKeyId, *rc.SecretAccessKey, *rc.SessionToken).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatalf("AssumeRole credentials after kill -9: %v", err)
	}
	if want := "arn:aws:sts::000000000000:assumed-role/survivor/before-crash"; aws.ToString(id.Arn) != want {
		t.Errorf("Arn = %q, want %q", aws.ToString(id.Arn), want)
	}
	sc := session.Credentials
	if _, err := stsAt(addr2, "us-east-1", *sc.AccessKeyId, *sc.SecretAccessKey, *sc.SessionToken).GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("GetSessionToken credentials after kill -9: %v", err)
	}
	if _, err := stsAt(addr2, "us-east-1", *rc.AccessKeyId, *rc.SecretAccessKey, "").GetCallerIdentity(ctx, nil); errorCode(err) != "InvalidClientTokenId" {
		t.Errorf("without the token after restart: %v, want InvalidClientTokenId", err)
	}
	if !strings.Contains(p2.stderr.String(), "virga is up") {
		t.Errorf("restart log:\n%s", p2.stderr.String())
	}
}
