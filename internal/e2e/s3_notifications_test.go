package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// receiveN receives and deletes n messages from a queue, in the order
// they come, and checks that no more are there.
func receiveN(t testing.TB, c *sqs.Client, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got) != n {
		var bodies []string
		for _, m := range got {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		t.Fatalf("queue %s: got %d messages, want %d: %q", url, len(got), n, bodies)
	}
	noMessage(t, c, url)
	return got
}

// s3Recorder logs each S3 event record it gets, whole, on one line.
const s3Recorder = `import json

def handler(event, context):
    for r in event['Records']:
        print('S3 ' + json.dumps(r, sort_keys=True))
`

// s3Record is one record of an S3 event message.
type s3Record struct {
	EventVersion, EventSource, AwsRegion, EventTime, EventName string
	UserIdentity                                               struct{ PrincipalId string }
	RequestParameters                                          struct{ SourceIPAddress string }
	ResponseElements                                           map[string]string
	S3                                                         struct {
		S3SchemaVersion, ConfigurationId string
		Bucket                           struct {
			Name          string
			OwnerIdentity struct{ PrincipalId string }
			Arn           string
		}
		Object struct {
			Key       string
			Size      *int64
			ETag      string
			VersionId string
			Sequencer string
		}
	}
}

// s3Records decodes an event message with one record.
func s3Records(t *testing.T, body string) s3Record {
	t.Helper()
	var m struct{ Records []s3Record }
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m.Records) != 1 {
		t.Fatalf("event message %s: %v", body, err)
	}
	return m.Records[0]
}

func filterRules(prefix, suffix string) *types.NotificationConfigurationFilter {
	var rules []types.FilterRule
	if prefix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNamePrefix, Value: aws.String(prefix)})
	}
	if suffix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNameSuffix, Value: aws.String(suffix)})
	}
	return &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: rules}}
}

