package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/virga/virga/internal/e2e"
)

func TestFunctionURLConfig(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	ctx := context.Background()
	createPythonFunction(t, lc, "web", `def handler(event, context):
    return {'statusCode': 200, 'body': 'hi'}
`, 3)
	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: lambdatypes.FunctionUrlAuthTypeNone,
		Cors: &lambdatypes.Cors{AllowOrigins: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://[a-z0-9]{32}\.lambda-url\.localhost:\d+/$`).MatchString(aws.ToString(created.FunctionUrl)) ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:web" || created.InvokeMode != "" {
		t.Errorf("CreateFunctionUrlConfig: %+v", created)
	}
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	wantLambdaError(t, "second URL", err, "ResourceConflictException", "")
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), Qualifier: aws.String("1"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	wantLambdaError(t, "a version's URL", err, "ValidationException", "")
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), Qualifier: aws.String("live"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	wantLambdaError(t, "a missing alias's URL", err, "ResourceNotFoundException", "")

	upd, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("web"), Cors: &lambdatypes.Cors{AllowOrigins: []string{"https://example.com"}, MaxAge: aws.Int32(60)}})
	if err != nil || aws.ToString(upd.FunctionUrl) != aws.ToString(created.FunctionUrl) || upd.Cors.AllowOrigins[0] != "https://example.com" {
		t.Errorf("UpdateFunctionUrlConfig: %+v %v", upd, err)
	}
	got, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	if err != nil || aws.ToInt32(got.Cors.MaxAge) != 60 || got.AuthType != lambdatypes.FunctionUrlAuthTypeNone {
		t.Errorf("GetFunctionUrlConfig: %+v %v", got, err)
	}
	list, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("web")})
	if err != nil || len(list.FunctionUrlConfigs) != 1 {
		t.Errorf("ListFunctionUrlConfigs: %+v %v", list, err)
	}
	if _, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	wantLambdaError(t, "deleted URL", err, "ResourceNotFoundException", "The resource you requested does not exist.")
}

// TestFunctionURLServes calls a function through its URL, by host and by
// path, with payload format 2.0 and CORS.
func TestFunctionURLServes(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	ctx := context.Background()
	createPythonFunction(t, lc, "echo-url", `import json
def handler(event, context):
    return {'statusCode': 201, 'headers': {'x-seen': event['requestContext']['http']['method']},
            'body': json.dumps({'version': event['version'], 'routeKey': event['routeKey'], 'rawPath': event['rawPath'],
                                'query': event.get('queryStringParameters'), 'domain': event['requestContext']['domainName'],
                                'account': event['requestContext']['accountId'], 'body': event.get('body'),
                                'trace': event['headers'].get('x-amzn-trace-id')})}
`, 3)
	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("echo-url"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone, Cors: &lambdatypes.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"POST"}}})
	if err != nil {
		t.Fatal(err)
	}
	allowPublicURL(t, lc, "echo-url")
	u, _ := url.Parse(aws.ToString(created.FunctionUrl))
	id := strings.Split(u.Hostname(), ".")[0]
	for _, target := range []string{env.Endpoint + "/_aws/lambda-url/" + id + "/items/7?x=1", env.Endpoint + "/items/7?x=1"} {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(`{"a":1}`))
		if !strings.Contains(target, "_aws") {
			req.Host = u.Host
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://app.example")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var got map[string]any
		json.Unmarshal(body, &got)
		// The function names no type: a function URL answers JSON.
		if res.StatusCode != 201 || res.Header.Get("X-Seen") != "POST" || res.Header.Get("Content-Type") != "application/json" ||
			got["version"] != "2.0" || got["routeKey"] != "$default" ||
			got["rawPath"] != "/items/7" || got["body"] != `{"a":1}` || got["account"] != "anonymous" ||
			got["domain"] != id+".lambda-url.us-east-1.on.aws" || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
			t.Errorf("%s: %d %v %s", target, res.StatusCode, res.Header, body)
		}
		// The event carries the X-Ray trace header, as API Gateway's do.
		if trace, _ := got["trace"].(string); !strings.HasPrefix(trace, "Root=1-") {
			t.Errorf("%s: x-amzn-trace-id %q", target, got["trace"])
		}
		// Lambda's request id, as Lambda spells them.
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(res.Header.Get("X-Amzn-Requestid")) {
			t.Errorf("%s: x-amzn-RequestId %q", target, res.Header.Get("X-Amzn-Requestid"))
		}
		if v := res.Header.Get("X-Amz-Request-Id"); v != "" {
			t.Errorf("%s: a second request id, x-amz-request-id %q", target, v)
		}
	}
	res, err := http.Get(env.Endpoint + "/_aws/lambda-url/nosuchid/")
	if err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown URL id: %v %v", res, err)
	}
}

