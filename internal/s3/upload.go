package s3

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/sigv4"
)

// received is an upload's bytes, stored as a blob and checked.
type received struct {
	blob     string
	size     int64
	md5      []byte
	checksum objectChecksum
}

// etag is the entity tag of a single-part upload: the MD5 of its bytes,
// quoted.
func (r *received) etag() string { return `"` + hex.EncodeToString(r.md5) + `"` }

// receive stores the body of a PutObject or UploadPart request as a new
// blob, decoding the aws-chunked framing if the request uses it, and
// checks it against what the request claims: its length, Content-MD5,
// X-Amz-Content-Sha256, and an x-amz-checksum-* header or trailer. limit
// is the most bytes the operation takes; defaultAlg is the checksum S3
// computes when the request names none. On error nothing is stored.
func (s *Service) receive(ctx context.Context, body io.Reader, limit int64, defaultAlg string) (*received, error) {
	c := awsproto.CallFrom(ctx)
	if c == nil {
		return nil, errors.New("s3: no call")
	}
	r := c.Request
	h := r.Header
	contentSHA := h.Get("X-Amz-Content-Sha256")
	chunked := strings.HasPrefix(contentSHA, "STREAMING-") ||
		strings.Contains(strings.ToLower(h.Get("Content-Encoding")), "aws-chunked")

	declared := r.ContentLength
	if chunked {
		declared = -1
		if v := h.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, invalidArgument("x-amz-decoded-content-length", v, "x-amz-decoded-content-length must be a non-negative integer")
			}
			declared = n
		} else if r.ContentLength < 0 {
			return nil, ErrMissingContentLength
		}
	} else if declared < 0 && r.TransferEncoding != nil {
		return nil, ErrMissingContentLength
	}
	if declared > limit {
		return nil, entityTooLarge(declared, limit)
	}

	// What the request claims, checked once the body is read.
	var wantMD5 []byte
	if v := h.Get("Content-Md5"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return nil, ErrInvalidDigest.WithDetails(&digestContent{ContentMD5: &v})
		}
		wantMD5 = b
	}
	alg, want, fromTrailer, err := requestedChecksum(h)
	if err != nil {
		return nil, err
	}
	if alg == "" {
		alg = defaultAlg
	}

	var src io.Reader = body
	var cr *chunkedReader
	if chunked {
		cr = newChunkedReader(body)
		src = cr
		if c.ChunkSigner != nil {
			cr.onChunk = verifyChunks(cr, c.ChunkSigner)
		}
	}
	md := md5.New()
	writers := []io.Writer{md}
	var sha hash.Hash
	if isHexSHA256(contentSHA) {
		sha = sha256.New()
		writers = append(writers, sha)
	}
	var sum hash.Hash
	if alg != "" {
		sum = newChecksum(alg)
		writers = append(writers, sum)
	}
	id := s.newBlobID()
	limited := &limitReader{r: src, n: limit}
	n, err := s.blobs.write(id, io.TeeReader(limited, io.MultiWriter(writers...)))
	if err != nil {
		switch {
		case errors.Is(err, errTooLarge):
			return nil, entityTooLarge(limit+1, limit)
		case errors.Is(err, errChunk):
			return nil, ErrInvalidRequest.WithMessage("The request body is not valid aws-chunked encoding.")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, ErrIncompleteBody
		}
		if ae := apierr.As(err); ae != nil {
			return nil, ae
		}
		return nil, err
	}
	fail := func(e error) (*received, error) {
		s.blobs.remove(id)
		return nil, e
	}
	if declared >= 0 && n != declared {
		return fail(ErrIncompleteBody)
	}
	got := md.Sum(nil)
	if wantMD5 != nil && string(wantMD5) != string(got) {
		return fail(ErrBadDigest.WithDetails(&digestContent{ContentMD5: strptr(base64.StdEncoding.EncodeToString(wantMD5)),
			CalculatedDigest: strptr(base64.StdEncoding.EncodeToString(got))}))
	}
	if sha != nil && !strings.EqualFold(hex.EncodeToString(sha.Sum(nil)), contentSHA) {
		return fail(ErrContentSHA256Mismatch.WithDetails(&shaDetails{ClientComputedContentSHA256: &contentSHA,
			S3ComputedContentSHA256: strptr(hex.EncodeToString(sha.Sum(nil)))}))
	}
	if cr != nil && c.ChunkSigner != nil && contentSHA == streamingSignedTrailer &&
		!sigv4.Equal(cr.TrailerSignature, c.ChunkSigner.Trailer(cr.trailerText)) {
		return fail(errChunkSignature)
	}
	rec := &received{blob: id, size: n, md5: got}
	if sum != nil {
		computed := checksumValue(sum)
		if fromTrailer {
			want = cr.Trailers[checksumHeader(alg)]
			if want == "" {
				return fail(ErrInvalidRequest.WithMessage("The request contained trailing data that was not well-formed or did not conform to our published schema."))
			}
			if !validChecksum(alg, want) {
				return fail(ErrInvalidRequest.WithMessage("Value for " + checksumHeader(alg) + " trailing header is invalid."))
			}
		}
		if want != "" && want != computed {
			return fail(ErrBadDigest.WithMessage("The " + alg + " you specified did not match the calculated checksum."))
		}
		rec.checksum = objectChecksum{Algorithm: alg, Value: computed, Type: checksumFullObject}
	}
	return rec, nil
}

