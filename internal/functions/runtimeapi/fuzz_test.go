package runtimeapi

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func FuzzRoute(f *testing.F) {
	for _, p := range []string{
		"/2018-06-01/runtime/invocation/next",
		"/2018-06-01/runtime/invocation/abc/response",
		"/2018-06-01/runtime/invocation/abc/error",
		"/2018-06-01/runtime/init/error",
		"/2018-06-01/runtime/invocation//error",
		"/2018-06-01/runtime/invocation/a/b/response",
		"/",
	} {
		f.Add("GET", p)
		f.Add("POST", p)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		ep, id := route(method, path)
		switch ep {
		case endpointResponse, endpointError:
			if id == "" || strings.Contains(id, "/") {
				t.Fatalf("bad id %q from %q", id, path)
			}
			if !strings.HasSuffix(path, "/"+id+"/response") && !strings.HasSuffix(path, "/"+id+"/error") {
				t.Fatalf("id %q not in %q", id, path)
			}
		case endpointNext, endpointInitError, endpointNotFound, endpointMethodNotAllowed:
			if id != "" {
				t.Fatalf("id %q for endpoint %d", id, ep)
			}
		default:
			t.Fatalf("endpoint %d", ep)
		}
		if (ep == endpointNext) != (method == "GET" && path == "/2018-06-01/runtime/invocation/next") {
			t.Fatalf("next mismatch for %s %q", method, path)
		}
	})
}

