package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/e2e"
)

// modelTemplate is a WebSocket API whose sendOrder route names a model
// in RequestModels, the model declared after the route as AWS's samples
// do, with no dependency between them.
const modelTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: orders
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: "$request.body.action"
  OrderIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: MOCK
      RequestTemplates:
        "$default": '{"statusCode": 200}'
      TemplateSelectionExpression: "\\$default"
  OrderIntegrationResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Api
      IntegrationId: !Ref OrderIntegration
      IntegrationResponseKey: "$default"
      ResponseTemplates:
        "$default": '{"message": "order received"}'
  SendOrder:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: sendOrder
      AuthorizationType: NONE
      RouteResponseSelectionExpression: $default
      ModelSelectionExpression: $request.body.action
      RequestModels:
        sendOrder: orderModel
      Target: !Join ["/", [integrations, !Ref OrderIntegration]]
  SendOrderResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Api
      RouteId: !Ref SendOrder
      RouteResponseKey: $default
  OrderModel:
    Type: AWS::ApiGatewayV2::Model
    Properties:
      ApiId: !Ref Api
      ContentType: application/json
      Description: what an order carries
      Name: orderModel
      Schema:
        $schema: http://json-schema.org/draft-04/schema#
        title: orderInputModel
        type: object
        properties:
          Name:
            type: string
          Number:
            type: integer
        required: [Name, Number]
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    DependsOn: [SendOrder, SendOrderResponse, OrderIntegrationResponse]
    Properties:
      ApiId: !Ref Api
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      StageName: production
      ApiId: !Ref Api
      DeploymentId: !Ref Deployment
Outputs:
  ApiId:
    Value: !Ref Api
  ModelId:
    Value: !Ref OrderModel
