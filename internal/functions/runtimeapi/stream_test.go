package runtimeapi

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// streamingPost opens a streamed response for request id and returns the
// connection to write chunks on.
func streamingPost(t *testing.T, s *Server, id, contentType string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	fmt.Fprintf(nc, "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: x\r\n"+
		"Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"+
		"Content-Type: %s\r\nTrailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n", id, contentType)
	return nc
}

func writeChunk(t *testing.T, nc net.Conn, data string) {
	t.Helper()
	if _, err := fmt.Fprintf(nc, "%x\r\n%s\r\n", len(data), data); err != nil {
		t.Fatal(err)
	}
}

// dispatched starts an invocation r1 on a fresh server.
func dispatched(t *testing.T) *Server { return dispatchedWithLimit(t, MaxStreamedResponseBytes) }

func dispatchedWithLimit(t *testing.T, maxStreamed int64) *Server {
	t.Helper()
	s := start(t)
	s.maxStreamed = maxStreamed
	polled := nextAsync(s)
	event(t, s, EventReady)
	if err := s.Dispatch(&Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	resp := <-polled
	if resp == nil {
		t.Fatal("no invocation")
	}
	resp.Body.Close()
	return s
}

func TestStreamedResponse(t *testing.T) {
	t.Parallel()
	s := dispatched(t)
	nc := streamingPost(t, s, "r1", "text/plain")
	if ev := event(t, s, EventStreamStart); ev.ContentType != "text/plain" || ev.RequestID != "r1" {
		t.Errorf("start = %+v", ev)
	}
	// Each chunk is an event before the runtime sends the next one.
	for _, part := range []string{"one ", "two ", "three"} {
		writeChunk(t, nc, part)
		if ev := event(t, s, EventStreamChunk); string(ev.Body) != part {
			t.Errorf("chunk %q, want %q", ev.Body, part)
		}
	}
	fmt.Fprint(nc, "0\r\n\r\n")
	if ev := event(t, s, EventStreamEnd); ev.ErrorType != "" || ev.Body != nil {
		t.Errorf("end = %+v, want no error", ev)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("answer %v, %v; want 202", resp, err)
	}
	if s.State() != StateIdle {
		t.Errorf("state %v, want Idle", s.State())
	}
}

func TestStreamedResponseErrorTrailers(t *testing.T) {
	t.Parallel()
	s := dispatched(t)
	nc := streamingPost(t, s, "r1", "application/octet-stream")
	event(t, s, EventStreamStart)
	writeChunk(t, nc, "partial")
	event(t, s, EventStreamChunk)
	doc := `{"errorType":"Error","errorMessage":"broke"}`
	fmt.Fprintf(nc, "0\r\nLambda-Runtime-Function-Error-Type: Runtime.StreamError\r\nLambda-Runtime-Function-Error-Body: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString([]byte(doc)))
	if ev := event(t, s, EventStreamEnd); ev.ErrorType != "Runtime.StreamError" || string(ev.Body) != doc {
		t.Errorf("end = %q %q, want the trailers' error", ev.ErrorType, ev.Body)
	}
	// A later /error is out of order: the response has begun.
	if status, e := post(t, s, "invocation/r1/error", []byte(`{}`)); status != 403 || e.ErrorType != errInvalidStateTransition {
		t.Errorf("error after a stream: %d %+v, want 403", status, e)
	}
}

func TestStreamedResponseBrokenOff(t *testing.T) {
	t.Parallel()
	s := dispatched(t)
	nc := streamingPost(t, s, "r1", "text/plain")
	event(t, s, EventStreamStart)
	writeChunk(t, nc, "half")
	event(t, s, EventStreamChunk)
	nc.Close()
	if ev := event(t, s, EventStreamEnd); ev.ErrorType != typeTruncatedResponse {
		t.Errorf("end = %+v, want %s", ev, typeTruncatedResponse)
	}
}

func TestStreamedResponseTooLarge(t *testing.T) {
	t.Parallel()
	s := dispatchedWithLimit(t, 10)
	nc := streamingPost(t, s, "r1", "text/plain")
	event(t, s, EventStreamStart)
	writeChunk(t, nc, "0123456")
	event(t, s, EventStreamChunk)
	writeChunk(t, nc, "789abc")
	if ev := event(t, s, EventStreamChunk); string(ev.Body) != "789" {
		t.Errorf("last chunk %q, want the bytes up to the limit", ev.Body)
	}
	if ev := event(t, s, EventStreamEnd); ev.ErrorType != "Function.ResponseSizeTooLarge" || string(ev.Body) != StreamTooLargeMessage {
		t.Errorf("end = %q %q", ev.ErrorType, ev.Body)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != 413 {
		t.Fatalf("answer %v, %v; want 413", resp, err)
	}
}

func TestStreamedResponseWrongID(t *testing.T) {
	t.Parallel()
	s := dispatched(t)
	nc := streamingPost(t, s, "other", "text/plain")
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("answer %v, %v; want 400", resp, err)
	}
}

func TestThrottleDelay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sent    int64
		elapsed time.Duration
		want    time.Duration
	}{
		{0, 0, 0},
		{6 << 20, 0, 0},               // the first 6 MB are uncapped
		{7 << 20, 0, time.Second / 2}, // then 2 MB a second
		{8 << 20, 0, time.Second},
		{8 << 20, 400 * time.Millisecond, 600 * time.Millisecond},
		{8 << 20, 2 * time.Second, 0},
	} {
		if got := throttleDelay(c.sent, c.elapsed); got != c.want {
			t.Errorf("throttleDelay(%d, %v) = %v, want %v", c.sent, c.elapsed, got, c.want)
		}
	}
}

func TestStreamTooLargeMessage(t *testing.T) {
	t.Parallel()
	if !strings.Contains(StreamTooLargeMessage, "("+strconv.Itoa(MaxStreamedResponseBytes)+" bytes)") {
		t.Errorf("message %q does not name the limit %d", StreamTooLargeMessage, MaxStreamedResponseBytes)
	}
}
