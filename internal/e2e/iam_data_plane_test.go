package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// callURL sends GET to target, signed for "lambda" with creds unless
// they are nil, and returns the status and the body's Message.
func callURL(t *testing.T, target string, creds *aws.Credentials) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	if creds != nil {
		if err := v4.NewSigner().SignHTTP(context.Background(), *creds, req, sha256Hex(nil), "lambda", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var got struct{ Message string }
	json.Unmarshal(b, &got)
	return res.StatusCode, got.Message
}

// urlTarget creates a function URL and returns where virga serves it.
func urlTarget(t *testing.T, lc *lambda.Client, function string, auth lambdatypes.FunctionUrlAuthType) string {
	t.Helper()
	created, err := lc.CreateFunctionUrlConfig(context.Background(), &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(function), AuthType: auth})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(aws.ToString(created.FunctionUrl))
	return "/_aws/lambda-url/" + strings.Split(u.Hostname(), ".")[0] + "/"
}

// TestIAMEnforceFunctionURLs: under --auth iam a function URL with
// AuthType AWS_IAM needs its signer to have lambda:InvokeFunctionUrl
// (with lambda:FunctionUrlAuthType in the request context), and one with
// AuthType NONE needs the function's policy to allow everyone, as AWS
// requires; a refused request is 403 Forbidden, and a signature made
// with an unknown key is no signature.
func TestIAMEnforceFunctionURLs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "furl", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 3)
	private := env.Endpoint + urlTarget(t, lc, "furl", lambdatypes.FunctionUrlAuthTypeAwsIam)

	cfg := iamUser(t, env, "una", "")
	una, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status, msg := callURL(t, private, &una); status != 403 || !strings.HasPrefix(msg, "Forbidden.") {
		t.Errorf("una without a policy: %d %q", status, msg)
	}
	if status, _ := callURL(t, private, &aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"}); status != 403 {
		t.Errorf("an unknown key: %d, want 403", status)
	}
	if status, _ := callURL(t, private, &aws.Credentials{AccessKeyID: "test", SecretAccessKey: "wrong"}); status != 403 {
		t.Errorf("the root's key with a wrong secret: %d, want 403", status)
	}
	if status, _ := callURL(t, private, &aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}); status != 200 {
		t.Errorf("the root: %d, want 200", status)
	}
	fnARN := "arn:aws:lambda:us-east-1:" + testAccount + ":function:furl"
	if _, err := iamClient(env).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("una"), PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunctionUrl","Resource":"` + fnARN +
			`","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"AWS_IAM"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if status, msg := callURL(t, private, &una); status != 200 {
		t.Errorf("una with lambda:InvokeFunctionUrl: %d %q", status, msg)
	}

	createPythonFunction(t, lc, "pub", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 3)
	public := env.Endpoint + urlTarget(t, lc, "pub", lambdatypes.FunctionUrlAuthTypeNone)
	if status, msg := callURL(t, public, nil); status != 403 || !strings.HasPrefix(msg, "Forbidden.") {
		t.Errorf("NONE without a public permission: %d %q", status, msg)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pub"), StatementId: aws.String("public"),
		Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	if status, msg := callURL(t, public, nil); status != 200 {
		t.Errorf("NONE with a public permission: %d %q", status, msg)
	}
}
