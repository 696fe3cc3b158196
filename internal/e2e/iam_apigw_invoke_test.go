package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// policyAuthorizerFunction is a TOKEN authorizer that allows the token
// "allow", allows "elsewhere" on another API only, and denies any other.
const policyAuthorizerFunction = `
def handler(event, context):
    token = event["authorizationToken"]
    effect = "Allow" if token in ("allow", "elsewhere") else "Deny"
    resource = "arn:aws:execute-api:us-east-1:000000000000:other/*" if token == "elsewhere" else event["methodArn"]
    return {"principalId": "caller", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
`

// restAPIWithAuthorizerAndPolicy makes a REST API whose GET /open,
// GET /public and GET /denied have a TOKEN authorizer, and whose resource
// policy denies everyone GET /denied, allows everyone GET /public and
// says nothing of /open; the functions' policies
// let API Gateway invoke them for the API. It returns the API's ID and
// ARN (arn:aws:execute-api:REGION:ACCOUNT:API).
func restAPIWithAuthorizerAndPolicy(t *testing.T, env *e2e.Env, lc *lambda.Client) (string, string) {
	t.Helper()
	ctx := context.Background()
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "pa-fn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
	createPythonFunction(t, lc, "pa-authz", policyAuthorizerFunction, 10)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("authorized")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + *api.Id
	au, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("token"),
		Type: agtypes.AuthorizerTypeToken, AuthorizerUri: aws.String(apigwv1LambdaURI("pa-authz")),
		IdentitySource: aws.String("method.request.header.Authorization"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"open", "public", "denied"} {
		res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String(part)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			AuthorizationType: aws.String("CUSTOM"), AuthorizerId: au.Id}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(apigwv1LambdaURI("pa-fn"))}); err != nil {
			t.Fatal(err)
		}
	}
	for fn, source := range map[string]string{"pa-fn": arn + "/*", "pa-authz": arn + "/authorizers/" + *au.Id} {
		if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(fn), StatementId: aws.String("apigw"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(source)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/policy"), Value: aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"` + arn + `/*/GET/public"},` +
			`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"` + arn + `/*/GET/denied"}]}`)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	return *api.Id, arn
}

// TestIAMEnforceRESTAPIResourcePolicyWithAuthorizer: under --auth iam a
// method with a Lambda authorizer of an API with a resource policy is
// refused at once, 403 with {"Message":"User: anonymous is not authorized
// to perform: execute-api:Invoke on resource: ARN with an explicit
// deny"}, when the policy denies it; when the policy neither allows nor
// denies, the authorizer's policy decides, and when that says neither
// the resource policy's Allow is enough (AWS's "Lambda authorizer and
// resource policy" workflow and its outcome table for one account). Without --auth iam the resource policy is
// not evaluated.
func TestIAMEnforceRESTAPIResourcePolicyWithAuthorizer(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts []e2e.Option
	}{{"iam", []e2e.Option{iamMode}}, {"default", nil}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			env := e2e.Start(t, mode.opts...)
			id, arn := restAPIWithAuthorizerAndPolicy(t, env, lambdaClient(t, env))
			call := func(path, token string) apigwv1Response {
				return apigwv1Call(t, env, id, "GET", "/prod"+path, nil, map[string]string{"Authorization": token}, false)
			}
			call("/open", "allow").want(t, 200, "hi")
			if r := call("/open", "nope"); r.Status != 403 {
				t.Errorf("the authorizer denies: HTTP %d %s", r.Status, r.Body)
			}
			if r := call("/open", "elsewhere"); r.Status != 403 {
				t.Errorf("the authorizer's policy says neither, the resource policy neither: HTTP %d %s", r.Status, r.Body)
			}
			if r := call("/public", "nope"); r.Status != 403 {
				t.Errorf("the authorizer denies, the resource policy allows: HTTP %d %s", r.Status, r.Body)
			}
			if mode.name == "default" {
				call("/denied", "allow").want(t, 200, "hi")
				if r := call("/public", "elsewhere"); r.Status != 403 {
					t.Errorf("default mode, the authorizer's policy says neither: HTTP %d %s", r.Status, r.Body)
				}
				return
			}
			call("/public", "elsewhere").want(t, 200, "hi")
			r := call("/denied", "allow")
			r.want(t, 403, `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn+`/prod/GET/denied with an explicit deny"}`)
			if got := r.Header.Get("X-Amzn-Errortype"); got != "AccessDeniedException" {
				t.Errorf("x-amzn-ErrorType %q", got)
			}
		})
	}
}

