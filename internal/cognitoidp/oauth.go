package cognitoidp

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// The OAuth 2.0 endpoints of a pool's domain, as "User pool endpoints
// reference" describes them. Requests reach OAuthHandler with Host
// PREFIX.auth.localhost (the edge maps PREFIX.auth.REGION.localhost,
// AWS's PREFIX.auth.REGION.amazoncognito.com and the path form
// /_aws/auth/PREFIX/... to it):
//
//	GET  /oauth2/authorize   checks the request and sends the browser to /login
//	GET  /login              a sign-in form
//	POST /login              signs in and redirects to redirect_uri with code (or tokens) and state
//	POST /oauth2/token       authorization_code, client_credentials, refresh_token
//	GET  /oauth2/userInfo    the user's attributes, for an access token with openid
//	POST /oauth2/revoke      ends a refresh token's session
//	GET  /logout             redirects to logout_uri
//
// Redirects within the domain are relative, so that they work in the
// path form too.

// codeValidity is how long an authorization code may be redeemed: five
// minutes, as the token endpoint's documentation says.
const codeValidity = 5 * time.Minute

// authCode is an authorization code /login issued, in memory like
// challenge sessions: it lives five minutes.
type authCode struct {
	pool, client, username string
	redirectURI            string
	scopes                 []string
	challenge              string
	nonce                  string
	authTime               int64
	expires                time.Time
}

// OAuthHandler serves the endpoints of pools' prefix and custom domains.
func (s *Service) OAuthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A custom domain is the whole host name; a prefix domain
		// (never dotted) its first label.
		domain := hostName(r.Host)
		if !s.CustomDomain(domain) {
			domain, _, _ = strings.Cut(domain, ".")
		}
		w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
		s.mu.Lock()
		p, err := s.domainPool(domain)
		s.mu.Unlock()
		if err != nil {
			http.NotFound(w, r)
			return
		}
		switch strings.TrimSuffix(r.URL.Path, "/") {
		case "/oauth2/token":
			s.tokenEndpoint(w, r, p)
		case "/oauth2/authorize":
			s.authorizeEndpoint(w, r, p)
		case "/login":
			s.loginEndpoint(w, r, p)
		case "/oauth2/userInfo", "/oauth2/userinfo":
			s.userInfoEndpoint(w, r, p)
		case "/oauth2/revoke":
			s.revokeEndpoint(w, r, p)
		case "/logout":
			s.logoutEndpoint(w, r, p)
		case "/error":
			writeHTML(w, http.StatusBadRequest, "<p>An error was encountered with the requested page: "+html.EscapeString(r.URL.Query().Get("error"))+"</p>")
		default:
			http.NotFound(w, r)
		}
	})
}

// oauthError answers a token or revoke request with an OAuth 2.0 error:
// a JSON body {"error":"..."}, status 400, as the token endpoint's
// negative responses show.
func oauthError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(b)
}

func writeHTML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(status)
	w.Write([]byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signin</title></head><body>" + body + "</body></html>"))
}

// domainClient authenticates the client of a token or revoke request:
// HTTP Basic (client_secret_basic) or client_id and client_secret in the
// body (client_secret_post). A client with a secret must give it.
func (s *Service) domainClient(r *http.Request, p *pool) (*client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return nil, false
	}
	c, err := s.loadClient(deref(p.Config.Id), id)
	if err != nil {
		return nil, false
	}
	if want := deref(c.Config.ClientSecret); want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		return nil, false
	}
	return c, true
}

func (s *Service) tokenEndpoint(w http.ResponseWriter, r *http.Request, p *pool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grant := r.PostForm.Get("grant_type")
	if grant == "" {
		oauthError(w, "invalid_request")
		return
	}
	c, ok := s.domainClient(r, p)
	if !ok {
		oauthError(w, "invalid_client")
		return
	}
	cfg := &c.Config
	switch grant {
	case "client_credentials":
		s.clientCredentials(w, r, p, c)
	case "authorization_code":
		if !deref(cfg.AllowedOAuthFlowsUserPoolClient) || !slices.Contains(cfg.AllowedOAuthFlows, "code") {
			oauthError(w, "unauthorized_client")
			return
		}
		s.redeemCode(w, r, p, c)
	case "refresh_token":
		s.refreshGrant(w, r, p, c)
	default:
		oauthError(w, "unsupported_grant_type")
	}
}

