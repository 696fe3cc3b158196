package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/virga/virga/internal/e2e"
)

// executionLog returns the execution log lines of one request, once its
// last ("Method completed with status") is written, without their
// "(requestId) " prefix.
func executionLog(t *testing.T, cwl *cloudwatchlogs.Client, group, requestID string) []string {
	t.Helper()
	prefix := "(" + requestID + ") "
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := cwl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String(group), FilterPattern: aws.String(`"` + requestID + `"`)})
		if err == nil {
			var lines []string
			for _, e := range out.Events {
				lines = append(lines, strings.TrimPrefix(aws.ToString(e.Message), prefix))
			}
			if len(lines) > 0 && strings.HasPrefix(lines[len(lines)-1], "Method completed with status: ") {
				return lines
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no execution log of %s in %s after 30 s (last error: %v)", requestID, group, err)
		}
		time.Sleep(100 * time.Millisecond) // waiting for the background delivery, not timing it
	}
}

// TestAPIGWv1ExecutionLogs: a REST API stage whose method settings,
// patched with UpdateStage, set a logging level writes each request's
// execution to API-Gateway-Execution-Logs_{restApiId}/{stageName}: INFO
// every request's, ERROR only failing requests', and the requests' and
// responses' data only with data trace.
func TestAPIGWv1ExecutionLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "made", "def handler(event, context):\n    return {'statusCode': 201, 'body': 'made ' + event['body']}\n", 10)
	createPythonFunction(t, lc, "gate", apigwv1AuthorizerFunction, 10)
	c := apigateway.NewFromConfig(env.Config)
	doc := `{"openapi":"3.0.1","info":{"title":"traced"},"paths":{"/ok":{"get":{"x-amazon-apigateway-integration":{"type":"mock",` +
		`"requestTemplates":{"application/json":"{\"statusCode\": 200}"},` +
		`"responses":{"default":{"statusCode":"200","responseTemplates":{"application/json":"{\"ok\":true}"}}}}}},` +
		`"/broken":{"get":{"x-amazon-apigateway-integration":{"type":"mock",` +
		`"requestTemplates":{"application/json":"{\"statusCode\": 500}"},"responses":{"default":{"statusCode":"500"}}}}},` +
		`"/guarded":{"get":{"security":[{"gate":[]}],"x-amazon-apigateway-integration":{"type":"mock",` +
		`"requestTemplates":{"application/json":"{\"statusCode\": 200}"},"responses":{"default":{"statusCode":"200"}}}}},` +
		`"/make/{kind}":{"post":{"x-amazon-apigateway-integration":{"type":"aws_proxy","httpMethod":"POST","uri":"` + apigwv1LambdaURI("made") + `"}}}},` +
		`"components":{"securitySchemes":{"gate":{"type":"apiKey","name":"Authorization","in":"header",` +
		`"x-amazon-apigateway-authtype":"custom","x-amazon-apigateway-authorizer":{"type":"token",` +
		`"authorizerUri":"` + apigwv1LambdaURI("gate") + `","authorizerResultTtlInSeconds":0}}}}}`
	api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	group := "API-Gateway-Execution-Logs_" + *api.Id + "/prod"
	patch := func(ops ...agtypes.PatchOperation) {
		t.Helper()
		if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("prod"), PatchOperations: ops}); err != nil {
			t.Fatal(err)
		}
	}
	replace := func(path, value string) agtypes.PatchOperation {
		return agtypes.PatchOperation{Op: agtypes.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}

	// INFO: the execution's steps, no data.
	patch(replace("/*/*/logging/loglevel", "INFO"))
	r := apigwv1Call(t, env, *api.Id, "GET", "/prod/ok", nil, nil, false)
	r.want(t, 200, `{"ok":true}`)
	id := r.Header.Get("X-Amzn-Requestid")
	lines := executionLog(t, cwl, group, id)
	for _, want := range []string{"Extended Request Id: " + r.Header.Get("X-Amz-Apigw-Id"),
		"Verifying Usage Plan for request: " + id + ". API Key:", "Starting execution for request: " + id,
		"HTTP Method: GET, Resource Path: /ok", "Successfully completed execution", "Method completed with status: 200"} {
		if !hasLine(lines, want) {
			t.Errorf("INFO: no line %q in %q", want, lines)
		}
	}
	if hasLine(lines, "Method request headers: ") || hasLine(lines, "Method response body after transformations: ") {
		t.Errorf("INFO without data trace logs data: %q", lines)
	}

	// A Lambda authorizer's run.
	for token, want := range map[string]struct {
		status int
		line   string
	}{"alice": {200, "Successfully completed authorizer execution"}, "unauthorized": {401, "Unauthorized request: "}} {
		r := apigwv1Call(t, env, *api.Id, "GET", "/prod/guarded", nil, map[string]string{"Authorization": token}, false)
		lines := executionLog(t, cwl, group, r.Header.Get("X-Amzn-Requestid"))
		if r.Status != want.status || !hasLine(lines, "Starting authorizer: ") || !hasLine(lines, want.line) {
			t.Errorf("authorizer with %s: HTTP %d, want %d and a line %q in %q", token, r.Status, want.status, want.line, lines)
		}
	}

	// With data trace: the requests' and responses' data, the
	// integration's request.
	patch(replace("/*/*/logging/dataTrace", "true"))
	r = apigwv1Call(t, env, *api.Id, "POST", "/prod/make/cake?size=big", []byte(`{"n":1}`), nil, false)
	r.want(t, 201, `made {"n":1}`)
	lines = executionLog(t, cwl, group, r.Header.Get("X-Amzn-Requestid"))
	for _, want := range []string{"HTTP Method: POST, Resource Path: /make/cake", "Method request path: {kind=cake}",
		"Method request query string: {size=big}", `Method request body before transformations: {"n":1}`,
		"Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/",
		`Endpoint request body after transformations: {`, "Sending request to https://lambda.us-east-1.amazonaws.com/",
		"Received response. Integration latency: ", `Method response body after transformations: made {"n":1}`,
		"Method completed with status: 201"} {
		if !hasLine(lines, want) {
			t.Errorf("data trace: no line %q in %q", want, lines)
		}
	}

	// Lines are cut after 1,024 bytes, as AWS cuts them.
	big := `{"pad":"` + strings.Repeat("x", 2000) + `"}`
	r = apigwv1Call(t, env, *api.Id, "POST", "/prod/make/big", []byte(big), nil, false)
	r.want(t, 201, "made "+big)
	id = r.Header.Get("X-Amzn-Requestid")
	cut := 0
	for _, l := range executionLog(t, cwl, group, id) {
		if strings.HasPrefix(l, "Method request body before transformations: ") {
			cut++
			if len("("+id+") "+l) != 1024+len(" [TRUNCATED]") || !strings.HasSuffix(l, `xxx [TRUNCATED]`) {
				t.Errorf("a long line: %d bytes, %q", len(l), l[len(l)-30:])
			}
		}
	}
	if cut != 1 {
		t.Errorf("%d lines of the method request's body", cut)
	}

	// ERROR: failing requests only.
	patch(replace("/*/*/logging/loglevel", "ERROR"))
	quiet := apigwv1Call(t, env, *api.Id, "GET", "/prod/ok", nil, nil, false)
	quiet.want(t, 200, `{"ok":true}`)
	r = apigwv1Call(t, env, *api.Id, "GET", "/prod/broken", nil, nil, false)
	r.want(t, 500, "")
	lines = executionLog(t, cwl, group, r.Header.Get("X-Amzn-Requestid"))
	if !hasLine(lines, "Method completed with status: 500") {
		t.Errorf("ERROR: a failing request's lines %q", lines)
	}
	// The stream is written in order: the earlier success is not there.
	out, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
		FilterPattern: aws.String(`"` + quiet.Header.Get("X-Amzn-Requestid") + `"`)})
	if err != nil || len(out.Events) != 0 {
		t.Errorf("ERROR logs a success: %v %v", out, err)
	}
}

// executionLogTemplate turns execution logging on with a SAM API's
// MethodSettings: INFO with data trace for every method, OFF for one.
const executionLogTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          LoggingLevel: INFO
          DataTraceEnabled: true
        - ResourcePath: /quiet
          HttpMethod: GET
          LoggingLevel: "OFF"
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': 'hello ' + event['path']}
      Events:
        Loud:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /loud
            Method: get
        Quiet:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /quiet
            Method: get
Outputs:
  ApiId:
    Value: !Ref Api
`

// TestAPIGWv1ExecutionLogsSAM: MethodSettings in a SAM template turn
// execution logs on for the stage, and a method's own setting off.
func TestAPIGWv1ExecutionLogsSAM(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	apiID := deployWithCLI(t, env, "traced", executionLogTemplate)["ApiId"]
	group := "API-Gateway-Execution-Logs_" + apiID + "/Prod"
	quiet := apigwv1Call(t, env, apiID, "GET", "/Prod/quiet", nil, nil, false)
	quiet.want(t, 200, "hello /quiet")
	r := apigwv1Call(t, env, apiID, "GET", "/Prod/loud", nil, nil, false)
	r.want(t, 200, "hello /loud")
	lines := executionLog(t, cwl, group, r.Header.Get("X-Amzn-Requestid"))
	for _, want := range []string{"HTTP Method: GET, Resource Path: /loud", "Method request headers: {",
		"Method response body after transformations: hello /loud", "Method completed with status: 200"} {
		if !hasLine(lines, want) {
			t.Errorf("no line %q in %q", want, lines)
		}
	}
	out, err := cwl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
		FilterPattern: aws.String(`"` + quiet.Header.Get("X-Amzn-Requestid") + `"`)})
	if err != nil || len(out.Events) != 0 {
		t.Errorf("a method whose logging is OFF logged: %v %v", out, err)
	}
}
