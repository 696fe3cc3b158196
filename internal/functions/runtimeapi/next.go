package runtimeapi

import (
	"strconv"
	"strings"
)

// next is GET /2018-06-01/runtime/invocation/next: the long poll. The
// first call ends initialization (EventReady); each call then waits for
// Dispatch. A poll arriving while another is pending supersedes it (the
// runtime polls one at a time, so the earlier one was abandoned).
func (c *conn) next(req *request) bool {
	s := c.s
	s.mu.Lock()
	from := s.state
	if from == StateReady && s.poll != nil {
		close(s.poll) // the earlier poll was abandoned
		s.poll = nil
		s.state, _ = transition(from, actSupersede)
		from = s.state
	}
	status, typ, msg := verdict(from, "", actNext, "")
	if status != 0 {
		s.mu.Unlock()
		return c.refuseWith(req, status, typ, msg)
	}
	s.state, _ = transition(from, actNext)
	cancel := make(chan struct{})
	s.poll = cancel
	ready := from == StateStarting
	if ready && s.ext != nil {
		// Init is over when the runtime and every extension have asked
		// for an event: registration closes, and the last of them to
		// ask sends EventReady.
		s.ext.closed, s.ext.runtimeReady = true, true
		ready = s.initDoneLocked()
	}
	s.mu.Unlock()
	if ready {
		s.emit(Event{Kind: EventReady})
	}
	var inv *Invocation
	select {
	case inv = <-s.invocations:
	case <-s.closed:
		c.reply(500, "application/json", errorBody(errEnvironmentShutdown, msgEnvironmentShutdown), true)
		return false
	case <-cancel:
		return false
	}
	s.mu.Lock()
	if s.poll != cancel || s.state != StateReady {
		// Superseded or closed meanwhile: the invocation is the next
		// poll's.
		s.mu.Unlock()
		s.requeue(inv)
		return false
	}
	s.state, _ = transition(StateReady, actDispatch)
	s.current, s.currentStreaming = inv.RequestID, inv.Streaming
	s.poll = nil
	s.mu.Unlock()
	if c.writeInvocation(inv) {
		return true
	}
	// The runtime went away before taking it: the invocation waits
	// for the next poll.
	s.mu.Lock()
	if s.state == StateInvoking && s.current == inv.RequestID {
		s.state, _ = transition(s.state, actUndelivered)
		s.current = ""
	}
	s.mu.Unlock()
	s.requeue(inv)
	return false
}

func (s *Server) requeue(inv *Invocation) {
	select {
	case s.invocations <- inv:
	default:
	}
}

// writeInvocation writes /next's answer: the payload and the
// Lambda-Runtime-* headers.
func (c *conn) writeInvocation(inv *Invocation) bool {
	extra := make([]string, 0, 6)
	extra = append(extra,
		"Lambda-Runtime-Aws-Request-Id: "+headerValue(inv.RequestID),
		"Lambda-Runtime-Deadline-Ms: "+strconv.FormatInt(inv.Deadline.UnixMilli(), 10),
		"Lambda-Runtime-Invoked-Function-Arn: "+headerValue(inv.FunctionARN))
	if inv.TraceID != "" {
		extra = append(extra, "Lambda-Runtime-Trace-Id: "+headerValue(inv.TraceID))
	}
	if inv.ClientContext != "" {
		extra = append(extra, "Lambda-Runtime-Client-Context: "+headerValue(inv.ClientContext))
	}
	if inv.CognitoIdentity != "" {
		extra = append(extra, "Lambda-Runtime-Cognito-Identity: "+headerValue(inv.CognitoIdentity))
	}
	return c.reply(200, "application/json", inv.Payload, false, extra...)
}

// headerValue keeps a value on its header line.
func headerValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	return v
}
