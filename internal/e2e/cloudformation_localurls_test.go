package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/virga/virga/internal/e2e"
)

// serviceToService is the shape of apps whose functions call another
// API of theirs by the address the template builds for it on AWS's host
// names (the serverless shopping cart keeps its product service's URL in
// Parameter Store and reads it through a parameter of type
// AWS::SSM::Parameter::Value<String>; others hand it over as an
// environment variable).
const serviceToService = `Transform: AWS::Serverless-2016-10-31
Resources:
  Pong:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': 'pong ' + event['rawPath']}
      Events:
        Ping:
          Type: HttpApi
          Properties:
            Path: /ping
            Method: GET
  ApiUrl:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /app/pong-url
      Type: String
      Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com"
  Caller:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      Environment:
        Variables:
          PONG_URL: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/ping"
          UNRELATED: https://example.com/ping
      InlineCode: |
        import os, urllib.request, boto3
        def handler(event, context):
            url = boto3.client('ssm').get_parameter(Name='/app/pong-url')['Parameter']['Value']
            return {'env': urllib.request.urlopen(os.environ['PONG_URL']).read().decode(),
                    'ssm': urllib.request.urlopen(url + '/ping').read().decode(),
                    'unrelated': os.environ['UNRELATED']}
Outputs:
  Caller:
    Value: !Ref Caller
  Url:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com"
`

// TestCloudFormationFunctionsCallTheirAPIs: a function reaches an API of
// its stack at the address the template builds for AWS's host names,
// handed to it in an environment variable or through Parameter Store:
// those values hold the local form, as the stack's outputs do, and
// other URLs are left as written.
func TestCloudFormationFunctionsCallTheirAPIs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	outs := createSAMStack(t, env, "s2s", serviceToService)
	p, err := ssm.NewFromConfig(env.Config).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/pong-url")})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(p.Parameter.Value); v != outs["Url"] {
		t.Fatalf("the parameter: %s, want the output %s", v, outs["Url"])
	}
	out, err := lambdaClient(t, env).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(outs["Caller"])})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil {
		logFunctionLogs(t, env, "/aws/lambda/s2s-")
		t.Fatalf("the caller: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if got["env"] != "pong /ping" || got["ssm"] != "pong /ping" || got["unrelated"] != "https://example.com/ping" {
		t.Fatalf("the caller: %v", got)
	}
}
