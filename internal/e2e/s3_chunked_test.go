package e2e_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

func hmacSHA(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func hexSHA(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// chunkedUpload is a PUT whose body is framed with aws-chunked, built as
// aws-sdk-go-v2 and the aws CLI build them.
type chunkedUpload struct {
	mode     string // the X-Amz-Content-Sha256 value
	chunks   [][]byte
	trailer  string // "x-amz-checksum-crc32:VALUE", for the trailer variants
	tamper   bool   // change a byte of the first chunk after signing
	decoded  int64  // x-amz-decoded-content-length, if not the chunks' total
	signedBy string // secret to sign with
}

func (u chunkedUpload) do(t *testing.T, env *e2e.Env, path string) (int, string) {
	t.Helper()
	now := time.Now().UTC()
	var total int64
	for _, c := range u.chunks {
		total += int64(len(c))
	}
	if u.decoded != 0 {
		total = u.decoded
	}
	req, _ := http.NewRequest(http.MethodPut, env.Endpoint+path, nil)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(total, 10))
	req.Header.Set("X-Amz-Content-Sha256", u.mode)
	if u.trailer != "" {
		name, _, _ := strings.Cut(u.trailer, ":")
		req.Header.Set("X-Amz-Trailer", name)
	}
	secret := u.signedBy
	if secret == "" {
		secret = "test"
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: secret}, req, u.mode, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	seed := req.Header.Get("Authorization")
	seed = seed[strings.LastIndex(seed, "Signature=")+len("Signature="):]
	date := now.Format("20060102")
	key := hmacSHA(hmacSHA(hmacSHA(hmacSHA([]byte("AWS4"+secret), date), "us-east-1"), "s3"), "aws4_request")
	scope := date + "/us-east-1/s3/aws4_request"
	amzDate := now.Format("20060102T150405Z")
	signed := strings.HasPrefix(u.mode, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	prev := seed
	var b bytes.Buffer
	frame := func(data []byte) {
		if signed {
			prev = hex.EncodeToString(hmacSHA(key, "AWS4-HMAC-SHA256-PAYLOAD\n"+amzDate+"\n"+scope+"\n"+prev+"\n"+hexSHA(nil)+"\n"+hexSHA(data)))
			fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(data), prev)
		} else {
			fmt.Fprintf(&b, "%x\r\n", len(data))
		}
		if len(data) > 0 {
			b.Write(data)
			b.WriteString("\r\n")
		}
	}
	for i, c := range u.chunks {
		if i == 0 && u.tamper {
			sent := bytes.Clone(c)
			frame(c)
			b.Truncate(b.Len() - len(c) - 2)
			sent[0] ^= 1
			b.Write(sent)
			b.WriteString("\r\n")
			continue
		}
		frame(c)
	}
	frame(nil)
	if u.trailer != "" {
		b.WriteString(u.trailer + "\r\n")
		if signed {
			sig := hex.EncodeToString(hmacSHA(key, "AWS4-HMAC-SHA256-TRAILER\n"+amzDate+"\n"+scope+"\n"+prev+"\n"+hexSHA([]byte(u.trailer+"\n"))))
			b.WriteString("x-amz-trailer-signature:" + sig + "\r\n")
		}
	}
	b.WriteString("\r\n")
	req.Body = io.NopCloser(bytes.NewReader(b.Bytes()))
	req.ContentLength = int64(b.Len())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestS3ChunkedUploads sends the aws-chunked uploads SDKs send, with
// signatures verified: signed chunks, an unsigned payload with a checksum
// trailer, and signed chunks with a signed trailer.
func TestS3ChunkedUploads(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "chunks")
	part1, part2 := bytes.Repeat([]byte("x"), 65536), []byte("the rest")
	whole := append(bytes.Clone(part1), part2...)
	h := crc32.NewIEEE()
	h.Write(whole)
	crc := base64.StdEncoding.EncodeToString(h.Sum(nil))

	for _, tc := range []struct {
		name   string
		upload chunkedUpload
		status int
		code   string
	}{
		{"signed chunks", chunkedUpload{mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks: [][]byte{part1, part2}}, 200, ""},
		{"unsigned trailer", chunkedUpload{mode: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks: [][]byte{part1, part2},
			trailer: "x-amz-checksum-crc32:" + crc}, 200, ""},
		{"signed trailer", chunkedUpload{mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", chunks: [][]byte{part1, part2},
			trailer: "x-amz-checksum-crc32:" + crc}, 200, ""},
		{"tampered chunk", chunkedUpload{mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks: [][]byte{part1, part2}, tamper: true},
			403, "SignatureDoesNotMatch"},
		{"wrong trailer checksum", chunkedUpload{mode: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks: [][]byte{part1, part2},
			trailer: "x-amz-checksum-crc32:AAAAAA=="}, 400, "BadDigest"},
		{"short body", chunkedUpload{mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks: [][]byte{part1}, decoded: int64(len(whole))},
			400, "IncompleteBody"},
		{"over 5 GB", chunkedUpload{mode: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks: [][]byte{part2}, decoded: 5<<30 + 1,
			trailer: "x-amz-checksum-crc32:" + crc}, 400, "EntityTooLarge"},
	} {
		key := "/chunks/" + strings.ReplaceAll(tc.name, " ", "-")
		status, body := tc.upload.do(t, env, key)
		if status != tc.status || tc.code != "" && !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
			continue
		}
		k := strings.TrimPrefix(key, "/chunks/")
		if tc.status != 200 {
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chunks"), Key: &k}); err == nil {
				t.Errorf("%s: refused upload was stored", tc.name)
			}
			continue
		}
		out, data := s3Get(t, c, "chunks", k)
		if !bytes.Equal(data, whole) || aws.ToString(out.ContentEncoding) != "" {
			t.Errorf("%s: stored %d bytes, Content-Encoding %q", tc.name, len(data), aws.ToString(out.ContentEncoding))
		}
		if tc.upload.trailer != "" {
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chunks"), Key: &k, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil || aws.ToString(h.ChecksumCRC32) != crc {
				t.Errorf("%s: CRC32 %q, want %q (%v)", tc.name, aws.ToString(h.ChecksumCRC32), crc, err)
			}
		}
	}
}
