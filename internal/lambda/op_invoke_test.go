package lambda

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/functions"
)

func TestInvokeBuildsTheSpec(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("echo", "MemorySize", 256, "Timeout", 7, "EphemeralStorage", map[string]any{"Size": 1024}, "Architectures", []string{"arm64"},
		"Environment", map[string]any{"Variables": map[string]string{"GREETING": "hi"}})
	r := f.ok(200, nil, "POST", "/2015-03-31/functions/echo/invocations", []byte(`{"x":1}`))
	if string(r.Body) != `{"x":1}` || r.Header.Get("X-Amz-Executed-Version") != "$LATEST" || r.Header.Get("X-Amz-Function-Error") != "" ||
		r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Amz-Log-Result") != "" {
		t.Errorf("Invoke: %s %v", r.Body, r.Header)
	}
	calls := f.fns.invocations()
	if len(calls) != 1 {
		t.Fatalf("%d invocations", len(calls))
	}
	spec, inv := calls[0].Spec, calls[0].Inv
	arn := "arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST"
	if spec.FunctionName != "echo" || spec.Version != "$LATEST" || spec.ARN != "arn:aws:lambda:us-east-1:000000000000:function:echo" || !strings.HasPrefix(spec.Key, arn+"#") ||
		spec.Runtime != "provided.al2023" || spec.Handler != "bootstrap" || spec.MemoryMB != 256 || spec.Timeout != 7*time.Second ||
		spec.EphemeralMB != 1024 || spec.Architecture != "arm64" || spec.Env["GREETING"] != "hi" || spec.Concurrency != 1000 ||
		spec.Region != "us-east-1" || spec.Endpoint != "http://127.0.0.1:4566" || len(spec.LayerDirs) != 0 {
		t.Errorf("Spec = %+v", spec)
	}
	if fi, err := os.Stat(filepath.Join(spec.CodeDir, "bootstrap")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("CodeDir holds no executable bootstrap: %v", err)
	}
	creds, err := spec.Credentials(context.Background())
	if err != nil || creds.AccessKeyID != "ASIATEST" || len(f.roles) != 1 || f.roles[0] != testRole+" echo" {
		t.Errorf("Credentials = %+v, %v; roles asked %v", creds, err, f.roles)
	}
	if inv.RequestID != "11111111-2222-4333-8444-555555555555" || inv.TraceID == "" || string(inv.Payload) != `{"x":1}` || inv.Tail {
		t.Errorf("Invocation = %+v", inv)
	}

	// A warm invocation reuses the Spec; an update makes a new one and
	// retires the old pool.
	f.ok(200, nil, "POST", "/2015-03-31/functions/echo/invocations", []byte(`{}`))
	if calls := f.fns.invocations(); calls[1].Spec != spec {
		t.Error("the second invocation built a new Spec")
	}
	f.ok(200, nil, "PUT", "/2015-03-31/functions/echo/configuration", map[string]any{"Timeout": 9})
	if r := f.fns.retirements(); len(r) != 1 || r[0] != arn+"#" {
		t.Errorf("retired %v after an update", r)
	}
	f.ok(200, nil, "POST", "/2015-03-31/functions/echo/invocations", []byte(`{}`))
	if s := f.fns.invocations()[2].Spec; s.Key == spec.Key || s.Timeout != 9*time.Second {
		t.Errorf("after the update: Key %s (was %s), Timeout %v", s.Key, spec.Key, s.Timeout)
	}
	// No payload is an empty object.
	f.ok(200, nil, "POST", "/2015-03-31/functions/echo/invocations", nil)
	if p := f.fns.invocations()[3].Inv.Payload; string(p) != "{}" {
		t.Errorf("payload of an invocation without one: %q", p)
	}
}

func TestInvokeResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("fn")
	log := strings.Repeat("a", 5000) + "END"
	f.fns.setHandler(func(spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error) {
		switch string(inv.Payload) {
		case `"fail"`:
			return &functions.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom","errorType":"Error"}`)}, nil
		case `"tail"`:
			if !inv.Tail {
				t.Error("Tail not asked")
			}
			return &functions.Result{Payload: []byte(`"ok"`), LogTail: []byte(log)}, nil
		case `"huge"`:
			return &functions.Result{Payload: []byte(`"` + strings.Repeat("x", maxSyncResponse) + `"`)}, nil
		case `"runtime"`:
			return nil, &functions.RuntimeError{Type: functions.TypeInvalidRuntime, Message: "java21 cannot run on this host yet."}
		case `"host"`:
			return nil, &functions.RuntimeError{Type: functions.TypeService, Message: "no file descriptors"}
		case `"busy"`:
			return nil, functions.ErrTooManyRequests
		case `"context"`:
			return nil, context.Canceled
		}
		if inv.ClientContext != "" {
			return &functions.Result{Payload: []byte(inv.ClientContext)}, nil
		}
		return &functions.Result{Payload: inv.Payload}, nil
	})
	r := f.ok(200, nil, "POST", "/2015-03-31/functions/fn/invocations", []byte(`"fail"`))
	if r.Header.Get("X-Amz-Function-Error") != "Unhandled" || !contains(string(r.Body), `"errorMessage":"boom"`) {
		t.Errorf("function error: %v %s", r.Header, r.Body)
	}
	r = f.ok(200, nil, "POST", "/2015-03-31/functions/fn/invocations", []byte(`"tail"`), "X-Amz-Log-Type", "Tail")
	tail, _ := base64.StdEncoding.DecodeString(r.Header.Get("X-Amz-Log-Result"))
	if len(tail) != logTailBytes || !strings.HasSuffix(string(tail), "END") {
		t.Errorf("log tail of %d bytes ending %q", len(tail), tail[max(0, len(tail)-5):])
	}
	r = f.ok(200, nil, "POST", "/2015-03-31/functions/fn/invocations", []byte(`"huge"`))
	if r.Header.Get("X-Amz-Function-Error") != "Unhandled" ||
		string(r.Body) != `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}` {
		t.Errorf("oversized response: %v %.200s", r.Header, r.Body)
	}
	r = f.do("POST", "/2015-03-31/functions/fn/invocations", []byte(`"runtime"`))
	if code, msg := r.errorCode(t); r.Status != 502 || code != "InvalidRuntimeException" || msg != "java21 cannot run on this host yet." {
		t.Errorf("runtime error: HTTP %d %s %s", r.Status, code, msg)
	}
	f.fails("ServiceException", 500, "POST", "/2015-03-31/functions/fn/invocations", []byte(`"host"`))
	r = f.do("POST", "/2015-03-31/functions/fn/invocations", []byte(`"busy"`))
	var throttle struct{ Reason, Message string }
	r.json(t, &throttle)
	if r.Status != 429 || r.Header.Get("X-Amzn-ErrorType") != "TooManyRequestsException" || throttle.Reason != reasonAccount ||
		throttle.Message != "Rate Exceeded." || r.Header.Get("Retry-After") == "" {
		t.Errorf("throttled: HTTP %d %v %s", r.Status, r.Header, r.Body)
	}
	r = f.do("POST", "/2015-03-31/functions/fn/invocations", []byte(`"context"`))
	if r.Status != 500 {
		t.Errorf("a canceled invocation: HTTP %d", r.Status)
	}
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	r = f.ok(200, nil, "POST", "/2015-03-31/functions/fn/invocations", []byte(`{}`), "X-Amz-Client-Context", cc)
	if string(r.Body) != `{"custom":{"k":"v"}}` {
		t.Errorf("client context reached the function as %s", r.Body)
	}
	f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions/fn/invocations", []byte(`{}`), "X-Amz-Client-Context", "not base64!")

	// Request errors.
	msg := f.fails("RequestEntityTooLargeException", 413, "POST", "/2015-03-31/functions/fn/invocations", []byte(`"`+strings.Repeat("x", maxSyncPayload)+`"`))
	if msg != "Request must be smaller than 6291456 bytes for the InvokeFunction operation" {
		t.Errorf("message %q", msg)
	}
	msg = f.fails("InvalidRequestContentException", 400, "POST", "/2015-03-31/functions/fn/invocations", []byte(`{not json`))
	if !strings.HasPrefix(msg, "Could not parse request body into json: Could not parse payload into json: ") {
		t.Errorf("message %q", msg)
	}
	msg = f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/nope/invocations", []byte(`{}`))
	if msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" {
		t.Errorf("message %q", msg)
	}
	msg = f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/fn/invocations?Qualifier=4", []byte(`{}`))
	if msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:4" {
		t.Errorf("message %q", msg)
	}
	f.fails("InvalidParameterValueException", 400, "POST", "/2015-03-31/functions/fn:1/invocations?Qualifier=2", []byte(`{}`))
	f.fails("ValidationException", 400, "POST", "/2015-03-31/functions/fn/invocations", []byte(`{}`), "X-Amz-Invocation-Type", "Sometimes")
	f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:fn/invocations", []byte(`{}`))

	// DryRun checks and runs nothing.
	before := len(f.fns.invocations())
	r = f.ok(204, nil, "POST", "/2015-03-31/functions/fn/invocations", []byte(`{}`), "X-Amz-Invocation-Type", "DryRun")
	if len(r.Body) != 0 || len(f.fns.invocations()) != before {
		t.Errorf("DryRun ran the function or answered %q", r.Body)
	}
	f.fails("ResourceNotFoundException", 404, "POST", "/2015-03-31/functions/nope/invocations", []byte(`{}`), "X-Amz-Invocation-Type", "DryRun")
}

func TestInvokeQualifiersAndRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("q")
	f.ok(201, nil, "POST", "/2015-03-31/functions/q/versions", map[string]any{})
	f.ok(200, nil, "PUT", "/2015-03-31/functions/q/configuration", map[string]any{"MemorySize": 256})
	f.ok(201, nil, "POST", "/2015-03-31/functions/q/versions", map[string]any{})
	executed := func(target string) string {
		t.Helper()
		return f.ok(200, nil, "POST", target, []byte(`{}`)).Header.Get("X-Amz-Executed-Version")
	}
	for target, want := range map[string]string{
		"/2015-03-31/functions/q/invocations":                                                  "$LATEST",
		"/2015-03-31/functions/q/invocations?Qualifier=$LATEST":                                "$LATEST",
		"/2015-03-31/functions/q/invocations?Qualifier=1":                                      "1",
		"/2015-03-31/functions/q:2/invocations":                                                "2",
		"/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:q:1/invocations": "1",
	} {
		if got := executed(target); got != want {
			t.Errorf("%s ran version %s, want %s", target, got, want)
		}
	}
	// An alias routes by its weights: all to version 2, none, then about
	// a third.
	f.ok(201, nil, "POST", "/2015-03-31/functions/q/aliases", map[string]any{"Name": "all", "FunctionVersion": "1",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 1}}})
	f.ok(201, nil, "POST", "/2015-03-31/functions/q/aliases", map[string]any{"Name": "none", "FunctionVersion": "1",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0}}})
	f.ok(201, nil, "POST", "/2015-03-31/functions/q/aliases", map[string]any{"Name": "third", "FunctionVersion": "1",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0.33}}})
	counts := map[string]map[string]int{}
	for _, alias := range []string{"all", "none", "third"} {
		counts[alias] = map[string]int{}
		for range 300 {
			counts[alias][executed("/2015-03-31/functions/q:"+alias+"/invocations")]++
		}
	}
	if counts["all"]["2"] != 300 || counts["none"]["1"] != 300 || counts["third"]["2"] < 50 || counts["third"]["2"] > 150 {
		t.Errorf("routing: %v", counts)
	}
	// Each version has its own pool.
	keys := map[string]bool{}
	for _, c := range f.fns.invocations() {
		keys[c.Spec.Key] = true
	}
	if len(keys) != 3 {
		t.Errorf("%d pools for $LATEST, 1 and 2", len(keys))
	}
}

func TestConcurrencyLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withAccountConcurrency(103))
	f.create("reserved")
	f.create("shared")
	f.ok(200, nil, "PUT", "/2017-10-31/functions/reserved/concurrency", map[string]any{"ReservedConcurrentExecutions": 2})
	release := make(chan struct{})
	started := make(chan string, 200)
	f.fns.setHandler(func(spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error) {
		started <- spec.FunctionName
		<-release
		return &functions.Result{Payload: []byte(`{}`)}, nil
	})
	var wg sync.WaitGroup
	invoke := func(name string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.do("POST", "/2015-03-31/functions/"+name+"/invocations", []byte(`{}`))
		}()
		<-started
	}
	invoke("reserved")
	invoke("reserved")
	r := f.do("POST", "/2015-03-31/functions/reserved/invocations", []byte(`{}`))
	var body struct{ Reason string }
	r.json(t, &body)
	if r.Status != 429 || body.Reason != reasonReserved {
		t.Errorf("third invocation of a function with 2 reserved: HTTP %d %s", r.Status, r.Body)
	}
	// The other function has the unreserved 101.
	for range 101 {
		invoke("shared")
	}
	r = f.do("POST", "/2015-03-31/functions/shared/invocations", []byte(`{}`))
	r.json(t, &body)
	if r.Status != 429 || body.Reason != reasonAccount {
		t.Errorf("invocation beyond the unreserved pool: HTTP %d %s", r.Status, r.Body)
	}
	close(release)
	wg.Wait()
	f.ok(200, nil, "POST", "/2015-03-31/functions/shared/invocations", []byte(`{}`))
	for _, c := range f.fns.invocations() {
		if want := map[string]int{"reserved": 2, "shared": 101}[c.Spec.FunctionName]; c.Spec.Concurrency != want {
			t.Fatalf("%s ran with Concurrency %d, want %d", c.Spec.FunctionName, c.Spec.Concurrency, want)
		}
	}
	// Reserved concurrency 0 stops a function.
	f.ok(200, nil, "PUT", "/2017-10-31/functions/reserved/concurrency", map[string]any{"ReservedConcurrentExecutions": 0})
	f.fails("TooManyRequestsException", 429, "POST", "/2015-03-31/functions/reserved/invocations", []byte(`{}`))
}
