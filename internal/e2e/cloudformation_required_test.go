package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

// requiredStateMachine is a state machine whose role line is filled in
// (or left out) by the test.
const requiredStateMachine = `Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: required-check
      DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}'
`

// TestCloudFormationRequiredProperties: a resource missing a property
// its type's schema requires fails with CloudFormation's schema
// validation message, on creation and on update, before the service is
// called: no state machine is made, and the one the update would have
// changed keeps its role.
func TestCloudFormationRequiredProperties(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	sf := sfn.NewFromConfig(env.Config)
	reason := func(stack, id string, status cftypes.ResourceStatus) string {
		t.Helper()
		ev, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ev.StackEvents {
			if aws.ToString(e.LogicalResourceId) == id && e.ResourceStatus == status {
				return aws.ToString(e.ResourceStatusReason)
			}
		}
		t.Fatalf("%s: no %s event for %s", stack, status, id)
		return ""
	}
	create := func(name, body string) cftypes.StackStatus {
		t.Helper()
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
		return settleStack(t, cf, name).StackStatus
	}

	if got := create("no-role", requiredStateMachine); got != cftypes.StackStatusRollbackComplete {
		t.Fatalf("created: %s, want ROLLBACK_COMPLETE", got)
	}
	if got, want := reason("no-role", "Machine", cftypes.ResourceStatusCreateFailed),
		"Properties validation failed for resource Machine with message: #: required key [RoleArn] not found"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	machines, err := sf.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(machines.StateMachines) != 0 {
		t.Errorf("the refused resource made %d state machines", len(machines.StateMachines))
	}

	// Several missing keys: one violation a line, in the schema's order.
	if got := create("no-topic", "Resources:\n  Sub:\n    Type: AWS::SNS::Subscription\n    Properties:\n      Endpoint: a@example.com\n"); got != cftypes.StackStatusRollbackComplete {
		t.Fatalf("created: %s, want ROLLBACK_COMPLETE", got)
	}
	if got, want := reason("no-topic", "Sub", cftypes.ResourceStatusCreateFailed),
		"Properties validation failed for resource Sub with message: #: required key [TopicArn] not found\n#: required key [Protocol] not found"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}

	// An update that drops the role fails the same way and rolls back.
	const role = "      RoleArn: arn:aws:iam::000000000000:role/sfn\n"
	if got := create("drop-role", requiredStateMachine+role); got != cftypes.StackStatusCreateComplete {
		t.Fatalf("created: %s", got)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("drop-role"),
		TemplateBody: aws.String(requiredStateMachine), Tags: []cftypes.Tag{{Key: aws.String("team"), Value: aws.String("new")}}}); err != nil {
		t.Fatal(err)
	}
	if got := settleStack(t, cf, "drop-role").StackStatus; got != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("updated: %s, want UPDATE_ROLLBACK_COMPLETE", got)
	}
	if got, want := reason("drop-role", "Machine", cftypes.ResourceStatusUpdateFailed),
		"Properties validation failed for resource Machine with message: #: required key [RoleArn] not found"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	// The rollback puts the stack's template and tags back too.
	tmpl, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("drop-role")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(tmpl.TemplateBody); got != requiredStateMachine+role {
		t.Errorf("template after rollback:\n%s\nwant the previous one", got)
	}
	if tags := settleStack(t, cf, "drop-role").Tags; len(tags) != 0 {
		t.Errorf("tags after rollback: %v, want none", tags)
	}
}
