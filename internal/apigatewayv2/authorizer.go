package apigatewayv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/iam/policy"
)

// Lambda REQUEST authorizers, as "Control access to HTTP APIs with AWS
// Lambda authorizers" describes them:
//
//	identity sources ─ one missing ─► 401 (the function is not called)
//	     │ all present
//	cache (TTL > 0; keyed by stage, authorizer and the sources' values)
//	     │ miss
//	Lambda, with the 1.0 or 2.0 authorizer event ─ fails or answers
//	     │                                         malformed ─► 500
//	simple response {isAuthorized, context}, or IAM policy
//	{principalId, policyDocument, context} evaluated for the route's ARN
//	     ├ denied ─► 403
//	     └ allowed: the context goes to the integration's event

// authorizerTimeout is how long a Lambda authorizer may take.
const authorizerTimeout = 10 * time.Second

// authorization is what an authorizer said about a request, for the
// integration's event.
type authorization struct {
	// lambda is a Lambda authorizer's context; principalID its policy
	// response's principal.
	lambda      map[string]any
	principalID string
	latency     time.Duration
	// jwtClaims and jwtScopes are a JWT authorizer's token's.
	jwt       bool
	jwtClaims map[string]string
	jwtScopes []string
	// iam is the signer of a request to an AWS_IAM route or function URL;
	// caller the same as the edge names callers.
	iam    *iamIdentity
	caller awsproto.Caller
}

// iamIdentity is requestContext.authorizer.iam of a 2.0 event: who
// signed the request, in the order of AWS's example.
type iamIdentity struct {
	AccessKey       string           `json:"accessKey"`
	AccountID       string           `json:"accountId"`
	CallerID        string           `json:"callerId"`
	CognitoIdentity *cognitoIdentity `json:"cognitoIdentity"`
	PrincipalOrgID  *string          `json:"principalOrgId"`
	UserARN         string           `json:"userArn"`
	UserID          string           `json:"userId"`
}

// iamAuthorization is the authorization of a SigV4-signed request (whose
// signature is not verified), or nil for an unsigned one.
func (s *Service) iamAuthorization(r *http.Request) *authorization {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		return nil
	}
	var c awsproto.Caller
	ok := false
	if s.identify != nil {
		c, ok = s.identify(r)
	}
	if s.identify != nil && !ok {
		return nil // a signature that does not hold signs nothing
	}
	if !ok {
		_, rest, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		key, _, _ := strings.Cut(rest, "/")
		c = awsproto.Caller{AccessKeyID: key, Account: s.account, ARN: "arn:aws:iam::" + s.account + ":root", UserID: s.account}
	}
	iam := &iamIdentity{AccessKey: c.AccessKeyID, AccountID: c.Account, CallerID: c.UserID, UserARN: c.ARN, UserID: c.UserID}
	if ci := c.Cognito; ci.IdentityID != "" {
		iam.CognitoIdentity = &cognitoIdentity{AMR: ci.AMRList(), IdentityID: ci.IdentityID, IdentityPoolID: ci.PoolID}
	}
	return &authorization{caller: c, iam: iam}
}

// cognitoIdentity is authorizer.iam.cognitoIdentity: the identity pool
// identity whose credentials signed the request.
type cognitoIdentity struct {
	AMR            []string `json:"amr"`
	IdentityID     string   `json:"identityId"`
	IdentityPoolID string   `json:"identityPoolId"`
}

// PolicyCheck decides whether caller (nil for an unsigned request) may
// perform action on resource: its identity policies and the resource
// policy of the service that keeps resource ("lambda" for a function;
// "" for none), with extra keys in the request context. It decides
// AWS_IAM routes and URLs with --auth iam (EnforcePolicies), and public
// function URLs in every mode (Deps.URLPolicy). It returns nil when allowed, or an error whose message is
// AWS's wording of the denial.
type PolicyCheck func(ctx context.Context, r *http.Request, caller *awsproto.Caller, service, action, resource string, extra map[string][]string) error

// EnforcePolicies makes AWS_IAM routes and AWS_IAM function URLs decide
// their requests with check, as AWS does, with --auth iam.
func (s *Service) EnforcePolicies(check PolicyCheck) { s.policyCheck = check }

// forEventV2 is requestContext.authorizer of a 2.0 event.
func (a *authorization) forEventV2() map[string]any {
	if a.iam != nil {
		return map[string]any{"iam": a.iam}
	}
	if a.jwt {
		return map[string]any{"jwt": map[string]any{"claims": a.jwtClaims, "scopes": a.jwtScopes}}
	}
	return map[string]any{"lambda": a.lambda}
}

