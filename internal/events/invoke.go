package events

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// The request EventBridge makes to an API destination for one event, as
// AWS's user guide describes it:
//
//	METHOD endpoint, its "*" path wildcards filled with the target's
//	    PathParameterValues, the target's QueryStringParameters and the
//	    connection's (the connection's win a clash)
//	User-Agent: Amazon/EventBridge/ApiDestinations
//	Content-Type: application/json; charset=utf-8
//	Range: bytes=0-1048575, Accept-Encoding: gzip,deflate, Connection: close
//	the target's HeaderParameters, then the connection's, then its
//	    authorization: Basic, the API key header, or a Bearer OAuth token
//	body: the target's input, with the connection's body parameters
//	    added to it when it is a JSON object (virga's reading: AWS does
//	    not document how they are merged)
//
// The endpoint has 5 seconds to answer. 2xx is success; 429, 5xx, a
// timeout or a failed connection are retried within the target's
// RetryPolicy, no sooner than a Retry-After header asks (a negative one
// stops the retries); any other status goes to the dead-letter queue at
// once. For an OAuth connection, 401 and 407 drop the cached token, and
// the retry fetches a new one.

const (
	// invokeTimeout is AWS's: "EventBridge requests to an API
	// destination endpoint must have a maximum client execution timeout
	// of 5 seconds".
	invokeTimeout      = 5 * time.Second
	apiDestUserAgent   = "Amazon/EventBridge/ApiDestinations"
	apiDestContentType = "application/json; charset=utf-8"
	// maxResponseRead is what the Range header asks of a response.
	maxResponseRead = 1048576
)

// errAPIDest is a failed invocation; its Status is the endpoint's answer.
// Its code is the ERROR_CODE a dead-lettered event carries: AWS does not
// document the codes it uses for API destinations, so this one is
// virga's, and the message says what happened (the status the endpoint
// answered, or why the request could not be made).
var errAPIDest = apierr.New("ApiDestinationInvocationFailure", 400, "")

func newHTTPClient() *http.Client {
	return &http.Client{Timeout: invokeTimeout,
		// A 3xx is an answer, not a redirection to follow: EventBridge
		// does not retry it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// invocation is what an API destination's request needs, read under s.mu.
type invocation struct {
	dest apiDestRecord
	conn connectionRecord
}

func (s *Service) invocationOf(arn string) (*invocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.apiDestByARN(arn)
	if d == nil {
		return nil, errAPIDest.Withf("The API destination %s does not exist.", arn)
	}
	c := s.connectionByARN(d.ConnectionARN)
	if c == nil {
		return nil, errAPIDest.Withf("The connection %s of API destination %s does not exist.", d.ConnectionARN, d.Name)
	}
	if c.Auth == nil || c.State == connDeauthorized || c.State == connDeauthorizing {
		return nil, errAPIDest.Withf("The connection %s of API destination %s is not authorized.", c.Name, d.Name)
	}
	return &invocation{dest: *d, conn: *c}, nil
}

// invokeAPIDestination makes one attempt at an API destination target.
// It sets d.retryAfter from a Retry-After header.
func (s *Service) invokeAPIDestination(ctx context.Context, d *delivery) error {
	var err error
	_, d.retryAfter, d.stop, err = s.callAPIDestination(ctx, deref(d.target.Arn), d.target.HttpParameters, d.msg.Body)
	return err
}

// callAPIDestination makes one request to an API destination and returns
// the body of its 2xx answer. wait and stop are what a Retry-After
// header of a throttling or failed answer asks.
func (s *Service) callAPIDestination(ctx context.Context, arn string, hp *HttpParameters, input []byte) (answer []byte, wait time.Duration, stop bool, err error) {
	inv, err := s.invocationOf(arn)
	if err != nil {
		return nil, 0, false, err
	}
	req, err := s.apiDestRequest(ctx, inv, hp, input)
	if err != nil {
		return nil, 0, false, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		e := errAPIDest.Withf("The request to the API destination endpoint failed: %v", err)
		e.Fault = true
		return nil, 0, false, e
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, 0, false, nil
	}
	e := errAPIDest.Withf("The API destination endpoint answered with HTTP status %d.", resp.StatusCode)
	if b := excerpt(body); b != "" {
		e = errAPIDest.Withf("The API destination endpoint answered with HTTP status %d: %s", resp.StatusCode, b)
	}
	e.Status = resp.StatusCode
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		e.Fault = resp.StatusCode >= 500
		wait, stop = retryAfter(resp.Header.Get("Retry-After"), s.clock.Now())
	case inv.conn.AuthType == authOAuth && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusProxyAuthRequired):
		s.dropToken(inv.conn.Name)
		e.Fault = true
	}
	return nil, wait, stop, e
}

