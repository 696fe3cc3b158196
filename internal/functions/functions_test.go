package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/virga/virga/internal/functions/sandbox"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	// The test function (testdata/gofn) is built with aws-lambda-go; this
	// import keeps the module a requirement of the tests.
	_ "github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/virga/virga/internal/functions/runtimeapi"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/testenv"
)

// buildDir holds what the tests build once: the Go test function.
var (
	buildDir  string
	buildOnce sync.Once
	buildErr  error
	goFnPath  string
)

func TestMain(m *testing.M) {
	var err error
	buildDir, err = os.MkdirTemp("", "virga-functions-test-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(buildDir)
	os.Exit(code)
}

// goFunction builds testdata/gofn (static, linux) once and returns it.
func goFunction(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		goFnPath = filepath.Join(buildDir, "gofn")
		cmd := exec.Command("go", "build", "-o", goFnPath, "./testdata/gofn")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the test function: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return goFnPath
}

// memSink is a LogSink that keeps everything in memory.
type memSink struct {
	mu      sync.Mutex
	streams map[string]*memStream
}

type memStream struct {
	sink   *memSink
	group  string
	events []string
	closed bool
}

func (s *memSink) Stream(group, stream string) (LogStream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.streams == nil {
		s.streams = map[string]*memStream{}
	}
	st := &memStream{sink: s, group: group}
	s.streams[stream] = st
	return st, nil
}

func (st *memStream) Write(at time.Time, msg string) error {
	st.sink.mu.Lock()
	defer st.sink.mu.Unlock()
	st.events = append(st.events, msg)
	return nil
}

func (st *memStream) Close() error {
	st.sink.mu.Lock()
	defer st.sink.mu.Unlock()
	st.closed = true
	return nil
}

// waitFor polls the sink until some stream holds an event containing s,
// and returns that stream's events.
func (s *memSink) waitFor(t *testing.T, contains string) []string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		s.mu.Lock()
		for _, st := range s.streams {
			for _, ev := range st.events {
				if strings.Contains(ev, contains) {
					out := append([]string(nil), st.events...)
					s.mu.Unlock()
					return out
				}
			}
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no log event contains %q", contains)
	return nil
}

var testIDs = ids.New(nil)

// newPools makes a Manager for one test. VIRGA_TEST_PLAIN=1 runs the
// suite without sandboxes, as virga runs without root.
func newPools(t testing.TB, mutate func(*Options)) *Pools {
	t.Helper()
	opts := Options{WorkDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Plain: os.Getenv("VIRGA_TEST_PLAIN") == "1"}
	if mutate != nil {
		mutate(&opts)
	}
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

var keySeq atomic.Int64

// spec returns a Spec for a function named name with code in a fresh
// directory; files maps file names to contents (mode 0755 for
// "bootstrap").
func spec(t testing.TB, runtime, handler string, files map[string]string) *Spec {
	t.Helper()
	code := t.TempDir()
	for name, content := range files {
		path := filepath.Join(code, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		mode := os.FileMode(0o644)
		if name == "bootstrap" || strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	name := strings.NewReplacer("/", "-", "#", "-").Replace(t.Name())
	n := keySeq.Add(1)
	return &Spec{
		Key:          fmt.Sprintf("arn:aws:lambda:us-east-1:000000000000:function:%s:$LATEST#%d", name, n),
		FunctionName: name,
		Version:      "$LATEST",
		ARN:          "arn:aws:lambda:us-east-1:000000000000:function:" + name,
		Runtime:      runtime,
		Handler:      handler,
		CodeDir:      code,
		MemoryMB:     128,
		Timeout:      3 * time.Second,
		Concurrency:  10,
		Region:       "us-east-1",
		Endpoint:     "http://127.0.0.1:4566",
		Architecture: "x86_64",
		Env:          map[string]string{},
		Logs:         &memSink{},
	}
}

// goSpec is a provided.al2023 function whose bootstrap is the Go test
// function.
func goSpec(t testing.TB) *Spec {
	t.Helper()
	s := spec(t, "provided.al2023", "bootstrap", nil)
	if err := os.Link(goFunction(t), filepath.Join(s.CodeDir, "bootstrap")); err != nil {
		t.Fatal(err)
	}
	return s
}

func invoke(t testing.TB, m *Pools, s *Spec, payload string) *Result {
	t.Helper()
	res, err := m.Invoke(context.Background(), s, &Invocation{RequestID: testIDs.UUID(), Payload: []byte(payload), Tail: true})
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	return res
}

// errorOf decodes an error document.
func errorOf(t testing.TB, res *Result) (typ, msg string) {
	t.Helper()
	var doc struct{ ErrorType, ErrorMessage string }
	if err := json.Unmarshal(res.Payload, &doc); err != nil {
		t.Fatalf("error payload %q: %v", res.Payload, err)
	}
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError %q for %s", res.FunctionError, res.Payload)
	}
	return doc.ErrorType, doc.ErrorMessage
}

func TestGoEchoColdThenWarm(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	res := invoke(t, m, s, `{"hello":"world"}`)
	if string(res.Payload) != `{"hello":"world"}` || res.FunctionError != "" {
		t.Fatalf("payload %s %q", res.Payload, res.FunctionError)
	}
	if res.InitDuration <= 0 || res.MaxMemoryUsedMB <= 0 {
		t.Fatalf("cold start: init %v, memory %d MB", res.InitDuration, res.MaxMemoryUsedMB)
	}
	tail := string(res.LogTail)
	for _, want := range []string{"init: starting\n", "START RequestId: ", " Version: $LATEST\n", "END RequestId: ",
		"REPORT RequestId: ", "\tDuration: ", " ms\tBilled Duration: ", " ms\tMemory Size: 128 MB\tMax Memory Used: ", "\tInit Duration: "} {
		if !strings.Contains(tail, want) {
			t.Errorf("tail lacks %q:\n%s", want, tail)
		}
	}
	if strings.Index(tail, "init: starting") > strings.Index(tail, "START") {
		t.Errorf("init output after START:\n%s", tail)
	}
	if strings.Contains(tail, "INIT_START") {
		t.Errorf("the INIT_START line is in the tail:\n%s", tail)
	}
	// A cold start's Billed Duration counts its init, as Lambda's has
	// since August 2025.
	var billed int64
	if _, after, ok := strings.Cut(tail, "Billed Duration: "); !ok {
		t.Errorf("no Billed Duration in %s", tail)
	} else if fmt.Sscanf(after, "%d ms", &billed); time.Duration(billed)*time.Millisecond < res.InitDuration+res.Duration {
		t.Errorf("Billed Duration %d ms for an init of %v and a duration of %v", billed, res.InitDuration, res.Duration)
	}
	for i := 0; i < 3; i++ {
		res = invoke(t, m, s, `[1,2]`)
		if string(res.Payload) != `[1,2]` || res.InitDuration != 0 {
			t.Fatalf("warm invoke: %s, init %v", res.Payload, res.InitDuration)
		}
		if strings.Contains(string(res.LogTail), "Init Duration") || strings.Contains(string(res.LogTail), "init: starting") {
			t.Fatalf("warm tail: %s", res.LogTail)
		}
	}
	p, _ := m.poolFor(s)
	if live, idle := p.size(); live != 1 || idle != 1 {
		t.Fatalf("pool: %d live, %d idle", live, idle)
	}
	// The stream starts with the INIT_START line naming the runtime
	// version, then the init's output, then the START line.
	events := s.Logs.(*memSink).waitFor(t, "REPORT")
	initStart := "INIT_START Runtime Version: provided:al2023.v1\tRuntime Version ARN: " + RuntimeVersionARN(s.Region, s.Runtime) + "\n"
	if len(events) < 3 || events[0] != initStart || !strings.HasPrefix(events[1], "init: starting") || !strings.HasPrefix(events[2], "START RequestId: ") {
		t.Errorf("stream starts %q", events[:min(3, len(events))])
	}
}

func TestEnvironmentVariables(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.Env = map[string]string{"GREETING": "hi", "AWS_REGION": "eu-west-9", "TZ": "Europe/Paris"}
	s.Credentials = func(context.Context) (Credentials, error) {
		return Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}, nil
	}
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"action":"env"}`), TraceID: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Env         map[string]string
		RequestID   string
		Arn         string
		RemainingMs int64
		Pid         int
		Wd          string
		Gomaxprocs  int
	}
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("%v: %s", err, res.Payload)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        s.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + s.FunctionName,
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"_HANDLER":                        "bootstrap",
		"TZ":                              "Europe/Paris",
		"LANG":                            "en_US.UTF-8",
		"AWS_ACCESS_KEY_ID":               "ASIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":           "secret",
		"AWS_SESSION_TOKEN":               "token",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
		"GREETING":                        "hi",
		"_X_AMZN_TRACE_ID":                inv.TraceID,
	}
	sandboxed := strings.HasPrefix(m.Isolation(), "namespaces")
	if sandboxed {
		want["LAMBDA_TASK_ROOT"] = "/var/task"
		want["LAMBDA_RUNTIME_DIR"] = "/var/runtime"
		want["PATH"] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
		want["LD_LIBRARY_PATH"] = "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"
	}
	for k, v := range want {
		if out.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, out.Env[k], v)
		}
	}
	if _, ok := out.Env["AWS_EXECUTION_ENV"]; ok {
		t.Errorf("provided runtimes have no AWS_EXECUTION_ENV: %q", out.Env["AWS_EXECUTION_ENV"])
	}
	stream := out.Env["AWS_LAMBDA_LOG_STREAM_NAME"]
	if !strings.Contains(stream, "/[$LATEST]") || len(stream) != len("2006/01/02/[$LATEST]")+32 {
		t.Errorf("log stream name %q", stream)
	}
	if host, port, ok := strings.Cut(out.Env["AWS_LAMBDA_RUNTIME_API"], ":"); !ok || host != "127.0.0.1" || port == "" {
		t.Errorf("AWS_LAMBDA_RUNTIME_API %q", out.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	if out.RequestID != inv.RequestID || out.Arn != s.ARN || out.RemainingMs <= 0 || out.RemainingMs > 3000 {
		t.Errorf("context: %+v", out)
	}
	if sandboxed && (out.Pid != 1 || out.Wd != "/var/task") {
		t.Errorf("sandbox: pid %d, working directory %s", out.Pid, out.Wd)
	}
	// 128 MB is less than one vCPU: the function is bound to one CPU.
	if runtime.NumCPU() > 1 && out.Gomaxprocs != 1 {
		t.Errorf("GOMAXPROCS %d in a 128 MB function", out.Gomaxprocs)
	}
}

func TestGoFunctionErrors(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	typ, msg := errorOf(t, invoke(t, m, s, `{"action":"error"}`))
	if typ != "errorString" || msg != "handled failure" {
		t.Errorf("error: %s %s", typ, msg)
	}
	// A panic is reported by aws-lambda-go, which then exits; the next
	// invocation gets a fresh environment.
	res := invoke(t, m, s, `{"action":"panic"}`)
	if typ, msg := errorOf(t, res); msg != "boom" || !strings.Contains(string(res.Payload), "stackTrace") {
		t.Errorf("panic: %s %s %s", typ, msg, res.Payload)
	}
	res = invoke(t, m, s, `{"n":1}`)
	if string(res.Payload) != `{"n":1}` {
		t.Fatalf("after panic: %s", res.Payload)
	}
	// Exiting mid-invocation.
	res = invoke(t, m, s, `{"action":"exit"}`)
	typ, msg = errorOf(t, res)
	if typ != "Runtime.ExitError" || !strings.HasPrefix(msg, "RequestId: ") || !strings.HasSuffix(msg, " Error: Runtime exited with error: exit status 2") {
		t.Errorf("exit: %s %q", typ, msg)
	}
	if !strings.Contains(string(res.LogTail), "Runtime.ExitError") {
		t.Errorf("tail: %s", res.LogTail)
	}
	// The stream of the environment that died still gets the END and
	// REPORT lines of its last invocation, and is closed.
	id := strings.Fields(msg)[1]
	events := s.Logs.(*memSink).waitFor(t, "REPORT RequestId: "+id)
	if !strings.Contains(strings.Join(events, "\n"), "END RequestId: "+id) {
		t.Errorf("stream: %q", events)
	}
	res = invoke(t, m, s, `{"n":2}`)
	if string(res.Payload) != `{"n":2}` || res.InitDuration == 0 {
		t.Fatalf("after exit: %s, init %v", res.Payload, res.InitDuration)
	}
}

// TestRuntimeExitWithoutReason: a runtime that exits with status 0,
// during init or mid-invocation, fails the invocation with AWS's
// Runtime.ExitError "Runtime exited without providing a reason", not
// "exit status 0".
func TestRuntimeExitWithoutReason(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "python3")
	m := newPools(t, nil)
	for _, s := range []*Spec{
		spec(t, "provided.al2023", "x", map[string]string{"bootstrap": "#!/bin/sh\nexit 0\n"}),
		spec(t, "python3.12", "app.handler", map[string]string{"app.py": "import sys\ndef handler(event, context):\n    sys.exit(0)\n"}),
	} {
		res := invoke(t, m, s, `{}`)
		typ, msg := errorOf(t, res)
		if typ != "Runtime.ExitError" || !strings.HasPrefix(msg, "RequestId: ") || !strings.HasSuffix(msg, " Error: Runtime exited without providing a reason") {
			t.Errorf("%s: %s %q", s.Runtime, typ, msg)
		}
		if !strings.Contains(string(res.LogTail), "Error: Runtime exited without providing a reason\nRuntime.ExitError\n") {
			t.Errorf("%s: tail %s", s.Runtime, res.LogTail)
		}
		// A crash mid-invocation (Python's) ends the REPORT line with the
		// status, and so does one during the init retried within the
		// invocation (the shell's).
		if !strings.HasSuffix(string(res.LogTail), "\tStatus: error\tError Type: Runtime.ExitError\n") {
			t.Errorf("%s: REPORT in %s", s.Runtime, res.LogTail)
		}
	}
}

func TestInitFailures(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	// The runtime exits during init.
	s := goSpec(t)
	s.Env["INIT_EXIT"] = "1"
	res := invoke(t, m, s, `{}`)
	typ, msg := errorOf(t, res)
	if typ != "Runtime.ExitError" || !strings.HasSuffix(msg, "Error: Runtime exited with error: exit status 1") {
		t.Errorf("init exit: %s %q", typ, msg)
	}
	// Lambda retries the failed init within the invocation: the stream
	// has the init's output twice, an INIT_REPORT line for each phase,
	// and a REPORT line with the retry's time as its Duration, without
	// an Init Duration, ending with the status. The tail is the same
	// but INIT_START.
	if res.InitDuration != 0 || res.Duration <= 0 || strings.Count(string(res.LogTail), "init: giving up\n") != 2 {
		t.Errorf("init exit: init %v, duration %v, tail %s", res.InitDuration, res.Duration, res.LogTail)
	}
	id := strings.Fields(msg)[1]
	events := s.Logs.(*memSink).waitFor(t, "REPORT RequestId: "+id)
	want := []string{
		`INIT_START Runtime Version: provided:al2023\.v\d+\tRuntime Version ARN: \S+\n`,
		`init: starting\n`,
		`init: giving up\n`,
		`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n`,
		`init: starting\n`,
		`init: giving up\n`,
		`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError\n`,
		`START RequestId: ` + id + ` Version: \$LATEST\n`,
		`RequestId: ` + id + ` Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n`,
		`END RequestId: ` + id + `\n`,
		`REPORT RequestId: ` + id + `\tDuration: [1-9][\d.]* ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: error\tError Type: Runtime.ExitError\n`,
	}
	got := events
	if len(got) != len(want) {
		t.Fatalf("init exit stream: %q", events)
	}
	for i, w := range want {
		if !regexp.MustCompile("^" + w + "$").MatchString(got[i]) {
			t.Errorf("init exit stream event %d = %q, want %s", i, got[i], w)
		}
		if i > 0 && !strings.Contains(string(res.LogTail), got[i]) {
			t.Errorf("tail lacks %q: %s", got[i], res.LogTail)
		}
	}

	for _, c := range []struct {
		name   string
		mutate func(*Spec)
		want   string
	}{
		{"no bootstrap", func(s *Spec) { os.Remove(filepath.Join(s.CodeDir, "bootstrap")) },
			"Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"},
		{"not executable", func(s *Spec) {
			b, _ := os.ReadFile(filepath.Join(s.CodeDir, "bootstrap"))
			os.Remove(filepath.Join(s.CodeDir, "bootstrap")) // a hard link to the shared build: not chmod
			os.WriteFile(filepath.Join(s.CodeDir, "bootstrap"), b, 0o644)
		},
			"fork/exec /var/task/bootstrap: permission denied"},
		{"other architecture", func(s *Spec) { s.Architecture = "arm64" },
			"fork/exec /var/task/bootstrap: exec format error"},
		{"garbage", func(s *Spec) {
			os.Remove(filepath.Join(s.CodeDir, "bootstrap"))
			os.WriteFile(filepath.Join(s.CodeDir, "bootstrap"), []byte("\x7fELF\x02\x01\x01\x00garbage"), 0o755)
		}, "fork/exec /var/task/bootstrap: exec format error"},
		{"go1.x missing handler", func(s *Spec) { s.Runtime, s.Handler = "go1.x", "main" },
			"fork/exec /var/task/main: no such file or directory"},
	} {
		s := goSpec(t)
		c.mutate(s)
		res := invoke(t, m, s, `{}`)
		typ, msg := errorOf(t, res)
		if typ != "Runtime.InvalidEntrypoint" || !strings.HasSuffix(msg, "Error: "+c.want) || !strings.HasPrefix(msg, "RequestId: ") {
			t.Errorf("%s: %s %q", c.name, typ, msg)
		}
	}

	// go1.x runs the binary the handler names.
	s = goSpec(t)
	s.Runtime, s.Handler = "go1.x", "bootstrap"
	if res := invoke(t, m, s, `"go1.x"`); string(res.Payload) != `"go1.x"` {
		t.Errorf("go1.x: %s", res.Payload)
	}

	// Runtimes virga cannot run are API errors.
	s = goSpec(t)
	s.Runtime = "dotnet8"
	_, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "r"})
	var re *RuntimeError
	if !errors.As(err, &re) || re.Type != TypeInvalidRuntime || !strings.Contains(re.Message, "dotnet8") {
		t.Errorf("dotnet8: %v", err)
	}
	if err := m.CheckRuntime("dotnet8"); !errors.As(err, &re) || re.Reason != RuntimeNotYet {
		t.Errorf("dotnet8: %v", err)
	}
	if err := m.CheckRuntime("cobol1.x"); !errors.As(err, &re) || re.Reason != RuntimeUnknown {
		t.Errorf("cobol1.x: %v", err)
	}
	if err := m.CheckRuntime("provided.al2023"); err != nil {
		t.Error(err)
	}
}

func TestTimeoutThenHealthy(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.Timeout = time.Second
	invoke(t, m, s, `{}`) // warm up: the timeout must kill a warm environment
	res := invoke(t, m, s, `{"action":"sleep","ms":5000}`)
	var doc map[string]string
	json.Unmarshal(res.Payload, &doc)
	msg := doc["errorMessage"]
	if res.FunctionError != "Unhandled" || len(doc) != 1 || !strings.HasSuffix(msg, " Task timed out after 1.00 seconds") {
		t.Fatalf("timeout: %s", res.Payload)
	}
	if _, err := time.Parse(timeFormat, strings.Fields(msg)[0]); err != nil {
		t.Errorf("timeout message date: %q", msg)
	}
	if res.Duration < time.Second || res.Duration > 4*time.Second {
		t.Errorf("duration %v", res.Duration)
	}
	if !strings.Contains(string(res.LogTail), "Task timed out after 1.00 seconds") {
		t.Errorf("tail: %s", res.LogTail)
	}
	// Lambda's REPORT line of a timed-out invocation ends with its status.
	if !regexp.MustCompile(`\tMax Memory Used: \d+ MB\tStatus: timeout\n$`).Match(res.LogTail) {
		t.Errorf("timeout REPORT: %s", res.LogTail)
	}
	// The killed environment's peak memory is reported, not 0 MB.
	if res.MaxMemoryUsedMB <= 0 || strings.Contains(string(res.LogTail), "Max Memory Used: 0 MB") {
		t.Errorf("timeout: MaxMemoryUsedMB %d, tail %s", res.MaxMemoryUsedMB, res.LogTail)
	}
	res = invoke(t, m, s, `{"after":"timeout"}`)
	if string(res.Payload) != `{"after":"timeout"}` || res.InitDuration == 0 {
		t.Fatalf("after timeout: %s, init %v", res.Payload, res.InitDuration)
	}
}

// TestColdTimeoutReportsMemory: an environment whose first invocation
// times out reports its peak memory in REPORT, read before the kill ends
// the process (a plain process's /proc entry goes with it) and removes
// its cgroup, not 0 MB.
func TestColdTimeoutReportsMemory(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]func(*Options){"default": nil, "plain": func(o *Options) { o.Plain = true }} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newPools(t, opt)
			s := goSpec(t)
			s.Timeout = 500 * time.Millisecond
			res := invoke(t, m, s, `{"action":"sleep","ms":5000}`)
			if res.FunctionError != "Unhandled" || res.InitDuration == 0 {
				t.Fatalf("a cold invocation that times out: %s, init %v", res.Payload, res.InitDuration)
			}
			if res.MaxMemoryUsedMB <= 0 || strings.Contains(string(res.LogTail), "Max Memory Used: 0 MB") {
				t.Errorf("MaxMemoryUsedMB %d, tail %s", res.MaxMemoryUsedMB, res.LogTail)
			}
		})
	}
}

func TestOutOfMemoryThenHealthy(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	if !strings.Contains(m.Isolation(), "cgroup") {
		t.Skip("no cgroups here: " + m.Isolation())
	}
	s := goSpec(t)
	s.MemoryMB = 64
	// Before the kernel kills the function it reclaims what it can of the
	// cgroup's file pages, which on a loaded machine took over the default
	// 3 s now and then, and the invocation then timed out instead. The
	// timeout is not this test's subject; the kill is.
	s.Timeout = 30 * time.Second
	res := invoke(t, m, s, `{"action":"alloc","mb":200}`)
	typ, msg := errorOf(t, res)
	if typ != "Runtime.OutOfMemory" || !strings.HasSuffix(msg, "Error: Runtime exited with error: signal: killed") {
		t.Fatalf("oom: %s %q", typ, msg)
	}
	if res.MaxMemoryUsedMB < 60 || res.MaxMemoryUsedMB > 64 {
		t.Errorf("max memory used %d MB", res.MaxMemoryUsedMB)
	}
	res = invoke(t, m, s, `{"action":"alloc","mb":8}`)
	if string(res.Payload) != `{"allocated":8}` {
		t.Fatalf("after oom: %s", res.Payload)
	}
}

func TestScaleOutAndLimit(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.Concurrency = 20
	const n = 20
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]*Result, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = m.Invoke(context.Background(), s, &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"action":"sleep","ms":200}`)})
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i := range n {
		if errs[i] != nil || string(results[i].Payload) != `{"slept":200}` {
			t.Fatalf("invocation %d: %v %v", i, errs[i], results[i])
		}
	}
	// Serially the wave would take at least the sum of its invocations'
	// own times, cold starts included; a pool that scales out takes about
	// the longest of them. The sum, not a fixed 4 s, is the yardstick: on
	// a loaded machine every cold start stretches, and a fixed bound
	// failed there with the pool as wide as the wave.
	var serial time.Duration
	for _, r := range results {
		serial += r.InitDuration + r.Duration
	}
	if elapsed > serial/2 {
		t.Errorf("%d concurrent 200 ms invocations took %v; in series they take %v", n, elapsed, serial)
	}
	p, _ := m.poolFor(s)
	if live, idle := p.size(); live < 2 || live > n || idle != live {
		t.Errorf("pool: %d live, %d idle", live, idle)
	}
	// A second wave reuses warm environments.
	wg = sync.WaitGroup{}
	var cold atomic.Int32
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := m.Invoke(context.Background(), s, &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"action":"sleep","ms":100}`)})
			if err == nil && res.InitDuration > 0 {
				cold.Add(1)
			}
		}()
	}
	wg.Wait()
	if live, _ := p.size(); int(cold.Load()) > n-live+1 {
		t.Errorf("second wave: %d cold starts with %d warm environments", cold.Load(), live)
	}

	// At its limit, the pool refuses.
	s2 := goSpec(t)
	s2.Concurrency = 2
	var throttled atomic.Int32
	wg = sync.WaitGroup{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Invoke(context.Background(), s2, &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"action":"sleep","ms":500}`)})
			if errors.Is(err, ErrTooManyRequests) {
				throttled.Add(1)
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if throttled.Load() != 2 {
		t.Errorf("%d of 4 throttled at concurrency 2", throttled.Load())
	}
	// Throttled invocations are counted apart from those that ran (both
	// specs are versions of one function).
	if st := m.Stats(); len(st) != 1 || st[0].Throttles != uint64(throttled.Load()) || st[0].Invocations != 2*n+4-uint64(throttled.Load()) {
		t.Errorf("stats after throttling: %+v", st)
	}
}

