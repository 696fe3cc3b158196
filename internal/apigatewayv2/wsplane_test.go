package apigatewayv2

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/awsproto"
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
	return dialWSWith(t, srv, api, stage, nil)
}

// dialWSWith connects as dialWS does, sending header with the handshake.
func dialWSWith(t *testing.T, srv *httptest.Server, api, stage string, header http.Header) (*websocket.Conn, error) {
	t.Helper()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	cfg, err := websocket.NewConfig("ws://"+api+".execute-api.localhost:"+port+"/"+stage, "http://localhost")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Header = header
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
	deadline := time.Now().Add(20 * time.Second)
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

// TestWebSocketPlainRequestOverHTTP2: a request to a stage that is not a
// WebSocket handshake is answered 426 over HTTP/1.1 and HTTP/2 alike; the
// Upgrade header, which RFC 9110 asks of a 426, goes only on HTTP/1.1,
// as HTTP/2 forbids connection-specific fields (RFC 9113, section 8.2.2)
// and clients reject a response that carries one.
func TestWebSocketPlainRequestOverHTTP2(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.wsAPI(defaultRouteKey)
	srv := httptest.NewUnstartedServer(DataPlane(h.s, nil))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	defer h.s.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))

	for _, h2 := range []bool{false, true} {
		client := srv.Client()
		if !h2 {
			tr := client.Transport.(*http.Transport).Clone()
			tr.ForceAttemptHTTP2 = false
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
			client = &http.Client{Transport: tr}
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/prod", nil)
		req.Host = api + ".execute-api.localhost:" + port
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("h2=%v: %v", h2, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != map[bool]int{false: 1, true: 2}[h2] {
			t.Fatalf("h2=%v: served over %s", h2, resp.Proto)
		}
		if resp.StatusCode != http.StatusUpgradeRequired || string(body) != `{"message":"Upgrade Required"}` {
			t.Fatalf("h2=%v: %d %s", h2, resp.StatusCode, body)
		}
		if got, want := resp.Header.Get("Upgrade"), map[bool]string{false: "websocket", true: ""}[h2]; got != want {
			t.Fatalf("h2=%v: Upgrade %q, want %q", h2, got, want)
		}
	}
}

// TestWebSocketConnectCognitoIdentity: an AWS_IAM $connect route signed
// with a Cognito identity pool identity's credentials reports the
// identity in requestContext.identity, as a REST API's event does.
func TestWebSocketConnectCognitoIdentity(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	h.s.identify = func(*http.Request) (awsproto.Caller, bool) {
		return awsproto.Caller{AccessKeyID: "ASIAEXAMPLE", Account: testAccount, UserID: "AROAEXAMPLE:CognitoIdentityCredentials",
			ARN: "arn:aws:sts::" + testAccount + ":assumed-role/member/CognitoIdentityCredentials",
			Cognito: awsproto.CognitoIdentity{PoolID: "us-east-1:pool", IdentityID: "us-east-1:ident", AuthenticationType: "authenticated",
				AuthenticationProvider: "cognito-idp.us-east-1.amazonaws.com/us-east-1_x,cognito-idp.us-east-1.amazonaws.com/us-east-1_x:CognitoSignIn:sub"}}, true
	}
	api := h.wsAPI()
	integ := must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api,
		IntegrationType: ptr(IntegrationType("AWS_PROXY")), IntegrationUri: ptr(testFn)}))(t)
	must(h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &api, RouteKey: ptr(routeConnect), AuthorizationType: ptr(AuthorizationType("AWS_IAM")),
		Target: ptr("integrations/" + *integ.IntegrationId)}))(t)
	srv := httptest.NewServer(DataPlane(h.s, nil))
	defer srv.Close()
	defer h.s.Close()

	if _, err := dialWSWith(t, srv, api, "prod", http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240101/us-east-1/execute-api/aws4_request"}}); err != nil {
		t.Fatal(err)
	}
	id := h.waitCalls(testFn, 1)[0]["requestContext"].(map[string]any)["identity"].(map[string]any)
	for k, v := range map[string]string{"accessKey": "ASIAEXAMPLE", "cognitoIdentityPoolId": "us-east-1:pool", "cognitoIdentityId": "us-east-1:ident",
		"cognitoAuthenticationType":     "authenticated",
		"cognitoAuthenticationProvider": "cognito-idp.us-east-1.amazonaws.com/us-east-1_x,cognito-idp.us-east-1.amazonaws.com/us-east-1_x:CognitoSignIn:sub"} {
		if id[k] != v {
			t.Errorf("identity %s = %v, want %s", k, id[k], v)
		}
	}
}
