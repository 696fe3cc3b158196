package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaCodeSigningReads covers the reads a tool makes of functions'
// code signing (Terraform's aws_lambda_function reads it on every
// refresh): a function has none, and the account lists none.
func TestLambdaCodeSigningReads(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createStub(t, c, "cs", false)
	out, err := c.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("cs")})
	if err != nil {
		t.Fatal(err)
	}
	if out.CodeSigningConfigArn == nil || *out.CodeSigningConfigArn != "" || aws.ToString(out.FunctionName) != "cs" {
		t.Errorf("GetFunctionCodeSigningConfig = %q, %q", aws.ToString(out.CodeSigningConfigArn), aws.ToString(out.FunctionName))
	}
	_, err = c.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("nope")})
	expectAPIError(t, err, "ResourceNotFoundException", 404)
	list, err := c.ListCodeSigningConfigs(ctx, &lambda.ListCodeSigningConfigsInput{})
	if err != nil || len(list.CodeSigningConfigs) != 0 || list.NextMarker != nil {
		t.Errorf("ListCodeSigningConfigs = %+v, %v", list, err)
	}
}
