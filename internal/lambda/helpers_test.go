package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

const (
	testAccount = "000000000000"
	testRegion  = "us-east-1"
	testRole    = "arn:aws:iam::000000000000:role/lambda-role"
)

// fakeManager stands in for package functions: it records what it is
// asked and answers with the test's handler (an echo by default).
type fakeManager struct {
	mu      sync.Mutex
	calls   []fakeCall
	retired []string
	// provisioned is what Provision last asked of each pool Key; the
	// fake reports it allocated at once.
	provisioned map[string]int
	// missing are the runtimes CheckRuntime reports the host cannot run.
	missing map[string]bool
	// python is the interpreter Python reports; "" is python3.
	python string
	// handle answers an invocation; nil echoes the payload.
	handle func(spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error)
}

type fakeCall struct {
	Spec *functions.Spec
	Inv  *functions.Invocation
}

func (m *fakeManager) Invoke(ctx context.Context, spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error) {
	m.mu.Lock()
	m.calls = append(m.calls, fakeCall{spec, inv})
	h := m.handle
	m.mu.Unlock()
	if h == nil {
		return &functions.Result{Payload: inv.Payload}, nil
	}
	return h(spec, inv)
}

func (m *fakeManager) CheckRuntime(runtime string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.missing[runtime] {
		return &functions.RuntimeError{Type: functions.TypeInvalidRuntime, Message: runtime + " is not installed on this host."}
	}
	return nil
}

func (m *fakeManager) Python() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.python == "" {
		return "python3", nil
	}
	return m.python, nil
}

func (m *fakeManager) Provision(spec *functions.Spec, n int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.provisioned == nil {
		m.provisioned = map[string]int{}
	}
	m.provisioned[spec.Key] = n
	return nil
}

func (m *fakeManager) Provisioned(key string) functions.Provisioning {
	m.mu.Lock()
	defer m.mu.Unlock()
	return functions.Provisioning{Allocated: m.provisioned[key]}
}

func (m *fakeManager) Retire(prefix string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retired = append(m.retired, prefix)
}

func (m *fakeManager) Close() error { return nil }

func (m *fakeManager) setHandler(h func(*functions.Spec, *functions.Invocation) (*functions.Result, error)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handle = h
}

func (m *fakeManager) invocations() []fakeCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]fakeCall(nil), m.calls...)
}

func (m *fakeManager) retirements() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.retired...)
}

var _ functions.Manager = (*fakeManager)(nil)

// fixture is a Lambda service over an in-memory store, a fake clock and a
// fake functions.Manager, driven through its operation table as the edge
// drives it.
type fixture struct {
	t       testing.TB
	svc     *Service
	api     *awsproto.Service
	clock   *clock.Fake
	db      store.Store
	fns     *fakeManager
	dataDir string
	roles   []string // role ARNs credentials were asked for
	rolesMu sync.Mutex
}

type fixtureOption func(*Deps)

func withAccountConcurrency(n int) fixtureOption { return func(d *Deps) { d.AccountConcurrency = n } }

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, db: db, clock: clock.NewFake(time.Date(2024, 3, 4, 5, 6, 7, 890e6, time.UTC)), fns: &fakeManager{}, dataDir: t.TempDir()}
	f.start(opts...)
	return f
}

// start builds the service over f's store and data directory.
func (f *fixture) start(opts ...fixtureOption) {
	f.t.Helper()
	d := Deps{
		Store: f.db, Clock: f.clock, IDs: ids.New(nil), Account: testAccount, Region: testRegion,
		Endpoint: func() string { return "http://127.0.0.1:4566" }, DataDir: f.dataDir, Functions: f.fns,
		Roles: RoleCredentialsFunc(func(ctx context.Context, role, session string) (functions.Credentials, error) {
			f.rolesMu.Lock()
			f.roles = append(f.roles, role+" "+session)
			f.rolesMu.Unlock()
			return functions.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "secret", SessionToken: "token"}, nil
		}),
	}
	for _, o := range opts {
		o(&d)
	}
	svc, err := New(d)
	if err != nil {
		f.t.Fatal(err)
	}
	f.svc, f.api = svc, svc.API()
}

// response is one HTTP response of the service.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body into v.
func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v):\n%s", err, r.Body)
	}
}

// errorCode returns the X-Amzn-ErrorType and the message of an error.
func (r response) errorCode(t testing.TB) (string, string) {
	t.Helper()
	var body struct{ Type, Message string }
	r.json(t, &body)
	return r.Header.Get("X-Amzn-ErrorType"), body.Message
}

