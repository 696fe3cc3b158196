package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/traceheader"
)

// The invocation types of Invoke.
const (
	invokeSync   = "RequestResponse"
	invokeEvent  = "Event"
	invokeDryRun = "DryRun"
)

// invoke runs a function: synchronously (RequestResponse, the default),
// by accepting it into the function's durable queue (Event, 202), or not
// at all after checking that it could (DryRun, 204).
func (s *Service) invoke(ctx context.Context, in *InvocationRequest) (*InvocationResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	typ := string(deref(in.InvocationType))
	if typ == "" {
		typ = invokeSync
	}
	payload := in.Payload
	switch {
	case typ == invokeEvent && len(payload) > maxAsyncPayload:
		return nil, ErrRequestEntityTooLarge.Withf("%d byte payload is too large for the Event invocation type (limit %d bytes)", len(payload), maxAsyncPayload)
	case len(payload) > maxSyncPayload:
		return nil, ErrRequestTooLarge
	}
	payload, clientContext, fn, v, err := s.prepareInvocation(t, payload, in.ClientContext)
	if err != nil {
		return nil, err
	}
	switch typ {
	case invokeDryRun:
		return &InvocationResponse{StatusCode: ptr(int32(204))}, nil
	case invokeEvent:
		if err := s.acceptEvent(ctx, fn, t, payload, clientContext); err != nil {
			return nil, err
		}
		return &InvocationResponse{StatusCode: ptr(int32(202))}, nil
	}
	requestID, traceID := s.ids.UUID(), ""
	if c := awsproto.CallFrom(ctx); c != nil {
		requestID, traceID = c.RequestID, c.TraceID
	}
	tail := deref(in.LogType) == "Tail"
	res, err := s.run(ctx, fn, v, &functions.Invocation{
		RequestID: requestID, InvokedARN: s.arn(t), Payload: payload, TraceID: traceID, ClientContext: clientContext, Tail: tail,
	})
	if err != nil {
		return nil, err
	}
	out := &InvocationResponse{
		StatusCode:      ptr(int32(200)),
		ExecutedVersion: ptr(v.name()),
		ContentType:     ptr("application/json"),
		Payload:         res.Payload,
	}
	if res.Streamed && res.ContentType != "" && res.FunctionError == "" {
		// A streaming function's whole response, of the type its runtime
		// gave.
		out.ContentType = ptr(res.ContentType)
	}
	functionError := res.FunctionError
	if len(out.Payload) > maxSyncResponse {
		out.Payload = []byte(fmt.Sprintf(`{"errorMessage":"Response payload size exceeded maximum allowed payload size (%d bytes).","errorType":"Function.ResponseSizeTooLarge"}`, maxSyncResponse))
		functionError = "Unhandled"
	}
	if functionError != "" {
		out.FunctionError = &functionError
	}
	if tail {
		logTail := res.LogTail
		if len(logTail) > logTailBytes {
			logTail = logTail[len(logTail)-logTailBytes:]
		}
		out.LogResult = ptr(base64.StdEncoding.EncodeToString(logTail))
	}
	return out, nil
}

// checkJSON refuses a payload that is not JSON, as Lambda does before it
// runs anything.
func checkJSON(payload []byte) error {
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		return ErrInvalidRequestContent.Withf("Could not parse request body into json: Could not parse payload into json: %v", err)
	}
	return nil
}

// decodeClientContext returns the client context's JSON from its base64
// header form.
// prepareInvocation reads what Invoke and InvokeWithResponseStream read
// alike, once the payload's size is checked: the payload ({} when empty,
// else JSON), the decoded client context, and the function and version
// the target names.
func (s *Service) prepareInvocation(t target, payload []byte, clientContext *string) ([]byte, string, *function, *version, error) {
	if len(payload) == 0 {
		payload = []byte("{}")
	} else if err := checkJSON(payload); err != nil {
		return nil, "", nil, nil, err
	}
	cc, err := decodeClientContext(clientContext)
	if err != nil {
		return nil, "", nil, nil, err
	}
	fn, v, err := s.invocationTarget(t)
	if err != nil {
		return nil, "", nil, nil, err
	}
	return payload, cc, fn, v, nil
}

// acceptEvent queues an Event invocation of fn (t's qualifier) with the
// request id and trace of the API call ctx belongs to.
func (s *Service) acceptEvent(ctx context.Context, fn *function, t target, payload []byte, clientContext string) error {
	requestID, traceID := s.ids.UUID(), ""
	if c := awsproto.CallFrom(ctx); c != nil {
		requestID, traceID = c.RequestID, c.TraceID
	}
	now := s.clock.Now()
	return s.enqueue(&asyncInvocation{
		ID: requestID, Function: fn.Name, Qualifier: t.Qualifier, Payload: payload,
		ClientContext: clientContext, TraceID: traceID, Upstream: callerTraceHeader(ctx), Enqueued: now, NotBefore: now,
	})
}

