package apigatewayv2

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/clock"
)

// JWT authorizers, as "Controlling access to HTTP APIs with JWT
// authorizers" describes them: the token comes from the identity source
// (a "Bearer " prefix is optional); its signature is checked with the
// issuer's keys, found through {issuer}/.well-known/openid-configuration
// and its jwks_uri; iss must be the issuer, aud (or, without aud,
// client_id) one of the audiences, exp in the future and nbf past. A
// route with authorization scopes also needs one of them in the token's
// scope (or scp) claim. A bad token is 401, a missing scope 403.

// jwksTTL is how long an issuer's keys are kept before they are fetched
// again.
const jwksTTL = 2 * time.Hour

// jwksRefetchGap is the least time between two fetches of an issuer's
// keys when a token names a key the cache does not have.
const jwksRefetchGap = time.Minute

func (s *Service) authorizeJWT(inv *invocation) *response {
	au := inv.d.authorizers[inv.route.AuthorizerID]
	if au == nil || au.Type != "JWT" {
		return gatewayResponse(http.StatusInternalServerError)
	}
	values, ok := s.identityValues(inv, au.IdentitySource)
	if !ok {
		return unauthorizedJWT("")
	}
	token := values[0]
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	claims, err := s.verifyJWT(inv.r.Context(), token, au)
	if err != nil {
		s.log.Info("apigatewayv2: JWT rejected", "api", inv.api.ID, "authorizer", au.ID, "err", err, "requestId", inv.requestID)
		return unauthorizedJWT(err.Error())
	}
	scopes := tokenScopes(claims)
	if want := inv.route.AuthorizationScopes; len(want) > 0 && !slices.ContainsFunc(want, func(w string) bool { return slices.Contains(scopes, w) }) {
		res := gatewayResponse(http.StatusForbidden)
		// As API Gateway words it: the route's scopes, space-separated,
		// and in brackets in the description.
		res.header.Set("Www-Authenticate", `Bearer scope="`+strings.Join(want, " ")+`" error="insufficient_scope" error_description="expected scopes: [`+strings.Join(want, " ")+`]"`)
		return res
	}
	inv.auth = &authorization{jwt: true, jwtClaims: claimStrings(claims), jwtScopes: scopes}
	return nil
}

// unauthorizedJWT is the 401 for a missing or invalid token.
func unauthorizedJWT(reason string) *response {
	res := gatewayResponse(http.StatusUnauthorized)
	if reason != "" {
		res.header.Set("Www-Authenticate", `Bearer scope="" error="invalid_token" error_description="`+strings.ReplaceAll(reason, `"`, `'`)+`"`)
	}
	return res
}

// verifyJWT checks a token for an authorizer and returns its claims.
func (s *Service) verifyJWT(ctx context.Context, token string, au *authorizerRecord) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("the token's header: %w", err)
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("the token's claims: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("the token's signature is not base64url")
	}
	key, err := s.jwks.key(ctx, au.JWTIssuer, header.Kid)
	if err != nil {
		return nil, err
	}
	if err := verifySignature(header.Alg, key, []byte(parts[0]+"."+parts[1]), sig); err != nil {
		return nil, err
	}
	if iss, _ := claims["iss"].(string); iss != au.JWTIssuer {
		return nil, fmt.Errorf("the token's issuer %q is not %q", iss, au.JWTIssuer)
	}
	if !audienceOK(claims, au.JWTAudience) {
		return nil, errors.New("the token's audience is not one of the authorizer's")
	}
	now := s.clock.Now()
	exp, ok := numericClaim(claims, "exp")
	if !ok {
		return nil, errors.New("the token has no exp claim")
	}
	if !now.Before(time.Unix(exp, 0)) {
		return nil, errors.New("the token has expired")
	}
	if nbf, ok := numericClaim(claims, "nbf"); ok && now.Before(time.Unix(nbf, 0)) {
		return nil, errors.New("the token is not valid yet")
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

func verifySignature(alg string, key crypto.PublicKey, signed, sig []byte) error {
	var h crypto.Hash
	switch alg[min(2, len(alg)):] {
	case "256":
		h = crypto.SHA256
	case "384":
		h = crypto.SHA384
	case "512":
		h = crypto.SHA512
	default:
		return fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	digest := hashOf(h, signed)
	switch k := key.(type) {
	case *rsa.PublicKey:
		if !strings.HasPrefix(alg, "RS") {
			return fmt.Errorf("algorithm %s does not fit an RSA key", alg)
		}
		if rsa.VerifyPKCS1v15(k, h, digest, sig) != nil {
			return errors.New("the token's signature is invalid")
		}
	case *ecdsa.PublicKey:
		if !strings.HasPrefix(alg, "ES") || len(sig)%2 != 0 {
			return fmt.Errorf("algorithm %s does not fit an EC key", alg)
		}
		r, s := new(big.Int).SetBytes(sig[:len(sig)/2]), new(big.Int).SetBytes(sig[len(sig)/2:])
		if !ecdsa.Verify(k, digest, r, s) {
			return errors.New("the token's signature is invalid")
		}
	default:
		return errors.New("unsupported key type")
	}
	return nil
}

func hashOf(h crypto.Hash, b []byte) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384(b)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(b)
		return d[:]
	}
	d := sha256.Sum256(b)
	return d[:]
}