func TestRetireAndReap(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	m := newPools(t, func(o *Options) { o.Clock = clk; o.IdleTimeout = time.Minute })
	s := goSpec(t)
	invoke(t, m, s, `{}`)
	p, _ := m.poolFor(s)
	var pid int
	for e := range p.all {
		pid = e.proc.(*sandbox.Process).Pid()
	}
	m.Retire(strings.Split(s.Key, "#")[0])
	waitGone(t, pid)
	sink := s.Logs.(*memSink)
	for deadline := time.Now().Add(20 * time.Second); ; {
		sink.mu.Lock()
		closed := len(sink.streams) == 1
		for _, st := range sink.streams {
			closed = closed && st.closed
		}
		sink.mu.Unlock()
		if closed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("log stream of the retired environment not closed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if res := invoke(t, m, s, `{}`); res.InitDuration == 0 {
		t.Error("invocation after Retire was warm")
	}

	// Idle past IdleTimeout: reaped, and the empty pool dropped.
	p, _ = m.poolFor(s)
	for e := range p.all {
		pid = e.proc.(*sandbox.Process).Pid()
	}
	clk.advance(30 * time.Second)
	m.reap()
	if live, _ := p.size(); live != 1 {
		t.Fatalf("reaped too early: %d live", live)
	}
	clk.advance(31 * time.Second)
	m.reap()
	waitGone(t, pid)
	m.mu.Lock()
	_, kept := m.pools[s.Key]
	m.mu.Unlock()
	if kept {
		t.Error("empty pool kept")
	}
	if res := invoke(t, m, s, `{}`); res.InitDuration == 0 {
		t.Error("invocation after reaping was warm")
	}
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			return
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if strings.Contains(string(b), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOutputCapAndLargeResponse(t *testing.T) {
	t.Parallel()
	m := newPools(t, func(o *Options) { o.MaxLogBytes = 64 << 10 })
	s := goSpec(t)
	res := invoke(t, m, s, `{"action":"print","lines":100000,"text":"some output"}`)
	if string(res.Payload) != `{"printed":100000}` {
		t.Fatalf("print: %s", res.Payload)
	}
	if len(res.LogTail) > tailBytes || !strings.Contains(string(res.LogTail), "some output 99999\nno newline at the end\nEND RequestId") {
		t.Errorf("tail (%d bytes): ...%s", len(res.LogTail), res.LogTail[max(0, len(res.LogTail)-300):])
	}
	events := s.Logs.(*memSink).waitFor(t, "REPORT")
	total := 0
	for _, ev := range events {
		total += len(ev)
	}
	if total > 80<<10 || !strings.Contains(strings.Join(events, "\n"), "the rest of it is not logged") {
		t.Errorf("%d bytes logged in %d events", total, len(events))
	}

	res = invoke(t, m, s, `{"action":"big","mb":7}`)
	typ, msg := errorOf(t, res)
	if typ != "Function.ResponseSizeTooLarge" || msg != "Response payload size exceeded maximum allowed payload size (6291556 bytes)." {
		t.Errorf("too large: %s %q", typ, msg)
	}
	if res := invoke(t, m, s, `"next"`); string(res.Payload) != `"next"` {
		t.Errorf("after too large: %s", res.Payload)
	}
}

// fakeClock is a clock the test moves; it starts at the real time so
// that deadlines handed to runtimes stay meaningful.
type fakeClock struct {
	mu  sync.Mutex
	off time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

func TestInitTimeoutAndLayerBootstrap(t *testing.T) {
	t.Parallel()
	m := newPools(t, func(o *Options) { o.InitTimeout = 300 * time.Millisecond })
	s := goSpec(t)
	s.Timeout = 200 * time.Millisecond
	s.Env["INIT_SLEEP_MS"] = "5000"
	res := invoke(t, m, s, `{}`)
	var doc map[string]string
	json.Unmarshal(res.Payload, &doc)
	// The init times out after the init phase's limit and is retried
	// within the invocation, where the function's timeout bounds it.
	if res.FunctionError != "Unhandled" || !strings.HasSuffix(doc["errorMessage"], "Task timed out after 0.20 seconds") {
		t.Fatalf("init timeout: %s", res.Payload)
	}
	id := strings.Fields(doc["errorMessage"])[1]
	var platform []string
	for _, ev := range s.Logs.(*memSink).waitFor(t, "REPORT RequestId: "+id) {
		if !strings.HasPrefix(ev, "INIT_START") && regexp.MustCompile(`^[A-Z_]+ `).MatchString(ev) {
			platform = append(platform, ev)
		}
	}
	want := []string{
		`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout\n`,
		`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: timeout\n`,
		`START RequestId: ` + id + ` Version: \$LATEST\n`,
		`END RequestId: ` + id + `\n`,
		`REPORT RequestId: ` + id + `\tDuration: [1-9][\d.]* ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: timeout\n`,
	}
	if len(platform) != len(want) {
		t.Fatalf("init timeout stream: %q", platform)
	}
	for i, w := range want {
		if !regexp.MustCompile("^" + w + "$").MatchString(platform[i]) {
			t.Errorf("init timeout stream event %d = %q, want %s", i, platform[i], w)
		}
	}

	// A retried init that succeeds is part of the invocation: its time
	// is in the Duration, not an Init Duration, and counts against the
	// function's timeout.
	s = goSpec(t)
	s.Timeout = 10 * time.Second
	s.Env["INIT_SLEEP_MS"] = "1000"
	res = invoke(t, m, s, `{"action":"env"}`)
	var env struct {
		RequestID   string
		RemainingMs int64
	}
	if err := json.Unmarshal(res.Payload, &env); err != nil || res.FunctionError != "" {
		t.Fatalf("slow init: %s", res.Payload)
	}
	if res.InitDuration != 0 || res.Duration < time.Second || env.RemainingMs > 9000 {
		t.Errorf("slow init: init %v, duration %v, %d ms left of the 10 s", res.InitDuration, res.Duration, env.RemainingMs)
	}
	platform = platform[:0]
	for _, ev := range s.Logs.(*memSink).waitFor(t, "REPORT RequestId: "+env.RequestID) {
		if !strings.HasPrefix(ev, "INIT_START") && regexp.MustCompile(`^[A-Z_]+ `).MatchString(ev) {
			platform = append(platform, ev)
		}
	}
	if len(platform) != 4 || !strings.Contains(platform[0], "Phase: init\tStatus: timeout") ||
		!regexp.MustCompile(`^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t\n$`).MatchString(platform[3]) {
		t.Errorf("slow init stream: %q", platform)
	}

	// A bootstrap from a layer, at /opt/bootstrap.
	layer := t.TempDir()
	if err := os.Link(goFunction(t), filepath.Join(layer, "bootstrap")); err != nil {
		t.Fatal(err)
	}
	s = spec(t, "provided.al2", "anything", map[string]string{"data.txt": "x"})
	s.LayerDirs = []string{layer}
	if res := invoke(t, m, s, `"layered"`); string(res.Payload) != `"layered"` {
		t.Errorf("layer bootstrap: %s", res.Payload)
	}
}

func TestPlainProcesses(t *testing.T) {
	t.Parallel()
	m := newPools(t, func(o *Options) { o.Plain = true })
	if m.Isolation() != "process" {
		t.Fatalf("isolation %q", m.Isolation())
	}
	s := goSpec(t)
	res := invoke(t, m, s, `{"action":"env"}`)
	var out struct {
		Env map[string]string
		Wd  string
	}
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("%v: %s", err, res.Payload)
	}
	if out.Env["LAMBDA_TASK_ROOT"] != s.CodeDir || out.Wd != s.CodeDir || out.Env["TMPDIR"] == "" {
		t.Errorf("task root %q, working directory %q, TMPDIR %q", out.Env["LAMBDA_TASK_ROOT"], out.Wd, out.Env["TMPDIR"])
	}
	if res := invoke(t, m, s, `{"action":"exit"}`); !strings.Contains(string(res.Payload), "Runtime.ExitError") {
		t.Errorf("exit: %s", res.Payload)
	}
	s.Timeout, s.Key = 300*time.Millisecond, s.Key+"/short"
	if res := invoke(t, m, s, `{"action":"sleep","ms":3000}`); !strings.Contains(string(res.Payload), "Task timed out after 0.30 seconds") {
		t.Errorf("timeout: %s", res.Payload)
	}
	if res := invoke(t, m, s, `"still fine"`); string(res.Payload) != `"still fine"` {
		t.Errorf("after timeout: %s", res.Payload)
	}
}

func TestCloseEndsBusyEnvironments(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.Timeout = 30 * time.Second
	done := make(chan *Result)
	go func() {
		res, _ := m.Invoke(context.Background(), s, &Invocation{RequestID: "long", Payload: []byte(`{"action":"sleep","ms":20000}`)})
		done <- res
	}()
	// Close once the invocation is in the runtime's hands: a cold start
	// on a loaded machine can take seconds.
	p, _ := m.poolFor(s)
	for deadline := time.Now().Add(30 * time.Second); ; {
		var envs []*environment
		p.mu.Lock()
		for e := range p.all {
			envs = append(envs, e)
		}
		p.mu.Unlock()
		invoking := false
		for _, e := range envs {
			invoking = invoking || e.api.State() == runtimeapi.StateInvoking
		}
		if invoking {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the invocation never reached the environment")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	m.Close()
	res := <-done
	if time.Since(start) > 5*time.Second || res == nil || !strings.Contains(string(res.Payload), "Runtime.ExitError") {
		t.Errorf("after Close: %v", res)
	}
	if _, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "x"}); err == nil {
		t.Error("Invoke after Close worked")
	}
}

// TestCloseDrainsLogs: Close returns only once every environment's log
// stream has its last lines and is closed, so that an app can close the
// store they are written to right after.
func TestCloseDrainsLogs(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	for range 3 {
		invoke(t, m, s, `{"hello":"world"}`)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	sink := s.Logs.(*memSink)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.streams) == 0 {
		t.Fatal("no log stream")
	}
	for name, st := range sink.streams {
		if !st.closed {
			t.Errorf("stream %s is still open after Close", name)
		}
		reports := 0
		for _, ev := range st.events {
			if strings.HasPrefix(ev, "REPORT RequestId: ") {
				reports++
			}
			if !strings.HasSuffix(ev, "\n") {
				t.Errorf("event %q does not end in a newline, as Lambda's do", ev)
			}
		}
		if reports != 3 {
			t.Errorf("stream %s has %d REPORT lines for 3 invocations", name, reports)
		}
	}
}

// TestMissingInterpreterMessage: a runtime whose interpreter is not
// there is InvalidRuntimeException, naming the interpreter, why it could
// not run, and the virga up flag that points at another.
func TestMissingInterpreterMessage(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "none")
	m := newPools(t, func(o *Options) { o.Java, o.Ruby = missing, missing })
	for runtime, want := range map[string]string{
		"java17":  "The runtime java17 cannot run on this host: java is not available (fork/exec " + missing + ": no such file or directory); install it (Debian package default-jdk-headless), or name one with virga up --java.",
		"ruby3.3": "The runtime ruby3.3 cannot run on this host: ruby is not available (fork/exec " + missing + ": no such file or directory); install it (Debian package ruby), or name one with virga up --ruby.",
	} {
		var re *RuntimeError
		if err := m.CheckRuntime(runtime); !errors.As(err, &re) || re.Type != TypeInvalidRuntime || re.Reason != RuntimeHostLacks || re.Message != want {
			t.Errorf("%s: %v\nwant %s", runtime, err, want)
		}
	}
}

func TestRuntimeVersionName(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"python3.12": "python:3.12.v1", "nodejs20.x": "nodejs:20.v1", "provided.al2023": "provided:al2023.v1",
		"provided": "provided.v1", "go1.x": "go:1.v1", "java8.al2": "java:8.al2.v1", "ruby3.3": "ruby:3.3.v1",
	} {
		if got := runtimeVersionName(id); got != want {
			t.Errorf("runtimeVersionName(%q) = %q, want %q", id, got, want)
		}
	}
}
