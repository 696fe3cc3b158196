package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// allowService is a resource-based policy that lets an AWS service
// principal perform action on resource for sourceARN only.
func allowService(service, action, resource, sourceARN string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},` +
		`"Action":"` + action + `","Resource":"` + resource + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + sourceARN + `"}}}]}`
}

// wantNoMessage checks that a queue holds nothing, waiting a second for
// a message that may be on its way.
func wantNoMessage(t *testing.T, c *sqs.Client, url string) {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out.Messages {
		t.Errorf("unexpected message on %s: %s", url, aws.ToString(m.Body))
	}
}

// TestIAMEnforceSNSToQueue: under --auth iam SNS delivers to a queue only
// when the queue policy allows sns.amazonaws.com sqs:SendMessage for the
// topic; otherwise the message is not delivered, and Publish still
// succeeds, as on AWS.
func TestIAMEnforceSNSToQueue(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	qc := sqs.NewFromConfig(env.Config)
	url := mkQueue(t, qc, "from-topic", nil)
	sc := sns.NewFromConfig(env.Config)
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN("from-topic")),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("refused")}); err != nil {
		t.Fatalf("Publish to a queue that does not allow SNS: %v", err)
	}
	wantNoMessage(t, qc, url)
	if _, err := qc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{
		"Policy": allowService("sns.amazonaws.com", "sqs:SendMessage", queueARN("from-topic"), *topic.TopicArn)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("allowed")}); err != nil {
		t.Fatal(err)
	}
	if m := receiveOne(t, qc, url); aws.ToString(m.Body) != "allowed" {
		t.Errorf("delivered %q, want allowed", aws.ToString(m.Body))
	}
}

// TestIAMEnforceEventBridgeToFunction: a rule invokes its function only
// when the function policy allows events.amazonaws.com for the rule;
// otherwise the event goes to the target's dead-letter queue (whose
// policy allows EventBridge) at once, as a permission error is not
// retried.
func TestIAMEnforceEventBridgeToFunction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "on-event", "def handler(event, context):\n    return 'done'\n", 10)
	qc := sqs.NewFromConfig(env.Config)
	okURL := mkQueue(t, qc, "invoked", nil)
	dlqURL := mkQueue(t, qc, "rule-dlq", nil)
	ruleARN := "arn:aws:events:us-east-1:" + testAccount + ":rule/on-app"
	if _, err := qc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &dlqURL, Attributes: map[string]string{
		"Policy": allowService("events.amazonaws.com", "sqs:SendMessage", queueARN("rule-dlq"), ruleARN)}}); err != nil {
		t.Fatal(err)
	}
	// The destination is sent to as the function's execution role.
	putRolePolicy(t, env, "lambda-exec", allow("sqs:SendMessage", queueARN("invoked")))
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("on-event"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(queueARN("invoked"))}}}); err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(env.Config)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("on-app"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("on-app"), Targets: []ebtypes.Target{{Id: aws.String("fn"),
		Arn: aws.String(apigwv1FunctionARN("on-event")), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("rule-dlq"))}}}}); err != nil {
		t.Fatal(err)
	}
	put := func() {
		t.Helper()
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app"),
			DetailType: aws.String("thing"), Detail: aws.String(`{}`)}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v %+v", err, out)
		}
	}
	put()
	m := receiveOne(t, qc, dlqURL)
	if code := m.MessageAttributes["ERROR_CODE"]; code.StringValue == nil || !strings.Contains(*code.StringValue, "AccessDenied") {
		t.Errorf("dead-lettered event's ERROR_CODE %v", code.StringValue)
	}
	wantNoMessage(t, qc, okURL)

	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("on-event"), StatementId: aws.String("events"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("events.amazonaws.com"), SourceArn: aws.String(ruleARN)}); err != nil {
		t.Fatal(err)
	}
	put()
	receiveOne(t, qc, okURL)
}

// TestIAMEnforceS3Notifications: PutBucketNotificationConfiguration
// refuses a queue or function whose policy does not let S3 send to it
// for the bucket, with S3's InvalidArgument, and accepts it once the
// policy does; objects created then reach the queue.
func TestIAMEnforceS3Notifications(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "on-object", "def handler(event, context):\n    return 'done'\n", 10)
	qc := sqs.NewFromConfig(env.Config)
	url := mkQueue(t, qc, "objects", nil)
	bc := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := bc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatal(err)
	}
	queueConf := &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
		QueueArn: aws.String(queueARN("objects")), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}
	_, err := bc.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
		NotificationConfiguration: queueConf})
	if ae := expectAPIError(t, err, "InvalidArgument", 400); ae.Message != "Unable to validate the following destination configurations" {
		t.Errorf("message %q", ae.Message)
	}
	_, err = bc.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
		NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
			LambdaFunctionArn: aws.String(apigwv1FunctionARN("on-object")), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}})
	expectAPIError(t, err, "InvalidArgument", 400)
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("on-object"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::uploads")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bc.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
		NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
			LambdaFunctionArn: aws.String(apigwv1FunctionARN("on-object")), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}}); err != nil {
		t.Errorf("function configuration once its policy allows S3: %v", err)
	}

	if _, err := qc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{
		"Policy": allowService("s3.amazonaws.com", "sqs:SendMessage", queueARN("objects"), "arn:aws:s3:::uploads")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := bc.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
		NotificationConfiguration: queueConf}); err != nil {
		t.Fatalf("queue configuration once its policy allows S3: %v", err)
	}
	if m := receiveOne(t, qc, url); !strings.Contains(aws.ToString(m.Body), "s3:TestEvent") {
		t.Errorf("first message %s, want the test event", aws.ToString(m.Body))
	}
	if _, err := bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("a.txt"), Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	if m := receiveOne(t, qc, url); !strings.Contains(aws.ToString(m.Body), `"key":"a.txt"`) {
		t.Errorf("notification %s", aws.ToString(m.Body))
	}
}

// TestIAMEnforceAPIGatewayToFunction: a REST API's Lambda proxy
// integration answers 500 Internal server error until the function
// policy lets apigateway.amazonaws.com invoke it for the method.
func TestIAMEnforceAPIGatewayToFunction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "api-fn", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n", 10)
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("guarded")})
	if err != nil {
		t.Fatal(err)
	}
	apigwv1ProxyGET(t, c, *api.Id, "hello", "NONE", "api-fn")
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	apigwv1Call(t, env, *api.Id, "GET", "/prod/hello", nil, nil, false).want(t, 500, `{"message": "Internal server error"}`)
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("api-fn"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:" + testAccount + ":" + *api.Id + "/*/GET/hello")}); err != nil {
		t.Fatal(err)
	}
	apigwv1Call(t, env, *api.Id, "GET", "/prod/hello", nil, nil, false).want(t, 200, "hi")
}

// mkQueue creates a queue and returns its URL.
func mkQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

// TestIAMEnforceSNSToFunction: SNS invokes a subscribed function only
// when the function policy allows sns.amazonaws.com for the topic.
func TestIAMEnforceSNSToFunction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "on-news", "def handler(event, context):\n    return 'done'\n", 10)
	qc := sqs.NewFromConfig(env.Config)
	okURL := mkQueue(t, qc, "news-invoked", nil)
	// The destination is sent to as the function's execution role.
	putRolePolicy(t, env, "lambda-exec", allow("sqs:SendMessage", queueARN("news-invoked")))
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("on-news"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(queueARN("news-invoked"))}}}); err != nil {
		t.Fatal(err)
	}
	sc := sns.NewFromConfig(env.Config)
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"),
		Endpoint: aws.String(apigwv1FunctionARN("on-news"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("refused")}); err != nil {
		t.Fatalf("Publish to a function that does not allow SNS: %v", err)
	}
	wantNoMessage(t, qc, okURL)
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("on-news"), StatementId: aws.String("sns"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"), SourceArn: topic.TopicArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("allowed")}); err != nil {
		t.Fatal(err)
	}
	if m := receiveOne(t, qc, okURL); !strings.Contains(aws.ToString(m.Body), "allowed") {
		t.Errorf("success record %s", aws.ToString(m.Body))
	}
}
