package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// pipeStack is a queue-to-queue pipe with a filter and an input
// template, in YAML with short-form intrinsics.
const pipeStack = `Resources:
  Source:
    Type: AWS::SQS::Queue
  Sink:
    Type: AWS::SQS::Queue
  PipeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: pipes.amazonaws.com}
            Action: sts:AssumeRole
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      Name: orders-pipe
      RoleArn: !GetAtt PipeRole.Arn
      Source: !GetAtt Source.Arn
      SourceParameters:
        SqsQueueParameters:
          BatchSize: 1
        FilterCriteria:
          Filters:
            - Pattern: '{"body": {"kind": ["order"]}}'
      Target: !GetAtt Sink.Arn
      TargetParameters:
        InputTemplate: '{"order": <$.body.id>, "via": "<aws.pipes.pipe-name>"}'
Outputs:
  Name:
    Value: !Ref Pipe
  Arn:
    Value: !GetAtt Pipe.Arn
  State:
    Value: !GetAtt Pipe.CurrentState
  SourceUrl:
    Value: !Ref Source
  SinkUrl:
    Value: !Ref Sink
`

func TestPipesCloudFormation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf, qc, pc := cloudformation.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config), pipes.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("pipes"), TemplateBody: aws.String(pipeStack),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "pipes")
	if outs["Name"] != "orders-pipe" || outs["Arn"] != "arn:aws:pipes:us-east-1:000000000000:pipe/orders-pipe" || outs["State"] != "RUNNING" {
		t.Errorf("outputs: %v", outs)
	}
	for _, body := range []string{`{"kind":"note","id":"n1"}`, `{"kind":"order","id":"o1"}`} {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(outs["SourceUrl"]), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := receiveBodies(t, qc, outs["SinkUrl"], 1); got[0] != `{"order": "o1", "via": "orders-pipe"}` {
		t.Errorf("the sink got %q", got)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("pipes")}); err != nil {
		t.Fatal(err)
	}
	// The stack's deletion deletes the pipe.
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, err := pc.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("orders-pipe")})
		if err != nil {
			wantPipesError(t, "the pipe after the stack's deletion", err, "NotFoundException", "")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pipe is still there 30s after DeleteStack")
		}
		time.Sleep(100 * time.Millisecond) // waiting for the stack's deletion, not timing it
	}
}
