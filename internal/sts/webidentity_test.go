package sts

import (
	"encoding/base64"
	"reflect"
	"testing"
)

func jwt(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2ln"
}

func TestParseWebToken(t *testing.T) {
	t.Parallel()
	rs := `{"alg":"RS256"}`
	for _, tc := range []struct {
		name, token string
		want        *webToken
	}{
		{"github", jwt(rs, `{"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:ref:refs/heads/main","aud":"sts.amazonaws.com","exp":1700000000}`),
			&webToken{Issuer: "https://token.actions.githubusercontent.com", Subject: "repo:o/r:ref:refs/heads/main", Audiences: []string{"sts.amazonaws.com"}, Expires: 1700000000}},
		{"audience list and amr", jwt(rs, `{"iss":"https://cognito-identity.amazonaws.com","sub":"us-east-1:x","aud":["a","b"],"amr":["unauthenticated"],"exp":1.7e9}`),
			&webToken{Issuer: "https://cognito-identity.amazonaws.com", Subject: "us-east-1:x", Audiences: []string{"a", "b"}, AMR: []string{"unauthenticated"}, Expires: 1700000000}},
		{"source identity", jwt(rs, `{"iss":"i","https://aws.amazon.com/source_identity":"ana"}`),
			&webToken{Issuer: "i", SourceIdentity: "ana"}},
		{"two parts", "a.b", nil},
		{"claims not an object", jwt(rs, `[1]`), nil},
		{"claims not base64url", base64.RawURLEncoding.EncodeToString([]byte(rs)) + ".!!.c2ln", nil},
		{"alg none", jwt(`{"alg":"none"}`, `{"iss":"i"}`), nil},
		{"no header", jwt(`null`, `{"iss":"i"}`), nil},
	} {
		got, ok := parseWebToken(tc.token)
		if ok != (tc.want != nil) || (ok && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("%s: parseWebToken = %+v, %v; want %+v", tc.name, got, ok, tc.want)
		}
	}
}

// TestConditionKeys: a trust policy sees a token's claims under its
// issuer without https://, as GitHub Actions' trust policies name them.
func TestConditionKeys(t *testing.T) {
	t.Parallel()
	tok := &webToken{Subject: "repo:o/r:ref:refs/heads/main", Audiences: []string{"sts.amazonaws.com"}}
	want := map[string][]string{
		"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
		"token.actions.githubusercontent.com:sub": {"repo:o/r:ref:refs/heads/main"},
	}
	if got := tok.conditionKeys("token.actions.githubusercontent.com"); !reflect.DeepEqual(got, want) {
		t.Fatalf("conditionKeys = %v; want %v", got, want)
	}
}

func FuzzParseWebToken(f *testing.F) {
	f.Add(jwt(`{"alg":"RS256"}`, `{"iss":"https://token.actions.githubusercontent.com","aud":["a"],"exp":1700000000}`))
	f.Add(jwt(`{"alg":"RS512","kid":"k"}`, `{"amr":["authenticated","x"],"exp":"soon"}`))
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		tok, ok := parseWebToken(token)
		if ok && tok == nil {
			t.Fatal("ok without a token")
		}
		if ok {
			tok.conditionKeys("issuer")
		}
	})
}
