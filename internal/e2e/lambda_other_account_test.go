package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaOtherAccount covers function names in an account other than
// virga's: Lambda refuses to create one with AccessDeniedException and no
// message (recorded from AWS), and answers any other operation on one as
// IAM denies a cross-account call that no resource-based policy allows,
// naming the caller, the operation's action and the function's ARN.
func TestLambdaOtherAccount(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	const other = "arn:aws:lambda:us-east-1:123456789012:function:f"
	denied := func(action, resource string) string {
		return "User: arn:aws:iam::" + testAccount + ":root is not authorized to perform: " + action + " on resource: " + resource +
			" because no resource-based policy allows the " + action + " action"
	}

	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(other), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "x")}})
	// With no message in the answer, the SDK reports its placeholder.
	if e := expectAPIError(t, err, "AccessDeniedException", 403); e.Message != "UnknownError" {
		t.Errorf("CreateFunction: message %q", e.Message)
	}

	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(other)})
	if e := expectAPIError(t, err, "AccessDeniedException", 403); e.Message != denied("lambda:GetFunction", other) {
		t.Errorf("GetFunction: message %q", e.Message)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(other), Qualifier: aws.String("live")})
	if e := expectAPIError(t, err, "AccessDeniedException", 403); e.Message != denied("lambda:InvokeFunction", other+":live") {
		t.Errorf("Invoke: message %q", e.Message)
	}
	// The partial ARN form names the account too.
	_, err = c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("123456789012:function:f:1")})
	if e := expectAPIError(t, err, "AccessDeniedException", 403); e.Message != denied("lambda:GetFunctionConfiguration", other+":1") {
		t.Errorf("GetFunctionConfiguration: message %q", e.Message)
	}
	_, err = c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(other)})
	expectAPIError(t, err, "AccessDeniedException", 403)
}
