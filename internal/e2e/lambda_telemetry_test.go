package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// telemetrySink collects what testdata/lambdatel forwards: the batches
// its listener received, its subscription's answer, SHUTDOWN's reason.
type telemetrySink struct {
	url string

	mu         sync.Mutex
	events     []telemetryEvent
	subscribed []string // "STATUS BODY"
	shutdowns  []string // "REASON DEADLINEMS"
	errors     []string
}

type telemetryEvent struct {
	Time   string          `json:"time"`
	Type   string          `json:"type"`
	Record json.RawMessage `json:"record"`
}

func newTelemetrySink(t *testing.T) *telemetrySink {
	s := &telemetrySink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		switch p := r.URL.Path; {
		case p == "/batch":
			var batch []telemetryEvent
			if err := json.Unmarshal(body, &batch); err != nil {
				s.errors = append(s.errors, "batch "+string(body)+": "+err.Error())
			}
			s.events = append(s.events, batch...)
		case strings.HasPrefix(p, "/subscribed/"):
			s.subscribed = append(s.subscribed, strings.TrimPrefix(p, "/subscribed/")+" "+strings.TrimSpace(string(body)))
		case strings.HasPrefix(p, "/shutdown/"):
			s.shutdowns = append(s.shutdowns, strings.TrimPrefix(p, "/shutdown/")+" "+string(body))
		default:
			s.errors = append(s.errors, p+" "+string(body))
		}
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// wait polls until done holds of the events, within a generous bound.
func (s *telemetrySink) wait(t *testing.T, what string, done func(events []telemetryEvent) bool) []telemetryEvent {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mu.Lock()
		events := append([]telemetryEvent(nil), s.events...)
		errs := append([]string(nil), s.errors...)
		s.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("the extension reported: %q", errs)
		}
		if done(events) {
			return events
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s; events: %s", what, typesOfTelemetry(events))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func typesOfTelemetry(events []telemetryEvent) string {
	var types []string
	for _, ev := range events {
		types = append(types, ev.Type)
	}
	return strings.Join(types, " ")
}

// hasRecord reports whether an event of type typ has a record with
// requestId id.
func hasRecord(events []telemetryEvent, typ, id string) bool {
	for _, ev := range events {
		if ev.Type == typ && strings.Contains(string(ev.Record), `"requestId":"`+id+`"`) {
			return true
		}
	}
	return false
}

// telemetryFunction creates a Go function of code (goFunctionZip's when
// nil) with testdata/lambdatel in a layer, forwarding to sink, with the
// extension's variables.
func telemetryFunction(t *testing.T, c *lambda.Client, name string, code []byte, sink *telemetrySink, vars map[string]string, more ...func(*lambda.CreateFunctionInput)) {
	t.Helper()
	pub, err := c.PublishLayerVersion(context.Background(), &lambda.PublishLayerVersionInput{LayerName: aws.String(name + "-layer"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: extensionLayerZip(t, "lambdatel")}})
	if err != nil {
		t.Fatal(err)
	}
	vars["LAMBDATEL_SINK"] = sink.url
	if code == nil {
		code = goFunctionZip(t, "bootstrap")
	}
	createGoFunction(t, c, name, code, append([]func(*lambda.CreateFunctionInput){func(in *lambda.CreateFunctionInput) {
		in.Layers = []string{aws.ToString(pub.LayerVersionArn)}
		in.Environment = &lambdatypes.Environment{Variables: vars}
	}}, more...)...)
}

// An extension subscribed to the Telemetry API receives, at its
// listener, the init's platform events from platform.initStart on (it
// subscribed during the init), its own registration and subscription
// and output line, then each invocation's platform.start, the
// function's lines,
// platform.runtimeDone (with its metrics and spans) and platform.report,
// in order, in the Telemetry API's shapes.
func TestLambdaTelemetryAPI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	sink := newTelemetrySink(t)
	telemetryFunction(t, c, "telfn", nil, sink, map[string]string{"LAMBDATEL_SCHEMA": "2022-12-13", "LAMBDATEL_TYPES": "platform,function,extension"})

	// With the log tail the answer waits until the environment is idle
	// again (its extension done): the second invocation takes it.
	first := invokeJSON(t, c, "telfn", map[string]string{"op": "log", "message": "hello telemetry"}, withTail)
	second := invokeJSON(t, c, "telfn", map[string]string{"op": "echo"})
	if first.FunctionError != nil || second.FunctionError != nil {
		t.Fatalf("invocations: %s %s", first.Payload, second.Payload)
	}
	id1, id2 := requestIDOf(t, first), requestIDOf(t, second)
	events := sink.wait(t, "the second invocation's platform.report", func(evs []telemetryEvent) bool {
		return hasRecord(evs, "platform.report", id2)
	})
	sink.mu.Lock()
	subscribed := sink.subscribed
	sink.mu.Unlock()
	if len(subscribed) != 1 || subscribed[0] != `200 "OK"` {
		t.Fatalf("subscription answers %q", subscribed)
	}
	// The extension's line is of the extension type (when it is read
	// from its pipe, against the platform's events, is not ordered).
	var extLines []string
	events = slices.DeleteFunc(events, func(ev telemetryEvent) bool {
		if ev.Type == "extension" {
			extLines = append(extLines, string(ev.Record))
		}
		return ev.Type == "extension"
	})
	if len(extLines) != 1 || extLines[0] != `"[lambdatel] listening"` {
		t.Fatalf("extension lines %q", extLines)
	}
	want := "platform.initStart platform.extension platform.telemetrySubscription platform.initRuntimeDone platform.initReport " +
		"platform.start function platform.runtimeDone platform.report platform.start platform.runtimeDone platform.report"
	if got := typesOfTelemetry(events); got != want {
		t.Fatalf("event types:\n got %s\nwant %s", got, want)
	}
	for _, ev := range events {
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", ev.Time); err != nil {
			t.Fatalf("%s time %q: %v", ev.Type, ev.Time, err)
		}
	}
	record := func(i int) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(events[i].Record, &m); err != nil {
			t.Fatalf("%s record %s: %v", events[i].Type, events[i].Record, err)
		}
		return m
	}
	if r := record(0); r["initializationType"] != "on-demand" || r["phase"] != "init" || r["functionName"] != "telfn" || r["functionVersion"] != "$LATEST" {
		t.Fatalf("platform.initStart %s", events[0].Record)
	}
	if !sameJSON(events[1].Record, `{"name":"lambdatel","state":"Ready","events":["INVOKE","SHUTDOWN"]}`) {
		t.Fatalf("platform.extension %s", events[1].Record)
	}
	if !sameJSON(events[2].Record, `{"name":"lambdatel","state":"Subscribed","types":["platform","function","extension"]}`) {
		t.Fatalf("platform.telemetrySubscription %s", events[2].Record)
	}
	if r := record(4); r["status"] != "success" || r["metrics"].(map[string]any)["durationMs"].(float64) <= 0 {
		t.Fatalf("platform.initReport %s", events[4].Record)
	}
	if r := record(5); r["requestId"] != id1 || r["version"] != "$LATEST" {
		t.Fatalf("platform.start %s", events[5].Record)
	}
	if string(events[6].Record) != `"hello telemetry"` {
		t.Fatalf("function record %s", events[6].Record)
	}
	done := record(7)
	metrics, _ := done["metrics"].(map[string]any)
	spans, _ := done["spans"].([]any)
	if done["requestId"] != id1 || done["status"] != "success" || metrics["producedBytes"] != float64(len(`"logged"`)) || len(spans) != 2 {
		t.Fatalf("platform.runtimeDone %s", events[7].Record)
	}
	for i, name := range []string{"responseLatency", "responseDuration"} {
		s := spans[i].(map[string]any)
		if s["name"] != name || s["start"] == nil || s["durationMs"] == nil {
			t.Fatalf("platform.runtimeDone span %d: %v", i, s)
		}
	}
	rep := record(8)
	m, _ := rep["metrics"].(map[string]any)
	if rep["requestId"] != id1 || rep["status"] != "success" || m["initDurationMs"] == nil || m["billedDurationMs"] == nil || m["memorySizeMB"] != float64(128) {
		t.Fatalf("platform.report %s", events[8].Record)
	}
	if m, _ := record(11)["metrics"].(map[string]any); m["initDurationMs"] != nil {
		t.Fatalf("a warm invocation's platform.report has an init duration: %s", events[11].Record)
	}
}

