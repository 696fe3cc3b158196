package e2e_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

const userPoolUserTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Email:
    Type: String
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [email]
  Admin:
    Type: AWS::Cognito::UserPoolUser
    Properties:
      UserPoolId: !Ref Pool
      Username: !Ref Email
      MessageAction: SUPPRESS
      ForceAliasCreation: "false"
      UserAttributes:
        - Name: email
          Value: !Ref Email
        - Name: email_verified
          Value: "true"
Outputs:
  Pool:
    Value: !Ref Pool
  User:
    Value: !Ref Admin
`

// TestCognitoUserPoolUserStack makes a user from a template
// (AdminCreateUser: FORCE_CHANGE_PASSWORD, its attributes), replaces it
// when its Username changes (the old user is deleted) and deletes the
// stack.
func TestCognitoUserPoolUserStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	c := cip.NewFromConfig(env.Config)
	name := aws.String("users")
	deploy := func(email string, update bool) map[string]string {
		t.Helper()
		params := []cftypes.Parameter{{ParameterKey: aws.String("Email"), ParameterValue: aws.String(email)}}
		var err error
		if update {
			_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: name, UsePreviousTemplate: aws.Bool(true), Parameters: params})
		} else {
			_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: aws.String(userPoolUserTemplate), Parameters: params})
		}
		if err != nil {
			t.Fatal(err)
		}
		in := &cloudformation.DescribeStacksInput{StackName: name}
		if update {
			err = cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, in, time.Minute)
		} else {
			err = cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, in, time.Minute)
		}
		if err != nil {
			evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: name})
			for _, e := range evs.StackEvents {
				t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
			}
			t.Fatal(err)
		}
		st, err := cf.DescribeStacks(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		outs := map[string]string{}
		for _, o := range st.Stacks[0].Outputs {
			outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
		return outs
	}

	outs := deploy("ana@example.com", false)
	pool := outs["Pool"]
	if outs["User"] != "ana@example.com" {
		t.Fatalf("Ref: %v", outs)
	}
	u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ana@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if u.UserStatus != ciptypes.UserStatusTypeForceChangePassword || attrs["email"] != "ana@example.com" || attrs["email_verified"] != "true" {
		t.Errorf("user: %s %v", u.UserStatus, attrs)
	}

	// A new Username replaces the user.
	if outs = deploy("bo@example.com", true); outs["User"] != "bo@example.com" {
		t.Fatalf("Ref after the update: %v", outs)
	}
	if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("bo@example.com")}); err != nil {
		t.Errorf("the new user: %v", err)
	}
	var nf *ciptypes.UserNotFoundException
	if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ana@example.com")}); !errors.As(err, &nf) {
		t.Errorf("the replaced user: %v", err)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: name}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: name}, time.Minute); err != nil {
		t.Fatal(err)
	}
}