// clientCredentials issues an access token for the client itself, with
// the custom scopes asked for (all the client's custom scopes when none
// are): sub and client_id are the client's id.
func (s *Service) clientCredentials(w http.ResponseWriter, r *http.Request, p *pool, c *client) {
	cfg := &c.Config
	if !deref(cfg.AllowedOAuthFlowsUserPoolClient) || !slices.Contains(cfg.AllowedOAuthFlows, "client_credentials") {
		oauthError(w, "unauthorized_client")
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		for _, sc := range cfg.AllowedOAuthScopes {
			if strings.Contains(sc, "/") {
				scopes = append(scopes, sc)
			}
		}
	}
	if len(scopes) == 0 {
		oauthError(w, "invalid_scope")
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(cfg.AllowedOAuthScopes, sc) || !strings.Contains(sc, "/") {
			oauthError(w, "invalid_scope")
			return
		}
	}
	pk, err := s.signingKeys(p)
	if err != nil || len(pk.keys) < 2 {
		oauthError(w, "server_error")
		return
	}
	var units TokenValidityUnitsType
	if cfg.TokenValidityUnits != nil {
		units = *cfg.TokenValidityUnits
	}
	accessFor := validity(cfg.AccessTokenValidity, units.AccessToken, time.Hour)
	now := s.clock.Now()
	clientID := deref(cfg.ClientId)
	token, err := sign(pk.keys[1], map[string]any{"sub": clientID, "token_use": "access", "scope": strings.Join(scopes, " "),
		"auth_time": now.Unix(), "iss": Issuer(s.region, deref(p.Config.Id)), "exp": now.Add(accessFor).Unix(),
		"iat": now.Unix(), "version": 2, "jti": s.ids.UUID(), "client_id": clientID})
	if err != nil {
		oauthError(w, "server_error")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "expires_in": int(accessFor / time.Second), "token_type": "Bearer"})
}

// redeemCode exchanges an authorization code for tokens: the code is
// the client's, redirect_uri is the one the code was issued for, and
// code_verifier answers its PKCE challenge. A code is used once.
func (s *Service) redeemCode(w http.ResponseWriter, r *http.Request, p *pool, c *client) {
	code, redirect := r.PostForm.Get("code"), r.PostForm.Get("redirect_uri")
	if code == "" || redirect == "" {
		oauthError(w, "invalid_request")
		return
	}
	ac := s.authCodes[code]
	delete(s.authCodes, code)
	if ac == nil || ac.pool != deref(p.Config.Id) || ac.client != deref(c.Config.ClientId) || s.clock.Now().After(ac.expires) {
		oauthError(w, "invalid_grant")
		return
	}
	if redirect != ac.redirectURI {
		oauthError(w, "invalid_grant")
		return
	}
	if ac.challenge != "" {
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != ac.challenge {
			oauthError(w, "invalid_grant")
			return
		}
	}
	u, err := s.findUser(p, ac.username)
	if err != nil || u == nil || !u.Enabled {
		oauthError(w, "invalid_grant")
		return
	}
	res, err := s.issueScoped(p, c, u, ac.authTime, "", true, "TokenGeneration_HostedAuth", ac.scopes, ac.nonce)
	if err != nil {
		oauthError(w, "invalid_request")
		return
	}
	writeTokens(w, res.AuthenticationResult)
}

func writeTokens(w http.ResponseWriter, a *AuthenticationResultType) {
	out := map[string]any{"access_token": deref(a.AccessToken), "expires_in": deref(a.ExpiresIn), "token_type": "Bearer"}
	if a.IdToken != nil {
		out["id_token"] = *a.IdToken
	}
	if a.RefreshToken != nil {
		out["refresh_token"] = *a.RefreshToken
	}
	writeJSON(w, http.StatusOK, out)
}

