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
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

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
// (with lambda:FunctionUrlAuthType in the request context) and
// lambda:InvokeFunction (with lambda:InvokedViaFunctionUrl), and one
// with AuthType NONE needs the function's policy to allow everyone both,
// as AWS requires; a refused request is 403 Forbidden, and a signature made
// with an unknown key is no signature.
func TestIAMEnforceFunctionURLs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
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
	if status, msg := callURL(t, private, &una); status != 403 || !strings.HasPrefix(msg, "Forbidden.") {
		t.Errorf("una with lambda:InvokeFunctionUrl alone: %d %q", status, msg)
	}
	if _, err := iamClient(env).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("una"), PolicyName: aws.String("invoke"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + fnARN +
			`","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if status, msg := callURL(t, private, &una); status != 200 {
		t.Errorf("una with lambda:InvokeFunctionUrl and lambda:InvokeFunction: %d %q", status, msg)
	}
	// That lambda:InvokeFunction is for URL calls only.
	unaLambda := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(env.Endpoint) })
	if _, err := unaLambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("furl")}); err == nil {
		t.Error("una invoked the function directly with a statement for URL calls only")
	}

	createPythonFunction(t, lc, "pub", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 3)
	public := env.Endpoint + urlTarget(t, lc, "pub", lambdatypes.FunctionUrlAuthTypeNone)
	if status, msg := callURL(t, public, nil); status != 403 || !strings.HasPrefix(msg, "Forbidden.") {
		t.Errorf("NONE without a public permission: %d %q", status, msg)
	}
	allowPublicURL(t, lc, "pub")
	if status, msg := callURL(t, public, nil); status != 200 {
		t.Errorf("NONE with the public permissions: %d %q", status, msg)
	}
}

// callSigned sends GET to path on an execute-api host (ID.execute-api.localhost)
// signed for "execute-api" with creds, and returns the status, the
// x-amzn-ErrorType header and the body.
func callSigned(t *testing.T, env *e2e.Env, apiID, path string, creds aws.Credentials) (int, string, string) {
	t.Helper()
	u, _ := url.Parse(env.Endpoint)
	req, _ := http.NewRequest(http.MethodGet, env.Endpoint+path, nil)
	req.Host = apiID + ".execute-api.localhost:" + u.Port()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(nil), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("X-Amzn-Errortype"), string(b)
}

// userKeys creates a user without policies and returns its credentials.
func userKeys(t *testing.T, env *e2e.Env, name string) aws.Credentials {
	t.Helper()
	cfg := iamUser(t, env, name, "")
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// putInline replaces a user's inline policy "inline".
func putInline(t *testing.T, env *e2e.Env, user, doc string) {
	t.Helper()
	if _, err := iamClient(env).PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{UserName: aws.String(user),
		PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

// TestIAMEnforceHTTPAPIRoutes: under --auth iam a request to an HTTP API
// route with AWS_IAM authorization needs its signer to have
// execute-api:Invoke on arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH;
// API Gateway refuses it with 403, x-amzn-ErrorType AccessDeniedException
// and {"Message":"User: ARN is not authorized to perform: execute-api:Invoke
// on resource: ARN"}, "with an explicit deny" when a policy denies it.
func TestIAMEnforceHTTPAPIRoutes(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "hfn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("guarded"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("hfn")), RouteKey: aws.String("GET /hello")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil || len(routes.Items) != 1 {
		t.Fatalf("routes: %v %v", routes, err)
	}
	if _, err := c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &id, RouteId: routes.Items[0].RouteId,
		AuthorizationType: gwtypes.AuthorizationTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("hfn"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:" + testAccount + ":" + id + "/*")}); err != nil {
		t.Fatal(err)
	}
	routeARN := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + id + "/$default/GET/hello"
	userARN := "arn:aws:iam::" + testAccount + ":user/hugo"
	hugo := userKeys(t, env, "hugo")
	want := func(what string, status int, errType, body string) {
		t.Helper()
		gotStatus, gotType, gotBody := callSigned(t, env, id, "/hello", hugo)
		if gotStatus != status || gotType != errType || (body != "" && gotBody != body) {
			t.Errorf("%s: %d %q %s, want %d %q %s", what, gotStatus, gotType, gotBody, status, errType, body)
		}
	}
	denied := `{"Message":"User: ` + userARN + ` is not authorized to perform: execute-api:Invoke on resource: ` + routeARN
	want("no policy", 403, "AccessDeniedException", denied+`"}`)
	if status, _, body := callSigned(t, env, id, "/hello", aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}); status != 200 || body != "hi" {
		t.Errorf("the root: %d %s", status, body)
	}

	putInline(t, env, "hugo", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"`+routeARN+`"}]}`)
	want("allowed on the route", 200, "", "hi")
	putInline(t, env, "hugo", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:`+
		testAccount+`:`+id+`/*/POST/*"}]}`)
	want("allowed on another method", 403, "AccessDeniedException", denied+`"}`)
	putInline(t, env, "hugo", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:`+id+`/*/GET/hello"}]}`)
	want("explicitly denied", 403, "AccessDeniedException", denied+` with an explicit deny"}`)
}

// TestIAMEnforceRESTAPIMethods: under --auth iam a REST API method with
// AWS_IAM authorization needs a good signature and execute-api:Invoke on
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH, from the
// signer's identity policies or from the API's resource policy as
// deployed (in one account either allowing is enough), and no explicit
// deny in either.
func TestIAMEnforceRESTAPIMethods(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "rfn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("guarded")})
	if err != nil {
		t.Fatal(err)
	}
	apigwv1ProxyGET(t, c, *api.Id, "hello", "AWS_IAM", "rfn")
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("rfn"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:" + testAccount + ":" + *api.Id + "/*/GET/hello")}); err != nil {
		t.Fatal(err)
	}
	deploy := func() {
		t.Helper()
		if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
			t.Fatal(err)
		}
	}
	setPolicy := func(doc string) {
		t.Helper()
		if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{
			{Op: agtypes.OpReplace, Path: aws.String("/policy"), Value: aws.String(doc)}}}); err != nil {
			t.Fatal(err)
		}
	}
	deploy()

	methodARN := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + *api.Id + "/prod/GET/hello"
	userARN := "arn:aws:iam::" + testAccount + ":user/rita"
	rita := userKeys(t, env, "rita")
	want := func(what string, creds aws.Credentials, status int, errType, body string) {
		t.Helper()
		gotStatus, gotType, gotBody := callSigned(t, env, *api.Id, "/prod/hello", creds)
		if gotStatus != status || gotType != errType || (body != "" && gotBody != body) {
			t.Errorf("%s: %d %q %s, want %d %q %s", what, gotStatus, gotType, gotBody, status, errType, body)
		}
	}
	denied := `{"Message":"User: ` + userARN + ` is not authorized to perform: execute-api:Invoke on resource: ` + methodARN
	apigwv1Call(t, env, *api.Id, "GET", "/prod/hello", nil, nil, false).want(t, 403, `{"message":"Missing Authentication Token"}`)
	want("no policy", rita, 403, "AccessDeniedException", denied+`"}`)
	want("the root", aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, 200, "", "hi")
	want("a wrong secret", aws.Credentials{AccessKeyID: "test", SecretAccessKey: "wrong"}, 403, "InvalidSignatureException", "")

	// The resource policy alone allows a principal of the account it names.
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN +
		`"},"Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:` + testAccount + `:` + *api.Id + `/*"}]}`)
	want("resource policy not deployed", rita, 403, "AccessDeniedException", denied+`"}`)
	deploy()
	want("resource policy allows", rita, 200, "", "hi")

	// An identity policy alone allows too; a Deny in the resource policy wins.
	putInline(t, env, "rita", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"`+methodARN+`"}]}`)
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:` +
		testAccount + `:` + *api.Id + `/*/GET/hello"}]}`)
	want("identity policy allows, old deployment", rita, 200, "", "hi")
	deploy()
	want("resource policy denies", rita, 403, "AccessDeniedException", denied+` with an explicit deny"}`)
	setPolicy("")
	deploy()
	want("identity policy allows", rita, 200, "", "hi")
}

