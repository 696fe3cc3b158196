package apigatewayv2

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// TestWebSocketThrottling throttles a WebSocket API on the fake clock:
// the handshake as $connect (429 over its burst) and each message as its
// route, which is told Too Many Requests until the bucket refills.
func TestWebSocketThrottling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.wsAPI(routeConnect, "ping")
	must(h.s.updateStage(h.ctx, &UpdateStageRequest{ApiId: &api, StageName: ptr("prod"),
		RouteSettings: map[string]RouteSettings{
			routeConnect: {ThrottlingBurstLimit: ptr(int32(1)), ThrottlingRateLimit: ptr(1.0)},
			"ping":       {ThrottlingBurstLimit: ptr(int32(1)), ThrottlingRateLimit: ptr(1.0)},
		}}))(t)
	srv := httptest.NewServer(DataPlane(h.s, nil))
	defer srv.Close()
	defer h.s.Close()

	ws, err := dialWS(t, srv, api, "prod")
	if err != nil {
		t.Fatal(err)
	}
	waitConnection(t, h)
	upgrade := func() (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/prod", nil)
		req.Host = api + ".execute-api.localhost"
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, body := upgrade(); status != http.StatusTooManyRequests || body != `{"message":"Too Many Requests"}` {
		t.Fatalf("second $connect within its burst of 1: HTTP %d %s, want 429 Too Many Requests", status, body)
	}
	if n := len(h.fns.callsTo(testFn)); n != 1 {
		t.Fatalf("%d calls after a throttled $connect, want 1 (the first $connect)", n)
	}

	send := func() {
		t.Helper()
		if err := websocket.Message.Send(ws, `{"action":"ping"}`); err != nil {
			t.Fatal(err)
		}
	}
	send()
	h.waitCalls(testFn, 2)
	send()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var msg string
	if err := websocket.Message.Receive(ws, &msg); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(msg), &got); err != nil || got["message"] != "Too Many Requests" ||
		got["connectionId"] == "" || got["requestId"] == "" {
		t.Fatalf("throttled message answered %s, want Too Many Requests with connectionId and requestId", msg)
	}
	if n := len(h.fns.callsTo(testFn)); n != 2 {
		t.Fatalf("%d calls after a throttled message, want 2", n)
	}

	h.clock.Advance(time.Second)
	send()
	h.waitCalls(testFn, 3)
	if _, err := dialWS(t, srv, api, "prod"); err != nil {
		t.Fatalf("$connect a second later: %v", err)
	}
}