// forEventV1 is requestContext.authorizer of a 1.0 event: a Lambda
// authorizer's context members with its principal, as REST APIs pass
// them, or a JWT's claims and scopes.
func (a *authorization) forEventV1() map[string]any {
	if a.jwt {
		return map[string]any{"claims": a.jwtClaims, "scopes": a.jwtScopes}
	}
	out := map[string]any{}
	for k, v := range a.lambda {
		out[k] = v
	}
	if a.principalID != "" {
		out["principalId"] = a.principalID
	}
	out["integrationLatency"] = a.latency.Milliseconds()
	return out
}

// authorize runs the route's authorizer. It returns the response that
// ends the request when the request is not authorized, nil otherwise.
func (s *Service) authorize(inv *invocation) *response {
	switch inv.route.AuthorizationType {
	case "", "NONE":
		return nil
	case "CUSTOM":
		return s.authorizeLambda(inv)
	case "JWT":
		return s.authorizeJWT(inv)
	case "AWS_IAM":
		// A request must be signed; with --auth iam its signer needs
		// execute-api:Invoke on the route's ARN from its identity
		// policies (HTTP APIs have no resource policy).
		inv.auth = s.iamAuthorization(inv.r)
		if inv.auth == nil {
			return gatewayResponse(http.StatusForbidden)
		}
		if s.policyCheck != nil {
			if err := s.policyCheck(inv.r.Context(), inv.r, &inv.auth.caller, "", "execute-api:Invoke", s.routeARN(inv), nil); err != nil {
				return invokeDenied(err)
			}
		}
		return nil
	}
	return gatewayResponse(http.StatusInternalServerError)
}

// invokeDenied is the answer to a request IAM policies refuse
// execute-api:Invoke: 403 AccessDeniedException, worded as API Gateway
// words it ("User: ARN is not authorized to perform: execute-api:Invoke
// on resource: ARN", "with an explicit deny" when a policy denies), which
// leaves out the policy evaluation's reasons.
func invokeDenied(err error) *response {
	msg := err.Error()
	if e := apierr.As(err); e != nil {
		msg = e.Message
	}
	body, _ := json.Marshal(map[string]string{"Message": policy.ShortMessage(msg)})
	return &response{status: http.StatusForbidden, body: body, gateway: true, header: http.Header{
		"Content-Type": {"application/json"}, "X-Amzn-Errortype": {"AccessDeniedException"}}}
}

// identitySource is a parsed identity source selection expression.
type identitySource struct {
	kind string // "header", "querystring", "context", "stageVariables"
	name string
}

// parseIdentitySource parses $request.header.NAME,
// $request.querystring.NAME, $context.NAME or $stageVariables.NAME.
func parseIdentitySource(s string) (identitySource, error) {
	for _, p := range []struct{ prefix, kind string }{
		{"$request.header.", "header"},
		{"$request.querystring.", "querystring"},
		{"$context.", "context"},
		{"$stageVariables.", "stageVariables"},
	} {
		if name, ok := strings.CutPrefix(s, p.prefix); ok && name != "" {
			return identitySource{kind: p.kind, name: name}, nil
		}
	}
	return identitySource{}, badRequest("Invalid identity source %s: use $request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME.", s)
}

// identityValues returns the values of an authorizer's identity sources
// in a request, and false when one is missing or empty.
func (s *Service) identityValues(inv *invocation, sources []string) ([]string, bool) {
	out := make([]string, 0, len(sources))
	for _, src := range sources {
		is, err := parseIdentitySource(src)
		if err != nil {
			return nil, false
		}
		var v string
		switch is.kind {
		case "header":
			v = strings.Join(inv.r.Header.Values(is.name), ",")
		case "querystring":
			for _, q := range queryParams(inv.r.URL.RawQuery) {
				if q.name == is.name {
					v = strings.Join(q.values, ",")
				}
			}
		case "stageVariables":
			v = inv.stage.Variables[is.name]
		case "context":
			v = s.contextVariable(inv, is.name)
		}
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// contextVariable is the value of one of the $context variables an
// identity source or an access log line may use.
func (s *Service) contextVariable(inv *invocation, name string) string {
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		v, _ := inv.authorizerVariable(key)
		return v
	}
	switch name {
	case "routeKey":
		return inv.route.Key
	case "stage":
		return inv.stage.Name
	case "apiId":
		return inv.api.ID
	case "accountId":
		return s.account
	case "httpMethod":
		return inv.r.Method
	case "path":
		return decodedPath(inv.rawPath)
	case "domainName":
		return domainName(inv.r)
	case "requestId":
		return inv.requestID
	case "identity.sourceIp":
		return inv.sourceIP
	case "identity.userAgent":
		return inv.r.UserAgent()
	}
	return ""
}

// authorizerVariable is $context.authorizer.KEY once the route's
// authorizer has let the request through: claims.NAME is a claim of a
// JWT authorizer's token, principalId a Lambda authorizer's principal
// (IAM policy responses), and any other KEY a value of the context a
// Lambda authorizer returned, a string as it is and other JSON values in
// JSON ("value", 1, true), as "Customize HTTP API access logs" shows.
func (inv *invocation) authorizerVariable(key string) (string, bool) {
	a := inv.auth
	if a == nil {
		return "", false
	}
	if claim, ok := strings.CutPrefix(key, "claims."); ok {
		v, ok := a.jwtClaims[claim]
		return v, ok
	}
	if key == "principalId" && a.principalID != "" {
		return a.principalID, true
	}
	v, ok := a.lambda[key]
	if !ok || v == nil {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	b, err := json.Marshal(v)
	return string(b), err == nil
}

// routeARN is the execute-api ARN of the request, which authorizer events
// carry and IAM policies name: arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH.
func (s *Service) routeARN(inv *invocation) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", s.region, s.account, inv.api.ID, inv.stage.Name,
		inv.r.Method, decodedPath(inv.stagePath))
}

