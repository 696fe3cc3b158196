package lambda

import (
	"context"
	"encoding/json"
	"github.com/virga/virga/internal/traceheader"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/functions"
)

// Traces is where the segments of traced invocations go: X-Ray's
// asynchronous writer, so that tracing costs an invocation no store
// commit.
type Traces interface {
	Record(doc []byte) bool
	// Sample applies the account's X-Ray sampling rules to a request
	// nothing upstream decided to trace or not.
	Sample(req traceheader.SamplingRequest) bool
}

// invocationTrace is an invocation Lambda traces itself (TracingConfig
// Mode Active, and a sampled trace header): Lambda writes an AWS::Lambda
// segment for the service and an AWS::Lambda::Function segment for the
// function, with Initialization (on a cold start), Invocation and Overhead
// subsegments, and hands the function a trace header whose Parent is the
// function segment, so that the function's own subsegments hang under it.
type invocationTrace struct {
	s                     *Service
	root, parent          string
	serviceID, functionID string
	name, arn, requestID  string
	start                 time.Time
}

// startTrace begins an invocation's trace, or returns nil when Lambda does
// not trace it. As TracingConfig documents the modes: PassThrough traces
// only a request whose upstream tracing header says Sampled=1; Active
// respects the upstream header's decision and, without one, applies the
// account's sampling rules (by default the first request each second,
// then 5%) with the function's name as ServiceName and
// AWS::Lambda::Function as ServiceType, and hands a request it does not
// sample a header that says Sampled=0.
func (s *Service) startTrace(ctx context.Context, v *version, inv *functions.Invocation) *invocationTrace {
	if s.traces == nil || v == nil || inv == nil || v.Config.TracingConfig == nil || v.Config.TracingConfig.Mode == nil {
		return nil
	}
	root, parent, sampled := upstreamTrace(ctx, inv.TraceID)
	switch *v.Config.TracingConfig.Mode {
	case "Active":
		if sampled == "0" {
			return nil
		}
		if sampled != "1" && !s.traces.Sample(traceheader.SamplingRequest{
			ServiceName: deref(v.Config.FunctionName), ServiceType: "AWS::Lambda::Function", ResourceARN: deref(v.Config.FunctionArn)}) {
			// The function is told, so that its own SDK records nothing.
			inv.TraceID = traceheader.With(inv.TraceID, "Sampled", "0")
			return nil
		}
	case "PassThrough":
		if sampled != "1" {
			return nil
		}
	default:
		return nil
	}
	now := s.clock.Now()
	if !traceheader.ValidRoot(root) {
		root = traceheader.NewRoot(now, s.ids.Hex(12))
	}
	t := &invocationTrace{s: s, root: root, parent: parent, serviceID: s.ids.Hex(8), functionID: s.ids.Hex(8),
		name: deref(v.Config.FunctionName), arn: deref(v.Config.FunctionArn), requestID: inv.RequestID, start: now}
	inv.TraceID = "Root=" + root + ";Parent=" + t.functionID + ";Sampled=1"
	return t
}

// upstreamTrace is the tracing header the invocation came with: the
// caller's own X-Amzn-Trace-Id (the edge's header keeps its Root and
// Sampled but names a Parent no segment has, and says Sampled=1 when the
// caller said nothing), as the API call carries it or as an asynchronous
// invocation recorded it. Without one, only the Root of the invocation's
// header counts.
func upstreamTrace(ctx context.Context, header string) (root, parent, sampled string) {
	h, known := ctx.Value(upstreamKey{}).(string)
	if !known {
		h = callerTraceHeader(ctx)
		known = awsproto.CallFrom(ctx) != nil
	}
	if strings.Contains(h, "Root=") {
		return parseTraceHeader(h)
	}
	root, parent, sampled = parseTraceHeader(header)
	if known {
		return root, "", ""
	}
	return root, parent, sampled
}

// callerTraceHeader is the X-Amzn-Trace-Id of the API call ctx belongs
// to, as its caller sent it ("" when it sent none).
func callerTraceHeader(ctx context.Context) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Request != nil {
		if h := c.Request.Header.Get("X-Amzn-Trace-Id"); strings.Contains(h, "Root=") {
			return h
		}
	}
	return ""
}

type upstreamKey struct{}

// withUpstreamTrace gives an invocation run outside its API call (an
// asynchronous one) the caller's header it was accepted with.
func withUpstreamTrace(ctx context.Context, header string) context.Context {
	return context.WithValue(ctx, upstreamKey{}, header)
}

// finish writes the invocation's segments.
func (t *invocationTrace) finish(res *functions.Result, err error) {
	if t == nil {
		return
	}
	end := t.s.clock.Now()
	fault := err != nil || (res != nil && res.FunctionError != "")
	svc := map[string]any{
		"name": t.name, "id": t.serviceID, "trace_id": t.root, "origin": "AWS::Lambda",
		"start_time": epoch(t.start), "end_time": epoch(end),
		"http": map[string]any{"response": map[string]any{"status": 200}},
		"aws":  map[string]any{"request_id": t.requestID},
	}
	if t.parent != "" {
		svc["parent_id"] = t.parent
	}
	if err != nil {
		svc["fault"] = true
		svc["http"] = map[string]any{"response": map[string]any{"status": 500}}
	}
	fnStart := t.start
	var subs []map[string]any
	var initDur, invDur time.Duration
	if res != nil {
		initDur, invDur = res.InitDuration, res.Duration
	}
	if initDur > 0 {
		subs = append(subs, map[string]any{"name": "Initialization", "id": t.s.ids.Hex(8),
			"start_time": epoch(fnStart), "end_time": epoch(fnStart.Add(initDur))})
	}
	invStart := fnStart.Add(initDur)
	invEnd := invStart.Add(invDur)
	if invEnd.After(end) {
		invEnd = end
	}
	inv := map[string]any{"name": "Invocation", "id": t.s.ids.Hex(8), "start_time": epoch(invStart), "end_time": epoch(invEnd)}
	if fault {
		inv["fault"] = true
	}
	subs = append(subs, inv,
		map[string]any{"name": "Overhead", "id": t.s.ids.Hex(8), "start_time": epoch(invEnd), "end_time": epoch(end)})
	fn := map[string]any{
		"name": t.name, "id": t.functionID, "trace_id": t.root, "parent_id": t.serviceID, "origin": "AWS::Lambda::Function",
		"start_time": epoch(fnStart), "end_time": epoch(end),
		"aws":         map[string]any{"function_arn": t.arn, "resource_names": []string{t.name}, "account_id": t.s.account},
		"subsegments": subs,
	}
	if fault {
		fn["fault"] = true
	}
	for _, seg := range []map[string]any{svc, fn} {
		if b, err := json.Marshal(seg); err == nil {
			t.s.traces.Record(b)
		}
	}
}

// parseTraceHeader reads an X-Amzn-Trace-Id header's Root, Parent and
// Sampled.
func parseTraceHeader(h string) (root, parent, sampled string) {
	for _, part := range strings.Split(h, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			root = v
		case "Parent":
			parent = v
		case "Sampled":
			sampled = v
		}
	}
	return root, parent, sampled
}

// epoch is a time in X-Ray's floating-point epoch seconds.
func epoch(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }
