package ecr

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// tokenLifetime is how long a GetAuthorizationToken token is good: 12
// hours, as ECR's API reference says.
const tokenLifetime = 12 * time.Hour

// downloadTokenParam is the query parameter of GetDownloadUrlForLayer's
// URLs that carries a token.
const downloadTokenParam = "X-Virga-Token"

// tokenPrincipal is who a docker login token acts for: the caller of
// GetAuthorizationToken as the edge identified it (an ECR token's
// permission scope is its requester's, as the user guide's "Private
// registry authentication" says), or virga itself for the tokens it
// mints for its own pulls.
type tokenPrincipal struct {
	Self              bool   `json:"self,omitempty"`
	ARN               string `json:"arn,omitempty"`
	UserID            string `json:"uid,omitempty"`
	Account           string `json:"acct,omitempty"`
	AccessKeyID       string `json:"akid,omitempty"`
	Session           bool   `json:"sess,omitempty"`
	SessionPolicy     string `json:"sp,omitempty"`
	SessionPolicyARNs string `json:"spa,omitempty"`
}

// caller is the principal as the authorizer takes it.
func (p *tokenPrincipal) caller() awsproto.Caller {
	c := awsproto.Caller{AccessKeyID: p.AccessKeyID, Account: p.Account, ARN: p.ARN, UserID: p.UserID,
		SessionPolicy: p.SessionPolicy, SessionPolicyARNs: p.SessionPolicyARNs}
	if p.Session {
		// Only its presence counts: it keys the authorizer's cache by
		// session; the token itself is not kept in the password.
		c.SessionToken = "session"
	}
	return c
}

func principalOf(c awsproto.Caller) tokenPrincipal {
	return tokenPrincipal{ARN: c.ARN, UserID: c.UserID, Account: c.Account, AccessKeyID: c.AccessKeyID,
		Session: c.SessionToken != "", SessionPolicy: c.SessionPolicy, SessionPolicyARNs: c.SessionPolicyARNs}
}

// newLoginToken makes a password for the registry (docker login's):
// EXPIRY.PRINCIPAL.MAC, the principal base64url JSON, the MAC an HMAC
// over the account, the expiry and the principal under the key kept in
// the store (so tokens survive a restart and nobody can change whom
// they act for).
func (s *Service) newLoginToken(p tokenPrincipal) string {
	b, _ := json.Marshal(p)
	payload := base64.RawURLEncoding.EncodeToString(b)
	exp := strconv.FormatInt(s.clock.Now().Add(tokenLifetime).Unix(), 10)
	return exp + "." + payload + "." + base64.RawURLEncoding.EncodeToString(s.tokenMAC(exp, loginScope(payload)))
}

// loginScope is the scope a login token's MAC covers: its principal.
// It cannot be taken for a download URL's scope (blobScope's).
func loginScope(payload string) string { return "login|" + payload }

