package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/virga/virga/internal/e2e"
)

// apigwv1AuthorizerFunction is a TOKEN and REQUEST authorizer: the token
// (the Authorization header, or X-Token for REQUEST) "deny" gets a Deny,
// "unauthorized" raises Unauthorized, anything else an Allow for exactly
// the method ARN asked about. Every answer's context carries a fresh id,
// so a test can tell a cached answer from a new one.
const apigwv1AuthorizerFunction = `
import uuid

def handler(event, context):
    if event["type"] == "TOKEN":
        token = event["authorizationToken"]
    else:
        token = event["headers"].get("X-Token", "")
    if token == "unauthorized":
        raise Exception("Unauthorized")
    effect = "Deny" if token == "deny" else "Allow"
    return {
        "principalId": "user-" + token,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
        "context": {"answer": str(uuid.uuid4()), "count": 3, "admin": True, "type": event["type"],
                    "query": str((event.get("queryStringParameters") or {}).get("q"))},
    }
`

// TestAPIGWv1Authorizers puts a TOKEN authorizer (cached for five
// minutes) on /token and a REQUEST authorizer (not cached) on /request,
// and checks allow, deny, missing identity, Unauthorized, the context the
// integration sees, and the cache.
func TestAPIGWv1Authorizers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "apigw-authz-echo", apigwv1EchoFunction, 10)
	createPythonFunction(t, lc, "apigw-authorizer", apigwv1AuthorizerFunction, 10)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("authorized")})
	if err != nil {
		t.Fatal(err)
	}
	id := api.Id
	tokenAuth, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("token"),
		Type: agtypes.AuthorizerTypeToken, AuthorizerUri: aws.String(apigwv1LambdaURI("apigw-authorizer")),
		IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(tokenAuth.AuthorizerResultTtlInSeconds) != 300 || tokenAuth.Type != agtypes.AuthorizerTypeToken {
		t.Errorf("CreateAuthorizer: %+v", tokenAuth)
	}
	requestAuth, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("request"),
		Type: agtypes.AuthorizerTypeRequest, AuthorizerUri: aws.String(apigwv1LambdaURI("apigw-authorizer")),
		IdentitySource: aws.String("method.request.header.X-Token"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: id})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("GetAuthorizers: %+v %v", list, err)
	}
	for _, r := range []struct {
		part string
		auth *string
	}{{"token", tokenAuth.Id}, {"request", requestAuth.Id}} {
		res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String(r.part)})
		if err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"GET", "POST"} {
			if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String(verb),
				AuthorizationType: aws.String("CUSTOM"), AuthorizerId: r.auth}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String(verb),
				Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(apigwv1LambdaURI("apigw-authz-echo"))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("CUSTOM")})
	if e := expectAPIError(t, err, "BadRequestException", 400); e.Message != "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer." {
		t.Errorf("message %q", e.Message)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	call := func(verb, path string, header map[string]string) apigwv1Response {
		return apigwv1Call(t, env, *id, verb, "/prod"+path, nil, header, false)
	}
	authorizer := func(r apigwv1Response) map[string]any {
		t.Helper()
		rc, _ := apigwv1Event(t, r)["requestContext"].(map[string]any)
		a, _ := rc["authorizer"].(map[string]any)
		return a
	}

	// TOKEN.
	call("GET", "/token", nil).want(t, 401, `{"message":"Unauthorized"}`)
	first := authorizer(call("GET", "/token", map[string]string{"Authorization": "alice"}))
	if first["principalId"] != "user-alice" || first["count"] != "3" || first["admin"] != "true" || first["type"] != "TOKEN" {
		t.Errorf("requestContext.authorizer %v", first)
	}
	if _, ok := first["integrationLatency"].(float64); !ok {
		t.Errorf("integrationLatency %v", first["integrationLatency"])
	}
	again := authorizer(call("GET", "/token", map[string]string{"Authorization": "alice"}))
	if again["answer"] != first["answer"] {
		t.Errorf("a second request within the TTL called the authorizer again: %v, then %v", first["answer"], again["answer"])
	}
	// The cached policy allows GET /token only.
	call("POST", "/token", map[string]string{"Authorization": "alice"}).want(t, 403, `{"Message":"User is not authorized to access this resource"}`)
	call("GET", "/token", map[string]string{"Authorization": "deny"}).want(t, 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	call("GET", "/token", map[string]string{"Authorization": "unauthorized"}).want(t, 401, `{"message":"Unauthorized"}`)
	env.Clock.Advance(301 * time.Second)
	if later := authorizer(call("GET", "/token", map[string]string{"Authorization": "alice"})); later["answer"] == first["answer"] {
		t.Error("the authorizer's answer outlived its TTL")
	}
	call("POST", "/token", map[string]string{"Authorization": "bob"}).want(t, 200, "")

	// REQUEST, not cached.
	call("GET", "/request", map[string]string{"Authorization": "alice"}).want(t, 401, `{"message":"Unauthorized"}`)
	r1 := authorizer(call("GET", "/request?q=1", map[string]string{"X-Token": "carol"}))
	r2 := authorizer(call("GET", "/request?q=2", map[string]string{"X-Token": "carol"}))
	if r1["principalId"] != "user-carol" || r1["type"] != "REQUEST" || r1["query"] != "1" || r2["query"] != "2" || r1["answer"] == r2["answer"] {
		t.Errorf("REQUEST authorizer contexts %v and %v", r1, r2)
	}
	call("POST", "/request", map[string]string{"X-Token": "deny"}).want(t, 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
}
