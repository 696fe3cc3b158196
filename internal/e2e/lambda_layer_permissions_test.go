package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaLayerVersionPermissions covers a layer version's
// resource-based policy through the SDK: the statements as Lambda renders
// them (an account as its root, an organization as a PrincipalOrgID
// condition), the policy's own RevisionId guarding changes, and the
// answers for what does not exist.
func TestLambdaLayerVersionPermissions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	pub, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("shared"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: scriptZip(t, "layer")}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(pub.LayerVersionArn)

	// The layer may be named by its ARN, as by its name.
	add := func(sid, principal, org, revision string) (*lambda.AddLayerVersionPermissionOutput, error) {
		in := &lambda.AddLayerVersionPermissionInput{LayerName: pub.LayerArn, VersionNumber: aws.Int64(1), StatementId: aws.String(sid),
			Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String(principal)}
		if org != "" {
			in.OrganizationId = aws.String(org)
		}
		if revision != "" {
			in.RevisionId = aws.String(revision)
		}
		return c.AddLayerVersionPermission(ctx, in)
	}
	first, err := add("xaccount", "210987654321", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"lambda:GetLayerVersion","Resource":"` + arn + `"}`; aws.ToString(first.Statement) != want {
		t.Errorf("Statement = %s, want %s", aws.ToString(first.Statement), want)
	}
	_, err = add("org", "*", "o-t194hfs8cz", "not-the-revision")
	expectAPIError(t, err, "PreconditionFailedException", 412)
	second, err := add("org", "*", "o-t194hfs8cz", aws.ToString(first.RevisionId))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(second.RevisionId) == aws.ToString(first.RevisionId) {
		t.Error("adding a statement left the policy's RevisionId as it was")
	}
	_, err = add("org", "*", "", "")
	if e := expectAPIError(t, err, "ResourceConflictException", 409); e.Message !=
		"The statement id (org) provided already exists. Please provide a new statement id, or remove the existing statement." {
		t.Errorf("duplicate statement id: %q", e.Message)
	}
	_, err = c.AddLayerVersionPermission(ctx, &lambda.AddLayerVersionPermissionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1),
		StatementId: aws.String("list"), Action: aws.String("ListLayerVersions"), Principal: aws.String("*")})
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		"1 validation error detected: Value 'ListLayerVersions' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion" {
		t.Errorf("another action: %q", e.Message)
	}

	pol, err := c.GetLayerVersionPolicy(ctx, &lambda.GetLayerVersionPolicyInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"default","Statement":[` + aws.ToString(first.Statement) + `,` +
		`{"Sid":"org","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"` + arn + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-t194hfs8cz"}}}]}`
	if aws.ToString(pol.Policy) != want || aws.ToString(pol.RevisionId) != aws.ToString(second.RevisionId) {
		t.Errorf("GetLayerVersionPolicy = %s (%s), want %s (%s)", aws.ToString(pol.Policy), aws.ToString(pol.RevisionId), want, aws.ToString(second.RevisionId))
	}

	remove := func(sid, revision string) error {
		in := &lambda.RemoveLayerVersionPermissionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1), StatementId: aws.String(sid)}
		if revision != "" {
			in.RevisionId = aws.String(revision)
		}
		_, err := c.RemoveLayerVersionPermission(ctx, in)
		return err
	}
	expectAPIError(t, remove("org", aws.ToString(first.RevisionId)), "PreconditionFailedException", 412)
	if err := remove("org", aws.ToString(second.RevisionId)); err != nil {
		t.Fatal(err)
	}
	if e := expectAPIError(t, remove("org", ""), "ResourceNotFoundException", 404); e.Message != "Statement org is not found in resource policy." {
		t.Errorf("removed statement: %q", e.Message)
	}

	// A version that does not exist is named by its ARN.
	_, err = c.GetLayerVersionPolicy(ctx, &lambda.GetLayerVersionPolicyInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(9)})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Layer version "+aws.ToString(pub.LayerArn)+":9 does not exist." {
		t.Errorf("missing version: %q", e.Message)
	}
}