// refreshGrant issues new ID and access tokens for a refresh token's
// session, with the scopes it was first granted.
func (s *Service) refreshGrant(w http.ResponseWriter, r *http.Request, p *pool, c *client) {
	tok := r.PostForm.Get("refresh_token")
	if tok == "" {
		oauthError(w, "invalid_request")
		return
	}
	var rt refreshToken
	ok, err := s.get(refreshKey(tok), &rt)
	if err != nil || !ok || rt.Pool != deref(p.Config.Id) || rt.Client != deref(c.Config.ClientId) || s.clock.Now().Unix() >= rt.Expires {
		oauthError(w, "invalid_grant")
		return
	}
	u, err := s.findUser(p, rt.Username)
	if err != nil || u == nil || !u.Enabled || slices.Contains(u.Revoked, rt.OriginJTI) {
		oauthError(w, "invalid_grant")
		return
	}
	res, err := s.issueScoped(p, c, u, rt.AuthTime, rt.OriginJTI, false, "TokenGeneration_RefreshTokens", rt.Scopes, "")
	if err != nil {
		oauthError(w, "invalid_request")
		return
	}
	writeTokens(w, res.AuthenticationResult)
}

// authorizeRequest is what /oauth2/authorize and /login carry.
type authorizeRequest struct {
	responseType, clientID, redirectURI, state, nonce string
	scopes                                            []string
	challenge, method                                 string
}

