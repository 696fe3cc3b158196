package runtimeapi

// invocationError is POST /2018-06-01/runtime/invocation/{id}/error: the
// function (or the runtime, on its behalf) failed; the body is the error
// document returned to the caller, Lambda-Runtime-Function-Error-Type its
// type.
func (c *conn) invocationError(req *request, id string) bool {
	s := c.s
	if status, typ, msg := s.check(actError, id); status != 0 {
		return c.refuseWith(req, status, typ, msg)
	}
	if !c.continue100(req) {
		return false
	}
	body, tooLarge, err := readBody(req, maxErrorBytes)
	if err != nil {
		return false
	}
	if status, typ, msg := s.begin(actError, id, true); status != 0 {
		return c.refuseWith(req, status, typ, msg) && !tooLarge
	}
	if tooLarge {
		s.emit(Event{Kind: EventResponseTooLarge, RequestID: id})
		return c.tooLarge()
	}
	// The event goes first: a runtime may exit as soon as it has its
	// 202 (aws-lambda-go after a panic), and its exit must not be seen
	// before what it posted.
	s.emit(Event{Kind: EventError, RequestID: id, Body: body, ErrorType: req.errorType})
	return c.accepted()
}
