package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// s3NotificationStack has both ways templates wire S3 to a function:
// SAM's S3 event, and a plain bucket whose NotificationConfiguration
// names the function, a queue and EventBridge, with the bucket
// depending on the Lambda permission for s3.amazonaws.com.
const s3NotificationStack = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: s3-stack-recorder
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            for r in event['Records']:
                print('S3 ' + json.dumps(r, sort_keys=True))
      Events:
        Incoming:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - {Name: prefix, Value: in/}
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sam-uploads
  Feed:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: s3-stack-feed
  FeedPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Feed]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: s3.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Feed.Arn
  RawPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Recorder
      Principal: s3.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
      SourceArn: arn:aws:s3:::cfn-raw
  Raw:
    Type: AWS::S3::Bucket
    DependsOn: [RawPermission, FeedPolicy]
    Properties:
      BucketName: cfn-raw
      NotificationConfiguration:
        EventBridgeConfiguration:
          EventBridgeEnabled: true
        LambdaConfigurations:
          - Event: s3:ObjectRemoved:*
            Function: !GetAtt Recorder.Arn
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: !GetAtt Feed.Arn
            Filter:
              S3Key:
                Rules:
                  - {Name: suffix, Value: .json}
Outputs:
  Feed: {Value: !Ref Feed}
`

func TestS3NotificationsFromStack(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "s3-notify", s3NotificationStack)
	ctx := context.Background()
	c := s3Client(env)
	q := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)

	// The bucket's configuration is what the template (and SAM) said.
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("sam-uploads")})
	if err != nil || len(got.LambdaFunctionConfigurations) != 1 ||
		aws.ToString(got.LambdaFunctionConfigurations[0].LambdaFunctionArn) != "arn:aws:lambda:us-east-1:"+testAccount+":function:s3-stack-recorder" {
		t.Fatalf("sam-uploads configuration %+v %v", got, err)
	}
	raw, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cfn-raw")})
	if err != nil || len(raw.LambdaFunctionConfigurations) != 1 || len(raw.QueueConfigurations) != 1 || raw.EventBridgeConfiguration == nil {
		t.Fatalf("cfn-raw configuration %+v %v", raw, err)
	}
	feed := outs["Feed"]
	// S3's test event, which names the request that set the
	// configuration, the stack's as much as a client's.
	var test struct{ Event, RequestId, HostId string }
	if err := json.Unmarshal([]byte(aws.ToString(receiveN(t, q, feed, 1)[0].Body)), &test); err != nil ||
		test.Event != "s3:TestEvent" || test.RequestId == "" || test.HostId == "" {
		t.Errorf("test event %+v %v", test, err)
	}

	for _, k := range []string{"in/a.txt", "out/b.txt"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sam-uploads"), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"doc.json", "doc.txt"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfn-raw"), Key: aws.String(k), Body: strings.NewReader("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cfn-raw"), Key: aws.String("doc.txt")}); err != nil {
		t.Fatal(err)
	}

	msgs := receiveN(t, q, feed, 1)
	if r := s3Records(t, aws.ToString(msgs[0].Body)); r.EventName != "ObjectCreated:Put" || r.S3.Object.Key != "doc.json" || r.S3.Bucket.Name != "cfn-raw" {
		t.Errorf("queue record %+v", r)
	}
	lines := groupLines(t, cwl, "/aws/lambda/s3-stack-recorder", "S3 ", func(l []string) bool { return len(l) >= 2 })
	var seen []string
	for _, l := range lines {
		var r s3Record
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "S3 ")), &r); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r.S3.Bucket.Name+" "+r.EventName+" "+r.S3.Object.Key)
	}
	want := map[string]bool{"sam-uploads ObjectCreated:Put in/a.txt": true, "cfn-raw ObjectRemoved:Delete doc.txt": true}
	if len(seen) != 2 || !want[seen[0]] || !want[seen[1]] {
		t.Errorf("function records %q", seen)
	}

	// The aws CLI: its --skip-destination-validation travels as "True".
	missing := `{"QueueConfigurations":[{"QueueArn":"arn:aws:sqs:us-east-1:` + testAccount + `:missing","Events":["s3:ObjectCreated:*"]}]}`
	res := env.CLI(t, "s3api", "put-bucket-notification-configuration", "--bucket", "cfn-raw", "--notification-configuration", missing)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "Unable to validate the following destination configurations") {
		t.Errorf("missing queue through the CLI: exit %d, %s", res.ExitCode, res.Stderr)
	}
	cliOK(t, env.CLI(t, "s3api", "put-bucket-notification-configuration", "--bucket", "cfn-raw", "--notification-configuration", missing,
		"--skip-destination-validation"), "skip-destination-validation")
}
