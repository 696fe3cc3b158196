package edge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/ids"
)

const testTarget = "Test_20200101"

// The test service's shapes.
type (
	echoInput struct {
		Name *string `aws:"required,min=2"`
	}
	echoOutput struct {
		Greeting *string
	}
	emptyInput  struct{}
	emptyOutput struct{}
	reason      struct {
		Code    *string
		Message *string
	}
	cancelDetails struct {
		CancellationReasons []reason
	}
)

var errCancelled = apierr.New("TransactionCanceledException", 400, "Transaction cancelled, please refer cancellation reasons for specific reasons")

// testService is an awsJson 1.0 service whose operations misbehave in
// each of the ways the edge must contain.
func testService() *awsproto.Service {
	return (&awsproto.Service{
		Name:         "test",
		Protocol:     awsjson.New("1.0", testTarget),
		MaxBodyBytes: 1024,
		Operations: []awsproto.Operation{
			{Name: "Echo", Handler: awsproto.Handle(func(_ context.Context, in *echoInput) (*echoOutput, error) {
				g := "hello " + *in.Name
				return &echoOutput{Greeting: &g}, nil
			})},
			{Name: "Panic", Handler: awsproto.Handle(func(context.Context, *emptyInput) (*emptyOutput, error) {
				panic("kaboom")
			})},
			{Name: "Abort", Handler: awsproto.Handle(func(context.Context, *emptyInput) (*emptyOutput, error) {
				panic(http.ErrAbortHandler)
			})},
			{Name: "Fail", Handler: awsproto.Handle(func(context.Context, *emptyInput) (*emptyOutput, error) {
				return nil, errors.New("disk on fire")
			})},
			{Name: "Wrapped", Handler: awsproto.Handle(func(context.Context, *emptyInput) (*emptyOutput, error) {
				return nil, errors.Join(errors.New("context"), errCancelled.WithMessage("wrapped"))
			})},
			{Name: "Detailed", Handler: awsproto.Handle(func(context.Context, *emptyInput) (*emptyOutput, error) {
				return nil, errCancelled.WithDetails(&cancelDetails{CancellationReasons: []reason{
					{Code: aws.String("ConditionalCheckFailed"), Message: aws.String("The conditional request failed")},
					{Code: aws.String("None")},
				}})
			})},
		},
	}).Init()
}

// syncBuffer is a log sink the edge writes to from server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log records written so far.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// record returns the log record with the given message and request id.
func (b *syncBuffer) record(t *testing.T, msg, requestID string) map[string]any {
	t.Helper()
	for _, r := range b.records(t) {
		if r["msg"] == msg && r["requestId"] == requestID {
			return r
		}
	}
	t.Fatalf("no %q log record for request %s in:\n%s", msg, requestID, b.String())
	return nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// stepClock advances by step every time it is read, so that the request
// log's latency (two readings) is exactly step.
type stepClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// credentialSource is a CredentialSource over a map, standing in for STS.
type credentialSource map[string]awsproto.Credential

func (s credentialSource) LookupCredential(id string) (*awsproto.Credential, error) {
	if c, ok := s[id]; ok {
		return &c, nil
	}
	return nil, nil
}

type fixture struct {
	srv   *httptest.Server
	logs  *syncBuffer
	clock *stepClock
}

func newFixture(t *testing.T, verify bool, mutate func(*Options)) *fixture {
	t.Helper()
	logs := &syncBuffer{}
	clk := &stepClock{now: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), step: 250 * time.Millisecond}
	o := Options{
		Services: []*awsproto.Service{testService()},
		Auth: &Authenticator{
			Verify:  verify,
			Static:  map[string]awsproto.Credential{"AKIDSTATIC": {AccessKeyID: "AKIDSTATIC", SecretAccessKey: "static-secret"}},
			Account: "000000000000",
			Clock:   clk,
		},
		Region: "us-east-1",
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:  clk,
		IDs:    ids.New(nil),
	}
	if mutate != nil {
		mutate(&o)
	}
	srv := httptest.NewServer(New(o))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, logs: logs, clock: clk}
}

type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// call invokes an operation of the test service.
func (f *fixture) call(t *testing.T, op, body string, hdr map[string]string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	if op != "" {
		req.Header.Set("X-Amz-Target", testTarget+"."+op)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", req.Header.Get("X-Amz-Target"), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("body: %v\n%s", err, raw)
		}
	}
	return r
}

