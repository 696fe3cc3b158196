package apigatewayv2

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/apigateway"
	"github.com/virga/virga/internal/headercase"
)

// The data plane of WebSocket APIs. A client opens a connection to a
// stage (ws://ID.execute-api.localhost:PORT/STAGE); the $connect route's
// integration runs before the handshake is answered and may refuse it.
// Each message then goes to the route its route selection expression
// picks (else $default), and what the integration answers goes back to
// the client when the route has a route response. The $disconnect route
// runs once the connection is gone, whoever closed it. Backends reach a
// client through the @connections API (wsconnections.go).

// wsEvent is the Lambda proxy event of a WebSocket API, in the order of
// AWS's examples.
type wsEvent struct {
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  wsRequestContext    `json:"requestContext"`
	Body                            *string             `json:"body,omitempty"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// wsRequestContext is a WebSocket event's requestContext.
type wsRequestContext struct {
	RouteKey             string     `json:"routeKey"`
	MessageID            string     `json:"messageId,omitempty"`
	DisconnectStatusCode *int       `json:"disconnectStatusCode,omitempty"`
	EventType            string     `json:"eventType"`
	ExtendedRequestID    string     `json:"extendedRequestId"`
	RequestTime          string     `json:"requestTime"`
	MessageDirection     string     `json:"messageDirection"`
	DisconnectReason     *string    `json:"disconnectReason,omitempty"`
	Stage                string     `json:"stage"`
	ConnectedAt          int64      `json:"connectedAt"`
	RequestTimeEpoch     int64      `json:"requestTimeEpoch"`
	Identity             wsIdentity `json:"identity"`
	RequestID            string     `json:"requestId"`
	DomainName           string     `json:"domainName"`
	ConnectionID         string     `json:"connectionId"`
	APIID                string     `json:"apiId"`
}

// wsIdentity is requestContext.identity: who connected, and for an
// AWS_IAM $connect route who signed the handshake.
type wsIdentity struct {
	AccessKey string `json:"accessKey,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Caller    string `json:"caller,omitempty"`
	User      string `json:"user,omitempty"`
	UserArn   string `json:"userArn,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
	SourceIP  string `json:"sourceIp"`
	// The Cognito identity pool identity whose credentials signed the
	// handshake, as the REST plane reports it
	// (awsproto.CognitoIdentity.EventFields).
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId,omitempty"`
	CognitoIdentityID             *string `json:"cognitoIdentityId,omitempty"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType,omitempty"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider,omitempty"`
}

// serveWebSocket answers a request to a WebSocket API: an opening
// handshake for a stage, or a call of the @connections API.
func (s *Service) serveWebSocket(w http.ResponseWriter, r *http.Request, a *apiRecord) {
	if a.DisableExecuteAPIEndpoint && !viaDomain(r) {
		writeGatewayError(w, r, http.StatusForbidden)
		return
	}
	first, rest := apigateway.StagePath(r.Context(), r.URL.EscapedPath())
	name, err := url.PathUnescape(first)
	st := a.Stages[name]
	if err != nil || st == nil {
		writeGatewayError(w, r, http.StatusNotFound)
		return
	}
	if id, ok := strings.CutPrefix(rest, "@connections/"); ok {
		s.serveConnections(w, r, a, st, id)
		return
	}
	if rest != "" {
		writeGatewayError(w, r, http.StatusNotFound)
		return
	}
	if err := checkHandshake(r); err != nil {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		if r.ProtoMajor == 1 {
			// HTTP/2 forbids Upgrade, a connection-specific field
			// (RFC 9113, section 8.2.2): clients reset the stream.
			h.Set("Upgrade", "websocket")
		}
		h.Set("Sec-WebSocket-Version", "13")
		w.WriteHeader(http.StatusUpgradeRequired)
		io.WriteString(w, `{"message":"Upgrade Required"}`)
		return
	}
	s.openConnection(w, r, a, st)
}

