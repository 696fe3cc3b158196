package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationInputEnums: a request member outside its enum is
// CloudFormation's ValidationError, worded as AWS words it (a bad
// element of a list reported on the list), and nothing is created;
// valid values still work.
func TestCloudFormationInputEnums(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	const body = `Resources:
  Topic:
    Type: AWS::SNS::Topic
`
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"OnFailure", func() error {
			_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad-onfailure"),
				TemplateBody: aws.String(body), OnFailure: "KEEP"})
			return err
		}, "1 validation error detected: Value 'KEEP' at 'onFailure' failed to satisfy constraint: " +
			"Member must satisfy enum value set: [ROLLBACK, DELETE, DO_NOTHING]"},
		{"Capabilities", func() error {
			_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad-caps"),
				TemplateBody: aws.String(body), Capabilities: []cftypes.Capability{"CAPABILITY_IAM", "CAPABILITY_FOO"}})
			return err
		}, "1 validation error detected: Value '[CAPABILITY_IAM, CAPABILITY_FOO]' at 'capabilities' failed to satisfy constraint: " +
			"Member must satisfy constraint: [Member must satisfy enum value set: [CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND]]"},
		{"ChangeSetType", func() error {
			_, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("bad-cstype"),
				ChangeSetName: aws.String("cs"), TemplateBody: aws.String(body), ChangeSetType: "FOO"})
			return err
		}, "1 validation error detected: Value 'FOO' at 'changeSetType' failed to satisfy constraint: " +
			"Member must satisfy enum value set: [CREATE, UPDATE, IMPORT]"},
		{"OnStackFailure", func() error {
			_, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("bad-osf"),
				ChangeSetName: aws.String("cs"), TemplateBody: aws.String(body), ChangeSetType: "CREATE", OnStackFailure: "X"})
			return err
		}, "1 validation error detected: Value 'X' at 'onStackFailure' failed to satisfy constraint: " +
			"Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]"},
		{"StackStatusFilter", func() error {
			_, err := cf.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []cftypes.StackStatus{"BAD"}})
			return err
		}, "1 validation error detected: Value '[BAD]' at 'stackStatusFilter' failed to satisfy constraint: " +
			"Member must satisfy constraint: [Member must satisfy enum value set: [" +
			"CREATE_IN_PROGRESS, CREATE_FAILED, CREATE_COMPLETE, ROLLBACK_IN_PROGRESS, ROLLBACK_FAILED, ROLLBACK_COMPLETE, " +
			"DELETE_IN_PROGRESS, DELETE_FAILED, DELETE_COMPLETE, UPDATE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, " +
			"UPDATE_COMPLETE, UPDATE_FAILED, UPDATE_ROLLBACK_IN_PROGRESS, UPDATE_ROLLBACK_FAILED, " +
			"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, UPDATE_ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS, IMPORT_IN_PROGRESS, " +
			"IMPORT_COMPLETE, IMPORT_ROLLBACK_IN_PROGRESS, IMPORT_ROLLBACK_FAILED, IMPORT_ROLLBACK_COMPLETE]]"},
	}
	for _, c := range cases {
		got := wantAPIError(t, c.call())
		if got.Code != "ValidationError" || got.Status != 400 || got.Message != c.want {
			t.Errorf("%s: %d %s %q\nwant 400 ValidationError %q", c.name, got.Status, got.Code, got.Message, c.want)
		}
	}
	list, err := cf.ListStacks(ctx, &cloudformation.ListStacksInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StackSummaries) != 0 {
		t.Errorf("refused requests made stacks: %+v", list.StackSummaries)
	}

	// Valid values pass, in lists too.
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("good"), TemplateBody: aws.String(body),
		OnFailure: cftypes.OnFailureDelete, Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}}); err != nil {
		t.Fatal(err)
	}
	settleStack(t, cf, "good")
	list, err = cf.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []cftypes.StackStatus{cftypes.StackStatusCreateComplete}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StackSummaries) != 1 || list.StackSummaries[0].StackStatus != cftypes.StackStatusCreateComplete {
		t.Errorf("ListStacks CREATE_COMPLETE: %+v", list.StackSummaries)
	}
}
