package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/virga/virga/internal/e2e"
)

const iamStackTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "s3:GetObject", Resource: "*"}
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: queue-access
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "sqs:*", Resource: "*"}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    return 1\n"
Outputs:
  RoleName: {Value: !Ref Role}
  RoleArn: {Value: !GetAtt Role.Arn}
  RoleId: {Value: !GetAtt Role.RoleId}
  PolicyArn: {Value: !Ref Managed}
  FnRole: {Value: !Ref FnRole}
`

// TestIAMStack deploys roles and policies with CloudFormation and finds
// them in IAM, SAM's generated function role among them; deleting the
// stack deletes them.
func TestIAMStack(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "iam-stack", iamStackTemplate)
	c := iamClient(env)
	ctx := context.Background()

	role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(outs["RoleName"])})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(outs["RoleName"], "iam-stack-Role-") || aws.ToString(role.Role.Arn) != outs["RoleArn"] ||
		aws.ToString(role.Role.RoleId) != outs["RoleId"] {
		t.Errorf("outputs %v, role %+v", outs, role.Role)
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(outs["RoleName"])})
	if err != nil || len(attached.AttachedPolicies) != 2 {
		t.Errorf("attached to the role: %+v %v", attached, err)
	}
	inline, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(outs["RoleName"]), PolicyName: aws.String("queue-access")})
	if err != nil || !strings.Contains(decoded(t, inline.PolicyDocument), "sqs:*") {
		t.Errorf("inline policy: %+v %v", inline, err)
	}
	policy, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(outs["PolicyArn"])})
	if err != nil || aws.ToInt32(policy.Policy.AttachmentCount) != 1 {
		t.Errorf("managed policy: %+v %v", policy, err)
	}
	fnRole, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(outs["FnRole"])})
	if err != nil {
		t.Fatalf("SAM's function role: %v", err)
	}
	fnAttached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: fnRole.Role.RoleName})
	if err != nil || len(fnAttached.AttachedPolicies) != 1 || aws.ToString(fnAttached.AttachedPolicies[0].PolicyArn) != basicExecution {
		t.Errorf("SAM's function role's policies: %+v %v", fnAttached, err)
	}

	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("iam-stack")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(outs["RoleName"])})
		if err != nil {
			wantIAMError(t, "role after the stack's deletion", err, "NoSuchEntity", "")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stack's role outlived the stack")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		_, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(outs["PolicyArn"])})
		if err != nil {
			wantIAMError(t, "policy after the stack's deletion", err, "NoSuchEntity", "")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stack's managed policy outlived the stack")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