// apiDestRequest builds an API destination's request for one input.
func (s *Service) apiDestRequest(ctx context.Context, inv *invocation, hp *HttpParameters, input []byte) (*http.Request, error) {
	var pathValues []string
	if hp != nil {
		pathValues = hp.PathParameterValues
	}
	target, err := fillPath(inv.dest.Endpoint, pathValues)
	if err != nil {
		return nil, errAPIDest.Withf("The API destination %s cannot be invoked: %v.", inv.dest.Name, err)
	}
	auth := inv.conn.Auth
	params := auth.InvocationHttpParameters
	q := url.Values{}
	if hp != nil {
		for _, k := range sortedNames(hp.QueryStringParameters) {
			q.Set(k, hp.QueryStringParameters[k])
		}
	}
	if params != nil {
		for _, p := range params.QueryStringParameters {
			q.Set(deref(p.Key), deref(p.Value))
		}
	}
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	body := input
	if params != nil && len(params.BodyParameters) > 0 {
		body = addBodyParameters(body, params.BodyParameters)
	}
	req, err := http.NewRequestWithContext(ctx, inv.dest.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, errAPIDest.Withf("The API destination %s cannot be invoked: %v.", inv.dest.Name, err)
	}
	req.Close = true
	h := req.Header
	h.Set("User-Agent", apiDestUserAgent)
	h.Set("Content-Type", apiDestContentType)
	h.Set("Range", "bytes=0-1048575")
	h.Set("Accept-Encoding", "gzip,deflate")
	if hp != nil {
		for k, v := range hp.HeaderParameters {
			h.Set(k, v)
		}
	}
	if params != nil {
		for _, p := range params.HeaderParameters {
			h.Set(deref(p.Key), deref(p.Value))
		}
	}
	switch {
	case auth.BasicAuthParameters != nil && inv.conn.AuthType == authBasic:
		req.SetBasicAuth(deref(auth.BasicAuthParameters.Username), deref(auth.BasicAuthParameters.Password))
	case auth.ApiKeyAuthParameters != nil && inv.conn.AuthType == authAPIKey:
		h.Set(deref(auth.ApiKeyAuthParameters.ApiKeyName), deref(auth.ApiKeyAuthParameters.ApiKeyValue))
	case inv.conn.AuthType == authOAuth:
		tok, err := s.oauthToken(ctx, &inv.conn)
		if err != nil {
			e := errAPIDest.Withf("The connection %s could not get an OAuth token: %v", inv.conn.Name, err)
			e.Fault = true
			return nil, e
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	return req, nil
}

// addBodyParameters adds a connection's body parameters to a JSON object
// body, replacing members of the same name; any other body is sent as it
// is.
func addBodyParameters(body []byte, params []ConnectionBodyParameter) []byte {
	trimmed := bytes.TrimSpace(body)
	var obj map[string]json.RawMessage
	if json.Unmarshal(trimmed, &obj) != nil || obj == nil {
		return body
	}
	out := withoutMembers(trimmed, params)
	out = out[:len(out)-1] // the closing brace
	for _, p := range params {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, quote(deref(p.Key))...)
		out = append(out, ':')
		out = append(out, quote(deref(p.Value))...)
	}
	return append(out, '}')
}

// withoutMembers is a JSON object without the members the parameters
// name.
func withoutMembers(obj []byte, params []ConnectionBodyParameter) []byte {
	for _, p := range params {
		obj = withoutMember(obj, deref(p.Key))
	}
	return obj
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
// stop reports a negative delay, which AWS takes as "do not retry".
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, true
		}
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second, false
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter), false
	}
	return 0, false
}

// maxRetryAfter bounds a Retry-After header: past the default maximum
// event age the retry could never happen.
const maxRetryAfter = defaultMaxEventAge

func excerpt(b []byte) string {
	const n = 256
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// admit counts an invocation against its API destination's
// InvocationRateLimitPerSecond, in windows of one second of the injected
// clock. When the window is full it returns when the next one opens.
func (s *Service) admit(arn string, now time.Time) (time.Time, bool) {
	s.mu.Lock()
	rate := int32(defaultInvocationRate)
	if d := s.apiDestByARN(arn); d != nil {
		rate = d.Rate
	}
	s.mu.Unlock()
	s.limitMu.Lock()
	defer s.limitMu.Unlock()
	w := s.windows[arn]
	if w == nil || now.Sub(w.start) >= time.Second || now.Before(w.start) {
		w = &rateWindow{start: now}
		s.windows[arn] = w
	}
	if w.n < int(rate) {
		w.n++
		return time.Time{}, true
	}
	return w.start.Add(time.Second), false
}

// rateWindow counts an API destination's invocations in one second.
type rateWindow struct {
	start time.Time
	n     int
}
