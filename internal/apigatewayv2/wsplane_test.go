package apigatewayv2

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// wsAPI creates a WebSocket API routing by action, with an auto-deploying
// stage "prod" and a Lambda proxy route for each key.
func (h *harness) wsAPI(keys ...string) string {
	h.t.Helper()
	id := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("ws"), ProtocolType: ptr(ProtocolType(protocolWebSocket)),
		RouteSelectionExpression: ptr("$request.body.action")}))(h.t).ApiId
	must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &id, StageName: ptr("prod"), AutoDeploy: ptr(true)}))(h.t)
	for _, k := range keys {
		integ := must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &id,
			IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr(testFn)}))(h.t)
		must(h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &id, RouteKey: ptr(k), Target: ptr("integrations/" + *integ.IntegrationId)}))(h.t)
	}
	return id
}

// dialWS connects to a WebSocket API's stage served by srv.
func dialWS(t *testing.T, srv *httptest.Server, api, stage string) (*websocket.Conn, error) {
	t.Helper()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	cfg, err := websocket.NewConfig("ws://"+api+".execute-api.localhost:"+port+"/"+stage, "http://localhost")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := websocket.NewClient(cfg, nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	t.Cleanup(func() { ws.Close() })
	return ws, nil
}

// waitCalls waits for a function to have been called n times.
func (h *harness) waitCalls(fn string, n int) []map[string]any {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		calls := h.fns.callsTo(fn)
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s called %d times, want %d", fn, len(calls), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWebSocketIdleAndMaxDuration closes connections idle for 10 minutes
// and connections open for 2 hours, with close code 1001, and runs
// $disconnect for them.
func TestWebSocketIdleAndMaxDuration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.wsAPI(routeDisconnect, defaultRouteKey)
	srv := httptest.NewServer(DataPlane(h.s, nil))
	defer srv.Close()
	defer h.s.Close()

	ws, err := dialWS(t, srv, api, "prod")
	if err != nil {
		t.Fatal(err)
	}
	waitConnection(t, h)
	h.clock.Advance(defaultIdleTimeout - time.Second)
	if h.s.sweepOnce() {
		t.Fatal("no connection open after 9:59 idle")
	}
	if err := websocket.Message.Send(ws, "hello"); err != nil {
		t.Fatal(err)
	}
	h.waitCalls(testFn, 1) // $default, which resets the idle time
	h.clock.Advance(defaultIdleTimeout - time.Second)
	h.s.sweepOnce()
	if c := h.s.ws.connections(); len(c) != 1 {
		t.Fatalf("%d connections after a message and 9:59 idle, want 1", len(c))
	}
	h.clock.Advance(time.Second)
	h.s.sweepOnce()
	var msg string
	if err := websocket.Message.Receive(ws, &msg); err == nil {
		t.Fatalf("read %q after the idle timeout, want the connection closed", msg)
	}
	calls := h.waitCalls(testFn, 2)
	rc := calls[1]["requestContext"].(map[string]any)
	if rc["eventType"] != "DISCONNECT" || rc["disconnectStatusCode"] != float64(closeGoingAway) {
		t.Fatalf("$disconnect context %v", rc)
	}

	// A connection busy for 2 hours is closed all the same.
	ws2, err := dialWS(t, srv, api, "prod")
	if err != nil {
		t.Fatal(err)
	}
	waitConnection(t, h)
	for i := range 12 {
		h.clock.Advance(defaultMaxDuration / 12)
		open := h.s.ws.connections()
		if len(open) != 1 {
			t.Fatalf("%d connections after %d minutes of activity, want 1", len(open), (i+1)*10)
		}
		open[0].touch(h.s.now())
		h.s.sweepOnce()
	}
	if err := websocket.Message.Receive(ws2, &msg); err == nil {
		t.Fatalf("read %q after 2 hours, want the connection closed", msg)
	}
	if !h.s.sweepOnce() {
		t.Fatal("connections left open")
	}
}