`

// TestAPIGWv2WebSocketModelStack deploys a WebSocket API with an
// AWS::ApiGatewayV2::Model, reads the model back with the model
// operations, and talks to the route that names it, which validates
// messages against it.
func TestAPIGWv2WebSocketModelStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("orders"), TemplateBody: aws.String(modelTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "orders")
	apiID, modelID := outs["ApiId"], outs["ModelId"]

	gw := apigatewayv2.NewFromConfig(env.Config)
	m, err := gw.GetModel(ctx, &apigatewayv2.GetModelInput{ApiId: &apiID, ModelId: &modelID})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(m.Name) != "orderModel" || aws.ToString(m.ContentType) != "application/json" ||
		aws.ToString(m.Description) != "what an order carries" || !strings.Contains(aws.ToString(m.Schema), `"required":["Name","Number"]`) {
		t.Fatalf("GetModel: %+v", m)
	}
	tpl, err := gw.GetModelTemplate(ctx, &apigatewayv2.GetModelTemplateInput{ApiId: &apiID, ModelId: &modelID})
	if err != nil {
		t.Fatal(err)
	}
	want := "#set($inputRoot = $input.path('$'))\n{\n  \"Name\" : \"$inputRoot.Name\",\n  \"Number\" : $inputRoot.Number\n}"
	if aws.ToString(tpl.Value) != want {
		t.Fatalf("GetModelTemplate:\n%s\nwant\n%s", aws.ToString(tpl.Value), want)
	}

	ws, err := wsConnect(t, env, apiID, "production", "", false)
	if err != nil {
		t.Fatal(err)
	}
	websocket.Message.Send(ws, `{"action":"sendOrder","Name":"Ada","Number":3}`)
	if got := wsReceive(t, ws); got != `{"message": "order received"}` {
		t.Fatalf("sendOrder answered %q", got)
	}
	// A message its model refuses is not integrated: Number is missing,
	// then not an integer.
	for _, msg := range []string{`{"action":"sendOrder","Name":"Ada"}`, `{"action":"sendOrder","Name":"Ada","Number":"3"}`} {
		websocket.Message.Send(ws, msg)
		var refused struct{ Message, ConnectionId, RequestId string }
		if got := wsReceive(t, ws); json.Unmarshal([]byte(got), &refused) != nil || refused.Message != "Invalid request body" ||
			refused.ConnectionId == "" || refused.RequestId == "" {
			t.Fatalf("%s answered %q", msg, got)
		}
	}
	ws.Close()

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, aws.ToString(created.StackId)); st.StackStatus != "DELETE_COMPLETE" {
		t.Fatalf("delete: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
}

// TestAPIGWv2Models drives the model operations' rules: names unique in
// an API and alphanumeric, a schema that is a JSON object, models only on
// WebSocket APIs, and NotFoundException for an unknown id.
func TestAPIGWv2Models(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	gw := apigatewayv2.NewFromConfig(env.Config)
	api, err := gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: "WEBSOCKET",
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	schema := `{"type":"object","properties":{"id":{"type":"string"}}}`
	created, err := gw.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: api.ApiId, Name: aws.String("Order"),
		ContentType: aws.String("application/json"), Schema: &schema})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.ModelId) == "" || aws.ToString(created.Name) != "Order" || aws.ToString(created.Schema) != schema || created.Description != nil {
		t.Fatalf("CreateModel: %+v", created)
	}
	wantCode := func(err error, code string) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != code {
			t.Fatalf("got %v, want %s", err, code)
		}
	}
	_, err = gw.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: api.ApiId, Name: aws.String("Order"), Schema: &schema})
	wantCode(err, "ConflictException")
	_, err = gw.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: api.ApiId, Name: aws.String("an-order"), Schema: &schema})
	wantCode(err, "BadRequestException")
	_, err = gw.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: api.ApiId, Name: aws.String("Other"), Schema: aws.String("[1]")})
	wantCode(err, "BadRequestException")

	updated, err := gw.UpdateModel(ctx, &apigatewayv2.UpdateModelInput{ApiId: api.ApiId, ModelId: created.ModelId,
		Name: aws.String("Order2"), Description: aws.String("renamed")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(updated.Name) != "Order2" || aws.ToString(updated.Description) != "renamed" || aws.ToString(updated.Schema) != schema {
		t.Fatalf("UpdateModel: %+v", updated)
	}
	list, err := gw.GetModels(ctx, &apigatewayv2.GetModelsInput{ApiId: api.ApiId})
	if err != nil || len(list.Items) != 1 || aws.ToString(list.Items[0].Name) != "Order2" {
		t.Fatalf("GetModels: %+v %v", list, err)
	}
	if _, err := gw.DeleteModel(ctx, &apigatewayv2.DeleteModelInput{ApiId: api.ApiId, ModelId: created.ModelId}); err != nil {
		t.Fatal(err)
	}
	_, err = gw.GetModel(ctx, &apigatewayv2.GetModelInput{ApiId: api.ApiId, ModelId: created.ModelId})
	wantCode(err, "NotFoundException")
	_, err = gw.DeleteModel(ctx, &apigatewayv2.DeleteModelInput{ApiId: api.ApiId, ModelId: created.ModelId})
	wantCode(err, "NotFoundException")

	httpAPI, err := gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("http"), ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = gw.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: httpAPI.ApiId, Name: aws.String("Order"), Schema: &schema})
	wantCode(err, "BadRequestException")
}

// snsOrderTemplate is the "WebSocket API to SNS" pattern: the sendOrder
// route names a model, and its AWS integration publishes to a topic with
// SNS's Publish action, the form body built by a request template from
// the message and $context. A queue subscribed to the topic shows what
// was published.
const snsOrderTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Inbox:
    Type: AWS::SQS::Queue
  InboxSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Inbox.Arn
      RawMessageDelivery: true
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: !Sub "${AWS::StackName}-ws"
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: "$request.body.action"
  PublishRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [apigateway.amazonaws.com]}
            Action: ["sts:AssumeRole"]
      Policies:
        - PolicyName: publish
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ["sns:Publish"]
                Resource: [!Ref Topic]
  ConnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: MOCK
      RequestTemplates:
        "200": '{"statusCode":200}'
      TemplateSelectionExpression: '200'
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $connect
      Target: !Join [/, [integrations, !Ref ConnectIntegration]]
  OrderRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: sendOrder
      ModelSelectionExpression: $request.body.action
      RequestModels:
        sendOrder: order
      Target: !Join [/, [integrations, !Ref OrderIntegration]]
  OrderIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS
      IntegrationUri: !Sub "arn:aws:apigateway:${AWS::Region}:sns:action/Publish"
      CredentialsArn: !GetAtt PublishRole.Arn
      IntegrationMethod: POST
      RequestParameters:
        integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
      TemplateSelectionExpression: request.body.action
      RequestTemplates:
        $default:
          Fn::Sub: |
            #set($q = '"')
            #set($item = $input.path('$.item'))
            Action=Publish&TopicArn=$util.urlEncode("${Topic}")&Message=$util.urlEncode("{${!q}connection${!q}: ${!q}${!context.connectionId}${!q}, ${!q}item${!q}: ${!q}$item${!q}}")
  OrderRouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Api
      RouteId: !Ref OrderRoute
      RouteResponseKey: $default
  OrderIntegrationResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Api
      IntegrationId: !Ref OrderIntegration
      IntegrationResponseKey: $default
  Order:
    Type: AWS::ApiGatewayV2::Model
    Properties:
      ApiId: !Ref Api
      ContentType: application/json
      Name: order
      Schema:
        type: object
        properties:
          item: {type: string}
        required: [item]
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    DependsOn: [ConnectRoute, OrderRoute]
    Properties:
      ApiId: !Ref Api
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      StageName: production
      ApiId: !Ref Api
      DeploymentId: !Ref Deployment
Outputs:
  ApiId:
    Value: !Ref Api
  InboxUrl:
    Value: !Ref Inbox
`

// TestAPIGWv2WebSocketSNSStack deploys the WebSocket-to-SNS pattern and
// publishes through it: the topic's subscriber gets the message the
// request template built, and the two-way route answers SNS's Publish
// response.
func TestAPIGWv2WebSocketSNSStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("ws-sns"), TemplateBody: aws.String(snsOrderTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "ws-sns")

	ws, err := wsConnect(t, env, outs["ApiId"], "production", "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	websocket.Message.Send(ws, `{"action":"sendOrder","item":"tea"}`)
	var answer struct {
		PublishResponse struct {
			PublishResult struct{ MessageId string }
		}
	}
	if got := wsReceive(t, ws); json.Unmarshal([]byte(got), &answer) != nil || answer.PublishResponse.PublishResult.MessageId == "" {
		t.Fatalf("sendOrder answered %q", got)
	}
	got, err := sqs.NewFromConfig(env.Config).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(outs["InboxUrl"]), WaitTimeSeconds: 20})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("subscriber got %+v %v", got, err)
	}
	var published struct{ Connection, Item string }
	if err := json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &published); err != nil || published.Item != "tea" || published.Connection == "" {
		t.Fatalf("published %q", aws.ToString(got.Messages[0].Body))
	}
}