func (r result) wantError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.body["__type"] != code {
		t.Fatalf("HTTP %d %s, want HTTP %d %s\n%s", r.status, r.body["__type"], status, code, r.raw)
	}
	if got := r.header.Get("X-Amzn-ErrorType"); got != code {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type = %q", ct)
	}
	if r.header.Get("X-Amzn-Requestid") == "" {
		t.Error("no x-amzn-RequestId")
	}
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEchoAndRequestLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, nil)
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	r := f.call(t, "Echo", `{"Name":"virga"}`, map[string]string{"X-Amzn-Trace-Id": "Root=" + root + ";Sampled=0"})
	if r.status != 200 || r.body["Greeting"] != "hello virga" {
		t.Fatalf("HTTP %d\n%s", r.status, r.raw)
	}
	id := r.header.Get("X-Amzn-Requestid")
	if !uuidRe.MatchString(id) {
		t.Errorf("x-amzn-RequestId %q is not a UUID", id)
	}
	if got := r.header.Get("X-Amz-Request-Id"); got != id {
		t.Errorf("x-amz-request-id = %q, want %q", got, id)
	}

	rec := f.logs.record(t, "request", id)
	want := map[string]any{
		"level": "INFO", "service": "test", "operation": "Echo", "status": float64(200),
		"latency": float64(250 * time.Millisecond),
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("log %s = %v, want %v", k, rec[k], v)
		}
	}
	trace, _ := rec["traceId"].(string)
	if !regexp.MustCompile(`^Root=` + root + `;Parent=[0-9a-f]{16};Sampled=0$`).MatchString(trace) {
		t.Errorf("log traceId = %q: want the caller's Root and Sampled with a new Parent", trace)
	}
	if _, ok := rec["error"]; ok {
		t.Errorf("successful request logged with error %v", rec["error"])
	}

	// A second request has its own id and, without a trace header, a new
	// trace.
	r2 := f.call(t, "Echo", `{"Name":"again"}`, nil)
	id2 := r2.header.Get("X-Amzn-Requestid")
	if id2 == id || id2 == "" {
		t.Errorf("second request id %q (first %q)", id2, id)
	}
	trace2, _ := f.logs.record(t, "request", id2)["traceId"].(string)
	if !traceRe.MatchString(trace2) || strings.Contains(trace2, root) {
		t.Errorf("second traceId = %q", trace2)
	}
}

func TestPanicBecomesInternalFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, nil)
	r := f.call(t, "Panic", `{}`, nil)
	r.wantError(t, http.StatusInternalServerError, "InternalFailure")
	if r.body["message"] != apierr.ErrInternal.Message {
		t.Errorf("message = %v", r.body["message"])
	}
	if strings.Contains(string(r.raw), "kaboom") {
		t.Errorf("the panic value reached the client: %s", r.raw)
	}
	id := r.header.Get("X-Amzn-Requestid")
	p := f.logs.record(t, "panic serving request", id)
	if p["level"] != "ERROR" || !strings.Contains(p["panic"].(string), "kaboom") || p["stack"] == "" || p["service"] != "test" {
		t.Errorf("panic log record = %v", p)
	}
	req := f.logs.record(t, "request", id)
	if req["level"] != "ERROR" || req["status"] != float64(500) || req["error"] != "InternalFailure" || req["operation"] != "Panic" {
		t.Errorf("request log record = %v", req)
	}

	// The edge keeps serving, on the same connection too.
	for i := 0; i < 3; i++ {
		if r := f.call(t, "Echo", `{"Name":"after"}`, nil); r.status != 200 {
			t.Fatalf("after the panic: HTTP %d\n%s", r.status, r.raw)
		}
	}
}

// TestAbortHandlerIsNotRecovered checks that http.ErrAbortHandler, the
// deliberate way to cut a response short, still aborts the connection.
func TestAbortHandlerIsNotRecovered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, nil)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", testTarget+".Abort")
	if resp, err := f.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("HTTP %d, want the connection aborted", resp.StatusCode)
	}
	if r := f.call(t, "Echo", `{"Name":"after"}`, nil); r.status != 200 {
		t.Fatalf("after the abort: HTTP %d", r.status)
	}
}

func TestNonAPIErrorBecomesInternalFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, nil)
	r := f.call(t, "Fail", `{}`, nil)
	r.wantError(t, http.StatusInternalServerError, "InternalFailure")
	if strings.Contains(string(r.raw), "disk on fire") {
		t.Errorf("the internal error reached the client: %s", r.raw)
	}
	rec := f.logs.record(t, "request", r.header.Get("X-Amzn-Requestid"))
	if rec["level"] != "ERROR" || rec["cause"] != "disk on fire" || rec["error"] != "InternalFailure" {
		t.Errorf("request log record = %v", rec)
	}
}

