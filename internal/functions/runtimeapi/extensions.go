package runtimeapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The Extensions API, version 2020-01-01, served beside the Runtime API
// on the same address (AWS_LAMBDA_RUNTIME_API):
//
//	POST /2020-01-01/extension/register    Lambda-Extension-Name, {"events":[...]} → 200, Lambda-Extension-Identifier
//	GET  /2020-01-01/extension/event/next  Lambda-Extension-Identifier → the next INVOKE or SHUTDOWN event
//	POST /2020-01-01/extension/init/error  Lambda-Extension-Function-Error-Type → 202
//	POST /2020-01-01/extension/exit/error  Lambda-Extension-Function-Error-Type → 202

// MaxExtensions is Lambda's quota on extensions: "Extensions: 10" per
// function.
const MaxExtensions = 10

// The Extensions API's error types, as AWS's runtime interface names them.
const (
	errExtMissingID          = "Extension.MissingExtensionIdentifier"
	errExtInvalidID          = "Extension.InvalidExtensionIdentifier"
	errExtInvalidName        = "Extension.InvalidExtensionName"
	errExtRegistrationClosed = "Extension.RegistrationClosed"
	errExtUnknownID          = "Extension.UnknownExtensionIdentifier"
	errExtInvalidState       = "Extension.InvalidExtensionState"
	errExtMissingHeader      = "Extension.MissingHeader"
	errExtTooMany            = "Extension.TooManyExtensions"
	errExtInvalidEventType   = "Extension.InvalidEventType"
	errInvalidRequestFormat  = "InvalidRequestFormat"
)

// The events an extension subscribes to.
const (
	EventTypeInvoke   = "INVOKE"
	EventTypeShutdown = "SHUTDOWN"
)

// The shutdown reasons of a SHUTDOWN event.
const (
	ShutdownSpindown = "spindown"
	ShutdownTimeout  = "timeout"
	ShutdownFailure  = "failure"
)

// FunctionInfo is what the register answer tells an extension.
type FunctionInfo struct {
	FunctionName    string `json:"functionName"`
	FunctionVersion string `json:"functionVersion"`
	Handler         string `json:"handler"`
	// AccountID is sent only to an extension that registers with
	// Lambda-Extension-Accept-Feature: accountId.
	AccountID string `json:"accountId,omitempty"`
}

// extState is where one extension is in its life cycle.
type extState uint8

const (
	extRegistered extState = iota // registered, has not asked for an event yet
	extReady                      // waiting on /event/next
	extRunning                    // took an event, has not asked for the next one
	extInitError                  // posted /init/error
	extExitError                  // posted /exit/error
)

var extStateNames = [...]string{
	extRegistered: "Registered",
	extReady:      "Ready",
	extRunning:    "Running",
	extInitError:  "InitError",
	extExitError:  "ExitError",
}

func (s extState) String() string { return extStateNames[s] }

// extension is one registered extension. Guarded by Server.mu.
type extension struct {
	id, name string
	external bool
	invoke   bool // subscribed to INVOKE
	shutdown bool // subscribed to SHUTDOWN
	state    extState
	gone     bool          // its process ended
	busy     bool          // an event was handed to it that it has not finished
	pending  []byte        // the event it is to take next
	wake     chan struct{} // capacity 1: an event is pending
	poll     chan struct{} // closed to cancel a superseded poll
	shutBusy bool          // the SHUTDOWN event is out and not finished
	// subscribed is the API it subscribed to telemetry through, if any
	// (telemetry.go).
	subscribed SubscriptionAPI
}

