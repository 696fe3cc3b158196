package lambda

import (
	"context"
	"fmt"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/traceheader"
)

// Services invoke functions in Go: SNS, EventBridge and EventBridge
// Scheduler hand events to functions asynchronously, as AWS's services do
// (an Event invocation: queued durably, retried, sent to the function's
// dead-letter queue or destinations when it keeps failing).

// InvokeAsync accepts an Event invocation of the function (or version or
// alias) the ARN or name names, as Invoke with InvocationType Event does,
// and returns its request id.
func (s *Service) InvokeAsync(ctx context.Context, function string, payload []byte) (string, error) {
	t, err := s.parseTarget(function, nil)
	if err != nil {
		return "", err
	}
	if len(payload) > maxAsyncPayload {
		return "", ErrRequestEntityTooLarge.Withf("%d byte payload is too large for the Event invocation type (limit %d bytes)", len(payload), maxAsyncPayload)
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return "", functionNotFound(s.arn(t))
	}
	if _, err := s.resolveInvocation(fn, t); err != nil {
		return "", err
	}
	now := s.clock.Now()
	// The invocation carries on the trace (and the chain of requests) of
	// what caused it: the call it is made in (an SNS Publish), or the
	// header a service kept from the call (an S3 notification's).
	e := &asyncInvocation{ID: s.ids.UUID(), Function: fn.Name, Qualifier: t.Qualifier, Payload: payload, Enqueued: now, NotBefore: now,
		Upstream: callerTraceHeader(ctx)}
	if h, ok := traceheader.FromContext(ctx); ok {
		e.TraceID = h
	} else if c := awsproto.CallFrom(ctx); c != nil {
		e.TraceID = c.TraceID
	}
	if err := s.enqueue(e); err != nil {
		return "", err
	}
	return e.ID, nil
}

// FunctionExists reports whether the function (or version or alias) the
// ARN or name names exists, for services that check targets up front.
func (s *Service) FunctionExists(function string) bool {
	t, err := s.parseTarget(function, nil)
	if err != nil {
		return false
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return false
	}
	_, err = s.resolveInvocation(fn, t)
	return err == nil
}

// InvokeSync runs a RequestResponse invocation for another service (API
// Gateway's proxy integration, a Lambda authorizer, a function URL) and
// returns the function's response payload and its error type ("" when
// it succeeded, "Unhandled" or "Handled" otherwise). err is Lambda's own
// failure (throttling, an environment that cannot start), which callers
// turn into their own error answers.
func (s *Service) InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error) {
	t, err := s.parseTarget(function, nil)
	if err != nil {
		return nil, "", err
	}
	if len(payload) > maxSyncPayload {
		return nil, "", ErrRequestTooLarge
	}
	fn, v, err := s.invocationTarget(t)
	if err != nil {
		return nil, "", err
	}
	requestID, traceID := s.ids.UUID(), ""
	if c := awsproto.CallFrom(ctx); c != nil && c.TraceID != "" {
		traceID = c.TraceID
	}
	res, err := s.run(ctx, fn, v, &functions.Invocation{RequestID: requestID, InvokedARN: s.arn(t), Payload: payload, TraceID: traceID})
	if err != nil {
		return nil, "", err
	}
	if len(res.Payload) > maxSyncResponse {
		return []byte(fmt.Sprintf(`{"errorMessage":"Response payload size exceeded maximum allowed payload size (%d bytes).","errorType":"Function.ResponseSizeTooLarge"}`, maxSyncResponse)), "Unhandled", nil
	}
	return res.Payload, res.FunctionError, nil
}

// InvokeStream runs a RequestResponse invocation for a function URL in
// RESPONSE_STREAM mode: a function that streams its response has it
// passed to begin and write as it comes; one that does not returns its
// whole response, as InvokeSync does.
func (s *Service) InvokeStream(ctx context.Context, function string, payload []byte, begin func(contentType string), write func([]byte) error) (response []byte, functionError string, err error) {
	t, err := s.parseTarget(function, nil)
	if err != nil {
		return nil, "", err
	}
	if len(payload) > maxSyncPayload {
		return nil, "", ErrRequestTooLarge
	}
	fn, v, err := s.invocationTarget(t)
	if err != nil {
		return nil, "", err
	}
	requestID, traceID := s.ids.UUID(), ""
	if c := awsproto.CallFrom(ctx); c != nil && c.TraceID != "" {
		traceID = c.TraceID
	}
	res, err := s.run(context.WithoutCancel(ctx), fn, v, &functions.Invocation{RequestID: requestID, InvokedARN: s.arn(t), Payload: payload,
		TraceID: traceID, Stream: streamFuncs{begin, write}})
	if err != nil {
		return nil, "", err
	}
	if !res.Streamed && len(res.Payload) > maxSyncResponse {
		return []byte(fmt.Sprintf(`{"errorMessage":"Response payload size exceeded maximum allowed payload size (%d bytes).","errorType":"Function.ResponseSizeTooLarge"}`, maxSyncResponse)), "Unhandled", nil
	}
	return res.Payload, res.FunctionError, nil
}

// streamFuncs is a functions.ResponseStream of two functions.
type streamFuncs struct {
	begin func(contentType string)
	write func([]byte) error
}

func (f streamFuncs) Begin(contentType string) { f.begin(contentType) }
func (f streamFuncs) Write(p []byte) error     { return f.write(p) }