type digestContent struct {
	ContentMD5       *string `aws:"name=Content-MD5"`
	CalculatedDigest *string
}

type shaDetails struct {
	ClientComputedContentSHA256 *string
	S3ComputedContentSHA256     *string
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func entityTooLarge(proposed, limit int64) error {
	return ErrEntityTooLarge.WithDetails(&sizeDetails{ProposedSize: itoa(proposed), MaxSizeAllowed: itoa(limit)})
}

// requestedChecksum finds the additional checksum a request asks for: an
// x-amz-checksum-ALG header (want is its value), a trailer named by
// x-amz-trailer (fromTrailer), or only x-amz-sdk-checksum-algorithm (S3
// computes and keeps it).
func requestedChecksum(h http.Header) (alg, want string, fromTrailer bool, err error) {
	for _, a := range checksumAlgorithms {
		if v := h.Get(checksumHeader(a)); v != "" {
			if alg != "" {
				return "", "", false, ErrInvalidRequest.WithMessage("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			if !validChecksum(a, v) {
				return "", "", false, ErrInvalidRequest.WithMessage("Value for " + checksumHeader(a) + " header is invalid.")
			}
			alg, want = a, v
		}
	}
	if t := strings.ToLower(strings.TrimSpace(h.Get("X-Amz-Trailer"))); t != "" {
		a, ok := strings.CutPrefix(t, "x-amz-checksum-")
		if !ok || newChecksum(a) == nil {
			return "", "", false, ErrInvalidRequest.WithMessage("The value specified in the x-amz-trailer header is not supported")
		}
		if alg != "" {
			return "", "", false, ErrInvalidRequest.WithMessage("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		return strings.ToUpper(a), "", true, nil
	}
	if alg == "" {
		if a := h.Get("X-Amz-Sdk-Checksum-Algorithm"); a != "" {
			if newChecksum(a) == nil {
				return "", "", false, ErrInvalidRequest.WithMessage("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
			}
			alg = strings.ToUpper(a)
		}
	}
	return alg, want, false, nil
}

// errChunkSignature is a chunk or trailer whose signature is not the one
// the request's signing key gives.
var errChunkSignature = (&sigv4.Error{Kind: sigv4.SignatureMismatch}).APIError(sigv4.S3)

// verifyChunks checks each chunk's signature once the chunk is read.
func verifyChunks(cr *chunkedReader, signer awsproto.ChunkSigner) func(data []byte, end bool) error {
	h := sha256.New()
	return func(data []byte, end bool) error {
		if !end {
			h.Write(data)
			return nil
		}
		want := signer.Chunk(h.Sum(nil))
		h.Reset()
		if len(cr.Signatures) != len(cr.chunkSizes) || !sigv4.Equal(cr.Signatures[len(cr.Signatures)-1], want) {
			return errChunkSignature
		}
		return nil
	}
}

// errTooLarge is a body longer than its operation takes.
var errTooLarge = errors.New("s3: body too large")

// limitReader fails with errTooLarge once more than n bytes are read.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}