// extensions is the Server's Extensions API state. Guarded by Server.mu.
type extensions struct {
	info     FunctionInfo
	expected map[string]bool // external extensions by name: true once registered or gone
	missing  int             // external extensions yet to register
	allIn    chan struct{}   // closed when missing reaches 0
	list     []*extension
	closed   bool // registration is over (the runtime asked for its first invocation)
	// runtimeReady: the runtime called /next; readyEmitted: EventReady
	// went out (the runtime and every extension asked for an event).
	runtimeReady, readyEmitted bool
	busy                       int           // INVOKE events out and not finished
	done                       chan struct{} // closed when busy reaches 0
	shutBusy                   int
	shutDone                   chan struct{}
	// observer is told of registrations and subscriptions; subsClosed
	// ends subscriptions (telemetry.go).
	observer   Observer
	subsClosed bool
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// SetFunction sets what the register answer says of the function. Call
// it before the environment's processes start.
func (s *Server) SetFunction(info FunctionInfo) {
	s.mu.Lock()
	s.extLocked().info = info
	s.mu.Unlock()
}

// ExpectExtensions names the external extensions (the executables of
// /opt/extensions) the environment is starting. The channel it returns
// is closed once each has registered or ended (ExtensionExited): then
// the runtime may start.
func (s *Server) ExpectExtensions(names []string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.extLocked()
	if x.expected == nil {
		x.expected = map[string]bool{}
	}
	for _, n := range names {
		if _, ok := x.expected[n]; !ok {
			x.expected[n] = false
			x.missing++
		}
	}
	x.allIn = make(chan struct{})
	if x.missing == 0 {
		close(x.allIn)
	}
	return x.allIn
}

// ExtensionExited reports that the process of the external extension
// name ended: it is no longer waited for.
func (s *Server) ExtensionExited(name string) {
	s.mu.Lock()
	x := s.ext
	if x == nil {
		s.mu.Unlock()
		return
	}
	if reg, ok := x.expected[name]; ok && !reg {
		x.expected[name] = true
		x.missing--
		if x.missing == 0 {
			close(x.allIn)
		}
	}
	var ready bool
	for _, e := range x.list {
		if e.external && e.name == name && !e.gone {
			e.gone = true
			s.finishLocked(e)
			if e.shutBusy {
				e.shutBusy = false
				s.shutFinishedLocked()
			}
		}
	}
	ready = s.initDoneLocked()
	s.mu.Unlock()
	if ready {
		s.emit(Event{Kind: EventReady})
	}
}

// Extensions reports the names of the registered extensions, in the
// order they registered.
func (s *Server) Extensions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ext == nil {
		return nil
	}
	names := make([]string, len(s.ext.list))
	for i, e := range s.ext.list {
		names[i] = e.name
	}
	return names
}

func (s *Server) extLocked() *extensions {
	if s.ext == nil {
		s.ext = &extensions{}
	}
	return s.ext
}

// initDoneLocked reports whether EventReady is due now: the runtime and
// every live extension asked for an event. It marks it sent.
func (s *Server) initDoneLocked() bool {
	x := s.ext
	if x == nil || !x.runtimeReady || x.readyEmitted {
		return false
	}
	for _, e := range x.list {
		if e.state == extRegistered && !e.gone {
			return false
		}
	}
	x.readyEmitted = true
	return true
}

