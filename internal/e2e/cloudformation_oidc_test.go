package e2e_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// githubOIDCTemplate is the OIDC provider and role a GitHub Actions
// deployment trusts.
const githubOIDCTemplate = `Resources:
  GitHub:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [CLIENTS]
      ThumbprintList: [THUMB]
      Tags: [{Key: team, Value: TEAM}]
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: !Ref GitHub}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}
Outputs:
  Provider:
    Value: !Ref GitHub
  Arn:
    Value: !GetAtt GitHub.Arn
`

func githubOIDC(clients, thumb, team string) string {
	return strings.NewReplacer("CLIENTS", clients, "THUMB", thumb, "TEAM", team).Replace(githubOIDCTemplate)
}

// TestCloudFormationOIDCProvider deploys GitHub Actions' OIDC provider,
// reads it through IAM, changes its client ids, thumbprint and tags in
// place, refuses a second stack's provider for the same issuer, and
// checks IAM's own answers to a duplicate and a missing provider.
func TestCloudFormationOIDCProvider(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	ic := iam.NewFromConfig(env.Config)
	caps := []cftypes.Capability{cftypes.CapabilityCapabilityIam}
	const thumb1, thumb2 = "6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
	arn := "arn:aws:iam::" + testAccount + ":oidc-provider/token.actions.githubusercontent.com"

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("gh"), Capabilities: caps,
		TemplateBody: aws.String(githubOIDC("sts.amazonaws.com", thumb1, "a"))}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "gh")
	if outs["Provider"] != arn || outs["Arn"] != arn {
		t.Fatalf("outputs %v", outs)
	}
	check := func(clients []string, thumb, team string) {
		t.Helper()
		got, err := ic.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.Url) != "token.actions.githubusercontent.com" || !slices.Equal(got.ClientIDList, clients) ||
			!slices.Equal(got.ThumbprintList, []string{thumb}) || len(got.Tags) != 1 || aws.ToString(got.Tags[0].Value) != team {
			t.Errorf("provider %+v", got)
		}
	}
	check([]string{"sts.amazonaws.com"}, thumb1, "a")

	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("gh"), Capabilities: caps,
		TemplateBody: aws.String(githubOIDC("sts.amazonaws.com, other", thumb2, "b"))}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "gh"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s", st.StackStatus)
	}
	check([]string{"sts.amazonaws.com", "other"}, thumb2, "b")

	// IAM refuses a second provider for the issuer, and so does a
	// second stack, before it calls IAM.
	_, err := ic.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ThumbprintList: []string{thumb1}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "EntityAlreadyExists" || ae.ErrorMessage() != "Provider with url https://token.actions.githubusercontent.com already exists." {
		t.Errorf("a second provider: %v", err)
	}
	_, err = ic.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://issuer.example.com"),
		ThumbprintList: []string{"not-a-thumbprint"}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidInput" {
		t.Errorf("a bad thumbprint: %v", err)
	}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("gh2"), Capabilities: caps,
		TemplateBody: aws.String(githubOIDC("sts.amazonaws.com", thumb1, "c"))}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "gh2"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("second stack: %s", st.StackStatus)
	}
	if got := resourceReason(t, cf, "gh2", "GitHub", cftypes.ResourceStatusCreateFailed); !strings.Contains(got, "Resource of type 'AWS::IAM::OIDCProvider' with identifier '"+arn+"' already exists.") {
		t.Errorf("second stack's reason %q", got)
	}
	check([]string{"sts.amazonaws.com", "other"}, thumb2, "b")

	id := aws.ToString(settleStack(t, cf, "gh").StackId)
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, id); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
	list, err := ic.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(list.OpenIDConnectProviderList) != 0 {
		t.Errorf("providers after the stack's deletion: %+v %v", list, err)
	}
	_, err = ic.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" {
		t.Errorf("a deleted provider: %v", err)
	}
}
