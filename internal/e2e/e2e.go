package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/ecs"
	"github.com/virga/virga/internal/store/sql/pgtest"
	"github.com/virga/virga/internal/testenv"
)

// Env is a running virga and clients configured for it.
type Env struct {
	App *app.App
	// Endpoint is virga's base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Config is an aws.Config for aws-sdk-go-v2 clients: BaseEndpoint set,
	// region us-east-1, credentials test:test.
	Config aws.Config
	// Clock is virga's clock, when the test asked for a fake one.
	Clock *clock.Fake
	// Cfg is the configuration virga runs with.
	Cfg config.Config
}

// Option changes how Start starts virga.
type Option func(*settings)

type settings struct {
	cfg        config.Config
	clock      *clock.Fake
	containers ecs.Runtime
}

// WithConfig lets a test change virga's configuration.
func WithConfig(f func(*config.Config)) Option {
	return func(s *settings) { f(&s.cfg) }
}

// WithFakeClock runs virga on a fake clock set to the current time, which
// the test moves with Env.Clock.
func WithFakeClock() Option {
	return func(s *settings) { s.clock = clock.NewFake(time.Now()) }
}

// WithContainerRuntime runs ECS tasks' containers through rt instead of
// a node agent.
func WithContainerRuntime(rt ecs.Runtime) Option {
	return func(s *settings) { s.containers = rt }
}

// StoreEnv names the environment variable that, set to "postgres", runs
// every virga that Start would keep in memory on a database of its own on
// a throwaway PostgreSQL server instead (see package pgtest; the tests'
// TestMain stops it).
const StoreEnv = "VIRGA_E2E_STORE"

// Start runs virga for the duration of the test.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	s := settings{cfg: config.Default()}
	s.cfg.Listen = "127.0.0.1:0"
	s.cfg.InMemory = true
	s.cfg.DataDir = ""
	// Each test's virga has its own X-Ray daemon port.
	s.cfg.XRayDaemon = "127.0.0.1:0"
	for _, o := range opts {
		o(&s)
	}
	if os.Getenv(StoreEnv) == "postgres" && s.cfg.InMemory {
		// A throwaway database stands in for the in-memory store.
		s.cfg.InMemory, s.cfg.DataDir, s.cfg.Store = false, t.TempDir(), pgtest.NewDatabase(t)
	}
	ao := app.Options{Logger: testLogger(t)}
	if s.clock != nil {
		ao.Clock = s.clock
	}
	ao.ContainerRuntime = s.containers
	a, err := app.New(s.cfg, ao)
	if err != nil {
		t.Fatalf("e2e: starting virga: %v", err)
	}
	if err := a.Start(); err != nil {
		t.Fatalf("e2e: starting virga: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("e2e: stopping virga: %v", err)
		}
	})
	endpoint := "http://" + a.Addr()
	return &Env{
		App:      a,
		Endpoint: endpoint,
		Config:   ClientConfig(endpoint, s.cfg.Region, "test", "test", ""),
		Clock:    s.clock,
		Cfg:      s.cfg,
	}
}

// Stop ends virga before the test does, as a restart on the same data
// directory needs (Start's own cleanup then finds it stopped).
func (e *Env) Stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.App.Shutdown(ctx); err != nil {
		t.Errorf("e2e: stopping virga: %v", err)
	}
}

// ClientConfig is an aws.Config for an SDK client of virga at endpoint
// with the given credentials.
func ClientConfig(endpoint, region, key, secret, token string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		// Tests assert on first answers; retries would hide them.
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: ReadOnlyBodies{Next: http.DefaultTransport}},
	}
}

// ReadOnlyBodies is an http.RoundTripper that hides every request body's
// methods but Read and Close from net/http, working around a client-side
// race between smithy-go and net/http: smithy-go's body reader answers
// WriteTo with io.EOF once the SDK has closed it, which the SDK does as
// soon as it has the response; when net/http's write loop is still making
// its last read of the body then (a fast server on a busy machine),
// net/http takes the io.EOF for a write error and closes the connection
// under the response being read ("use of closed network connection").
// Read returns (0, io.EOF) instead, which net/http expects. The race is
// the client's, whatever the server; tests and benchmarks avoid it so
// that they measure virga.
type ReadOnlyBodies struct{ Next http.RoundTripper }

// RoundTrip sends req with its body wrapped.
func (r ReadOnlyBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		return r.Next.RoundTrip(req)
	}
	shallow := *req // a RoundTripper must not change its request
	shallow.Body = struct{ io.ReadCloser }{req.Body}
	return r.Next.RoundTrip(&shallow)
}

// testLogger sends virga's logs to the test log when VIRGA_TEST_LOG is
// set, and nowhere otherwise.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("VIRGA_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// AWSCLI is the aws CLI the tests drive: Debian's awscli, which speaks the
// older protocol variants (awsQuery for SQS, for example).
const AWSCLI = "/usr/bin/aws"

// RequireTool requires the program at path, as testenv.Require does:
// a skip on a developer's machine, a failure under CI, where `make test`
// has installed every tool.
func RequireTool(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		testenv.Require(t, path+" is missing")
	}
}

// CLIResult is what one aws CLI run printed.
type CLIResult struct {
	Stdout, Stderr string
	ExitCode       int
}

// CLI runs the aws CLI against virga with credentials test:test and
// returns its output; it does not fail the test when the command fails.
func (e *Env) CLI(t testing.TB, args ...string) CLIResult {
	t.Helper()
	return e.CLIWith(t, map[string]string{}, args...)
}

// CLIWith runs the aws CLI with extra environment variables (such as
// other AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).
func (e *Env) CLIWith(t testing.TB, env map[string]string, args ...string) CLIResult {
	t.Helper()
	RequireTool(t, AWSCLI)
	home := t.TempDir()
	vars := map[string]string{
		"HOME":                        home,
		"PATH":                        os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_DEFAULT_REGION":          e.Cfg.Region,
		"AWS_CONFIG_FILE":             home + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": home + "/credentials",
		"AWS_PAGER":                   "",
		"AWS_MAX_ATTEMPTS":            "1",
	}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, AWSCLI, append([]string{"--endpoint-url", e.Endpoint, "--output", "json"}, args...)...)
	cmd.Env = nil
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := CLIResult{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running aws %v: %v", args, err)
		}
		res.ExitCode = ee.ExitCode()
	}
	return res
}
