package apigateway

import (
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// A Lambda authorizer decides whether a method's request goes on:
//
//	identity sources ─ missing or empty ─► 401 Unauthorized (the function is not called)
//	TOKEN: identityValidationExpression ─ no match ─► 401
//	cache (API, stage, authorizer, identity values), while the TTL lasts
//	  └ miss ─► the function: TOKEN {type, authorizationToken, methodArn}
//	                          REQUEST {type, methodArn, resource, path, headers, ...}
//	       error "Unauthorized" ─► 401; any other error or a malformed answer ─► 500
//	the answer's policy, evaluated for this request's method ARN:
//	  explicit Deny ─► 403; no Allow ─► 403; Allow ─► on, with
//	  requestContext.authorizer = the answer's context (values as strings),
//	  principalId and integrationLatency
//
// A cached answer is evaluated again for each request's method ARN, so a
// policy that allows one method only denies the others while it is cached,
// as on AWS.

// authorizerTimeout bounds an authorizer function, as API Gateway bounds
// every call it makes for a request.
const authorizerTimeout = 29 * time.Second

// identitySource is one of an authorizer's identity sources.
type identitySource struct {
	kind string // header, querystring, stageVariables, context
	name string
}

// parseIdentitySources reads an authorizer's identitySource, a
// comma-separated list of "method.request.header.NAME",
// "method.request.querystring.NAME", "stageVariables.NAME" and
// "context.NAME".
func parseIdentitySources(s string) ([]identitySource, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []identitySource
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var src identitySource
		switch {
		case strings.HasPrefix(part, "method.request.header."):
			src = identitySource{"header", strings.TrimPrefix(part, "method.request.header.")}
		case strings.HasPrefix(part, "method.request.querystring."):
			src = identitySource{"querystring", strings.TrimPrefix(part, "method.request.querystring.")}
		case strings.HasPrefix(part, "stageVariables."):
			src = identitySource{"stageVariables", strings.TrimPrefix(part, "stageVariables.")}
		case strings.HasPrefix(part, "context."):
			src = identitySource{"context", strings.TrimPrefix(part, "context.")}
		}
		if src.name == "" {
			return nil, badRequest("Invalid identity source specified: %s", part)
		}
		out = append(out, src)
	}
	return out, nil
}

// identityValue reads one identity source from a request; "" when absent.
func (req *request) identityValue(src identitySource) string {
	switch src.kind {
	case "header":
		return req.r.Header.Get(src.name)
	case "querystring":
		single, _ := eventQuery(req.r.URL.RawQuery)
		return single[src.name]
	case "stageVariables":
		return req.stageVars[src.name]
	case "context":
		switch src.name {
		case "stage":
			return req.stage
		case "httpMethod":
			return req.r.Method
		case "resourcePath":
			return req.match.node.template
		case "identity.sourceIp":
			return sourceIP(req.r)
		}
	}
	return ""
}

// authResult is an authorizer function's answer, parsed.
type authResult struct {
	principalID string
	usageKey    string // usageIdentifierKey
	policy      *policy
	context     map[string]any // values stringified, null kept
}

// runAuthorizer runs a method's Lambda authorizer for a request, and
// writes its execution log lines as AWS words them.
func (s *Service) runAuthorizer(req *request, au *authorizer) *gatewayError {
	s.logExecution(req, false, "Starting authorizer: %s for request: %s", au.ID, req.requestID)
	e := s.authorizeWith(req, au)
	switch e {
	case nil, errExplicitDeny, errImplicitDeny:
		s.logExecution(req, false, "Successfully completed authorizer execution")
	case errUnauthorized:
		s.logExecution(req, false, "Unauthorized request: %s", req.requestID)
	default:
		s.logExecution(req, false, "Execution failed due to configuration error: Authorizer error")
	}
	return e
}

// authorizeWith decides a request with a Lambda authorizer: its cached
// answer for the request's identity, or the function's.
func (s *Service) authorizeWith(req *request, au *authorizer) *gatewayError {
	sources, err := parseIdentitySources(au.IdentitySource)
	if err != nil {
		return errAuthorizerConfig
	}
	values := make([]string, len(sources))
	for i, src := range sources {
		if values[i] = req.identityValue(src); values[i] == "" {
			return errUnauthorized
		}
	}
	if au.Type == "TOKEN" {
		if len(values) != 1 {
			return errAuthorizerConfig
		}
		if expr := au.IdentityValidationExpression; expr != "" {
			if !MatchesWhole(expr, values[0]) {
				return errUnauthorized
			}
		}
	}
	key := authCacheKey{api: req.apiID, stage: req.stage, authorizer: au.ID, identity: strings.Join(values, "\x00")}
	ttl := time.Duration(au.ResultTTLSeconds) * time.Second
	now := s.clock.Now()
	res, latency := (*authResult)(nil), int64(0)
	if ttl > 0 && len(values) > 0 {
		res = s.auth.get(key, now)
	}
	if res == nil {
		var e *gatewayError
		started := time.Now()
		if res, e = s.callAuthorizer(req, au, values); e != nil {
			return e
		}
		latency = time.Since(started).Milliseconds()
		if ttl > 0 && len(values) > 0 {
			s.auth.put(key, res, now, now.Add(ttl))
		}
	}
	switch res.policy.evaluate(s.methodARN(req)) {
	case explicitDeny:
		return errExplicitDeny
	case implicitDeny:
		// In one account the resource policy's Allow is enough when
		// the authorizer's policy neither allows nor denies.
		if !s.resourcePolicyAllows(req) {
			return errImplicitDeny
		}
	}
	ctx := make(map[string]any, len(res.context)+2)
	for k, v := range res.context {
		ctx[k] = v
	}
	ctx["principalId"] = res.principalID
	ctx["integrationLatency"] = latency
	req.authorizer = ctx
	req.usageKey = res.usageKey
	return nil
}

