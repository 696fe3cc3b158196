package cognitoidp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

// session is a challenge InitiateAuth issued: the user who must answer
// it, through which client, until when.
type session struct {
	pool, client, username string
	challenge              string
	expires                time.Time
	// custom is a CUSTOM_CHALLENGE's state (customauth.go).
	custom *customChallenge
}

// maxRevoked bounds the sessions a user's record remembers as revoked.
const maxRevoked = 1000

// authParams is what the auth operations share: the client, the pool,
// the flow and its parameters, and whether the caller was an
// administrator (AdminInitiateAuth).
type authRequest struct {
	pool   *pool
	client *client
	flow   string
	params map[string]string
	admin  bool
}

func (s *Service) initiateAuth(_ context.Context, in *InitiateAuthRequest) (*InitiateAuthResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, err := s.clientByID(deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	flow := string(deref(in.AuthFlow))
	switch flow {
	case "USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "USER_SRP_AUTH", "CUSTOM_AUTH":
	case "USER_AUTH":
		return nil, ErrInvalidParameter.WithMessage(flow + " is not supported by virga; use USER_SRP_AUTH, USER_PASSWORD_AUTH or CUSTOM_AUTH")
	default:
		return nil, ErrInvalidParameter.WithMessage("Initiate Auth method not supported.")
	}
	res, err := s.authenticate(authRequest{pool: p, client: c, flow: flow, params: in.AuthParameters})
	if err != nil {
		return nil, err
	}
	return &InitiateAuthResponse{ChallengeName: res.ChallengeName, Session: res.Session,
		ChallengeParameters: res.ChallengeParameters, AuthenticationResult: res.AuthenticationResult}, nil
}

func (s *Service) adminInitiateAuth(_ context.Context, in *AdminInitiateAuthRequest) (*AdminInitiateAuthResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(deref(in.UserPoolId))
	if err != nil {
		return nil, err
	}
	c, err := s.loadClient(deref(in.UserPoolId), deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	flow := string(deref(in.AuthFlow))
	switch flow {
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "USER_SRP_AUTH", "CUSTOM_AUTH":
	case "USER_AUTH":
		return nil, ErrInvalidParameter.WithMessage(flow + " is not supported by virga; use USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH or CUSTOM_AUTH")
	default:
		return nil, ErrInvalidParameter.WithMessage("Initiate Auth method not supported.")
	}
	return s.authenticate(authRequest{pool: p, client: c, flow: flow, params: in.AuthParameters, admin: true})
}

// authenticate runs a password or refresh flow.
func (s *Service) authenticate(r authRequest) (*AdminInitiateAuthResponse, error) {
	cfg := &r.client.Config
	if !flowAllowed(cfg, r.flow) {
		return nil, ErrInvalidParameter.WithMessage(r.flow + " flow not enabled for this client")
	}
	if r.flow == "REFRESH_TOKEN_AUTH" || r.flow == "REFRESH_TOKEN" {
		return s.refresh(r)
	}
	name, pw := r.params["USERNAME"], r.params["PASSWORD"]
	if name == "" {
		return nil, ErrInvalidParameter.WithMessage("Missing required parameter USERNAME")
	}
	switch r.flow {
	case "USER_SRP_AUTH":
		return s.srpChallenge(r, name)
	case "CUSTOM_AUTH":
		return s.customAuthStart(r, name)
	}
	if pw == "" {
		return nil, ErrInvalidParameter.WithMessage("Missing required parameter PASSWORD")
	}
	u, err := s.signingInUser(r, name)
	if err != nil {
		return nil, err
	}
	if !passwordMatches(u, pw) {
		return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
	}
	switch u.Status {
	case statusUnconfirmed:
		return nil, ErrUserNotConfirmed
	case statusForceChange:
		if s.clock.Now().UnixMilli() >= u.TemporaryUntil {
			return nil, ErrNotAuthorized.WithMessage("Temporary password has expired and must be reset by an administrator.")
		}
		return s.newPasswordChallenge(r, u)
	}
	return s.signIn(r.pool, r.client, u)
}

// newPasswordChallenge answers a sign-in with a temporary password:
// NEW_PASSWORD_REQUIRED, with the user's attributes.
func (s *Service) newPasswordChallenge(r authRequest, u *user) (*AdminInitiateAuthResponse, error) {
	attrs := map[string]string{}
	for k, v := range u.Attributes {
		if k != "sub" {
			attrs[k] = v
		}
	}
	ab, _ := json.Marshal(attrs)
	var required []string
	for _, sa := range r.pool.Config.SchemaAttributes {
		if n := deref(sa.Name); deref(sa.Required) && n != "sub" && u.Attributes[n] == "" {
			required = append(required, "userAttributes."+n)
		}
	}
	rb, _ := json.Marshal(append([]string{}, required...))
	token := s.openSession(r.pool, r.client, u, "NEW_PASSWORD_REQUIRED", nil)
	return &AdminInitiateAuthResponse{ChallengeName: ptr(ChallengeNameType("NEW_PASSWORD_REQUIRED")), Session: &token,
		ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": u.Username, "requiredAttributes": string(rb), "userAttributes": string(ab)}}, nil
}

// sessionLength is the length of a challenge's session string.
const sessionLength = 180

// openSession remembers a challenge issued to u and returns its session
// string, good for the client's AuthSessionValidity (three minutes by
// default).
func (s *Service) openSession(p *pool, c *client, u *user, challenge string, custom *customChallenge) string {
	token := s.randomString(sessionLength, alnum)
	minutes := int(deref(c.Config.AuthSessionValidity))
	if minutes == 0 {
		minutes = 3
	}
	s.dropExpiredSessions()
	s.sessions[token] = &session{pool: deref(p.Config.Id), client: deref(c.Config.ClientId), username: u.Username,
		challenge: challenge, expires: s.clock.Now().Add(time.Duration(minutes) * time.Minute), custom: custom}
	return token
}

func (s *Service) dropExpiredSessions() {
	now := s.clock.Now()
	for k, v := range s.sessions {
		if now.After(v.expires) {
			delete(s.sessions, k)
		}
	}
}

func (s *Service) respondToAuthChallenge(_ context.Context, in *RespondToAuthChallengeRequest) (*RespondToAuthChallengeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, err := s.clientByID(deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	res, err := s.respond(p, c, string(deref(in.ChallengeName)), deref(in.Session), in.ChallengeResponses)
	if err != nil {
		return nil, err
	}
	return &RespondToAuthChallengeResponse{ChallengeName: res.ChallengeName, Session: res.Session,
		ChallengeParameters: res.ChallengeParameters, AuthenticationResult: res.AuthenticationResult}, nil
}

func (s *Service) adminRespondToAuthChallenge(_ context.Context, in *AdminRespondToAuthChallengeRequest) (*AdminRespondToAuthChallengeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(deref(in.UserPoolId))
	if err != nil {
		return nil, err
	}
	c, err := s.loadClient(deref(in.UserPoolId), deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	res, err := s.respond(p, c, string(deref(in.ChallengeName)), deref(in.Session), in.ChallengeResponses)
	if err != nil {
		return nil, err
	}
	return &AdminRespondToAuthChallengeResponse{ChallengeName: res.ChallengeName, Session: res.Session,
		ChallengeParameters: res.ChallengeParameters, AuthenticationResult: res.AuthenticationResult}, nil
}

// respond answers a PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED or
// CUSTOM_CHALLENGE challenge.
func (s *Service) respond(p *pool, c *client, challenge, token string, resp map[string]string) (*AdminInitiateAuthResponse, error) {
	switch challenge {
	case "PASSWORD_VERIFIER":
		return s.passwordVerifier(p, c, resp)
	case "CUSTOM_CHALLENGE":
		return s.customAnswer(p, c, token, resp)
	case "NEW_PASSWORD_REQUIRED":
	default:
		return nil, ErrInvalidParameter.WithMessage(challenge + " is not supported by virga")
	}
	sess := s.sessions[token]
	if sess == nil || sess.pool != deref(p.Config.Id) || sess.client != deref(c.Config.ClientId) || sess.challenge != challenge {
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user.")
	}
	if s.clock.Now().After(sess.expires) {
		delete(s.sessions, token)
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user, session is expired.")
	}
	name := resp["USERNAME"]
	if name == "" {
		return nil, ErrInvalidParameter.WithMessage("Missing required parameter USERNAME")
	}
	if err := checkSecretHash(&c.Config, name, resp["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.findUser(p, name)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Username != sess.username {
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user.")
	}
	pw := resp["NEW_PASSWORD"]
	if pw == "" {
		return nil, ErrInvalidParameter.WithMessage("Missing required parameter NEW_PASSWORD")
	}
	if err := checkPassword(p.Config.Policies.PasswordPolicy, pw); err != nil {
		return nil, err
	}
	var attrs []AttributeType
	for k, v := range resp {
		if n, ok := strings.CutPrefix(k, "userAttributes."); ok {
			attrs = append(attrs, AttributeType{Name: ptr(n), Value: ptr(v)})
		}
	}
	if err := checkAttributes(p, attrs, false); err != nil {
		return nil, err
	}
	for _, a := range attrs {
		u.Attributes[deref(a.Name)] = deref(a.Value)
	}
	if err := checkRequired(p, u); err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, pw); err != nil {
		return nil, err
	}
	u.Status, u.TemporaryUntil = statusConfirmed, 0
	u.Modified = s.clock.Now().UnixMilli()
	delete(s.sessions, token)
	if err := s.saveUser(deref(p.Config.Id), u); err != nil {
		return nil, err
	}
	return s.issue(p, c, u, s.clock.Now().Unix(), "", true, "TokenGeneration_NewPasswordChallenge")
}

// refresh runs REFRESH_TOKEN_AUTH: new ID and access tokens for the
// session the refresh token belongs to, and no new refresh token.
func (s *Service) refresh(r authRequest) (*AdminInitiateAuthResponse, error) {
	tok := r.params["REFRESH_TOKEN"]
	if tok == "" {
		return nil, ErrInvalidParameter.WithMessage("Missing required parameter REFRESH_TOKEN")
	}
	var rt refreshToken
	ok, err := s.get(refreshKey(tok), &rt)
	if err != nil {
		return nil, err
	}
	if !ok || rt.Pool != deref(r.pool.Config.Id) || rt.Client != deref(r.client.Config.ClientId) {
		return nil, ErrNotAuthorized.WithMessage(msgInvalidRefreshToken)
	}
	if s.clock.Now().Unix() >= rt.Expires {
		// An expired token is of no more use: it leaves the store.
		if err := s.put(nil, refreshKey(tok)); err != nil {
			return nil, err
		}
		return nil, ErrNotAuthorized.WithMessage("Refresh Token has expired")
	}
	u, err := s.findUser(r.pool, rt.Username)
	if err != nil {
		return nil, err
	}
	if u == nil || slices.Contains(u.Revoked, rt.OriginJTI) {
		return nil, ErrNotAuthorized.WithMessage(msgInvalidRefreshToken)
	}
	if r.client.Config.ClientSecret != nil {
		// The secret hash is of the user's name, or of their sub in
		// pools that sign in with an email address or phone number.
		h := r.params["SECRET_HASH"]
		if checkSecretHash(&r.client.Config, u.Username, h) != nil && checkSecretHash(&r.client.Config, u.Sub, h) != nil {
			return nil, checkSecretHash(&r.client.Config, u.Username, h)
		}
	}
	if !u.Enabled {
		return nil, ErrNotAuthorized.WithMessage(msgUserDisabled)
	}
	return s.issueScoped(r.pool, r.client, u, rt.AuthTime, rt.OriginJTI, false, "TokenGeneration_RefreshTokens", rt.Scopes, "")
}

// issue signs ID and access tokens (and, for a new session, a refresh
// token) for a user, with the claims "Understanding the identity (ID)
// token" and "Understanding the access token" list.
//
// The pool's PreTokenGeneration trigger (source says why the tokens are
// made) may add claims to the ID token or suppress them, and override
// the groups of both tokens.
func (s *Service) issue(p *pool, c *client, u *user, authTime int64, originJTI string, withRefresh bool, source string) (*AdminInitiateAuthResponse, error) {
	return s.issueScoped(p, c, u, authTime, originJTI, withRefresh, source, nil, "")
}

// issueScoped is issue for a session of the OAuth 2.0 endpoints: the
// access token's scope claim holds the granted scopes, and the ID token
// (with nonce, when the authorization request had one) is issued only
// with the openid scope. No scopes is an API session's
// aws.cognito.signin.user.admin.
func (s *Service) issueScoped(p *pool, c *client, u *user, authTime int64, originJTI string, withRefresh bool, source string, scopes []string, nonce string) (*AdminInitiateAuthResponse, error) {
	pk, err := s.signingKeys(p)
	if err != nil {
		return nil, err
	}
	if len(pk.keys) < 2 {
		return nil, ErrInvalidParameter.WithMessage("the user pool has no signing keys")
	}
	poolID, clientID := deref(p.Config.Id), deref(c.Config.ClientId)
	now := s.clock.Now()
	if originJTI == "" {
		originJTI = s.ids.UUID()
	}
	eventID := s.ids.UUID()
	cfg := &c.Config
	var units TokenValidityUnitsType
	if cfg.TokenValidityUnits != nil {
		units = *cfg.TokenValidityUnits
	}
	accessFor := validity(cfg.AccessTokenValidity, units.AccessToken, time.Hour)
	idFor := validity(cfg.IdTokenValidity, units.IdToken, time.Hour)
	groups, err := s.userGroups(poolID, u)
	if err != nil {
		return nil, err
	}
	groupNames := make([]string, len(groups))
	for i, g := range groups {
		groupNames[i] = deref(g.GroupName)
	}
	roles, preferredRole := groupRoles(groups)
	var override map[string]any
	if fn := deref(p.Config.LambdaConfig.PreTokenGeneration); fn != "" {
		var preferred any
		if preferredRole != "" {
			preferred = preferredRole
		}
		resp, err := s.trigger(context.Background(), p, "PreTokenGeneration", fn, source, u.Username, clientID,
			map[string]any{"userAttributes": triggerAttributes(u), "groupConfiguration": map[string]any{
				"groupsToOverride": groupNames, "iamRolesToOverride": append([]string{}, roles...), "preferredRole": preferred}})
		if err != nil {
			return nil, err
		}
		override, _ = resp["claimsOverrideDetails"].(map[string]any)
		if g, ok := override["groupOverrideDetails"].(map[string]any); ok {
			if list, ok := g["groupsToOverride"].([]any); ok {
				groupNames = anyStrings(list)
			}
			if list, ok := g["iamRolesToOverride"].([]any); ok {
				roles = anyStrings(list)
			}
			if r, ok := g["preferredRole"].(string); ok {
				preferredRole = r
			}
		}
	}
	common := func(use string, d time.Duration) map[string]any {
		m := map[string]any{"sub": u.Sub, "iss": Issuer(s.region, poolID), "origin_jti": originJTI, "event_id": eventID,
			"token_use": use, "auth_time": authTime, "exp": now.Add(d).Unix(), "iat": now.Unix(), "jti": s.ids.UUID()}
		if len(groupNames) > 0 {
			m["cognito:groups"] = groupNames
		}
		return m
	}
	idc := common("id", idFor)
	// The ID token names the groups' roles, which identity pools' Token
	// role mappings choose from.
	if len(roles) > 0 {
		idc["cognito:roles"] = roles
	}
	if preferredRole != "" {
		idc["cognito:preferred_role"] = preferredRole
	}
	for k, v := range u.Attributes {
		if k == "sub" {
			continue
		}
		if k == "email_verified" || k == "phone_number_verified" {
			idc[k] = v == "true"
			continue
		}
		idc[k] = v
	}
	idc["cognito:username"] = u.Username
	idc["aud"] = clientID
	// Version 1 of PreTokenGeneration changes the ID token's claims,
	// except those Cognito keeps for itself.
	if add, ok := override["claimsToAddOrOverride"].(map[string]any); ok {
		for k, v := range add {
			if !protectedClaims[k] {
				idc[k] = v
			}
		}
	}
	if drop, ok := override["claimsToSuppress"].([]any); ok {
		for _, x := range drop {
			if k, ok := x.(string); ok && !protectedClaims[k] {
				delete(idc, k)
			}
		}
	}
	ac := common("access", accessFor)
	ac["client_id"] = clientID
	ac["scope"] = "aws.cognito.signin.user.admin"
	if scopes != nil {
		ac["scope"] = strings.Join(scopes, " ")
		ac["version"] = 2
	}
	if nonce != "" {
		idc["nonce"] = nonce
	}
	ac["username"] = u.Username
	res := &AuthenticationResultType{TokenType: ptr("Bearer"), ExpiresIn: ptr(int32(accessFor / time.Second))}
	if scopes == nil || slices.Contains(scopes, "openid") {
		idToken, err := sign(pk.keys[0], idc)
		if err != nil {
			return nil, err
		}
		res.IdToken = &idToken
	}
	accessToken, err := sign(pk.keys[1], ac)
	if err != nil {
		return nil, err
	}
	res.AccessToken = &accessToken
	if withRefresh {
		tok := s.randomString(refreshTokenLength, alnum)
		refreshFor := validity(cfg.RefreshTokenValidity, units.RefreshToken, 30*24*time.Hour)
		rt := refreshToken{Pool: poolID, Client: clientID, Username: u.Username, Issued: now.Unix(),
			Expires: now.Add(refreshFor).Unix(), AuthTime: authTime, OriginJTI: originJTI, Scopes: scopes}
		if err := s.put1(refreshKey(tok), rt); err != nil {
			return nil, err
		}
		res.RefreshToken = &tok
	}
	return &AdminInitiateAuthResponse{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// refreshTokenLength is the length of an (opaque) refresh token.
const refreshTokenLength = 256

// accessTokenUser verifies an access token of one of virga's pools and
// returns its pool and user, with the errors the operations that take
// an access token give.
func (s *Service) accessTokenUser(token string) (*pool, *user, map[string]any, error) {
	invalid := ErrNotAuthorized.WithMessage(msgInvalidAccessToken)
	poolID, ok := tokenPool(token)
	if !ok {
		return nil, nil, nil, invalid
	}
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, nil, nil, invalid
	}
	pk, err := s.signingKeys(p)
	if err != nil {
		return nil, nil, nil, err
	}
	claims, err := parseToken(pk, token)
	if err != nil || claims["token_use"] != "access" || claims["iss"] != Issuer(s.region, poolID) {
		return nil, nil, nil, invalid
	}
	if exp, err := claims["exp"].(json.Number).Int64(); err != nil || s.clock.Now().Unix() >= exp {
		return nil, nil, nil, ErrNotAuthorized.WithMessage(msgAccessTokenExpired)
	}
	name, _ := claims["username"].(string)
	u, err := s.findUser(p, name)
	if err != nil {
		return nil, nil, nil, err
	}
	if u == nil {
		return nil, nil, nil, ErrUserNotFound
	}
	if origin, _ := claims["origin_jti"].(string); slices.Contains(u.Revoked, origin) {
		return nil, nil, nil, ErrNotAuthorized.WithMessage(msgAccessTokenRevoked)
	}
	if !u.Enabled {
		return nil, nil, nil, ErrNotAuthorized.WithMessage(msgUserDisabled)
	}
	return p, u, claims, nil
}

// anyStrings are the strings of a JSON list.
func anyStrings(list []any) []string {
	out := []string{}
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// tokenPool reads the pool id from a token's iss claim, unverified.
func tokenPool(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	b, err := decodeSegment(parts[1])
	if err != nil || json.Unmarshal(b, &c) != nil {
		return "", false
	}
	i := strings.LastIndexByte(c.Iss, '/')
	if i < 0 {
		return "", false
	}
	return c.Iss[i+1:], true
}

// revokeSessions ends a user's sessions: those of all the user's refresh
// tokens (GlobalSignOut), or only origin (RevokeToken).
func (s *Service) revokeSessions(poolID string, u *user, only string) error {
	pre := base("refresh")
	it, err := s.store.NewIter(pre, keys.PrefixEnd(pre))
	if err != nil {
		return err
	}
	var dead [][]byte
	for ok := it.First(); ok; ok = it.Next() {
		var rt refreshToken
		if json.Unmarshal(it.Value(), &rt) != nil || rt.Pool != poolID || rt.Username != u.Username {
			continue
		}
		if only != "" && rt.OriginJTI != only {
			continue
		}
		dead = append(dead, slices.Clone(it.Key()))
		if !slices.Contains(u.Revoked, rt.OriginJTI) {
			u.Revoked = append(u.Revoked, rt.OriginJTI)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if only != "" && !slices.Contains(u.Revoked, only) {
		u.Revoked = append(u.Revoked, only)
	}
	if len(u.Revoked) > maxRevoked {
		u.Revoked = u.Revoked[len(u.Revoked)-maxRevoked:]
	}
	return s.put(map[string]any{string(userKey(poolID, u.Username)): u}, dead...)
}

func (s *Service) globalSignOut(_ context.Context, in *GlobalSignOutRequest) (*GlobalSignOutResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, claims, err := s.accessTokenUser(deref(in.AccessToken))
	if err != nil {
		return nil, err
	}
	if err := s.revokeSessions(deref(p.Config.Id), u, ""); err != nil {
		return nil, err
	}
	// The session of the token that signed out ends too, refresh token
	// or not.
	origin, _ := claims["origin_jti"].(string)
	return &GlobalSignOutResponse{}, s.revokeSessions(deref(p.Config.Id), u, origin)
}

func (s *Service) adminUserGlobalSignOut(_ context.Context, in *AdminUserGlobalSignOutRequest) (*AdminUserGlobalSignOutResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	return &AdminUserGlobalSignOutResponse{}, s.revokeSessions(deref(p.Config.Id), u, "")
}

func (s *Service) revokeToken(_ context.Context, in *RevokeTokenRequest) (*RevokeTokenResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, err := s.clientByID(deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	if c.Config.ClientSecret != nil && deref(in.ClientSecret) != *c.Config.ClientSecret {
		return nil, ErrNotAuthorized.WithMessage("Invalid client secret")
	}
	if !deref(c.Config.EnableTokenRevocation) {
		return nil, ErrUnsupportedOperation.WithMessage("Token revocation is not enabled for this client.")
	}
	var rt refreshToken
	ok, err := s.get(refreshKey(deref(in.Token)), &rt)
	if err != nil {
		return nil, err
	}
	// An unknown token is not an error: it may already be revoked.
	if !ok || rt.Client != deref(c.Config.ClientId) {
		return &RevokeTokenResponse{}, nil
	}
	u, err := s.findUser(p, rt.Username)
	if err != nil || u == nil {
		return &RevokeTokenResponse{}, err
	}
	return &RevokeTokenResponse{}, s.revokeSessions(deref(p.Config.Id), u, rt.OriginJTI)
}

func (s *Service) changePassword(_ context.Context, in *ChangePasswordRequest) (*ChangePasswordResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, _, err := s.accessTokenUser(deref(in.AccessToken))
	if err != nil {
		return nil, err
	}
	if !passwordMatches(u, deref(in.PreviousPassword)) {
		return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
	}
	if err := checkPassword(p.Config.Policies.PasswordPolicy, deref(in.ProposedPassword)); err != nil {
		return nil, err
	}
	if err := s.setPassword(p, u, deref(in.ProposedPassword)); err != nil {
		return nil, err
	}
	u.Modified = s.clock.Now().UnixMilli()
	return &ChangePasswordResponse{}, s.saveUser(deref(p.Config.Id), u)
}

// signingInUser is the user a password or SRP sign-in names, once the
// client's secret hash is checked: an unknown user is UserNotFound (or,
// with PreventUserExistenceErrors, the wrong-password answer), a
// disabled one NotAuthorized, one whose password an administrator reset
// PasswordResetRequired.
func (s *Service) signingInUser(r authRequest, name string) (*user, error) {
	cfg := &r.client.Config
	if err := checkSecretHash(cfg, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := s.findUser(r.pool, name)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if deref(cfg.PreventUserExistenceErrors) == "ENABLED" {
			return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
		}
		return nil, ErrUserNotFound
	}
	if !u.Enabled {
		return nil, ErrNotAuthorized.WithMessage(msgUserDisabled)
	}
	if u.Status == statusResetRequired {
		return nil, ErrPasswordResetRequired
	}
	return u, nil
}

// srpChallenge starts USER_SRP_AUTH: PASSWORD_VERIFIER with the user's
// salt, B and a secret block the answer must sign.
func (s *Service) srpChallenge(r authRequest, name string) (*AdminInitiateAuthResponse, error) {
	cfg := &r.client.Config
	if r.params["SRP_A"] == "" {
		return nil, ErrInvalidParameter.WithMessage("Missing required parameter SRP_A")
	}
	u, err := s.signingInUser(r, name)
	if err != nil {
		return nil, err
	}
	if u.SRPVerifier == "" {
		return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
	}
	sess, B, err := s.srpStart(deref(r.pool.Config.Id), u, r.params["SRP_A"])
	if err != nil {
		return nil, err
	}
	sess.client = deref(cfg.ClientId)
	sess.expires = s.clock.Now().Add(time.Duration(max(int(deref(cfg.AuthSessionValidity)), 3)) * time.Minute)
	block := base64.StdEncoding.EncodeToString(sess.secretBlock)
	now := s.clock.Now()
	for k, v := range s.srp {
		if now.After(v.expires) {
			delete(s.srp, k)
		}
	}
	s.srp[block] = sess
	return &AdminInitiateAuthResponse{ChallengeName: ptr(ChallengeNameType("PASSWORD_VERIFIER")),
		ChallengeParameters: map[string]string{"SALT": u.SRPSalt, "SRP_B": B.Text(16), "SECRET_BLOCK": block,
			"USER_ID_FOR_SRP": u.Username, "USERNAME": u.Username}}, nil
}

// passwordVerifier checks the answer to PASSWORD_VERIFIER and signs the
// user in (or on to NEW_PASSWORD_REQUIRED).
func (s *Service) passwordVerifier(p *pool, c *client, resp map[string]string) (*AdminInitiateAuthResponse, error) {
	for _, k := range []string{"USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if resp[k] == "" {
			return nil, ErrInvalidParameter.WithMessage("Missing required parameter " + k)
		}
	}
	if err := checkSecretHash(&c.Config, resp["USERNAME"], resp["SECRET_HASH"]); err != nil {
		return nil, err
	}
	block := resp["PASSWORD_CLAIM_SECRET_BLOCK"]
	sess := s.srp[block]
	if sess == nil || sess.pool != deref(p.Config.Id) || sess.client != deref(c.Config.ClientId) || s.clock.Now().After(sess.expires) {
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user.")
	}
	u, err := s.findUser(p, resp["USERNAME"])
	if err != nil {
		return nil, err
	}
	if u == nil || u.Username != sess.username {
		return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
	}
	delete(s.srp, block)
	if !srpCheck(sess, u, resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]) {
		return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
	}
	switch u.Status {
	case statusUnconfirmed:
		return nil, ErrUserNotConfirmed
	case statusForceChange:
		if s.clock.Now().UnixMilli() >= u.TemporaryUntil {
			return nil, ErrNotAuthorized.WithMessage("Temporary password has expired and must be reset by an administrator.")
		}
		return s.newPasswordChallenge(authRequest{pool: p, client: c}, u)
	}
	return s.signIn(p, c, u)
}

// signIn ends a sign-in whose password checked out: the PreAuthentication
// trigger may still refuse it, then tokens are issued and the
// PostAuthentication trigger runs.
func (s *Service) signIn(p *pool, c *client, u *user) (*AdminInitiateAuthResponse, error) {
	if err := s.preAuthentication(p, c, u); err != nil {
		return nil, err
	}
	return s.finishSignIn(p, c, u)
}

// finishSignIn issues the tokens of a sign-in the PreAuthentication
// trigger let through, then runs the PostAuthentication trigger.
func (s *Service) finishSignIn(p *pool, c *client, u *user) (*AdminInitiateAuthResponse, error) {
	res, err := s.issue(p, c, u, s.clock.Now().Unix(), "", true, "TokenGeneration_Authentication")
	if err != nil {
		return nil, err
	}
	if err := s.postAuthentication(p, c, u); err != nil {
		return nil, err
	}
	return res, nil
}

// preAuthentication runs the pool's PreAuthentication trigger, if any,
// for a sign-in whose password checked out.
func (s *Service) preAuthentication(p *pool, c *client, u *user) error {
	fn := deref(p.Config.LambdaConfig.PreAuthentication)
	if fn == "" {
		return nil
	}
	_, err := s.trigger(context.Background(), p, "PreAuthentication", fn, "PreAuthentication_Authentication", u.Username, deref(c.Config.ClientId),
		map[string]any{"userAttributes": triggerAttributes(u), "validationData": map[string]any{}, "userNotFound": false})
	return err
}

// postAuthentication runs the pool's PostAuthentication trigger, if any,
// once a user is signed in.
func (s *Service) postAuthentication(p *pool, c *client, u *user) error {
	fn := deref(p.Config.LambdaConfig.PostAuthentication)
	if fn == "" {
		return nil
	}
	_, err := s.trigger(context.Background(), p, "PostAuthentication", fn, "PostAuthentication_Authentication", u.Username, deref(c.Config.ClientId),
		map[string]any{"userAttributes": triggerAttributes(u), "newDeviceUsed": false})
	return err
}

// protectedClaims are the claims PreTokenGeneration cannot change.
var protectedClaims = map[string]bool{"acr": true, "amr": true, "aud": true, "auth_time": true, "azp": true,
	"exp": true, "iat": true, "identities": true, "iss": true, "sub": true, "token_use": true, "nonce": true,
	"at_hash": true, "cognito:username": true, "origin_jti": true, "event_id": true, "jti": true}
