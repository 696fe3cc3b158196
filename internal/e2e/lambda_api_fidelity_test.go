package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaCreateFunctionServiceChecks covers the CreateFunction
// parameters Lambda checks in the service rather than in its request
// validation, and the list wording of its request validation: each
// answer's code and message as Lambda gives them.
func TestLambdaCreateFunctionServiceChecks(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	base := func(name string) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "x")}}
	}

	// An unknown runtime is InvalidParameterValueException, its value
	// unquoted, the set followed by "or be a valid ARN".
	in := base("rt")
	in.Runtime = "python3"
	_, err := c.CreateFunction(ctx, in)
	e := expectAPIError(t, err, "InvalidParameterValueException", 400)
	if !strings.HasPrefix(e.Message, "Value python3 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [") ||
		!strings.HasSuffix(e.Message, "] or be a valid ARN") || !strings.Contains(e.Message, "python3.12") {
		t.Errorf("unknown runtime: message %q", e.Message)
	}
	// With another violation in the request, that one is reported, as
	// request validation comes first.
	in.MemorySize = aws.Int32(64)
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		"1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128" {
		t.Errorf("runtime and memory: message %q", e.Message)
	}

	// A bad architecture is reported on the list, with the element's
	// constraints in brackets.
	in = base("arch")
	in.Architectures = []lambdatypes.Architecture{"mips"}
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		"1 validation error detected: Value '[mips]' at 'architectures' failed to satisfy constraint: "+
			"Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]" {
		t.Errorf("architecture: message %q", e.Message)
	}

	// The model allows 140 characters (an ARN); the name is held to 64.
	long := strings.Repeat("n", 65)
	_, err = c.CreateFunction(ctx, base(long))
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message !=
		"1 validation error detected: Value '"+long+"' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64" {
		t.Errorf("long name: message %q", e.Message)
	}
	if _, err := c.CreateFunction(ctx, base(long[:64])); err != nil {
		t.Errorf("a 64-character name: %v", err)
	}
}

// TestLambdaVersionAliasURLMessages covers the wording of PublishVersion's
// CodeSha256 mismatch, GetAlias's missing alias (unlike UpdateAlias's),
// a function URL on a version, and the RuntimeVersionConfig every
// function on a managed runtime reports.
func TestLambdaVersionAliasURLMessages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	created, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("fid"), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "x")}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:fid"

	runtimeARN := regexp.MustCompile(`^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$`)
	if created.RuntimeVersionConfig == nil || !runtimeARN.MatchString(aws.ToString(created.RuntimeVersionConfig.RuntimeVersionArn)) {
		t.Errorf("RuntimeVersionConfig = %+v", created.RuntimeVersionConfig)
	}
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("fid")})
	if err != nil {
		t.Fatal(err)
	}
	if got.RuntimeVersionConfig == nil || aws.ToString(got.RuntimeVersionConfig.RuntimeVersionArn) != aws.ToString(created.RuntimeVersionConfig.RuntimeVersionArn) {
		t.Errorf("GetFunctionConfiguration RuntimeVersionConfig = %+v", got.RuntimeVersionConfig)
	}

	_, err = c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fid"), CodeSha256: aws.String("abc")})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message !=
		"CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ("+aws.ToString(created.CodeSha256)+"). Please try again with the CodeSHA256 in $LATEST." {
		t.Errorf("PublishVersion: message %q", e.Message)
	}
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fid")}); err != nil {
		t.Fatal(err)
	}

	_, err = c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("fid"), Name: aws.String("live")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Cannot find alias arn: "+arn+":live" {
		t.Errorf("GetAlias: message %q", e.Message)
	}
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("fid"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Alias not found: "+arn+":live" {
		t.Errorf("UpdateAlias: message %q", e.Message)
	}

	// A URL belongs to the function or an alias; a version number is
	// refused by the qualifier's pattern, a ValidationException.
	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("fid"), Qualifier: aws.String("1"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		`1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))` {
		t.Errorf("URL on a version: message %q", e.Message)
	}
}