// callAuthorizer invokes the authorizer's function and parses its answer.
func (s *Service) callAuthorizer(req *request, au *authorizer, values []string) (*authResult, *gatewayError) {
	fn, ok := lambdaFunctionOf(au.AuthorizerURI)
	if !ok {
		return nil, errAuthorizerConfig
	}
	fn = substituteStageVariables(fn, req.stageVars)
	var ev any
	if au.Type == "TOKEN" {
		ev = map[string]string{"type": "TOKEN", "authorizationToken": values[0], "methodArn": s.methodARN(req)}
	} else {
		ev = requestAuthorizerEvent{Type: "REQUEST", MethodARN: s.methodARN(req), proxyEvent: s.event(req)}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, errAuthorizerConfig
	}
	out, fnErr, err := s.invokeFunction(req.r.Context(), fn, s.authorizerSource(req, au.ID), au.AuthorizerCredentials, payload, authorizerTimeout)
	if err != nil {
		return nil, errAuthorizerConfig
	}
	if fnErr != "" {
		var e struct{ ErrorMessage string }
		if json.Unmarshal(out, &e) == nil && e.ErrorMessage == "Unauthorized" {
			return nil, errUnauthorized
		}
		return nil, errAuthorizerConfig
	}
	res, err := parseAuthorizerAnswer(out)
	if err != nil {
		return nil, errAuthorizerConfig
	}
	return res, nil
}

// requestAuthorizerEvent is a REQUEST authorizer's event: the proxy
// event's request members with the type and method ARN, without a body.
type requestAuthorizerEvent struct {
	Type      string `json:"type"`
	MethodARN string `json:"methodArn"`
	*proxyEvent
}

// MarshalJSON writes the event without body and isBase64Encoded, which
// REQUEST authorizers are not given.
func (e requestAuthorizerEvent) MarshalJSON() ([]byte, error) {
	ev := *e.proxyEvent
	ev.RequestContext.Authorizer = nil
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "body")
	delete(m, "isBase64Encoded")
	m["type"], _ = json.Marshal(e.Type)
	m["methodArn"], _ = json.Marshal(e.MethodARN)
	return json.Marshal(m)
}

// parseAuthorizerAnswer reads an authorizer function's answer: a
// principalId, a policyDocument and an optional context whose values are
// strings, numbers, booleans or null.
func parseAuthorizerAnswer(out []byte) (*authResult, error) {
	var ans struct {
		PrincipalID    json.RawMessage            `json:"principalId"`
		UsageKey       string                     `json:"usageIdentifierKey"`
		PolicyDocument json.RawMessage            `json:"policyDocument"`
		Context        map[string]json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(out, &ans); err != nil {
		return nil, err
	}
	if len(ans.PolicyDocument) == 0 {
		return nil, errMalformed
	}
	pol, err := parsePolicy(ans.PolicyDocument)
	if err != nil {
		return nil, err
	}
	res := &authResult{policy: pol, context: map[string]any{}, usageKey: ans.UsageKey}
	if len(ans.PrincipalID) > 0 {
		p, ok := scalar(ans.PrincipalID)
		if !ok {
			return nil, errMalformed
		}
		res.principalID = p
	}
	for k, v := range ans.Context {
		if string(v) == "null" {
			res.context[k] = nil
			continue
		}
		s, ok := scalar(v)
		if !ok {
			return nil, errMalformed
		}
		res.context[k] = s
	}
	return res, nil
}

// authCacheKey identifies a cached authorizer answer.
type authCacheKey struct {
	api, stage, authorizer, identity string
}

type authCacheEntry struct {
	res     *authResult
	expires time.Time
}

// authCache holds authorizer answers for their TTL. Its lock is taken
// alone, never with Service.mu.
type authCache struct {
	mu      sync.Mutex
	entries map[authCacheKey]authCacheEntry
}

func (c *authCache) init() { c.entries = map[authCacheKey]authCacheEntry{} }

func (c *authCache) get(k authCacheKey, now time.Time) *authResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		delete(c.entries, k)
		return nil
	}
	return e.res
}

// maxAuthCacheEntries bounds the cache; beyond it, expired entries are
// dropped, and if none are, the whole cache.
const maxAuthCacheEntries = 10000

func (c *authCache) put(k authCacheKey, res *authResult, now, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxAuthCacheEntries {
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= maxAuthCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[k] = authCacheEntry{res: res, expires: expires}
}

// forget drops an API's cached answers.
func (c *authCache) forget(api string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.api == api {
			delete(c.entries, k)
		}
	}
}
