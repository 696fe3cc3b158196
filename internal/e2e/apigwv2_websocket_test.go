package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/e2e"
)

// wsHandler serves every route of the test's WebSocket API: it logs its
// event, refuses connections that ask to be denied, echoes its event to
// the "echo" and $default routes, posts to another connection with the
// SDK for the "post" route, and fails for the "fail" route.
const wsHandler = `import json, os, boto3

def handler(event, context):
    rc = event['requestContext']
    print('EVENT ' + json.dumps(event))
    if rc['eventType'] == 'CONNECT':
        if (event.get('queryStringParameters') or {}).get('deny'):
            return {'statusCode': 401, 'body': 'not you'}
        return {'statusCode': 200}
    if rc['eventType'] == 'DISCONNECT':
        return {'statusCode': 200}
    try:
        msg = json.loads(event['body'])
    except ValueError:
        msg = {}
    if rc['routeKey'] == 'post':
        url = os.environ['AWS_ENDPOINT_URL'] + '/_aws/execute-api/' + rc['apiId'] + '/' + rc['stage']
        gw = boto3.client('apigatewaymanagementapi', endpoint_url=url)
        gw.post_to_connection(ConnectionId=msg['to'], Data=msg['data'].encode())
        return {'statusCode': 200, 'body': 'posted'}
    if rc['routeKey'] == 'fail':
        raise Exception('boom')
    return {'statusCode': 200, 'body': json.dumps(event)}
`

// wsConnect opens a WebSocket connection to a stage of an API: by host
// name, or with pathForm by /_aws/execute-api/ID/STAGE on virga's
// address.
func wsConnect(t testing.TB, env *e2e.Env, apiID, stage, query string, pathForm bool) (*websocket.Conn, error) {
	t.Helper()
	u, _ := url.Parse(env.Endpoint)
	loc := "ws://" + apiID + ".execute-api.localhost:" + u.Port() + "/" + stage
	if pathForm {
		loc = "ws://" + u.Host + "/_aws/execute-api/" + apiID + "/" + stage
	}
	if query != "" {
		loc += "?" + query
	}
	return wsDial(t, env, loc)
}

// wsDial opens a WebSocket connection to the location loc through
// virga's address, whatever host loc names.
func wsDial(t testing.TB, env *e2e.Env, loc string) (*websocket.Conn, error) {
	t.Helper()
	return wsDialWith(t, env, loc, http.Header{"User-Agent": {"ws-e2e"}, "x-client-tag": {"lower"}}) // sent as spelled
}

// wsDialWith opens a connection as wsDial does, with the handshake's
// header.
func wsDialWith(t testing.TB, env *e2e.Env, loc string, header http.Header) (*websocket.Conn, error) {
	t.Helper()
	u, _ := url.Parse(env.Endpoint)
	cfg, err := websocket.NewConfig(loc, "http://localhost")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Header = header
	nc, err := net.Dial("tcp", u.Host)
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

// wsReceive reads the next message of a connection, failing after 20 s.
func wsReceive(t testing.TB, ws *websocket.Conn) string {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	var msg string
	if err := websocket.Message.Receive(ws, &msg); err != nil {
		t.Fatalf("receive: %v", err)
	}
	return msg
}

// wsClosed asserts the server closed a connection.
func wsClosed(t testing.TB, ws *websocket.Conn) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	var msg string
	if err := websocket.Message.Receive(ws, &msg); err == nil {
		t.Fatalf("received %q, want the connection closed", msg)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection is still open")
	}
}

// manageConnection calls the @connections API as AWS's
// ApiGatewayManagementApi clients do: restJson1, signed with SigV4 for
// the service execute-api, at BaseEndpoint/@connections/ID.
func manageConnection(t testing.TB, env *e2e.Env, baseEndpoint, method, connectionID string, data []byte) (int, http.Header, []byte) {
	t.Helper()
	ctx := context.Background()
	req, err := http.NewRequest(method, baseEndpoint+"/@connections/"+url.PathEscape(connectionID), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := env.Config.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", env.Config.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Host names under .localhost do not resolve here: every request
	// goes to virga's address, with its own Host.
	virga := strings.TrimPrefix(env.Endpoint, "http://")
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, virga)
	}}}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}

// createWebSocketAPI builds the test's WebSocket API on function fn:
// routes $connect, $disconnect, $default, echo, post and fail, all but
// $connect and $disconnect two-way, on an auto-deploying stage "prod".
func createWebSocketAPI(t testing.TB, c *apigatewayv2.Client, fn string) string {
	t.Helper()
	ctx := context.Background()
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: gwtypes.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")}))(t)
	id := aws.ToString(api.ApiId)
	integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id,
		IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationUri:  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN(fn) + "/invocations")}))(t)
	for _, key := range []string{"$connect", "$disconnect", "$default", "echo", "post", "fail"} {
		r := mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
		if key == "$connect" || key == "$disconnect" {
			continue
		}
		mustGW(c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &id, RouteId: r.RouteId,
			RouteResponseKey: aws.String("$default")}))(t)
	}
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)}))(t)
	return id
}

