package e2e_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

const oneQueue = "Resources:\n  Box:\n    Type: AWS::SQS::Queue\n"

// cfnClient is a CloudFormation client with a helper that waits for a
// stack to settle.
func cfnClient(t *testing.T) (*cloudformation.Client, func(name string) cftypes.Stack) {
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	settle := func(name string) cftypes.Stack {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			st := out.Stacks[0]
			if s := string(st.StackStatus); len(s) < 12 || s[len(s)-12:] != "_IN_PROGRESS" || time.Now().After(deadline) {
				return st
			}
		}
	}
	return cf, settle
}

// TestCloudFormationStackErrors checks the wording of the errors of the
// operations that act on a stack: a missing stack is "Stack [name] does
// not exist" to UpdateStack and DescribeStackEvents (DescribeStacks says
// "Stack with id name does not exist"), and a missing change set is
// ChangeSetNotFound, which the SDK maps to its exception type.
func TestCloudFormationStackErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)

	_, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("ghost"), TemplateBody: aws.String(oneQueue)})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [ghost] does not exist" {
		t.Errorf("UpdateStack of a missing stack: %s %q", e.Code, e.Message)
	}
	_, err = cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("ghost")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [ghost] does not exist" {
		t.Errorf("DescribeStackEvents of a missing stack: %s %q", e.Code, e.Message)
	}
	_, err = cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("ghost")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack with id ghost does not exist" {
		t.Errorf("DescribeStacks of a missing stack: %s %q", e.Code, e.Message)
	}

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("held"), TemplateBody: aws.String(oneQueue)}); err != nil {
		t.Fatal(err)
	}
	settle("held")
	_, err = cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("held"), ChangeSetName: aws.String("nothing")})
	var gone *cftypes.ChangeSetNotFoundException
	if !errors.As(err, &gone) {
		t.Errorf("DescribeChangeSet of a missing change set: %v, want ChangeSetNotFoundException", err)
	}
	if e := wantAPIError(t, err); e.Code != "ChangeSetNotFound" || e.Status != 404 || e.Message != "ChangeSet [nothing] does not exist" {
		t.Errorf("DescribeChangeSet of a missing change set: %d %s %q", e.Status, e.Code, e.Message)
	}

	// A resource's creation is two CREATE_IN_PROGRESS events, the second
	// once the service accepted it, with its physical id.
	evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("held")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "Box" {
			got = append(got, string(e.ResourceStatus)+"/"+aws.ToString(e.ResourceStatusReason)+"/"+map[bool]string{true: "id", false: "-"}[aws.ToString(e.PhysicalResourceId) != ""])
		}
	}
	want := []string{"CREATE_COMPLETE//id", "CREATE_IN_PROGRESS/Resource creation Initiated/id", "CREATE_IN_PROGRESS//-"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("events of Box, newest first: %q, want %q", got, want)
	}
}

// TestCloudFormationTerminationProtection: a protected stack cannot be
// deleted, whatever its status, until UpdateTerminationProtection
// clears the protection; DescribeStacks shows it.
func TestCloudFormationTerminationProtection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("keep"), TemplateBody: aws.String(oneQueue),
		EnableTerminationProtection: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	st := settle("keep")
	if !aws.ToBool(st.EnableTerminationProtection) {
		t.Errorf("EnableTerminationProtection %v, want true", st.EnableTerminationProtection)
	}
	_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("keep")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [keep] cannot be deleted while TerminationProtection is enabled" {
		t.Errorf("DeleteStack of a protected stack: %s %q", e.Code, e.Message)
	}
	if st := settle("keep"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Errorf("after a refused delete: %s", st.StackStatus)
	}
	out, err := cf.UpdateTerminationProtection(ctx, &cloudformation.UpdateTerminationProtectionInput{StackName: aws.String("keep"),
		EnableTerminationProtection: aws.Bool(false)})
	if err != nil || aws.ToString(out.StackId) != aws.ToString(st.StackId) {
		t.Fatalf("UpdateTerminationProtection: %+v %v", out, err)
	}
	if st := settle("keep"); aws.ToBool(st.EnableTerminationProtection) {
		t.Errorf("EnableTerminationProtection still true")
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("keep")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keep")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = cf.UpdateTerminationProtection(ctx, &cloudformation.UpdateTerminationProtectionInput{StackName: aws.String("keep"),
		EnableTerminationProtection: aws.Bool(true)})
	if e := wantAPIError(t, err); e.Code != "ValidationError" {
		t.Errorf("UpdateTerminationProtection of a deleted stack: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationTemplateErrorWording: ValidateTemplate and
// CreateStack answer template problems in CloudFormation's words alone,
// without virga's line and column; GetTemplateSummary gives the reason
// for the capabilities it lists.
func TestCloudFormationTemplateErrorWording(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, _ := cfnClient(t)
	for _, c := range []struct{ body, want string }{
		{"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nowhere\n",
			"Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template"},
		{"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
			"Circular dependency between resources: [A, B]"},
	} {
		_, err := cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(c.body)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != c.want {
			t.Errorf("ValidateTemplate: %s %q, want %q", e.Code, e.Message, c.want)
		}
		_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(c.body)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != c.want {
			t.Errorf("CreateStack: %s %q, want %q", e.Code, e.Message, c.want)
		}
	}
	role := "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
	sum, err := cf.GetTemplateSummary(ctx, &cloudformation.GetTemplateSummaryInput{TemplateBody: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Capabilities) != 1 || sum.Capabilities[0] != cftypes.CapabilityCapabilityIam ||
		aws.ToString(sum.CapabilitiesReason) != "The following resource(s) require capabilities: [AWS::IAM::Role]" {
		t.Errorf("GetTemplateSummary: %v %q", sum.Capabilities, aws.ToString(sum.CapabilitiesReason))
	}
}
