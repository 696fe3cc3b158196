package cognitoidp

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"
)

// Tokens, as "Understanding user pool JSON web tokens" describes them:
// ID and access tokens are RS256 JWTs whose header names the signing
// key (kid); ID and access tokens are signed with different keys of the
// pool. iss is https://cognito-idp.REGION.amazonaws.com/POOL_ID. A
// refresh token is opaque.

// poolKeys are a pool's signing keys, unsealed: the first signs ID
// tokens, the second access tokens.
type poolKeys struct{ keys []signingKey }

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// keyID names a public key: the base64 SHA-256 of its DER encoding.
func keyID(pub *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Issuer is the iss claim of a pool's tokens.
func Issuer(region, poolID string) string {
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}

// sign makes a JWT of the claims with the key.
func sign(k signingKey, claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"kid": k.kid, "alg": "RS256"})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// errBadSignature is a token signed by a pool's key that does not
// verify.
var errBadSignature = errors.New("bad signature")

// parseToken verifies a token's signature with the pool's keys and
// returns its claims; it does not look at exp.
func parseToken(pk *poolKeys, token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errors.New("not base64url")
	}
	var h struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "RS256" {
		return nil, errors.New("bad header")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	for _, k := range pk.keys {
		if k.kid == h.Kid {
			if rsa.VerifyPKCS1v15(&k.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
				return nil, errBadSignature
			}
			var claims map[string]any
			d := json.NewDecoder(strings.NewReader(string(cb)))
			d.UseNumber()
			if err := d.Decode(&claims); err != nil {
				return nil, err
			}
			return claims, nil
		}
	}
	return nil, errors.New("unknown key")
}

// JWK is one public key of a pool's JSON Web Key Set.
type JWK struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

func (pk *poolKeys) jwks() []JWK {
	out := make([]JWK, 0, len(pk.keys))
	for _, k := range pk.keys {
		pub := k.key.PublicKey
		out = append(out, JWK{Alg: "RS256", Kty: "RSA", Use: "sig", Kid: k.kid,
			N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())})
	}
	return out
}

// validity turns a client's validity setting and unit into a duration.
func validity(n *int32, unit *TimeUnitsType, def time.Duration) time.Duration {
	if n == nil {
		return def
	}
	u := time.Minute
	switch deref(unit) {
	case "seconds":
		u = time.Second
	case "hours":
		u = time.Hour
	case "days":
		u = 24 * time.Hour
	}
	return time.Duration(*n) * u
}

func decodeSegment(seg string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(seg) }
