package runtimeapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T) *Server {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func apiURL(s *Server, path string) string {
	return "http://" + s.Addr() + "/2018-06-01/runtime/" + path
}

func post(t *testing.T, s *Server, path string, body []byte, hdr ...string) (int, ErrorResponse) {
	t.Helper()
	req, _ := http.NewRequest("POST", apiURL(s, path), bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e ErrorResponse
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &e)
	return resp.StatusCode, e
}

func event(t *testing.T, s *Server, want EventKind) Event {
	t.Helper()
	select {
	case ev := <-s.Events():
		if ev.Kind != want {
			t.Fatalf("event %v, want %v", ev.Kind, want)
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatalf("no event %v", want)
	}
	return Event{}
}

// nextAsync polls /next in the background, as a runtime does.
func nextAsync(s *Server) <-chan *http.Response {
	ch := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(apiURL(s, "invocation/next"))
		if err != nil {
			ch <- nil
			return
		}
		ch <- resp
	}()
	return ch
}

func TestInvocationCycle(t *testing.T) {
	t.Parallel()
	s := start(t)
	polled := nextAsync(s)
	event(t, s, EventReady)
	deadline := time.UnixMilli(1700000000123)
	if err := s.Dispatch(&Invocation{RequestID: "r1", Payload: []byte(`{"a":1}`), Deadline: deadline,
		FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:f", TraceID: "Root=1-x", ClientContext: "cc"}); err != nil {
		t.Fatal(err)
	}
	resp := <-polled
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"a":1}` {
		t.Fatalf("next: %d %s", resp.StatusCode, body)
	}
	for k, v := range map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "r1",
		"Lambda-Runtime-Deadline-Ms":          strconv.FormatInt(deadline.UnixMilli(), 10),
		"Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
		"Lambda-Runtime-Trace-Id":             "Root=1-x",
		"Lambda-Runtime-Client-Context":       "cc",
		"Lambda-Runtime-Cognito-Identity":     "",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if s.State() != StateInvoking {
		t.Fatalf("state %v", s.State())
	}
	// A wrong id is refused; the right one accepted once.
	if code, e := post(t, s, "invocation/r2/response", []byte("x")); code != 400 || e.ErrorType != "InvalidRequestID" {
		t.Fatalf("wrong id: %d %+v", code, e)
	}
	if code, _ := post(t, s, "invocation/r1/response", []byte(`"ok"`)); code != 202 {
		t.Fatalf("response: %d", code)
	}
	if ev := event(t, s, EventResponse); string(ev.Body) != `"ok"` || ev.RequestID != "r1" {
		t.Fatalf("event %+v", ev)
	}
	// Refusals name the states as Lambda's Runtime API does.
	for _, c := range []struct{ path, to string }{
		{"invocation/r1/response", "InvocationResponse"},
		{"invocation/r1/error", "InvocationErrorResponse"},
		{"init/error", "InitError"},
	} {
		want := "State transition from RuntimeResponseSentState to " + c.to + " failed for runtime. Error: State transition is not allowed"
		if code, e := post(t, s, c.path, []byte(`"again"`)); code != 403 || e.ErrorType != "InvalidStateTransition" || e.ErrorMessage != want {
			t.Fatalf("%s after the response: %d %+v", c.path, code, e)
		}
	}

	// Second invocation ends in an error.
	polled = nextAsync(s)
	s.Dispatch(&Invocation{RequestID: "r2", Payload: []byte(`{}`)})
	(<-polled).Body.Close()
	doc := `{"errorMessage":"boom","errorType":"MyError","stackTrace":[]}`
	if code, _ := post(t, s, "invocation/r2/error", []byte(doc), "Lambda-Runtime-Function-Error-Type", "MyError"); code != 202 {
		t.Fatalf("error: %d", code)
	}
	if ev := event(t, s, EventError); string(ev.Body) != doc || ev.ErrorType != "MyError" {
		t.Fatalf("event %+v", ev)
	}
}

func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	s := start(t)
	polled := nextAsync(s)
	event(t, s, EventReady)
	s.Dispatch(&Invocation{RequestID: "big"})
	(<-polled).Body.Close()
	code, e := post(t, s, "invocation/big/response", bytes.Repeat([]byte("a"), MaxResponseBytes+1))
	if code != 413 || e.ErrorType != "RequestEntityTooLarge" || !strings.Contains(e.ErrorMessage, "6291556 bytes") {
		t.Fatalf("too large: %d %+v", code, e)
	}
	event(t, s, EventResponseTooLarge)
	// Exactly at the limit is fine.
	polled = nextAsync(s)
	s.Dispatch(&Invocation{RequestID: "edge"})
	(<-polled).Body.Close()
	if code, _ := post(t, s, "invocation/edge/response", bytes.Repeat([]byte("a"), MaxResponseBytes)); code != 202 {
		t.Fatalf("at limit: %d", code)
	}
	if ev := event(t, s, EventResponse); len(ev.Body) != MaxResponseBytes {
		t.Fatalf("body %d", len(ev.Body))
	}
}

func TestInitError(t *testing.T) {
	t.Parallel()
	s := start(t)
	if code, e := post(t, s, "invocation/x/response", nil); code != 400 || e.ErrorType != "InvalidRequestID" {
		t.Fatalf("response before init: %d %+v", code, e)
	}
	doc := `{"errorMessage":"Unable to import module 'app'","errorType":"Runtime.ImportModuleError"}`
	if code, _ := post(t, s, "init/error", []byte(doc), "Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError"); code != 202 {
		t.Fatalf("init error: %d", code)
	}
	if ev := event(t, s, EventInitError); string(ev.Body) != doc || ev.ErrorType != "Runtime.ImportModuleError" {
		t.Fatalf("event %+v", ev)
	}
	resp, err := http.Get(apiURL(s, "invocation/next"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e ErrorResponse
	json.NewDecoder(resp.Body).Decode(&e)
	want := "State transition from InitError to Ready failed for runtime. Error: State transition is not allowed"
	if resp.StatusCode != 403 || e.ErrorMessage != want {
		t.Fatalf("next after init error: %d %+v", resp.StatusCode, e)
	}
}

func TestClosedAndRouting(t *testing.T) {
	t.Parallel()
	s := start(t)
	polled := nextAsync(s)
	event(t, s, EventReady)
	for _, c := range []struct {
		method, path string
		code         int
	}{
		{"POST", "/2018-06-01/runtime/invocation/next", 405},
		{"GET", "/2018-06-01/runtime/init/error", 405},
		{"GET", "/2018-06-01/runtime/invocation/x/response", 405},
		{"GET", "/2018-06-01/runtime/nothing", 404},
		{"GET", "/", 404},
		{"POST", "/2018-06-01/runtime/invocation//response", 404},
		{"POST", "/2018-06-01/runtime/invocation/x/other", 404},
	} {
		req, _ := http.NewRequest(c.method, "http://"+s.Addr()+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.code)
		}
	}
	// A second poll supersedes the first (abandoned) one, whose
	// connection is closed; the invocation goes to the second.
	second := nextAsync(s)
	if r := <-polled; r != nil {
		r.Body.Close()
		t.Fatalf("superseded poll answered %d", r.StatusCode)
	}
	s.Dispatch(&Invocation{RequestID: "to-second"})
	if r := <-second; r == nil || r.Header.Get("Lambda-Runtime-Aws-Request-Id") != "to-second" {
		t.Fatalf("second poll: %v", r)
	}
	// Closing ends a pending poll with 500.
	if code, _ := post(t, s, "invocation/to-second/response", nil); code != 202 {
		t.Fatalf("response: %d", code)
	}
	polled = nextAsync(s)
	for s.State() != StateReady {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	if r := <-polled; r != nil {
		r.Body.Close()
		if r.StatusCode != 500 {
			t.Fatalf("poll at close: %d", r.StatusCode)
		}
	}
	if err := s.Dispatch(&Invocation{RequestID: "late"}); err != ErrClosed {
		t.Fatalf("dispatch after close: %v", err)
	}
}

func TestUndeliveredInvocationWaits(t *testing.T) {
	t.Parallel()
	s := start(t)
	// A runtime that polls, then goes away without reading the answer.
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	nc.Write([]byte("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"))
	event(t, s, EventReady)
	nc.(*net.TCPConn).SetLinger(0)
	nc.Close()
	// A large payload makes the write fail rather than vanish in a buffer.
	big := bytes.Repeat([]byte("x"), 8<<20)
	s.Dispatch(&Invocation{RequestID: "r", Payload: big})
	// The runtime polls again and gets it. A poll that arrives while the
	// server is still handing the invocation to the connection that went
	// away finds it Invoking and is refused (403); one after the failed
	// write is noticed gets the invocation.
	var r *http.Response
	for deadline := time.Now().Add(20 * time.Second); ; {
		r = <-nextAsync(s)
		if r == nil || r.StatusCode != http.StatusForbidden || time.Now().After(deadline) {
			break
		}
		r.Body.Close()
		time.Sleep(time.Millisecond)
	}
	if r == nil || r.Header.Get("Lambda-Runtime-Aws-Request-Id") != "r" {
		t.Fatal("second poll got nothing")
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if len(b) != len(big) {
		t.Fatalf("payload %d bytes", len(b))
	}
}

func TestTransitionTable(t *testing.T) {
	t.Parallel()
	// Closed and InitFailed are terminal.
	for _, st := range []State{StateClosed, StateInitFailed} {
		for a := actNext; a <= actInitError; a++ {
			if _, ok := transition(st, a); ok {
				t.Errorf("%v allows action %d", st, a)
			}
		}
	}
	if to, ok := transition(StateStarting, actNext); !ok || to != StateReady {
		t.Error("Starting -next-> Ready")
	}
	if _, ok := transition(StateInvoking, actNext); ok {
		t.Error("Invoking must answer before polling")
	}
}
