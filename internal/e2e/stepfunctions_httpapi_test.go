package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestHTTPAPIStepFunctions: an HTTP API route with the
// StepFunctions-StartExecution integration starts an execution with the
// request body; StepFunctions-StartSyncExecution answers the output of
// an express machine.
func TestHTTPAPIStepFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	s := sfn.NewFromConfig(env.Config)
	def := aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"got.$":"$.n"},"End":true}}}`)
	std, err := s.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("std"), Definition: def, RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := s.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("exp"), Definition: def, RoleArn: aws.String(sfnRole), Type: sfntypes.StateMachineTypeExpress})
	if err != nil {
		t.Fatal(err)
	}
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("flows"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t).ApiId)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))(t)
	for route, in := range map[string]*apigatewayv2.CreateIntegrationInput{
		"POST /start": {IntegrationSubtype: aws.String("StepFunctions-StartExecution"),
			RequestParameters: map[string]string{"StateMachineArn": aws.ToString(std.StateMachineArn), "Input": "$request.body"}},
		"POST /run": {IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"),
			RequestParameters: map[string]string{"StateMachineArn": aws.ToString(exp.StateMachineArn), "Input": "$request.body"}},
	} {
		in.ApiId, in.IntegrationType, in.PayloadFormatVersion = &id, gwtypes.IntegrationTypeAwsProxy, aws.String("1.0")
		in.CredentialsArn = aws.String("arn:aws:iam::" + testAccount + ":role/apigw")
		integ := mustGW(c.CreateIntegration(ctx, in))(t)
		mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(route),
			Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
	}
	r := callHTTPAPI(t, env, id, "POST", "/start", []byte(`{"n":1}`), nil, false)
	var started struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := json.Unmarshal(r.Body, &started); r.Status != 200 || err != nil || started.ExecutionArn == "" {
		t.Fatalf("POST /start: HTTP %d %s", r.Status, r.Body)
	}
	if d := waitExecution(t, s, started.ExecutionArn); aws.ToString(d.Output) != `{"got":1}` {
		t.Errorf("execution output %s", aws.ToString(d.Output))
	}
	r = callHTTPAPI(t, env, id, "POST", "/run", []byte(`{"n":2}`), nil, false)
	var ran struct{ Status, Output string }
	if err := json.Unmarshal(r.Body, &ran); r.Status != 200 || err != nil || ran.Status != "SUCCEEDED" || ran.Output != `{"got":2}` {
		t.Errorf("POST /run: HTTP %d %s", r.Status, r.Body)
	}
}
