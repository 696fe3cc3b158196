package apigatewayv2

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestWebSocketStalledClient: a client that stops reading fills its
// connection's buffers until posts to it stall; the sweeper still closes
// it when it goes idle (and so every other expired connection), instead
// of waiting behind the stalled write for ever.
func TestWebSocketStalledClient(t *testing.T) {
	h := newHarness(t, "")
	api := h.wsAPI(defaultRouteKey)
	srv := httptest.NewServer(DataPlane(h.s, nil))
	defer srv.Close()
	if _, err := dialWS(t, srv, api, "prod"); err != nil { // never read from
		t.Fatal(err)
	}
	id := waitConnection(t, h).id
	body := bytes.Repeat([]byte("x"), 100<<10)
	posted := make(chan int, 1000)
	go func() {
		for {
			req, _ := http.NewRequest("POST", srv.URL+"/prod/@connections/"+id, bytes.NewReader(body))
			req.Host = api + ".execute-api.localhost"
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			posted <- res.StatusCode
			if res.StatusCode != http.StatusOK {
				return
			}
		}
	}()
	// Until the posts stall: the client's receive buffer and the
	// server's send buffer are full, and a post waits in its write. Three
	// seconds without an answer, not one: on a loaded machine a post that
	// is only slow must not pass for a stalled one (it would then answer
	// 200 below).
	for stalled := false; !stalled; {
		select {
		case <-posted:
		case <-time.After(3 * time.Second):
			stalled = true
		}
	}
	h.clock.Advance(defaultIdleTimeout + time.Second)
	done := make(chan bool)
	go func() { done <- h.s.sweepOnce() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sweeper is blocked behind a write to a client that does not read")
	}
	if h.s.ws.get(id) != nil {
		t.Error("the idle connection is still open")
	}
	select {
	case code := <-posted:
		if code != http.StatusGone {
			t.Errorf("the stalled post answered %d, want 410", code)
		}
	case <-time.After(wsWriteTimeout + 5*time.Second):
		t.Error("the stalled post was never answered")
	}
}

// TestWebSocketCloseRunsDisconnect: Close returns only once the
// $disconnect routes of the connections it closed have run, since the app
// stops the functions they call right after.
func TestWebSocketCloseRunsDisconnect(t *testing.T) {
	h := newHarness(t, "")
	api := h.wsAPI(routeDisconnect)
	srv := httptest.NewServer(DataPlane(h.s, nil))
	defer srv.Close()
	if _, err := dialWS(t, srv, api, "prod"); err != nil {
		t.Fatal(err)
	}
	waitConnection(t, h)
	var done atomic.Bool
	h.fns.set(testFn, func(map[string]any) ([]byte, string, error) {
		time.Sleep(50 * time.Millisecond) // a $disconnect handler at work
		done.Store(true)
		return []byte(`{"statusCode":200}`), "", nil
	})
	h.s.Close()
	if !done.Load() {
		t.Fatal("Close returned before the $disconnect route ran")
	}
}

// waitConnection waits for the service to have registered the connection
// just dialled, which it does after the handshake, and returns it.
func waitConnection(t *testing.T, h *harness) *wsConn {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if conns := h.s.ws.connections(); len(conns) > 0 {
			return conns[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("no connection")
		}
		time.Sleep(time.Millisecond) // the server registers it after the handshake
	}
}