// The Logs API, schema 2021-03-18: the same delivery, in the Logs API's
// shapes: no init events, platform.start with requestId and version,
// platform.runtimeDone with a status, platform.end before
// platform.report, function lines as strings even in the JSON log
// format.
func TestLambdaLogsAPI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	sink := newTelemetrySink(t)
	telemetryFunction(t, c, "logsfn", nil, sink, map[string]string{"LAMBDATEL_API": "logs", "LAMBDATEL_SCHEMA": "2021-03-18", "LAMBDATEL_TYPES": "platform,function"},
		func(in *lambda.CreateFunctionInput) {
			in.LoggingConfig = &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatJson}
		})
	out := invokeJSON(t, c, "logsfn", map[string]string{"op": "log", "message": `{"level":"INFO","message":"structured"}`})
	if out.FunctionError != nil {
		t.Fatalf("invoke: %s", out.Payload)
	}
	id := requestIDOf(t, out)
	events := sink.wait(t, "platform.report", func(evs []telemetryEvent) bool { return hasRecord(evs, "platform.report", id) })
	want := "platform.extension platform.logsSubscription platform.start function platform.runtimeDone platform.end platform.report"
	if got := typesOfTelemetry(events); got != want {
		t.Fatalf("event types:\n got %s\nwant %s", got, want)
	}
	if !sameJSON(events[2].Record, `{"requestId":"`+id+`","version":"$LATEST"}`) {
		t.Fatalf("platform.start %s", events[2].Record)
	}
	var line string
	if err := json.Unmarshal(events[3].Record, &line); err != nil || !sameJSON([]byte(line), `{"level":"INFO","message":"structured"}`) {
		t.Fatalf("function record %s: %v", events[3].Record, err)
	}
	if !sameJSON(events[4].Record, `{"requestId":"`+id+`","status":"success"}`) {
		t.Fatalf("platform.runtimeDone %s", events[4].Record)
	}
	if !sameJSON(events[5].Record, `{"requestId":"`+id+`"}`) {
		t.Fatalf("platform.end %s", events[5].Record)
	}
	var rep struct {
		RequestID string         `json:"requestId"`
		Metrics   map[string]any `json:"metrics"`
		Status    *string        `json:"status"`
	}
	if err := json.Unmarshal(events[6].Record, &rep); err != nil || rep.RequestID != id || rep.Metrics["durationMs"] == nil || rep.Status != nil {
		t.Fatalf("platform.report %s", events[6].Record)
	}
}

