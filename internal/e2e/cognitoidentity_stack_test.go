package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/virga/virga/internal/e2e"
)

const identityPoolTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Users:
    Type: AWS::Cognito::UserPool
  Web:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
  Identities:
    Type: AWS::Cognito::IdentityPool
    Properties:
      IdentityPoolName: app_identities
      AllowUnauthenticatedIdentities: true
      CognitoIdentityProviders:
        - ProviderName: !GetAtt Users.ProviderName
          ClientId: !Ref Web
      IdentityPoolTags:
        - Key: stage
          Value: dev
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Identities
      Roles:
        authenticated: arn:aws:iam::000000000000:role/member
        unauthenticated: arn:aws:iam::000000000000:role/guest
      RoleMappings:
        web:
          IdentityProvider: !Sub "${Users.ProviderName}:${Web}"
          Type: Token
          AmbiguousRoleResolution: AuthenticatedRole
Outputs:
  Pool:
    Value: !Ref Identities
  Name:
    Value: !GetAtt Identities.Name
  Provider:
    Value: !Sub "${Users.ProviderName}:${Web}"
`

// TestCognitoIdentityPoolStack deploys an identity pool over a user
// pool with its role attachment, and deletes it with the stack.
func TestCognitoIdentityPoolStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	c := ci.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("identities"),
		TemplateBody: aws.String(identityPoolTemplate)}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "identities")
	pool := outs["Pool"]
	if outs["Name"] != "app_identities" {
		t.Errorf("GetAtt Name = %q", outs["Name"])
	}
	desc, err := c.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &pool})
	if err != nil {
		t.Fatal(err)
	}
	if !desc.AllowUnauthenticatedIdentities || len(desc.CognitoIdentityProviders) != 1 || desc.IdentityPoolTags["stage"] != "dev" {
		t.Errorf("pool %+v", desc)
	}
	roles, err := c.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &pool})
	if err != nil {
		t.Fatal(err)
	}
	if roles.Roles["unauthenticated"] != "arn:aws:iam::000000000000:role/guest" || roles.RoleMappings[outs["Provider"]].Type != "Token" {
		t.Errorf("roles %+v", roles)
	}
	// A guest gets the unauthenticated role.
	id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId}); err != nil {
		t.Fatal(err)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("identities")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("identities")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &pool})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

// TestCognitoIdentityCLI makes and lists identity pools with Debian's
// aws CLI.
func TestCognitoIdentityCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	e2e.RequireTool(t, e2e.AWSCLI)
	var pool struct{ IdentityPoolId, IdentityPoolName string }
	cliJSON(t, env.CLI(t, "cognito-identity", "create-identity-pool", "--identity-pool-name", "cli_pool",
		"--allow-unauthenticated-identities"), &pool)
	if pool.IdentityPoolName != "cli_pool" || pool.IdentityPoolId == "" {
		t.Fatalf("create-identity-pool: %+v", pool)
	}
	var list struct {
		IdentityPools []struct{ IdentityPoolId, IdentityPoolName string }
	}
	cliJSON(t, env.CLI(t, "cognito-identity", "list-identity-pools", "--max-results", "10"), &list)
	if len(list.IdentityPools) != 1 || list.IdentityPools[0].IdentityPoolId != pool.IdentityPoolId {
		t.Fatalf("list-identity-pools: %+v", list)
	}
	var id struct{ IdentityId string }
	cliJSON(t, env.CLI(t, "cognito-identity", "get-id", "--identity-pool-id", pool.IdentityPoolId), &id)
	if id.IdentityId == "" {
		t.Fatalf("get-id: %+v", id)
	}
	// Developer-authenticated identities are not there yet, and say so.
	res := env.CLI(t, "cognito-identity", "lookup-developer-identity", "--identity-pool-id", pool.IdentityPoolId, "--identity-id", id.IdentityId)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "UnknownOperationException") {
		t.Errorf("lookup-developer-identity: exit %d, %s", res.ExitCode, res.Stderr)
	}
}
