package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// chunk frames data as one aws-chunked chunk, with a signature extension
// when sig is set.
func chunk(data, sig string) string {
	ext := ""
	if sig != "" {
		ext = ";chunk-signature=" + sig
	}
	return fmt.Sprintf("%x%s\r\n%s\r\n", len(data), ext, data)
}

func TestChunkedDecode(t *testing.T) {
	t.Parallel()
	sig := strings.Repeat("a", 64)
	crc := base64.StdEncoding.EncodeToString(crc32.NewIEEE().Sum(nil))
	for _, tc := range []struct {
		name, body, want string
		trailers         map[string]string
		err              bool
	}{
		{name: "signed", body: chunk("hello ", sig) + chunk("world", sig) + "0;chunk-signature=" + sig + "\r\n\r\n", want: "hello world"},
		{name: "unsigned trailer", body: chunk("abc", "") + "0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n", want: "abc",
			trailers: map[string]string{"x-amz-checksum-crc32": crc}},
		{name: "signed trailer", body: chunk("abc", sig) + "0;chunk-signature=" + sig + "\r\nx-amz-checksum-crc32:" + crc +
			"\r\nx-amz-trailer-signature:" + sig + "\r\n\r\n", want: "abc", trailers: map[string]string{"x-amz-checksum-crc32": crc}},
		{name: "empty", body: "0\r\n\r\n", want: ""},
		{name: "large chunk", body: chunk(strings.Repeat("x", 70000), "") + "0\r\n\r\n", want: strings.Repeat("x", 70000)},
		{name: "upper-case hex", body: "A\r\n0123456789\r\n0\r\n\r\n", want: "0123456789"},
		{name: "truncated data", body: "10\r\nshort", err: true},
		{name: "no final chunk", body: chunk("abc", ""), err: true},
		{name: "missing CRLF after data", body: "3\r\nabcX0\r\n\r\n", err: true},
		{name: "bad size", body: "zz\r\nabc\r\n0\r\n\r\n", err: true},
		{name: "negative size", body: "-1\r\n\r\n", err: true},
		{name: "bad extension", body: "3;foo\r\nabc\r\n0\r\n\r\n", err: true},
		{name: "trailer without colon", body: "0\r\nnocolon\r\n\r\n", err: true},
		{name: "unterminated trailer", body: "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", err: true},
		{name: "huge line", body: strings.Repeat("1", maxChunkLine+10), err: true},
	} {
		data, trailers, err := decodeChunked([]byte(tc.body))
		if tc.err {
			if err == nil {
				t.Errorf("%s: decoded %q, want an error", tc.name, data)
			}
			continue
		}
		if err != nil || string(data) != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, data, err, tc.want)
			continue
		}
		for k, v := range tc.trailers {
			if trailers[k] != v {
				t.Errorf("%s: trailer %s = %q, want %q", tc.name, k, trailers[k], v)
			}
		}
	}
}

// FuzzChunked checks that the decoder never panics, and that what it
// accepts is what an encoder would have framed.
func FuzzChunked(f *testing.F) {
	sig := strings.Repeat("b", 64)
	f.Add([]byte(chunk("hello", sig) + "0;chunk-signature=" + sig + "\r\n\r\n"))
	f.Add([]byte(chunk("abc", "") + "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"))
	f.Add([]byte("0\r\n\r\n"))
	f.Add([]byte("ffffffffffffffff\r\n"))
	f.Add([]byte("3\r\nab"))
	f.Add([]byte("1;chunk-signature=\r\nx\r\n0\r\nx-amz-trailer-signature:z\r\n\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		data, trailers, err := decodeChunked(body)
		if err != nil {
			return
		}
		// Re-frame what was decoded and decode it again.
		var b bytes.Buffer
		if len(data) > 0 {
			b.WriteString(chunk(string(data), ""))
		}
		b.WriteString("0\r\n")
		for k, v := range trailers {
			b.WriteString(k + ":" + v + "\r\n")
		}
		b.WriteString("\r\n")
		again, _, err := decodeChunked(b.Bytes())
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("re-framed %q decodes to %q, %v", data, again, err)
		}
	})
}

func TestParseRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		header        string
		size          int64
		start, length int64
		ok, invalid   bool
	}{
		{"bytes=0-4", 10, 0, 5, true, false},
		{"bytes=5-", 10, 5, 5, true, false},
		{"bytes=-3", 10, 7, 3, true, false},
		{"bytes=-30", 10, 0, 10, true, false},
		{"bytes=8-100", 10, 8, 2, true, false},
		{"bytes=9-9", 10, 9, 1, true, false},
		{"bytes=10-", 10, 0, 0, false, true},
		{"bytes=10-20", 10, 0, 0, false, true},
		{"bytes=-0", 10, 0, 0, false, true},
		{"bytes=0-", 0, 0, 0, false, true},
		{"bytes=5-2", 10, 0, 0, false, false},
		{"bytes=0-1,3-4", 10, 0, 0, false, false},
		{"items=0-1", 10, 0, 0, false, false},
		{"bytes=a-b", 10, 0, 0, false, false},
		{"bytes=", 10, 0, 0, false, false},
	} {
		r, ok, err := parseRange(tc.header, tc.size)
		if ok != tc.ok || (err != nil) != tc.invalid || ok && (r.start != tc.start || r.length != tc.length) {
			t.Errorf("parseRange(%q, %d) = %+v, %v, %v", tc.header, tc.size, r, ok, err)
		}
		if tc.invalid && !errors.Is(err, ErrInvalidRange) {
			t.Errorf("parseRange(%q): %v, want InvalidRange", tc.header, err)
		}
	}
	if got := (byteRange{start: 7, length: 3}).contentRange(10); got != "bytes 7-9/10" {
		t.Errorf("contentRange = %q", got)
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=-3", "bytes=5-", "bytes=9223372036854775807-", "bytes=--1", "bytes=1-2,3-4", ""} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		r, ok, err := parseRange(header, size)
		if err != nil && ok {
			t.Fatalf("parseRange(%q, %d): ok and an error", header, size)
		}
		if ok && (r.start < 0 || r.length <= 0 || r.start+r.length > size) {
			t.Fatalf("parseRange(%q, %d) = %+v: outside the object", header, size, r)
		}
	})
}

func TestBucketNames(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"abc": true, "my-bucket.example": true, "a1b2": true, strings.Repeat("a", 63): true,
		"ab": false, strings.Repeat("a", 64): false, "ABC": false, "a_b": false, "-ab": false, "ab-": false,
		"a..b": false, ".ab": false, "192.168.5.4": false, "xn--ab": false, "sthree-ab": false, "amzn-s3-demo-x": false,
		"ab-s3alias": false, "ab--ol-s3": false, "ab.mrap": false, "ab--x-s3": false, "ab--table-s3": false, "a b": false,
	} {
		if got := validBucketName(name); got != want {
			t.Errorf("validBucketName(%q) = %v, want %v", name, got, want)
		}
	}
	if err := checkKey(strings.Repeat("k", 1024)); err != nil {
		t.Errorf("1,024-byte key: %v", err)
	}
	if err := checkKey(strings.Repeat("é", 513)); apierr.As(err) == nil || apierr.As(err).Code != "KeyTooLongError" {
		t.Errorf("1,026-byte key: %v", err)
	}
}

func TestParseCopySource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, bucket, key, version string }{
		{"b/k", "b", "k", ""},
		{"/b/dir/k.txt", "b", "dir/k.txt", ""},
		{"b/a%20b%2Bc%C3%BC", "b", "a b+cü", ""},
		{"b/k?versionId=123", "b", "k", "123"},
		{"b/k%3Fx", "b", "k?x", ""},
	} {
		b, k, v, err := parseCopySource(tc.in)
		if err != nil || b != tc.bucket || k != tc.key || v != tc.version {
			t.Errorf("parseCopySource(%q) = %q %q %q %v", tc.in, b, k, v, err)
		}
	}
	for _, in := range []string{"", "b", "/b", "b/", "/b/", "%zz/k"} {
		if _, _, _, err := parseCopySource(in); apierr.As(err) == nil || apierr.As(err).Code != "InvalidArgument" {
			t.Errorf("parseCopySource(%q): %v, want InvalidArgument", in, err)
		}
	}
}

func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k?versionId=1", "b/%", "%2F/%2F", "b/k?%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, k, _, err := parseCopySource(s)
		if err == nil && (b == "" || k == "" || strings.Contains(b, "/")) {
			t.Fatalf("parseCopySource(%q) = %q, %q", s, b, k)
		}
	})
}

func TestChecksums(t *testing.T) {
	t.Parallel()
	// The check value of every CRC is its checksum of "123456789".
	for alg, want := range map[string]string{
		algCRC32:     "cbf43926",
		algCRC32C:    "e3069283",
		algCRC64NVME: "ae8b14860a799888",
	} {
		h := newChecksum(alg)
		h.Write([]byte("123456789"))
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
			t.Errorf("%s check value = %s, want %s", alg, got, want)
		}
	}
}

func TestCombineCRC64NVME(t *testing.T) {
	t.Parallel()
	sum := func(b []byte) uint64 {
		h := newChecksum(algCRC64NVME)
		h.Write(b)
		return binary.BigEndian.Uint64(h.Sum(nil))
	}
	for _, split := range [][2]int{{0, 5}, {5, 0}, {1, 1}, {3, 1000}, {5 << 20, 12345}, {7, 1 << 16}} {
		a, b := bytes.Repeat([]byte("ab"), split[0]/2+1)[:split[0]], bytes.Repeat([]byte("xyz"), split[1]/3+1)[:split[1]]
		want := sum(append(bytes.Clone(a), b...))
		if got := combineCRC64NVME(sum(a), sum(b), int64(len(b))); got != want {
			t.Errorf("combine(%d, %d bytes) = %x, want %x", len(a), len(b), got, want)
		}
	}
}
