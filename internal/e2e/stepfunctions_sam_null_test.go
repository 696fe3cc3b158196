package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// samNullResultPath is a SAM state machine whose inline Definition
// discards a task's result with "ResultPath": null and names its table
// with an intrinsic function.
const samNullResultPath = `Transform: AWS::Serverless-2016-10-31
Resources:
  Notes:
    Type: AWS::Serverless::SimpleTable
  Writer:
    Type: AWS::Serverless::StateMachine
    Properties:
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Notes
      Definition:
        StartAt: Save
        States:
          Save:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: !Ref Notes
              Item:
                id:
                  S.$: $.id
            ResultPath: null
            End: true
Outputs:
  Machine:
    Value: !Ref Writer
  Table:
    Value: !Ref Notes
`

// TestSAMStateMachineNullResultPath deploys a SAM state machine whose
// inline Definition holds "ResultPath": null, which CloudFormation takes
// from a template with the SAM transform (the transform renders the
// definition as text): the task's result is discarded, so the
// execution's output is its input.
func TestSAMStateMachineNullResultPath(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("nulls"), TemplateBody: aws.String(samNullResultPath),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "nulls")
	c := sfn.NewFromConfig(env.Config)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(outs["Machine"]), Input: aws.String(`{"id":"n-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(done.Output) != `{"id":"n-1"}` {
		t.Fatalf("execution %s, output %s (%s %s)", done.Status, aws.ToString(done.Output), aws.ToString(done.Error), aws.ToString(done.Cause))
	}
	got, err := dynamodb.NewFromConfig(env.Config).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(outs["Table"]),
		Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "n-1"}}})
	if err != nil || got.Item == nil {
		t.Fatalf("item not written to %s: %v", outs["Table"], err)
	}
}
