package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

func TestS3LifecycleConfiguration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "lifecycle")
	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle")})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", 404)

	rules := []types.LifecycleRule{
		{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration:  &types.LifecycleExpiration{Days: aws.Int32(7)},
			Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassStandardIa}}},
		{Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
			Prefix: aws.String("tmp/"), Tags: []types.Tag{{Key: aws.String("t"), Value: aws.String("1")}}, ObjectSizeGreaterThan: aws.Int64(10)}},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(3), NewerNoncurrentVersions: aws.Int32(2)}},
		{ID: aws.String("uploads"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != 3 || aws.ToString(got.Rules[0].ID) != "logs" || aws.ToInt32(got.Rules[0].Expiration.Days) != 7 ||
		got.Rules[0].Transitions[0].StorageClass != types.TransitionStorageClassStandardIa ||
		aws.ToString(got.Rules[1].ID) == "" || got.Rules[1].Filter.And == nil || len(got.Rules[1].Filter.And.Tags) != 1 ||
		aws.ToInt32(got.Rules[1].NoncurrentVersionExpiration.NewerNoncurrentVersions) != 2 ||
		aws.ToInt32(got.Rules[2].AbortIncompleteMultipartUpload.DaysAfterInitiation) != 1 {
		t.Fatalf("rules read back: %+v", got.Rules)
	}

	// Writes report the rule that will expire what they wrote.
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lifecycle"), Key: aws.String("logs/x"), Body: strings.NewReader("x")})
	if err != nil || !strings.HasSuffix(aws.ToString(put.Expiration), `, rule-id="logs"`) {
		t.Errorf("PutObject Expiration = %q, %v", aws.ToString(put.Expiration), err)
	}
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("lifecycle"), Key: aws.String("logs/y"), CopySource: aws.String("lifecycle/logs/x")})
	if err != nil || !strings.HasSuffix(aws.ToString(cp.Expiration), `, rule-id="logs"`) {
		t.Errorf("CopyObject Expiration = %q, %v", aws.ToString(cp.Expiration), err)
	}
	if put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lifecycle"), Key: aws.String("other"), Body: strings.NewReader("x")}); err != nil || put.Expiration != nil {
		t.Errorf("PutObject outside every rule: Expiration = %q, %v", aws.ToString(put.Expiration), err)
	}

	bad := func(r types.LifecycleRule) error {
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle"),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{r}}})
		return err
	}
	all := &types.LifecycleRuleFilter{Prefix: aws.String("")}
	tagged := &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}
	for _, tc := range []struct {
		name    string
		rule    types.LifecycleRule
		code    string
		message string
	}{
		{"zero days", types.LifecycleRule{Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(0)}},
			"InvalidArgument", "'Days' for Expiration action must be a positive integer"},
		{"date not at midnight", types.LifecycleRule{Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))}},
			"InvalidArgument", "'Date' must be at midnight GMT"},
		{"no action", types.LifecycleRule{Status: "Enabled", Filter: all}, "InvalidRequest", "At least one action needs to be specified in a rule"},
		{"bad status", types.LifecycleRule{Status: "On", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}, "MalformedXML", ""},
		{"prefix and filter", types.LifecycleRule{Status: "Enabled", Prefix: aws.String("a"), Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}, "MalformedXML", ""},
		{"long id", types.LifecycleRule{ID: aws.String(strings.Repeat("i", 256)), Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
			"InvalidArgument", "ID length should not exceed allowed limit of 255"},
		{"abort with tags", types.LifecycleRule{Status: "Enabled", Filter: tagged, AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
			"InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{"noncurrent days", types.LifecycleRule{Status: "Enabled", Filter: all, NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(0)}},
			"InvalidArgument", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{"IA too soon", types.LifecycleRule{Status: "Enabled", Filter: all, Transitions: []types.Transition{{Days: aws.Int32(5), StorageClass: types.TransitionStorageClassStandardIa}}},
			"InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
	} {
		e := expectAPIError(t, bad(tc.rule), tc.code, 400)
		if tc.message != "" && e.Message != tc.message {
			t.Errorf("%s: message %q, want %q", tc.name, e.Message, tc.message)
		}
	}
	dup := types.LifecycleRule{ID: aws.String("same"), Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{dup, dup}}})
	if e := expectAPIError(t, err, "InvalidArgument", 400); e.Message != "Rule ID must be unique. Found same ID for more than one rule" {
		t.Errorf("duplicate ids: %q", e.Message)
	}
	// S3 requires the body's Content-MD5 (or an x-amz-checksum-*).
	doc := `<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`
	if r := do(t, env, rawRequest{Method: http.MethodPut, Path: "/lifecycle?lifecycle", Body: doc}); r.Status != 400 ||
		!strings.Contains(string(r.Body), "<Code>InvalidRequest</Code><Message>Missing required header for this request: Content-MD5</Message>") {
		t.Errorf("no Content-MD5: %d %s", r.Status, r.Body)
	}
	if r := do(t, env, rawRequest{Method: http.MethodPut, Path: "/lifecycle?lifecycle", Body: doc,
		Headers: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}}); r.Status != 400 || !strings.Contains(string(r.Body), "<Code>BadDigest</Code>") {
		t.Errorf("wrong Content-MD5: %d %s", r.Status, r.Body)
	}
	// The failed calls left the configuration as it was.
	if got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle")}); err != nil || len(got.Rules) != 3 {
		t.Fatalf("after failed puts: %v %v", got, err)
	}
	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lifecycle")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lifecycle")})
	expectAPIError(t, err, "NoSuchLifecycleConfiguration", 404)
}

