package cognitoidentity

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/virga/virga/internal/cognitoidp"
	"github.com/virga/virga/internal/jwtclaims"
)

// userPoolIDPattern is the form of a user pool id: REGION_ID.
var userPoolIDPattern = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9a-zA-Z]+$`)

// parseProviderName splits a user pool's provider name,
// cognito-idp.REGION.amazonaws.com/POOL_ID, the key of its tokens in
// Logins; the pool id's region is the host's.
func parseProviderName(name string) (region, poolID string, ok bool) {
	rest, ok := strings.CutPrefix(name, "cognito-idp.")
	if !ok {
		return "", "", false
	}
	region, poolID, ok = strings.Cut(rest, ".amazonaws.com/")
	if !ok {
		return "", "", false
	}
	m := userPoolIDPattern.FindStringSubmatch(poolID)
	if m == nil || m[1] != region {
		return "", "", false
	}
	return region, poolID, true
}

// login is one verified entry of a request's Logins.
type login struct {
	// Provider is the Logins key, Subject the user's sub there.
	Provider, Subject string
	// Client is the app client the token was issued to (its aud).
	Client string
	Claims map[string]any
}

// verifyLogins checks each of a request's Logins as AWS does for the
// pool's user pool providers: the token is an ID token of the user pool
// the key names (issuer, signature, expiry), issued to one of the app
// clients the identity pool lists for it.
func (s *Service) verifyLogins(p *identityPool, logins map[string]string) ([]login, error) {
	var out []login
	for provider, token := range logins {
		l, err := s.verifyLogin(p, provider, token)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func (s *Service) verifyLogin(p *identityPool, provider, token string) (login, error) {
	var configured []CognitoIdentityProvider
	for _, c := range p.Config.CognitoIdentityProviders {
		if deref(c.ProviderName) == provider {
			configured = append(configured, c)
		}
	}
	if len(configured) == 0 {
		if _, external := p.Config.SupportedLoginProviders[provider]; external {
			return login{}, ErrNotAuthorized.Withf("Invalid login token. Tokens of %s cannot be verified here.", provider)
		}
		return login{}, ErrNotAuthorized.WithMessage(msgNotSupported)
	}
	_, poolID, _ := parseProviderName(provider)
	unverified, ok := jwtclaims.Claims(token)
	if !ok {
		return login{}, ErrNotAuthorized.WithMessage(msgNotOIDCToken)
	}
	if iss, _ := unverified["iss"].(string); iss != "https://"+provider {
		return login{}, ErrNotAuthorized.WithMessage(msgIssuerMismatch)
	}
	if _, ok := unverified["aud"]; !ok {
		return login{}, ErrNotAuthorized.WithMessage(msgMissingAudience)
	}
	claims, err := s.pools.CheckToken(poolID, token, "id")
	switch {
	case errors.Is(err, cognitoidp.ErrTokenExpired):
		exp, _ := claims["exp"].(json.Number)
		return login{}, ErrNotAuthorized.Withf("Invalid login token. Token expired: %d >= %s", s.clock.Now().Unix(), exp)
	case errors.Is(err, cognitoidp.ErrTokenSignature):
		return login{}, ErrNotAuthorized.WithMessage(msgBadSignature)
	case errors.Is(err, cognitoidp.ErrTokenRevoked):
		for _, c := range configured {
			if deref(c.ClientId) == fmt.Sprint(claims["aud"]) && deref(c.ServerSideTokenCheck) {
				return login{}, ErrNotAuthorized.WithMessage(msgTokenRevoked)
			}
		}
	case errors.Is(err, cognitoidp.ErrTokenMalformed):
		return login{}, ErrNotAuthorized.WithMessage(msgNotOIDCToken)
	case err != nil:
		return login{}, err
	}
	aud, _ := claims["aud"].(string)
	for _, c := range configured {
		if deref(c.ClientId) == aud {
			sub, _ := claims["sub"].(string)
			return login{Provider: provider, Subject: sub, Client: aud, Claims: claims}, nil
		}
	}
	return login{}, ErrNotAuthorized.WithMessage(msgNotSupported)
}
