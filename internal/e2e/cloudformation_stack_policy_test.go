package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationStackPolicy: a stack keeps the policy CreateStack,
// SetStackPolicy or UpdateStack gives it, and GetStackPolicy answers it
// (nothing for a stack without one); a policy that is no policy is
// refused as CloudFormation refuses it.
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
	if _, err := cf.SetStackPolicy(ctx, &cloudformation.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String(allowAll)}); err != nil {
		t.Fatal(err)
	}
	if got := policy("guarded"); got != allowAll {
		t.Errorf("after SetStackPolicy: %q", got)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("guarded"),
		TemplateBody:    aws.String(`{"Resources":{"Topic":{"Type":"AWS::SNS::Topic"},"Other":{"Type":"AWS::SNS::Topic"}}}`),
		StackPolicyBody: aws.String(denyAll)}); err != nil {
		t.Fatal(err)
	}
	if got := policy("guarded"); got != denyAll {
		t.Errorf("after UpdateStack: %q", got)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("guarded")}, 90*time.Second); err != nil {
		t.Fatal(err)
	}

	_, err := cf.SetStackPolicy(ctx, &cloudformation.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String("not a policy")})
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
