package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"sort"
)

// A symmetric ciphertext blob (Encrypt, GenerateDataKey, ...) is
//
//	version (1 byte, 1) ‖ key id (36 bytes, ASCII) ‖ material generation
//	(4 bytes, big-endian) ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)
//
// sealed under that generation of the key's material with the header
// (the first 53 bytes) and the encryption context as additional data,
// so that Decrypt finds the key without being told and a different
// context fails authentication.
const (
	blobVersion   = 1
	keyIDLength   = 36 // a key id is a UUID
	nonceLength   = 12
	tagLength     = 16
	blobHeaderLen = 1 + keyIDLength + 4 + nonceLength
	minBlobLength = blobHeaderLen + tagLength
)

// blobHeader is what a ciphertext blob says about itself.
type blobHeader struct {
	KeyID      string
	Generation uint32
	Nonce      []byte
}

// parseBlob reads a ciphertext blob's header; body is the ciphertext
// and tag after it.
func parseBlob(b []byte) (h blobHeader, body []byte, err error) {
	if len(b) < minBlobLength || b[0] != blobVersion {
		return blobHeader{}, nil, errors.New("kms: not a ciphertext blob")
	}
	id := b[1 : 1+keyIDLength]
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return blobHeader{}, nil, errors.New("kms: not a ciphertext blob")
		}
	}
	h.KeyID = string(id)
	h.Generation = binary.BigEndian.Uint32(b[1+keyIDLength:])
	h.Nonce = b[1+keyIDLength+4 : blobHeaderLen]
	return h, b[blobHeaderLen:], nil
}

// sealBlob encrypts plain under material (a 32-byte AES key) as the
// given key and generation.
func sealBlob(material []byte, keyID string, gen uint32, nonce, plain []byte, context map[string]string) ([]byte, error) {
	aead, err := gcm(material)
	if err != nil {
		return nil, err
	}
	if len(keyID) != keyIDLength || len(nonce) != nonceLength {
		return nil, errors.New("kms: bad key id or nonce")
	}
	out := make([]byte, 0, blobHeaderLen+len(plain)+tagLength)
	out = append(out, blobVersion)
	out = append(out, keyID...)
	out = binary.BigEndian.AppendUint32(out, gen)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, additionalData(out, context)), nil
}

// openBlob decrypts a blob whose header parseBlob read.
func openBlob(material, blob []byte, h blobHeader, context map[string]string) ([]byte, error) {
	aead, err := gcm(material)
	if err != nil {
		return nil, err
	}
	return aead.Open(nil, h.Nonce, blob[blobHeaderLen:], additionalData(blob[:blobHeaderLen], context))
}

func gcm(material []byte) (cipher.AEAD, error) {
	c, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(c)
}

// additionalData is the header followed by the encryption context's
// pairs in key order, each key and value preceded by its length
// (uvarint), so that no two contexts give the same bytes.
func additionalData(header []byte, context map[string]string) []byte {
	ks := make([]string, 0, len(context))
	for k := range context {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	ad := append([]byte(nil), header...)
	for _, k := range ks {
		ad = binary.AppendUvarint(ad, uint64(len(k)))
		ad = append(ad, k...)
		ad = binary.AppendUvarint(ad, uint64(len(context[k])))
		ad = append(ad, context[k]...)
	}
	return ad
}
