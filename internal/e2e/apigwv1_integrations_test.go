package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// apigwv1GreetFunction is a Lambda function behind a non-proxy
// integration: it gets what the request template made and raises
// "NotFound: ..." for the name "nobody".
const apigwv1GreetFunction = `
def handler(event, context):
    if event.get("name") == "nobody":
        raise Exception("NotFound: no such person")
    return {"greeting": "hello " + event.get("name", "?"), "agent": event.get("agent")}
`

// apigwv1IntegrationsAPI is an OpenAPI document with an integration of
// each kind: AWS service integrations with SQS (path style, awsQuery) and
// DynamoDB (action style, JSON), a Lambda function without the proxy
// event, HTTP and HTTP_PROXY (to BACKEND), and a MOCK whose templates use
// Velocity.
const apigwv1IntegrationsAPI = `{
  "openapi": "3.0.1",
  "info": {"title": "integrations", "version": "1"},
  "paths": {
    "/orders": {"post": {"x-amazon-apigateway-integration": {
      "type": "aws", "httpMethod": "POST",
      "uri": "arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders",
      "credentials": "arn:aws:iam::000000000000:role/apigw-sqs",
      "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
      "requestTemplates": {"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
      "passthroughBehavior": "never",
      "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json": "{\"id\": \"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')\"}"}}}}}},
    "/items": {"post": {"x-amazon-apigateway-integration": {
      "type": "aws", "httpMethod": "POST",
      "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
      "requestTemplates": {"application/json": "#set($b = $input.path('$'))\n{\n  \"TableName\": \"items\",\n  \"Item\": {\n    \"id\": {\"S\": \"$b.id\"},\n    \"tags\": {\"L\": [#foreach($t in $b.tags){\"S\": \"$util.escapeJavaScript($t)\"}#if($foreach.hasNext),#end#end]},\n    \"requestId\": {\"S\": \"$context.requestId\"}\n  }\n}"},
      "responses": {
        "4\\d{2}": {"statusCode": "400", "responseTemplates": {"application/json": "{\"error\": \"$input.path('$.__type')\"}"}},
        "default": {"statusCode": "201", "responseParameters": {"method.response.header.X-Item": "method.request.body.id"},
          "responseTemplates": {"application/json": "{\"created\": true}"}}}}}},
    "/items/{id}": {"get": {"x-amazon-apigateway-integration": {
      "type": "aws", "httpMethod": "POST",
      "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
      "requestTemplates": {"application/json": "{\"TableName\": \"items\", \"Key\": {\"id\": {\"S\": \"$input.params('id')\"}}}"},
      "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json":
        "#set($item = $input.path('$.Item'))\n#if(!$item)\n#set($context.responseOverride.status = 404)\n{\"message\": \"no item\"}\n#else\n{\"id\": \"$item.id.S\", \"tags\": [#foreach($t in $item.tags.L)\"$t.S\"#if($foreach.hasNext), #end#end]}\n#end"}}}}}},
    "/greet": {"get": {"x-amazon-apigateway-integration": {
      "type": "aws", "httpMethod": "POST",
      "uri": "FUNCTION_URI",
      "requestTemplates": {"application/json": "{\"name\": \"$input.params('name')\", \"agent\": \"$input.params('X-Agent')\"}"},
      "responses": {
        "NotFound:.*": {"statusCode": "404", "responseTemplates": {"application/json": "{\"error\": \"$input.path('$.errorMessage')\"}"}},
        "default": {"statusCode": "200", "responseTemplates": {"application/json": "$input.json('$')"}}}}}},
    "/http": {"post": {"x-amazon-apigateway-integration": {
      "type": "http", "httpMethod": "PUT", "uri": "BACKEND/store/{item}",
      "requestParameters": {"integration.request.path.item": "method.request.querystring.item",
        "integration.request.header.X-Api-Version": "'7'"},
      "requestTemplates": {"application/json": "{\"wrapped\": $input.json('$')}"},
      "responses": {
        "4\\d{2}": {"statusCode": "400", "responseTemplates": {"application/json": "{\"backend\": $input.body}"}},
        "default": {"statusCode": "200", "responseParameters": {"method.response.header.X-Backend": "integration.response.header.X-Backend"}}}}}},
    "/proxy/{proxy+}": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
      "type": "http_proxy", "httpMethod": "ANY", "uri": "BACKEND/{proxy}",
      "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"}}}},
    "/mock": {"get": {"x-amazon-apigateway-integration": {
      "type": "mock",
      "requestTemplates": {"application/json": "{\"statusCode\": #if($input.params('fail') == 'yes')503#{else}200#end}"},
      "responses": {
        "5\\d{2}": {"statusCode": "503", "responseTemplates": {"application/json": "{\"message\": \"down\"}"}},
        "default": {"statusCode": "200", "responseTemplates": {"application/json":
          "#set($context.responseOverride.header.X-Stage = $context.stage){\"stage\": \"$context.stage\", \"method\": \"$context.httpMethod\", \"path\": \"$context.resourcePath\"}"}}}}}}
  }
}`

