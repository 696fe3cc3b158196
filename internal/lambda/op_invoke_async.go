package lambda

import (
	"context"
	"io"
)

// invokeAsync is the deprecated InvokeAsync: an Event invocation whose
// payload is InvokeArgs, answered with status 202 once it is queued. It
// takes an unqualified function (the operation has no Qualifier; an ARN
// or name with a version or alias runs that one) and checks the payload
// as Invoke does.
func (s *Service) invokeAsync(ctx context.Context, in *InvokeAsyncRequest) (*InvokeAsyncResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	defer in.InvokeArgs.Close()
	// One byte past the limit is enough to refuse a payload as too large
	// (the message then counts only that far).
	payload, err := io.ReadAll(io.LimitReader(in.InvokeArgs, maxAsyncPayload+1))
	if err != nil {
		return nil, err
	}
	if len(payload) > maxAsyncPayload {
		return nil, ErrRequestEntityTooLarge.Withf("%d byte payload is too large for the Event invocation type (limit %d bytes)", len(payload), maxAsyncPayload)
	}
	payload, _, fn, _, err := s.prepareInvocation(t, payload, nil)
	if err != nil {
		return nil, err
	}
	if err := s.acceptEvent(ctx, fn, t, payload, ""); err != nil {
		return nil, err
	}
	return &InvokeAsyncResponse{Status: ptr(int32(202))}, nil
}