// TestIAMEnforceRESTAPIResourcePolicyOnly: under --auth iam a method
// without authorization of an API with a resource policy is invoked
// only when the policy allows everyone, as the caller is anonymous;
// API Gateway answers {"Message":"User: anonymous is not authorized to
// perform: execute-api:Invoke on resource: ARN"} otherwise, "with an
// explicit deny" when the policy denies.
func TestIAMEnforceRESTAPIResourcePolicyOnly(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "ofn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("open")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + *api.Id
	for _, path := range []string{"open", "closed", "denied"} {
		apigwv1ProxyGET(t, c, *api.Id, path, "NONE", "ofn")
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("ofn"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(arn + "/*")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	apigwv1Call(t, env, *api.Id, "GET", "/prod/closed", nil, nil, false).want(t, 200, "hi") // no resource policy

	if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/policy"), Value: aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":["` + arn + `/*/GET/open","` + arn + `/*/GET/denied"]},` +
			`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"` + arn + `/*/GET/denied"}]}`)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	apigwv1Call(t, env, *api.Id, "GET", "/prod/open", nil, nil, false).want(t, 200, "hi")
	r := apigwv1Call(t, env, *api.Id, "GET", "/prod/closed", nil, nil, false)
	r.want(t, 403, `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn+`/prod/GET/closed"}`)
	if got := r.Header.Get("X-Amzn-Errortype"); got != "AccessDeniedException" {
		t.Errorf("x-amzn-ErrorType %q", got)
	}
	apigwv1Call(t, env, *api.Id, "GET", "/prod/denied", nil, nil, false).
		want(t, 403, `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn+`/prod/GET/denied with an explicit deny"}`)
}

