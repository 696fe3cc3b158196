package apigateway

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
)

// TestInvokeMethod runs a request through a method of the API as it is
// defined now, deployed or not, as the console's test does: on the stage
// testInvokeStage, with the stage variables the call gives, without the
// method's authorization, API key or throttling, and answers the
// method's response with the request's execution log (every line, data
// included) and its latency.

// testInvokeStage is the stage a test invocation runs on: its requests'
// requestContext.stage and the stage of the ARN its integration calls a
// function from.
const testInvokeStage = "test-invoke-stage"

// testInvokeLogTime is the layout of the time each execution log line of
// a test invocation starts with.
const testInvokeLogTime = "Mon Jan 02 15:04:05 MST 2006"

func (s *Service) testInvokeMethod(ctx context.Context, in *TestInvokeMethodRequest) (*TestInvokeMethodResponse, error) {
	s.mu.RLock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	_, m, err := methodOf(st.def, in.ResourceId, in.HttpMethod)
	if err == nil && m.Integration == nil {
		err = badRequest(msgNoIntegration)
	}
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	d := &deployment{ID: testInvokeStage, Created: s.clock.Now(), API: st.def.clone()}
	s.mu.RUnlock()
	d.compile()
	node := d.routes.find(*in.ResourceId)

	target := deref(in.PathWithQueryString)
	if target == "" {
		target = node.template
	}
	if !strings.HasPrefix(target, "/") {
		target = "/" + target
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, badRequest("Invalid path with query string specified: %s", target)
	}
	body := []byte(deref(in.Body))
	r, err := http.NewRequestWithContext(ctx, *in.HttpMethod, "https://"+d.API.ID+".execute-api."+s.region+".amazonaws.com/"+testInvokeStage+u.EscapedPath(), bytes.NewReader(body))
	if err != nil {
		return nil, badRequest("Invalid path with query string specified: %s", target)
	}
	r.URL.RawQuery = u.RawQuery
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		r.Header.Set(k, v)
	}

	// The method is the resource's, whatever the path; the path gives
	// the path parameters when it is one of the resource's.
	match := routeMatch{node: node, method: d.API.Resources[*in.ResourceId].Methods[*in.HttpMethod]}
	if pm, ok := d.routes.match(*in.HttpMethod, splitRequestPath(u.EscapedPath())); ok && pm.node == node {
		match.params = pm.params
	}
	req := &request{r: r, body: body, apiID: d.API.ID, stage: testInvokeStage, stageVars: in.StageVariables, deployment: d,
		path: "/" + strings.TrimPrefix(u.EscapedPath(), "/"), match: match, requestID: s.ids.UUID(), extendedID: s.extendedRequestID(),
		started: s.clock.Now(), logsExecution: true}
	req.traceID = traceID(req.started, s.ids.Hex(12))

	w := httptest.NewRecorder()
	s.logMethodRequest(req)
	e := s.integrate(req, w)
	if e != nil {
		s.writeGatewayError(req, w, e)
	}
	res := w.Result()
	answer := w.Body.Bytes()
	s.logMethodResponse(req, res.StatusCode, res.Header, answer, e)

	out := &TestInvokeMethodResponse{Status: ptr(int32(res.StatusCode)), Body: ptr(string(answer)),
		Headers: map[string]string{}, MultiValueHeaders: map[string][]string{},
		Log: ptr(testInvokeLog(req)), Latency: ptr(s.clock.Now().Sub(req.started).Milliseconds())}
	// Content-Length is the transport's, which a test invocation has not.
	res.Header.Del("Content-Length")
	for _, k := range slices.Sorted(maps.Keys(res.Header)) {
		vs := res.Header[k]
		out.Headers[k] = vs[len(vs)-1]
		out.MultiValueHeaders[k] = slices.Clone(vs)
	}
	return out, nil
}

// testInvokeLog is a test invocation's execution log, as the console
// shows it: a first line naming the request, then each line stamped with
// its time.
func testInvokeLog(req *request) string {
	var b strings.Builder
	b.WriteString("Execution log for request " + req.requestID + "\n")
	for _, l := range req.execution {
		b.WriteString(l.at.UTC().Format(testInvokeLogTime) + " : " + l.text + "\n")
	}
	return b.String()
}

// find is the node of the resource with the given id.
func (n *routeNode) find(id string) *routeNode {
	if n == nil || n.res.ID == id {
		return n
	}
	children := make([]*routeNode, 0, len(n.literals)+2)
	for _, c := range n.literals {
		children = append(children, c)
	}
	children = append(children, n.variable, n.greedy)
	for _, c := range children {
		if f := c.find(id); f != nil {
			return f
		}
	}
	return nil
}