// audienceOK reports whether the token's aud (a string or a list), or its
// client_id when it has no aud, is one of the audiences.
func audienceOK(claims map[string]any, audiences []string) bool {
	switch aud := claims["aud"].(type) {
	case string:
		return slices.Contains(audiences, aud)
	case []any:
		for _, a := range aud {
			if s, ok := a.(string); ok && slices.Contains(audiences, s) {
				return true
			}
		}
		return false
	case nil:
		id, _ := claims["client_id"].(string)
		return id != "" && slices.Contains(audiences, id)
	}
	return false
}

func numericClaim(claims map[string]any, name string) (int64, bool) {
	n, ok := claims[name].(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}

// tokenScopes are a token's scopes: its scope claim, space-separated, or
// its scp claim (a string or a list).
func tokenScopes(claims map[string]any) []string {
	for _, name := range []string{"scope", "scp"} {
		switch v := claims[name].(type) {
		case string:
			return strings.Fields(v)
		case []any:
			var out []string
			for _, x := range v {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// claimStrings renders a token's claims as events carry them: every value
// a string, lists as "[a b]".
func claimStrings(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		out[k] = claimString(v)
	}
	return out
}

func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = claimString(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// jwksCache keeps JWT issuers' public keys.
type jwksCache struct {
	// local holds the keys of issuers virga is; nil when none.
	local  Issuers
	client *http.Client
	clock  clock.Clock
	mu     sync.Mutex
	byIss  map[string]*jwksEntry
}

type jwksEntry struct {
	keys    map[string]crypto.PublicKey // by kid
	fetched time.Time
}

func newJWKSCache(c *http.Client, clk clock.Clock) *jwksCache {
	return &jwksCache{client: c, clock: clk, byIss: map[string]*jwksEntry{}}
}

// key returns the issuer's key with the id, fetching the issuer's keys
// when they are not cached, too old, or lack the id.
func (c *jwksCache) key(ctx context.Context, issuer, kid string) (crypto.PublicKey, error) {
	if c.local != nil {
		if k, found := c.local.IssuerKey(issuer, kid); found {
			if k == nil {
				return nil, fmt.Errorf("the issuer has no key %q", kid)
			}
			return k, nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	e := c.byIss[issuer]
	stale := e == nil || now.Sub(e.fetched) >= jwksTTL
	if !stale {
		if k := pickKey(e.keys, kid); k != nil {
			return k, nil
		}
		stale = now.Sub(e.fetched) >= jwksRefetchGap
	}
	if stale {
		keys, err := c.fetch(ctx, issuer)
		if err != nil {
			return nil, err
		}
		e = &jwksEntry{keys: keys, fetched: now}
		c.byIss[issuer] = e
	}
	if k := pickKey(e.keys, kid); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("the issuer has no key %q", kid)
}

// pickKey is the key with the id, or the only key when the token names
// none.
func pickKey(keys map[string]crypto.PublicKey, kid string) crypto.PublicKey {
	if kid == "" && len(keys) == 1 {
		for _, k := range keys {
			return k
		}
	}
	return keys[kid]
}

// fetch reads an issuer's keys through its OpenID configuration.
func (c *jwksCache) fetch(ctx context.Context, issuer string) (map[string]crypto.PublicKey, error) {
	var conf struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := c.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &conf); err != nil {
		return nil, fmt.Errorf("the issuer's OpenID configuration: %w", err)
	}
	if conf.JWKSURI == "" {
		return nil, errors.New("the issuer's OpenID configuration has no jwks_uri")
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := c.getJSON(ctx, conf.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("the issuer's keys: %w", err)
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		if pub, err := k.publicKey(); err == nil {
			keys[k.Kid] = pub
		}
	}
	return keys, nil
}

func (c *jwksCache) getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// jwk is one JSON Web Key, RSA or EC.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	dec := base64.RawURLEncoding.DecodeString
	switch k.Kty {
	case "RSA":
		n, err1 := dec(k.N)
		e, err2 := dec(k.E)
		if err1 != nil || err2 != nil || len(e) > 8 {
			return nil, errors.New("malformed RSA key")
		}
		exp := new(big.Int).SetBytes(e)
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, errors.New("unsupported curve")
		}
		x, err1 := dec(k.X)
		y, err2 := dec(k.Y)
		if err1 != nil || err2 != nil {
			return nil, errors.New("malformed EC key")
		}
		return &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}, nil
	}
	return nil, errors.New("unsupported key type")
}
