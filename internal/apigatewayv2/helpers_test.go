package apigatewayv2

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
	testAccount  = "000000000000"
	testRegion   = "us-east-1"
	testFn       = "arn:aws:lambda:us-east-1:000000000000:function:echo"
	testAuthFn   = "arn:aws:lambda:us-east-1:000000000000:function:auth"
	testListener = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
)

// testEpoch is when the tests' fake clock starts.
var testEpoch = time.Date(2024, 3, 12, 19, 3, 58, 390e6, time.UTC)

// fakeFunctions stands for Lambda: each function answers with the
// function the test set for it (echoing the event in a 200 response by
// default), and every call is recorded.
type fakeFunctions struct {
	mu       sync.Mutex
	calls    []fakeCall
	handlers map[string]func(event map[string]any) ([]byte, string, error)
}

type fakeCall struct {
	function string
	event    map[string]any
}

func (f *fakeFunctions) InvokeSync(ctx context.Context, function string, payload []byte) ([]byte, string, error) {
	var event map[string]any
	if err := json.Unmarshal(payload, &event); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{function, event})
	h := f.handlers[function]
	f.mu.Unlock()
	if h == nil {
		body, _ := json.Marshal(string(payload))
		return []byte(`{"statusCode":200,"body":` + string(body) + `}`), "", nil
	}
	return h(event)
}

// set makes a function answer with h.
func (f *fakeFunctions) set(function string, h func(event map[string]any) ([]byte, string, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.handlers == nil {
		f.handlers = map[string]func(map[string]any) ([]byte, string, error){}
	}
	f.handlers[function] = h
}

// answer makes a function return a fixed payload.
func (f *fakeFunctions) answer(function, payload string) {
	f.set(function, func(map[string]any) ([]byte, string, error) { return []byte(payload), "", nil })
}

// callsTo returns the events a function got.
func (f *fakeFunctions) callsTo(function string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, c := range f.calls {
		if c.function == function {
			out = append(out, c.event)
		}
	}
	return out
}

// harness is the service over an in-memory (or on-disk) store, a fake
// clock and fake functions.
type harness struct {
	t     *testing.T
	s     *Service
	db    store.Store
	dir   string
	clock *clock.Fake
	fns   *fakeFunctions
	ctx   context.Context
	// listeners serves private integrations; nil serves none.
	listeners Listeners
}

func newHarness(t *testing.T, dir string) *harness {
	t.Helper()
	h := &harness{t: t, dir: dir, clock: clock.NewFake(testEpoch), fns: &fakeFunctions{}, ctx: context.Background()}
	h.open()
	t.Cleanup(func() { h.db.Close() })
	return h
}

func (h *harness) open() {
	h.t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{Dir: h.dir, InMemory: h.dir == ""})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.s, err = New(Deps{Store: db, Clock: h.clock, IDs: ids.New(nil), Account: testAccount, Region: testRegion, Functions: h.fns, Listeners: h.listeners})
	if err != nil {
		h.t.Fatal(err)
	}
}

// restart opens the service again on its store, as a new process would.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

// must takes a call's results and returns them to the test, which fails
// on an error: must(s.op(ctx, in))(t).
func must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantErr asserts an AWS error's code and that its message contains msg.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if e.Code != code || !strings.Contains(e.Message, msg) {
		t.Fatalf("error = %s: %q, want %s containing %q", e.Code, e.Message, code, msg)
	}
}

// quickAPI quick-creates an API with the echo function.
func (h *harness) quickAPI(routeKey string) string {
	h.t.Helper()
	in := &CreateApiRequest{Name: ptr("quick"), ProtocolType: ptr(ProtocolType("HTTP")), Target: ptr(testFn)}
	if routeKey != "" {
		in.RouteKey = &routeKey
	}
	return *must(h.s.createAPI(h.ctx, in))(h.t).ApiId
}

// api creates an API with an auto-deploying $default stage and no routes.
func (h *harness) api(cors *Cors) string {
	h.t.Helper()
	id := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("api"), ProtocolType: ptr(ProtocolType("HTTP")), CorsConfiguration: cors}))(h.t).ApiId
	must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &id, StageName: ptr("$default"), AutoDeploy: ptr(true)}))(h.t)
	return id
}

// lambdaIntegration adds a Lambda proxy integration.
func (h *harness) lambdaIntegration(api, fn, version string) string {
	h.t.Helper()
	out := must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api,
		IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: &fn, PayloadFormatVersion: &version}))(h.t)
	return *out.IntegrationId
}

// route adds a route to an integration.
func (h *harness) route(api, key, integration string) string {
	h.t.Helper()
	out := must(h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &api, RouteKey: &key, Target: ptr("integrations/" + integration)}))(h.t)
	return *out.RouteId
}

// reply is a data plane response.
type reply struct {
	status int
	header http.Header
	body   string
}

// json decodes the body.
func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// echoed is the event the default fake function echoed.
func (r reply) echoed(t *testing.T) map[string]any {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("HTTP %d %s, want the echoed event", r.status, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("echoed event %q: %v", r.body, err)
	}
	return m
}

// do sends a request to an API's data plane.
func (h *harness) do(api, method, target string, body io.Reader, header map[string]string) reply {
	h.t.Helper()
	req := httptest.NewRequest(method, target, body)
	req.Host = api + ".execute-api.localhost:4566"
	req.RemoteAddr = "192.0.2.10:50000"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	DataPlane(h.s, nil).ServeHTTP(rec, req)
	return reply{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}
