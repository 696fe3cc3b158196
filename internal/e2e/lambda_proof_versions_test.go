package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaProofVersionsAndAliases: two published versions with
// different code each run their own; an alias runs the version it points
// to, by name, qualifier or ARN, and follows it when updated.
func TestLambdaProofVersionsAndAliases(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	arn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:ver"
	one := hostileZip(t, zipEntry{name: "version.txt", body: []byte("one")})
	two := hostileZip(t, zipEntry{name: "version.txt", body: []byte("two")})

	created := createGoFunction(t, c, "ver", one, func(in *lambda.CreateFunctionInput) { in.Publish = true })
	if aws.ToString(created.Version) != "1" {
		t.Fatalf("CreateFunction with Publish: version %q; want 1", aws.ToString(created.Version))
	}
	up, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("ver"), ZipFile: two})
	if err != nil {
		t.Fatal(err)
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	v2, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), Description: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v2.Version) != "2" || aws.ToString(v2.CodeSha256) != aws.ToString(up.CodeSha256) || aws.ToString(v2.CodeSha256) == aws.ToString(created.CodeSha256) {
		t.Errorf("version 2: %q, CodeSha256 %q (update's %q, version 1's %q)", aws.ToString(v2.Version), aws.ToString(v2.CodeSha256), aws.ToString(up.CodeSha256), aws.ToString(created.CodeSha256))
	}
	versions, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("ver")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range versions.Versions {
		names = append(names, aws.ToString(v.Version))
	}
	if len(names) != 3 || names[0] != "$LATEST" || names[1] != "1" || names[2] != "2" {
		t.Errorf("ListVersionsByFunction: %v", names)
	}
	alias, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(alias.AliasArn) != arn+":live" {
		t.Errorf("AliasArn %q", aws.ToString(alias.AliasArn))
	}

	// check invokes name (with qualifier q) and asserts which version ran
	// which code, and the ARN the function was told it was invoked by.
	check := func(what, name, q, wantVersion, wantCode, wantInvokedArn string) {
		t.Helper()
		out := invokeJSON(t, c, name, map[string]string{"op": "whoami"}, func(in *lambda.InvokeInput) {
			if q != "" {
				in.Qualifier = aws.String(q)
			}
		})
		w := decodeWhoami(t, out)
		if got := aws.ToString(out.ExecutedVersion); got != wantVersion || w.Version != wantVersion || w.Code != wantCode {
			t.Errorf("%s: X-Amz-Executed-Version %q, AWS_LAMBDA_FUNCTION_VERSION %q, code %q; want version %s running code %q", what, got, w.Version, w.Code, wantVersion, wantCode)
		}
		if w.InvokedArn != wantInvokedArn {
			t.Errorf("%s: the function's InvokedFunctionArn is %q; want %q, the ARN it was invoked with", what, w.InvokedArn, wantInvokedArn)
		}
	}
	check("unqualified", "ver", "", "$LATEST", "two", arn)
	check("version 1 by qualifier", "ver", "1", "1", "one", arn+":1")
	check("version 2 by name", "ver:2", "", "2", "two", arn+":2")
	check("alias by qualifier", "ver", "live", "1", "one", arn+":live")
	check("alias by name", "ver:live", "", "1", "one", arn+":live")
	check("alias by ARN", arn+":live", "", "1", "one", arn+":live")

	if _, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"), FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live")})
	if err != nil || aws.ToString(got.FunctionVersion) != "2" {
		t.Fatalf("GetAlias after UpdateAlias: %v %v", got, err)
	}
	check("alias updated to 2", "ver", "live", "2", "two", arn+":live")
	check("version 1 still", "ver:1", "", "1", "one", arn+":1")

	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver"), Qualifier: aws.String("nope")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: "+arn+":nope" {
		t.Errorf("unknown alias: %q", e.Message)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver"), Qualifier: aws.String("3")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: "+arn+":3" {
		t.Errorf("unknown version: %q", e.Message)
	}
}
