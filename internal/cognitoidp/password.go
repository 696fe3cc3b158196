package cognitoidp

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"strings"
	"unicode"
)

// policySymbols are the characters that count as symbols in a password
// policy, as "Adding user pool password requirements" lists them (a
// space counts when it is neither first nor last).
const policySymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// checkPassword applies a pool's password policy, with the message
// InvalidPasswordException carries for the first rule broken.
func checkPassword(pp *PasswordPolicyType, pw string) error {
	if pp == nil {
		return nil
	}
	fail := func(why string) error {
		return ErrInvalidPassword.WithMessage("Password did not conform with policy: " + why)
	}
	if len([]rune(pw)) < int(deref(pp.MinimumLength)) {
		return fail("Password not long enough")
	}
	var upper, lower, digit, symbol bool
	for i, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(policySymbols, r) && (r != ' ' || (i > 0 && i < len(pw)-1)):
			symbol = true
		}
	}
	switch {
	case deref(pp.RequireLowercase) && !lower:
		return fail("Password must have lowercase characters")
	case deref(pp.RequireUppercase) && !upper:
		return fail("Password must have uppercase characters")
	case deref(pp.RequireNumbers) && !digit:
		return fail("Password must have numeric characters")
	case deref(pp.RequireSymbols) && !symbol:
		return fail("Password must have symbol characters")
	}
	return nil
}

// passwordIterations is PBKDF2's work factor for stored passwords.
const passwordIterations = 10000

// setPassword stores a password's salted hash on the user, and its SRP
// verifier.
func (s *Service) setPassword(p *pool, u *user, pw string) error {
	if err := s.setVerifier(deref(p.Config.Id), u, pw); err != nil {
		return err
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, salt); err != nil {
		return err
	}
	h, err := pbkdf2.Key(sha256.New, pw, salt, passwordIterations, 32)
	if err != nil {
		return err
	}
	u.Password, u.Salt = h, salt
	return nil
}

// passwordMatches reports whether pw is the user's password.
func passwordMatches(u *user, pw string) bool {
	if len(u.Password) == 0 {
		return false
	}
	h, err := pbkdf2.Key(sha256.New, pw, u.Salt, passwordIterations, 32)
	return err == nil && hmac.Equal(h, u.Password)
}

// secretHash is SECRET_HASH as "Computing secret hash values" defines
// it: Base64(HMAC-SHA256(client secret, username + client id)).
func secretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// checkSecretHash verifies the SECRET_HASH of a request to a client
// that has a secret; clients without one need none.
func checkSecretHash(c *UserPoolClientType, username, hash string) error {
	if c.ClientSecret == nil {
		return nil
	}
	if hash == "" {
		return ErrNotAuthorized.WithMessage("Client " + deref(c.ClientId) + " is configured with secret but SECRET_HASH was not received")
	}
	if !hmac.Equal([]byte(hash), []byte(secretHash(*c.ClientSecret, username, deref(c.ClientId)))) {
		return ErrNotAuthorized.WithMessage("Unable to verify secret hash for client " + deref(c.ClientId))
	}
	return nil
}

const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	digits     = "0123456789"
)

// randomString is n characters of the alphabet, from s.rand.
func (s *Service) randomString(n int, alphabet string) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		panic(err) // crypto/rand does not fail
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
