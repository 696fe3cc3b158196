package e2e_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// samEventDriven has the shapes of published event-driven SAM
// applications: a destination chosen with Fn::If and AWS::NoValue (SAM's
// own example of Lambda destinations), filter policies and event
// patterns with numeric comparisons, and a rule that passes the detail
// of an event on with InputPath.
const samEventDriven = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  UseOwnQueue:
    Type: String
    AllowedValues: ["true", "false"]
    Default: "false"
Conditions:
  OwnQueue: !Equals [!Ref UseOwnQueue, "true"]
Resources:
  Mine:
    Type: AWS::SQS::Queue
    Condition: OwnQueue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"done": event}
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig:
          OnSuccess:
            Type: SQS
            Destination: !If [OwnQueue, !GetAtt Mine.Arn, !Ref 'AWS::NoValue']
      Events:
        BigOrders:
          Type: SNS
          Properties:
            Topic: !Ref Orders
            FilterPolicyScope: MessageBody
            FilterPolicy:
              total: [{numeric: [">=", 100]}]
  Orders:
    Type: AWS::SNS::Topic
  Details:
    Type: AWS::SQS::Queue
  DetailsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Details]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: events.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Details.Arn
  DetailsRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [shop]
        detail:
          total: [{numeric: [">", 10]}]
      Targets:
        - Id: details
          Arn: !GetAtt Details.Arn
          InputPath: $.detail
Outputs:
  Worker:
    Value: !Ref Worker
  Successes:
    Value: !Ref Worker.DestinationQueue
  Details:
    Value: !Ref Details
  Rule:
    Value: !Ref DetailsRule
`

// TestSAMEventDrivenApp deploys samEventDriven with the aws CLI and reads
// its effects back with it: SAM's queue receives the success record, the
// filter policy and the event pattern read back with their operators as
// written, and the queue behind InputPath receives the event's detail as
// it was put.
func TestSAMEventDrivenApp(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "shop", samEventDriven)
	if !strings.Contains(outs["Successes"], "/shop-WorkerEventInvokeConfigOnSuccessQueue-") {
		t.Fatalf("Worker.DestinationQueue: %v", outs)
	}

	// The filter policy and the pattern read back as the template wrote them.
	subs := env.CLI(t, "sns", "list-subscriptions", "--query", "Subscriptions[0].SubscriptionArn", "--output", "text")
	policy := env.CLI(t, "sns", "get-subscription-attributes", "--subscription-arn", strings.TrimSpace(subs.Stdout),
		"--query", "Attributes.FilterPolicy", "--output", "text")
	if got := strings.TrimSpace(policy.Stdout); got != `{"total":[{"numeric":[">=",100]}]}` {
		t.Errorf("FilterPolicy %q (%s)", got, policy.Stderr)
	}
	rule := env.CLI(t, "events", "describe-rule", "--name", outs["Rule"], "--query", "EventPattern", "--output", "text")
	if got := strings.TrimSpace(rule.Stdout); !strings.Contains(got, `{"numeric":[">",10]}`) {
		t.Errorf("EventPattern %q (%s)", got, rule.Stderr)
	}

	// An asynchronous invocation's record reaches the queue SAM made.
	qc := sqs.NewFromConfig(env.Config)
	if res := env.CLI(t, "lambda", "invoke", "--function-name", outs["Worker"], "--invocation-type", "Event",
		"--cli-binary-format", "raw-in-base64-out", "--payload", `{"n":1}`, os.DevNull); res.ExitCode != 0 {
		t.Fatalf("invoke: %s", res.Stderr)
	}
	var record struct {
		RequestContext  struct{ Condition string }
		ResponsePayload struct {
			Done map[string]any
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(receiveOne(t, qc, outs["Successes"]).Body)), &record); err != nil ||
		record.RequestContext.Condition != "Success" || record.ResponsePayload.Done["n"] != float64(1) {
		t.Errorf("success record %+v %v", record, err)
	}

	// InputPath passes the detail on as it was put: member order and
	// characters kept.
	detail := `{"total":25,"note":"a < b & c","id":"o-1"}`
	entries, _ := json.Marshal([]map[string]string{{"Source": "shop", "DetailType": "Placed", "Detail": detail}})
	if res := env.CLI(t, "events", "put-events", "--entries", string(entries)); res.ExitCode != 0 {
		t.Fatalf("put-events: %s", res.Stderr)
	}
	if got := aws.ToString(receiveOne(t, qc, outs["Details"]).Body); got != detail {
		t.Errorf("InputPath delivered %s, want %s", got, detail)
	}
}
