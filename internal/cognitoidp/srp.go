package cognitoidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"strings"
	"time"
)

// USER_SRP_AUTH, as Cognito runs SRP-6a: the 3072-bit group of RFC 5054
// (RFC 3526's group 15, p = 2^3072 - 2^3008 - 1 + 2^64 * (floor(2^2942 pi)
// + 1690314)) with g = 2 and SHA-256; k = H(N | g); x = H(salt |
// H(poolName | userId | ":" | password)), poolName being the pool id
// after its "_"; the session key is HKDF-SHA256 of S (salt u, info
// "Caldera Derived Key"), 16 bytes; and the client proves it with
// PASSWORD_CLAIM_SIGNATURE = HMAC-SHA256(key, poolName | userId |
// SECRET_BLOCK | TIMESTAMP). Values are hashed as the bytes of their
// padded hex (padHex), as Cognito's clients hash them.
//
// The server keeps, per user, a salt and the verifier v = g^x, made when
// the password is set; it never needs the password to check a claim.

const srpNHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74" +
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437" +
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05" +
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB" +
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718" +
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33" +
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864" +
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2" +
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	srpN = mustHex(srpNHex)
	srpG = big.NewInt(2)
	srpK = hexHashInt(padHex(srpN) + padHex(srpG))
)

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("cognitoidp: bad SRP constant")
	}
	return n
}

// padHex is n in hex with an even number of digits and a leading 00
// where the first digit has its high bit set, so the bytes read as a
// positive number.
func padHex(n *big.Int) string {
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if strings.ContainsRune("89abcdef", rune(h[0])) {
		h = "00" + h
	}
	return h
}

// hexHash is SHA-256 of the bytes a hex string spells, in hex.
func hexHash(h string) string {
	b, _ := hex.DecodeString(h)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hexHashInt(h string) *big.Int { return mustHex(hexHash(h)) }

// poolName is the part of a pool id SRP hashes: the id after "_".
func poolName(poolID string) string {
	_, name, _ := strings.Cut(poolID, "_")
	return name
}

// srpX is x = H(salt | H(poolName | userId | ":" | password)).
func srpX(poolID, userID, password string, salt *big.Int) *big.Int {
	inner := sha256.Sum256([]byte(poolName(poolID) + userID + ":" + password))
	return hexHashInt(padHex(salt) + hex.EncodeToString(inner[:]))
}

// setVerifier stores a new SRP salt and verifier for the password.
func (s *Service) setVerifier(poolID string, u *user, password string) error {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return err
	}
	salt := new(big.Int).SetBytes(b)
	u.SRPSalt = salt.Text(16)
	u.SRPVerifier = new(big.Int).Exp(srpG, srpX(poolID, u.Username, password, salt), srpN).Text(16)
	return nil
}

// srpSession is a PASSWORD_VERIFIER challenge in progress.
type srpSession struct {
	pool, client, username string
	a, bigB, b             *big.Int
	secretBlock            []byte
	expires                time.Time
}

// srpKey is the 16-byte key both sides derive: HKDF-SHA256 with S as
// input key material and u as salt.
func srpKey(S, u *big.Int) []byte {
	ikm, _ := hex.DecodeString(padHex(S))
	salt, _ := hex.DecodeString(padHex(u))
	m := hmac.New(sha256.New, salt)
	m.Write(ikm)
	prk := m.Sum(nil)
	m = hmac.New(sha256.New, prk)
	m.Write(append([]byte("Caldera Derived Key"), 1))
	return m.Sum(nil)[:16]
}

// srpSignature is PASSWORD_CLAIM_SIGNATURE for a key.
func srpSignature(key []byte, poolID, userID string, secretBlock []byte, timestamp string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName(poolID) + userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// srpStart answers SRP_A with B = k*v + g^b.
func (s *Service) srpStart(poolID string, u *user, srpA string) (*srpSession, *big.Int, error) {
	A, ok := new(big.Int).SetString(srpA, 16)
	if !ok || new(big.Int).Mod(A, srpN).Sign() == 0 {
		return nil, nil, ErrInvalidParameter.WithMessage("Invalid SRP_A")
	}
	v, ok := new(big.Int).SetString(u.SRPVerifier, 16)
	if !ok {
		return nil, nil, errors.New("no verifier")
	}
	rb := make([]byte, 128)
	if _, err := io.ReadFull(s.rand, rb); err != nil {
		return nil, nil, err
	}
	b := new(big.Int).SetBytes(rb)
	B := new(big.Int).Mul(srpK, v)
	B.Add(B, new(big.Int).Exp(srpG, b, srpN))
	B.Mod(B, srpN)
	block := make([]byte, 64)
	if _, err := io.ReadFull(s.rand, block); err != nil {
		return nil, nil, err
	}
	return &srpSession{pool: poolID, username: u.Username, a: A, bigB: B, b: b, secretBlock: block}, B, nil
}

// srpCheck verifies a client's PASSWORD_CLAIM_SIGNATURE: S = (A * v^u)^b.
func srpCheck(sess *srpSession, u *user, timestamp, signature string) bool {
	v, ok := new(big.Int).SetString(u.SRPVerifier, 16)
	if !ok {
		return false
	}
	uu := hexHashInt(padHex(sess.a) + padHex(sess.bigB))
	if uu.Sign() == 0 {
		return false
	}
	S := new(big.Int).Exp(v, uu, srpN)
	S.Mul(S, sess.a)
	S.Exp(S, sess.b, srpN)
	want := srpSignature(srpKey(S, uu), sess.pool, u.Username, sess.secretBlock, timestamp)
	return hmac.Equal([]byte(want), []byte(signature))
}