// newScopedToken is the token of a download URL: EXPIRY.MAC, good for
// scope (blobScope's) only.
func (s *Service) newScopedToken(scope string) string {
	exp := strconv.FormatInt(s.clock.Now().Add(tokenLifetime).Unix(), 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(s.tokenMAC(exp, scope))
}

// blobScope is the scope of a download URL's token: reading the blob
// digest in the repository repo, nothing else.
func blobScope(repo, digest string) string { return "blob|" + repo + "|" + digest }

func (s *Service) tokenMAC(exp, scope string) []byte {
	m := hmac.New(sha256.New, s.authKey)
	m.Write([]byte(s.account + "|" + exp))
	if scope != "" {
		m.Write([]byte("|" + scope))
	}
	return m.Sum(nil)
}

// validMAC reports whether mac (base64url) is the MAC of exp and scope
// and exp has not passed.
func (s *Service) validMAC(exp, mac, scope string) bool {
	sum, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(sum, s.tokenMAC(exp, scope)) {
		return false
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && s.clock.Now().Unix() < t
}

// validToken reports whether a password is a token newScopedToken made
// for scope that has not expired.
func (s *Service) validToken(tok, scope string) bool {
	exp, mac, ok := strings.Cut(tok, ".")
	return ok && !strings.Contains(mac, ".") && s.validMAC(exp, mac, scope)
}

// loginPrincipal returns whom a docker login password acts for, when it
// is a valid, unexpired token. legacy is true for a token of the format
// before tokens named their principal (EXPIRY.MAC over no scope): it is
// good, and acts for nobody in particular.
func (s *Service) loginPrincipal(tok string) (p *tokenPrincipal, legacy, ok bool) {
	parts := strings.Split(tok, ".")
	switch len(parts) {
	case 2:
		return nil, true, s.validMAC(parts[0], parts[1], "")
	case 3:
		if !s.validMAC(parts[0], parts[2], loginScope(parts[1])) {
			return nil, false, false
		}
		b, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return nil, false, false
		}
		p = new(tokenPrincipal)
		if json.Unmarshal(b, p) != nil {
			return nil, false, false
		}
		return p, false, true
	}
	return nil, false, false
}

// regAuth is what authenticated a registry request.
type regAuth struct {
	// download is set for a download URL's token, which allows the one
	// GET or HEAD it was made for and needs no further authorization
	// (GetDownloadUrlForLayer was authorized when it was made).
	download bool
	// who is the login token's principal; nil when the registry does not
	// require authentication, or for a download URL.
	who *tokenPrincipal
}

// authenticate decides whether a registry request may be served: always
// when the registry does not require authentication, and otherwise when
// it carries Basic credentials AWS:TOKEN (docker login's) or is a GET or
// HEAD of the one blob a download URL's token was made for (as ECR's
// download URL is a presigned URL of that layer). With IAM policies
// enforced, a token of the format before tokens named their principal
// is refused: it cannot be authorized (GetAuthorizationToken gives a
// new one).
func (s *Service) authenticate(r *http.Request) (regAuth, *regError) {
	if !s.requireAuth {
		return regAuth{}, nil
	}
	unauthorized := regErr(http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	if tok := r.URL.Query().Get(downloadTokenParam); tok != "" {
		p, ok := parseRegistryPath(r.URL.Path)
		if ok && p.Kind == "blobs" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			s.validToken(tok, blobScope(p.Name, p.Ref)) {
			return regAuth{download: true}, nil
		}
		return regAuth{}, unauthorized
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != "AWS" {
		return regAuth{}, unauthorized
	}
	who, legacy, ok := s.loginPrincipal(pass)
	switch {
	case !ok:
		return regAuth{}, unauthorized
	case legacy && s.authz != nil:
		return regAuth{}, regErr(http.StatusUnauthorized, "UNAUTHORIZED",
			"authorization token names no principal; get a new one with GetAuthorizationToken")
	}
	return regAuth{who: who}, nil
}

// authorizeRegistry authorizes a registry request as the IAM action
// that ECR's registry checks for it (action, on repository repo; "" is
// "*"), for the token's principal, through the same authorizer as the
// API (identity policies, and the repository policy). It allows
// everything when policies are not enforced, for a download URL, and
// for virga's own tokens. A denial is the registry's DENIED, 403, with
// IAM's wording, as ECR answers.
func (s *Service) authorizeRegistry(r *http.Request, a regAuth, action, repo string) error {
	if s.authz == nil || a.download || (a.who != nil && a.who.Self) {
		return nil
	}
	if a.who == nil || a.who.ARN == "" {
		// Not reached with policies enforced (the edge identifies every
		// caller): without a principal nothing is allowed.
		return regErr(http.StatusForbidden, "DENIED", "authorization token names no principal")
	}
	c := awsproto.NewCall(r, "", s.clock.Now())
	c.Service = s.api
	c.Op = &awsproto.Operation{Name: strings.TrimPrefix(action, "ecr:"), Action: action}
	c.Caller = a.who.caller()
	c.Region = s.region
	var in any
	if repo != "" {
		in = &struct{ RepositoryName *string }{&repo}
	}
	err := s.authz.Authorize(c, in)
	if e := apierr.As(err); e != nil && e.Code == s.api.AccessDenied.Code {
		return regErr(http.StatusForbidden, "DENIED", "%s", e.Message)
	}
	return err
}

// allowedRegistry is authorizeRegistry as a yes or no, for what the
// registry filters (the catalog) or falls back from (a mount).
func (s *Service) allowedRegistry(r *http.Request, a regAuth, action, repo string) (bool, error) {
	err := s.authorizeRegistry(r, a, action, repo)
	if re, ok := err.(*regError); ok && re.code == "DENIED" {
		return false, nil
	}
	return err == nil, err
}

// SetAuthorizer has the registry authorize each request through a, as
// the edge does the API's calls (--auth iam); nil authorizes nothing.
func (s *Service) SetAuthorizer(a awsproto.Authorizer) {
	if s.api == nil {
		s.API()
	}
	s.authz = a
}

func (s *Service) getAuthorizationToken(ctx context.Context, in *GetAuthorizationTokenRequest) (*GetAuthorizationTokenResponse, error) {
	for _, id := range in.RegistryIds {
		if err := s.checkRegistry(&id); err != nil {
			return nil, err
		}
	}
	var who tokenPrincipal
	if c := awsproto.CallFrom(ctx); c != nil {
		who = principalOf(c.Caller)
		if who.ARN == "" && c.Caller.AccessKeyID != "" {
			// The configured keys are the account root's, as
			// GetCallerIdentity names them.
			who.ARN = "arn:aws:iam::" + s.account + ":root"
			who.UserID = s.account
		}
	}
	tok := base64.StdEncoding.EncodeToString([]byte("AWS:" + s.newLoginToken(who)))
	return &GetAuthorizationTokenResponse{AuthorizationData: []AuthorizationData{{
		AuthorizationToken: ptr(tok),
		ExpiresAt:          ptr(s.clock.Now().Add(tokenLifetime)),
		ProxyEndpoint:      ptr("http://" + s.registryAddr(requestHost(ctx))),
	}}}, nil
}

// RegistryCredentials are a user name and password the registry
// accepts, as GetAuthorizationToken would hand out: virga's own pulls
// (ECS tasks' and Lambda image functions' images) use them, so that a
// registry that requires authentication serves them too. They act for
// virga itself and are always allowed (AWS pulls with the ECS task's
// execution role, and for Lambda with Lambda's service principal, which
// the repository policy allows).
func (s *Service) RegistryCredentials() (user, password string) {
	return "AWS", s.newLoginToken(tokenPrincipal{Self: true})
}

// RoleCredentials are the registry's user name and password for a
// session of the role roleARN (named session), as GetAuthorizationToken
// would hand them to that session: the ECS agent pulls a task's images
// with its execution role's, so that the registry authorizes the pulls
// for the role (its policies and the repository policy).
func (s *Service) RoleCredentials(roleARN, session string) (user, password string) {
	name := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
	return "AWS", s.newLoginToken(tokenPrincipal{Account: s.account,
		ARN: "arn:aws:sts::" + s.account + ":assumed-role/" + name + "/" + session})
}