// do sends one request. body is JSON-encoded unless it is []byte.
func (f *fixture) do(method, target string, body any, headers ...string) response {
	f.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			f.t.Fatal(err)
		}
	}
	r := httptest.NewRequest(method, target, bytes.NewReader(raw))
	r.Host = "localhost.test:4566"
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	c := awsproto.NewCall(r, "11111111-2222-4333-8444-555555555555", f.clock.Now())
	c.Body = raw
	c.TraceID = "Root=1-5e1b4151-5ac6c58f3fae3d5d6c8a0c8c"
	w := httptest.NewRecorder()
	f.api.Serve(c, w)
	res := w.Result()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// ok sends a request that must succeed with the given status and decodes
// its body into v (unless v is nil).
func (f *fixture) ok(status int, v any, method, target string, body any, headers ...string) response {
	f.t.Helper()
	r := f.do(method, target, body, headers...)
	if r.Status != status {
		f.t.Fatalf("%s %s: HTTP %d, want %d\n%s", method, target, r.Status, status, r.Body)
	}
	if v != nil {
		r.json(f.t, v)
	}
	return r
}

// fails sends a request that must fail with the given code and status,
// and returns the message.
func (f *fixture) fails(code string, status int, method, target string, body any, headers ...string) string {
	f.t.Helper()
	r := f.do(method, target, body, headers...)
	if r.Status != status && !(status == 0 && r.Status >= 400) {
		f.t.Fatalf("%s %s: HTTP %d, want %d (%s)\n%s", method, target, r.Status, status, code, r.Body)
	}
	got, msg := r.errorCode(f.t)
	if code == "" && status == 0 && r.Status >= 400 {
		return msg // any error will do
	}
	if got != code {
		f.t.Fatalf("%s %s: error %s (%s), want %s", method, target, got, msg, code)
	}
	return msg
}

// zf is one entry of a test zip: a file (mode 0644 unless given), a
// directory (fs.ModeDir) or a symbolic link (fs.ModeSymlink, body is its
// target).
type zf struct {
	name string
	body string
	mode fs.FileMode
}

func makeZip(t testing.TB, files ...zf) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bootstrapZip is a package with an executable bootstrap, for provided
// runtimes.
func bootstrapZip(t testing.TB, extra ...zf) []byte {
	return makeZip(t, append([]zf{{name: "bootstrap", body: "#!/bin/sh\necho hi\n", mode: 0o755}}, extra...)...)
}

// createBody is a CreateFunction request for a provided.al2023 function.
func createBody(name string, zip []byte, more ...any) map[string]any {
	b := map[string]any{
		"FunctionName": name,
		"Runtime":      "provided.al2023",
		"Role":         testRole,
		"Handler":      "bootstrap",
		"Code":         map[string]any{"ZipFile": base64.StdEncoding.EncodeToString(zip)},
	}
	for i := 0; i+1 < len(more); i += 2 {
		b[more[i].(string)] = more[i+1]
	}
	return b
}

// create makes a function and returns its configuration.
func (f *fixture) create(name string, more ...any) functionConfig {
	f.t.Helper()
	var out functionConfig
	f.ok(201, &out, "POST", "/2015-03-31/functions", createBody(name, bootstrapZip(f.t), more...))
	return out
}

// revision returns the RevisionId GetFunctionConfiguration reports for
// name (a function, perhaps qualified).
func (f *fixture) revision(name string) string {
	f.t.Helper()
	var out functionConfig
	f.ok(200, &out, "GET", "/2015-03-31/functions/"+name+"/configuration", nil)
	return out.RevisionId
}

// functionConfig is the part of FunctionConfiguration tests read.
type functionConfig struct {
	FunctionName, FunctionArn, Runtime, Role, Handler, Description string
	CodeSize                                                       int64
	CodeSha256, Version, RevisionId, LastModified                  string
	Timeout, MemorySize                                            int
	State, StateReason, StateReasonCode                            string
	LastUpdateStatus, LastUpdateStatusReason                       string
	LastUpdateStatusReasonCode, PackageType                        string
	Architectures                                                  []string
	EphemeralStorage                                               struct{ Size int }
	Environment                                                    *struct{ Variables map[string]string }
	Layers                                                         []struct {
		Arn      string
		CodeSize int64
	}
	TracingConfig struct{ Mode string }
	LoggingConfig struct{ LogFormat, LogGroup, ApplicationLogLevel, SystemLogLevel string }
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
