package runtimeapi

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// MaxResponseBytes is the largest invocation response a runtime may post:
// "Invocation payload (request and response): 6 MB each for synchronous
// invocations"; AWS counts 6 MiB and 100 bytes, and names the figure in
// its errors.
const MaxResponseBytes = 6*1024*1024 + 100

// maxErrorBytes bounds an error document or an init error: AWS does not
// document a figure; the response limit is a generous one.
const maxErrorBytes = MaxResponseBytes

// Invocation is what GET /next hands the runtime.
type Invocation struct {
	RequestID string
	Payload   []byte
	// Deadline is the invocation's time limit (Lambda-Runtime-Deadline-Ms).
	Deadline        time.Time
	FunctionARN     string
	TraceID         string
	ClientContext   string
	CognitoIdentity string
	// Streaming says the caller reads the response as a stream (a
	// function URL in RESPONSE_STREAM mode, InvokeWithResponseStream):
	// a chunked response then streams whether or not the runtime sets
	// Lambda-Runtime-Function-Response-Mode, which aws-lambda-go does not
	// (its LambdaFunctionURLStreamingResponse is a chunked body).
	Streaming bool
}

// EventKind says what the runtime did.
type EventKind uint8

// The events a Server reports.
const (
	// EventReady: the runtime asked for its first invocation, so its
	// initialization is complete.
	EventReady EventKind = iota + 1
	// EventInitError: the runtime posted /init/error (Body, ErrorType).
	EventInitError
	// EventResponse: the runtime posted the invocation's response (Body).
	EventResponse
	// EventError: the runtime posted an invocation error (Body, ErrorType).
	EventError
	// EventResponseTooLarge: the runtime's response exceeded
	// MaxResponseBytes and was refused with 413.
	EventResponseTooLarge
	// EventStreamStart: the runtime began a streamed response
	// (Lambda-Runtime-Function-Response-Mode: streaming), of ContentType.
	// EventStreamChunk events (Body) follow as its bytes arrive, then one
	// EventStreamEnd: ErrorType and Body (the decoded error body) are set
	// when the runtime reported an error in its trailers, when the
	// response went past MaxStreamedResponseBytes
	// (Function.ResponseSizeTooLarge), or when it broke off
	// (Runtime.TruncatedResponse).
	EventStreamStart
	EventStreamChunk
	EventStreamEnd
)

// Event is one thing the runtime did that the environment must know.
type Event struct {
	Kind      EventKind
	RequestID string
	Body      []byte
	// ErrorType is the Lambda-Runtime-Function-Error-Type header (or
	// trailer, for a streamed response).
	ErrorType string
	// ContentType is the Content-Type of a streamed response.
	ContentType string
}

// ErrClosed is returned by Dispatch once the Server is closed.
var ErrClosed = errors.New("runtimeapi: server closed")

// ErrBusy is returned by Dispatch when an invocation is already pending.
var ErrBusy = errors.New("runtimeapi: an invocation is already pending")

// Server is the Runtime API of one execution environment. It is safe for
// concurrent use.
type Server struct {
	ln   net.Listener
	addr string

	invocations chan *Invocation // capacity 1: at most one pending
	events      chan Event
	closed      chan struct{}
	closeOnce   sync.Once

	// maxStreamed is MaxStreamedResponseBytes (smaller in tests).
	maxStreamed int64

	mu      sync.Mutex
	state   State
	current string // request id of the invocation handed out last
	// currentStreaming is the Streaming of the invocation handed out
	// last.
	currentStreaming bool
	poll             chan struct{} // closed to cancel the pending poll (superseded)
	conns            map[net.Conn]struct{}

	// The Extensions API (extensions.go): ext is made by the first
	// registration (or by the environment naming its extensions), and
	// hasExt set once an extension registered, so that an environment
	// without extensions takes no lock for them.
	hasExt atomic.Bool
	ext    *extensions

	// sdk installs the AWS SDK's packages the runtime asks for (sdk.go).
	sdk SDKProvider
}

// New starts a Server on a free port of 127.0.0.1.
func New() (*Server, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		ln:          ln,
		addr:        ln.Addr().String(),
		invocations: make(chan *Invocation, 1),
		// Events per invocation cycle are few (ready, one outcome); the
		// environment drains them, and sends also watch closed.
		events:      make(chan Event, 4),
		closed:      make(chan struct{}),
		conns:       map[net.Conn]struct{}{},
		maxStreamed: MaxStreamedResponseBytes,
	}
	go s.accept()
	return s, nil
}

// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.addr }

// Events delivers what the runtime does, in order.
func (s *Server) Events() <-chan Event { return s.events }

// State returns the current state.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Delivered reports whether the runtime has received the invocation
// requestID (its /next returned it).
func (s *Server) Delivered(requestID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current == requestID
}

// Dispatch hands inv to the runtime: to the pending /next, or to the next
// one. The environment dispatches only after EventReady or after the
// previous invocation's outcome.
func (s *Server) Dispatch(inv *Invocation) error {
	select {
	case <-s.closed:
		return ErrClosed
	default:
	}
	select {
	case s.invocations <- inv:
	default:
		return ErrBusy
	}
	if s.hasExt.Load() {
		s.mu.Lock()
		s.dispatchExtensionsLocked(inv)
		s.mu.Unlock()
	}
	return nil
}