// dispatchExtensionsLocked hands every extension subscribed to INVOKE
// the invocation's event.
func (s *Server) dispatchExtensionsLocked(inv *Invocation) {
	x := s.ext
	var body []byte
	for _, e := range x.list {
		if !e.invoke || e.gone || e.state == extExitError || e.state == extInitError {
			continue
		}
		if body == nil {
			body, _ = json.Marshal(invokeEvent{
				EventType: EventTypeInvoke, DeadlineMs: inv.Deadline.UnixMilli(),
				RequestID: inv.RequestID, InvokedFunctionArn: inv.FunctionARN,
				Tracing: tracing{Type: "X-Amzn-Trace-Id", Value: inv.TraceID},
			})
		}
		if !e.busy {
			e.busy = true
			if x.busy == 0 {
				x.done = make(chan struct{})
			}
			x.busy++
		}
		e.pending = body
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
}

// finishLocked records that e is done with its INVOKE event.
func (s *Server) finishLocked(e *extension) {
	if !e.busy {
		return
	}
	e.busy, e.pending = false, nil
	s.ext.busy--
	if s.ext.busy == 0 {
		close(s.ext.done)
	}
}

func (s *Server) shutFinishedLocked() {
	s.ext.shutBusy--
	if s.ext.shutBusy == 0 {
		close(s.ext.shutDone)
	}
}

// ExtensionsDone returns a channel closed once every extension
// subscribed to INVOKE has finished the last invocation's event (asked
// for the next one, or ended). Without such extensions it is closed.
func (s *Server) ExtensionsDone() <-chan struct{} {
	if !s.hasExt.Load() {
		return closedChan
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ext.busy == 0 {
		return closedChan
	}
	return s.ext.done
}

// Shutdown hands every extension subscribed to SHUTDOWN its event, with
// reason and deadline, and returns a channel closed once each has
// finished it (asked for the next event, or ended). Without such
// extensions it is closed.
func (s *Server) Shutdown(reason string, deadline time.Time) <-chan struct{} {
	if !s.hasExt.Load() {
		return closedChan
	}
	body, _ := json.Marshal(shutdownEvent{EventType: EventTypeShutdown, DeadlineMs: deadline.UnixMilli(), ShutdownReason: reason})
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.ext
	if x.shutDone != nil {
		return x.shutDone
	}
	x.shutDone = make(chan struct{})
	for _, e := range x.list {
		if !e.shutdown || e.gone || e.state == extExitError || e.state == extInitError {
			continue
		}
		e.shutBusy = true
		x.shutBusy++
		e.pending = body
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
	if x.shutBusy == 0 {
		close(x.shutDone)
	}
	return x.shutDone
}

// HasShutdownSubscribers reports whether a live extension subscribed to
// SHUTDOWN.
func (s *Server) HasShutdownSubscribers() bool {
	if !s.hasExt.Load() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.ext.list {
		if e.shutdown && !e.gone && e.state != extExitError && e.state != extInitError {
			return true
		}
	}
	return false
}

// HasInternalExtensions reports whether an extension registered from
// the runtime's process (one not among the expected external ones).
func (s *Server) HasInternalExtensions() bool {
	if !s.hasExt.Load() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.ext.list {
		if !e.external {
			return true
		}
	}
	return false
}

type tracing struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type invokeEvent struct {
	EventType          string  `json:"eventType"`
	DeadlineMs         int64   `json:"deadlineMs"`
	RequestID          string  `json:"requestId"`
	InvokedFunctionArn string  `json:"invokedFunctionArn"`
	Tracing            tracing `json:"tracing"`
}

type shutdownEvent struct {
	EventType      string `json:"eventType"`
	ShutdownReason string `json:"shutdownReason"`
	DeadlineMs     int64  `json:"deadlineMs"`
}

// registerRequest is the body of /extension/register.
type registerRequest struct {
	Events            []string `json:"events"`
	ConfigurationKeys []string `json:"configurationKeys"`
}

// newID is a random UUID (version 4), as AWS's identifiers are.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// validID reports whether id has a UUID's form.
func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// extRegister is POST /2020-01-01/extension/register. An external
// extension registers by its file name under /opt/extensions; any other
// name is an internal extension (one the runtime process runs), which
// may subscribe to INVOKE only. Registration closes when the runtime
// asks for its first invocation.
func (c *conn) extRegister(req *request) bool {
	s := c.s
	name := req.ext.name
	if name == "" {
		return c.refuseWith(req, 403, errExtInvalidName, "Empty extension name")
	}
	body, ok := c.smallBody(req, maxErrorBytes, 403, errInvalidRequestFormat)
	if !ok {
		return false
	}
	var r registerRequest
	if err := json.Unmarshal(body, &r); err != nil {
		return c.refuseWith(req, 403, errInvalidRequestFormat, err.Error())
	}
	if len(r.ConfigurationKeys) != 0 {
		return c.refuseWith(req, 403, errInvalidRequestFormat, "configurationKeys are deprecated; use environment variables instead")
	}
	s.mu.Lock()
	if s.state == StateClosed {
		s.mu.Unlock()
		return c.refuseWith(req, 500, errEnvironmentShutdown, msgEnvironmentShutdown)
	}
	x := s.extLocked()
	registered, external := x.expected[name]
	e := &extension{name: name, external: external, wake: make(chan struct{}, 1)}
	for _, ev := range r.Events {
		switch {
		case ev == EventTypeInvoke:
			e.invoke = true
		case ev == EventTypeShutdown && external:
			e.shutdown = true
		default:
			s.mu.Unlock()
			reason := "unknown event type"
			if ev == EventTypeShutdown {
				reason = "internal extensions cannot subscribe to SHUTDOWN"
			}
			return c.refuseWith(req, 403, errExtInvalidEventType, ev+": "+reason)
		}
	}
	var status int
	var typ, msg string
	switch {
	case external && registered:
		state := extRegistered
		for _, o := range x.list {
			if o.name == name {
				state = o.state
			}
		}
		status, typ, msg = 403, errExtInvalidState,
			"State transition from "+state.String()+" to Registered failed for extension "+name+". Error: State transition is not allowed"
	case external:
	case x.closed || s.state != StateStarting:
		status, typ, msg = 403, errExtRegistrationClosed, "Extension registration closed already"
	case len(x.list) >= MaxExtensions:
		status, typ, msg = 403, errExtTooMany, "Extension limit ("+strconv.Itoa(MaxExtensions)+") reached"
	default:
		for _, o := range x.list {
			if o.name == name {
				status, typ, msg = 403, errExtInvalidState, "Extension with this name already registered"
			}
		}
	}
	if status != 0 {
		s.mu.Unlock()
		return c.refuseWith(req, status, typ, msg)
	}
	e.id = newID()
	x.list = append(x.list, e)
	if external {
		x.expected[name] = true
		x.missing--
		if x.missing == 0 {
			close(x.allIn)
		}
	}
	info := x.info
	observer := x.observer
	s.hasExt.Store(true)
	s.mu.Unlock()
	if observer != nil {
		observer.ExtensionRegistered(name, r.Events)
	}
	if !strings.EqualFold(req.ext.acceptFeature, "accountId") {
		info.AccountID = ""
	}
	out, _ := json.Marshal(info)
	return c.reply(200, "application/json", out, false, "Lambda-Extension-Identifier: "+e.id)
}

// identify finds the extension a request names in its
// Lambda-Extension-Identifier header, or refuses the request.
func (c *conn) identify(req *request, unknown string) (*extension, bool) {
	id := req.ext.id
	if id == "" {
		return nil, c.refuseWith(req, 403, errExtMissingID, "Missing Lambda-Extension-Identifier header")
	}
	if !validID(id) {
		return nil, c.refuseWith(req, 403, errExtInvalidID, "Invalid Lambda-Extension-Identifier")
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ext != nil {
		for _, e := range s.ext.list {
			if strings.EqualFold(e.id, id) {
				return e, true
			}
		}
	}
	if unknown == "" {
		unknown = "Unknown extension " + id
	}
	return nil, c.refuseWith(req, 403, errExtUnknownID, unknown)
}

// extNext is GET /2020-01-01/extension/event/next: the extension is done
// with its last event (or with its init) and waits for the next one.
func (c *conn) extNext(req *request) bool {
	e, ok := c.identify(req, "")
	if e == nil {
		return ok
	}
	s := c.s
	s.mu.Lock()
	if s.state == StateClosed {
		s.mu.Unlock()
		return c.refuseWith(req, 500, errEnvironmentShutdown, msgEnvironmentShutdown)
	}
	if e.state == extInitError || e.state == extExitError {
		from := e.state
		s.mu.Unlock()
		return c.refuseWith(req, 403, errExtInvalidState,
			"State transition from "+from.String()+" to Ready failed for extension "+e.id+". Error: State transition is not allowed")
	}
	if e.poll != nil {
		close(e.poll) // an earlier poll was abandoned
	}
	if e.state == extRunning && e.pending == nil {
		// It finished the event it took.
		s.finishLocked(e)
		if e.shutBusy {
			e.shutBusy = false
			s.shutFinishedLocked()
		}
	}
	e.state = extReady
	cancel := make(chan struct{})
	e.poll = cancel
	ready := s.initDoneLocked()
	s.mu.Unlock()
	if ready {
		s.emit(Event{Kind: EventReady})
	}
	select {
	case <-e.wake: // pending is checked below
	default:
	}
	for {
		s.mu.Lock()
		if e.poll != cancel {
			s.mu.Unlock()
			return false
		}
		body := e.pending
		if body == nil {
			s.mu.Unlock()
			select {
			case <-e.wake:
				continue
			case <-s.closed:
				c.reply(500, "application/json", errorBody(errEnvironmentShutdown, msgEnvironmentShutdown), true)
				return false
			case <-cancel:
				return false
			}
		}
		e.pending = nil
		e.state = extRunning
		e.poll = nil
		s.mu.Unlock()
		if c.reply(200, "application/json", body, false, "Lambda-Extension-Event-Identifier: "+newID()) {
			return true
		}
		// It went away before taking the event: the event waits for its
		// next poll.
		s.mu.Lock()
		if e.pending == nil {
			e.pending = body
			e.state = extReady
		}
		s.mu.Unlock()
		return false
	}
}

// extError is POST /2020-01-01/extension/init/error (init) or
// /exit/error: the extension reports a failure before it exits. An
// init error fails the environment's init (EventInitError, of type
// Extension.InitError); an exit error takes the extension out of the
// events.
func (c *conn) extError(req *request, init bool) bool {
	if req.ext.errorType == "" {
		return c.refuseWith(req, 403, errExtMissingHeader, "Lambda-Extension-Function-Error-Type not found")
	}
	e, ok := c.identify(req, "Unknown Lambda-Extension-Identifier")
	if e == nil {
		return ok
	}
	if !c.continue100(req) {
		return false
	}
	if _, _, err := readBody(req, maxErrorBytes); err != nil {
		return false
	}
	s := c.s
	s.mu.Lock()
	to := extExitError
	if init {
		to = extInitError
	}
	from := e.state
	allowed := from != extInitError && from != extExitError
	if init && (from != extRegistered || s.ext.readyEmitted) {
		allowed = false
	}
	if !allowed {
		s.mu.Unlock()
		return c.refuseWith(req, 403, errExtInvalidState,
			"State transition from "+from.String()+" to "+to.String()+" failed for extension "+e.id+". Error: State transition is not allowed")
	}
	e.state = to
	s.finishLocked(e)
	if e.shutBusy {
		e.shutBusy = false
		s.shutFinishedLocked()
	}
	ready := !init && s.initDoneLocked()
	s.mu.Unlock()
	if init {
		s.emit(Event{Kind: EventInitError, ErrorType: "Extension.InitError",
			Body: errorBody("Extension.InitError", "Extension "+e.name+" reported an init error: "+req.ext.errorType)})
	}
	if ready {
		s.emit(Event{Kind: EventReady})
	}
	return c.accepted()
}

// smallBody reads a request's body of at most limit bytes, answering
// 100-continue first; a larger body is refused with status and errType
// and ends the connection. ok is false when the connection cannot carry
// another request.
func (c *conn) smallBody(req *request, limit, status int, errType string) (body []byte, ok bool) {
	if !c.continue100(req) {
		return nil, false
	}
	body, tooLarge, err := readBody(req, limit)
	if err != nil {
		return nil, false
	}
	if tooLarge {
		c.reply(status, "application/json", errorBody(errType, "request body too large"), true)
		return nil, false
	}
	return body, true
}
