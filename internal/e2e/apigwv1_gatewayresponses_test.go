package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// gatewayResponsesTemplate is the shape of SAM apps whose browser
// clients must read API Gateway's own errors: CORS headers on every 4xx
// (DEFAULT_4XX), a refused key answered 401 with a body of the app's
// (INVALID_API_KEY), and a path that does not exist answered 404
// instead of 403 (MISSING_AUTHENTICATION_TOKEN).
const gatewayResponsesTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors:
        AllowOrigin: "'*'"
        AllowHeaders: "'Content-Type,X-Api-Key'"
      Auth:
        ApiKeyRequired: true
        AddApiKeyRequiredToCorsPreflight: false
        UsagePlan:
          CreateUsagePlan: PER_API
      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters:
            Headers:
              Access-Control-Allow-Origin: "'*'"
              X-Request-Tenant: method.request.header.X-Tenant
        INVALID_API_KEY:
          StatusCode: 401
          ResponseParameters:
            Headers:
              Access-Control-Allow-Origin: "'*'"
          ResponseTemplates:
            application/json: '{"error": "$context.error.message", "type": "$context.error.responseType"}'
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseTemplates:
            application/json: '{"error": "no such route", "path": "$context.path", "method": "$context.httpMethod", "ip": "$context.identity.sourceIp"}'
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': 'ok'}
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items
            Method: get
Outputs:
  ApiId:
    Value: !Ref Api
`

// TestAPIGWv1GatewayResponses deploys a SAM API with GatewayResponses
// and checks API Gateway's own answers as they customize them.
func TestAPIGWv1GatewayResponses(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("gr"), TemplateBody: aws.String(gatewayResponsesTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60e9); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId})
	apiID := aws.ToString(st.Stacks[0].Outputs[0].OutputValue)

	// A refused key: INVALID_API_KEY's own status, headers and body.
	r := apigwv1Call(t, env, apiID, "GET", "/prod/items", nil, map[string]string{"X-Api-Key": "wrong-key-of-twenty-chars"}, false)
	r.want(t, 401, `{"error": "Forbidden", "type": "INVALID_API_KEY"}`)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("X-Amzn-Errortype") != "ForbiddenException" {
		t.Errorf("INVALID_API_KEY headers: %v", r.Header)
	}
	// No route: MISSING_AUTHENTICATION_TOKEN's status and body, and none
	// of DEFAULT_4XX's headers, which only types without a customization
	// of their own take.
	r = apigwv1Call(t, env, apiID, "GET", "/prod/nowhere", nil, nil, true)
	// The request's own $context variables are there without a route.
	r.want(t, 404, `{"error": "no such route", "path": "/prod/nowhere", "method": "GET", "ip": "127.0.0.1"}`)
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("MISSING_AUTHENTICATION_TOKEN took DEFAULT_4XX's headers: %v", r.Header)
	}
	// A request too large for API Gateway is a 4xx without a
	// customization: DEFAULT_4XX's headers, with a value from the
	// request, and the default body.
	big := make([]byte, 10<<20+1)
	r = apigwv1Call(t, env, apiID, "GET", "/prod/items", big, map[string]string{"X-Tenant": "acme"}, false)
	r.want(t, 413, `{"message":"Request Too Long"}`)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("X-Request-Tenant") != "acme" {
		t.Errorf("DEFAULT_4XX headers: %v", r.Header)
	}
	// The CORS preflight is the API's OPTIONS method, untouched, and
	// without the key the template does not require for it.
	r = apigwv1Call(t, env, apiID, "OPTIONS", "/prod/items", nil, map[string]string{"Origin": "https://app.example"}, false)
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Headers") != "Content-Type,X-Api-Key" {
		t.Errorf("preflight: HTTP %d %v", r.Status, r.Header)
	}

	// The aws CLI reads a customized response type and a default one.
	var gr struct {
		ResponseType       string            `json:"responseType"`
		StatusCode         string            `json:"statusCode"`
		ResponseParameters map[string]string `json:"responseParameters"`
		DefaultResponse    bool              `json:"defaultResponse"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-gateway-response", "--rest-api-id", apiID, "--response-type", "INVALID_API_KEY"), &gr)
	if gr.StatusCode != "401" || gr.DefaultResponse || gr.ResponseParameters["gatewayresponse.header.Access-Control-Allow-Origin"] != "'*'" {
		t.Errorf("get-gateway-response INVALID_API_KEY: %+v", gr)
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-gateway-response", "--rest-api-id", apiID, "--response-type", "THROTTLED"), &gr)
	if gr.StatusCode != "429" || !gr.DefaultResponse {
		t.Errorf("get-gateway-response THROTTLED: %+v", gr)
	}
	var all struct {
		Items []json.RawMessage `json:"items"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-gateway-responses", "--rest-api-id", apiID), &all)
	if len(all.Items) != 21 {
		t.Errorf("get-gateway-responses: %d types", len(all.Items))
	}
}
