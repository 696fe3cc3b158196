package ecr

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tokenLifetime is how long a GetAuthorizationToken token is good: 12
// hours, as ECR's API reference says.
const tokenLifetime = 12 * time.Hour

// downloadTokenParam is the query parameter of GetDownloadUrlForLayer's
// URLs that carries a token.
const downloadTokenParam = "X-Virga-Token"

// newToken makes a password for the registry: the expiry and an HMAC
// over it and the account, under the key kept in the store (so tokens
// survive a restart).
func (s *Service) newToken() string { return s.newScopedToken("") }

// newScopedToken is newToken for a token good for one thing only: scope
// is blobScope's for a download URL's, "" for docker login's.
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

// validToken reports whether a password is a token newScopedToken made
// for scope that has not expired.
func (s *Service) validToken(tok, scope string) bool {
	exp, mac, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	sum, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(sum, s.tokenMAC(exp, scope)) {
		return false
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && s.clock.Now().Unix() < t
}

// authorized reports whether a registry request may be served: always
// when the registry does not require authentication, and otherwise when
// it carries Basic credentials AWS:TOKEN (docker login's) or is a GET or
// HEAD of the one blob a download URL's token was made for (as ECR's
// download URL is a presigned URL of that layer).
func (s *Service) authorized(r *http.Request) bool {
	if !s.requireAuth {
		return true
	}
	if tok := r.URL.Query().Get(downloadTokenParam); tok != "" {
		p, ok := parseRegistryPath(r.URL.Path)
		return ok && p.Kind == "blobs" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			s.validToken(tok, blobScope(p.Name, p.Ref))
	}
	user, pass, ok := r.BasicAuth()
	return ok && user == "AWS" && s.validToken(pass, "")
}

func (s *Service) getAuthorizationToken(ctx context.Context, in *GetAuthorizationTokenRequest) (*GetAuthorizationTokenResponse, error) {
	for _, id := range in.RegistryIds {
		if err := s.checkRegistry(&id); err != nil {
			return nil, err
		}
	}
	tok := base64.StdEncoding.EncodeToString([]byte("AWS:" + s.newToken()))
	return &GetAuthorizationTokenResponse{AuthorizationData: []AuthorizationData{{
		AuthorizationToken: ptr(tok),
		ExpiresAt:          ptr(s.clock.Now().Add(tokenLifetime)),
		ProxyEndpoint:      ptr("http://" + s.registryAddr(requestHost(ctx))),
	}}}, nil
}

// RegistryCredentials are a user name and password the registry
// accepts, as GetAuthorizationToken would hand out: virga's own pulls
// (ECS tasks' images) use them, so that a registry that requires
// authentication serves them too.
func (s *Service) RegistryCredentials() (user, password string) {
	return "AWS", s.newToken()
}
