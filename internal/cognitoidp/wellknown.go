package cognitoidp

import (
	"crypto"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// poolIDPattern is the form of a user pool id: REGION_ID.
var poolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// WellKnownHandler serves a pool's public documents at the paths AWS
// serves them under its issuer URL, relative to virga's endpoint:
//
//	GET /{POOL_ID}/.well-known/jwks.json              the pool's signing keys
//	GET /{POOL_ID}/.well-known/openid-configuration   issuer, jwks_uri, ...
//
// endpoint gives virga's own URL (http://HOST:PORT), where jwks_uri
// points; the issuer stays AWS's, as tokens carry it.
func (s *Service) WellKnownHandler(endpoint func() string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		poolID, doc, ok := WellKnownPath(r.URL.Path)
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		p, err := s.loadPool(poolID)
		var pk *poolKeys
		if err == nil {
			pk, err = s.signingKeys(p)
		}
		s.mu.Unlock()
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"User pool ` + poolID + ` not found"}` + "\n"))
			return
		}
		var body any
		switch doc {
		case "jwks.json":
			body = map[string]any{"keys": pk.jwks()}
		case "openid-configuration":
			body = map[string]any{
				"issuer":                                Issuer(s.region, poolID),
				"jwks_uri":                              strings.TrimSuffix(endpoint(), "/") + "/" + poolID + "/.well-known/jwks.json",
				"response_types_supported":              []string{"code", "token"},
				"subject_types_supported":               []string{"public"},
				"id_token_signing_alg_values_supported": []string{"RS256"},
				"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
				"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
			}
		}
		b, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write(b)
	})
}

// WellKnownPath splits /{POOL_ID}/.well-known/{jwks.json|openid-configuration}.
func WellKnownPath(path string) (poolID, doc string, ok bool) {
	rest, found := strings.CutPrefix(path, "/")
	if !found {
		return "", "", false
	}
	poolID, doc, found = strings.Cut(rest, "/.well-known/")
	if !found || !poolIDPattern.MatchString(poolID) || (doc != "jwks.json" && doc != "openid-configuration") {
		return "", "", false
	}
	return poolID, doc, true
}

// IssuerKey returns the public key with the id of the pool an issuer
// URL (https://cognito-idp.REGION.amazonaws.com/POOL_ID) names, so that
// API Gateway's JWT authorizers verify virga's tokens without the
// network; found is false when the issuer is not one of virga's pools.
func (s *Service) IssuerKey(issuer, kid string) (key crypto.PublicKey, found bool) {
	poolID, ok := strings.CutPrefix(issuer, "https://cognito-idp."+s.region+".amazonaws.com/")
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, false
	}
	pk, err := s.signingKeys(p)
	if err != nil {
		return nil, false
	}
	for _, k := range pk.keys {
		if k.kid == kid {
			return &k.key.PublicKey, true
		}
	}
	return nil, true
}

// VerifyToken is what a REST API's COGNITO_USER_POOLS authorizer
// checks, as "Control access to REST APIs using Amazon Cognito user
// pools as an authorizer" describes: the token is an unexpired token of
// the use ("id" or "access") signed by one of the pools the ARNs name,
// and not revoked. It returns the token's claims.
func (s *Service) VerifyToken(poolARNs []string, token, use string) (map[string]any, bool) {
	poolID, ok := tokenPool(token)
	if !ok {
		return nil, false
	}
	named := false
	for _, arn := range poolARNs {
		if strings.HasSuffix(arn, ":userpool/"+poolID) {
			named = true
		}
	}
	if !named {
		return nil, false
	}
	claims, err := s.CheckToken(poolID, token, use)
	return claims, err == nil
}

// Why CheckToken refuses a token.
var (
	// ErrTokenMalformed is a token that is not a JWT of the pool's, or
	// not of the use asked for.
	ErrTokenMalformed = errors.New("cognito-idp: not a token of the pool")
	// ErrTokenSignature is a token whose signature the pool's keys do
	// not verify.
	ErrTokenSignature = errors.New("cognito-idp: token signature does not verify")
	// ErrTokenExpired is a token past its exp.
	ErrTokenExpired = errors.New("cognito-idp: token expired")
	// ErrTokenRevoked is a token of a session GlobalSignOut or
	// RevokeToken ended.
	ErrTokenRevoked = errors.New("cognito-idp: token revoked")
)

// CheckToken verifies a token of pool poolID of the use ("id" or
// "access") and returns its claims, or says why it is refused (one of
// the ErrToken errors). An expired or revoked token's claims are
// returned with the error, for messages that quote them.
func (s *Service) CheckToken(poolID, token, use string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, ErrTokenMalformed
	}
	pk, err := s.signingKeys(p)
	if err != nil {
		return nil, err
	}
	claims, err := parseToken(pk, token)
	switch {
	case errors.Is(err, errBadSignature):
		return nil, ErrTokenSignature
	case err != nil:
		return nil, ErrTokenMalformed
	case claims["token_use"] != use || claims["iss"] != Issuer(s.region, poolID):
		return nil, ErrTokenMalformed
	}
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		return nil, ErrTokenMalformed
	}
	if e, err := exp.Int64(); err != nil || !s.clock.Now().Before(time.Unix(e, 0)) {
		return claims, ErrTokenExpired
	}
	// A token of a session GlobalSignOut or RevokeToken ended is refused.
	name, _ := claims["cognito:username"].(string)
	if use == "access" {
		name, _ = claims["username"].(string)
	}
	if u, err := s.findUser(p, name); err == nil && u != nil {
		if origin, _ := claims["origin_jti"].(string); slices.Contains(u.Revoked, origin) {
			return claims, ErrTokenRevoked
		}
	}
	return claims, nil
}
