// Package jwtclaims reads the header and claims of a JSON Web Token
// (RFC 7519, compact form: three base64url segments joined by dots)
// without verifying its signature: what a service checks before it
// looks for the key that signed the token (the issuer, the audience,
// the expiry). Numbers are kept as json.Number, so that a large
// timestamp keeps its digits. Verifying is the caller's: the issuers'
// keys are theirs.
package jwtclaims

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Claims returns the token's claims; false when it is not three
// segments or its second is not a base64url JSON object.
func Claims(token string) (map[string]any, bool) {
	return segment(token, 1)
}

// Header returns the token's header; false when it is not three
// segments or its first is not a base64url JSON object.
func Header(token string) (map[string]any, bool) {
	return segment(token, 0)
}

func segment(token string, i int) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		return nil, false
	}
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if d.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}
