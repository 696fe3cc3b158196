package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// emptySHA256 is the hex SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// ChunkSigner computes the signatures of a chunked upload's chunks
// (X-Amz-Content-Sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]),
// as S3 documents them: each chunk's signature is the HMAC, with the
// request's signing key, of
//
//	AWS4-HMAC-SHA256-PAYLOAD \n DATE \n SCOPE \n PREVIOUS-SIGNATURE \n
//	SHA256("") \n SHA256(CHUNK-DATA)
//
// where the first chunk's previous signature is the request's own (the
// seed), and the trailer's is the HMAC of
//
//	AWS4-HMAC-SHA256-TRAILER \n DATE \n SCOPE \n PREVIOUS-SIGNATURE \n
//	SHA256(TRAILING-HEADERS)
//
// A ChunkSigner is used by one goroutine, for one request.
type ChunkSigner struct {
	key            []byte
	amzDate, scope string
	prev           string
}

// NewChunkSigner returns the signer of a's chunks, for a verified a
// whose secret is secretKey.
func NewChunkSigner(a *Auth, secretKey string) *ChunkSigner {
	return &ChunkSigner{key: signingKey(secretKey, a.Date, a.Region, a.Service),
		amzDate: a.Time.UTC().Format(amzDateLayout), scope: a.scope(), prev: a.Signature}
}

// Chunk returns the signature of the next chunk, whose data hashes to
// dataSHA256, and moves on to the chunk after it.
func (s *ChunkSigner) Chunk(dataSHA256 []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" + emptySHA256 + "\n" +
		hex.EncodeToString(dataSHA256)
	s.prev = hex.EncodeToString(hmacSHA256(s.key, sts))
	return s.prev
}

// Trailer returns the signature of the trailing headers, given as
// "name:value\n" lines in the order sent.
func (s *ChunkSigner) Trailer(headers string) string {
	h := sha256.Sum256([]byte(headers))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" + hex.EncodeToString(h[:])
	s.prev = hex.EncodeToString(hmacSHA256(s.key, sts))
	return s.prev
}

// Equal compares signatures in constant time.
func Equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