// FuzzReadRequest feeds arbitrary bytes to the request reader: it must
// not panic, and what it accepts must be framed consistently.
func FuzzReadRequest(f *testing.F) {
	f.Add([]byte("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("POST /2018-06-01/runtime/invocation/r/response HTTP/1.1\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nTrailer: 1\r\n\r\nGET / HTTP/1.0\r\n\r\n"))
	f.Add([]byte("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"))
	f.Add([]byte("POST http://h/2018-06-01/runtime/init/error?x HTTP/1.1\r\nExpect: 100-continue\r\nLambda-Runtime-Function-Error-Type: E\r\n\r\n"))
	f.Add([]byte("POST /2018-06-01/runtime/invocation/r/response HTTP/1.1\r\nLambda-Runtime-Function-Response-Mode: streaming\r\n" +
		"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nLambda-Runtime-Function-Error-Type: E\r\n" +
		"Lambda-Runtime-Function-Error-Body: e30=\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), readBufferSize)
		for range 4 {
			req, err := readRequest(br)
			if err != nil {
				return
			}
			if req.method == "" || req.path == "" || req.contentLength < -1 {
				t.Fatalf("accepted %+v", req)
			}
			body, tooLarge, err := readBody(req, 1<<20)
			if err != nil || tooLarge {
				return
			}
			if req.contentLength >= 0 && int64(len(body)) != req.contentLength {
				t.Fatalf("body %d bytes, Content-Length %d", len(body), req.contentLength)
			}
		}
	})
}

// sinkConn is a net.Conn that swallows writes.
type sinkConn struct{ net.Conn }

func (sinkConn) Write(b []byte) (int, error)        { return len(b), nil }
func (sinkConn) Read([]byte) (int, error)           { return 0, io.EOF }
func (sinkConn) Close() error                       { return nil }
func (sinkConn) SetDeadline(time.Time) error        { return nil }
func (sinkConn) SetWriteDeadline(t time.Time) error { return nil }

// FuzzHandlers drives one server through a sequence of requests decoded
// from the input and checks that the state machine stays consistent: an
// outcome is accepted at most once per dispatched invocation, and only
// for its id; polls never block the sequence (each supersedes the last).
func FuzzHandlers(f *testing.F) {
	f.Add([]byte{0, 4, 1, 1, 2, 3, 0})
	f.Add([]byte{3, 0, 4, 1, 1, 1})
	f.Add([]byte{0, 4, 2, 0, 4, 1, 5, 0, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		s, err := New()
		if err != nil {
			t.Skip(err)
		}
		var wg sync.WaitGroup
		defer func() {
			s.Close()
			wg.Wait()
		}()
		ids := []string{"r0", "r1", "", "x"}
		dispatched, accepted := 0, 0
		var mu sync.Mutex
		serve := func(req *request) {
			c := &conn{s: s, nc: sinkConn{}}
			before := s.State()
			c.serve(req)
			after := s.State()
			if before == StateInvoking && after == StateIdle && (req.method == "POST") {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		}
		for i := 0; i < len(ops); i++ {
			op := ops[i] % 7
			arg := 0
			if i+1 < len(ops) {
				arg = int(ops[i+1])
			}
			id := ids[arg%len(ids)]
			body := ops[:arg%(len(ops)+1)]
			mk := func(method, path string) *request {
				return &request{method: method, path: path, contentLength: int64(len(body)), body: bytes.NewReader(body)}
			}
			switch op {
			case 0: // poll, in the background: it waits for an invocation
				req := mk("GET", "/2018-06-01/runtime/invocation/next")
				wg.Add(1)
				go func() { defer wg.Done(); serve(req) }()
				time.Sleep(time.Microsecond)
			case 1:
				serve(mk("POST", "/2018-06-01/runtime/invocation/"+id+"/response"))
			case 2:
				req := mk("POST", "/2018-06-01/runtime/invocation/"+id+"/error")
				req.errorType = string(ops)
				serve(req)
			case 3:
				serve(mk("POST", "/2018-06-01/runtime/init/error"))
			case 4:
				if s.Dispatch(&Invocation{RequestID: ids[dispatched%2], Payload: ops}) == nil {
					dispatched++
				}
			case 5:
				serve(mk(string(ops), "/2018-06-01/runtime/"+string(ops)))
			case 6:
				if arg%8 == 0 {
					s.Close()
				}
			}
			for len(s.Events()) > 0 {
				<-s.Events()
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if accepted > dispatched {
			t.Fatalf("%d outcomes accepted for %d invocations", accepted, dispatched)
		}
	})
}

// FuzzExtensions drives the Extensions API, and the Telemetry and Logs
// APIs' subscriptions, with bodies, names and identifiers decoded from
// the input: no request panics, and no more than MaxExtensions internal
// extensions register.
func FuzzExtensions(f *testing.F) {
	f.Add("ext", []byte(`{"events":["INVOKE","SHUTDOWN"]}`), "")
	f.Add("internal", []byte(`{"events":["INVOKE"]}`), "")
	f.Add("x", []byte(`{"events":["SHUTDOWN"],"configurationKeys":["k"]}`), "00000000-0000-4000-8000-000000000000")
	f.Add("", []byte(`{`), "nope")
	f.Add("ext", []byte(`{"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox:9"},"events":["INVOKE"]}`), "")
	f.Fuzz(func(t *testing.T, name string, body []byte, id string) {
		s, err := New()
		if err != nil {
			t.Skip(err)
		}
		defer s.Close()
		s.ExpectExtensions([]string{"ext"})
		s.SetObserver(&recorder{})
		serve := func(method, path string, h extensionHeaders, b []byte) {
			req := &request{method: method, path: path, contentLength: int64(len(b)), body: bytes.NewReader(b), ext: h}
			(&conn{s: s, nc: sinkConn{}}).serve(req)
		}
		for i := 0; i < MaxExtensions+2; i++ {
			serve("POST", "/2020-01-01/extension/register", extensionHeaders{name: name + string(rune('a'+i))}, body)
		}
		serve("POST", "/2020-01-01/extension/register", extensionHeaders{name: name}, body)
		serve("POST", "/2020-01-01/extension/init/error", extensionHeaders{id: id, errorType: name}, body)
		serve("POST", "/2020-01-01/extension/exit/error", extensionHeaders{id: id, errorType: name}, body)
		for _, ext := range s.ext.list {
			serve("PUT", "/2022-07-01/telemetry", extensionHeaders{id: ext.id}, body)
			serve("PUT", "/2020-08-15/logs/", extensionHeaders{id: ext.id}, body)
		}
		serve("PUT", "/2022-07-01/telemetry", extensionHeaders{id: id}, body)
		if n := len(s.Extensions()); n > MaxExtensions+1 {
			t.Fatalf("%d extensions registered", n)
		}
	})
}
