package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1QueryServicesAnswerInJSON: SQS and SNS answer an API Gateway
// AWS integration (without a response template) with the JSON documents
// AWS's own answers show, which mapping templates and clients read:
// every member present, null when it has no value, keys in alphabetical
// order, and SQS's flattened lists in lower camel case.
func TestAPIGWv1QueryServicesAnswerInJSON(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	if _, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("shapes")}); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(env.Config).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("shapes")})
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"openapi": "3.0.1", "info": {"title": "query-json"}, "paths": {
	  "/send": {"post": {"x-amazon-apigateway-integration": {
	    "type": "aws", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:sqs:path/000000000000/shapes",
	    "credentials": "arn:aws:iam::000000000000:role/api",
	    "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
	    "requestTemplates": {"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
	    "passthroughBehavior": "never", "responses": {"default": {"statusCode": "200"}}}}},
	  "/receive": {"get": {"x-amazon-apigateway-integration": {
	    "type": "aws", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:sqs:path/000000000000/shapes",
	    "credentials": "arn:aws:iam::000000000000:role/api",
	    "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
	    "requestTemplates": {"application/json": "Action=ReceiveMessage&MaxNumberOfMessages=5"},
	    "passthroughBehavior": "never", "responses": {"default": {"statusCode": "200"}}}}},
	  "/publish": {"post": {"x-amazon-apigateway-integration": {
	    "type": "aws", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:sns:action/Publish",
	    "credentials": "arn:aws:iam::000000000000:role/api",
	    "requestParameters": {"integration.request.querystring.TopicArn": "'TOPIC'", "integration.request.querystring.Message": "method.request.body"},
	    "responses": {"default": {"statusCode": "200"}}}}}}}`
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(strings.Replace(doc, "TOPIC", aws.ToString(topic.TopicArn), 1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	jsonHeader := map[string]string{"Content-Type": "application/json"}
	const (
		id  = `"[0-9a-f-]{36}"`
		md5 = `"[0-9a-f]{32}"`
		rid = `"RequestId":"[^"]+"`
	)
	check := func(what, path, method, body, want string) {
		t.Helper()
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		r := apigwv1Call(t, env, *api.Id, method, path, b, jsonHeader, true)
		re := regexp.MustCompile("^" + want + "$")
		if r.Status != 200 || !re.Match(r.Body) {
			t.Errorf("%s: %d %s\nwant the form %s", what, r.Status, r.Body, want)
		}
	}
	check("SendMessage", "/v1/send", "POST", `{"order":1}`,
		`\{"SendMessageResponse":\{"ResponseMetadata":\{`+rid+`\},"SendMessageResult":\{"MD5OfMessageAttributes":null,"MD5OfMessageBody":`+md5+
			`,"MD5OfMessageSystemAttributes":null,"MessageId":`+id+`,"SequenceNumber":null\}\}\}`)
	check("ReceiveMessage", "/v1/receive", "GET", "",
		`\{"ReceiveMessageResponse":\{"ReceiveMessageResult":\{"messages":\[\{"Attributes":null,"Body":"\{\\"order\\":1\}","MD5OfBody":`+md5+
			`,"MD5OfMessageAttributes":null,"MessageAttributes":null,"MessageId":`+id+`,"ReceiptHandle":"[^"]+"\}\]\},"ResponseMetadata":\{`+rid+`\}\}\}`)
	check("ReceiveMessage of an empty queue", "/v1/receive", "GET", "",
		`\{"ReceiveMessageResponse":\{"ReceiveMessageResult":\{"messages":null\},"ResponseMetadata":\{`+rid+`\}\}\}`)
	check("Publish", "/v1/publish", "POST", `{"order":2}`,
		`\{"PublishResponse":\{"PublishResult":\{"MessageId":`+id+`,"SequenceNumber":null\},"ResponseMetadata":\{`+rid+`\}\}\}`)
}