// TestAPIGWv1Integrations drives every integration type but AWS_PROXY
// through a deployed stage.
func TestAPIGWv1Integrations(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasPrefix(r.URL.Path, "/store/missing") {
			w.WriteHeader(404)
			io.WriteString(w, `{"reason":"missing"}`)
			return
		}
		w.Header().Set("X-Backend", "yes")
		w.Header().Set("Content-Type", "application/vnd.store+json")
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
			"version": r.Header.Get("X-Api-Version"), "custom": r.Header.Get("X-Custom"), "body": string(body)})
	}))
	defer backend.Close()

	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "apigw-greet", apigwv1GreetFunction, 10)
	ddb := dynamodb.NewFromConfig(env.Config)
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("items"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(env.Config)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}

	doc := strings.NewReplacer("FUNCTION_URI", apigwv1LambdaURI("apigw-greet"), "BACKEND", backend.URL).Replace(apigwv1IntegrationsAPI)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	call := func(method, path, body string, header map[string]string) apigwv1Response {
		t.Helper()
		if header == nil {
			header = map[string]string{}
		}
		if _, ok := header["Content-Type"]; !ok && body != "" {
			header["Content-Type"] = "application/json"
		}
		return apigwv1Call(t, env, *api.Id, method, "/v1"+path, []byte(body), header, true)
	}

	t.Run("SQS", func(t *testing.T) {
		r := call("POST", "/orders", `{"order": 1, "note": "a&b=c"}`, nil)
		got, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 2})
		if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != `{"order": 1, "note": "a&b=c"}` {
			t.Fatalf("queue holds %+v (%v), want the request body", got, err)
		}
		// SQS answered API Gateway in JSON, which the template read.
		r.want(t, 200, `{"id": "`+aws.ToString(got.Messages[0].MessageId)+`"}`)
		// passthroughBehavior NEVER: a content type without a template.
		call("POST", "/orders", "x", map[string]string{"Content-Type": "text/plain"}).want(t, 415, `{"message": "Unsupported Media Type"}`)
	})

	t.Run("DynamoDB", func(t *testing.T) {
		r := call("POST", "/items", `{"id": "i1", "tags": ["red", "say \"hi\""]}`, nil)
		r.want(t, 201, `{"created": true}`)
		item, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("items"),
			Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "i1"}}})
		if err != nil || len(item.Item) != 3 {
			t.Fatalf("GetItem: %+v %v", item, err)
		}
		tags := item.Item["tags"].(*ddbtypes.AttributeValueMemberL).Value
		if len(tags) != 2 || tags[1].(*ddbtypes.AttributeValueMemberS).Value != `say "hi"` {
			t.Errorf("tags stored: %+v", tags)
		}
		call("GET", "/items/i1", "", nil).want(t, 200, `{"id": "i1", "tags": ["red", "say "hi""]}`+"\n")
		call("GET", "/items/nope", "", nil).want(t, 404, `{"message": "no item"}`+"\n")
		// DynamoDB's error selects the 4XX response.
		call("POST", "/items", `{"tags": []}`, nil).want(t, 400, `{"error": "com.amazonaws.dynamodb.v20120810#ValidationException"}`)
	})

	t.Run("Lambda", func(t *testing.T) {
		call("GET", "/greet?name=ann", "", map[string]string{"X-Agent": "test"}).want(t, 200, `{"greeting":"hello ann","agent":"test"}`)
		call("GET", "/greet?name=nobody", "", nil).want(t, 404, `{"error": "NotFound: no such person"}`)
	})

	t.Run("HTTP", func(t *testing.T) {
		r := call("POST", "/http?item=box", `{"n": 1}`, nil)
		var got map[string]string
		if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil {
			t.Fatalf("HTTP integration: %d %s", r.Status, r.Body)
		}
		if got["method"] != "PUT" || got["path"] != "/store/box" || got["version"] != "7" || got["body"] != `{"wrapped": {"n":1}}` {
			t.Errorf("backend saw %v", got)
		}
		if r.Header.Get("X-Backend") != "yes" {
			t.Errorf("X-Backend not mapped: %v", r.Header)
		}
		// Without a response template or a mapping for it, the
		// backend's Content-Type stays behind: the method answers JSON.
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		call("POST", "/http?item=missing", `{}`, nil).want(t, 400, `{"backend": {"reason":"missing"}}`)
	})

	t.Run("HTTP_PROXY", func(t *testing.T) {
		r := call("DELETE", "/proxy/a/b?x=1&x=2", "", map[string]string{"X-Custom": "c"})
		var got map[string]string
		if r.Status != 201 || json.Unmarshal(r.Body, &got) != nil {
			t.Fatalf("HTTP_PROXY: %d %s", r.Status, r.Body)
		}
		if got["method"] != "DELETE" || got["path"] != "/a/b" || got["query"] != "x=1&x=2" || got["custom"] != "c" {
			t.Errorf("backend saw %v", got)
		}
		if r.Header.Get("X-Backend") != "yes" || r.Header.Get("Content-Type") != "application/vnd.store+json" {
			t.Errorf("backend's headers not passed: %v", r.Header)
		}
	})

	t.Run("MOCK", func(t *testing.T) {
		r := call("GET", "/mock", "", nil)
		r.want(t, 200, `{"stage": "v1", "method": "GET", "path": "/mock"}`)
		if r.Header.Get("X-Stage") != "v1" {
			t.Errorf("responseOverride header missing: %v", r.Header)
		}
		call("GET", "/mock?fail=yes", "", nil).want(t, 503, `{"message": "down"}`)
	})
}