// authorizerResult is a Lambda authorizer's answer, as cached.
type authorizerResult struct {
	simple      bool
	allowed     bool // simple responses
	policy      *policyDocument
	principalID string
	context     map[string]any
}

func (s *Service) authorizeLambda(inv *invocation) *response {
	au := inv.d.authorizers[inv.route.AuthorizerID]
	if au == nil || au.Type != "REQUEST" {
		return gatewayResponse(http.StatusInternalServerError)
	}
	values, ok := s.identityValues(inv, au.IdentitySource)
	if !ok {
		return gatewayResponse(http.StatusUnauthorized)
	}
	started := time.Now()
	key := cacheKey{api: inv.api.ID, stage: inv.stage.Name, authorizer: au.ID, identity: strings.Join(values, "\x00")}
	res, cached := (*authorizerResult)(nil), false
	if au.TTLSeconds > 0 {
		res, cached = s.authCache.get(key)
	}
	if !cached {
		var err error
		if res, err = s.callAuthorizer(inv, au, values); err != nil {
			s.log.Warn("apigatewayv2: Lambda authorizer failed", "api", inv.api.ID, "authorizer", au.ID,
				"err", err, "requestId", inv.requestID)
			return gatewayResponse(http.StatusInternalServerError)
		}
		if au.TTLSeconds > 0 {
			s.authCache.put(key, res, time.Duration(au.TTLSeconds)*time.Second)
		}
	}
	allowed := res.allowed
	if !res.simple {
		allowed = res.policy.allows("execute-api:Invoke", s.routeARN(inv))
	}
	if !allowed {
		return gatewayResponse(http.StatusForbidden)
	}
	inv.auth = &authorization{lambda: res.context, principalID: res.principalID, latency: time.Since(started)}
	return nil
}

// callAuthorizer invokes a Lambda authorizer and reads its answer.
func (s *Service) callAuthorizer(inv *invocation, au *authorizerRecord, values []string) (*authorizerResult, error) {
	fn, ok := lambdaFunction(withStageVariables(au.URI, inv.stage.Variables))
	if !ok {
		return nil, fmt.Errorf("authorizer URI %s names no function", au.URI)
	}
	var event any
	if au.PayloadFormatVersion == "1.0" {
		event = s.authorizerEventV1(inv, values)
	} else {
		event = s.authorizerEventV2(inv, values)
	}
	payload, err := marshalEvent(event)
	if err != nil {
		return nil, err
	}
	if s.permitted != nil {
		if err := s.permitted(inv.r.Context(), fn, s.authorizerSource(inv, au.ID), au.CredentialsArn); err != nil {
			return nil, fmt.Errorf("%s: %w", errAuthorizerPermission, err)
		}
	}
	out, err := s.callFunction(inv.r.Context(), fn, payload, authorizerTimeout)
	if err != nil {
		return nil, err
	}
	return parseAuthorizerResult(out, au.SimpleResponses)
}

// errMalformedAuthorizer is an authorizer answer API Gateway cannot use.
var errMalformedAuthorizer = errors.New("malformed Lambda authorizer response")

// parseAuthorizerResult reads a Lambda authorizer's answer: a simple
// response, or an IAM policy response.
func parseAuthorizerResult(payload []byte, simple bool) (*authorizerResult, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(payload, &doc); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", errMalformedAuthorizer)
	}
	res := &authorizerResult{simple: simple}
	if raw, ok := doc["context"]; ok && !bytes.Equal(raw, []byte("null")) {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&res.context); err != nil {
			return nil, fmt.Errorf("%w: context is not an object", errMalformedAuthorizer)
		}
	}
	if simple {
		if err := json.Unmarshal(doc["isAuthorized"], &res.allowed); err != nil || doc["isAuthorized"] == nil {
			return nil, fmt.Errorf("%w: isAuthorized is not a boolean", errMalformedAuthorizer)
		}
		return res, nil
	}
	if raw, ok := doc["principalId"]; ok {
		if err := json.Unmarshal(raw, &res.principalID); err != nil {
			return nil, fmt.Errorf("%w: principalId is not a string", errMalformedAuthorizer)
		}
	}
	res.policy = &policyDocument{}
	if err := json.Unmarshal(doc["policyDocument"], res.policy); err != nil || doc["policyDocument"] == nil {
		return nil, fmt.Errorf("%w: policyDocument is missing or malformed", errMalformedAuthorizer)
	}
	return res, nil
}