// eventually polls cond until it holds or 15 seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestS3LifecycleExpiration moves virga's clock past rules' days and
// watches the rules act: an unversioned object goes (with an
// s3:LifecycleExpiration:Delete notification), a versioned one gets a
// delete marker, its noncurrent versions go, and a stale multipart
// upload is aborted.
func TestS3LifecycleExpiration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := s3Client(env)
	q := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, b := range []string{"plain", "versioned"} {
		s3Bucket(t, c, b)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("versioned"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	queueURL := newQueue(t, q, "lifecycle-events")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("plain"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			QueueArn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":lifecycle-events"),
			Events:   []types.Event{"s3:LifecycleExpiration:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	receiveN(t, q, queueURL, 1) // s3:TestEvent
	put := func(bucket, key, body string) {
		t.Helper()
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	put("plain", "tmp/a", "a")
	put("plain", "keep/b", "b")
	put("versioned", "doc", "v1")
	env.Clock.Advance(time.Hour)
	put("versioned", "doc", "v2")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	lc := func(bucket string, r types.LifecycleRule) {
		t.Helper()
		if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket,
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{r}}}); err != nil {
			t.Fatal(err)
		}
	}
	lc("versioned", types.LifecycleRule{ID: aws.String("all"), Status: "Enabled", Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
		Expiration:                     &types.LifecycleExpiration{Days: aws.Int32(2)},
		NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(5)},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}})
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("plain"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("tmp"), Status: "Enabled", Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
			{ID: aws.String("mpu"), Status: "Enabled", Filter: &types.LifecycleRuleFilter{Prefix: aws.String("big")}, AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
		}}}); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("plain"), Key: aws.String("tmp/a")})
	if err != nil {
		t.Fatal(err)
	}
	if exp := aws.ToString(head.Expiration); !strings.HasPrefix(exp, `expiry-date="`) || !strings.HasSuffix(exp, ` 00:00:00 GMT", rule-id="tmp"`) {
		t.Errorf("x-amz-expiration = %q", exp)
	}

	exists := func(bucket, key string) bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		var nf *types.NotFound
		if err != nil && !errors.As(err, &nf) {
			t.Fatal(err)
		}
		return err == nil
	}
	// Two days on, past the midnight after one day: tmp/a and the
	// upload go; keep/b stays.
	env.Clock.Advance(48 * time.Hour)
	eventually(t, "tmp/a expired", func() bool { return !exists("plain", "tmp/a") })
	eventually(t, "upload aborted", func() bool {
		out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("plain")})
		return err == nil && len(out.Uploads) == 0
	})
	if !exists("plain", "keep/b") {
		t.Error("keep/b, outside the rule, expired")
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("plain"), Key: aws.String("big"), UploadId: up.UploadId})
	expectAPIError(t, err, "NoSuchUpload", 404)
	msgs := receiveN(t, q, queueURL, 1)
	if b := aws.ToString(msgs[0].Body); !strings.Contains(b, `"eventName":"LifecycleExpiration:Delete"`) || !strings.Contains(b, `"key":"tmp/a"`) ||
		!strings.Contains(b, `"userIdentity":{"principalId":"s3.amazonaws.com"}`) || !strings.Contains(b, `"sourceIPAddress":"s3.amazonaws.com"`) {
		t.Errorf("notification: %s", b)
	}

	// Three days on, "doc" (v2 written at 1h) has a delete marker as its
	// current version.
	env.Clock.Advance(24 * time.Hour)
	eventually(t, "doc has a delete marker", func() bool { return !exists("versioned", "doc") })
	versions := func() (n, markers int) {
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("versioned")})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Versions), len(out.DeleteMarkers)
	}
	if n, m := versions(); n != 2 || m != 1 {
		t.Fatalf("after expiration: %d versions, %d delete markers", n, m)
	}
	// "S3 Lifecycle sets the delete marker's creation time to 00:00 UTC
	// (midnight) of the current day."
	lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("versioned")})
	if err != nil {
		t.Fatal(err)
	}
	if at := aws.ToTime(lv.DeleteMarkers[0].LastModified).UTC(); !at.Equal(env.Clock.Now().UTC().Truncate(24 * time.Hour)) {
		t.Errorf("lifecycle delete marker LastModified %v, want midnight of %v", at, env.Clock.Now().UTC())
	}
	// v1 went noncurrent at 1h, v2 when the marker came (day 3): four
	// more days take v1, three more v2.
	env.Clock.Advance(4 * 24 * time.Hour)
	eventually(t, "v1 removed", func() bool { n, _ := versions(); return n == 1 })
	env.Clock.Advance(3 * 24 * time.Hour)
	eventually(t, "v2 removed", func() bool { n, _ := versions(); return n == 0 })
	// The marker, now an expired object delete marker older than the
	// rule's days, goes too.
	eventually(t, "expired delete marker removed", func() bool { _, m := versions(); return m == 0 })
}
