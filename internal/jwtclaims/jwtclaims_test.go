package jwtclaims

import (
	"encoding/base64"
	"encoding/json"
	"testing"
)

func token(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".sig"
}

func TestClaimsAndHeader(t *testing.T) {
	tok := token(`{"alg":"RS256","kid":"k1"}`, `{"iss":"https://issuer","exp":17000000001234}`)
	c, ok := Claims(tok)
	if !ok || c["iss"] != "https://issuer" || c["exp"] != json.Number("17000000001234") {
		t.Errorf("Claims = %v, %v", c, ok)
	}
	h, ok := Header(tok)
	if !ok || h["alg"] != "RS256" || h["kid"] != "k1" {
		t.Errorf("Header = %v, %v", h, ok)
	}
	for _, bad := range []string{"", "a.b", "a.b.c.d", token(`{}`, `[1]`), token(`{}`, `null`), "x.!!.y"} {
		if c, ok := Claims(bad); ok {
			t.Errorf("Claims(%q) = %v, want false", bad, c)
		}
	}
	// The header is read on its own: a token whose header is no JSON
	// still has claims.
	if _, ok := Claims("e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)) + ".s"); !ok {
		t.Error("Claims of a token with an empty-object header: false")
	}
	if _, ok := Header("bm90anNvbg.e30.s"); ok {
		t.Error("Header of a non-JSON header: true")
	}
}

func FuzzClaims(f *testing.F) {
	f.Add(token(`{"alg":"RS256"}`, `{"iss":"i","aud":["a","b"],"exp":1}`))
	f.Add("a.b.c")
	f.Add("..")
	f.Add(token(`{}`, `{"n":1e400}`))
	for _, s := range []string{"a.eyJzdWIiOiJ4In0.c", "opaque", "a.bnVsbA.c", "a.W10.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if c, ok := Claims(tok); ok && c == nil {
			t.Fatal("ok without claims")
		}
		if h, ok := Header(tok); ok && h == nil {
			t.Fatal("ok without a header")
		}
	})
}
