package apigatewayv2

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testIssuer is an OpenID provider serving one RSA key.
type testIssuer struct {
	url     string
	key     *rsa.PrivateKey
	fetches atomic.Int32
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &testIssuer{key: key}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url, "jwks_uri": iss.url + "/keys"})
		case "/keys":
			iss.fetches.Add(1)
			e := big.NewInt(int64(key.E)).Bytes()
			json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
				"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
				"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(e),
			}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	iss.url = srv.URL
	return iss
}

// token signs claims with the issuer's key.
func (iss *testIssuer) token(t *testing.T, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signed := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, iss.key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestHTTPAPIJWTAuthorizer(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t)
	h := newHarness(t, "")
	api := h.api(nil)
	auth := *must(h.s.createAuthorizer(h.ctx, &CreateAuthorizerRequest{ApiId: &api, Name: ptr("jwt"),
		AuthorizerType: ptr(AuthorizerType("JWT")), IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &JWTConfiguration{Issuer: &iss.url, Audience: []string{"my-app"}}}))(t).AuthorizerId
	integ := h.lambdaIntegration(api, testFn, "2.0")
	must(h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &api, RouteKey: ptr("GET /me"), Target: ptr("integrations/" + integ),
		AuthorizationType: ptr(AuthorizationType("JWT")), AuthorizerId: &auth}))(t)
	must(h.s.createRoute(h.ctx, &CreateRouteRequest{ApiId: &api, RouteKey: ptr("GET /admin"), Target: ptr("integrations/" + integ),
		AuthorizationType: ptr(AuthorizationType("JWT")), AuthorizerId: &auth, AuthorizationScopes: []string{"admin"}}))(t)

	now := h.clock.Now().Unix()
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"iss": iss.url, "aud": "my-app", "sub": "u-1", "exp": now + 60, "scope": "read write", "groups": []string{"a", "b"}}
		mod(c)
		return c
	}
	good := iss.token(t, "k1", claims(func(map[string]any) {}))
	ev := h.do(api, "GET", "/me", nil, map[string]string{"Authorization": "Bearer " + good}).echoed(t)
	jwt := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["jwt"].(map[string]any)
	if c := jwt["claims"].(map[string]any); c["sub"] != "u-1" || c["groups"] != "[a b]" || c["exp"] != strings.TrimSpace(jsonNumber(now+60)) {
		t.Errorf("claims = %v", c)
	}
	if !reflect.DeepEqual(jwt["scopes"], []any{"read", "write"}) {
		t.Errorf("scopes = %v", jwt["scopes"])
	}
	// Without "Bearer " too.
	if r := h.do(api, "GET", "/me", nil, map[string]string{"Authorization": good}); r.status != 200 {
		t.Errorf("token without Bearer: HTTP %d", r.status)
	}
	for name, tok := range map[string]string{
		"missing":        "",
		"garbage":        "Bearer abc",
		"expired":        iss.token(t, "k1", claims(func(c map[string]any) { c["exp"] = now - 1 })),
		"wrong audience": iss.token(t, "k1", claims(func(c map[string]any) { c["aud"] = "other" })),
		"wrong issuer":   iss.token(t, "k1", claims(func(c map[string]any) { c["iss"] = "https://evil.example" })),
		"not yet":        iss.token(t, "k1", claims(func(c map[string]any) { c["nbf"] = now + 30 })),
		"unknown key":    iss.token(t, "k2", claims(func(map[string]any) {})),
		"tampered":       good[:len(good)-4] + "AAAA",
	} {
		r := h.do(api, "GET", "/me", nil, map[string]string{"Authorization": tok})
		if r.status != 401 || r.body != `{"message":"Unauthorized"}` {
			t.Errorf("%s token: HTTP %d %s", name, r.status, r.body)
		}
	}
	// client_id stands for aud when there is none.
	clientID := iss.token(t, "k1", claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = "my-app" }))
	if r := h.do(api, "GET", "/me", nil, map[string]string{"Authorization": clientID}); r.status != 200 {
		t.Errorf("client_id token: HTTP %d", r.status)
	}
	if r := h.do(api, "GET", "/admin", nil, map[string]string{"Authorization": good}); r.status != 403 {
		t.Errorf("missing scope: HTTP %d", r.status)
	}
	admin := iss.token(t, "k1", claims(func(c map[string]any) { c["scope"] = "admin" }))
	if r := h.do(api, "GET", "/admin", nil, map[string]string{"Authorization": admin}); r.status != 200 {
		t.Errorf("admin scope: HTTP %d", r.status)
	}
	// The keys are cached; an unknown key id fetches them again at most
	// once a minute.
	if n := iss.fetches.Load(); n != 1 {
		t.Errorf("the keys were fetched %d times", n)
	}
	h.clock.Advance(3 * time.Hour)
	later := iss.token(t, "k1", claims(func(c map[string]any) { c["exp"] = h.clock.Now().Unix() + 60 }))
	h.do(api, "GET", "/me", nil, map[string]string{"Authorization": later})
	if n := iss.fetches.Load(); n != 2 {
		t.Errorf("after their TTL the keys were fetched %d times in all, want 2", n)
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
