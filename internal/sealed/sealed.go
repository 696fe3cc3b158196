package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/virga/virga/internal/store"
)

// keySize is AES-256's key length.
const keySize = 32

// Box seals and opens values under one data key.
type Box struct {
	aead cipher.AEAD
	rand io.Reader
}

// Load returns the Box whose data key is stored under key in st, making
// and storing a new random key if there is none yet. A nil rnd means
// crypto/rand.
func Load(st store.Store, key []byte, rnd io.Reader) (*Box, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	k, err := st.Get(key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		k = make([]byte, keySize)
		if _, err := io.ReadFull(rnd, k); err != nil {
			return nil, fmt.Errorf("sealed: making a data key: %w", err)
		}
		b := st.NewBatch()
		defer b.Close()
		b.Set(key, k)
		if err := b.Commit(); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case len(k) != keySize:
		return nil, fmt.Errorf("sealed: stored data key has %d bytes, want %d", len(k), keySize)
	}
	return New(k, rnd)
}

// New returns a Box over a 32-byte data key.
func New(key []byte, rnd io.Reader) (*Box, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(c)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, rand: rnd}, nil
}

// Seal encrypts plain and returns nonce ‖ ciphertext ‖ tag.
func (b *Box) Seal(plain []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := io.ReadFull(b.rand, nonce); err != nil {
		panic("sealed: random source failed: " + err.Error())
	}
	return b.aead.Seal(nonce, nonce, plain, nil)
}

// Open decrypts what Seal returned.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, errors.New("sealed: value too short")
	}
	return b.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
