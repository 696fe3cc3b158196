package elbv2

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

// TestListenerHeaderLimits checks ALB's HTTP header quotas on a listener's
// own port: 16 K for the request line and for one header, 64 K for all
// headers, and 400 Bad Request beyond them.
func TestListenerHeaderLimits(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "127.0.0.1")
	t.Cleanup(func() { s.Close() })
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := free.Addr().(*net.TCPAddr).Port
	free.Close()
	l := &listener{ARN: "l", Port: int32(port), Protocol: "HTTP", DefaultActions: []Action{{Type: ptr("fixed-response"),
		FixedResponseConfig: &FixedResponseActionConfig{StatusCode: ptr("200"), ContentType: ptr("text/plain"), MessageBody: ptr("ok")}}}}
	s.mu.Lock()
	s.listeners[l.ARN] = l
	s.bindLocked(l)
	bound := s.servers[l.ARN] != nil
	s.mu.Unlock()
	if !bound {
		t.Fatalf("port %d not bound", port)
	}

	// send writes a raw request and returns the status code answered.
	send := func(target string, headers ...string) int {
		t.Helper()
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var b strings.Builder
		fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: lb\r\n", target)
		for _, h := range headers {
			b.WriteString(h + "\r\n")
		}
		b.WriteString("\r\n")
		if _, err := c.Write([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// A request line of exactly 16 K: "GET " + target + " HTTP/1.1".
	line := "/" + strings.Repeat("a", maxRequestLine-len("GET  HTTP/1.1")-1)
	// A header line of exactly 16 K: "X-Big: " + value.
	header := "X-Big: " + strings.Repeat("v", maxHeader-len("X-Big: "))
	cases := []struct {
		name    string
		target  string
		headers []string
		want    int
	}{
		{"small", "/", nil, 200},
		{"request line at the limit", line, nil, 200},
		{"request line over the limit", line + "a", nil, 400},
		{"header at the limit", "/", []string{header}, 200},
		{"header over the limit", "/", []string{header + "v"}, 400},
		{"headers under 64 K", "/", []string{strings.Replace(header, "X-Big", "X-A", 1), strings.Replace(header, "X-Big", "X-B", 1),
			strings.Replace(header, "X-Big", "X-C", 1)}, 200},
		{"headers over 64 K", "/", []string{strings.Replace(header, "X-Big", "X-A", 1), strings.Replace(header, "X-Big", "X-B", 1),
			strings.Replace(header, "X-Big", "X-C", 1), strings.Replace(header, "X-Big", "X-D", 1)}, 400},
	}
	for _, c := range cases {
		if got := send(c.target, c.headers...); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
}

// TestListenerRequestsCounted checks that a listener's own port reports
// each answer's status for metrics.
func TestListenerRequestsCounted(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "127.0.0.1")
	t.Cleanup(func() { s.Close() })
	var mu sync.Mutex
	var statuses []int
	s.requests = func(status int) {
		mu.Lock()
		statuses = append(statuses, status)
		mu.Unlock()
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := free.Addr().(*net.TCPAddr).Port
	free.Close()
	l := &listener{ARN: "l", Port: int32(port), Protocol: "HTTP", DefaultActions: []Action{{Type: ptr("fixed-response"),
		FixedResponseConfig: &FixedResponseActionConfig{StatusCode: ptr("404"), ContentType: ptr("text/plain"), MessageBody: ptr("no")}}}}
	s.mu.Lock()
	s.listeners[l.ARN] = l
	s.bindLocked(l)
	bound := s.servers[l.ARN] != nil
	s.mu.Unlock()
	if !bound {
		t.Fatalf("port %d not bound", port)
	}
	for range 2 {
		res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/x", port))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(statuses) != 2 || statuses[0] != 404 || statuses[1] != 404 {
		t.Errorf("statuses recorded: %v", statuses)
	}
}