func readAuthorize(q url.Values) authorizeRequest {
	return authorizeRequest{responseType: q.Get("response_type"), clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		state: q.Get("state"), nonce: q.Get("nonce"), scopes: strings.Fields(q.Get("scope")),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method")}
}

func (a authorizeRequest) query() url.Values {
	q := url.Values{"response_type": {a.responseType}, "client_id": {a.clientID}, "redirect_uri": {a.redirectURI}}
	for k, v := range map[string]string{"state": a.state, "nonce": a.nonce, "scope": strings.Join(a.scopes, " "),
		"code_challenge": a.challenge, "code_challenge_method": a.method} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// checkAuthorize checks an authorization request. A request whose client
// or redirect_uri is wrong goes to the domain's error page; one that is
// wrong otherwise back to redirect_uri with error and state.
func (s *Service) checkAuthorize(p *pool, a authorizeRequest) (c *client, errorPage string, redirectErr string) {
	c, err := s.loadClient(deref(p.Config.Id), a.clientID)
	if a.clientID == "" || err != nil {
		return nil, "invalid_request", ""
	}
	cfg := &c.Config
	if a.redirectURI == "" || !slices.Contains(cfg.CallbackURLs, a.redirectURI) {
		return nil, "redirect_mismatch", ""
	}
	flow := map[string]OAuthFlowType{"code": "code", "token": "implicit"}[a.responseType]
	if flow == "" {
		return nil, "", "unsupported_response_type"
	}
	if !deref(cfg.AllowedOAuthFlowsUserPoolClient) || !slices.Contains(cfg.AllowedOAuthFlows, flow) {
		return nil, "", "unauthorized_client"
	}
	for _, sc := range a.scopes {
		if !slices.Contains(cfg.AllowedOAuthScopes, sc) {
			return nil, "", "invalid_scope"
		}
	}
	// Cognito takes S256 as the only PKCE method.
	if a.challenge != "" && a.method != "S256" {
		return nil, "", "invalid_request"
	}
	return c, "", ""
}

// redirectTo answers with a redirect to a URL with parameters added to
// its query (or, for the implicit grant, its fragment).
func redirectTo(w http.ResponseWriter, target string, params url.Values, fragment bool) {
	sep := "?"
	if fragment {
		sep = "#"
	} else if strings.Contains(target, "?") {
		sep = "&"
	}
	w.Header().Set("Location", target+sep+params.Encode())
	w.WriteHeader(http.StatusFound)
}

func (s *Service) authorizeEndpoint(w http.ResponseWriter, r *http.Request, p *pool) {
	a := readAuthorize(r.URL.Query())
	s.mu.Lock()
	_, page, rerr := s.checkAuthorize(p, a)
	s.mu.Unlock()
	if page != "" {
		redirectTo(w, "../error", url.Values{"error": {page}, "client_id": {a.clientID}}, false)
		return
	}
	if rerr != "" {
		params := url.Values{"error": {rerr}}
		if a.state != "" {
			params.Set("state", a.state)
		}
		redirectTo(w, a.redirectURI, params, false)
		return
	}
	if ck, err := r.Cookie(webSessionCookie); err == nil && s.resumeSession(w, p, a, ck.Value) {
		return
	}
	redirectTo(w, "../login", a.query(), false)
}

// webSessionCookie names the cookie of a browser's session on a domain;
// webSessionValidity is how long it lasts, an hour as on AWS.
const (
	webSessionCookie   = "cognito"
	webSessionValidity = time.Hour
)

// webSession is a browser's signed-in session on a pool's domain, in
// memory.
type webSession struct {
	pool, username string
	authTime       int64
	expires        time.Time
}

// resumeSession grants an authorization request for the user of a live
// session, without the sign-in form; false when there is none.
func (s *Service) resumeSession(w http.ResponseWriter, p *pool, a authorizeRequest, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.webSessions[id]
	if ws == nil || ws.pool != deref(p.Config.Id) || s.clock.Now().After(ws.expires) {
		return false
	}
	c, page, rerr := s.checkAuthorize(p, a)
	if page != "" || rerr != "" {
		return false
	}
	u, err := s.findUser(p, ws.username)
	if err != nil || u == nil || !u.Enabled || u.Status != statusConfirmed {
		delete(s.webSessions, id)
		return false
	}
	s.grant(w, p, c, u, a, ws.authTime)
	return true
}

// loginEndpoint shows the sign-in form (GET) and signs in with it
// (POST): a user of the pool with their password, as USER_PASSWORD_AUTH
// checks it. A confirmed user goes on to redirect_uri with a code (or,
// for response_type token, the tokens in the fragment).
func (s *Service) loginEndpoint(w http.ResponseWriter, r *http.Request, p *pool) {
	a := readAuthorize(r.URL.Query())
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err == nil && r.PostForm.Get("client_id") != "" {
			a = readAuthorize(r.PostForm)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, page, rerr := s.checkAuthorize(p, a)
	if page != "" || rerr != "" {
		redirectTo(w, "error", url.Values{"error": {page + rerr}, "client_id": {a.clientID}}, false)
		return
	}
	if r.Method != http.MethodPost {
		writeHTML(w, http.StatusOK, loginForm(a, ""))
		return
	}
	var u *user
	if token := r.PostForm.Get("session"); token != "" {
		// The new-password form, posted back.
		var done bool
		if u, done = s.changeTemporaryPassword(w, r, p, c, a, token); done {
			return
		}
	} else {
		var err error
		u, err = s.findUser(p, r.PostForm.Get("username"))
		if err != nil || u == nil || !passwordMatches(u, r.PostForm.Get("password")) {
			writeHTML(w, http.StatusOK, loginForm(a, msgIncorrectCredentials))
			return
		}
	}
	switch {
	case !u.Enabled:
		writeHTML(w, http.StatusOK, loginForm(a, msgUserDisabled))
		return
	case u.Status == statusForceChange:
		// A temporary password signs in to a form that sets the
		// user's own, as the API's NEW_PASSWORD_REQUIRED challenge.
		if s.clock.Now().UnixMilli() >= u.TemporaryUntil {
			writeHTML(w, http.StatusOK, loginForm(a, "Temporary password has expired and must be reset by an administrator."))
			return
		}
		ch, err := s.newPasswordChallenge(authRequest{pool: p, client: c}, u)
		if err != nil {
			writeHTML(w, http.StatusOK, loginForm(a, errorMessage(err)))
			return
		}
		writeHTML(w, http.StatusOK, newPasswordForm(a, deref(ch.Session), ""))
		return
	case u.Status != statusConfirmed:
		writeHTML(w, http.StatusOK, loginForm(a, "User is not confirmed; virga's sign-in page does not confirm users."))
		return
	}
	// The sign-in form runs the authentication triggers as the API's
	// sign-in does; a refusal shows its message on the form.
	if err := s.preAuthentication(p, c, u); err != nil {
		writeHTML(w, http.StatusOK, loginForm(a, errorMessage(err)))
		return
	}
	if err := s.postAuthentication(p, c, u); err != nil {
		writeHTML(w, http.StatusOK, loginForm(a, errorMessage(err)))
		return
	}
	// A signed-in browser keeps a session on the domain (the cognito
	// cookie) that lets /oauth2/authorize skip the form for an hour.
	now := s.clock.Now()
	sess := s.ids.UUID()
	for k, v := range s.webSessions {
		if now.After(v.expires) {
			delete(s.webSessions, k)
		}
	}
	s.webSessions[sess] = &webSession{pool: deref(p.Config.Id), username: u.Username, authTime: now.Unix(), expires: now.Add(webSessionValidity)}
	http.SetCookie(w, &http.Cookie{Name: webSessionCookie, Value: sess, Expires: now.Add(webSessionValidity), Secure: r.TLS != nil, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
	s.grant(w, p, c, u, a, now.Unix())
}

// changeTemporaryPassword takes the new-password form of a user who
// signed in with a temporary password: with its session (the
// NEW_PASSWORD_REQUIRED challenge's) still valid, a new password that
// the pool's policy accepts, typed twice, becomes the user's own and the
// user CONFIRMED, and sign-in goes on (done false). Otherwise it answers
// with the form again, or the sign-in form once the session is gone, and
// done is true. s.mu is held.
func (s *Service) changeTemporaryPassword(w http.ResponseWriter, r *http.Request, p *pool, c *client, a authorizeRequest, token string) (u *user, done bool) {
	sess := s.sessions[token]
	if sess == nil || sess.pool != deref(p.Config.Id) || sess.client != deref(c.Config.ClientId) || sess.challenge != "NEW_PASSWORD_REQUIRED" ||
		s.clock.Now().After(sess.expires) {
		delete(s.sessions, token)
		writeHTML(w, http.StatusOK, loginForm(a, "Invalid session for the user, session is expired."))
		return nil, true
	}
	u, err := s.findUser(p, sess.username)
	if err != nil || u == nil || u.Status != statusForceChange {
		delete(s.sessions, token)
		writeHTML(w, http.StatusOK, loginForm(a, "Invalid session for the user."))
		return nil, true
	}
	pw := r.PostForm.Get("new_password")
	if pw != r.PostForm.Get("confirm_password") {
		writeHTML(w, http.StatusOK, newPasswordForm(a, token, "The passwords do not match."))
		return nil, true
	}
	if err := checkPassword(p.Config.Policies.PasswordPolicy, pw); err != nil {
		writeHTML(w, http.StatusOK, newPasswordForm(a, token, errorMessage(err)))
		return nil, true
	}
	if err := checkRequired(p, u); err != nil {
		writeHTML(w, http.StatusOK, newPasswordForm(a, token, errorMessage(err)))
		return nil, true
	}
	if err := s.setPassword(p, u, pw); err != nil {
		writeHTML(w, http.StatusOK, newPasswordForm(a, token, errorMessage(err)))
		return nil, true
	}
	u.Status, u.TemporaryUntil = statusConfirmed, 0
	u.Modified = s.clock.Now().UnixMilli()
	if err := s.saveUser(deref(p.Config.Id), u); err != nil {
		writeHTML(w, http.StatusOK, newPasswordForm(a, token, errorMessage(err)))
		return nil, true
	}
	delete(s.sessions, token)
	return u, false
}

// grant ends an authorization request for a signed-in user: a code (or,
// for response_type token, the tokens in the fragment) to redirect_uri.
func (s *Service) grant(w http.ResponseWriter, p *pool, c *client, u *user, a authorizeRequest, authTime int64) {
	scopes := a.scopes
	if len(scopes) == 0 {
		scopes = slices.Clone(c.Config.AllowedOAuthScopes)
	}
	now := s.clock.Now()
	params := url.Values{}
	if a.state != "" {
		params.Set("state", a.state)
	}
	if a.responseType == "token" {
		res, err := s.issueScoped(p, c, u, authTime, "", false, "TokenGeneration_HostedAuth", scopes, a.nonce)
		if err != nil {
			writeHTML(w, http.StatusOK, loginForm(a, errorMessage(err)))
			return
		}
		ar := res.AuthenticationResult
		params.Set("access_token", deref(ar.AccessToken))
		if ar.IdToken != nil {
			params.Set("id_token", *ar.IdToken)
		}
		params.Set("token_type", "Bearer")
		params.Set("expires_in", jsonInt(deref(ar.ExpiresIn)))
		redirectTo(w, a.redirectURI, params, true)
		return
	}
	code := s.ids.UUID()
	for k, v := range s.authCodes {
		if now.After(v.expires) {
			delete(s.authCodes, k)
		}
	}
	s.authCodes[code] = &authCode{pool: deref(p.Config.Id), client: a.clientID, username: u.Username, redirectURI: a.redirectURI,
		scopes: scopes, challenge: a.challenge, nonce: a.nonce, authTime: authTime, expires: now.Add(codeValidity)}
	params.Set("code", code)
	redirectTo(w, a.redirectURI, params, false)
}

// errorMessage is the message of an API error, for the sign-in form.
func errorMessage(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func jsonInt(n int32) string { b, _ := json.Marshal(n); return string(b) }

// loginForm is the sign-in page: user name and password, posted back to
// /login with the authorization request's parameters.
func loginForm(a authorizeRequest, problem string) string {
	var b strings.Builder
	b.WriteString("<h1>Sign in</h1>")
	if problem != "" {
		b.WriteString(`<p id="loginErrorMessage">` + html.EscapeString(problem) + "</p>")
	}
	b.WriteString(`<form method="post" action="login?` + html.EscapeString(a.query().Encode()) + `">`)
	for k, v := range a.query() {
		b.WriteString(`<input type="hidden" name="` + html.EscapeString(k) + `" value="` + html.EscapeString(v[0]) + `">`)
	}
	b.WriteString(`<label>Username <input name="username" autocomplete="username"></label>` +
		`<label>Password <input name="password" type="password" autocomplete="current-password"></label>` +
		`<button type="submit">Sign in</button></form>`)
	return b.String()
}

// newPasswordForm is the page a user who signed in with a temporary
// password sets their own on: the new password twice, posted back to
// /login with the challenge's session and the authorization request.
func newPasswordForm(a authorizeRequest, session, problem string) string {
	var b strings.Builder
	b.WriteString("<h1>Change Password</h1><p>Please enter a new password.</p>")
	if problem != "" {
		b.WriteString(`<p id="loginErrorMessage">` + html.EscapeString(problem) + "</p>")
	}
	b.WriteString(`<form method="post" action="login?` + html.EscapeString(a.query().Encode()) + `">`)
	for k, v := range a.query() {
		b.WriteString(`<input type="hidden" name="` + html.EscapeString(k) + `" value="` + html.EscapeString(v[0]) + `">`)
	}
	b.WriteString(`<input type="hidden" name="session" value="` + html.EscapeString(session) + `">` +
		`<label>New Password <input name="new_password" type="password" autocomplete="new-password"></label>` +
		`<label>Enter New Password Again <input name="confirm_password" type="password" autocomplete="new-password"></label>` +
		`<button type="submit">Send</button></form>`)
	return b.String()
}

// userInfoEndpoint answers an access token from the token endpoint that
// has the openid scope with the user's attributes; anything else is 401
// with WWW-Authenticate naming invalid_token.
func (s *Service) userInfoEndpoint(w http.ResponseWriter, r *http.Request, p *pool) {
	token := r.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	} else {
		token = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tp, u, claims, err := s.accessTokenUser(token)
	scope, _ := claims["scope"].(string)
	if err != nil || deref(tp.Config.Id) != deref(p.Config.Id) || !slices.Contains(strings.Fields(scope), "openid") {
		w.Header().Set("WWW-Authenticate", `error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out."`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Access token is expired, disabled, or deleted, or the user has globally signed out."})
		return
	}
	var readable []string
	if cid, _ := claims["client_id"].(string); cid != "" {
		if c, err := s.loadClient(deref(p.Config.Id), cid); err == nil {
			readable = c.Config.ReadAttributes
		}
	}
	writeJSON(w, http.StatusOK, userInfo(u, strings.Fields(scope), readable))
}

// profileAttributes are what the profile scope reads, besides custom
// attributes ("The user attributes endpoint").
var profileAttributes = []string{"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"}

// userInfo is what /oauth2/userInfo answers for a user and an access
// token's scopes, as "The user attributes endpoint" lists them: openid
// alone reads every attribute the client may read; with profile, email
// or phone, the sub and user name and those scopes' attributes. The
// client's ReadAttributes (all when empty) bound both.
func userInfo(u *user, scopes, readable []string) map[string]any {
	canRead := func(a string) bool { return len(readable) == 0 || slices.Contains(readable, a) }
	narrow := slices.ContainsFunc([]string{"profile", "email", "phone"}, func(sc string) bool { return slices.Contains(scopes, sc) })
	want := func(a string) bool {
		if !narrow {
			return true
		}
		switch {
		case a == "email" || a == "email_verified":
			return slices.Contains(scopes, "email")
		case a == "phone_number" || a == "phone_number_verified":
			return slices.Contains(scopes, "phone")
		case strings.HasPrefix(a, "custom:") || slices.Contains(profileAttributes, a):
			return slices.Contains(scopes, "profile")
		}
		return false
	}
	out := map[string]any{"sub": u.Sub, "username": u.Username}
	for k, v := range u.Attributes {
		if k != "sub" && canRead(k) && want(k) {
			out[k] = v
		}
	}
	return out
}

// revokeEndpoint ends the session of a refresh token of the client; an
// unknown token is no error.
func (s *Service) revokeEndpoint(w http.ResponseWriter, r *http.Request, p *pool) {
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("token") == "" {
		oauthError(w, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.domainClient(r, p)
	if !ok {
		oauthError(w, "invalid_client")
		return
	}
	if !deref(c.Config.EnableTokenRevocation) {
		oauthError(w, "unsupported_operation")
		return
	}
	var rt refreshToken
	found, err := s.get(refreshKey(r.PostForm.Get("token")), &rt)
	if err == nil && found && rt.Client == deref(c.Config.ClientId) {
		if u, err := s.findUser(p, rt.Username); err == nil && u != nil {
			err = s.revokeSessions(deref(p.Config.Id), u, rt.OriginJTI)
		}
	}
	if err != nil {
		oauthError(w, "server_error")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// logoutEndpoint sends the browser to logout_uri, which must be one of
// the client's sign-out URLs.
func (s *Service) logoutEndpoint(w http.ResponseWriter, r *http.Request, p *pool) {
	q := r.URL.Query()
	s.mu.Lock()
	c, err := s.loadClient(deref(p.Config.Id), q.Get("client_id"))
	if ck, cerr := r.Cookie(webSessionCookie); cerr == nil && err == nil {
		delete(s.webSessions, ck.Value)
	}
	s.mu.Unlock()
	if err == nil {
		http.SetCookie(w, &http.Cookie{Name: webSessionCookie, Value: "", MaxAge: -1, HttpOnly: true})
	}
	if err != nil {
		redirectTo(w, "error", url.Values{"error": {"invalid_request"}}, false)
		return
	}
	if to := q.Get("logout_uri"); to != "" {
		if !slices.Contains(c.Config.LogoutURLs, to) {
			redirectTo(w, "error", url.Values{"error": {"redirect_mismatch"}, "client_id": {q.Get("client_id")}}, false)
			return
		}
		w.Header().Set("Location", to)
		w.WriteHeader(http.StatusFound)
		return
	}
	// Without logout_uri, /logout signs in again: back to /login with
	// the authorization parameters it was given.
	a := readAuthorize(q)
	redirectTo(w, "login", a.query(), false)
}
