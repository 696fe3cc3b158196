package runtimeapi

import "io"

// response is POST /2018-06-01/runtime/invocation/{id}/response.
func (c *conn) response(req *request, id string) bool {
	s := c.s
	if status, typ, msg := s.check(actResponse, id); status != 0 {
		return c.refuseWith(req, status, typ, msg)
	}
	if req.streaming || (req.contentLength == -1 && s.streamingInvocation(id)) {
		return c.streamResponse(req, id)
	}
	if !c.continue100(req) {
		return false
	}
	body, tooLarge, err := readBody(req, MaxResponseBytes)
	if err != nil {
		return false // the runtime went away mid-body; its exit is reported by the environment
	}
	if status, typ, msg := s.begin(actResponse, id, true); status != 0 {
		return c.refuseWith(req, status, typ, msg) && !tooLarge
	}
	if tooLarge {
		s.emit(Event{Kind: EventResponseTooLarge, RequestID: id})
		return c.tooLarge()
	}
	// The event goes first: a runtime may exit as soon as it has its
	// 202 (aws-lambda-go after a panic), and its exit must not be seen
	// before what it posted.
	s.emit(Event{Kind: EventResponse, RequestID: id, Body: body})
	return c.accepted()
}

// streamingInvocation reports whether id is the current invocation and
// its caller reads the response as a stream.
func (s *Server) streamingInvocation(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current == id && s.currentStreaming
}

// readBody reads at most limit bytes of the body; tooLarge reports a body
// over the limit, whose rest is not read (the connection must close).
func readBody(req *request, limit int) (body []byte, tooLarge bool, err error) {
	n := req.contentLength
	if n > int64(limit) {
		return nil, true, nil
	}
	size := 512
	if n >= 0 {
		size = int(n)
	}
	body = make([]byte, 0, size)
	body, err = readAtMost(req.body, body, limit+1)
	if err != nil {
		return nil, false, err
	}
	if n >= 0 && int64(len(body)) < n {
		return nil, false, io.ErrUnexpectedEOF
	}
	if len(body) > limit {
		return nil, true, nil
	}
	return body, false, nil
}

func readAtMost(rd io.Reader, b []byte, max int) ([]byte, error) {
	for len(b) < max {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		end := min(cap(b), max)
		n, err := rd.Read(b[len(b):end])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}
