package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/config"
)

func onDisk(t *testing.T) config.Config {
	t.Helper()
	c := config.Default()
	c.Listen = "127.0.0.1:0"
	c.DataDir = t.TempDir()
	return c
}

func shutdown(t *testing.T, a *app.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	c := onDisk(t)
	c.Auth = "maybe"
	if _, err := app.New(c, app.Options{}); err == nil || !strings.Contains(err.Error(), "--auth") {
		t.Fatalf("New = %v, want the --auth error", err)
	}
	// Nothing was created in the data directory.
	if entries, _ := os.ReadDir(c.DataDir); len(entries) != 0 {
		t.Errorf("invalid config left %d entries in the data directory", len(entries))
	}
}

func TestDataDirIsLockedUntilShutdown(t *testing.T) {
	t.Parallel()
	c := onDisk(t)
	a, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = app.New(c, app.Options{})
	want := fmt.Sprintf("data directory %s is in use by process %d", c.DataDir, os.Getpid())
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second New on the same directory = %v, want %q", err, want)
	}
	shutdown(t, a)
	shutdown(t, a) // twice is fine
	b, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatalf("New after Shutdown: %v", err)
	}
	shutdown(t, b)
}

func TestStartOnBusyAddressReleasesTheStore(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	c := onDisk(t)
	c.Listen = busy.Addr().String()
	a, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err == nil || !strings.Contains(err.Error(), "listen on "+c.Listen) {
		t.Fatalf("Start on a busy address = %v", err)
	}
	c.Listen = "127.0.0.1:0"
	b, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatalf("New after a failed Start: %v (the store was not released)", err)
	}
	shutdown(t, b)
	// Shutdown of the App that failed to start is harmless.
	shutdown(t, a)
}

func TestRunStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	c := onDisk(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.Listen = ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, c, app.Options{}) }()

	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for up := false; !up; {
		if resp, err := client.Get("http://" + c.Listen + "/_virga/health"); err == nil {
			resp.Body.Close()
			up = resp.StatusCode == http.StatusOK
		}
		select {
		case err := <-done:
			t.Fatalf("Run returned before it was cancelled: %v", err)
		case <-deadline:
			t.Fatal("Run never became healthy")
		case <-tick.C:
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := client.Get("http://" + c.Listen + "/_virga/health"); err == nil {
		t.Error("still serving after Run returned")
	}
	b, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatalf("New after Run returned: %v", err)
	}
	shutdown(t, b)
}

func TestHandlerServesWithoutListener(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.InMemory, c.DataDir = true, ""
	fake := clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	a, err := app.New(c, app.Options{Clock: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, a)
	fake.Advance(42 * time.Second)
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_virga/health", nil))
	var h struct {
		Status        string
		Started       time.Time
		UptimeSeconds float64
		Store         string
		Services      []struct{ Name, Protocol string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
		t.Fatalf("%v\n%s", err, rec.Body)
	}
	// Each service once, by the name Service knows it by: the two API
	// Gateway and SES APIs share a signing name, not a name here.
	names := map[string]string{}
	for _, s := range h.Services {
		if p, dup := names[s.Name]; dup {
			t.Errorf("health lists %q twice (%s, %s)", s.Name, p, s.Protocol)
		}
		names[s.Name] = s.Protocol
	}
	for _, n := range []string{"apigateway", "apigatewayv2", "ses", "sesv2", "dynamodb", "sqs"} {
		if names[n] == "" {
			t.Errorf("health does not list %q: %v", n, names)
		}
		if a.Service(n) == nil {
			t.Errorf("health lists %q, which Service does not know", n)
		}
	}
	if rec.Code != 200 || h.Status != "ok" || h.UptimeSeconds != 42 || !h.Started.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("health: HTTP %d %+v", rec.Code, h)
	}
	if !strings.Contains(h.Store, "memory") {
		t.Errorf("store = %q for --in-memory", h.Store)
	}

	rec = httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15")))
	if rec.Code != 400 { // no Content-Type: not a form
		t.Errorf("POST without Content-Type: HTTP %d\n%s", rec.Code, rec.Body)
	}
}

func TestNewLogger(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format, level string
		wantJSON      bool
		debugShown    bool
	}{
		{"text", "info", false, false},
		{"json", "info", true, false},
		{"json", "debug", true, true},
		{"text", "error", false, false},
	} {
		c := config.Default()
		c.LogFormat, c.LogLevel = tc.format, tc.level
		var buf bytes.Buffer
		log, err := app.NewLogger(c, &buf)
		if err != nil {
			t.Fatal(err)
		}
		log.Debug("dbg")
		log.Error("boom", "k", "v")
		out := buf.String()
		if strings.Contains(out, "dbg") != tc.debugShown {
			t.Errorf("%s/%s: debug shown = %v\n%s", tc.format, tc.level, !tc.debugShown, out)
		}
		first, _, _ := strings.Cut(out, "\n")
		if json.Valid([]byte(first)) != tc.wantJSON {
			t.Errorf("%s/%s: JSON = %v: %q", tc.format, tc.level, !tc.wantJSON, first)
		}
	}
	c := config.Default()
	c.LogLevel = "loud"
	if _, err := app.NewLogger(c, &bytes.Buffer{}); err == nil {
		t.Error("NewLogger accepted log level loud")
	}
}

// TestNoContainerdWithoutContainers: virga up starts no containerd and
// writes nothing for containers until a task starts.
func TestNoContainerdWithoutContainers(t *testing.T) {
	t.Parallel()
	c := onDisk(t)
	a, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	shutdown(t, a)
	if _, err := os.Stat(c.DataDir + "/containerd"); !os.IsNotExist(err) {
		t.Errorf("DATA_DIR/containerd exists after a run without containers: %v", err)
	}
}

// TestPprofServesNamedProfiles: with --pprof, a named profile answers
// the profile itself (gzipped protobuf), not the index page.
func TestPprofServesNamedProfiles(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.InMemory, c.DataDir, c.Pprof = true, "", true
	a, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, a)
	for _, name := range []string{"heap", "goroutine", "allocs"} {
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_virga/debug/pprof/"+name, nil))
		if b := rec.Body.Bytes(); rec.Code != http.StatusOK || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s: %d %q, want a gzipped profile", name, rec.Code, b[:min(len(b), 40)])
		}
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_virga/debug/pprof/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "heap") {
		t.Errorf("index: %d %.80q", rec.Code, rec.Body.String())
	}
}
