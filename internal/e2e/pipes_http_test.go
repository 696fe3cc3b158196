package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// templateEnrichAPI is a REST API whose function enriches a pipe's SQS
// record with what the request carried.
const templateEnrichAPI = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            record = json.loads(event["body"])
            out = {"id": event["pathParameters"]["id"], "team": event["headers"].get("X-Team"),
                   "mode": event["queryStringParameters"]["mode"], "method": event["httpMethod"],
                   "order": json.loads(record["body"])}
            return {"statusCode": 200, "body": json.dumps(out)}
      Events:
        Api:
          Type: Api
          Properties:
            Path: /enrich/{id}
            Method: post
Outputs:
  Api:
    Value: !Ref ServerlessRestApi
`

// TestPipesHTTPEnrichmentAndTarget: a pipe enriches each SQS record
// through an API Gateway REST API and delivers what it answers to an API
// destination, each request made as EventBridge's rules make theirs,
// HttpParameters' JSON paths selecting in the event the step receives.
// Neither batches, so a larger BatchSize, and HttpParameters for an
// enrichment that is not HTTP, are refused.
func TestPipesHTTPEnrichmentAndTarget(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf, eb := cloudformation.NewFromConfig(env.Config), eventbridge.NewFromConfig(env.Config)
	pc, qc := pipes.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	hooks := newHookServer(t)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("enrich"), TemplateBody: aws.String(templateEnrichAPI),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	api := createdStackOutputs(t, cf, "enrich")["Api"]
	conn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("hook"),
		AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("k1")}}})
	if err != nil {
		t.Fatal(err)
	}
	dest, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("orders"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(hooks.URL + "/orders/*"), HttpMethod: ebtypes.ApiDestinationHttpMethodPut})
	if err != nil {
		t.Fatal(err)
	}
	in := createPipeQueue(t, qc, "orders-in")
	const queue = "arn:aws:sqs:us-east-1:000000000000:orders-in"
	enrichment := "arn:aws:execute-api:us-east-1:000000000000:" + api + "/Prod/POST/enrich/*"

	_, err = pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("batched"), RoleArn: aws.String(pipeRole), Source: aws.String(queue),
		SourceParameters: &pipestypes.PipeSourceParameters{SqsQueueParameters: &pipestypes.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(5)}},
		Target:           dest.ApiDestinationArn})
	wantPipesError(t, "batches to an API destination", err, "ValidationException", "batch size 5")
	_, err = pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("lambda-http"), RoleArn: aws.String(pipeRole), Source: aws.String(queue),
		Enrichment:           aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"),
		EnrichmentParameters: &pipestypes.PipeEnrichmentParameters{HttpParameters: &pipestypes.PipeEnrichmentHttpParameters{PathParameterValues: []string{"x"}}},
		Target:               dest.ApiDestinationArn})
	wantPipesError(t, "HttpParameters for a Lambda enrichment", err, "ValidationException", "HttpParameters")

	if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("enrich-and-call"), RoleArn: aws.String(pipeRole), Source: aws.String(queue),
		Enrichment: aws.String(enrichment),
		EnrichmentParameters: &pipestypes.PipeEnrichmentParameters{HttpParameters: &pipestypes.PipeEnrichmentHttpParameters{
			PathParameterValues: []string{"$.messageId"}, HeaderParameters: map[string]string{"X-Team": "blue"},
			QueryStringParameters: map[string]string{"mode": "$.eventSource"}}},
		Target: dest.ApiDestinationArn,
		TargetParameters: &pipestypes.PipeTargetParameters{HttpParameters: &pipestypes.PipeTargetHttpParameters{
			PathParameterValues: []string{"$.order.sku"}, HeaderParameters: map[string]string{"X-Mode": "$.mode"}}}}); err != nil {
		t.Fatal(err)
	}
	sent, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(in), MessageBody: aws.String(`{"sku":"sku-9","qty":2}`)})
	if err != nil {
		t.Fatal(err)
	}
	req := waitHook(t, hooks, nil, "orders", 1)[0]
	var body struct {
		ID, Team, Mode, Method string
		Order                  map[string]any
	}
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		t.Fatalf("the API destination got %q: %v", req.Body, err)
	}
	if req.Method != "PUT" || req.RawPath != "/orders/sku-9" || req.Header.Get("X-Mode") != "aws:sqs" || req.Header.Get("x-api-key") != "k1" ||
		req.Header.Get("User-Agent") != "Amazon/EventBridge/ApiDestinations" {
		t.Errorf("the API destination's request: %+v", req)
	}
	if body.ID != aws.ToString(sent.MessageId) || body.Team != "blue" || body.Mode != "aws:sqs" || body.Method != "POST" ||
		body.Order["sku"] != "sku-9" || body.Order["qty"] != float64(2) {
		t.Errorf("the enriched event: %+v", body)
	}
}
