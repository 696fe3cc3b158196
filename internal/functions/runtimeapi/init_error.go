package runtimeapi

// initError is POST /2018-06-01/runtime/init/error: the runtime could not
// initialize (a missing handler, an import that failed). Allowed only
// before the first /next.
func (c *conn) initError(req *request) bool {
	s := c.s
	s.mu.Lock()
	from := s.state
	s.mu.Unlock()
	if status, typ, msg := verdict(from, "", actInitError, ""); status != 0 {
		return c.refuseWith(req, status, typ, msg)
	}
	if !c.continue100(req) {
		return false
	}
	body, tooLarge, err := readBody(req, maxErrorBytes)
	if err != nil {
		return false
	}
	if status, typ, msg := s.begin(actInitError, "", false); status != 0 {
		return c.refuseWith(req, status, typ, msg) && !tooLarge
	}
	if tooLarge {
		body = nil
	}
	// The event goes first: a runtime exits as soon as it has its 202, and
	// its exit must not be seen before the error it posted.
	s.emit(Event{Kind: EventInitError, Body: body, ErrorType: req.errorType})
	ok := c.accepted()
	return ok && !tooLarge
}
