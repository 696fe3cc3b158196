package e2e_test

import (
	"context"
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