// authorizerEventV2 is the 2.0 event of a Lambda authorizer: the request
// as an integration would get it, without the body, with the route's ARN
// and the identity sources' values.
func (s *Service) authorizerEventV2(inv *invocation, values []string) map[string]any {
	e := s.buildEventV2(inv)
	out := map[string]any{
		"version": "2.0", "type": "REQUEST", "routeArn": s.routeARN(inv), "identitySource": values,
		"routeKey": e.RouteKey, "rawPath": e.RawPath, "rawQueryString": e.RawQueryString,
		"headers": e.Headers, "requestContext": e.RequestContext,
	}
	if e.Cookies != nil {
		out["cookies"] = e.Cookies
	}
	if e.QueryStringParameters != nil {
		out["queryStringParameters"] = e.QueryStringParameters
	}
	if e.PathParameters != nil {
		out["pathParameters"] = e.PathParameters
	}
	if e.StageVariables != nil {
		out["stageVariables"] = e.StageVariables
	}
	return out
}

// authorizerEventV1 is the 1.0 event of a Lambda authorizer, shaped like a
// REST API's REQUEST authorizer event.
func (s *Service) authorizerEventV1(inv *invocation, values []string) map[string]any {
	e := s.buildEventV1(inv)
	joined := strings.Join(values, ",")
	return map[string]any{
		"version": "1.0", "type": "REQUEST", "methodArn": s.routeARN(inv),
		"identitySource": joined, "authorizationToken": joined,
		"resource": e.Resource, "path": e.Path, "httpMethod": e.HTTPMethod,
		"headers": e.Headers, "queryStringParameters": e.QueryStringParameters,
		"pathParameters": nonNilMap(e.PathParameters), "stageVariables": nonNilMap(e.StageVariables),
		"requestContext": map[string]any{
			"path": e.RequestContext.Path, "accountId": s.account, "resourceId": e.RequestContext.ResourceID,
			"stage": inv.stage.Name, "requestId": inv.requestID,
			"identity":     map[string]any{"sourceIp": inv.sourceIP, "userAgent": inv.r.UserAgent()},
			"resourcePath": e.RequestContext.ResourcePath, "httpMethod": inv.r.Method, "apiId": inv.api.ID,
		},
	}
}

// cacheKey identifies a cached authorizer result.
type cacheKey struct {
	api, stage, authorizer, identity string
}

// maxCachedResults bounds the authorizer cache; past it, expired results
// go first and then the oldest.
const maxCachedResults = 10000

// authorizerCache keeps Lambda authorizers' results for their TTL.
type authorizerCache struct {
	clock   clock.Clock
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

type cacheEntry struct {
	res     *authorizerResult
	expires time.Time
}

func newAuthorizerCache(c clock.Clock) *authorizerCache {
	return &authorizerCache{clock: c, entries: map[cacheKey]cacheEntry{}}
}

func (c *authorizerCache) get(k cacheKey) (*authorizerResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	if !c.clock.Now().Before(e.expires) {
		delete(c.entries, k)
		return nil, false
	}
	return e.res, true
}

func (c *authorizerCache) put(k cacheKey, res *authorizerResult, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if len(c.entries) >= maxCachedResults {
		var oldest cacheKey
		var oldestAt time.Time
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
				continue
			}
			if oldestAt.IsZero() || e.expires.Before(oldestAt) {
				oldest, oldestAt = key, e.expires
			}
		}
		if len(c.entries) >= maxCachedResults {
			delete(c.entries, oldest)
		}
	}
	c.entries[k] = cacheEntry{res: res, expires: now.Add(ttl)}
}

// reset forgets the results match selects.
func (c *authorizerCache) reset(match func(cacheKey) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if match(k) {
			delete(c.entries, k)
		}
	}
}

func (c *authorizerCache) resetAPI(api string) {
	c.reset(func(k cacheKey) bool { return k.api == api })
}

func (c *authorizerCache) resetStage(api, stage string) {
	c.reset(func(k cacheKey) bool { return k.api == api && k.stage == stage })
}

func (c *authorizerCache) resetAuthorizer(api, authorizer string) {
	c.reset(func(k cacheKey) bool { return k.api == api && k.authorizer == authorizer })
}
