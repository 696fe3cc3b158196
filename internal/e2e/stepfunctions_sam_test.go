package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

const samStateMachine = `Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::SimpleTable
  Recorder:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: recorder
      DefinitionSubstitutions:
        TableName: !Ref Orders
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Orders
      Definition:
        StartAt: Save
        States:
          Save:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: ${TableName}
              Item:
                id:
                  S.$: $.detail.orderId
            End: true
      Events:
        Placed:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [app.orders]
  Intake:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: intake
      Definition:
        StartAt: Echo
        States:
          Echo:
            Type: Pass
            Parameters:
              got.$: $.order
            End: true
      Events:
        Post:
          Type: Api
          Properties:
            Path: /orders
            Method: post
  Plain:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::000000000000:role/states
      DefinitionString: '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"${Word}","End":true}}}'
      DefinitionSubstitutions:
        Word: hello
Outputs:
  Api:
    Value: !Ref ServerlessRestApi
  Machine:
    Value: !Ref Recorder
  MachineName:
    Value: !GetAtt Recorder.Name
  Table:
    Value: !Ref Orders
  Plain:
    Value: !Ref Plain
`

// TestSAMStateMachine deploys a SAM state machine started by an
// EventBridge rule, which writes the event's order id to a table.
func TestSAMStateMachine(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "machines", samStateMachine)
	if outs["Machine"] != "arn:aws:states:us-east-1:000000000000:stateMachine:recorder" || outs["MachineName"] != "recorder" {
		t.Errorf("outputs: %v", outs)
	}
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(outs["Plain"])})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, aws.ToString(start.ExecutionArn)); aws.ToString(d.Output) != `"hello"` {
		t.Errorf("Plain output = %s (%s)", aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	if _, err := eventbridge.NewFromConfig(env.Config).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app.orders"), DetailType: aws.String("Placed"), Detail: aws.String(`{"orderId":"o-1"}`)}}}); err != nil {
		t.Fatal(err)
	}
	// The Api event's method starts an execution with the request body.
	res := apigwv1Call(t, env, outs["Api"], "POST", "/Prod/orders", []byte(`{"order":"o-2"}`), map[string]string{"Content-Type": "application/json"}, false)
	var started struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := json.Unmarshal(res.Body, &started); res.Status != 200 || err != nil || !strings.HasPrefix(started.ExecutionArn, "arn:aws:states:us-east-1:000000000000:execution:intake:") {
		t.Fatalf("POST /orders: %d %s", res.Status, res.Body)
	}
	if d := waitExecution(t, c, started.ExecutionArn); aws.ToString(d.Output) != `{"got":"o-2"}` {
		t.Errorf("Intake output = %s (%s)", aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	db := dynamodb.NewFromConfig(env.Config)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(outs["Table"]),
			Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "o-1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item != nil {
			break
		}
		if time.Now().After(deadline) {
			list, _ := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(outs["Machine"])})
			t.Fatalf("no item written; executions: %+v", list)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
