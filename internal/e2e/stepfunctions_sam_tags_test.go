package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestSAMStateMachinePropagateTags deploys a SAM state machine with
// PropagateTags (from Globals): its tags reach the machine, its
// execution role, its rule's role and its rule's dead-letter queue, as
// AWS's translator puts them there.
func TestSAMStateMachinePropagateTags(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "tagged", `Transform: AWS::Serverless-2016-10-31
Globals:
  StateMachine:
    PropagateTags: true
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
      Tags: {team: blue}
      Events:
        Bus:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [app.tags]}
            DeadLetterConfig: {Type: SQS}
Outputs:
  Machine:
    Value: !Ref Flow
  Role:
    Value: !Ref FlowRole
  RuleRole:
    Value: !Ref FlowBusRole
  Queue:
    Value: !Ref FlowBusQueue
`)
	ctx := context.Background()
	tags, err := sfn.NewFromConfig(env.Config).ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(outs["Machine"])})
	if err != nil {
		t.Fatal(err)
	}
	// With CloudFormation's own aws:cloudformation: tags.
	machineTags := map[string]string{}
	for _, tg := range tags.Tags {
		machineTags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if len(machineTags) != 4 || machineTags["team"] != "blue" || machineTags["aws:cloudformation:logical-id"] != "Flow" {
		t.Errorf("state machine tags: %v", machineTags)
	}
	ic := iam.NewFromConfig(env.Config)
	for _, role := range []string{outs["Role"], outs["RuleRole"]} {
		rt, err := ic.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(role)})
		if err != nil || len(rt.Tags) != 1 || aws.ToString(rt.Tags[0].Key) != "team" || aws.ToString(rt.Tags[0].Value) != "blue" {
			t.Errorf("role %s tags: %v %+v", role, err, rt)
		}
	}
	qt, err := sqs.NewFromConfig(env.Config).ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(outs["Queue"])})
	if err != nil || qt.Tags["team"] != "blue" {
		t.Errorf("dead-letter queue tags: %v %+v", err, qt)
	}
}