// TestIAMEnforceHTTPAPIToFunction: under --auth iam an HTTP API's Lambda
// integration answers 500 {"message":"Internal Server Error"} until the
// function's policy lets apigateway.amazonaws.com invoke it for
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH (API/STAGE/$default
// for the $default route); an integration with credentials invokes as
// that role instead, which must trust API Gateway and allow
// lambda:InvokeFunction. Without --auth iam nothing is checked.
func TestIAMEnforceHTTPAPIToFunction(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts []e2e.Option
	}{{"iam", []e2e.Option{iamMode}}, {"default", nil}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			env := e2e.Start(t, mode.opts...)
			ctx := context.Background()
			lc := lambdaClient(t, env)
			serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
			createPythonFunction(t, lc, "hi-fn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
			c := apigatewayv2.NewFromConfig(env.Config)
			quick := func(name, routeKey, credentials string) string {
				t.Helper()
				in := &apigatewayv2.CreateApiInput{Name: aws.String(name), ProtocolType: gwtypes.ProtocolTypeHttp, Target: aws.String(functionARN("hi-fn"))}
				if routeKey != "" {
					in.RouteKey = aws.String(routeKey)
				}
				if credentials != "" {
					in.CredentialsArn = aws.String(credentials)
				}
				api, err := c.CreateApi(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				return aws.ToString(api.ApiId)
			}
			permit := func(sid, sourceARN string) {
				t.Helper()
				if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("hi-fn"), StatementId: aws.String(sid),
					Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(sourceARN)}); err != nil {
					t.Fatal(err)
				}
			}
			want := func(what, id, path string, status int, body string) {
				t.Helper()
				r := callHTTPAPI(t, env, id, "GET", path, nil, nil, false)
				if r.Status != status || string(r.Body) != body {
					t.Errorf("%s: HTTP %d %s, want %d %s", what, r.Status, r.Body, status, body)
				}
			}
			const denied = `{"message":"Internal Server Error"}`
			arn := func(id string) string { return "arn:aws:execute-api:us-east-1:" + testAccount + ":" + id }

			routed := quick("routed", "GET /hello", "")
			fallback := quick("fallback", "", "")
			if mode.name == "default" {
				want("no permission, default mode", routed, "/hello", 200, "hi")
				want("no permission, default mode, $default route", fallback, "/anything", 200, "hi")
				return
			}
			// The access log tells why: $context.integrationErrorMessage.
			cwl := cloudwatchlogs.NewFromConfig(env.Config)
			if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("routed-access")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &routed, StageName: aws.String("$default"),
				AccessLogSettings: &gwtypes.AccessLogSettings{DestinationArn: aws.String("arn:aws:logs:us-east-1:" + testAccount + ":log-group:routed-access"),
					Format: aws.String(`$context.requestId $context.status $context.integrationErrorMessage`)}}); err != nil {
				t.Fatal(err)
			}
			r := callHTTPAPI(t, env, routed, "GET", "/hello", nil, nil, false)
			if r.Status != 500 || string(r.Body) != denied {
				t.Errorf("no permission: HTTP %d %s", r.Status, r.Body)
			}
			reqID := r.Header.Get("Apigw-Requestid")
			if got, want := waitForLogMessage(t, cwl, "routed-access", reqID), reqID+" 500 The IAM role configured on the integration or API Gateway "+
				"doesn't have permissions to call the integration. Check the permissions and try again."; got != want {
				t.Errorf("access log line %q, want %q", got, want)
			}
			permit("other-route", arn(routed)+"/*/POST/hello")
			want("permission for another route", routed, "/hello", 500, denied)
			permit("route", arn(routed)+"/*/GET/hello")
			want("permission for the route", routed, "/hello", 200, "hi")

			want("no permission, $default route", fallback, "/anything", 500, denied)
			permit("default-route", arn(fallback)+"/*/$default")
			want("permission for the $default route", fallback, "/anything", 200, "hi")

			// Credentials: the role, not the function's policy, decides.
			weak := serviceRole(t, env, "apigw-weak", "apigateway.amazonaws.com", "")
			strong := serviceRole(t, env, "apigw-strong", "apigateway.amazonaws.com", allow("lambda:InvokeFunction", functionARN("hi-fn")))
			untrusted := serviceRole(t, env, "apigw-untrusted", "lambda.amazonaws.com", allow("lambda:InvokeFunction", "*"))
			want("a role without lambda:InvokeFunction", quick("weak", "GET /hello", weak), "/hello", 500, denied)
			want("a role API Gateway may not assume", quick("untrusted", "GET /hello", untrusted), "/hello", 500, denied)
			want("a role that allows", quick("strong", "GET /hello", strong), "/hello", 200, "hi")
		})
	}
}