func TestAPIErrorsAreRendered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, nil)

	r := f.call(t, "Detailed", `{}`, nil)
	r.wantError(t, http.StatusBadRequest, "TransactionCanceledException")
	if r.body["message"] != errCancelled.Message {
		t.Errorf("message = %v", r.body["message"])
	}
	reasons, _ := r.body["CancellationReasons"].([]any)
	if len(reasons) != 2 {
		t.Fatalf("CancellationReasons = %v in %s", r.body["CancellationReasons"], r.raw)
	}
	first, _ := reasons[0].(map[string]any)
	if first["Code"] != "ConditionalCheckFailed" || first["Message"] != "The conditional request failed" {
		t.Errorf("CancellationReasons[0] = %v", reasons[0])
	}
	rec := f.logs.record(t, "request", r.header.Get("X-Amzn-Requestid"))
	if rec["level"] != "INFO" || rec["error"] != "TransactionCanceledException" || rec["status"] != float64(400) {
		t.Errorf("request log record = %v", rec)
	}

	// An *apierr.Error anywhere in the chain is the client's error.
	r = f.call(t, "Wrapped", `{}`, nil)
	r.wantError(t, http.StatusBadRequest, "TransactionCanceledException")
	if r.body["message"] != "wrapped" {
		t.Errorf("message = %v", r.body["message"])
	}
}