// checkHandshake checks a request is a WebSocket opening handshake
// (RFC 6455, section 4.2.1).
func checkHandshake(r *http.Request) error {
	if r.Method != http.MethodGet || !headerHasToken(r.Header, "Connection", "upgrade") ||
		!headerHasToken(r.Header, "Upgrade", "websocket") || r.Header.Get("Sec-WebSocket-Version") != "13" {
		return errNotWebSocket
	}
	if k, err := base64.StdEncoding.DecodeString(r.Header.Get("Sec-WebSocket-Key")); err != nil || len(k) != 16 {
		return errNotWebSocket
	}
	return nil
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// wsStageDeployment returns what a WebSocket stage serves now.
func (s *Service) wsStageDeployment(apiID, stage string) (*apiRecord, *deployment) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.apis[apiID]
	if a == nil || a.Stages[stage] == nil {
		return nil, nil
	}
	return a, s.deployed[deployedKey(apiID, a.Stages[stage].DeploymentID)]
}

// openConnection runs the $connect route and, when it allows the
// connection, completes the handshake and serves the connection until it
// closes.
func (s *Service) openConnection(w http.ResponseWriter, r *http.Request, a *apiRecord, st *stageRecord) {
	_, d := s.wsStageDeployment(a.ID, st.Name)
	if d == nil {
		writeGatewayError(w, r, http.StatusNotFound)
		return
	}
	now := s.now()
	if !s.allowRoute(a.ID, st, routeConnect, s.clock.Now()) {
		writeGatewayError(w, r, http.StatusTooManyRequests)
		return
	}
	c := &wsConn{id: s.connectionID(), apiID: a.ID, stage: st.Name, connectedAt: now, lastActive: now,
		domainName: wsDomainName(r, a.ID), identity: wsIdentity{SourceIP: sourceIP(r), UserAgent: r.UserAgent()}}
	var reply http.Header
	if route := d.wsRoutes[routeConnect]; route != nil {
		if route.AuthorizationType == "AWS_IAM" {
			auth := s.iamAuthorization(r)
			if auth == nil {
				writeGatewayError(w, r, http.StatusForbidden)
				return
			}
			id := &c.identity
			id.AccessKey, id.AccountID = auth.iam.AccessKey, auth.iam.AccountID
			id.Caller, id.User, id.UserArn = auth.iam.CallerID, auth.iam.UserID, auth.iam.UserARN
			id.CognitoIdentityPoolID, id.CognitoIdentityID, id.CognitoAuthenticationType, id.CognitoAuthenticationProvider = auth.caller.Cognito.EventFields()
		}
		ev := s.wsEvent(c, route, "CONNECT", st)
		trace := s.traceHeader(r, s.clock.Now())
		ev.Headers, ev.MultiValueHeaders = connectHeaders(r, c.identity.SourceIP, trace)
		for _, p := range queryParams(r.URL.RawQuery) {
			if ev.QueryStringParameters == nil {
				ev.QueryStringParameters, ev.MultiValueQueryStringParameters = map[string]string{}, map[string][]string{}
			}
			ev.QueryStringParameters[p.name] = p.values[len(p.values)-1]
			ev.MultiValueQueryStringParameters[p.name] = p.values
		}
		res := s.wsIntegrate(r.Context(), d, route, st, ev)
		if res.status < 200 || res.status > 299 {
			res.write(w, r)
			return
		}
		reply = res.header
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeGatewayError(w, r, http.StatusInternalServerError)
		return
	}
	netConn, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	c.netConn, c.rw = netConn, rw
	var b strings.Builder
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Sec-WebSocket-Accept: " + acceptKey(r.Header.Get("Sec-WebSocket-Key")) + "\r\n")
	if p := reply.Get("Sec-WebSocket-Protocol"); p != "" {
		b.WriteString("Sec-WebSocket-Protocol: " + p + "\r\n")
	}
	b.WriteString("\r\n")
	if err := c.write([]byte(b.String())); err != nil {
		netConn.Close()
		return
	}
	if s.ws.add(c) {
		go s.sweep()
	}
	s.readLoop(c)
}

// webSocketHeaders spell the handshake's headers as RFC 6455 does, which
// is how the $connect event names them, where Go's canonical form would
// not ("Sec-Websocket-Key").
var webSocketHeaders = map[string]string{
	"Sec-Websocket-Key": "Sec-WebSocket-Key", "Sec-Websocket-Version": "Sec-WebSocket-Version",
	"Sec-Websocket-Extensions": "Sec-WebSocket-Extensions", "Sec-Websocket-Protocol": "Sec-WebSocket-Protocol",
}