// Close refuses further requests (500), ends a pending poll and stops
// listening. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.state = StateClosed
		conns := s.conns
		s.conns = nil
		s.mu.Unlock()
		close(s.closed)
		s.ln.Close()
		for c := range conns {
			c.Close()
		}
	})
	return nil
}

// emit delivers an event unless the server closes first.
func (s *Server) emit(ev Event) {
	select {
	case s.events <- ev:
	case <-s.closed:
	}
}

func (s *Server) accept() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.conns == nil {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[nc] = struct{}{}
		s.mu.Unlock()
		go s.serveConn(nc)
	}
}

// conn is one connection from the runtime.
type conn struct {
	s   *Server
	nc  net.Conn
	br  *bufio.Reader
	out []byte // reused for response heads
}

func (s *Server) serveConn(nc net.Conn) {
	defer func() {
		nc.Close()
		s.mu.Lock()
		delete(s.conns, nc)
		s.mu.Unlock()
	}()
	c := &conn{s: s, nc: nc, br: bufio.NewReaderSize(nc, readBufferSize)}
	for {
		req, err := readRequest(c.br)
		switch err {
		case nil:
		case errHeaderTooLarge:
			c.reply(431, "", nil, true)
			return
		case errMalformed:
			c.reply(400, "", nil, true)
			return
		default:
			return
		}
		if !c.serve(req) || req.close {
			return
		}
	}
}

// serve routes one request; it reports whether the connection may carry
// another.
func (c *conn) serve(req *request) bool {
	ep, id := route(req.method, req.path)
	switch ep {
	case endpointNext:
		return c.next(req)
	case endpointResponse:
		return c.response(req, id)
	case endpointError:
		return c.invocationError(req, id)
	case endpointInitError:
		return c.initError(req)
	case endpointExtRegister:
		return c.extRegister(req)
	case endpointExtNext:
		return c.extNext(req)
	case endpointExtInitError:
		return c.extError(req, true)
	case endpointExtExitError:
		return c.extError(req, false)
	case endpointTelemetrySubscribe:
		return c.subscribe(req, TelemetryAPI)
	case endpointLogsSubscribe:
		return c.subscribe(req, LogsAPI)
	case endpointSDK:
		return c.provideSDK(req, id)
	case endpointMethodNotAllowed:
		return c.refuse(req, 405, "", nil)
	}
	return c.refuse(req, 404, "text/plain; charset=utf-8", []byte("404 page not found\n"))
}

// reply writes a whole response in one write.
func (c *conn) reply(status int, contentType string, body []byte, close bool, extra ...string) bool {
	c.out = appendResponseHead(c.out[:0], status, contentType, len(body), close, extra...)
	var err error
	if len(body) <= 32<<10 {
		c.out = append(c.out, body...)
		_, err = c.nc.Write(c.out)
	} else {
		bufs := net.Buffers{c.out, body}
		_, err = bufs.WriteTo(c.nc)
	}
	return err == nil && !close
}

// refuse answers a request without reading its body; a connection that
// still carries an unread body cannot serve another request.
func (c *conn) refuse(req *request, status int, contentType string, body []byte) bool {
	return c.reply(status, contentType, body, req.contentLength != 0)
}

// continue100 answers "Expect: 100-continue" before a body is read.
func (c *conn) continue100(req *request) bool {
	if !req.expectContinue {
		return true
	}
	_, err := c.nc.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
	return err == nil
}

// check validates action a for the invocation id against the state,
// without applying it: used before reading a body, so that a wrong id or
// state is refused at once. The transition is applied after the body is
// read (begin), and may then still be refused (a concurrent post).
func (s *Server) check(a action, id string) (status int, typ, msg string) {
	s.mu.Lock()
	from := s.state
	cur := s.current
	s.mu.Unlock()
	return verdict(from, cur, a, id)
}

// begin validates action a and applies it.
func (s *Server) begin(a action, id string, checkID bool) (status int, typ, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.current
	if !checkID {
		cur, id = "", ""
	}
	status, typ, msg = verdict(s.state, cur, a, id)
	if status == 0 {
		s.state, _ = transition(s.state, a)
	}
	return
}

// verdict is the state machine's answer to action a on invocation id:
// 0 when allowed, else the refusal.
func verdict(from State, current string, a action, id string) (status int, typ, msg string) {
	if from == StateClosed {
		return 500, errEnvironmentShutdown, msgEnvironmentShutdown
	}
	if (a == actResponse || a == actError) && (id == "" || id != current) {
		return 400, errInvalidRequestID, "Invalid request ID"
	}
	if _, ok := transition(from, a); !ok {
		return 403, errInvalidStateTransition,
			"State transition from " + from.lambdaName() + " to " + lambdaTargets[a] + " failed for runtime. Error: State transition is not allowed"
	}
	return 0, "", ""
}
