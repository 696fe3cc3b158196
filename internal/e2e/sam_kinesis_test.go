package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// samKinesis is a SAM application that reads a Kinesis stream it makes:
// a Kinesis event with JSON filter criteria on the records' data.
const samKinesis = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 2
      RetentionPeriodHours: 48
  Counter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import base64
        def handler(event, context):
            for r in event['Records']:
                print('CLICK ' + base64.b64decode(r['kinesis']['data']).decode())
      Events:
        Stream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Clicks.Arn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            FilterCriteria:
              Filters:
                - Pattern: '{"data": {"page": ["home"]}}'
Outputs:
  Stream:
    Value: !Ref Clicks
  StreamArn:
    Value: !GetAtt Clicks.Arn
  Counter:
    Value: !Ref Counter
`

func TestSAMKinesisEvent(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "clicks", samKinesis)
	if !strings.HasPrefix(outs["Stream"], "clicks-Clicks-") || outs["StreamArn"] != "arn:aws:kinesis:us-east-1:000000000000:stream/"+outs["Stream"] {
		t.Fatalf("outputs: %v", outs)
	}
	ctx := context.Background()
	kc := kinesis.NewFromConfig(env.Config)
	d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(outs["Stream"])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(d.StreamDescriptionSummary.OpenShardCount) != 2 || aws.ToInt32(d.StreamDescriptionSummary.RetentionPeriodHours) != 48 {
		t.Errorf("stream: %+v", d.StreamDescriptionSummary)
	}
	lc := lambdaClient(t, env)
	ms, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(outs["Counter"])})
	if err != nil || len(ms.EventSourceMappings) != 1 || aws.ToString(ms.EventSourceMappings[0].EventSourceArn) != outs["StreamArn"] {
		t.Fatalf("mappings: %+v %v", ms, err)
	}
	for _, data := range []string{`{"page":"cart","n":1}`, `{"page":"home","n":2}`, `not json`, `{"page":"home","n":3}`} {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(outs["Stream"]), PartitionKey: aws.String("u1"),
			Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	lines := groupLines(t, cwl, "/aws/lambda/"+outs["Counter"], "CLICK ", func(l []string) bool { return hasLine(l, `CLICK {"page":"home","n":3}`) })
	if strings.Join(lines, "|") != `CLICK {"page":"home","n":2}|CLICK {"page":"home","n":3}` {
		t.Errorf("filtered records: %q", lines)
	}
}