// cognitoIDToken makes a user pool with a user and returns the pool's
// ARN and an ID token of the user.
func cognitoIDToken(t *testing.T, env *e2e.Env) (string, string) {
	t.Helper()
	ctx := context.Background()
	c := cip.NewFromConfig(env.Config)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("callers")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("carla"),
		MessageAction: ciptypes.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("carla"),
		Password: aws.String("Passw0rdLong!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	auth, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: poolID, ClientId: cl.UserPoolClient.ClientId,
		AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "carla", "PASSWORD": "Passw0rdLong!"}})
	if err != nil || auth.AuthenticationResult == nil {
		t.Fatalf("AdminInitiateAuth = %+v, %v", auth, err)
	}
	return aws.ToString(pool.UserPool.Arn), aws.ToString(auth.AuthenticationResult.IdToken)
}

// TestIAMEnforceRESTAPIResourcePolicyWithCognito: under --auth iam a
// method with a Cognito authorizer of an API with a resource policy,
// once the token holds, is invoked only when the policy allows it
// (AWS's "Amazon Cognito authentication and resource policy" workflow);
// otherwise 403 {"Message":"User: anonymous is not authorized to perform:
// execute-api:Invoke on resource: ARN"}, "with an explicit deny" when the
// policy denies. A missing token is 401 before the policy is consulted.
// Without --auth iam the resource policy is not evaluated.
func TestIAMEnforceRESTAPIResourcePolicyWithCognito(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts []e2e.Option
	}{{"iam", []e2e.Option{iamMode}}, {"default", nil}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			env := e2e.Start(t, mode.opts...)
			ctx := context.Background()
			poolARN, token := cognitoIDToken(t, env)
			c := apigateway.NewFromConfig(env.Config)
			api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pooled")})
			if err != nil {
				t.Fatal(err)
			}
			arn := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + *api.Id
			au, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("pool"),
				Type: agtypes.AuthorizerTypeCognitoUserPools, ProviderARNs: []string{poolARN}, IdentitySource: aws.String("method.request.header.Authorization")})
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{"allowed", "silent", "denied"} {
				res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String(part)})
				if err != nil {
					t.Fatal(err)
				}
				m := aws.String("GET")
				if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m,
					AuthorizationType: aws.String("COGNITO_USER_POOLS"), AuthorizerId: au.Id}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m,
					Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m, StatusCode: aws.String("200")}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m,
					StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": "ok"}}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{
				{Op: agtypes.OpReplace, Path: aws.String("/policy"), Value: aws.String(`{"Version":"2012-10-17","Statement":[` +
					`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":["` + arn + `/*/GET/allowed","` + arn + `/*/GET/denied"]},` +
					`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"` + arn + `/*/GET/denied"}]}`)}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
				t.Fatal(err)
			}
			call := func(path, token string) apigwv1Response {
				hdr := map[string]string{}
				if token != "" {
					hdr["Authorization"] = token
				}
				return apigwv1Call(t, env, *api.Id, "GET", "/prod"+path, nil, hdr, false)
			}
			call("/allowed", token).want(t, 200, "ok")
			for _, path := range []string{"/allowed", "/silent", "/denied"} {
				if r := call(path, ""); r.Status != 401 {
					t.Errorf("%s without a token: HTTP %d %s", path, r.Status, r.Body)
				}
			}
			if mode.name == "default" {
				call("/silent", token).want(t, 200, "ok")
				call("/denied", token).want(t, 200, "ok")
				return
			}
			call("/silent", token).want(t, 403, `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn+`/prod/GET/silent"}`)
			call("/denied", token).want(t, 403, `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn+`/prod/GET/denied with an explicit deny"}`)
		})
	}
}

