package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

const secretPolicyTemplate = `Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: guarded
      SecretString: s3cret
  Policy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: !Ref Secret
      BlockPublicPolicy: true
      ResourcePolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::` + testAccount + `:role/PRINCIPAL"}
            Action: secretsmanager:GetSecretValue
            Resource: "*"
Outputs:
  Policy:
    Value: !Ref Policy
`

// TestCloudFormationSecretResourcePolicy puts a secret's resource policy
// with a stack, updates it, refuses a public one as BlockPublicPolicy
// does, and removes it when the resource goes.
func TestCloudFormationSecretResourcePolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	sm := secretsmanager.NewFromConfig(env.Config)
	body := func(principal string) *string {
		return aws.String(strings.ReplaceAll(secretPolicyTemplate, "PRINCIPAL", principal))
	}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("guard"), TemplateBody: body("reader")}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "guard")
	policy := func() string {
		t.Helper()
		out, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("guarded")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ARN) != outs["Policy"] {
			t.Errorf("policy of %s, Ref %s", aws.ToString(out.ARN), outs["Policy"])
		}
		return aws.ToString(out.ResourcePolicy)
	}
	if !strings.Contains(outs["Policy"], ":secret:guarded-") || !strings.Contains(policy(), "role/reader") {
		t.Fatalf("outputs %v, policy %s", outs, policy())
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("guard"), TemplateBody: body("writer")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "guard"); st.StackStatus != cftypes.StackStatusUpdateComplete || !strings.Contains(policy(), "role/writer") {
		t.Fatalf("update: %s, policy %s", st.StackStatus, policy())
	}

	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	var ae smithy.APIError
	_, err := sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("guarded"), ResourcePolicy: aws.String(public)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "PublicPolicyException" {
		t.Errorf("a public policy: %v", err)
	}
	v, err := sm.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String(public)})
	if err != nil || v.PolicyValidationPassed || len(v.ValidationErrors) != 1 {
		t.Errorf("validating a public policy: %+v %v", v, err)
	}
	_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("guarded"), ResourcePolicy: aws.String("{")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocumentException" {
		t.Errorf("a malformed policy: %v", err)
	}

	// Without the resource, the secret has no policy.
	without := strings.SplitN(*body("writer"), "  Policy:\n    Type:", 2)[0]
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("guard"), TemplateBody: aws.String(without)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "guard"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("removing the policy: %s", st.StackStatus)
	}
	out, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("guarded")})
	if err != nil || out.ResourcePolicy != nil {
		t.Errorf("the policy after its resource went: %v %v", out, err)
	}
}
