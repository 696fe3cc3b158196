package cognitoidp

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
)

// FuzzParseFilter checks that ListUsers' filter parser never panics,
// and that a filter it accepts names an attribute ListUsers can filter
// on.
func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{
		``, `email = "a@b.c"`, `username ^= "jo"`, `cognito:user_status = "CONFIRMED"`, `status = "Enabled"`,
		`name="x \" y"`, `email = bob`, `= "x"`, `email ~ "x"`, `phone_number ^= "+1"`, `sub = "` + "\x00" + `"`,
		`email = "a" trailing`, `email = "unterminated`, `given_name = "\\"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			return
		}
		if strings.TrimSpace(s) == "" {
			if flt.attr != "" {
				t.Fatalf("empty filter parsed as %+v", flt)
			}
			return
		}
		known := false
		for _, a := range filterAttributes {
			known = known || a == flt.attr
		}
		if !known {
			t.Fatalf("%q: attribute %q", s, flt.attr)
		}
		flt.matches(&user{Username: "u", Attributes: map[string]string{"email": "e"}})
	})
}

// FuzzWellKnownPath checks that a path WellKnownPath accepts names a
// pool id of the right form and one of the two documents.
func FuzzWellKnownPath(f *testing.F) {
	for _, seed := range []string{"/us-east-1_AbC123/.well-known/jwks.json", "/us-east-1_x/.well-known/openid-configuration",
		"/bucket/.well-known/jwks.json", "/a_b/.well-known/other", "//.well-known/jwks.json", "/x_y/z/.well-known/jwks.json"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		pool, doc, ok := WellKnownPath(path)
		if !ok {
			return
		}
		if !poolIDPattern.MatchString(pool) || (doc != "jwks.json" && doc != "openid-configuration") ||
			path != "/"+pool+"/.well-known/"+doc {
			t.Fatalf("%q: pool %q doc %q", path, pool, doc)
		}
	})
}

// FuzzParseToken checks that reading untrusted tokens never panics and
// that only tokens the pool signed are accepted.
func FuzzParseToken(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	pk := &poolKeys{keys: []signingKey{{kid: keyID(&key.PublicKey), key: key}}}
	good, err := sign(pk.keys[0], map[string]any{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x", "token_use": "id"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{good, "a.b.c", "", "...", "eyJhbGciOiJSUzI1NiJ9.e30.", good + "x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		tokenPool(token)
		claims, err := parseToken(pk, token)
		if err == nil && token != good && claims["token_use"] != "id" {
			t.Fatalf("%q accepted with claims %v", token, claims)
		}
	})
}