func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, nil)
	for _, tc := range []struct {
		name, op, body string
		status         int
		code, message  string
	}{
		{"unknown operation", "Nope", `{}`, 400, "UnknownOperationException", ""},
		{"garbage JSON", "Echo", `{"Name":`, 400, "SerializationException", "*"},
		{"wrong type", "Echo", `{"Name":42}`, 400, "SerializationException", "*"},
		{"missing member", "Echo", `{}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"too short", "Echo", `{"Name":"x"}`, 400, "ValidationException",
			"1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"body over the service's limit", "Echo", `{"Name":"` + strings.Repeat("x", 2000) + `"}`, 413, "RequestEntityTooLargeException", "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(t, tc.op, tc.body, nil)
			r.wantError(t, tc.status, tc.code)
			msg, _ := r.body["message"].(string)
			switch tc.message {
			case "*":
				if msg == "" {
					t.Error("empty message")
				}
			default:
				if msg != tc.message {
					t.Errorf("message = %q\nwant      %q", msg, tc.message)
				}
			}
			rec := f.logs.record(t, "request", r.header.Get("X-Amzn-Requestid"))
			if rec["status"] != float64(tc.status) || rec["error"] != tc.code {
				t.Errorf("request log record = %v", rec)
			}
		})
	}

	// A request no service claims is logged too, with no service.
	r := f.call(t, "", `{}`, map[string]string{"X-Amz-Target": "Other_2020.Op"})
	r.wantError(t, 400, "UnknownOperationException")
	rec := f.logs.record(t, "request", r.header.Get("X-Amzn-Requestid"))
	if rec["service"] != "" || rec["status"] != float64(400) {
		t.Errorf("request log record = %v", rec)
	}
}

func TestRoutingToInternalAndDataPlanes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, func(o *Options) {
		o.Internal = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "internal "+r.URL.Path) })
		o.DataPlanes = map[string]http.Handler{
			".execute-api.localhost": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Apigw-Requestid", "api-request-1")
				io.WriteString(w, "api "+r.Host+" "+r.URL.Path)
			}),
		}
	})
	get := func(host, path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		req.Host = host
		r := f.do(t, req)
		return r.status, string(r.raw)
	}
	if s, b := get("localhost", "/_virga/health"); s != 200 || b != "internal /_virga/health" {
		t.Errorf("/_virga/health: %d %q", s, b)
	}
	if s, b := get("abc.execute-api.localhost:4566", "/prod/pets"); s != 200 || b != "api abc.execute-api.localhost:4566 /prod/pets" {
		t.Errorf("registered data plane: %d %q", s, b)
	}
	// A data plane's requests are logged as the APIs' are, with the id
	// the data plane answered with.
	rec := f.logs.record(t, "request", "api-request-1")
	if rec["service"] != "execute-api" || rec["operation"] != "GET /prod/pets" || rec["status"] != float64(200) {
		t.Errorf("data plane request log record = %v", rec)
	}
	// Reserved names without a data plane are 404 JSON, never an AWS API.
	if s, b := get("fn.lambda-url.localhost", "/"); s != 404 || !json.Valid([]byte(b)) {
		t.Errorf("reserved host: %d %q", s, b)
	}
	if s, _ := get("localhost", "/x"); s != 400 {
		t.Errorf("GET /x on localhost: %d, want an AWS 400", s)
	}
}

func sign(t *testing.T, req *http.Request, body, key, secret, token string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "test", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
}

// TestAuthenticationErrorsInJSONDialect checks the awsJson family's
// answers to failed authentication (the awsQuery family's are tested
// end to end against STS).
func TestAuthenticationErrorsInJSONDialect(t *testing.T) {
	t.Parallel()
	var now time.Time
	f := newFixture(t, true, func(o *Options) {
		o.Auth.Temporary = credentialSource{
			"ASIATEMP": {AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "the-token",
				Expires: time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC),
				Caller:  awsproto.Caller{ARN: "arn:aws:sts::000000000000:assumed-role/r/s"}},
		}
		now = o.Clock.Now()
	})
	f.clock.step = 0 // the signing time must stay within 15 minutes
	body := `{"Name":"signed"}`
	call := func(key, secret, token string, at time.Time) result {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", testTarget+".Echo")
		if key != "" {
			sign(t, req, body, key, secret, token, at)
		}
		return f.do(t, req)
	}
	if r := call("AKIDSTATIC", "static-secret", "", now); r.status != 200 {
		t.Fatalf("good signature: HTTP %d\n%s", r.status, r.raw)
	}
	if r := call("ASIATEMP", "temp-secret", "the-token", now); r.status != 200 {
		t.Fatalf("good temporary credentials: HTTP %d\n%s", r.status, r.raw)
	}
	for _, tc := range []struct {
		name                string
		key, secret, token  string
		at                  time.Time
		code, messagePrefix string
	}{
		{"unsigned", "", "", "", now, "MissingAuthenticationTokenException", "Request is missing Authentication Token"},
		{"wrong secret", "AKIDSTATIC", "nope", "", now, "InvalidSignatureException", "The request signature we calculated does not match"},
		{"unknown key", "AKIDNOBODY", "x", "", now, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"missing token", "ASIATEMP", "temp-secret", "", now, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong token", "ASIATEMP", "temp-secret", "other", now, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"skewed", "AKIDSTATIC", "static-secret", "", now.Add(-20 * time.Minute), "InvalidSignatureException", "Signature expired: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(tc.key, tc.secret, tc.token, tc.at)
			r.wantError(t, http.StatusBadRequest, tc.code)
			if msg, _ := r.body["message"].(string); !strings.HasPrefix(msg, tc.messagePrefix) {
				t.Errorf("message = %q, want it to start %q", msg, tc.messagePrefix)
			}
		})
	}
	t.Run("expired token", func(t *testing.T) {
		f.clock.mu.Lock()
		f.clock.now = time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)
		f.clock.mu.Unlock()
		r := call("ASIATEMP", "temp-secret", "the-token", time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC))
		r.wantError(t, http.StatusBadRequest, "ExpiredTokenException")
		if msg := r.body["message"]; msg != "The security token included in the request is expired" {
			t.Errorf("message = %q", msg)
		}
	})
}

var traceRe = regexp.MustCompile(`^Root=1-([0-9a-f]{8})-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$`)

func TestTraceHeader(t *testing.T) {
	t.Parallel()
	now := time.Unix(0x5759e988, 0)
	g := ids.New(nil)
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	for _, tc := range []struct {
		in       string
		keepRoot bool
		sampled  string
	}{
		{"", false, "1"},
		{"Root=" + root, true, "1"},
		{"Root=" + root + ";Sampled=0", true, "0"},
		{"Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1", true, "1"},
		{" Root=" + root + " ; Sampled=0 ", true, "0"},
		{"Sampled=0;Root=" + root, true, "0"},
		{"Root=" + root + ";Sampled=maybe", true, "1"},
		{"Root=" + root + ";Lineage=a87bd80c:1|68fd508a:5c;Self=1-abc", true, "1"},
		{"Root=1-5759e988-bd862e3fe1be46a99427279", false, "1"},   // 23 hex digits
		{"Root=1-5759e988-bd862e3fe1be46a9942727933", false, "1"}, // 25
		{"Root=2-5759e988-bd862e3fe1be46a994272793", false, "1"},  // version 2
		{"Root=1-5759e98g-bd862e3fe1be46a994272793", false, "1"},  // not hex
		{"Root=1-5759e988_bd862e3fe1be46a994272793", false, "1"},
		{"Root=1-5759e988-bd862e3fe1be46a99427279z;Sampled=0", false, "0"},
		{"garbage", false, "1"},
		{"Root=", false, "1"},
		{strings.Repeat("Root=x;", 1000), false, "1"},
	} {
		got := traceHeader(tc.in, now, g)
		m := traceRe.FindStringSubmatch(got)
		if m == nil {
			t.Errorf("traceHeader(%q) = %q: not Root=1-…;Parent=…;Sampled=…", tc.in, got)
			continue
		}
		if kept := strings.HasPrefix(got, "Root="+root+";"); kept != tc.keepRoot {
			t.Errorf("traceHeader(%q) = %q: kept the root = %v, want %v", tc.in, got, kept, tc.keepRoot)
		}
		if !tc.keepRoot && m[1] != "5759e988" {
			t.Errorf("traceHeader(%q) = %q: a new root's time is %s, want the request's, 5759e988", tc.in, got, m[1])
		}
		if !strings.HasSuffix(got, ";Sampled="+tc.sampled) {
			t.Errorf("traceHeader(%q) = %q: want Sampled=%s", tc.in, got, tc.sampled)
		}
		if strings.Contains(got, "53995c3f42cd8ad8") {
			t.Errorf("traceHeader(%q) = %q: kept the caller's Parent; virga's segment needs its own", tc.in, got)
		}
	}
	// New roots and parents are unique.
	a, b := traceHeader("", now, g), traceHeader("", now, g)
	if a == b {
		t.Errorf("two new trace headers are both %q", a)
	}
}

func FuzzTraceHeader(f *testing.F) {
	f.Add("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	f.Add("")
	f.Add("Root=;;;==")
	g := ids.New(nil)
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, in string) {
		if got := traceHeader(in, now, g); !traceRe.MatchString(got) {
			t.Fatalf("traceHeader(%q) = %q", in, got)
		}
	})
}

func TestDataPlanePath(t *testing.T) {
	for _, c := range []struct{ path, host, wantHost, wantPath string }{
		{"/_aws/execute-api/abc123/prod/items/1", "127.0.0.1:4566", "abc123.execute-api.localhost:4566", "/prod/items/1"},
		{"/_aws/lambda-url/u1", "localhost:4566", "u1.lambda-url.localhost:4566", "/"},
		{"/_aws/lambda-url/u1/a%2Fb", "localhost", "u1.lambda-url.localhost", "/a/b"},
		{"/_aws/execute-api/", "h:1", "h:1", "/_aws/execute-api/"},
		{"/_aws/", "h:1", "h:1", "/_aws/"},
	} {
		r := httptest.NewRequest("GET", c.path, nil)
		r.Host = c.host
		got := dataPlanePath(r)
		if got.Host != c.wantHost || got.URL.Path != c.wantPath {
			t.Errorf("%s: got %s %s, want %s %s", c.path, got.Host, got.URL.Path, c.wantHost, c.wantPath)
		}
	}
}

func TestAWSDataPlaneHost(t *testing.T) {
	for in, want := range map[string]string{
		"abc.execute-api.us-east-1.amazonaws.com": "abc.execute-api.localhost",
		"u1.lambda-url.eu-west-1.on.aws":          "u1.lambda-url.localhost",
		"sqs.us-east-1.amazonaws.com":             "sqs.us-east-1.amazonaws.com",
		"a.b.execute-api.x.y.amazonaws.com":       "a.b.execute-api.x.y.amazonaws.com",
		"abc.execute-api.localhost":               "abc.execute-api.localhost",
		"site.s3-website-us-east-1.amazonaws.com": "site.s3-website.localhost",
		"a.b.s3-website.eu-west-1.amazonaws.com":  "a.b.s3-website.localhost",
		"site.s3-website-us-east-1.localhost":     "site.s3-website.localhost",
		"site.s3-website.us-east-1.localhost":     "site.s3-website.localhost",
		"site.s3-website.localhost":               "site.s3-website.localhost",
		"site.s3-website.a.b.localhost":           "site.s3-website.a.b.localhost",
		"web-123.us-east-1.elb.amazonaws.com":     "web-123.us-east-1.elb.localhost",
		"a.b.us-east-1.elb.amazonaws.com":         "a.b.us-east-1.elb.amazonaws.com",
		"myapp.auth.us-east-1.amazoncognito.com":  "myapp.auth.localhost",
		"myapp.auth.eu-west-1.localhost":          "myapp.auth.localhost",
		"myapp.auth.localhost":                    "myapp.auth.localhost",
		"a.b.auth.us-east-1.amazoncognito.com":    "a.b.auth.us-east-1.amazoncognito.com",
	} {
		if got := awsDataPlaneHost(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}