// A runtime that crashes during an invocation resets its environment
// as on AWS: the extensions, which outlive it, get SHUTDOWN with reason
// failure and a deadline 2,000 ms ahead, after the telemetry of the
// failed invocation (platform.runtimeDone and platform.report with
// status error and Runtime.ExitError); the next invocation starts a
// new environment.
func TestLambdaExtensionShutdownOnCrash(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	sink := newTelemetrySink(t)
	telemetryFunction(t, c, "crashext", hostileZip(t), sink, map[string]string{"LAMBDATEL_SCHEMA": "2022-07-01", "LAMBDATEL_TYPES": "platform"})
	warm := decodeWhoami(t, invokeJSON(t, c, "crashext", map[string]string{"op": "whoami"}, withTail)) // idle again when answered

	out := invokeJSON(t, c, "crashext", map[string]any{"op": "exit", "code": 3})
	doc := wantUnhandled(t, "crash", out)
	id := requestIDOf(t, out)
	if want := "RequestId: " + id + " Error: Runtime exited with error: exit status 3"; doc.ErrorType != "Runtime.ExitError" || doc.ErrorMessage != want {
		t.Fatalf("crash payload %s; want Runtime.ExitError, %q", out.Payload, want)
	}
	crashed := time.Now()
	deadline := time.Now().Add(30 * time.Second)
	var shutdowns []string
	for len(shutdowns) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the extension got no SHUTDOWN after the runtime crashed")
		}
		time.Sleep(20 * time.Millisecond)
		sink.mu.Lock()
		shutdowns = append([]string(nil), sink.shutdowns...)
		sink.mu.Unlock()
	}
	reason, ms, _ := strings.Cut(shutdowns[0], " ")
	deadlineMs, err := strconv.ParseInt(ms, 10, 64)
	if reason != "failure" || err != nil {
		t.Fatalf("SHUTDOWN %q, want reason failure", shutdowns)
	}
	if ahead := time.UnixMilli(deadlineMs).Sub(crashed); ahead <= 0 || ahead > 2500*time.Millisecond {
		t.Fatalf("SHUTDOWN deadline %v after the crash's answer, want within 2,000 ms", ahead)
	}
	events := sink.wait(t, "the crash's platform.report", func(evs []telemetryEvent) bool { return hasRecord(evs, "platform.report", id) })
	for _, typ := range []string{"platform.runtimeDone", "platform.report"} {
		i := slices.IndexFunc(events, func(ev telemetryEvent) bool {
			return ev.Type == typ && strings.Contains(string(ev.Record), `"requestId":"`+id+`"`)
		})
		var r struct{ Status, ErrorType string }
		json.Unmarshal(events[i].Record, &r)
		if r.Status != "error" || r.ErrorType != "Runtime.ExitError" {
			t.Fatalf("%s %s", typ, events[i].Record)
		}
	}
	if again := decodeWhoami(t, invokeJSON(t, c, "crashext", map[string]string{"op": "whoami"})); again.Stream == warm.Stream {
		t.Fatalf("the invocation after the crash ran in the crashed environment (%s)", again.Stream)
	}
}

// With extensions, a runtime the kernel kills for want of memory is
// still Runtime.OutOfMemory (the launcher that keeps the extensions is
// killed with it).
func TestLambdaExtensionOutOfMemory(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	if p := probeSandbox(t, c, "oom-probe", 128); p.memoryLimit != 128<<20 {
		t.Skipf("functions run without a cgroup memory limit here (probe: %s); the out-of-memory proof needs virga as root with cgroups", p.raw)
	}
	sink := newTelemetrySink(t)
	telemetryFunction(t, c, "hogext", hostileZip(t), sink, map[string]string{"LAMBDATEL_SCHEMA": "2022-07-01", "LAMBDATEL_TYPES": "platform"},
		func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(128) })
	out := invokeJSON(t, c, "hogext", map[string]any{"op": "alloc", "mb": 512})
	doc := wantUnhandled(t, "out of memory", out)
	if want := "RequestId: " + requestIDOf(t, out) + " Error: Runtime exited with error: signal: killed"; doc.ErrorType != "Runtime.OutOfMemory" || doc.ErrorMessage != want {
		t.Fatalf("out-of-memory payload %s; want Runtime.OutOfMemory, %q", out.Payload, want)
	}
}