func TestAPIGWv2WebSocket(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "ws", wsHandler, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	id := createWebSocketAPI(t, c, "ws")
	u, _ := url.Parse(env.Endpoint)

	// The management API answers with the WebSocket members.
	got := mustGW(c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &id}))(t)
	if got.ProtocolType != gwtypes.ProtocolTypeWebsocket || aws.ToString(got.RouteSelectionExpression) != "$request.body.action" ||
		aws.ToString(got.ApiEndpoint) != "ws://"+id+".execute-api.localhost:"+u.Port() {
		t.Fatalf("GetApi: %s %s %s", got.ProtocolType, aws.ToString(got.RouteSelectionExpression), aws.ToString(got.ApiEndpoint))
	}
	integs := mustGW(c.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id}))(t)
	if len(integs.Items) != 1 || aws.ToString(integs.Items[0].PayloadFormatVersion) != "1.0" || aws.ToInt32(integs.Items[0].TimeoutInMillis) != 29000 {
		t.Fatalf("integration: %+v", integs.Items)
	}

	// $connect refuses a connection with the function's status.
	if _, err := wsConnect(t, env, id, "prod", "deny=1", false); err == nil {
		t.Fatal("a denied connection opened")
	}
	req, _ := http.NewRequest("GET", env.Endpoint+"/_aws/execute-api/"+id+"/prod?deny=1", nil)
	for k, v := range map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} {
		req.Header.Set(k, v)
	}
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 401 {
		t.Fatalf("denied handshake: %v %v", res, err)
	}

	a, err := wsConnect(t, env, id, "prod", "room=blue", false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wsConnect(t, env, id, "prod", "", true)
	if err != nil {
		t.Fatal(err)
	}

	// A message is routed by its action, and two-way routes answer with
	// the function's body: here the MESSAGE event.
	websocket.Message.Send(a, `{"action":"echo","text":"hi"}`)
	var ev struct {
		Body           string
		RequestContext map[string]any
	}
	if err := json.Unmarshal([]byte(wsReceive(t, a)), &ev); err != nil {
		t.Fatal(err)
	}
	rc := ev.RequestContext
	for k, want := range map[string]any{"routeKey": "echo", "eventType": "MESSAGE", "messageDirection": "IN", "stage": "prod",
		"apiId": id, "domainName": id + ".execute-api.localhost:" + u.Port()} {
		if rc[k] != want {
			t.Errorf("requestContext.%s = %v, want %v", k, rc[k], want)
		}
	}
	connA, _ := rc["connectionId"].(string)
	if ev.Body != `{"action":"echo","text":"hi"}` || connA == "" || rc["messageId"] == nil || rc["requestId"] == nil ||
		rc["connectedAt"] == nil || rc["identity"].(map[string]any)["sourceIp"] != "127.0.0.1" {
		t.Fatalf("MESSAGE event: body %q, context %v", ev.Body, rc)
	}

	// What no route takes goes to $default.
	websocket.Message.Send(b, "not json at all")
	if err := json.Unmarshal([]byte(wsReceive(t, b)), &ev); err != nil || ev.RequestContext["routeKey"] != "$default" || ev.Body != "not json at all" {
		t.Fatalf("$default: %v %v", ev.RequestContext, err)
	}
	connB := ev.RequestContext["connectionId"].(string)

	// The @connections API, by host name and by path.
	hostBase := "http://" + id + ".execute-api.localhost:" + u.Port() + "/prod"
	pathBase := env.Endpoint + "/_aws/execute-api/" + id + "/prod"
	status, _, body := manageConnection(t, env, pathBase, "POST", connB, []byte("from the test"))
	if status != 200 || wsReceive(t, b) != "from the test" {
		t.Fatalf("PostToConnection: %d %s", status, body)
	}
	status, _, body = manageConnection(t, env, hostBase, "GET", connA, nil)
	var conn struct {
		ConnectedAt, LastActiveAt time.Time
		Identity                  struct{ SourceIp, UserAgent string }
	}
	if err := json.Unmarshal(body, &conn); status != 200 || err != nil || conn.Identity.SourceIp != "127.0.0.1" ||
		conn.Identity.UserAgent != "ws-e2e" || conn.ConnectedAt.IsZero() || conn.LastActiveAt.Before(conn.ConnectedAt) {
		t.Fatalf("GetConnection: %d %s", status, body)
	}

	// A function posts to another connection with the SDK.
	websocket.Message.Send(a, `{"action":"post","to":"`+connB+`","data":"hello B"}`)
	if got := wsReceive(t, b); got != "hello B" {
		t.Fatalf("B got %q", got)
	}
	if got := wsReceive(t, a); got != "posted" {
		t.Fatalf("A got %q", got)
	}

	// A failing integration is API Gateway's error message.
	websocket.Message.Send(a, `{"action":"fail"}`)
	var fail map[string]string
	if err := json.Unmarshal([]byte(wsReceive(t, a)), &fail); err != nil || fail["message"] != "Internal server error" || fail["connectionId"] != connA {
		t.Fatalf("failure: %v %v", fail, err)
	}

	// B leaves: posting to it is GoneException, and $disconnect ran.
	b.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, hdr, body := manageConnection(t, env, pathBase, "POST", connB, []byte("too late"))
		if status == 410 {
			if hdr.Get("X-Amzn-Errortype") != "GoneException" {
				t.Fatalf("410 with error type %q %s", hdr.Get("X-Amzn-Errortype"), body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PostToConnection after close: %d %s", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// DeleteConnection closes A from the server's side.
	if status, _, body := manageConnection(t, env, pathBase, "DELETE", connA, nil); status != 204 {
		t.Fatalf("DeleteConnection: %d %s", status, body)
	}
	wsClosed(t, a)
	if status, _, _ := manageConnection(t, env, pathBase, "GET", connA, nil); status != 410 {
		t.Fatalf("GetConnection of a deleted connection: %d", status)
	}

	// The events as the function logged them: CONNECT with headers and
	// query string, DISCONNECT for both connections.
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	lines := groupLines(t, cwl, "/aws/lambda/ws", "EVENT ", func(l []string) bool {
		n := 0
		for _, x := range l {
			if strings.Contains(x, `"eventType": "DISCONNECT"`) {
				n++
			}
		}
		return n >= 2
	})
	var sawConnect bool
	for _, l := range lines {
		var e map[string]any
		json.Unmarshal([]byte(strings.TrimPrefix(l, "EVENT ")), &e)
		rc, _ := e["requestContext"].(map[string]any)
		switch rc["eventType"] {
		case "CONNECT":
			if rc["connectionId"] != connA {
				continue
			}
			sawConnect = true
			qs, _ := e["queryStringParameters"].(map[string]any)
			hdr, _ := e["headers"].(map[string]any)
			// The client's names keep its spelling.
			if qs["room"] != "blue" || hdr["Sec-WebSocket-Key"] == nil || hdr["X-Amzn-Trace-Id"] == nil || hdr["Host"] != id+".execute-api.localhost:"+u.Port() ||
				hdr["x-client-tag"] != "lower" || hdr["X-Client-Tag"] != nil ||
				rc["routeKey"] != "$connect" || rc["connectedAt"] == nil {
				t.Errorf("CONNECT event: %v", e)
			}
		case "DISCONNECT":
			if rc["routeKey"] != "$disconnect" || rc["disconnectStatusCode"] == nil {
				t.Errorf("DISCONNECT event: %v", e)
			}
		}
	}
	if !sawConnect {
		t.Errorf("no CONNECT event for %s in %d lines", connA, len(lines))
	}
}

// TestAPIGWv2WebSocketLimits closes a connection that sends a frame over
// 32 KB with code 1009, and refuses @connections calls that are unsigned
// or too large.
func TestAPIGWv2WebSocketLimits(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	createPythonFunction(t, lambdaClient(t, env), "ws", wsHandler, 10)
	id := createWebSocketAPI(t, apigatewayv2.NewFromConfig(env.Config), "ws")
	a, err := wsConnect(t, env, id, "prod", "", true)
	if err != nil {
		t.Fatal(err)
	}
	websocket.Message.Send(a, `{"action":"echo"}`)
	var ev struct{ RequestContext map[string]any }
	json.Unmarshal([]byte(wsReceive(t, a)), &ev)
	connA := ev.RequestContext["connectionId"].(string)

	base := env.Endpoint + "/_aws/execute-api/" + id + "/prod"
	if status, hdr, _ := manageConnection(t, env, base, "POST", connA, bytes.Repeat([]byte("x"), 128<<10+1)); status != 413 ||
		hdr.Get("X-Amzn-Errortype") != "PayloadTooLargeException" {
		t.Fatalf("a 128 KB + 1 post: %d %s", status, hdr.Get("X-Amzn-Errortype"))
	}
	big := strings.Repeat("y", 100<<10)
	if status, _, _ := manageConnection(t, env, base, "POST", connA, []byte(big)); status != 200 {
		t.Fatalf("a 100 KB post: %d", status)
	}
	// It comes in frames of at most 32 KB, which x/net/websocket hands
	// over one by one.
	var got string
	for frames := 0; len(got) < len(big); frames++ {
		part := wsReceive(t, a)
		if len(part) > 32<<10 || frames > 4 {
			t.Fatalf("frame %d of %d bytes", frames, len(part))
		}
		got += part
	}
	if got != big {
		t.Fatalf("the 100 KB post arrived as %d bytes", len(got))
	}
	res, err := http.Post(base+"/@connections/"+url.PathEscape(connA), "application/octet-stream", strings.NewReader("unsigned"))
	if err != nil || res.StatusCode != 403 {
		t.Fatalf("unsigned post: %v %v", res, err)
	}
	if status, _, _ := manageConnection(t, env, base, "GET", "nope=", nil); status != 410 {
		t.Fatalf("GetConnection of an unknown id: %d", status)
	}

	// x/net/websocket sends a message as one frame: 40 KB is over the
	// frame limit.
	websocket.Message.Send(a, strings.Repeat("z", 40<<10))
	wsClosed(t, a)
}
