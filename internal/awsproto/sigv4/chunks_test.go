package sigv4

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"
)

// TestChunkSignerExample reproduces the chunk signatures of the S3 API
// reference's chunked upload example (66,560 bytes of 'a' in chunks of
// 65,536 and 1,024 bytes, then the final empty chunk).
func TestChunkSignerExample(t *testing.T) {
	t.Parallel()
	a := &Auth{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", Date: "20130524", Region: "us-east-1", Service: "s3",
		Time:      time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC),
		Signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"}
	s := NewChunkSigner(a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	for i, tc := range []struct {
		n    int
		want string
	}{
		{65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"},
		{1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"},
		{0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"},
	} {
		h := sha256.Sum256([]byte(strings.Repeat("a", tc.n)))
		if got := s.Chunk(h[:]); got != tc.want {
			t.Errorf("chunk %d: %s, want %s", i+1, got, tc.want)
		}
	}
}
