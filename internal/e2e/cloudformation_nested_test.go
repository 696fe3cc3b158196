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

// TestCloudFormationNestedStackSameURL: a nested stack whose template
// changed behind the same TemplateURL is a change of its parent, as on
// AWS, where every change set of the parent modifies its nested stacks
// (ChangeSource Automatic) and executing it updates them.
func TestCloudFormationNestedStackSameURL(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	sc := s3Client(env)
	putObject(t, sc, "nest2", "leaf.yaml", []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"))
	parent := aws.String("Resources:\n  Leaf:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://nest2.s3.amazonaws.com/leaf.yaml\n")
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("same-url"), TemplateBody: parent}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "same-url"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("create: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	putObject(t, sc, "nest2", "leaf.yaml", []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  R:\n    Type: AWS::SQS::Queue\n"))
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("same-url"), ChangeSetName: aws.String("again"), TemplateBody: parent}); err != nil {
		t.Fatal(err)
	}
	d, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("same-url"), ChangeSetName: aws.String("again")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != cftypes.ChangeSetStatusCreateComplete || len(d.Changes) != 1 {
		t.Fatalf("change set: %s %s %d changes", d.Status, aws.ToString(d.StatusReason), len(d.Changes))
	}
	rc := d.Changes[0].ResourceChange
	if rc.Action != cftypes.ChangeActionModify || aws.ToString(rc.LogicalResourceId) != "Leaf" || rc.Replacement != cftypes.ReplacementFalse ||
		len(rc.Details) != 1 || rc.Details[0].ChangeSource != cftypes.ChangeSourceAutomatic {
		t.Errorf("the nested stack's change: %+v", rc)
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("same-url"), ChangeSetName: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "same-url"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	leaf, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("same-url"), LogicalResourceId: aws.String("Leaf")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: leaf.StackResourceDetail.PhysicalResourceId})
	if err != nil || len(res.StackResourceSummaries) != 2 {
		t.Errorf("the nested stack's resources after the update: %+v %v", res, err)
	}
}
