package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1SNSPublish is AWS's "REST API to SNS" pattern: an AWS
// integration with action/Publish whose parameters are mapped to the query
// string, the body passing through untouched; SNS answers API Gateway in
// JSON.
func TestAPIGWv1SNSPublish(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	topic, err := sns.NewFromConfig(env.Config).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(env.Config)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("order-copies")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(env.Config).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":order-copies"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	doc := `{"openapi": "3.0.1", "info": {"title": "to-sns"}, "paths": {"/publish": {"post": {"x-amazon-apigateway-integration": {
	  "type": "aws", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:sns:action/Publish",
	  "credentials": "arn:aws:iam::000000000000:role/api-sns",
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
	r := apigwv1Call(t, env, *api.Id, "POST", "/v1/publish", []byte(`{"order": 9}`), map[string]string{"Content-Type": "application/json"}, true)
	var answer struct {
		PublishResponse struct {
			PublishResult struct{ MessageId string }
		}
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &answer) != nil || answer.PublishResponse.PublishResult.MessageId == "" {
		t.Fatalf("publish through the API: %d %s", r.Status, r.Body)
	}
	got, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20}) // delivered in the background: a loaded machine can take seconds
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != `{"order": 9}` {
		t.Errorf("subscriber got %+v %v", got, err)
	}
}