// invocationTarget is the function and version an invocation of t runs.
func (s *Service) invocationTarget(t target) (*function, *version, error) {
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, nil, functionNotFound(s.arn(t))
	}
	v, err := s.resolveInvocation(fn, t)
	if err != nil {
		return nil, nil, err
	}
	return fn, v, nil
}

func decodeClientContext(h *string) (string, error) {
	if h == nil || *h == "" {
		return "", nil
	}
	if len(*h) > maxClientContext {
		return "", invalidParameter("Client context must be smaller than %d bytes.", maxClientContext)
	}
	b, err := base64.StdEncoding.DecodeString(*h)
	if err != nil || !json.Valid(b) {
		return "", invalidParameter("Client context must be a valid Base64-encoded JSON object.")
	}
	return string(b), nil
}

// resolveInvocation finds the version an invocation of t runs: $LATEST,
// a published version, or the version an alias routes this invocation
// to (by its weights).
func (s *Service) resolveInvocation(fn *function, t target) (*version, error) {
	q := t.Qualifier
	switch {
	case q == "" || q == latest:
		return fn.Latest, nil
	case isVersionNumber(q):
		if v := fn.versionNamed(q); v != nil {
			return v, nil
		}
	default:
		if a := fn.Aliases[q]; a != nil {
			name := *a.FunctionVersion
			if a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0 {
				name = s.route(name, a.RoutingConfig.AdditionalVersionWeights)
			}
			if v := fn.versionNamed(name); v != nil {
				return v, nil
			}
		}
	}
	return nil, functionNotFound(s.qualifiedARN(fn.Name, q))
}

// route picks the version of an alias with additional weights: each
// additional version gets its weight's share of invocations, the primary
// the rest.
func (s *Service) route(primary string, weights map[string]float64) string {
	r := s.random()
	for _, name := range sortedKeys(weights) {
		if r < weights[name] {
			return name
		}
		r -= weights[name]
	}
	return primary
}

// random returns a number in [0, 1) from the injected source of ids.
func (s *Service) random() float64 {
	n, _ := strconv.ParseUint(s.ids.Hex(7), 16, 64)
	return float64(n>>3) / float64(uint64(1)<<53)
}

// run invokes v, a version of fn, within the concurrency fn may use.
// Function errors, those of an environment that could not start
// included, come back from the Manager as a Result, as Invoke reports
// them (200, X-Amz-Function-Error: Unhandled); an invocation that never
// reached an environment is an API error.
func (s *Service) run(ctx context.Context, fn *function, v *version, inv *functions.Invocation) (*functions.Result, error) {
	header, err := s.chain(fn, inv.TraceID)
	if err != nil {
		return nil, err
	}
	inv.TraceID = header
	concurrency, release, adm, err := s.admit(fn, v)
	if err != nil {
		s.observeThrottle(fn, inv)
		return nil, err
	}
	defer release()
	spec, err := s.spec(fn, v, concurrency)
	if err != nil {
		return nil, err
	}
	done := s.observe(fn, v, inv, adm)
	tr := s.startTrace(ctx, v, inv)
	if tr != nil {
		// The traced header names the function's segment; the chain's
		// count goes on with it.
		inv.TraceID = traceheader.With(inv.TraceID, "Lineage", traceheader.Field(header, "Lineage"))
	}
	res, err := s.fns.Invoke(ctx, spec, inv)
	tr.finish(res, err)
	done(res, err)
	if err == nil {
		return res, nil
	}
	var re *functions.RuntimeError
	if !errors.As(err, &re) {
		return nil, err
	}
	switch re.Type {
	case functions.TypeTooManyRequests:
		if fn.Reserved != nil {
			return nil, throttled(reasonReserved)
		}
		return nil, throttled(reasonAccount)
	case functions.TypeService:
		return nil, ErrService.WithMessage(re.Message)
	case functions.TypeInvalidRuntime:
		return nil, ErrInvalidRuntime.WithMessage(re.Message)
	}
	// Lambda's other errors of an invocation that could not be placed
	// (EC2, EFS, SnapStart, ...) are 502s.
	return nil, &apierr.Error{Code: re.Type, Status: 502, Message: re.Message, Fault: true}
}
