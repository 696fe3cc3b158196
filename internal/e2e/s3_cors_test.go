package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestS3CORS: a bucket's CORS rules answer browsers' unsigned preflights
// (even with --auth sigv4) and add Access-Control-* headers to responses.
func TestS3CORS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	c := s3Client(env, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	})
	ctx := context.Background()
	s3Bucket(t, c, "web")
	s3Bucket(t, c, "nocors")
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"content-type", "x-amz-*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("page.html"), Body: strings.NewReader("<p>")}); err != nil {
		t.Fatal(err)
	}
	preflight := func(path, origin, method, headers string) (*http.Response, string) {
		return browserPreflight(t, env.Endpoint+path, origin, method, headers)
	}
	resp, body := preflight("/web/page.html", "https://app.example", "PUT", "Content-Type, X-Amz-Meta-Owner")
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		h.Get("Access-Control-Allow-Methods") != "GET, PUT" || h.Get("Access-Control-Max-Age") != "600" ||
		h.Get("Access-Control-Expose-Headers") != "ETag" || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-meta-owner") {
		t.Errorf("preflight: %d %v %s", resp.StatusCode, h, body)
	}
	if resp, body := preflight("/web/page.html", "https://evil.example", "GET", ""); resp.StatusCode != 403 || !strings.Contains(body, "<Code>AccessForbidden</Code>") {
		t.Errorf("preflight from another origin: %d %s", resp.StatusCode, body)
	}
	if resp, body := preflight("/web/page.html", "https://app.example", "DELETE", ""); resp.StatusCode != 403 {
		t.Errorf("preflight for DELETE: %d %s", resp.StatusCode, body)
	}
	if resp, body := preflight("/nocors/x", "https://app.example", "GET", ""); resp.StatusCode != 403 || !strings.Contains(body, "CORS is not enabled for this bucket.") {
		t.Errorf("preflight to a bucket without CORS: %d %s", resp.StatusCode, body)
	}
	// An actual request with an Origin gets the headers.
	ps := s3.NewPresignClient(c)
	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("web"), Key: aws.String("page.html")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, get.URL, nil)
	req.Header.Set("Origin", "https://app.example")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 200 || r2.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("GET with an Origin: %d %v", r2.StatusCode, r2.Header)
	}
}

// TestS3CORSWildcards: an AllowedOrigin or AllowedHeader holds at most one
// '*', which spans any run of characters; PutBucketCors refuses two, and
// any '*' in an ExposeHeader.
func TestS3CORSWildcards(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "wild")
	put := func(origin, header string, expose ...string) error {
		_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("wild"), CORSConfiguration: &types.CORSConfiguration{
			CORSRules: []types.CORSRule{{AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{header},
				ExposeHeaders: expose}}}})
		return err
	}
	for _, tc := range []struct {
		origin, header string
		expose         []string
		msg            string
	}{
		{"https://*.app.*", "x-amz-*", nil, `AllowedOrigin "https://*.app.*" can not have more than one wildcard.`},
		{"https://*.app.example", "x-*-*", nil, `AllowedHeader "x-*-*" can not have more than one wildcard.`},
		{"https://*.app.example", "x-amz-*", []string{"*"}, `ExposeHeader "*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
		{"https://*.app.example", "x-amz-*", []string{"ETag", "x-amz-meta-*"},
			`ExposeHeader "x-amz-meta-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
	} {
		if got := expectAPIError(t, put(tc.origin, tc.header, tc.expose...), "InvalidRequest", http.StatusBadRequest); got.Message != tc.msg {
			t.Errorf("PutBucketCors(%s, %s, %v) = %q, want %q", tc.origin, tc.header, tc.expose, got.Message, tc.msg)
		}
	}
	if err := put("https://*.app.example", "X-Amz-*", "ETag"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		origin, headers string
		want            int
	}{
		{"https://a.b.app.example", "x-amz-meta-a", 200},
		{"https://.app.example", "", 200},
		{"http://a.app.example", "", 403},
		{"https://app.example", "", 403},
		{"https://a.app.example", "content-type", 403},
	} {
		if resp, body := browserPreflight(t, env.Endpoint+"/wild/k", tc.origin, "GET", tc.headers); resp.StatusCode != tc.want {
			t.Errorf("preflight from %s with %q: %d %s, want %d", tc.origin, tc.headers, resp.StatusCode, body, tc.want)
		}
	}
}
