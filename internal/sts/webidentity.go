package sts

import (
	"encoding/json"

	"github.com/virga/virga/internal/jwtclaims"
)

// Web identity tokens: the JWTs (OpenID Connect ID tokens) that
// AssumeRoleWithWebIdentity exchanges for a role's credentials. STS
// reads their claims here; whose keys sign them is asked of TokenKeys.

// cognitoIdentityIssuer is the issuer of Cognito identity pools' OpenID
// tokens (GetOpenIdToken), a provider every account trusts without an
// IAM OpenID Connect provider.
const cognitoIdentityIssuer = "https://cognito-identity.amazonaws.com"

// sourceIdentityClaim is the claim an identity provider sets the
// session's source identity with.
const sourceIdentityClaim = "https://aws.amazon.com/source_identity"

// webToken is a web identity token's claims, as STS weighs them.
type webToken struct {
	Issuer         string
	Subject        string
	Audiences      []string
	AMR            []string
	Expires        int64 // Unix seconds; 0 when the token has no exp
	SourceIdentity string
}

// parseWebToken reads the claims of a JWT without verifying its
// signature; false when it is not a JWT with a JSON object for claims.
func parseWebToken(token string) (*webToken, bool) {
	header, ok := jwtclaims.Header(token)
	if alg, _ := header["alg"].(string); !ok || alg == "" || alg == "none" {
		return nil, false
	}
	claims, ok := jwtclaims.Claims(token)
	if !ok {
		return nil, false
	}
	t := &webToken{Audiences: claimStrings(claims["aud"]), AMR: claimStrings(claims["amr"])}
	t.Issuer, _ = claims["iss"].(string)
	t.Subject, _ = claims["sub"].(string)
	t.SourceIdentity, _ = claims[sourceIdentityClaim].(string)
	if n, ok := claims["exp"].(json.Number); ok {
		if v, err := n.Float64(); err == nil {
			t.Expires = int64(v)
		}
	}
	return t, true
}

// claimStrings is a claim that is a string or a list of strings (aud,
// amr) as a list.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// conditionKeys are the request context keys a role's trust policy
// sees for a token: ISSUER:aud, ISSUER:sub and ISSUER:amr, where ISSUER
// is the issuer without https:// (token.actions.githubusercontent.com,
// cognito-identity.amazonaws.com) or the ProviderId.
func (t *webToken) conditionKeys(prefix string) map[string][]string {
	keys := map[string][]string{prefix + ":aud": t.Audiences, prefix + ":sub": {t.Subject}}
	if len(t.AMR) > 0 {
		keys[prefix+":amr"] = t.AMR
	}
	return keys
}
