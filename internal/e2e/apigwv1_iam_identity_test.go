package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1IAMIdentity calls a REST API method with AWS_IAM
// authorization in virga's default mode: an unsigned request is refused,
// and a signed one reaches the function with its signer in
// requestContext.identity (account, access key, the user's id as caller
// and user, its ARN), which the stage's access log also gives as
// $context.identity.
func TestAPIGWv1IAMIdentity(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("signed-access")}); err != nil {
		t.Fatal(err)
	}
	createPythonFunction(t, lambdaClient(t, env), "iam-echo", apigwv1EchoFunction, 10)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("signed")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.Id)
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: api.RootResourceId, PathPart: aws.String("who")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("AWS_IAM")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(apigwv1LambdaURI("iam-echo"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("prod"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/destinationArn"), Value: aws.String("arn:aws:logs:us-east-1:" + testAccount + ":log-group:signed-access")},
		{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/format"),
			Value: aws.String(`$context.requestId $context.identity.accountId $context.identity.accessKey $context.identity.caller $context.identity.userArn`)},
	}}); err != nil {
		t.Fatal(err)
	}

	apigwv1Call(t, env, id, "GET", "/prod/who", nil, nil, false).want(t, 403, `{"message":"Missing Authentication Token"}`)

	hugo := userKeys(t, env, "hugo")
	user, err := iamClient(env).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("hugo")})
	if err != nil {
		t.Fatal(err)
	}
	userID, userARN := aws.ToString(user.User.UserId), "arn:aws:iam::"+testAccount+":user/hugo"
	status, _, body := callSigned(t, env, id, "/prod/who", hugo)
	if status != 200 {
		t.Fatalf("signed: HTTP %d %s", status, body)
	}
	var ev struct {
		RequestContext struct {
			RequestID string         `json:"requestId"`
			Identity  map[string]any `json:"identity"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	got := ev.RequestContext.Identity
	if got["accountId"] != testAccount || got["accessKey"] != hugo.AccessKeyID || got["userArn"] != userARN ||
		got["caller"] != userID || got["user"] != userID || got["sourceIp"] != "127.0.0.1" {
		t.Errorf("identity %v, want user %s", got, userID)
	}
	line := waitForLogMessage(t, cwl, "signed-access", ev.RequestContext.RequestID)
	if want := strings.Join([]string{ev.RequestContext.RequestID, testAccount, hugo.AccessKeyID, userID, userARN}, " "); line != want {
		t.Errorf("access log %q, want %q", line, want)
	}
}
