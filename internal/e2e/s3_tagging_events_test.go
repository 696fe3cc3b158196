package e2e_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestS3TaggingAndACLEvents: PutObjectTagging, DeleteObjectTagging and
// PutObjectAcl raise s3:ObjectTagging:Put, s3:ObjectTagging:Delete and
// s3:ObjectAcl:Put notifications, and the "Object Tags Added", "Object
// Tags Deleted" and "Object ACL Updated" EventBridge events.
func TestS3TaggingAndACLEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	q := sqs.NewFromConfig(env.Config)
	direct := newQueue(t, q, "s3-object-changes")
	bus := ruleToQueue(t, env, "s3-object-changes-bus",
		`{"source":["aws.s3"],"detail-type":["Object Tags Added","Object Tags Deleted","Object ACL Updated"]}`)
	s3Bucket(t, c, "changing")
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("changing"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("changing"),
		NotificationConfiguration: &types.NotificationConfiguration{
			EventBridgeConfiguration: &types.EventBridgeConfiguration{},
			QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":s3-object-changes"),
				Events: []types.Event{"s3:ObjectTagging:*", "s3:ObjectAcl:Put"}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("changing"), Key: aws.String("doc.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("changing"), Key: aws.String("doc.txt"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("changing"), Key: aws.String("doc.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("changing"), Key: aws.String("doc.txt"),
		ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}

	var names []string
	for _, body := range queuedEvents(t, env, direct, 4) { // and the test event
		var n struct {
			Records []struct {
				EventName string
				S3        struct {
					Object struct {
						Key  string `json:"key"`
						ETag string `json:"eTag"`
					} `json:"object"`
				} `json:"s3"`
			}
		}
		if err := json.Unmarshal([]byte(body), &n); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		for _, r := range n.Records {
			if r.S3.Object.Key != "doc.txt" || r.S3.Object.ETag == "" {
				t.Errorf("record %s", body)
			}
			names = append(names, r.EventName)
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "ObjectAcl:Put ObjectTagging:Delete ObjectTagging:Put" {
		t.Errorf("notifications %v", names)
	}

	var detailTypes []string
	for _, body := range queuedEvents(t, env, bus, 3) {
		var ev struct {
			DetailType string `json:"detail-type"`
			Detail     struct {
				Bucket struct{ Name string }
				Object struct{ Key, Etag string }
			}
		}
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if ev.Detail.Bucket.Name != "changing" || ev.Detail.Object.Key != "doc.txt" || ev.Detail.Object.Etag == "" {
			t.Errorf("event %s", body)
		}
		detailTypes = append(detailTypes, ev.DetailType)
	}
	sort.Strings(detailTypes)
	if strings.Join(detailTypes, ",") != "Object ACL Updated,Object Tags Added,Object Tags Deleted" {
		t.Errorf("events %v", detailTypes)
	}
}
