package cognitoidentity

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// OpenID tokens: the issuer AWS names, and their lifetime ("The OpenID
// token is valid for 10 minutes", GetOpenIdToken).
const (
	openIDIssuer   = "https://cognito-identity.amazonaws.com"
	openIDLifetime = 10 * time.Minute
	// signingKeyBits is the size of the RSA key tokens are signed with.
	signingKeyBits = 2048
)

// signingKey is the key GetOpenIdToken signs with, and its kid (the
// base64 SHA-256 of its public key).
type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// signer returns the signing key, making and storing it (sealed) the
// first time. Callers hold s.mu.
func (s *Service) signer() (*signingKey, error) {
	if s.key != nil {
		return s.key, nil
	}
	sealedKey, err := s.store.Get(signingKeyKey())
	var k *rsa.PrivateKey
	switch {
	case errors.Is(err, store.ErrNotFound):
		if k, err = rsa.GenerateKey(s.rand, signingKeyBits); err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		b := s.store.NewBatch()
		defer b.Close()
		b.Set(signingKeyKey(), s.box.Seal(der))
		if err := b.Commit(); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		der, err := s.box.Open(sealedKey)
		if err != nil {
			return nil, err
		}
		parsed, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, err
		}
		var ok bool
		if k, ok = parsed.(*rsa.PrivateKey); !ok {
			return nil, errors.New("cognito-identity: stored signing key is not RSA")
		}
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(pub)
	s.key = &signingKey{kid: base64.StdEncoding.EncodeToString(sum[:]), key: k}
	return s.key, nil
}

// openIDToken is the OpenID Connect token GetOpenIdToken returns for an
// identity: RS512 (as AWS signs them), issued by cognito-identity.amazonaws.com to the
// identity pool (aud), sub the identity id, amr "unauthenticated" for a
// guest, or "authenticated" and the providers the user signed in with.
func (s *Service) openIDToken(ident *identity, logins []login) (string, error) {
	s.mu.Lock()
	k, err := s.signer()
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	claims := map[string]any{"iss": openIDIssuer, "sub": ident.ID, "aud": ident.Pool, "amr": amr(logins),
		"iat": now.Unix(), "exp": now.Add(openIDLifetime).Unix()}
	header, _ := json.Marshal(map[string]string{"kid": k.kid, "typ": "JWS", "alg": "RS512"})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha512.Sum512([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.SHA512, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// ErrOpenIDTokenSignature is VerifyOpenIDToken's answer for a token
// GetOpenIdToken did not sign.
var ErrOpenIDTokenSignature = errors.New("cognito-identity: token signature does not verify")

// VerifyOpenIDToken checks that GetOpenIdToken signed token (iss
// https://cognito-identity.amazonaws.com), as STS verifies the tokens
// AssumeRoleWithWebIdentity is given; it does not look at the claims.
func (s *Service) VerifyOpenIDToken(token string) error {
	s.mu.Lock()
	k, err := s.signer()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ErrOpenIDTokenSignature
	}
	var h struct{ Kid, Alg string }
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	sig, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || json.Unmarshal(hb, &h) != nil || h.Alg != "RS512" || h.Kid != k.kid {
		return ErrOpenIDTokenSignature
	}
	sum := sha512.Sum512([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&k.key.PublicKey, crypto.SHA512, sum[:], sig) != nil {
		return ErrOpenIDTokenSignature
	}
	return nil
}
