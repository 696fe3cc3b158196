package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaImageRepositoryPolicyIAM: under --auth iam, CreateFunction
// and UpdateFunctionCode of an image function need the repository to
// let Lambda's service principal read it. A repository whose policy
// allows lambda.amazonaws.com is used as it is; otherwise Lambda adds
// that statement when the caller may get and set the repository policy
// (the root here), and a caller that may not is refused with
// AccessDeniedException 403, "Lambda does not have permission to access
// the ECR image. Check the ECR permissions.".
func TestLambdaImageRepositoryPolicyIAM(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	root := ecr.NewFromConfig(env.Config)
	rootAuth := registryLogin(t, root)
	var uris = map[string]string{}
	for _, r := range []string{"open", "closed", "granted"} {
		repo := createRepo(t, root, r)
		uris[r] = *repo.RepositoryUri + ":v1"
		pushImage(t, env, uris[r], 1, rootAuth)
	}
	ic := iamClient(env)
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + testAccount + ":role/fn"
	const grant = `{"Version":"2012-10-17","Statement":[{"Sid":"LambdaPull","Effect":"Allow",
		"Principal":{"Service":"lambda.amazonaws.com"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
	if _, err := root.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("granted"), PolicyText: aws.String(grant)}); err != nil {
		t.Fatal(err)
	}
	deployer := lambda.NewFromConfig(iamUser(t, env, "deployer", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["lambda:*","iam:PassRole"],"Resource":"*"}]}`))
	create := func(c *lambda.Client, fn, uri string) error {
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fn), PackageType: lambdatypes.PackageTypeImage,
			Role: aws.String(role), Code: &lambdatypes.FunctionCode{ImageUri: aws.String(uri)}})
		return err
	}
	const denied = "Lambda does not have permission to access the ECR image. Check the ECR permissions."

	// The deployer may not set repository policies: only the granted
	// repository serves it.
	wantDenied(t, create(deployer, "a", uris["closed"]), "AccessDeniedException", 403, denied)
	if err := create(deployer, "b", uris["granted"]); err != nil {
		t.Errorf("CreateFunction from a repository that allows Lambda: %v", err)
	}
	if out, err := root.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("granted")}); err != nil ||
		strings.Count(*out.PolicyText, `"Sid"`) != 1 {
		t.Errorf("granted repository's policy changed: %v %v", out, err)
	}
	_, err := deployer.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("b"), ImageUri: aws.String(uris["closed"])})
	wantDenied(t, err, "AccessDeniedException", 403, denied)

	// The root may: Lambda adds its statement to the repository policy,
	// after which the deployer can use the repository too.
	if err := create(lambda.NewFromConfig(env.Config), "c", uris["open"]); err != nil {
		t.Fatalf("CreateFunction as the root: %v", err)
	}
	out, err := root.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("open")})
	if err != nil || !strings.Contains(*out.PolicyText, `"lambda.amazonaws.com"`) || !strings.Contains(*out.PolicyText, `"ecr:BatchGetImage"`) {
		t.Fatalf("policy Lambda added: %v %v", out, err)
	}
	if _, err := deployer.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("b"), ImageUri: aws.String(uris["open"])}); err != nil {
		t.Errorf("UpdateFunctionCode to a repository Lambda was granted: %v", err)
	}

	// A second grant adds nothing.
	if _, err := lambda.NewFromConfig(env.Config).DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	if err := create(lambda.NewFromConfig(env.Config), "c", uris["open"]); err != nil {
		t.Fatalf("CreateFunction again: %v", err)
	}
	if again, err := root.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("open")}); err != nil || *again.PolicyText != *out.PolicyText {
		t.Errorf("policy after a second CreateFunction: %v %v", again, err)
	}

	// A policy that denies Lambda explicitly outweighs any statement
	// Lambda could add: the root is refused too, and the policy stays as
	// it was. The deny holds the Sid Lambda's statement uses: the
	// statement added to the "shared" repository takes another.
	const deny = `{"Version":"2012-10-17","Statement":[{"Sid":"LambdaECRImageRetrievalPolicy","Effect":"Deny",
		"Principal":{"Service":"lambda.amazonaws.com"},"Action":"ecr:BatchGetImage"}]}`
	const other = `{"Version":"2012-10-17","Statement":[{"Sid":"LambdaECRImageRetrievalPolicy","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"ecr:DescribeImages"}]}`
	for name, text := range map[string]string{"closed": deny, "shared": other} {
		if name == "shared" {
			repo := createRepo(t, root, name)
			uris[name] = *repo.RepositoryUri + ":v1"
			pushImage(t, env, uris[name], 1, rootAuth)
		}
		if _, err := root.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(name), PolicyText: aws.String(text)}); err != nil {
			t.Fatal(err)
		}
	}
	wantDenied(t, create(lambda.NewFromConfig(env.Config), "d", uris["closed"]), "AccessDeniedException", 403, denied)
	if out, err := root.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("closed")}); err != nil || *out.PolicyText != deny {
		t.Errorf("denying policy changed: %v %v", out, err)
	}
	if err := create(lambda.NewFromConfig(env.Config), "e", uris["shared"]); err != nil {
		t.Fatalf("CreateFunction from a repository whose policy holds Lambda's Sid: %v", err)
	}
	out, err = root.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("shared")})
	if err != nil || strings.Count(*out.PolicyText, `"LambdaECRImageRetrievalPolicy"`) != 1 || !strings.Contains(*out.PolicyText, `"LambdaECRImageRetrievalPolicy2"`) {
		t.Errorf("policy with Lambda's statement: %v %v", out, err)
	}
}

// TestLambdaImageRepositoryPolicyDefault: without --auth iam any
// repository of virga's ECR serves image functions, and Lambda leaves
// repository policies alone.
func TestLambdaImageRepositoryPolicyDefault(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	root := ecr.NewFromConfig(env.Config)
	repo := createRepo(t, root, "plain")
	pushImage(t, env, *repo.RepositoryUri+":v1", 1, registryLogin(t, root))
	if _, err := lambda.NewFromConfig(env.Config).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"),
		PackageType: lambdatypes.PackageTypeImage, Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ImageUri: aws.String(*repo.RepositoryUri + ":v1")}}); err != nil {
		t.Fatal(err)
	}
	_, err := root.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("plain")})
	expectAPIError(t, err, "RepositoryPolicyNotFoundException", 400)
}
