package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

const samMachineEvents = `Transform: AWS::Serverless-2016-10-31
Resources:
  Notes:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: notes
      Definition:
        StartAt: Echo
        States:
          Echo:
            Type: Pass
            End: true
      Events:
        Post:
          Type: Api
          Properties:
            Path: /notes
            Method: post
            UnescapeMappingTemplate: true
        Raw:
          Type: Api
          Properties:
            Path: /raw
            Method: post
        Changed:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [app.notes]
            DeadLetterConfig:
              Type: SQS
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 day)
            DeadLetterConfig:
              Type: SQS
              QueueLogicalId: NightlyDead
Outputs:
  Api:
    Value: !Ref ServerlessRestApi
  RuleQueue:
    Value: !GetAtt NotesChangedQueue.Arn
  ScheduleQueue:
    Value: !GetAtt NightlyDead.Arn
`

// TestSAMStateMachineEventOptions deploys a SAM state machine whose Api
// event gives the body's single quotes back (UnescapeMappingTemplate)
// and whose rule and schedule send what they cannot deliver to queues
// SAM makes for them (DeadLetterConfig Type SQS).
func TestSAMStateMachineEventOptions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("notes"),
		TemplateBody: aws.String(samMachineEvents), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "notes")

	// escapeJavaScript escapes ' as \', which JSON refuses: only the
	// unescaping template starts an execution with such a body.
	body := []byte(`{"note":"it's done"}`)
	res := apigwv1Call(t, env, outs["Api"], "POST", "/Prod/notes", body, map[string]string{"Content-Type": "application/json"}, false)
	var started struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := json.Unmarshal(res.Body, &started); res.Status != 200 || err != nil || started.ExecutionArn == "" {
		t.Fatalf("POST /notes: %d %s", res.Status, res.Body)
	}
	if d := waitExecution(t, sfn.NewFromConfig(env.Config), started.ExecutionArn); aws.ToString(d.Output) != string(body) {
		t.Errorf("output = %s (%s)", aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	if res := apigwv1Call(t, env, outs["Api"], "POST", "/Prod/raw", body, map[string]string{"Content-Type": "application/json"}, false); res.Status != 400 {
		t.Errorf("POST /raw with a quote: %d %s, want StartExecution's 400", res.Status, res.Body)
	}

	targets, err := eventbridge.NewFromConfig(env.Config).ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(ruleName(t, cf, "notes", "NotesChanged"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets.Targets) != 1 || targets.Targets[0].DeadLetterConfig == nil || aws.ToString(targets.Targets[0].DeadLetterConfig.Arn) != outs["RuleQueue"] {
		t.Errorf("rule targets: %+v, want the dead-letter queue %s", targets.Targets, outs["RuleQueue"])
	}
	sched, err := scheduler.NewFromConfig(env.Config).GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("NotesNightly")})
	if err != nil {
		t.Fatal(err)
	}
	if dl := sched.Target.DeadLetterConfig; dl == nil || aws.ToString(dl.Arn) != outs["ScheduleQueue"] {
		t.Errorf("schedule target: %+v, want the dead-letter queue %s", sched.Target, outs["ScheduleQueue"])
	}
	for id, typ := range map[string]string{"NotesChangedQueuePolicy": "AWS::SQS::QueuePolicy", "NightlyDead": "AWS::SQS::Queue"} {
		r, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("notes"), LogicalResourceId: aws.String(id)})
		if err != nil || aws.ToString(r.StackResourceDetail.ResourceType) != typ {
			t.Errorf("%s: %v %v", id, r, err)
		}
	}
}

// ruleName is the physical name of a stack's rule.
func ruleName(t *testing.T, cf *cloudformation.Client, stack, id string) string {
	t.Helper()
	r, err := cf.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{StackName: aws.String(stack), LogicalResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	name := aws.ToString(r.StackResourceDetail.PhysicalResourceId)
	// A rule on the default bus is named by itself; on another, BUS|NAME.
	return name[strings.LastIndex(name, "|")+1:]
}
