package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/virga/virga/internal/e2e"
)

const poolMembershipTemplate = `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Admins:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Pool
      GroupName: admins
  Alice:
    Type: AWS::Cognito::UserPoolUser
    Properties:
      UserPoolId: !Ref Pool
      Username: alice
      MessageAction: SUPPRESS
  Membership:
    Type: AWS::Cognito::UserPoolUserToGroupAttachment
    Properties:
      UserPoolId: !Ref Pool
      GroupName: !Ref Admins
      Username: !Ref Alice
Outputs:
  Pool:
    Value: !Ref Pool
  Membership:
    Value: !Ref Membership
`

// TestCloudFormationUserPoolUserToGroupAttachment puts a user in a
// group with a stack, refuses a second stack's attachment of the same
// membership, and takes the user out of the group when the attachment
// goes.
func TestCloudFormationUserPoolUserToGroupAttachment(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	idp := cognitoidentityprovider.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("members"), TemplateBody: aws.String(poolMembershipTemplate)}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "members")
	pool := outs["Pool"]
	if outs["Membership"] != pool+"|admins|alice" {
		t.Errorf("outputs %v", outs)
	}
	groups := func() []string {
		t.Helper()
		out, err := idp.AdminListGroupsForUser(ctx, &cognitoidentityprovider.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		return names
	}
	if got := groups(); len(got) != 1 || got[0] != "admins" {
		t.Fatalf("alice's groups %v", got)
	}

	again := "Resources:\n  Again:\n    Type: AWS::Cognito::UserPoolUserToGroupAttachment\n    Properties:\n      UserPoolId: " + pool + "\n      GroupName: admins\n      Username: alice\n"
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("again"), TemplateBody: aws.String(again)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "again"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("a second attachment: %s", st.StackStatus)
	}
	if got := resourceReason(t, cf, "again", "Again", cftypes.ResourceStatusCreateFailed); !strings.Contains(got, "with identifier '"+pool+"|admins|alice' already exists.") {
		t.Errorf("a second attachment's reason %q", got)
	}
	if got := groups(); len(got) != 1 {
		t.Fatalf("the rollback took alice out of her group: %v", got)
	}

	// Without the attachment, alice leaves the group.
	body := strings.Replace(poolMembershipTemplate, "  Membership:\n    Type: AWS::Cognito::UserPoolUserToGroupAttachment\n    Properties:\n      UserPoolId: !Ref Pool\n      GroupName: !Ref Admins\n      Username: !Ref Alice\n", "", 1)
	body = strings.Replace(body, "  Membership:\n    Value: !Ref Membership\n", "", 1)
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("members"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "members"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s", st.StackStatus)
	}
	if got := groups(); len(got) != 0 {
		t.Errorf("alice's groups after the attachment went: %v", got)
	}
}
