package elbv2

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// newTestService returns a service over an in-memory store that binds
// listeners on listenHost ("-" for none).
func newTestService(t *testing.T, clk clock.Clock, listenHost string) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", ListenHost: listenHost})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCloseWaitsForHealthChecks checks that Close ends the health checks
// in flight and returns only once they are done, and that none starts
// after it.
func TestCloseWaitsForHealthChecks(t *testing.T) {
	clk := clock.NewFake(time.Now())
	s := newTestService(t, clk, "-")
	entered := make(chan struct{}, 4)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done() // answers only when the checker goes away
	}))
	t.Cleanup(backend.Close)
	host, port, _ := net.SplitHostPort(backend.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	tgt := target{ID: host, Port: int32(p)}
	const tgARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/1"
	s.tgs[tgARN] = &targetGroup{ARN: tgARN, Name: "tg", TargetType: "ip", Targets: []target{tgt},
		Health: healthCheck{Enabled: true, Protocol: "HTTP", Port: "traffic-port", Path: "/", IntervalSeconds: 30,
			TimeoutSeconds: 60, HealthyThreshold: 5, UnhealthyThreshold: 2, Matcher: "200"}}
	s.listeners["l"] = &listener{ARN: "l", Port: 80, Protocol: "HTTP",
		DefaultActions: []Action{{Type: ptr("forward"), TargetGroupArn: ptr(tgARN)}}}

	s.checkHealth(context.Background())
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the health check did not reach the target")
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the health check in flight")
	}
	s.mu.RLock()
	st := s.health[healthKey{tgARN, tgt}]
	running := st != nil && st.running
	s.mu.RUnlock()
	if running {
		t.Fatal("a health check was still running after Close returned")
	}
	clk.Advance(time.Minute) // the next check is due
	s.checkHealth(context.Background())
	s.mu.RLock()
	running = st.running
	s.mu.RUnlock()
	if running {
		t.Fatal("a health check started after Close")
	}
}

// TestNewTargetHealthyAfterOneCheck checks that a newly registered
// target is healthy once it passes one health check, while an unhealthy
// one needs HealthyThresholdCount successes.
func TestNewTargetHealthyAfterOneCheck(t *testing.T) {
	clk := clock.NewFake(time.Now())
	s := newTestService(t, clk, "-")
	t.Cleanup(func() { s.Close() })
	failing := true
	var mu sync.Mutex
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(backend.Close)
	host, port, _ := net.SplitHostPort(backend.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	newTarget := target{ID: host, Port: int32(p)}
	const tgARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/1"
	s.tgs[tgARN] = &targetGroup{ARN: tgARN, Name: "tg", TargetType: "ip", Targets: []target{newTarget},
		Health: healthCheck{Enabled: true, Protocol: "HTTP", Port: "traffic-port", Path: "/", IntervalSeconds: 30,
			TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 2, Matcher: "200"}}
	s.listeners["l"] = &listener{ARN: "l", Port: 80, Protocol: "HTTP",
		DefaultActions: []Action{{Type: ptr("forward"), TargetGroupArn: ptr(tgARN)}}}
	key := healthKey{tgARN, newTarget}
	// check runs one round of checks and returns the target's state.
	check := func() string {
		t.Helper()
		s.checkHealth(context.Background())
		deadline := time.Now().Add(10 * time.Second)
		for {
			s.mu.RLock()
			st := s.health[key]
			running, state := st.running, st.state
			s.mu.RUnlock()
			if !running {
				clk.Advance(30 * time.Second)
				return state
			}
			if time.Now().After(deadline) {
				t.Fatal("the health check did not end")
			}
			time.Sleep(time.Millisecond)
		}
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	if got := check(); got != stateHealthy {
		t.Fatalf("after one passed check a new target is %s, want healthy", got)
	}
	mu.Lock()
	failing = true
	mu.Unlock()
	check()
	if got := check(); got != stateUnhealthy {
		t.Fatalf("after two failed checks the target is %s, want unhealthy", got)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	for i, want := range []string{stateUnhealthy, stateUnhealthy, stateHealthy} {
		if got := check(); got != want {
			t.Fatalf("after %d passed checks an unhealthy target is %s, want %s", i+1, got, want)
		}
	}
}
