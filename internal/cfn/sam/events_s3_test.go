package sam

import (
	"strings"
	"testing"
)

func TestS3EventNeedsABucketOfTheTemplate(t *testing.T) {
	t.Parallel()
	for _, bucket := range []string{"my-existing-bucket", "!Ref Queue", "!Ref Missing"} {
		in := parse(t, `
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: `+bucket+`
            Events: s3:ObjectCreated:*
`)
		_, _, err := Transform(in, testOptions)
		if err == nil || !strings.Contains(err.Error(), "Resource with id [Fn] is invalid. Event with id [Upload] is invalid. S3 events must reference an S3 bucket in the same template.") {
			t.Errorf("Bucket %s: %v", bucket, err)
		}
	}
}

func TestS3EventsOfTwoFunctionsShareTheBucket(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Photos:
    Type: AWS::S3::Bucket
    DependsOn: Other
    Properties:
      NotificationConfiguration:
        QueueConfigurations:
          - {Event: "s3:ObjectRemoved:*", Queue: arn:aws:sqs:us-east-1:123456789012:q}
  Other:
    Type: AWS::SQS::Queue
  Thumbs:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Created:
          Type: S3
          Properties:
            Bucket: !Ref Photos
            Events: [s3:ObjectCreated:Put, s3:ObjectCreated:CompleteMultipartUpload]
  Audit:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Copied:
          Type: S3
          Properties:
            Bucket: !Ref Photos
            Events: s3:ObjectCreated:Copy
`))
	b := r.resource(t, "Photos", "AWS::S3::Bucket")
	nc := get(b, "Properties", "NotificationConfiguration").(map[string]any)
	if got := len(nc["LambdaConfigurations"].([]any)); got != 3 {
		t.Errorf("LambdaConfigurations: %d entries, want 3: %v", got, nc)
	}
	if got := len(nc["QueueConfigurations"].([]any)); got != 1 {
		t.Errorf("the template's own QueueConfigurations were lost: %v", nc)
	}
	want(t, "DependsOn", b["DependsOn"], []any{"Other", "AuditCopiedPermission", "ThumbsCreatedPermission"})
}
