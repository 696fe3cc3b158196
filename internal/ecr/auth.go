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
func (s *Service) newToken() string {
	exp := strconv.FormatInt(s.clock.Now().Add(tokenLifetime).Unix(), 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(s.tokenMAC(exp))
}

func (s *Service) tokenMAC(exp string) []byte {
	m := hmac.New(sha256.New, s.authKey)
	m.Write([]byte(s.account + "|" + exp))
	return m.Sum(nil)
}

// validToken reports whether a password is a token newToken made that
// has not expired.
func (s *Service) validToken(tok string) bool {
	exp, mac, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	sum, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(sum, s.tokenMAC(exp)) {
		return false
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && s.clock.Now().Unix() < t
}

// authorized reports whether a registry request may be served: always
// when the registry does not require authentication, and otherwise when
// it carries Basic credentials AWS:TOKEN (docker login's) or a download
// URL's token.
func (s *Service) authorized(r *http.Request) bool {
	if !s.requireAuth {
		return true
	}
	if tok := r.URL.Query().Get(downloadTokenParam); tok != "" {
		return s.validToken(tok)
	}
	user, pass, ok := r.BasicAuth()
	return ok && user == "AWS" && s.validToken(pass)
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
