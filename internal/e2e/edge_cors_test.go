package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// originTransport sends every request with an Origin, as a browser does
// for a cross-origin call, and keeps the last response's headers.
type originTransport struct {
	origin string
	mu     sync.Mutex
	last   http.Header
}

func (o *originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Origin", o.origin)
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		o.mu.Lock()
		o.last = resp.Header.Clone()
		o.mu.Unlock()
	}
	return resp, err
}

func (o *originTransport) lastHeader() http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// browserPreflight sends the preflight a browser at origin sends before
// a cross-origin request of method with the headers asked for.
func browserPreflight(t *testing.T, url, origin, method, headers string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	req.Header.Set("Sec-Fetch-Mode", "cors")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestBrowserCORSForAWSAPIs: a web app calls AWS's APIs from a browser.
// Preflights (unsigned, even with --auth sigv4) are answered as AWS's
// endpoints answer them, and responses to requests with an Origin carry
// the headers that let the script read them, errors included. S3's
// bucket rules and the data planes keep their own CORS.
func TestBrowserCORSForAWSAPIs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()
	const sdkHeaders = "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-target,x-amz-user-agent"
	const exposed = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
	const app = "http://localhost:3000"

	// awsJson and awsQuery services: POST /, the target in a header the
	// preflight only names.
	resp, body := browserPreflight(t, env.Endpoint+"/", app, "POST", sdkHeaders)
	want := map[string]string{
		"Access-Control-Allow-Origin":   "*",
		"Access-Control-Allow-Methods":  "POST",
		"Access-Control-Allow-Headers":  sdkHeaders,
		"Access-Control-Expose-Headers": exposed,
		"Access-Control-Max-Age":        "172800",
	}
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("preflight to /: HTTP %d %v %q", resp.StatusCode, resp.Header, body)
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("preflight to / %s = %q, want %q", k, got, v)
		}
	}
	// A REST API's route, for the method it will be called with.
	resp, body = browserPreflight(t, env.Endpoint+"/2015-03-31/functions/web/invocations", app, "POST", "authorization,content-type,x-amz-date")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Access-Control-Expose-Headers") != exposed+",x-amz-log-result,x-amz-function-error" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Errorf("preflight to Lambda's Invoke: HTTP %d %v %q", resp.StatusCode, resp.Header, body)
	}

	// Signed requests with an Origin, through the SDKs.
	tr := &originTransport{origin: app}
	cfg := env.Config.Copy()
	cfg.HTTPClient = &http.Client{Transport: tr}
	browserHeaders := func(what string) {
		t.Helper()
		h := tr.lastHeader()
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Expose-Headers") != exposed {
			t.Errorf("%s: CORS headers %v", what, h)
		}
	}
	ddb := dynamodb.NewFromConfig(cfg)
	if _, err := ddb.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
	browserHeaders("DynamoDB ListTables")
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("absent")}); err == nil {
		t.Fatal("DescribeTable of an absent table succeeded")
	}
	browserHeaders("DynamoDB DescribeTable's error")
	if _, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatal(err)
	}
	browserHeaders("SQS ListQueues")
	if _, err := cognitoidentityprovider.NewFromConfig(cfg).ListUserPools(ctx,
		&cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	browserHeaders("Cognito ListUserPools")
	// An unsigned request refused under --auth sigv4 is readable too.
	req, _ := http.NewRequest(http.MethodPost, env.Endpoint+"/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	r, err := cfg.HTTPClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 400 {
		t.Errorf("unsigned request under --auth sigv4: HTTP %d", r.StatusCode)
	}
	browserHeaders("an unsigned request's refusal")

	// S3 answers by its buckets' rules: a bucket without them refuses
	// the preflight, and adds no headers to responses.
	sc := s3Client(env)
	s3Bucket(t, sc, "plain")
	resp, body = browserPreflight(t, env.Endpoint+"/plain/index.html", app, "PUT", "content-type")
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(body, "CORS is not enabled for this bucket.") {
		t.Errorf("preflight to a bucket without CORS: HTTP %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListObjectsV2(ctx,
		&s3.ListObjectsV2Input{Bucket: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	if h := tr.lastHeader(); h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Expose-Headers") != "" {
		t.Errorf("S3 ListObjectsV2 from a bucket without CORS: %v", h)
	}
	// Data planes answer by their own configuration.
	resp, body = browserPreflight(t, env.Endpoint+"/_aws/execute-api/nope/items", app, "GET", "")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight to an API: HTTP %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// TestBrowserCORSForSQSQueueURL: a browser's preflight to a queue URL
// (/ACCOUNT/QUEUE, where the SDK for JavaScript sends SQS's requests) is
// answered as AWS's endpoints answer them, while a bucket named like the
// account keeps its own CORS rules for every other path.
func TestBrowserCORSForSQSQueueURL(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	const app = "http://localhost:3000"
	q, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	account := strings.Split(strings.TrimPrefix(aws.ToString(q.QueueUrl), env.Endpoint+"/"), "/")[0]
	sc := s3Client(env)
	s3Bucket(t, sc, account)
	if _, err := sc.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(account), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedOrigins: []string{app}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: aws.Int32(600)}}}}); err != nil {
		t.Fatal(err)
	}

	resp, body := browserPreflight(t, aws.ToString(q.QueueUrl), app, "POST", "authorization,content-type,x-amz-date")
	if h := resp.Header; resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "POST" ||
		h.Get("Access-Control-Allow-Headers") != "authorization,content-type,x-amz-date" || h.Get("Access-Control-Max-Age") != "172800" {
		t.Errorf("preflight to the queue URL: HTTP %d %v %q", resp.StatusCode, h, body)
	}
	// Any other path of the bucket is the bucket's.
	resp, body = browserPreflight(t, env.Endpoint+"/"+account+"/index.html", app, "GET", "")
	if h := resp.Header; resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != app || h.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight to the bucket: HTTP %d %v %q", resp.StatusCode, h, body)
	}
	// A queue's path in another account names no queue of virga's.
	resp, body = browserPreflight(t, env.Endpoint+"/111122223333/orders", app, "POST", "")
	if resp.StatusCode == 200 || resp.Header.Get("Access-Control-Max-Age") != "" {
		t.Errorf("preflight to another account's queue path: HTTP %d %v %q", resp.StatusCode, resp.Header, body)
	}
}