// connectHeaders are the headers of a $connect event: the client's, with
// those API Gateway adds. The names are spelled as the client sent them
// (headercase), or when that is not known, as RFC 6455 spells the
// handshake's.
func connectHeaders(r *http.Request, sourceIP, traceID string) (map[string]string, map[string][]string) {
	single, multi := map[string]string{}, map[string][]string{}
	for k, vs := range r.Header {
		if hopHeaders[strings.ToLower(k)] {
			continue
		}
		single[k], multi[k] = vs[len(vs)-1], vs
	}
	if _, ok := single["X-Amzn-Trace-Id"]; !ok {
		single["X-Amzn-Trace-Id"], multi["X-Amzn-Trace-Id"] = traceID, []string{traceID}
	}
	single["Host"], multi["Host"] = r.Host, []string{r.Host}
	fwd := sourceIP
	if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		fwd = strings.Join(prior, ", ") + ", " + sourceIP
	}
	single["X-Forwarded-For"], multi["X-Forwarded-For"] = fwd, []string{fwd}
	single["X-Forwarded-Port"], multi["X-Forwarded-Port"] = requestPort(r), []string{requestPort(r)}
	single["X-Forwarded-Proto"], multi["X-Forwarded-Proto"] = requestProto(r), []string{requestProto(r)}
	names := headercase.Names(r)
	spelledSingle, spelledMulti := make(map[string]string, len(single)), make(map[string][]string, len(multi))
	for k := range single {
		name, ok := names[k]
		if !ok {
			if name, ok = webSocketHeaders[k]; !ok {
				name = k
			}
		}
		spelledSingle[name], spelledMulti[name] = single[k], multi[k]
	}
	return spelledSingle, spelledMulti
}

// wsEvent starts the event of a connection's route.
func (s *Service) wsEvent(c *wsConn, route *routeRecord, eventType string, st *stageRecord) *wsEvent {
	now := s.clock.Now()
	id := s.requestID()
	ev := &wsEvent{RequestContext: wsRequestContext{
		RouteKey: route.Key, EventType: eventType, ExtendedRequestID: id,
		RequestTime: now.UTC().Format(requestTimeLayout), MessageDirection: "IN", Stage: c.stage,
		ConnectedAt: c.connectedAt.UnixMilli(), RequestTimeEpoch: now.UnixMilli(), Identity: c.identity,
		RequestID: id, DomainName: c.domainName, ConnectionID: c.id, APIID: c.apiID,
	}}
	if st != nil && len(st.Variables) > 0 {
		ev.StageVariables = st.Variables
	}
	return ev
}

// wsIntegrate runs a route's integration with an event and returns its
// answer: a Lambda proxy response, a MOCK integration's, or API
// Gateway's own when the integration failed.
func (s *Service) wsIntegrate(ctx context.Context, d *deployment, route *routeRecord, st *stageRecord, ev *wsEvent) *response {
	integ := d.integrations[strings.TrimPrefix(route.Target, "integrations/")]
	if route.Target == "" || integ == nil {
		// A route without an integration lets the connection be and
		// answers nothing.
		return &response{status: http.StatusOK, header: http.Header{}}
	}
	switch integ.Type {
	case "MOCK":
		return mockResponse(integ)
	case "AWS":
		return s.wsAWSIntegration(ctx, integ, st, ev)
	case "AWS_PROXY":
	default:
		return wsFailure()
	}
	vars := map[string]string{}
	if st != nil {
		vars = st.Variables
	}
	fn, ok := lambdaFunction(withStageVariables(integ.URI, vars))
	if !ok {
		return wsFailure()
	}
	payload, err := marshalEvent(ev)
	if err != nil {
		return wsFailure()
	}
	out, err := s.callFunction(ctx, fn, payload, time.Duration(integ.TimeoutMillis)*time.Millisecond)
	if err != nil {
		s.log.Info("apigatewayv2: WebSocket integration failed", "api", ev.RequestContext.APIID, "route", route.Key,
			"function", fn, "err", err, "requestId", ev.RequestContext.RequestID)
		return wsFailure()
	}
	res, err := lambdaResponse("1.0", out)
	if err != nil {
		s.log.Info("apigatewayv2: WebSocket integration's response", "api", ev.RequestContext.APIID, "route", route.Key,
			"function", fn, "err", err, "requestId", ev.RequestContext.RequestID)
		return wsFailure()
	}
	return res
}

