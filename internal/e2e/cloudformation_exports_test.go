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

const (
	exportingTemplate = `Resources:
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  QueueUrl:
    Value: !Ref Queue
    Export:
      Name: base-queue-url
`
	exportingTemplateWithoutExport = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
Outputs:
  QueueUrl:
    Value: !Ref Queue
`
	importingTemplate = `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Select [4, !Split ["/", !ImportValue base-queue-url]]
`
)

// TestCloudFormationExportsInUse: "After another stack imports an output
// value, you can't delete the stack that is exporting the output value or
// modify the exported output value." ListImports names the importers.
func TestCloudFormationExportsInUse(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	stackStatus := func(name string) (cftypes.StackStatus, string) {
		t.Helper()
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Stacks[0].StackStatus, aws.ToString(out.Stacks[0].StackStatusReason)
	}
	wait := func(name string, want cftypes.StackStatus) string {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			st, why := stackStatus(name)
			if st == want {
				return why
			}
			if time.Now().After(deadline) {
				t.Fatalf("stack %s: %s (%s), want %s", name, st, why, want)
			}
		}
	}
	create := func(name, body string) {
		t.Helper()
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
		wait(name, cftypes.StackStatusCreateComplete)
	}
	create("base", exportingTemplate)
	_, err := cf.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("base-queue-url")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Export 'base-queue-url' is not imported by any stack." {
		t.Errorf("ListImports of an export nobody imports: %s %q", e.Code, e.Message)
	}
	create("user", importingTemplate)
	imports, err := cf.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("base-queue-url")})
	if err != nil || len(imports.Imports) != 1 || imports.Imports[0] != "user" {
		t.Fatalf("ListImports: %+v %v", imports, err)
	}

	// The exporting stack can neither drop the export nor be deleted.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("base"), TemplateBody: aws.String(exportingTemplateWithoutExport)}); err != nil {
		t.Fatal(err)
	}
	wait("base", cftypes.StackStatusUpdateRollbackComplete)
	events, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("base")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events.StackEvents {
		if e.ResourceStatus == cftypes.ResourceStatusUpdateRollbackInProgress &&
			aws.ToString(e.ResourceStatusReason) == "Cannot update export base-queue-url as it is in use by user" {
			found = true
		}
	}
	if !found {
		t.Errorf("no UPDATE_ROLLBACK_IN_PROGRESS event naming the export in use")
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("base")}); err != nil {
		t.Fatal(err)
	}
	if why := wait("base", cftypes.StackStatusDeleteFailed); why != "Export base-queue-url cannot be deleted as it is in use by user" {
		t.Errorf("DELETE_FAILED reason %q", why)
	}

	// Once the importer is gone, both work.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("user")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("user")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("base")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("base")}, time.Minute); err != nil {
		t.Fatal(err)
	}
}
