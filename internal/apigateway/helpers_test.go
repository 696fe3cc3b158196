package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

const (
	testAccount = "000000000000"
	testRegion  = "us-east-1"
	testFn      = "arn:aws:lambda:us-east-1:000000000000:function:echo"
	testURI     = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + testFn + "/invocations"
)

var testEpoch = time.Date(2024, 6, 3, 10, 0, 30, 0, time.UTC)

// fakeFunctions stands in for Lambda: it records the events it is given
// and answers with the test's handler for the function.
type fakeFunctions struct {
	mu     sync.Mutex
	calls  map[string][][]byte
	handle map[string]func(ctx context.Context, payload []byte) ([]byte, string, error)
}

func (f *fakeFunctions) InvokeSync(ctx context.Context, fn string, payload []byte) ([]byte, string, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string][][]byte{}
	}
	f.calls[fn] = append(f.calls[fn], payload)
	h := f.handle[fn]
	f.mu.Unlock()
	if h == nil {
		return nil, "", errors.New("Function not found: " + fn)
	}
	return h(ctx, payload)
}

func (f *fakeFunctions) on(fn string, h func(ctx context.Context, payload []byte) ([]byte, string, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.handle == nil {
		f.handle = map[string]func(context.Context, []byte) ([]byte, string, error){}
	}
	f.handle[fn] = h
}

// answer makes fn answer every event with out.
func (f *fakeFunctions) answer(fn, out string) {
	f.on(fn, func(context.Context, []byte) ([]byte, string, error) { return []byte(out), "", nil })
}

func (f *fakeFunctions) count(fn string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[fn])
}

func (f *fakeFunctions) last(t *testing.T, fn string) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := f.calls[fn]
	if len(calls) == 0 {
		t.Fatalf("%s was not invoked", fn)
	}
	var ev map[string]any
	if err := json.Unmarshal(calls[len(calls)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

type env struct {
	t     *testing.T
	s     *Service
	db    store.Store
	clock *clock.Fake
	fns   *fakeFunctions
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, clock: clock.NewFake(testEpoch), fns: &fakeFunctions{}}
	e.s = e.restart()
	return e
}

// restart builds a new Service over the same store, as after a restart.
func (e *env) restart() *Service {
	e.t.Helper()
	s, err := New(Deps{Store: e.db, Clock: e.clock, IDs: ids.New(nil), Account: testAccount, Region: testRegion, Functions: e.fns})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantErr checks an operation's error code and, when msg is not empty,
// its message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	e := apierr.As(err)
	if e == nil || e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

var ctx = context.Background()

// api builds an API with the given methods: path → verb → integration.
// Paths are created with their parents; it returns the API's id.
func (e *env) api(methods map[string]map[string]*integration) string {
	e.t.Helper()
	a := must[*RestApi](e.t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("test")}))
	_, err := editDefinition(e.s, a.Id, func(d *restAPI) (*noOutput, error) {
		for path, verbs := range methods {
			r, err := e.s.ensurePath(d, path)
			if err != nil {
				return nil, err
			}
			for verb, ig := range verbs {
				if r.Methods == nil {
					r.Methods = map[string]*method{}
				}
				c := *ig
				if err := checkIntegration(&c); err != nil {
					return nil, err
				}
				r.Methods[verb] = &method{HTTPMethod: verb, AuthorizationType: "NONE", Integration: &c}
			}
		}
		return nil, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return *a.Id
}

// deploy deploys the API to a stage with the given variables.
func (e *env) deploy(apiID, stage string, vars map[string]string) {
	e.t.Helper()
	must[*Deployment](e.t)(e.s.createDeployment(ctx, &CreateDeploymentRequest{RestApiId: &apiID, StageName: &stage, Variables: vars}))
}

// response is a data plane answer.
type response struct {
	status int
	header http.Header
	body   string
}

// call sends a request to an API's data plane.
func (e *env) call(apiID, method, path, body string, header map[string]string) response {
	e.t.Helper()
	h := e.s.Handler(apiID)
	if h == nil {
		e.t.Fatalf("no data plane for %s", apiID)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://"+apiID+".execute-api.localhost:4566"+path, rd)
	req.RemoteAddr = "192.0.2.7:51234"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return response{status: w.Code, header: w.Header(), body: w.Body.String()}
}

func (r response) want(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status || (body != "" && r.body != body) {
		t.Fatalf("HTTP %d %s, want HTTP %d %s", r.status, r.body, status, body)
	}
}

// lambdaIntegration is an AWS_PROXY integration of testFn.
func lambdaIntegration() *integration {
	return &integration{Type: "AWS_PROXY", HTTPMethod: "POST", URI: testURI}
}
