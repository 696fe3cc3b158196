package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestS3PathStyleKeepsOtherRoutes: S3's path-style routes
// (/{Bucket}/{Key+}) overlap every other service's paths; unsigned
// requests to SQS queue URLs, Lambda's API and virga's own endpoints
// still reach them, even when buckets with those names exist, and an
// anonymous read of an existing bucket's object is S3's.
func TestS3PathStyleKeepsOtherRoutes(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	for _, b := range []string{testAccount, "2015-03-31", "public"} {
		s3Bucket(t, c, b)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("public"), Key: aws.String("a/b.txt"), Body: strings.NewReader("anyone")}); err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("routed")})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(aws.ToString(q.QueueUrl), env.Endpoint)

	// An unsigned awsQuery call to the queue URL, in the body and in the
	// query string.
	form := rawRequest{Path: path, Body: "Action=SendMessage&MessageBody=hi&Version=2012-11-05",
		Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
	if resp := do(t, env, form); resp.Status != 200 || !strings.Contains(string(resp.Body), "<SendMessageResponse") {
		t.Errorf("unsigned SendMessage to %s: %d %s", path, resp.Status, resp.Body)
	}
	get := rawRequest{Method: http.MethodGet, Path: path + "?Action=GetQueueAttributes&AttributeName.1=All&Version=2012-11-05"}
	if resp := do(t, env, get); resp.Status != 200 || !strings.Contains(string(resp.Body), "<GetQueueAttributesResponse") {
		t.Errorf("unsigned GET GetQueueAttributes to %s: %d %s", path, resp.Status, resp.Body)
	}
	// Lambda's REST API.
	if resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/2015-03-31/functions/"}); resp.Status != 200 ||
		!strings.Contains(string(resp.Body), `"Functions"`) {
		t.Errorf("unsigned ListFunctions: %d %s", resp.Status, resp.Body)
	}
	// virga's own endpoints.
	if resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/health"}); resp.Status != 200 {
		t.Errorf("/_virga/health: %d %s", resp.Status, resp.Body)
	}
	// Anonymous reads of objects work (virga enforces no bucket policies);
	// unknown paths keep the edge's answer.
	if resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/public/a/b.txt"}); resp.Status != 200 || string(resp.Body) != "anyone" {
		t.Errorf("anonymous GET: %d %s", resp.Status, resp.Body)
	}
	if resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/no-such-bucket/x"}); resp.Status == 200 ||
		strings.Contains(string(resp.Body), "NoSuchBucket") {
		t.Errorf("anonymous GET of an unknown path: %d %s", resp.Status, resp.Body)
	}
}
