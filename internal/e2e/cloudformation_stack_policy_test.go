package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationStackPolicy: a stack keeps the policy CreateStack,
// SetStackPolicy or UpdateStack gives it, and GetStackPolicy answers it
// (nothing for a stack without one); an update the policy denies (by a
// Deny, or for want of an Allow) fails with the resource's UPDATE_FAILED
// event and rolls back; a policy that is no policy is refused as
// CloudFormation refuses it.
func TestCloudFormationStackPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	const template = `{"Resources":{"Topic":{"Type":"AWS::SNS::Topic"}}}`
	const denyAll = `{"Statement":[{"Effect":"Deny","Action":"Update:*","Principal":"*","Resource":"*"}]}`
	const allowAll = `{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`
	policy := func(stack string) string {
		t.Helper()
		out, err := cf.GetStackPolicy(ctx, &cloudformation.GetStackPolicyInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatalf("GetStackPolicy %s: %v", stack, err)
		}
		return aws.ToString(out.StackPolicyBody)
	}

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("guarded"), TemplateBody: aws.String(template),
		StackPolicyBody: aws.String(denyAll)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("guarded")}, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := policy("guarded"); got != denyAll {
		t.Errorf("after CreateStack: %q", got)
	}
	// The policy denies every update: one that modifies the topic fails
	// before it changes anything, and rolls back.
	named := `{"Resources":{"Topic":{"Type":"AWS::SNS::Topic","Properties":{"DisplayName":"renamed"}}}}`
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("guarded"), TemplateBody: aws.String(named)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("guarded")}, 90*time.Second); err == nil {
		t.Fatal("an update the policy denies completed")
	}
	stacks, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("guarded")})
	if err != nil || stacks.Stacks[0].StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("after a denied update: %+v %v", stacks, err)
	}
	const denied = "Action denied by stack policy: Statement [#1] does not allow [Update:Modify] for resource [LogicalResourceId/Topic]"
	if !stackEventReason(t, cf, "guarded", "Topic", cftypes.ResourceStatusUpdateFailed, denied) {
		t.Errorf("no UPDATE_FAILED event %q", denied)
	}

	// Allowed, it goes through; a new policy given with an update holds
	// from the next one, which it denies (no statement allows a delete).
	if _, err := cf.SetStackPolicy(ctx, &cloudformation.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String(allowAll)}); err != nil {
		t.Fatal(err)
	}
	if got := policy("guarded"); got != allowAll {
		t.Errorf("after SetStackPolicy: %q", got)
	}
	const modifyOnly = `{"Statement":[{"Effect":"Allow","Action":"Update:Modify","Principal":"*","Resource":"LogicalResourceId/*"}]}`
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("guarded"), TemplateBody: aws.String(named),
		StackPolicyBody: aws.String(modifyOnly)}); err != nil {
		t.Fatal(err)
	}
	if got := policy("guarded"); got != modifyOnly {
		t.Errorf("after UpdateStack: %q", got)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("guarded")}, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("guarded"),
		TemplateBody: aws.String(`{"Resources":{"Other":{"Type":"AWS::SNS::Topic"}}}`)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("guarded")}, 90*time.Second); err == nil {
		t.Fatal("a delete no statement allows completed")
	}
	const noAllow = "Action denied by stack policy: No statement allows [Update:Delete] for resource [LogicalResourceId/Topic]"
	if !stackEventReason(t, cf, "guarded", "Topic", cftypes.ResourceStatusUpdateFailed, noAllow) {
		t.Errorf("no UPDATE_FAILED event %q", noAllow)
	}

	_, err = cf.SetStackPolicy(ctx, &cloudformation.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String("not a policy")})
	if got := expectAPIError(t, err, "ValidationError", 400); got.Message != "Error validating stack policy: Invalid stack policy" {
		t.Errorf("invalid policy: %q", got.Message)
	}
	_, err = cf.SetStackPolicy(ctx, &cloudformation.SetStackPolicyInput{StackName: aws.String("missing"), StackPolicyBody: aws.String(allowAll)})
	expectAPIError(t, err, "ValidationError", 400)

	deployStack(t, cf, "open", template, false)
	if got := policy("open"); got != "" {
		t.Errorf("a stack without a policy: %q", got)
	}
}

// stackEventReason reports whether the stack has an event of the
// resource with the status and reason.
func stackEventReason(t *testing.T, cf *cloudformation.Client, stack, logicalID string, status cftypes.ResourceStatus, reason string) bool {
	t.Helper()
	p := cloudformation.NewDescribeStackEventsPaginator(cf, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.StackEvents {
			if aws.ToString(e.LogicalResourceId) == logicalID && e.ResourceStatus == status && aws.ToString(e.ResourceStatusReason) == reason {
				return true
			}
		}
	}
	return false
}
