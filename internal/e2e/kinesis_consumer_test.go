package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// TestKinesisStreamConsumers: registering, describing, listing and
// deregistering enhanced fan-out consumers, DescribeStreamSummary's
// ConsumerCount, and DeleteStream's refusal of a stream with consumers
// unless EnforceConsumerDeletion.
func TestKinesisStreamConsumers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	kc := kinesis.NewFromConfig(env.Config)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("fan"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/fan"
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN),
		ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	if !strings.HasPrefix(arn, streamARN+"/consumer/app:") || reg.Consumer.ConsumerStatus != kintypes.ConsumerStatusCreating {
		t.Errorf("registered: %+v", reg.Consumer)
	}
	var apiErr smithy.APIError
	_, err = kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN),
		ConsumerName: aws.String("app")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceInUseException" {
		t.Errorf("registering twice: %v", err)
	}
	for _, in := range []*kinesis.DescribeStreamConsumerInput{
		{ConsumerARN: aws.String(arn)},
		{StreamARN: aws.String(streamARN), ConsumerName: aws.String("app")},
	} {
		d, err := kc.DescribeStreamConsumer(ctx, in)
		if err != nil || aws.ToString(d.ConsumerDescription.ConsumerARN) != arn || aws.ToString(d.ConsumerDescription.StreamARN) != streamARN ||
			d.ConsumerDescription.ConsumerStatus != kintypes.ConsumerStatusActive {
			t.Errorf("describe %+v: %+v %v", in, d, err)
		}
	}
	_, err = kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String("other")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("a missing consumer: %v", err)
	}
	if _, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN),
		ConsumerName: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	consumerCount := func(want int32) {
		t.Helper()
		sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(streamARN)})
		if err != nil || aws.ToInt32(sum.StreamDescriptionSummary.ConsumerCount) != want {
			t.Errorf("ConsumerCount: %+v %v, want %d", sum, err, want)
		}
	}
	consumerCount(2)
	l, err := kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(streamARN), MaxResults: aws.Int32(1)})
	if err != nil || len(l.Consumers) != 1 || aws.ToString(l.Consumers[0].ConsumerName) != "app" || l.NextToken == nil {
		t.Fatalf("first page: %+v %v", l, err)
	}
	l, err = kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(streamARN), NextToken: l.NextToken})
	if err != nil || len(l.Consumers) != 1 || aws.ToString(l.Consumers[0].ConsumerName) != "audit" || l.NextToken != nil {
		t.Fatalf("second page: %+v %v", l, err)
	}
	if _, err := kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	consumerCount(1)
	_, err = kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("fan")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceInUseException" {
		t.Errorf("deleting a stream with a consumer: %v", err)
	}
	if _, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("fan"), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

// samKinesisConsumer reads a stream through an enhanced fan-out
// consumer: the Kinesis event's Stream is the consumer's ARN.
const samKinesisConsumer = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Consumer:
    Type: AWS::Kinesis::StreamConsumer
    Properties:
      StreamARN: !GetAtt Stream.Arn
      ConsumerName: reader
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import base64
        def handler(event, context):
            for r in event['Records']:
                print('GOT ' + base64.b64decode(r['kinesis']['data']).decode())
      Events:
        Stream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Consumer.ConsumerARN
            StartingPosition: TRIM_HORIZON
Outputs:
  Stream:
    Value: !Ref Stream
  Consumer:
    Value: !Ref Consumer
  ConsumerName:
    Value: !GetAtt Consumer.ConsumerName
  Reader:
    Value: !Ref Reader
`

func TestSAMKinesisStreamConsumer(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("efo"),
		TemplateBody: aws.String(samKinesisConsumer), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "efo")
	if !strings.Contains(outs["Consumer"], ":stream/"+outs["Stream"]+"/consumer/reader:") || outs["ConsumerName"] != "reader" {
		t.Fatalf("outputs: %v", outs)
	}
	lc := lambdaClient(t, env)
	ms, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(outs["Reader"])})
	if err != nil || len(ms.EventSourceMappings) != 1 || aws.ToString(ms.EventSourceMappings[0].EventSourceArn) != outs["Consumer"] {
		t.Fatalf("mappings: %+v %v", ms, err)
	}
	kc := kinesis.NewFromConfig(env.Config)
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(outs["Stream"]), PartitionKey: aws.String("k"),
		Data: []byte("hello fan-out")}); err != nil {
		t.Fatal(err)
	}
	waitForLogMessage(t, cloudwatchlogs.NewFromConfig(env.Config), "/aws/lambda/"+outs["Reader"], "GOT hello fan-out")
	// Deleting the stack deregisters the consumer before it deletes the
	// stream.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("efo")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("efo")})
		if err != nil {
			break // deleted: its name no longer finds it
		}
		if st := out.Stacks[0].StackStatus; st == cftypes.StackStatusDeleteFailed || time.Now().After(deadline) {
			t.Fatalf("delete: %s", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err = kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(outs["Stream"])})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("the stream after the stack's deletion: %v", err)
	}
}
