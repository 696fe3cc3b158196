package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/virga/virga/internal/e2e"
)

// sqsLooper sends every message it gets back to the queue it came from,
// with the body counted up: a recursive loop, carried on by the trace
// header boto3 copies from _X_AMZN_TRACE_ID onto SendMessage.
const sqsLooper = `import boto3

sqs = boto3.client('sqs')

def handler(event, context):
    for r in event['Records']:
        n = int(r['body'])
        print('LOOP %d' % n)
        url = sqs.get_queue_url(QueueName=r['eventSourceARN'].split(':')[-1])['QueueUrl']
        sqs.send_message(QueueUrl=url, MessageBody=str(n + 1))
`

// A function that sends what it gets back to its own SQS trigger runs 16
// times in the chain; Lambda stops the 17th invocation, counts it in
// RecursiveInvocationsDropped, and leaves the message in the queue,
// whose redrive policy moves it to the dead-letter queue. With
// RecursiveLoop Allow the loop goes on.
func TestLambdaRecursiveLoopSQS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)

	// The recursion configuration: Terminate by default, functions only.
	createPythonFunction(t, lc, "looper", sqsLooper, 5)
	got, err := lc.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("looper")})
	if err != nil || got.RecursiveLoop != lambdatypes.RecursiveLoopTerminate {
		t.Fatalf("GetFunctionRecursionConfig = %+v, %v; want Terminate", got, err)
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := lc.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("nobody")}); !errors.As(err, &nf) {
		t.Errorf("GetFunctionRecursionConfig of a missing function: %v", err)
	}
	var bad *lambdatypes.InvalidParameterValueException
	if _, err := lc.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String("looper:1"),
		RecursiveLoop: lambdatypes.RecursiveLoopAllow}); !errors.As(err, &bad) {
		t.Errorf("PutFunctionRecursionConfig of a version: %v", err)
	}

	if _, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("loop-dlq")}); err != nil {
		t.Fatal(err)
	}
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("loop"), Attributes: map[string]string{
		// Longer than a cold start on a loaded machine: a message whose
		// first run outlasts it is received again, and maxReceiveCount 1
		// would move it to the dead-letter queue before the loop starts.
		"VisibilityTimeout": "30",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + queueARN("loop-dlq") + `","maxReceiveCount":1}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("looper"),
		EventSourceArn: aws.String(queueARN("loop")), BatchSize: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("0")}); err != nil {
		t.Fatal(err)
	}
	// The message the 16th invocation sent ends in the dead-letter queue.
	dlq, err := qc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("loop-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	dead := deadLetters(t, qc, aws.ToString(dlq.QueueUrl))
	if len(dead) != 1 || dead[0] != "16" {
		t.Errorf("dead-letter queue holds %q, want the 17th message, 16", dead)
	}
	ranSixteenTimes(t, cwl, "looper")
	metricSum(t, cw, "AWS/Lambda", "RecursiveInvocationsDropped", start, time.Now().Add(2*time.Minute), 1, dim("FunctionName", "looper"))

	// With RecursiveLoop Allow the loop goes past 16, until its mapping
	// is deleted.
	createPythonFunction(t, lc, "allowed", sqsLooper, 5)
	if out, err := lc.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String("allowed"),
		RecursiveLoop: lambdatypes.RecursiveLoopAllow}); err != nil || out.RecursiveLoop != lambdatypes.RecursiveLoopAllow {
		t.Fatalf("PutFunctionRecursionConfig = %+v, %v", out, err)
	}
	if got, err := lc.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("allowed")}); err != nil || got.RecursiveLoop != lambdatypes.RecursiveLoopAllow {
		t.Fatalf("GetFunctionRecursionConfig after Allow = %+v, %v", got, err)
	}
	aq, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("allowed-loop")})
	if err != nil {
		t.Fatal(err)
	}
	esm, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("allowed"),
		EventSourceArn: aws.String(queueARN("allowed-loop")), BatchSize: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aq.QueueUrl, MessageBody: aws.String("0")}); err != nil {
		t.Fatal(err)
	}
	groupLines(t, cwl, "/aws/lambda/allowed", "LOOP", func(l []string) bool { return hasLine(l, "LOOP 20") })
	if _, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: esm.UUID}); err != nil {
		t.Fatal(err)
	}
}

// deadLetters waits for a stopped loop's message on a dead-letter queue
// and returns the bodies of the first receive that has any. The loop runs
// 16 invocations first, and an SQS trigger's stopped message waits out
// its visibility timeout: the bound is generous.
func deadLetters(t *testing.T, qc *sqs.Client, url string) []string {
	t.Helper()
	deadline := time.Now().Add(150 * time.Second)
	for {
		out, err := qc.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			var bodies []string
			for _, m := range out.Messages {
				bodies = append(bodies, aws.ToString(m.Body))
			}
			return bodies
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing reached the dead-letter queue %s", url)
		}
	}
}

// asyncLooper creates a Python function whose asynchronous events go,
// when they fail or are stopped, to a dead-letter queue of its own, and
// returns the queue's URL.
func asyncLooper(t *testing.T, lc *lambda.Client, qc *sqs.Client, name, source string) string {
	t.Helper()
	ctx := context.Background()
	dlq, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	createPythonFunction(t, lc, name, source, 10)
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(queueARN(name + "-dlq"))}}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(dlq.QueueUrl)
}

// functionTopic creates a topic with the function subscribed to it and
// returns the topic's ARN.
func functionTopic(t *testing.T, sc *sns.Client, name, function string) *string {
	t.Helper()
	ctx := context.Background()
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"),
		Endpoint: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:" + function)}); err != nil {
		t.Fatal(err)
	}
	return topic.TopicArn
}

// ranSixteenTimes checks that a stopped loop ran its function 16 times:
// its log has "LOOP 0" to "LOOP 15", and no "LOOP 16".
func ranSixteenTimes(t *testing.T, cwl *cloudwatchlogs.Client, function string) {
	t.Helper()
	lines := groupLines(t, cwl, "/aws/lambda/"+function, "LOOP", func(l []string) bool { return len(l) >= 16 })
	if len(lines) != 16 || hasLine(lines, "LOOP 16") {
		t.Errorf("the function ran %d times (%q), want 16", len(lines), lines)
	}
}

// snsLooper publishes every message it gets back to the topic it came
// from, counted up.
const snsLooper = `import boto3

sns = boto3.client('sns')

def handler(event, context):
    for r in event['Records']:
        n = int(r['Sns']['Message'])
        print('LOOP %d' % n)
        sns.publish(TopicArn=r['Sns']['TopicArn'], Message=str(n + 1))
`

// SNS → function → the same topic: the 17th invocation, an asynchronous
// one, is stopped and its event goes to the function's dead-letter
// queue at once, without the two retries a failure gets.
func TestLambdaRecursiveLoopSNS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	sc := sns.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)

	dlq := asyncLooper(t, lc, qc, "sns-looper", snsLooper)
	topic := functionTopic(t, sc, "loop", "sns-looper")
	if _, err := sc.Publish(ctx, &sns.PublishInput{TopicArn: topic, Message: aws.String("0")}); err != nil {
		t.Fatal(err)
	}
	dead := deadLetters(t, qc, dlq)
	if len(dead) != 1 || !strings.Contains(dead[0], `"Message":"16"`) && !strings.Contains(dead[0], `"Message": "16"`) {
		t.Errorf("dead-letter queue holds %q, want the 17th event, message 16", dead)
	}
	ranSixteenTimes(t, cwl, "sns-looper")
	metricSum(t, cw, "AWS/Lambda", "RecursiveInvocationsDropped", start, time.Now().Add(2*time.Minute), 1, dim("FunctionName", "sns-looper"))
}

// startS3Loop creates a bucket with the notification configuration and
// puts the object loop/0 in it, the first of a loop's objects.
func startS3Loop(t *testing.T, c *s3.Client, bucket string, cfg *s3types.NotificationConfiguration) {
	t.Helper()
	ctx := context.Background()
	s3Bucket(t, c, bucket)
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
		NotificationConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("loop/0"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
}

// s3Looper writes, for every object created under loop/, the next one
// into the same bucket. It gets S3's events from S3, or inside the
// messages of a topic S3 notifies (S3's test event has no records).
const s3Looper = `import json
import boto3
from botocore.config import Config

s3 = boto3.client('s3', config=Config(s3={'addressing_style': 'path'}))

def handler(event, context):
    for r in event['Records']:
        for e in json.loads(r['Sns']['Message']).get('Records', []) if 'Sns' in r else [r]:
            n = int(e['s3']['object']['key'].split('/')[-1])
            print('LOOP %d' % n)
            s3.put_object(Bucket=e['s3']['bucket']['name'], Key='loop/%d' % (n + 1), Body=b'x')
`

// S3 → function → the same bucket: the notification carries the trace
// header of the PutObject that caused it, so the 17th invocation is
// stopped and its event goes to the dead-letter queue.
func TestLambdaRecursiveLoopS3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)

	dlq := asyncLooper(t, lc, qc, "s3-looper", s3Looper)
	startS3Loop(t, s3Client(env), "looping", &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
		LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:s3-looper"),
		Events:            []s3types.Event{"s3:ObjectCreated:*"}, Filter: filterRules("loop/", "")}}})
	dead := deadLetters(t, qc, dlq)
	if len(dead) != 1 || !strings.Contains(dead[0], `"key":"loop/16"`) {
		t.Errorf("dead-letter queue holds %q, want the 17th event, of loop/16", dead)
	}
	ranSixteenTimes(t, cwl, "s3-looper")
}

// S3 → SNS → function → the same bucket: the topic's message keeps the
// trace header of the PutObject that caused the notification and hands
// it to the invocation, so the 17th invocation is stopped and its event
// goes to the dead-letter queue.
func TestLambdaRecursiveLoopS3ThroughSNS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	sc := sns.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)

	dlq := asyncLooper(t, lc, qc, "s3-sns-looper", s3Looper)
	topic := functionTopic(t, sc, "s3-loop", "s3-sns-looper")
	startS3Loop(t, s3Client(env), "looping-topic", &s3types.NotificationConfiguration{TopicConfigurations: []s3types.TopicConfiguration{{
		TopicArn: topic, Events: []s3types.Event{"s3:ObjectCreated:*"}, Filter: filterRules("loop/", "")}}})
	dead := deadLetters(t, qc, dlq)
	if len(dead) != 1 || !strings.Contains(dead[0], `loop/16`) {
		t.Errorf("dead-letter queue holds %q, want the 17th event, of loop/16", dead)
	}
	ranSixteenTimes(t, cwl, "s3-sns-looper")
}

// Invoke counts the function in the caller's chain: a caller whose
// trace header says the function ran 15 times before gets it run a 16th
// time, with that count in its header; one that says 16 gets
// RecursiveInvocationException, unless the function allows recursion.
func TestLambdaRecursiveLoopInvoke(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "trace-echo", `import os

def handler(event, context):
    return os.environ.get('_X_AMZN_TRACE_ID', '')
`, 10)
	hash := fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte("arn:aws:lambda:us-east-1:"+testAccount+":function:trace-echo")))
	const root = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0"
	invoke := func(lineage string) (*lambda.InvokeOutput, error) {
		return lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("trace-echo"), Payload: []byte(`{}`)}, func(o *lambda.Options) {
			o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue("X-Amzn-Trace-Id", root+";Lineage="+lineage))
		})
	}
	out, err := invoke("0badf00d:3|" + hash + ":14")
	if err != nil || out.FunctionError != nil {
		t.Fatalf("the 16th invocation: %v", err)
	}
	if got := string(out.Payload); !strings.Contains(got, "Root=1-5759e988-bd862e3fe1be46a994272793;") ||
		!strings.HasSuffix(got, ";Lineage=0badf00d:3|"+hash+":15\"") {
		t.Errorf("_X_AMZN_TRACE_ID of the 16th invocation = %s", got)
	}
	_, err = invoke(hash + ":15")
	var rec *lambdatypes.RecursiveInvocationException
	if !errors.As(err, &rec) || !strings.Contains(aws.ToString(rec.Message), "recursive loop") {
		t.Fatalf("the 17th invocation: %v, want RecursiveInvocationException", err)
	}
	if _, err := lc.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String("trace-echo"),
		RecursiveLoop: lambdatypes.RecursiveLoopAllow}); err != nil {
		t.Fatal(err)
	}
	if out, err := invoke(hash + ":15"); err != nil || !strings.HasSuffix(string(out.Payload), ";Lineage="+hash+":16\"") {
		t.Fatalf("the 17th invocation with RecursiveLoop Allow: %v", err)
	}
}

// eventsLooper puts every event it gets back on the default bus,
// counted up, until the count reaches 20. The SDK sends the function's
// trace header with PutEvents.
const eventsLooper = `import boto3, json

events = boto3.client('events')

def handler(event, context):
    n = event['detail']['n']
    print('LOOP %d' % n)
    if n < 20:
        events.put_events(Entries=[{'Source': 'looper', 'DetailType': 'Loop', 'Detail': json.dumps({'n': n + 1})}])
`

// function → EventBridge → the same function is no loop Lambda stops:
// EventBridge is not one of the services its loop detection follows
// (SQS, SNS and S3 are), so PutEvents continues the function's trace
// but not its Lineage, and the chain runs past the 16 invocations
// another loop is allowed, to the 21 its own counter allows.
func TestLambdaRecursiveLoopEventBridgeNotStopped(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)

	dlq := asyncLooper(t, lc, qc, "events-looper", eventsLooper)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("loop"), EventPattern: aws.String(`{"source":["looper"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("loop"), Targets: []ebtypes.Target{{Id: aws.String("f"),
		Arn: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:events-looper")}}}); err != nil {
		t.Fatal(err)
	}
	// The chain starts inside a traced call, as it would from a function.
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("looper"),
		DetailType: aws.String("Loop"), Detail: aws.String(`{"n":0}`)}}}); err != nil {
		t.Fatal(err)
	}
	lines, _ := groupLinesWithin(cwl, "/aws/lambda/events-looper", "LOOP", func(l []string) bool { return hasLine(l, "LOOP 20") }, 150*time.Second)
	if !hasLine(lines, "LOOP 20") {
		t.Errorf("the function ran %d times (%q), want 21, to LOOP 20", len(lines), lines)
	}
	out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Errorf("the dead-letter queue holds %q; nothing was stopped", aws.ToString(out.Messages[0].Body))
	}
}