func TestS3Notifications(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	q := sqs.NewFromConfig(env.Config)
	topics := sns.NewFromConfig(env.Config)
	lc := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)

	queueURL := newQueue(t, q, "s3-events")
	queueARN := "arn:aws:sqs:us-east-1:" + testAccount + ":s3-events"
	topicQueueURL := newQueue(t, q, "s3-topic-copy")
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("s3-topic")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":s3-topic-copy")}); err != nil {
		t.Fatal(err)
	}
	createPythonFunction(t, lc, "s3-recorder", s3Recorder, 10)
	fnARN := "arn:aws:lambda:us-east-1:" + testAccount + ":function:s3-recorder"
	s3Bucket(t, c, "notified")

	// Validation: a queue that does not exist, overlapping filters.
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			QueueArn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":missing"), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	if e := expectAPIError(t, err, "InvalidArgument", 400); e.Message != "Unable to validate the following destination configurations" {
		t.Errorf("missing queue: %q", e.Message)
	}
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: aws.String(queueARN), Events: []types.Event{"s3:ObjectCreated:*"}, Filter: filterRules("images/", "")},
			{QueueArn: aws.String(queueARN), Events: []types.Event{"s3:ObjectCreated:Put"}, Filter: filterRules("", ".jpg")},
		}}})
	if e := expectAPIError(t, err, "InvalidArgument", 400); e.Message != "Configurations overlap. Configurations on the same bucket cannot share a common event type." {
		t.Errorf("overlap: %q", e.Message)
	}
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: aws.String(queueARN), Events: []types.Event{"s3:ObjectCreated:Nope"}}}}})
	expectAPIError(t, err, "InvalidArgument", 400)
	// Nothing was sent for the refused configurations.
	if out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL}); err != nil || len(out.Messages) != 0 {
		t.Fatalf("messages after refused configurations: %v %v", out, err)
	}
	// SkipDestinationValidation takes a destination without looking.
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified"),
		SkipDestinationValidation: aws.Bool(true),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			QueueArn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":missing"), Events: []types.Event{"s3:ObjectCreated:*"}}}}}); err != nil {
		t.Fatalf("SkipDestinationValidation: %v", err)
	}

	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified"),
		NotificationConfiguration: &types.NotificationConfiguration{
			LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{Id: aws.String("to-function"), LambdaFunctionArn: aws.String(fnARN),
				Events: []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}, Filter: filterRules("fn/", "")}},
			QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("to-queue"), QueueArn: aws.String(queueARN),
				Events: []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}, Filter: filterRules("q/", ".txt")}},
			TopicConfigurations: []types.TopicConfiguration{{TopicArn: topic.TopicArn,
				Events: []types.Event{"s3:ObjectCreated:Put"}, Filter: filterRules("t/", "")}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	// The queue and the topic got S3's test event.
	test := receiveN(t, q, queueURL, 1)
	var te map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(test[0].Body)), &te); err != nil || te["Service"] != "Amazon S3" ||
		te["Event"] != "s3:TestEvent" || te["Bucket"] != "notified" || te["RequestId"] == "" || te["HostId"] == "" || te["Time"] == "" {
		t.Errorf("test event %s: %v", aws.ToString(test[0].Body), err)
	}
	viaTopic := receiveN(t, q, topicQueueURL, 1)
	var env1 struct{ Subject, Message string }
	if json.Unmarshal([]byte(aws.ToString(viaTopic[0].Body)), &env1); env1.Subject != "Amazon S3 Notification" || !strings.Contains(env1.Message, `"s3:TestEvent"`) {
		t.Errorf("topic test event %s", aws.ToString(viaTopic[0].Body))
	}

	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notified")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.LambdaFunctionConfigurations) != 1 || len(got.QueueConfigurations) != 1 || len(got.TopicConfigurations) != 1 ||
		aws.ToString(got.QueueConfigurations[0].Id) != "to-queue" || aws.ToString(got.TopicConfigurations[0].Id) == "" ||
		aws.ToString(got.LambdaFunctionConfigurations[0].LambdaFunctionArn) != fnARN ||
		got.QueueConfigurations[0].Filter.Key.FilterRules[1].Name != "Suffix" || got.EventBridgeConfiguration != nil {
		t.Errorf("configuration = %+v", got)
	}
	topicID := aws.ToString(got.TopicConfigurations[0].Id)

	put := func(key, body string) *s3.PutObjectOutput {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("notified"), Key: aws.String(key), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	put("q/skipped.bin", "no") // suffix does not match
	put("q/red flower.txt", "hello")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("notified"), Key: aws.String("q/copy.txt"),
		CopySource: aws.String("notified/q/red flower.txt")}); err != nil {
		t.Fatal(err)
	}
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("notified"), Key: aws.String("q/mp.txt")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("notified"), Key: aws.String("q/mp.txt"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("notified"), Key: aws.String("q/mp.txt"),
		UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("notified"), Key: aws.String("q/red flower.txt")}); err != nil {
		t.Fatal(err)
	}

	msgs := receiveN(t, q, queueURL, 4)
	var names []string
	var seqs []string
	for _, m := range msgs {
		r := s3Records(t, aws.ToString(m.Body))
		names = append(names, r.EventName+" "+r.S3.Object.Key)
		seqs = append(seqs, r.S3.Object.Sequencer)
		if r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AwsRegion != "us-east-1" || len(r.EventTime) != len("2006-01-02T15:04:05.000Z") ||
			r.S3.S3SchemaVersion != "1.0" || r.S3.ConfigurationId != "to-queue" || r.S3.Bucket.Name != "notified" ||
			r.S3.Bucket.Arn != "arn:aws:s3:::notified" || r.S3.Bucket.OwnerIdentity.PrincipalId == "" || r.UserIdentity.PrincipalId == "" ||
			r.RequestParameters.SourceIPAddress != "127.0.0.1" || r.ResponseElements["x-amz-request-id"] == "" || r.ResponseElements["x-amz-id-2"] == "" ||
			r.S3.Object.Sequencer == "" || r.S3.Object.VersionId != "" {
			t.Errorf("record %s", aws.ToString(m.Body))
		}
		switch r.EventName {
		case "ObjectCreated:Put":
			if r.S3.Object.Size == nil || *r.S3.Object.Size != 5 || r.S3.Object.ETag != md5Hex([]byte("hello")) {
				t.Errorf("Put record object %+v", r.S3.Object)
			}
		case "ObjectRemoved:Delete":
			if r.S3.Object.Size != nil || r.S3.Object.ETag != "" {
				t.Errorf("Delete record object %+v", r.S3.Object)
			}
		case "ObjectCreated:CompleteMultipartUpload":
			if !strings.HasSuffix(r.S3.Object.ETag, "-1") {
				t.Errorf("multipart ETag %q", r.S3.Object.ETag)
			}
		}
	}
	want := "ObjectCreated:Put q/red+flower.txt,ObjectCreated:Copy q/copy.txt,ObjectCreated:CompleteMultipartUpload q/mp.txt,ObjectRemoved:Delete q/red+flower.txt"
	if strings.Join(names, ",") != want {
		t.Errorf("events %q, want %q", names, want)
	}
	if seqs[0] >= seqs[3] {
		t.Errorf("sequencers of one key do not grow: %q then %q", seqs[0], seqs[3])
	}

	// SNS: the record is the message, under S3's subject.
	put("t/note", "x")
	viaTopic = receiveN(t, q, topicQueueURL, 1)
	var env2 struct{ Subject, Message, Type string }
	if err := json.Unmarshal([]byte(aws.ToString(viaTopic[0].Body)), &env2); err != nil || env2.Subject != "Amazon S3 Notification" {
		t.Fatalf("topic message %s: %v", aws.ToString(viaTopic[0].Body), err)
	}
	if r := s3Records(t, env2.Message); r.EventName != "ObjectCreated:Put" || r.S3.Object.Key != "t/note" || r.S3.ConfigurationId != topicID {
		t.Errorf("topic record %+v", r)
	}

	// Lambda: the function gets the record, asynchronously.
	put("fn/hello.txt", "hi")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("notified"), Key: aws.String("fn/hello.txt")}); err != nil {
		t.Fatal(err)
	}
	lines := groupLines(t, cwl, "/aws/lambda/s3-recorder", "S3 ", func(l []string) bool { return len(l) >= 2 })
	var fnNames []string
	for _, l := range lines {
		r := s3Records(t, `{"Records":[`+strings.TrimPrefix(l, "S3 ")+`]}`)
		fnNames = append(fnNames, r.EventName)
		if r.S3.ConfigurationId != "to-function" || r.S3.Object.Key != "fn/hello.txt" {
			t.Errorf("function record %s", l)
		}
	}
	if strings.Join(fnNames, ",") != "ObjectCreated:Put,ObjectRemoved:Delete" && strings.Join(fnNames, ",") != "ObjectRemoved:Delete,ObjectCreated:Put" {
		t.Errorf("function events %q", fnNames)
	}

	// A versioned bucket: version ids, and a delete marker.
	s3Bucket(t, c, "notified-versions")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("notified-versions"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified-versions"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String(queueARN),
			Events: []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	receiveN(t, q, queueURL, 1) // the test event
	v, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("notified-versions"), Key: aws.String("doc"), Body: strings.NewReader("v1")})
	if err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("notified-versions"), Key: aws.String("doc")})
	if err != nil {
		t.Fatal(err)
	}
	msgs = receiveN(t, q, queueURL, 2)
	r1, r2 := s3Records(t, aws.ToString(msgs[0].Body)), s3Records(t, aws.ToString(msgs[1].Body))
	if r1.EventName != "ObjectCreated:Put" || r1.S3.Object.VersionId != aws.ToString(v.VersionId) ||
		r2.EventName != "ObjectRemoved:DeleteMarkerCreated" || r2.S3.Object.VersionId != aws.ToString(del.VersionId) {
		t.Errorf("versioned records %+v / %+v", r1, r2)
	}

	// An empty configuration turns notifications off.
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notified-versions"),
		NotificationConfiguration: &types.NotificationConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notified-versions")})
	if err != nil || len(got.QueueConfigurations) != 0 {
		t.Fatalf("after clearing: %+v %v", got, err)
	}
}

