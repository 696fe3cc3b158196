package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

const sfnAPIGatewayTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 201, "headers": {"Content-Type": "application/json"},
                    "body": json.dumps({"path": event["path"], "method": event["httpMethod"],
                                        "q": event["multiValueQueryStringParameters"],
                                        "custom": event["headers"].get("X-Custom"),
                                        "body": json.loads(event["body"])})}
      Events:
        Item:
          Type: Api
          Properties:
            Path: /items/{id}
            Method: POST
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: execute-api:Invoke
              Resource: "*"
      DefinitionSubstitutions:
        Endpoint: !Sub "${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::apigateway:invoke
            Parameters:
              ApiEndpoint: ${Endpoint}
              Method: POST
              Stage: Prod
              Path: /items/7
              QueryParameters:
                q: [a, b]
              Headers:
                X-Custom: ["yes"]
              RequestBody.$: $
              AuthType: NO_AUTH
            ResultSelector:
              status.$: $.StatusCode
              text.$: $.StatusText
              echoed.$: $.ResponseBody
              type.$: $.Headers.Content-Type
            ResultPath: $.call
            Next: Missing
          Missing:
            Type: Task
            Resource: arn:aws:states:::apigateway:invoke
            Parameters:
              ApiEndpoint: ${Endpoint}
              Method: GET
              Stage: Prod
              Path: nowhere
            Catch:
              - ErrorEquals: [ApiGateway.403]
                ResultPath: $.caught
                Next: Done
            Next: Done
          Done:
            Type: Pass
            End: true
Outputs:
  Machine:
    Value: !Ref Machine
`

// TestStepFunctionsAPIGatewayInvoke: an apigateway:invoke task calls a
// REST API's stage with its method, path, query parameters, headers and
// body (null members dropped), and its result is the answer's status,
// status text, headers and parsed JSON body; an error answer fails the
// task with ApiGateway.STATUS.
func TestStepFunctionsAPIGatewayInvoke(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	machine := createSAMStack(t, env, "sfnapi", sfnAPIGatewayTemplate)["Machine"]
	c := sfn.NewFromConfig(env.Config)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"n":1,"gone":null}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	var out struct {
		N    int
		Call struct {
			Status int
			Text   string
			Type   []string
			Echoed struct {
				Path, Method, Custom string
				Q                    map[string][]string
				Body                 map[string]any
			}
		}
		Caught struct{ Error, Cause string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || d.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s (%s)", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	call := out.Call
	if call.Status != 201 || call.Text != "Created" || len(call.Type) != 1 || call.Type[0] != "application/json" {
		t.Errorf("call result: %s", aws.ToString(d.Output))
	}
	e := call.Echoed
	if e.Path != "/items/7" || e.Method != "POST" || e.Custom != "yes" || len(e.Q["q"]) != 2 || e.Q["q"][1] != "b" {
		t.Errorf("request as the function saw it: %+v", e)
	}
	if _, kept := e.Body["gone"]; kept || e.Body["n"] != float64(1) {
		t.Errorf("request body: %v", e.Body)
	}
	if out.Caught.Error != "ApiGateway.403" || out.Caught.Cause != `{"message":"Missing Authentication Token"}` {
		t.Errorf("missing resource caught as %+v", out.Caught)
	}
}
