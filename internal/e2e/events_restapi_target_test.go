package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/virga/virga/internal/e2e"
)

// templateRuleToRestAPI sends a source's events to a REST API's stage,
// whose Lambda proxy integration prints what it was asked.
const templateRuleToRestAPI = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            print("GOT " + json.dumps({"path": event["path"], "method": event["httpMethod"],
                "q": event["queryStringParameters"], "team": event["headers"].get("X-Team"),
                "ip": event["requestContext"]["identity"]["sourceIp"], "xff": event["headers"].get("X-Forwarded-For"),
                "proto": event["headers"].get("X-Forwarded-Proto"), "port": event["headers"].get("X-Forwarded-Port"),
                "body": json.loads(event["body"])}))
            return {"statusCode": 200, "body": "ok"}
      Events:
        Api:
          Type: Api
          Properties:
            Path: /orders/{id}
            Method: post
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [app.orders]
      Targets:
        - Id: api
          Arn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessRestApi}/Prod/POST/orders/*
          RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/events-api
          InputPath: $.detail
          HttpParameters:
            PathParameterValues: [$.detail.id]
            QueryStringParameters:
              mode: fast
              kind: $.detail-type
            HeaderParameters:
              X-Team: blue
Outputs:
  Fn:
    Value: !Ref Fn
`

// TestEventBridgeRuleToRestAPI: a rule whose target is a REST API
// stage (arn:aws:execute-api:...:API/STAGE/METHOD/PATH) sends the
// target's input as the body of a request to that method and path, the
// path's wildcards filled by HttpParameters.PathParameterValues, with
// its query string and header parameters; values that are JSON paths
// select in the event (not in the input InputPath made).
func TestEventBridgeRuleToRestAPI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("to-api"), TemplateBody: aws.String(templateRuleToRestAPI),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	fn := createdStackOutputs(t, cf, "to-api")["Fn"]
	put, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app.orders"), DetailType: aws.String("created"), Detail: aws.String(`{"id":"o-42","total":7}`)}}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %+v, %v", put, err)
	}
	var got struct {
		Path, Method, Team   string
		IP, XFF, Proto, Port string
		Q                    map[string]string
		Body                 map[string]any
	}
	deadline := time.Now().Add(60 * time.Second)
	for got.Path == "" {
		if time.Now().After(deadline) {
			t.Fatal("the REST API's function was not called")
		}
		out, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + fn)})
		if err == nil {
			for _, e := range out.Events {
				if m, ok := strings.CutPrefix(aws.ToString(e.Message), "GOT "); ok {
					if err := json.Unmarshal([]byte(strings.TrimSpace(m)), &got); err != nil {
						t.Fatalf("%s: %v", m, err)
					}
				}
			}
		}
		if got.Path == "" {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if got.Path != "/orders/o-42" || got.Method != "POST" || got.Team != "blue" || got.Q["mode"] != "fast" || got.Q["kind"] != "created" ||
		got.Body["id"] != "o-42" || got.Body["total"] != float64(7) {
		t.Fatalf("the function got %+v", got)
	}
	// The request comes from EventBridge, over HTTPS.
	if got.IP != "127.0.0.1" || got.XFF != "127.0.0.1" || got.Proto != "https" || got.Port != "443" {
		t.Errorf("the request's source: %+v", got)
	}
}