// wsFailure is an integration that failed: a refused handshake, or an
// error message to the client.
func wsFailure() *response {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &response{status: http.StatusBadGateway, header: h, body: []byte(`{"message":"Internal server error"}`), gateway: true}
}

// mockResponse is a MOCK integration's answer: its $default integration
// response's template, as written (mapping templates are not evaluated).
func mockResponse(integ *integrationRecord) *response {
	res := &response{status: http.StatusOK, header: http.Header{}}
	for _, ir := range integ.Responses {
		if ir.Key != defaultRouteKey {
			continue
		}
		keys := make([]string, 0, len(ir.ResponseTemplates))
		for k := range ir.ResponseTemplates {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if t, ok := ir.ResponseTemplates[defaultRouteKey]; ok {
			res.body = []byte(t)
		} else if len(keys) > 0 {
			res.body = []byte(ir.ResponseTemplates[keys[0]])
		}
	}
	return res
}

// readLoop serves a connection's messages until it closes, then runs
// $disconnect.
func (s *Service) readLoop(c *wsConn) {
	mr := &messageReader{r: c.rw.Reader}
	for {
		m, err := mr.next()
		if err != nil {
			var ce *closeError
			if errors.As(err, &ce) {
				s.closeConnection(c, ce.code, ce.reason, true)
			} else {
				s.closeConnection(c, closeAbnormal, "Connection closed abnormally", false)
			}
			return
		}
		switch m.opcode {
		case opPing:
			c.write(appendFrames(nil, opPong, m.data))
			continue
		case opPong:
			continue
		case opClose:
			code, reason, err := parseClose(m.data)
			if err != nil {
				var ce *closeError
				errors.As(err, &ce)
				s.closeConnection(c, ce.code, ce.reason, true)
				return
			}
			// The answer echoes the client's code, as RFC 6455 asks.
			s.closeConnectionEcho(c, code, reason)
			return
		case opBinary:
			// "API Gateway WebSocket APIs don't currently support binary
			// frames in incoming message payloads ... disconnects the
			// client with code 1003."
			s.closeConnection(c, closeUnsupportedData, "Binary frames are not supported", true)
			return
		}
		c.touch(s.now())
		s.handleMessage(c, m.data)
	}
}

// handleMessage routes one text message and runs its integration.
func (s *Service) handleMessage(c *wsConn, data []byte) {
	a, d := s.wsStageDeployment(c.apiID, c.stage)
	if d == nil {
		return
	}
	st := a.Stages[c.stage]
	var route *routeRecord
	if key, ok := selectRouteKey(a.RouteSelectionExpression, data); ok && key != routeConnect && key != routeDisconnect {
		route = d.wsRoutes[key]
	}
	if route == nil {
		route = d.wsRoutes[defaultRouteKey]
	}
	ev := s.wsEvent(c, &routeRecord{Key: defaultRouteKey}, "MESSAGE", st)
	ev.RequestContext.MessageID = s.requestID()
	body := string(data)
	ev.Body = &body
	if route == nil {
		// API Gateway's answer to a message no route takes.
		c.send(wsError("Forbidden", c.id, ev.RequestContext.RequestID))
		return
	}
	ev.RequestContext.RouteKey = route.Key
	if !s.allowRoute(c.apiID, st, route.Key, s.clock.Now()) {
		c.send(wsError("Too Many Requests", c.id, ev.RequestContext.RequestID))
		return
	}
	if !validMessage(a, route, data) {
		// API Gateway's "Bad request body" gateway response.
		c.send(wsError("Invalid request body", c.id, ev.RequestContext.RequestID))
		return
	}
	res := s.wsIntegrate(context.Background(), d, route, st, ev)
	if res.gateway {
		c.send(wsError("Internal server error", c.id, ev.RequestContext.RequestID))
		return
	}
	if len(route.Responses) == 0 || len(res.body) == 0 {
		return // one-way: the integration's answer is not passed on
	}
	c.send(res.body)
}

// wsError is the message API Gateway sends a client when it cannot serve
// its message.
func wsError(message, connectionID, requestID string) []byte {
	b, _ := json.Marshal(struct {
		Message      string `json:"message"`
		ConnectionID string `json:"connectionId"`
		RequestID    string `json:"requestId"`
	}{message, connectionID, requestID})
	return b
}

// closeConnectionEcho answers a client's close frame with its code and
// closes the connection.
func (s *Service) closeConnectionEcho(c *wsConn, code int, reason string) {
	s.finish(c, code, reason, closePayload(code, reason), true)
}

// closeConnection closes a connection from the server's side, with a
// close frame carrying code when sendFrame is set.
func (s *Service) closeConnection(c *wsConn, code int, reason string, sendFrame bool) {
	s.finish(c, code, reason, closePayload(code, reason), sendFrame)
}

// finish closes a connection once, whoever gets there first, and runs
// the $disconnect route in the background: "API Gateway calls the
// $disconnect route when the client or the server disconnects".
func (s *Service) finish(c *wsConn, code int, reason string, payload []byte, sendFrame bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	s.ws.remove(c)
	if sendFrame {
		c.writeClose(appendFrames(nil, opClose, payload))
	}
	c.netConn.Close() // also ends a write stalled on a client that does not read
	s.wsDisconnects.Add(1)
	go func() {
		defer s.wsDisconnects.Done()
		s.disconnected(c, code, reason)
	}()
}

// disconnected runs the $disconnect route of a closed connection.
func (s *Service) disconnected(c *wsConn, code int, reason string) {
	a, d := s.wsStageDeployment(c.apiID, c.stage)
	if d == nil {
		return
	}
	route := d.wsRoutes[routeDisconnect]
	if route == nil {
		return
	}
	st := a.Stages[c.stage]
	ev := s.wsEvent(c, route, "DISCONNECT", st)
	ev.RequestContext.DisconnectStatusCode = &code
	ev.RequestContext.DisconnectReason = &reason
	ev.Headers = map[string]string{"Host": c.domainName, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
	ev.MultiValueHeaders = map[string][]string{"Host": {c.domainName}, "x-api-key": {""}, "X-Forwarded-For": {""}, "x-restapi": {""}}
	s.wsIntegrate(context.Background(), d, route, st, ev)
}

// sweep closes connections past their idle timeout or maximum duration,
// on the service's clock, until no connection is open.
func (s *Service) sweep() {
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for range t.C {
		if s.sweepOnce() {
			return
		}
	}
}

// sweepOnce closes the connections past a limit now and reports whether
// none is open.
func (s *Service) sweepOnce() bool {
	idle, tooOld, empty := s.ws.expired(s.now())
	for _, c := range idle {
		s.closeConnection(c, closeGoingAway, "Going away", true)
	}
	for _, c := range tooOld {
		s.closeConnection(c, closeGoingAway, "Going away", true)
	}
	return empty
}

// wsConnectionID checks an @connections path's connection id.
func wsConnectionID(escaped string) (string, error) {
	id, err := url.PathUnescape(escaped)
	if err != nil || id == "" {
		return "", fmt.Errorf("invalid connection id %q", escaped)
	}
	return id, nil
}

// connectionID is a new connection id in the shape of AWS's (as
// "R1kmxc2VNjMCFIA="), without "/", so that a URL built by hand with it
// unescaped still names it.
func (s *Service) connectionID() string {
	for {
		if id := s.requestID(); !strings.Contains(id, "/") {
			return id
		}
	}
}

// wsDomainName is a WebSocket connection's requestContext.domainName,
// which AWS documents for making "a callback to the client": its
// functions reach the API Gateway Management API at
// https://{domainName}/{stage}. On AWS it is the API's host name
// (ID.execute-api.REGION.amazonaws.com, port 443); here it is
// ID.execute-api.localhost with the port the connection came in on,
// which virga's functions resolve to loopback and reach over TLS (see
// package localtls), however the client addressed the API (by host
// name, by path, or by AWS's host name through a proxy).
func wsDomainName(r *http.Request, apiID string) string {
	if dr, ok := apigateway.DomainRequestOf(r.Context()); ok {
		return dr.Domain
	}
	port := ""
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok {
		port = strconv.Itoa(a.Port)
	} else if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	if port == "" {
		return apiID + hostSuffix
	}
	return apiID + hostSuffix + ":" + port
}