// TestFunctionURLIAMCaller calls a function URL with AuthType AWS_IAM:
// unsigned, it is refused; signed, the function learns who signed, as
// the account root for a long-term key and as the role session for
// AssumeRole's credentials.
func TestFunctionURLIAMCaller(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	ctx := context.Background()
	createPythonFunction(t, lc, "whoami", `import json
def handler(event, context):
    rc = event['requestContext']
    return {'statusCode': 200, 'body': json.dumps({'account': rc['accountId'], 'authorizer': rc.get('authorizer')})}
`, 3)
	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("whoami"),
		AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(aws.ToString(created.FunctionUrl))
	target := env.Endpoint + "/_aws/lambda-url/" + strings.Split(u.Hostname(), ".")[0] + "/"
	call := func(creds *aws.Credentials) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if creds != nil {
			if err := v4.NewSigner().SignHTTP(ctx, *creds, req, sha256Hex(nil), "lambda", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var got map[string]any
		b, _ := io.ReadAll(res.Body)
		json.Unmarshal(b, &got)
		return res.StatusCode, got
	}
	if status, got := call(nil); status != 403 || !strings.HasPrefix(got["Message"].(string), "Forbidden.") {
		t.Errorf("unsigned: %d %v", status, got)
	}
	status, got := call(&aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"})
	if b, _ := json.Marshal(got); status != 200 || string(b) !=
		`{"account":"000000000000","authorizer":{"iam":{"accessKey":"test","accountId":"000000000000","callerId":"000000000000","cognitoIdentity":null,"principalOrgId":null,"userArn":"arn:aws:iam::000000000000:root","userId":"000000000000"}}}` {
		t.Errorf("signed with a long-term key: %d %s", status, b)
	}
	role, err := stsClient(env, "test", "test", "").AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::000000000000:role/caller"), RoleSessionName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	c := role.Credentials
	status, got = call(&aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)})
	iam, _ := got["authorizer"].(map[string]any)["iam"].(map[string]any)
	if status != 200 || iam["accessKey"] != aws.ToString(c.AccessKeyId) || iam["userArn"] != aws.ToString(role.AssumedRoleUser.Arn) ||
		iam["userId"] != aws.ToString(role.AssumedRoleUser.AssumedRoleId) || iam["callerId"] != iam["userId"] {
		t.Errorf("signed with a role session's key: %d %v", status, got)
	}
}

// streamingHandler is a Node.js function that streams its answer, as
// AWS's response streaming examples do: with a status, headers and a
// cookie for ?http=1, with setContentType alone otherwise.
const streamingHandler = `export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event.rawQueryString === 'http=1') {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201, headers: {'content-type': 'application/json', 'x-stream': 'yes'}, cookies: ['seen=1'] });
    responseStream.write('{"parts": [');
    for (let i = 0; i < 3; i++) {
      responseStream.write((i ? ',' : '') + i);
      await new Promise((r) => setTimeout(r, 20));
    }
    responseStream.end(']}');
    return;
  }
  responseStream.setContentType('text/plain');
  responseStream.write('hello ');
  responseStream.end(context.functionName);
});
`

// TestFunctionURLResponseStream serves a streaming Node.js function
// through a URL with InvokeMode RESPONSE_STREAM: the prelude's status,
// headers and cookies, the content type it set, and the bytes it wrote.
func TestFunctionURLResponseStream(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	ctx := context.Background()
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("streamer"), Runtime: lambdatypes.RuntimeNodejs22x, Handler: aws.String("index.handler"),
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "index.mjs", body: []byte(streamingHandler)})},
	}); err != nil {
		t.Fatal(err)
	}
	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("streamer"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone, InvokeMode: lambdatypes.InvokeModeResponseStream})
	if err != nil {
		t.Fatal(err)
	}
	allowPublicURL(t, lc, "streamer")
	if got, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("streamer")}); err != nil ||
		got.InvokeMode != lambdatypes.InvokeModeResponseStream {
		t.Fatalf("GetFunctionUrlConfig: %+v %v", got, err)
	}
	u, _ := url.Parse(aws.ToString(created.FunctionUrl))
	base := env.Endpoint + "/_aws/lambda-url/" + strings.Split(u.Hostname(), ".")[0] + "/"
	get := func(query string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(base + query)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := get("?http=1")
	if res.StatusCode != 201 || body != `{"parts": [0,1,2]}` || res.Header.Get("Content-Type") != "application/json" ||
		res.Header.Get("X-Stream") != "yes" || res.Header.Get("Set-Cookie") != "seen=1" {
		t.Errorf("with a prelude: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, body = get("")
	if res.StatusCode != 200 || body != "hello streamer" || res.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("with setContentType: %d %v %q", res.StatusCode, res.Header, body)
	}
}