// TestIAMEnforceStepFunctionsLambdaTask: under --auth iam a Task state
// invokes its function as a session of the state machine's role; without
// lambda:InvokeFunction on the function the task fails with
// Lambda.AWSLambdaException and Lambda's AccessDeniedException message
// as its cause, which Retry and Catch see like any task error.
func TestIAMEnforceStepFunctionsLambdaTask(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "sfn-fn", "def handler(event, context):\n    return {'ok': True}\n", 10)
	ic := iamClient(env)
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("machine"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}}`)}); err != nil {
		t.Fatal(err)
	}
	roleARN := "arn:aws:iam::" + testAccount + ":role/machine"
	c := sfn.NewFromConfig(env.Config)
	def := `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"Opt","States":{"Opt":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"sfn-fn"},"OutputPath":"$.Payload","End":true}}},
		{"StartAt":"Arn","States":{"Arn":{"Type":"Task","Resource":"` + functionARN("sfn-fn") + `","End":true}}}]}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("guarded"), Definition: aws.String(def), RoleArn: &roleARN})
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string) *sfn.DescribeExecutionOutput {
		t.Helper()
		start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return waitExecution(t, c, aws.ToString(start.ExecutionArn))
	}

	out := run("denied")
	cause := aws.ToString(out.Cause)
	wantCause := "User: arn:aws:sts::" + testAccount + ":assumed-role/machine/"
	wantReason := " is not authorized to perform: lambda:InvokeFunction on resource: " + functionARN("sfn-fn") +
		" because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: "
	if out.Status != sfntypes.ExecutionStatusFailed || aws.ToString(out.Error) != "Lambda.AWSLambdaException" ||
		!strings.HasPrefix(cause, wantCause) || !strings.Contains(cause, wantReason) || !strings.HasSuffix(cause, "; Proxy: null)") {
		t.Fatalf("without a policy: %s %s %s", out.Status, aws.ToString(out.Error), cause)
	}

	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("machine"), PolicyName: aws.String("invoke"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` +
			functionARN("sfn-fn") + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if out := run("allowed"); out.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(out.Output) != `[{"ok":true},{"ok":true}]` {
		t.Fatalf("with lambda:InvokeFunction: %s %s %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause), aws.ToString(out.Output))
	}
}
