package runtimeapi

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestWire drives the server with raw HTTP: pipelined requests, a
// chunked body, Expect: 100-continue, HTTP/1.0, a malformed request.
func TestWire(t *testing.T) {
	t.Parallel()
	s := start(t)
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	readResponse := func() (string, string) {
		t.Helper()
		status, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		length := 0
		var head strings.Builder
		for {
			line, _ := br.ReadString('\n')
			if line == "\r\n" {
				break
			}
			head.WriteString(line)
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				for _, c := range strings.TrimSpace(v) {
					length = length*10 + int(c-'0')
				}
			}
		}
		body := make([]byte, length)
		io.ReadFull(br, body)
		return strings.TrimSpace(status), head.String() + string(body)
	}

	nc.Write([]byte("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"))
	event(t, s, EventReady)
	s.Dispatch(&Invocation{RequestID: "w1", Payload: []byte(`{"x":1}`), FunctionARN: "arn:x", TraceID: "bad\r\nInjected: yes"})
	status, rest := readResponse()
	if status != "HTTP/1.1 200 OK" || !strings.Contains(rest, "Lambda-Runtime-Aws-Request-Id: w1\r\n") ||
		!strings.HasSuffix(rest, `{"x":1}`) || strings.Contains(rest, "\r\nInjected") {
		t.Fatalf("next: %s\n%s", status, rest)
	}
	// A chunked response and, pipelined behind it, the next poll.
	nc.Write([]byte("POST /2018-06-01/runtime/invocation/w1/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3\r\n\"ok\r\n1\r\n\"\r\n0\r\n\r\n" +
		"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n"))
	if status, rest := readResponse(); status != "HTTP/1.1 202 Accepted" || !strings.HasSuffix(rest, `{"status":"OK"}`+"\n") {
		t.Fatalf("response: %s %s", status, rest)
	}
	if ev := event(t, s, EventResponse); string(ev.Body) != `"ok"` {
		t.Fatalf("body %q", ev.Body)
	}
	s.Dispatch(&Invocation{RequestID: "w2"})
	if status, _ := readResponse(); status != "HTTP/1.1 200 OK" {
		t.Fatalf("second next: %s", status)
	}
	// Expect: 100-continue, as curl sends it.
	nc.Write([]byte("POST /2018-06-01/runtime/invocation/w2/error HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\nLambda-Runtime-Function-Error-Type: E\r\n\r\n"))
	if status, _ := readResponse(); status != "HTTP/1.1 100 Continue" {
		t.Fatalf("expect: %s", status)
	}
	nc.Write([]byte("{}"))
	if status, _ := readResponse(); status != "HTTP/1.1 202 Accepted" {
		t.Fatalf("error: %s", status)
	}
	if ev := event(t, s, EventError); ev.ErrorType != "E" {
		t.Fatalf("event %+v", ev)
	}
	// A refused post with a body closes the connection after answering.
	nc.Write([]byte("POST /2018-06-01/runtime/invocation/zzz/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"))
	if status, rest := readResponse(); status != "HTTP/1.1 400 Bad Request" || !strings.Contains(rest, "Connection: close") {
		t.Fatalf("refused: %s %s", status, rest)
	}

	// Malformed and HTTP/1.0 requests on fresh connections.
	for _, c := range []struct{ raw, want string }{
		{"BLAH\r\n\r\n", "HTTP/1.1 400 Bad Request"},
		{"GET /x HTTP/2.0\r\n\r\n", "HTTP/1.1 400 Bad Request"},
		{"GET /nothing HTTP/1.0\r\n\r\n", "HTTP/1.1 404 Not Found"},
		{"GET /" + strings.Repeat("a", 70<<10) + " HTTP/1.1\r\n\r\n", "HTTP/1.1 431 Request Header Fields Too Large"},
	} {
		nc2, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		nc2.SetDeadline(time.Now().Add(5 * time.Second))
		nc2.Write([]byte(c.raw))
		line, _ := bufio.NewReader(nc2).ReadString('\n')
		nc2.Close()
		if strings.TrimSpace(line) != c.want {
			t.Errorf("%.30q: %q, want %q", c.raw, line, c.want)
		}
	}
}
