package events

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OAuth client credentials. AWS says only that EventBridge "exchanges
// your client ID and secret for an access token and then manages it",
// refreshing it when an endpoint answers 401 or 407 and, proactively,
// when it is about to expire. virga makes the exchange as OAuth 2.0's
// client credentials grant (RFC 6749, sections 2.3.1 and 4.4) does:
//
//	HttpMethod AuthorizationEndpoint, with OAuthHttpParameters' query
//	    string parameters (and, for GET, its body parameters too)
//	Authorization: Basic base64(ClientID:ClientSecret)
//	OAuthHttpParameters' headers
//	body (POST, PUT): OAuthHttpParameters' body parameters,
//	    application/x-www-form-urlencoded
//
// and reads access_token and expires_in from the JSON answer. The token
// is kept in memory, per connection, and fetched again when it expires
// within tokenRefreshWindow, after a 401 or 407, and when the connection
// changes. grant_type=client_credentials is sent only if the connection's
// body parameters carry it, as they do on AWS.

// tokenRefreshWindow is how close to its expiry a token is replaced
// before an invocation, as AWS's guide gives it: a token that "expires
// within 60 seconds".
const tokenRefreshWindow = 60 * time.Second

// oauthToken is a connection's cached access token.
type oauthToken struct {
	value string
	// expires is when the token expires; zero when the authorization
	// server did not say.
	expires time.Time
}

func (s *Service) dropToken(name string) {
	s.tokenMu.Lock()
	delete(s.tokens, name)
	s.tokenMu.Unlock()
}

// oauthToken returns a connection's token, fetching one when the cache
// has none that lasts past tokenRefreshWindow.
func (s *Service) oauthToken(ctx context.Context, c *connectionRecord) (string, error) {
	s.tokenMu.Lock()
	t, ok := s.tokens[c.Name]
	s.tokenMu.Unlock()
	if ok && (t.expires.IsZero() || s.clock.Now().Add(tokenRefreshWindow).Before(t.expires)) {
		return t.value, nil
	}
	t, err := s.fetchToken(ctx, c)
	if err != nil {
		return "", err
	}
	s.tokenMu.Lock()
	s.tokens[c.Name] = t
	s.tokenMu.Unlock()
	return t.value, nil
}

// fetchToken asks a connection's authorization endpoint for a token.
func (s *Service) fetchToken(ctx context.Context, c *connectionRecord) (oauthToken, error) {
	if c.Auth == nil || c.Auth.OAuthParameters == nil {
		return oauthToken{}, fmt.Errorf("the connection has no OAuth parameters")
	}
	o := c.Auth.OAuthParameters
	u, err := parseEndpoint(deref(o.AuthorizationEndpoint))
	if err != nil {
		return oauthToken{}, fmt.Errorf("the authorization endpoint is not valid")
	}
	method := deref(o.HttpMethod)
	q, form := url.Values{}, url.Values{}
	if p := o.OAuthHttpParameters; p != nil {
		for _, v := range p.QueryStringParameters {
			q.Set(deref(v.Key), deref(v.Value))
		}
		for _, v := range p.BodyParameters {
			if method == http.MethodGet {
				q.Set(deref(v.Key), deref(v.Value))
			} else {
				form.Set(deref(v.Key), deref(v.Value))
			}
		}
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	}
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return oauthToken{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", apiDestUserAgent)
	req.Header.Set("Accept", "application/json")
	if p := o.OAuthHttpParameters; p != nil {
		for _, h := range p.HeaderParameters {
			req.Header.Set(deref(h.Key), deref(h.Value))
		}
	}
	if cp := o.ClientParameters; cp != nil {
		req.SetBasicAuth(deref(cp.ClientID), deref(cp.ClientSecret))
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return oauthToken{}, fmt.Errorf("the authorization endpoint could not be reached: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return oauthToken{}, fmt.Errorf("the authorization endpoint answered with HTTP status %d", resp.StatusCode)
	}
	return parseTokenAnswer(data, s.clock.Now())
}

// parseTokenAnswer reads an authorization server's JSON answer:
// access_token, and expires_in in seconds (a number, or a string some
// servers send) counted from now.
func parseTokenAnswer(data []byte, now time.Time) (oauthToken, error) {
	var answer struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if json.Unmarshal(data, &answer) != nil || answer.AccessToken == "" {
		return oauthToken{}, fmt.Errorf("the authorization endpoint's answer has no access_token")
	}
	t := oauthToken{value: answer.AccessToken}
	var secs float64
	if json.Unmarshal(answer.ExpiresIn, &secs) != nil {
		var str string
		if json.Unmarshal(answer.ExpiresIn, &str) != nil {
			return t, nil
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(str), 64)
		if err != nil {
			return t, nil
		}
		secs = n
	}
	// A token that says it lasts less than a second, or longer than
	// anyone could wait, is taken as having no known expiry.
	if secs >= 1 && secs < maxTokenLifetime.Seconds() {
		t.expires = now.Add(time.Duration(secs * float64(time.Second)))
	}
	return t, nil
}

// maxTokenLifetime bounds expires_in so the expiry stays a valid time.
const maxTokenLifetime = 100 * 365 * 24 * time.Hour

// authorizeOAuth fetches an AUTHORIZING connection's first token and
// settles its state: AUTHORIZED, or DEAUTHORIZED with the reason. It
// leaves alone a connection changed since (its Modified is not
// modified), whose own authorization is under way.
func (s *Service) authorizeOAuth(name string, modified time.Time) {
	s.mu.Lock()
	c := s.connections[name]
	if c == nil || !c.Modified.Equal(modified) || c.State != connAuthorizing {
		s.mu.Unlock()
		return
	}
	snapshot := *c
	s.mu.Unlock()
	t, err := s.fetchToken(context.Background(), &snapshot)
	s.mu.Lock()
	defer s.mu.Unlock()
	c = s.connections[name]
	if c == nil || !c.Modified.Equal(modified) {
		return
	}
	next := *c
	if err != nil {
		next.State, next.StateReason = connDeauthorized, "Failed to authorize the connection: "+err.Error()
	} else {
		next.State, next.StateReason, next.Authorized = connAuthorized, "", s.clock.Now()
		s.tokenMu.Lock()
		s.tokens[name] = t
		s.tokenMu.Unlock()
	}
	if perr := s.put(connectionKey(name), &next); perr != nil {
		if l := s.log.Load(); l != nil {
			l.Error("events: recording a connection's authorization", "connection", name, "err", perr)
		}
		return
	}
	s.connections[name] = &next
}
