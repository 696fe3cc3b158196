package ids

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	mrand "math/rand/v2"
	"sync"
)

// Generator makes identifiers from a source of random bytes. It is safe
// for concurrent use.
type Generator struct {
	mu  sync.Mutex
	src io.Reader
}

// New returns a generator reading randomness from src; nil means a
// ChaCha8 stream seeded from crypto/rand, which is as unpredictable for
// ids and far cheaper per request than a system call.
func New(src io.Reader) *Generator {
	if src == nil {
		var seed [32]byte
		if _, err := rand.Read(seed[:]); err != nil {
			panic("ids: seeding: " + err.Error())
		}
		src = mrand.NewChaCha8(seed)
	}
	return &Generator{src: src}
}

func (g *Generator) read(b []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, err := io.ReadFull(g.src, b); err != nil {
		// crypto/rand does not fail on Linux; a test reader that runs dry
		// is a broken test.
		panic("ids: random source failed: " + err.Error())
	}
}

// UUID returns a random (version 4) UUID in its canonical text form, the
// format of AWS request ids.
func (g *Generator) UUID() string {
	var b [16]byte
	g.read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Hex returns n random bytes as 2n lowercase hex digits.
func (g *Generator) Hex(n int) string {
	b := make([]byte, n)
	g.read(b)
	return hex.EncodeToString(b)
}

// ResourceID returns an id in EC2's form: the kind's prefix ("vpc",
// "sg", "subnet"), "-" and 17 lowercase hex digits.
func (g *Generator) ResourceID(prefix string) string { return prefix + "-" + g.Hex(9)[:17] }

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // AWS key ids use base32's alphabet
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func (g *Generator) fromAlphabet(alphabet string, n int) string {
	b := make([]byte, n)
	g.read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// AccessKeyID returns an access key id with AWS's shape: a four-letter
// prefix naming its kind ("AKIA" long-term, "ASIA" temporary) and 16
// upper-case letters and digits.
func (g *Generator) AccessKeyID(prefix string) string {
	return prefix + g.fromAlphabet(upperAlnum, 20-len(prefix))
}

// UniqueID returns an IAM unique id (role, user) with the given prefix
// ("AROA", "AIDA"), 21 characters long as AWS's are.
func (g *Generator) UniqueID(prefix string) string {
	return prefix + g.fromAlphabet(upperAlnum, 21-len(prefix))
}

// Secret returns a 40-character secret access key.
func (g *Generator) Secret() string { return g.fromAlphabet(secretChars, 40) }

// Token returns an opaque session token of n characters.
func (g *Generator) Token(n int) string { return g.fromAlphabet(secretChars, n) }
