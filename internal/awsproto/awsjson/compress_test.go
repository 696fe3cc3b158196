package awsjson

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// The Accept-Encoding values and the codings DynamoDB answers them with.
var acceptEncodingCases = []struct{ accept, want string }{
	{"gzip", "gzip"},
	{"deflate", "deflate"},
	{"", ""},
	{"identity", ""},
	{"br", ""},
	{"zstd", ""},
	{"compress", ""},
	{"x-gzip", ""},
	{"gzip, deflate", "gzip"},
	{"br, identity, deflate, gzip", "deflate"},
	{"GZIP, identity", "gzip"},
	{"dog, gzip ,, cat", "gzip"},
	{"gzip;q=0.8, deflate;q=0.5", "gzip"},
	{"br, gzip;q=0, deflate; q = 0.5 , identity;q=0", "deflate"},
	{"*", "gzip"},
	{"*, deflate;q=0.5", "gzip"},
	{"*, deflate", "deflate"},
	{"*, identity", "gzip"},
	{"*, gzip;q=0.5", "deflate"},
	{"gzip ;q=0", ""},
	{"identity;q=0", ""},
	{"*;q=0", ""},
	{"*;q=0.5,identity", "gzip"},
	{"gzip;q=0.5,identity;q=0.8", "gzip"},
	{"br;q=0.8,identity;q=0.5,*;q=0", ""},
	{`"gzip"`, ""},
	{"gzip br", ""},
	{"gzip:q=1", ""},
	{"deflate;q=0.5, gzip;q=31", "gzip"},
	{"gzip;q=31,deflate;q=51", "gzip"},
	{"deflate;q=0.5, gzip;q=0.2", "deflate"},
	{"deflate;q=0.5, gzip;q=1;q=0.2", "gzip"},
	{"deflate;q=0.5,gzip;q=0.", "deflate"},
	{"deflate;q=0.5,gzip;q=0.x", "gzip"},
	{"deflate;q=-0.5,gzip;q=0.2", "gzip"},
	{"gzip;nq=1;q=0 ", ""},
	{"gzip;q=0, gzip;q=1, gzip;q=0", "gzip"},
	{"br,identity;q=0.5,gzip;q=0.0001", "gzip"},
}

func TestResponseEncoding(t *testing.T) {
	t.Parallel()
	for _, c := range acceptEncodingCases {
		if got := responseEncoding(c.accept); got != c.want {
			t.Errorf("responseEncoding(%q) = %q, want %q", c.accept, got, c.want)
		}
	}
}

func FuzzResponseEncoding(f *testing.F) {
	for _, c := range acceptEncodingCases {
		f.Add(c.accept)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		switch got := responseEncoding(accept); got {
		case "", "gzip", "deflate":
		default:
			t.Fatalf("responseEncoding(%q) = %q, not an offered coding", accept, got)
		}
	})
}

// A body over CompressOver goes out in the coding the client prefers,
// with the CRC-32 of what is sent; a shorter one goes out as it is.
func TestWriteBodyCompressesAndChecksums(t *testing.T) {
	t.Parallel()
	p := New("1.0", "Test")
	p.CompressOver, p.CRC32 = 100, true
	long := []byte(strings.Repeat("x", 500))
	cases := []struct {
		accept string
		body   []byte
		enc    string
	}{
		{"gzip", long, "gzip"},
		{"deflate", long, "deflate"},
		{"", long, ""},
		{"gzip", long[:100], ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if c.accept != "" {
			r.Header.Set("Accept-Encoding", c.accept)
		}
		w := httptest.NewRecorder()
		p.writeBody(r, w, 200, c.body)
		sent := w.Body.Bytes()
		if got := w.Header().Get("Content-Encoding"); got != c.enc {
			t.Errorf("Accept-Encoding %q, %d bytes: Content-Encoding %q, want %q", c.accept, len(c.body), got, c.enc)
			continue
		}
		if got, want := w.Header().Get("X-Amz-Crc32"), strconv.FormatUint(uint64(crc32.ChecksumIEEE(sent)), 10); got != want {
			t.Errorf("Accept-Encoding %q: X-Amz-Crc32 %s, want %s (of the body as sent)", c.accept, got, want)
		}
		if got := w.Header().Get("Content-Length"); got != strconv.Itoa(len(sent)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s, body %d bytes", c.accept, got, len(sent))
		}
		var zr io.Reader = bytes.NewReader(sent)
		var err error
		switch c.enc {
		case "gzip":
			zr, err = gzip.NewReader(zr)
		case "deflate":
			zr, err = zlib.NewReader(zr)
		}
		if err != nil {
			t.Fatalf("%s body: %v", c.enc, err)
		}
		if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, c.body) {
			t.Errorf("Accept-Encoding %q: the body decodes to %d bytes (%v), want the %d sent", c.accept, len(plain), err, len(c.body))
		}
	}
}
