package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/virga/virga/internal/e2e"
)

// samNumericPayloadVersions writes the payload format versions as YAML
// numbers, as SAM's documentation and many templates do: an HttpApi
// Lambda authorizer's AuthorizerPayloadFormatVersion 2.0 and an
// integration's PayloadFormatVersion 1.0.
const samNumericPayloadVersions = `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Gate
        Authorizers:
          Gate:
            FunctionArn: !GetAtt AuthFunction.Arn
            Identity:
              Headers: [Authorization]
            AuthorizerPayloadFormatVersion: 2.0
            EnableSimpleResponses: true
  AuthFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"isAuthorized": event["headers"].get("authorization") == "open", "context": {"who": "tester"}}
  AppFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /who
            Method: GET
  Plain:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt AppFunction.Arn
      PayloadFormatVersion: 1.0
Outputs:
  ApiId:
    Value: !Ref Api
  Plain:
    Value: !Ref Plain
`

// TestCloudFormationHTTPAPINumericPayloadVersions checks that payload
// format versions written as numbers reach API Gateway as their text,
// as CloudFormation passes a number given for a string property: the
// stack is created, the authorizer answers in the 2.0 format, and the
// integration's version is "1.0".
func TestCloudFormationHTTPAPINumericPayloadVersions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	outs := createSAMStack(t, env, "numeric", samNumericPayloadVersions)
	gw := apigatewayv2.NewFromConfig(env.Config)
	in, err := gw.GetIntegration(ctx, &apigatewayv2.GetIntegrationInput{ApiId: aws.String(outs["ApiId"]), IntegrationId: aws.String(outs["Plain"])})
	if err != nil || aws.ToString(in.PayloadFormatVersion) != "1.0" {
		t.Fatalf("integration: %v %v", in, err)
	}
	as, err := gw.GetAuthorizers(ctx, &apigatewayv2.GetAuthorizersInput{ApiId: aws.String(outs["ApiId"])})
	if err != nil || len(as.Items) != 1 || aws.ToString(as.Items[0].AuthorizerPayloadFormatVersion) != "2.0" {
		t.Fatalf("authorizers: %+v %v", as, err)
	}
	if r := callHTTPAPI(t, env, outs["ApiId"], "GET", "/who", nil, map[string]string{"Authorization": "closed"}, true); r.Status != 403 {
		t.Errorf("refused: %d %s", r.Status, r.Body)
	}
	r := callHTTPAPI(t, env, outs["ApiId"], "GET", "/who", nil, map[string]string{"Authorization": "open"}, true)
	var got struct {
		Lambda map[string]any `json:"lambda"`
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || got.Lambda["who"] != "tester" {
		t.Errorf("allowed: %d %s", r.Status, r.Body)
	}
}
