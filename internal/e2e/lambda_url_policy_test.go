package e2e_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// allowPublicURL gives function the two statements a URL with AuthType
// NONE needs before it answers anyone, as the console and SAM write
// them: everyone may call the URL (lambda:InvokeFunctionUrl with
// lambda:FunctionUrlAuthType NONE) and invoke the function through it
// (lambda:InvokeFunction with lambda:InvokedViaFunctionUrl).
func allowPublicURL(t *testing.T, lc *lambda.Client, function string) {
	t.Helper()
	ctx := context.Background()
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(function),
		StatementId: aws.String("FunctionURLAllowPublicAccess"), Action: aws.String("lambda:InvokeFunctionUrl"),
		Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(function),
		StatementId: aws.String("FunctionURLInvokeAllowPublicAccess"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

// urlForbidden is what a function URL answers a request its function's
// policy does not allow.
const urlForbidden = `{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`

// getURL GETs target unsigned and returns the status, the response's
// headers and its body.
func getURL(t *testing.T, target string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestFunctionURLNeedsPublicPolicy: without --auth iam too, a URL with
// AuthType NONE answers only when its function's policy lets everyone
// call the URL and invoke the function through it, as on AWS; the
// statement InvokedViaFunctionUrl writes applies to URL calls only.
func TestFunctionURLNeedsPublicPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "open", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 3)
	target := env.Endpoint + urlTarget(t, lc, "open", lambdatypes.FunctionUrlAuthTypeNone)
	forbidden := func(what string) {
		t.Helper()
		status, h, body := getURL(t, target)
		if status != 403 || body != urlForbidden || h.Get("Content-Type") != "application/json" ||
			h.Get("X-Amzn-Errortype") != "AccessDeniedException" || len(h.Get("X-Amzn-Requestid")) != 36 {
			t.Errorf("%s: %d %v %s", what, status, h, body)
		}
	}
	forbidden("no permission")

	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("open"),
		StatementId: aws.String("url"), Action: aws.String("lambda:InvokeFunctionUrl"),
		Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	forbidden("lambda:InvokeFunctionUrl alone")

	out, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("open"),
		StatementId: aws.String("invoke"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	fnARN := "arn:aws:lambda:us-east-1:" + testAccount + ":function:open"
	want := `{"Sid":"invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + fnARN +
		`","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}`
	if got := aws.ToString(out.Statement); got != want {
		t.Errorf("AddPermission's statement:\n got %s\nwant %s", got, want)
	}
	if status, _, body := getURL(t, target); status != 200 || body != "hi" {
		t.Errorf("both permissions: %d %s", status, body)
	}

	if _, err := lc.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("open"), StatementId: aws.String("invoke")}); err != nil {
		t.Fatal(err)
	}
	forbidden("after RemovePermission")
}

// TestFunctionURLPublicPolicyCLI makes a URL public with the Debian aws
// CLI alone, which predates --invoked-via-function-url: an
// unconditioned lambda:InvokeFunction for everyone allows the URL too.
func TestFunctionURLPublicPolicyCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "clifn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 3)
	target := env.Endpoint + urlTarget(t, lc, "clifn", lambdatypes.FunctionUrlAuthTypeNone)
	if res := env.CLI(t, "lambda", "add-permission", "--function-name", "clifn", "--statement-id", "FunctionURLAllowPublicAccess",
		"--action", "lambda:InvokeFunctionUrl", "--principal", "*", "--function-url-auth-type", "NONE"); res.ExitCode != 0 {
		t.Fatalf("add-permission: %s", res.Stderr)
	}
	if status, _, body := getURL(t, target); status != 403 || body != urlForbidden {
		t.Errorf("lambda:InvokeFunctionUrl alone: %d %s", status, body)
	}
	if res := env.CLI(t, "lambda", "add-permission", "--function-name", "clifn", "--statement-id", "FunctionURLInvokeAllowPublicAccess",
		"--action", "lambda:InvokeFunction", "--principal", "*"); res.ExitCode != 0 {
		t.Fatalf("add-permission: %s", res.Stderr)
	}
	if status, _, body := getURL(t, target); status != 200 || body != "hi" {
		t.Errorf("both permissions: %d %s", status, body)
	}
	if res := env.CLI(t, "lambda", "remove-permission", "--function-name", "clifn", "--statement-id", "FunctionURLInvokeAllowPublicAccess"); res.ExitCode != 0 {
		t.Fatalf("remove-permission: %s", res.Stderr)
	}
	if status, _, _ := getURL(t, target); status != 403 {
		t.Errorf("after remove-permission: %d, want 403", status)
	}
}

// TestFunctionURLAliasPolicy: an alias's URL is held to the alias's
// policy, where AddPermission with the alias as Qualifier writes.
func TestFunctionURLAliasPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "aliased", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'live'}\n", 3)
	v, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("aliased")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("aliased"), Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
	target := env.Endpoint + urlTarget(t, lc, "aliased:live", lambdatypes.FunctionUrlAuthTypeNone)
	// The unqualified function's policy does not open the alias's URL.
	allowPublicURL(t, lc, "aliased")
	if status, _, body := getURL(t, target); status != 403 || body != urlForbidden {
		t.Errorf("the function's permissions only: %d %s", status, body)
	}
	allowPublicURL(t, lc, "aliased:live")
	if status, _, body := getURL(t, target); status != 200 || body != "live" {
		t.Errorf("the alias's permissions: %d %s", status, body)
	}
}
