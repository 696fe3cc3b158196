package lambda

import "context"

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
	e := &asyncInvocation{ID: s.ids.UUID(), Function: fn.Name, Qualifier: t.Qualifier, Payload: payload, Enqueued: now, NotBefore: now}
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
