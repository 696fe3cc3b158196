package apigatewayv2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// proxyHTTP runs an HTTP proxy integration: the request goes on to the
// integration's URL, with the route's path variables ({name}) and the
// stage's variables put into it, and the response comes back as it is.
// For the $default route the request's whole path is added to the URL's.
func (s *Service) proxyHTTP(inv *invocation, integ *integrationRecord) *response {
	client := s.client
	target, err := proxyURL(inv, integ)
	if integ.ConnectionType == connectionVpcLink {
		target, err, client = privateURL(inv), nil, s.privateClient(integ)
	}
	if err != nil {
		s.log.Warn("apigatewayv2: HTTP integration URI", "api", inv.api.ID, "integration", integ.ID,
			"err", err, "requestId", inv.requestID)
		return gatewayResponse(http.StatusInternalServerError)
	}
	method := integ.Method
	if method == "ANY" {
		method = inv.r.Method
	}
	timeout := time.Duration(integ.TimeoutMillis) * time.Millisecond
	ctx, cancel := context.WithTimeout(inv.r.Context(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(inv.body))
	if err != nil {
		return gatewayResponse(http.StatusInternalServerError)
	}
	for _, h := range inv.requestHeaders() {
		switch h.name {
		case "host", "content-length":
			continue
		}
		req.Header[http.CanonicalHeaderKey(h.name)] = h.values
	}
	if integ.ConnectionType == connectionVpcLink {
		// The load balancer gets the Host the client sent.
		req.Host = inv.r.Host
	}
	inv.mapRequest(integ, req)
	start := s.clock.Now()
	resp, err := client.Do(req)
	s.integrationDone(inv, start, 0)
	if err == nil {
		inv.integration.status = resp.StatusCode
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return gatewayResponse(http.StatusServiceUnavailable)
		}
		s.log.Info("apigatewayv2: HTTP integration failed", "api", inv.api.ID, "url", target,
			"err", err, "requestId", inv.requestID)
		return gatewayResponse(http.StatusInternalServerError)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return gatewayResponse(http.StatusServiceUnavailable)
		}
		return gatewayResponse(http.StatusInternalServerError)
	}
	if len(body) > maxPayload {
		return gatewayResponse(http.StatusInternalServerError)
	}
	res := &response{status: resp.StatusCode, header: http.Header{}, body: body}
	for k, vs := range resp.Header {
		if hopHeaders[strings.ToLower(k)] || strings.EqualFold(k, "Content-Length") {
			continue
		}
		res.header[k] = vs
	}
	return res
}

// proxyURL is the URL an HTTP proxy integration sends a request to.
func proxyURL(inv *invocation, integ *integrationRecord) (string, error) {
	raw := withStageVariables(integ.URI, inv.stage.Variables)
	for name, v := range inv.params {
		escaped := url.PathEscape(v)
		if strings.HasSuffix(inv.route.Key, "{"+name+"+}") {
			escaped = escapeGreedy(v)
		}
		raw = strings.ReplaceAll(raw, "{"+name+"}", escaped)
		raw = strings.ReplaceAll(raw, "{"+name+"+}", escaped)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", errors.New("not an http or https URL: " + raw)
	}
	if inv.route.Key == defaultRouteKey {
		joined := strings.TrimSuffix(u.EscapedPath(), "/") + inv.stagePath
		p, err := url.PathUnescape(joined)
		if err != nil {
			return "", err
		}
		u.Path, u.RawPath = p, joined
	}
	if q := inv.r.URL.RawQuery; q != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&" + q
		} else {
			u.RawQuery = q
		}
	}
	return u.String(), nil
}

// escapeGreedy escapes a greedy variable's value segment by segment,
// keeping its slashes.
func escapeGreedy(v string) string {
	parts := strings.Split(v, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