func TestS3NotificationsToEventBridge(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	q := sqs.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)

	url := newQueue(t, q, "s3-bridge")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("s3-created"),
		EventPattern: aws.String(`{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["bridged"]}}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("s3-created"), Targets: []ebtypes.Target{{
		Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":s3-bridge")}}}); err != nil {
		t.Fatal(err)
	}
	s3Bucket(t, c, "bridged")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("bridged"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("bridged")})
	if err != nil || got.EventBridgeConfiguration == nil {
		t.Fatalf("configuration %+v %v", got, err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bridged"), Key: aws.String("a b"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bridged"), Key: aws.String("a b")}); err != nil {
		t.Fatal(err) // Object Deleted: the rule does not take it
	}
	msgs := receiveN(t, q, url, 1)
	var ev struct {
		Version, Source, Account, Region string
		DetailType                       string `json:"detail-type"`
		Resources                        []string
		Detail                           struct {
			Version string
			Bucket  struct{ Name string }
			Object  struct {
				Key       string
				Size      int64
				Etag      string
				Sequencer string
			}
			RequestID string `json:"request-id"`
			Requester string
			SourceIP  string `json:"source-ip-address"`
			Reason    string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil {
		t.Fatal(err)
	}
	d := ev.Detail
	if ev.Source != "aws.s3" || ev.DetailType != "Object Created" || ev.Account != testAccount || ev.Region != "us-east-1" ||
		len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:s3:::bridged" || d.Version != "0" || d.Bucket.Name != "bridged" ||
		d.Object.Key != "a b" || d.Object.Size != 5 || d.Object.Etag != md5Hex([]byte("hello")) || d.Object.Sequencer == "" ||
		d.RequestID == "" || d.Requester != testAccount || d.SourceIP != "127.0.0.1" || d.Reason != "PutObject" {
		t.Errorf("event %s", aws.ToString(msgs[0].Body))
	}
}
