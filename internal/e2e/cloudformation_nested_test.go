package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationNestedStackLineage: each nested stack reports the
// stack that made it as ParentId and the top-level stack as RootId, in
// DescribeStacks and ListStacks; a top-level stack reports neither.
func TestCloudFormationNestedStackLineage(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	sc := s3Client(env)
	putObject(t, sc, "nest", "leaf.yaml", []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  Q:\n    Value: !GetAtt Q.QueueName\n"))
	putObject(t, sc, "nest", "mid.yaml", []byte("Resources:\n  Leaf:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://s3.amazonaws.com/nest/leaf.yaml\n"+
		"Outputs:\n  Q:\n    Value: !GetAtt Leaf.Outputs.Q\n"))
	root, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("top"), TemplateBody: aws.String(
		"Resources:\n  Mid:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://nest.s3.amazonaws.com/mid.yaml\n")})
	if err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "top"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("top: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	physical := func(stack, logical string) string {
		t.Helper()
		out, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String(stack), LogicalResourceId: aws.String(logical)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.StackResourceDetail.PhysicalResourceId)
	}
	rootID := aws.ToString(root.StackId)
	midID := physical(rootID, "Mid")
	leafID := physical(midID, "Leaf")

	lineage := map[string][2]string{rootID: {"", ""}, midID: {rootID, rootID}, leafID: {midID, rootID}}
	for id, want := range lineage {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		st := out.Stacks[0]
		if aws.ToString(st.ParentId) != want[0] || aws.ToString(st.RootId) != want[1] {
			t.Errorf("%s: ParentId %q RootId %q, want %q %q", aws.ToString(st.StackName), aws.ToString(st.ParentId), aws.ToString(st.RootId), want[0], want[1])
		}
	}
	all, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	if err != nil || len(all.Stacks) != 3 {
		t.Fatalf("DescribeStacks of all: %d stacks, %v", len(all.Stacks), err)
	}
	list, err := cf.ListStacks(ctx, &cloudformation.ListStacksInput{})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, sum := range list.StackSummaries {
		want, ok := lineage[aws.ToString(sum.StackId)]
		if !ok {
			continue
		}
		seen++
		if aws.ToString(sum.ParentId) != want[0] || aws.ToString(sum.RootId) != want[1] {
			t.Errorf("ListStacks %s: ParentId %q RootId %q", aws.ToString(sum.StackName), aws.ToString(sum.ParentId), aws.ToString(sum.RootId))
		}
	}
	if seen != 3 {
		t.Errorf("ListStacks listed %d of the 3 stacks", seen)
	}

	// Deleted with their root, they keep their lineage in ListStacks.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("top")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, rootID); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(leafID)})
	if err != nil || out.Stacks[0].StackStatus != cftypes.StackStatusDeleteComplete || aws.ToString(out.Stacks[0].RootId) != rootID {
		t.Errorf("deleted leaf: %+v %v", out, err)
	}
}
