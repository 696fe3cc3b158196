package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/e2e"
)

// chatTemplate is a serverless WebSocket chat as AWS's samples build
// one: connect and disconnect functions keep the connection ids in a
// table, and sendmessage posts to every connection with the SDK. Its
// $default route is a MOCK integration that answers with its integration
// response's template.
const chatTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: WebSocket chat
Resources:
  Connections:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: connectionId
          AttributeType: S
      KeySchema:
        - AttributeName: connectionId
          KeyType: HASH
  ChatApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: chat
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: "$request.body.action"
  ConnectFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/chat
      Environment:
        Variables:
          TABLE_NAME: !Ref Connections
      Code:
        ZipFile: |
          import os, boto3
          def handler(event, context):
              boto3.client('dynamodb').put_item(TableName=os.environ['TABLE_NAME'],
                  Item={'connectionId': {'S': event['requestContext']['connectionId']}})
              return {'statusCode': 200, 'body': 'Connected.'}
  DisconnectFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/chat
      Environment:
        Variables:
          TABLE_NAME: !Ref Connections
      Code:
        ZipFile: |
          import os, boto3
          def handler(event, context):
              boto3.client('dynamodb').delete_item(TableName=os.environ['TABLE_NAME'],
                  Key={'connectionId': {'S': event['requestContext']['connectionId']}})
              return {'statusCode': 200, 'body': 'Disconnected.'}
  SendFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/chat
      Timeout: 10
      Environment:
        Variables:
          TABLE_NAME: !Ref Connections
      Code:
        ZipFile: |
          import json, os, boto3
          def handler(event, context):
              rc = event['requestContext']
              endpoint = 'https://' + rc['domainName'] + '/' + rc['stage']
              if os.environ.get('AWS_ENDPOINT_URL'):
                  endpoint = os.environ['AWS_ENDPOINT_URL'] + '/_aws/execute-api/' + rc['apiId'] + '/' + rc['stage']
              gw = boto3.client('apigatewaymanagementapi', endpoint_url=endpoint)
              ddb = boto3.client('dynamodb')
              data = json.loads(event['body'])['data']
              for item in ddb.scan(TableName=os.environ['TABLE_NAME'])['Items']:
                  cid = item['connectionId']['S']
                  try:
                      gw.post_to_connection(ConnectionId=cid, Data=data.encode())
                  except gw.exceptions.GoneException:
                      ddb.delete_item(TableName=os.environ['TABLE_NAME'], Key={'connectionId': {'S': cid}})
              return {'statusCode': 200, 'body': 'Data sent.'}
  ConnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ChatApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ConnectFunction.Arn}/invocations"
  DisconnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ChatApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${DisconnectFunction.Arn}/invocations"
  SendIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ChatApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${SendFunction.Arn}/invocations"
  DefaultIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ChatApi
      IntegrationType: MOCK
      RequestTemplates:
        "$default": '{"statusCode": 200}'
      TemplateSelectionExpression: "\\$default"
  DefaultIntegrationResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref ChatApi
      IntegrationId: !Ref DefaultIntegration
      IntegrationResponseKey: "$default"
      ResponseTemplates:
        "$default": '{"message": "Use the sendmessage action."}'
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ChatApi
      RouteKey: $connect
      AuthorizationType: NONE
      OperationName: ConnectRoute
      Target: !Join ["/", [integrations, !Ref ConnectIntegration]]
  DisconnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ChatApi
      RouteKey: $disconnect
      AuthorizationType: NONE
      Target: !Join ["/", [integrations, !Ref DisconnectIntegration]]
  SendRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ChatApi
      RouteKey: sendmessage
      AuthorizationType: NONE
      Target: !Join ["/", [integrations, !Ref SendIntegration]]
  DefaultRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ChatApi
      RouteKey: $default
      RouteResponseSelectionExpression: $default
      Target: !Join ["/", [integrations, !Ref DefaultIntegration]]
  DefaultRouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref ChatApi
      RouteId: !Ref DefaultRoute
      RouteResponseKey: $default
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    DependsOn: [ConnectRoute, DisconnectRoute, SendRoute, DefaultRoute, DefaultRouteResponse, DefaultIntegrationResponse]
    Properties:
      ApiId: !Ref ChatApi
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      StageName: prod
      ApiId: !Ref ChatApi
      DeploymentId: !Ref Deployment
  SendPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref SendFunction
      Principal: apigateway.amazonaws.com
Outputs:
  ConnectionsTable:
    Value: !Ref Connections
  WebSocketURI:
    Value: !Sub "${ChatApi.ApiEndpoint}/${Stage}"
  ApiId:
    Value: !Ref ChatApi
`

func TestAPIGWv2WebSocketChatStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("chat"), TemplateBody: aws.String(chatTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60*time.Second); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("chat")})
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	id := outs["ApiId"]
	if !strings.HasPrefix(outs["WebSocketURI"], "ws://"+id+".execute-api.localhost:") || !strings.HasSuffix(outs["WebSocketURI"], "/prod") {
		t.Fatalf("outputs: %v", outs)
	}

	a, err := wsConnect(t, env, id, "prod", "", false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wsConnect(t, env, id, "prod", "", true)
	if err != nil {
		t.Fatal(err)
	}
	ddb := dynamodb.NewFromConfig(env.Config)
	countConnections := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			out, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(outs["ConnectionsTable"])})
			if err == nil && out.Count == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("connections in the table: %v %v, want %d", out, err, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	countConnections(2)

	websocket.Message.Send(a, `{"action":"sendmessage","data":"hello, room"}`)
	if got := wsReceive(t, a); got != "hello, room" {
		t.Fatalf("A got %q", got)
	}
	if got := wsReceive(t, b); got != "hello, room" {
		t.Fatalf("B got %q", got)
	}
	// The $default route's MOCK integration answers its template.
	websocket.Message.Send(b, "what?")
	if got := wsReceive(t, b); got != `{"message": "Use the sendmessage action."}` {
		t.Fatalf("$default answered %q", got)
	}

	b.Close()
	countConnections(1)
	websocket.Message.Send(a, `{"action":"sendmessage","data":"anyone?"}`)
	if got := wsReceive(t, a); got != "anyone?" {
		t.Fatalf("A got %q", got)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("chat")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
}
