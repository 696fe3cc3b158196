package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationCustomNameReplacement: an update that would replace a
// resource whose name the template fixes fails as CloudFormation fails it,
// since the new resource cannot take the name while the old one has it.
func TestCloudFormationCustomNameReplacement(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	table := func(key string) string {
		return `Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: fixed-name
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: ` + key + `, AttributeType: S}]
      KeySchema: [{AttributeName: ` + key + `, KeyType: HASH}]
`
	}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("named"), TemplateBody: aws.String(table("id"))}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("named")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("named"), TemplateBody: aws.String(table("pk"))}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("named")}, time.Minute); err == nil {
		t.Fatal("the update completed")
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("named")})
	if err != nil || st.Stacks[0].StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("status: %+v %v", st, err)
	}
	events, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("named")})
	if err != nil {
		t.Fatal(err)
	}
	const want = "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename fixed-name and update the stack again."
	found := false
	for _, e := range events.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "T" && e.ResourceStatus == cftypes.ResourceStatusUpdateFailed {
			found = aws.ToString(e.ResourceStatusReason) == want
			if !found {
				t.Errorf("UPDATE_FAILED reason %q", aws.ToString(e.ResourceStatusReason))
			}
		}
	}
	if !found {
		t.Errorf("no UPDATE_FAILED event for T with %q", want)
	}
	if strings.Contains(aws.ToString(st.Stacks[0].StackStatusReason), "already exists") {
		t.Errorf("reason %q", aws.ToString(st.Stacks[0].StackStatusReason))
	}
}