// TestIAMEnforceAPIGatewayCredentialsAndAuthorizers: under --auth iam a
// REST API's Lambda integration with credentials invokes as that role
// (which must trust apigateway.amazonaws.com and allow
// lambda:InvokeFunction), not by the function's policy; and an HTTP
// API's Lambda authorizer needs its function's policy to allow
// apigateway.amazonaws.com for API/authorizers/ID, the route answering
// 500 {"message":"Internal Server Error"} until it does.
func TestIAMEnforceAPIGatewayCredentialsAndAuthorizers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "cr-fn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
	createPythonFunction(t, lc, "cr-authz", "def handler(event, context):\n    return {'isAuthorized': True}\n", 10)

	// REST: credentials on the integration.
	rc := apigateway.NewFromConfig(env.Config)
	api, err := rc.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("with-role")})
	if err != nil {
		t.Fatal(err)
	}
	apigwv1ProxyGET(t, rc, *api.Id, "hello", "NONE", "cr-fn")
	res := apigwv1Resource(t, rc, *api.Id, "/hello")
	setCredentials := func(role string) {
		t.Helper()
		if _, err := rc.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("GET"),
			PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/credentials"), Value: aws.String(role)}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
			t.Fatal(err)
		}
	}
	setCredentials(serviceRole(t, env, "rest-weak", "apigateway.amazonaws.com", ""))
	apigwv1Call(t, env, *api.Id, "GET", "/prod/hello", nil, nil, false).want(t, 500, `{"message": "Internal server error"}`)
	setCredentials(serviceRole(t, env, "rest-strong", "apigateway.amazonaws.com", allow("lambda:InvokeFunction", functionARN("cr-fn"))))
	apigwv1Call(t, env, *api.Id, "GET", "/prod/hello", nil, nil, false).want(t, 200, "hi")

	// HTTP API: a Lambda authorizer's function.
	c := apigatewayv2.NewFromConfig(env.Config)
	h, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("authorized"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("cr-fn")), RouteKey: aws.String("GET /hello")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(h.ApiId)
	arn := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + id
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("cr-fn"), StatementId: aws.String("http"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(arn + "/*")}); err != nil {
		t.Fatal(err)
	}
	au, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("lambda"),
		AuthorizerType: gwtypes.AuthorizerTypeRequest, AuthorizerUri: aws.String(functionARN("cr-authz")),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		IdentitySource: []string{"$request.header.Authorization"}})
	if err != nil {
		t.Fatal(err)
	}
	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil || len(routes.Items) != 1 {
		t.Fatalf("GetRoutes = %+v, %v", routes, err)
	}
	if _, err := c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &id, RouteId: routes.Items[0].RouteId,
		AuthorizationType: gwtypes.AuthorizationTypeCustom, AuthorizerId: au.AuthorizerId}); err != nil {
		t.Fatal(err)
	}
	call := func() gwReply {
		return callHTTPAPI(t, env, id, "GET", "/hello", nil, map[string]string{"Authorization": "token"}, false)
	}
	if r := call(); r.Status != 500 || string(r.Body) != `{"message":"Internal Server Error"}` {
		t.Errorf("authorizer without permission: HTTP %d %s", r.Status, r.Body)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("cr-authz"), StatementId: aws.String("http"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String(arn + "/authorizers/" + aws.ToString(au.AuthorizerId))}); err != nil {
		t.Fatal(err)
	}
	if r := call(); r.Status != 200 || string(r.Body) != "hi" {
		t.Errorf("authorizer with permission: HTTP %d %s", r.Status, r.Body)
	}
}

// samResourcePolicyTemplate has one function behind the implicit REST
// API: GET /local allows only 127.0.0.0/8, GET /blocked denies it, as
// its events' Auth.ResourcePolicy say.
const samResourcePolicyTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"
      Handler: index.handler
      Runtime: python3.12
      Events:
        Local:
          Type: Api
          Properties:
            Path: /local
            Method: get
            Auth:
              ResourcePolicy:
                IpRangeWhitelist: [127.0.0.0/8]
        Blocked:
          Type: Api
          Properties:
            Path: /blocked
            Method: get
            Auth:
              ResourcePolicy:
                IpRangeBlacklist: [127.0.0.0/8]
`

// TestIAMEnforceSAMResourcePolicy: a SAM API's Auth.ResourcePolicy
// becomes the REST API's resource policy, its short resources
// (execute-api:/STAGE/VERB/PATH) saved as full ARNs as API Gateway saves
// them, and under --auth iam it decides requests by their source
// address: the range a whitelist names passes, the one a blacklist
// names gets 403 "User: anonymous is not authorized to perform:
// execute-api:Invoke on resource: ARN with an explicit deny".
func TestIAMEnforceSAMResourcePolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("walled"), TemplateBody: aws.String(samResourcePolicyTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "walled"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("create: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	res, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("walled"), LogicalResourceId: aws.String("ServerlessRestApi")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	arn := "arn:aws:execute-api:us-east-1:" + testAccount + ":" + id
	api, err := apigateway.NewFromConfig(env.Config).GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if p := aws.ToString(api.Policy); !strings.Contains(p, `"`+arn+`/Prod/GET/blocked"`) || strings.Contains(p, "execute-api:/") {
		t.Errorf("the saved policy: %s", p)
	}
	call := func(path string) apigwv1Response {
		return apigwv1Call(t, env, id, "GET", "/Prod"+path, nil, nil, false)
	}
	call("/local").want(t, 200, "hi")
	call("/blocked").want(t, 403, `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn+`/Prod/GET/blocked with an explicit deny"}`)
}
