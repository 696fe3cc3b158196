package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/virga/virga/internal/e2e"
)

const iamGroupStackTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Team:
    Type: AWS::IAM::Group
    Properties:
      Path: /teams/
      Policies:
        - PolicyName: read-logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "logs:Get*", Resource: "*"}
  Member:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Team]
  Other:
    Type: AWS::IAM::User
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Groups: [!Ref Team]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "s3:GetObject", Resource: "*"}
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
%s
Outputs:
  Group: {Value: !Ref Team}
  GroupArn: {Value: !GetAtt Team.Arn}
  Member: {Value: !Ref Member}
  Other: {Value: !Ref Other}
  PolicyArn: {Value: !Ref Managed}
  Role: {Value: !Ref Worker}
`

// The update adds the other user to the group and gives the role a
// permissions boundary, which IAM changes in place.
const iamGroupStackUpdate = `      PermissionsBoundary: !Ref Managed
  Addition:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref Team
      Users: [!Ref Other]`

// TestIAMGroupStack deploys a group with a member and a managed policy
// attached to it, updates it, and deletes the stack.
func TestIAMGroupStack(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "group-stack", strings.Replace(iamGroupStackTemplate, "%s\n", "", 1))
	c := iamClient(env)
	ctx := context.Background()
	group := outs["Group"]

	got, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(group, "group-stack-Team-") || aws.ToString(got.Group.Arn) != outs["GroupArn"] ||
		aws.ToString(got.Group.Path) != "/teams/" {
		t.Errorf("outputs %v, group %+v", outs, got.Group)
	}
	if len(got.Users) != 1 || aws.ToString(got.Users[0].UserName) != outs["Member"] {
		t.Errorf("group's users = %+v", got.Users)
	}
	attached, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(group)})
	if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != outs["PolicyArn"] {
		t.Errorf("group's managed policies = %+v, %v", attached, err)
	}
	inline, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(group), PolicyName: aws.String("read-logs")})
	if err != nil || !strings.Contains(decoded(t, inline.PolicyDocument), "logs:Get*") {
		t.Errorf("group's inline policy = %+v, %v", inline, err)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(outs["PolicyArn"])})
	if err != nil || len(ents.PolicyGroups) != 1 || aws.ToString(ents.PolicyGroups[0].GroupName) != group {
		t.Errorf("policy's entities = %+v, %v", ents, err)
	}

	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("group-stack"),
		TemplateBody: aws.String(strings.Replace(iamGroupStackTemplate, "%s", iamGroupStackUpdate, 1)),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("group-stack")}, 60e9); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(group)})
	if err != nil || len(got.Users) != 2 {
		t.Errorf("group's users after the update = %+v, %v", got, err)
	}
	role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(outs["Role"])})
	if err != nil || role.Role.PermissionsBoundary == nil || aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn) != outs["PolicyArn"] {
		t.Errorf("role's boundary after the update = %+v, %v", role, err)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("group-stack")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, gerr := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(group)})
		_, uerr := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(outs["Member"])})
		_, perr := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(outs["PolicyArn"])})
		if gerr != nil && uerr != nil && perr != nil {
			wantIAMError(t, "group after the stack's deletion", gerr, "NoSuchEntity", "")
			wantIAMError(t, "user after the stack's deletion", uerr, "NoSuchEntity", "")
			wantIAMError(t, "policy after the stack's deletion", perr, "NoSuchEntity", "")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stack's entities outlived it: %v %v %v", gerr, uerr, perr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
