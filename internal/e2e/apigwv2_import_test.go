package e2e_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// httpAPIImportDoc is an HTTP API's OpenAPI document: a Lambda route, SQS
// and EventBridge service integrations, CORS and a $default route.
const httpAPIImportDoc = `
openapi: "3.0.1"
info: {title: imported-http, version: "2"}
x-amazon-apigateway-cors:
  allowOrigins: ["https://example.com"]
  allowMethods: [GET, POST]
  maxAge: 60
paths:
  /echo/{id}:
    get:
      x-amazon-apigateway-integration:
        $ref: '#/components/x-amazon-apigateway-integrations/echo'
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        credentials: arn:aws:iam::000000000000:role/api-sqs
        connectionType: INTERNET
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: QUEUE_URL
          MessageBody: $request.body
          DelaySeconds: "0"
  /events/{kind}:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: EventBridge-PutEvents
        payloadFormatVersion: "1.0"
        requestParameters:
          Detail: $request.body
          DetailType: order-${request.path.kind}
          Source: $request.header.x-source
  /private:
    get:
      security: [{sigv4: []}]
      x-amazon-apigateway-integration:
        $ref: '#/components/x-amazon-apigateway-integrations/echo'
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        $ref: '#/components/x-amazon-apigateway-integrations/echo'
components:
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
  x-amazon-apigateway-integrations:
    echo:
      type: aws_proxy
      httpMethod: POST
      uri: FUNCTION_ARN
      payloadFormatVersion: 2.0
`

// TestAPIGWv2ImportAndServiceIntegrations imports an HTTP API from
// OpenAPI, serves it, and reimports it.
func TestAPIGWv2ImportAndServiceIntegrations(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "imported-echo", httpAPIEcho, 10)
	sq := sqs.NewFromConfig(env.Config)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("http-orders")})
	if err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(env.Config)
	sink, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("http-events")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orders"), EventPattern: aws.String(`{"source": ["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":http-events")}}}); err != nil {
		t.Fatal(err)
	}

	c := apigatewayv2.NewFromConfig(env.Config)
	doc := strings.NewReplacer("FUNCTION_ARN", functionARN("imported-echo"), "QUEUE_URL", aws.ToString(q.QueueUrl)).Replace(httpAPIImportDoc)
	api, err := c.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	if aws.ToString(api.Name) != "imported-http" || aws.ToString(api.Version) != "2" || api.CorsConfiguration == nil ||
		aws.ToInt32(api.CorsConfiguration.MaxAge) != 60 {
		t.Errorf("imported API: %+v", api)
	}
	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil || len(routes.Items) != 5 {
		t.Fatalf("routes: %+v %v", routes, err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}

	ev := callHTTPAPI(t, env, id, "GET", "/echo/42", nil, nil, true).event(t)
	if ev["routeKey"] != "GET /echo/{id}" || ev["pathParameters"].(map[string]any)["id"] != "42" {
		t.Errorf("Lambda route: %v", ev)
	}
	if ev := callHTTPAPI(t, env, id, "DELETE", "/anything", nil, nil, true).event(t); ev["routeKey"] != "$default" {
		t.Errorf("$default route: %v", ev["routeKey"])
	}

	// An AWS_IAM route takes signed requests only.
	if r := callHTTPAPI(t, env, id, "GET", "/private", nil, nil, true); r.Status != 403 || string(r.Body) != `{"message":"Forbidden"}` {
		t.Errorf("unsigned request to an AWS_IAM route: %d %s", r.Status, r.Body)
	}
	// Under --auth accept a well-formed signature is taken unverified;
	// one without X-Amz-Date or Date is malformed, as it is for AWS.
	signed := map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
		"X-Amz-Date": "20260101T000000Z"}
	if ev := callHTTPAPI(t, env, id, "GET", "/private", nil, signed, true).event(t); ev["routeKey"] != "GET /private" {
		t.Errorf("signed request to an AWS_IAM route: %v", ev["routeKey"])
	} else if got, _ := json.Marshal(ev["requestContext"].(map[string]any)["authorizer"]); string(got) !=
		`{"iam":{"accessKey":"test","accountId":"000000000000","callerId":"000000000000","cognitoIdentity":null,"principalOrgId":null,"userArn":"arn:aws:iam::000000000000:root","userId":"000000000000"}}` {
		// The signer, as GetCallerIdentity names the account root's key.
		t.Errorf("signed request to an AWS_IAM route: authorizer %s", got)
	}

	r := callHTTPAPI(t, env, id, "POST", "/orders", []byte(`{"item":"book"}`), map[string]string{"Content-Type": "application/json"}, true)
	// SQS answers in its awsQuery XML, which API Gateway relays as it is.
	var sent struct {
		XMLName xml.Name `xml:"SendMessageResponse"`
		Result  struct {
			MessageId, MD5OfMessageBody string
		} `xml:"SendMessageResult"`
	}
	if r.Status != 200 || xml.Unmarshal(r.Body, &sent) != nil || len(sent.Result.MessageId) != 36 || sent.Result.MD5OfMessageBody != md5Hex([]byte(`{"item":"book"}`)) ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("SQS-SendMessage: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	got, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 2})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != `{"item":"book"}` {
		t.Errorf("queue: %+v %v", got, err)
	}

	r = callHTTPAPI(t, env, id, "POST", "/events/created", []byte(`{"n":1}`), map[string]string{"X-Source": "shop"}, true)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"FailedEntryCount":0`) {
		t.Fatalf("EventBridge-PutEvents: %d %s", r.Status, r.Body)
	}
	got, err = sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: sink.QueueUrl, WaitTimeSeconds: 20}) // delivered in the background: a loaded machine can take seconds
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("event not delivered: %+v %v", got, err)
	}
	var event map[string]any
	json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &event)
	if event["detail-type"] != "order-created" || event["source"] != "shop" || event["detail"].(map[string]any)["n"] != float64(1) {
		t.Errorf("event: %v", event)
	}
	// A missing required parameter in the request is the client's error.
	r = callHTTPAPI(t, env, id, "POST", "/events/created", []byte(`{"n":1}`), nil, true)
	if r.Status != 400 {
		t.Errorf("PutEvents without its Source: %d %s", r.Status, r.Body)
	}

	// Reimport replaces the routes; the automatic stage redeploys.
	if _, err := c.ReimportApi(ctx, &apigatewayv2.ReimportApiInput{ApiId: &id, Body: aws.String(strings.Replace(doc, "/echo/{id}", "/hello/{id}", 1))}); err != nil {
		t.Fatal(err)
	}
	if r := callHTTPAPI(t, env, id, "GET", "/hello/7", nil, nil, true); r.event(t)["routeKey"] != "GET /hello/{id}" {
		t.Errorf("after reimport: %s", r.Body)
	}

	for _, bad := range []string{`{"openapi": "3.0.1", "info": {}, "paths": {}}`, `{"swagger": "2.0", "info": {"title": "x"}}`, "::not a document",
		`{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "integrationSubtype": "SQS-SendMessage", "requestParameters": {"QueueUrl": "q"}}}}}}`} {
		if _, err := c.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(bad)}); err == nil || !strings.Contains(err.Error(), "BadRequestException") {
			t.Errorf("ImportApi(%.60s) = %v, want BadRequestException", bad, err)
		}
	}
}
