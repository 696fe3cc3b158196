package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// websiteGet sends an anonymous request to a bucket's website endpoint,
// host being its name there, and does not follow redirects.
func websiteGet(t *testing.T, env *e2e.Env, method, host, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, env.Endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func TestS3Website(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "site")
	s3Bucket(t, c, "plain-bucket")
	_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	expectAPIError(t, err, "NoSuchWebsiteConfiguration", 404)
	put := func(key, body, contentType string, redirect *string) {
		t.Helper()
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("site"), Key: &key, Body: strings.NewReader(body),
			ContentType: &contentType, WebsiteRedirectLocation: redirect}); err != nil {
			t.Fatal(err)
		}
	}
	put("index.html", "<h1>home</h1>", "text/html", nil)
	put("docs/index.html", "<h1>docs</h1>", "text/html", nil)
	put("404.html", "<h1>not here</h1>", "text/html", nil)
	put("app.js", "console.log(1)", "application/javascript", nil)
	put("moved.html", "", "text/html", aws.String("/app.js"))

	cfg := &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("404.html")},
		RoutingRules: []types.RoutingRule{
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("old/")}, Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("docs/")}},
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("gone/"), HttpErrorCodeReturnedEquals: aws.String("404")},
				Redirect: &types.Redirect{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps, HttpRedirectCode: aws.String("302")}},
		},
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	if err != nil || aws.ToString(got.IndexDocument.Suffix) != "index.html" || aws.ToString(got.ErrorDocument.Key) != "404.html" ||
		len(got.RoutingRules) != 2 || aws.ToString(got.RoutingRules[1].Redirect.HttpRedirectCode) != "302" {
		t.Fatalf("GetBucketWebsite = %+v, %v", got, err)
	}

	port := env.Endpoint[strings.LastIndexByte(env.Endpoint, ':'):]
	for _, host := range []string{"site.s3-website.localhost" + port, "site.s3-website-us-east-1.localhost" + port,
		"site.s3-website.us-east-1.localhost", "site.s3-website-us-east-1.amazonaws.com"} {
		if st, h, body := websiteGet(t, env, "GET", host, "/"); st != 200 || body != "<h1>home</h1>" || h.Get("Content-Type") != "text/html" {
			t.Errorf("GET / at %s: %d %q %v", host, st, body, h)
		}
	}
	host := "site.s3-website.localhost" + port
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
		location     string
	}{
		{"GET", "/docs/", 200, "<h1>docs</h1>", ""},
		{"GET", "/docs", 302, "", "/docs/"},
		{"GET", "/app.js", 200, "console.log(1)", ""},
		{"HEAD", "/app.js", 200, "", ""},
		{"GET", "/missing.html", 404, "<h1>not here</h1>", ""},
		{"GET", "/moved.html", 301, "", "/app.js"},
		{"GET", "/old/page.html", 301, "", "http://" + host + "/docs/page.html"},
		{"GET", "/gone/x", 302, "", "https://example.com/gone/x"},
	} {
		st, h, body := websiteGet(t, env, tc.method, host, tc.path)
		if st != tc.status || tc.body != "" && body != tc.body || h.Get("Location") != tc.location {
			t.Errorf("%s %s: %d %q Location %q, want %d %q %q", tc.method, tc.path, st, body, h.Get("Location"), tc.status, tc.body, tc.location)
		}
	}
	if st, _, _ := websiteGet(t, env, "PUT", host, "/x"); st != 405 {
		t.Errorf("PUT at the website endpoint: %d", st)
	}

	// Without an error document, S3's HTML page.
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	if st, h, body := websiteGet(t, env, "GET", host, "/nope"); st != 404 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "<li>Code: NoSuchKey</li>") || !strings.Contains(body, "<li>Key: nope</li>") {
		t.Errorf("missing key without an error document: %d %s", st, body)
	}
	if st, _, body := websiteGet(t, env, "GET", "plain-bucket.s3-website.localhost"+port, "/"); st != 404 ||
		!strings.Contains(body, "<li>Code: NoSuchWebsiteConfiguration</li>") || !strings.Contains(body, "<li>BucketName: plain-bucket</li>") {
		t.Errorf("bucket without a website: %d %s", st, body)
	}
	if st, _, body := websiteGet(t, env, "GET", "nobucket.s3-website.localhost"+port, "/"); st != 404 || !strings.Contains(body, "<li>Code: NoSuchBucket</li>") {
		t.Errorf("missing bucket: %d %s", st, body)
	}

	// Redirect everything.
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: &types.WebsiteConfiguration{
		RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("www.example.com"), Protocol: types.ProtocolHttps}}}); err != nil {
		t.Fatal(err)
	}
	if st, h, _ := websiteGet(t, env, "GET", host, "/a/b?c=d"); st != 301 || h.Get("Location") != "https://www.example.com/a/b?c=d" {
		t.Errorf("RedirectAllRequestsTo: %d %q", st, h.Get("Location"))
	}

	// Validation.
	for _, tc := range []struct {
		cfg     *types.WebsiteConfiguration
		code    string
		message string
	}{
		{&types.WebsiteConfiguration{ErrorDocument: &types.ErrorDocument{Key: aws.String("e.html")}}, "InvalidArgument",
			"A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"},
		{&types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("a/index.html")}}, "InvalidArgument",
			"The IndexDocument Suffix is not well formed"},
		{&types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
			RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("x")}}, "InvalidArgument",
			"RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."},
	} {
		_, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: tc.cfg})
		if e := expectAPIError(t, err, tc.code, 400); e.Message != tc.message {
			t.Errorf("message %q, want %q", e.Message, tc.message)
		}
	}
	if _, err := c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	expectAPIError(t, err, "NoSuchWebsiteConfiguration", 404)
}
