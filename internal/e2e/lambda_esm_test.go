package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// sqsConsumer prints each record it gets and reports the records whose
// body starts with "fail" as batch item failures.
const sqsConsumer = `import json

def handler(event, context):
    failures = []
    for r in event['Records']:
        print('BODY %s %s %s %s' % (r['body'], r['eventSource'], r['attributes']['ApproximateReceiveCount'],
                                    r['messageAttributes'].get('kind', {}).get('stringValue', '-')))
        if r['body'].startswith('fail'):
            failures.append({'itemIdentifier': r['messageId']})
    return {'batchItemFailures': failures}
`

func createPythonFunction(t testing.TB, c *lambda.Client, name, source string, timeout int32) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(lambdaRole), Timeout: aws.Int32(timeout),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(source)})},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// groupLines polls a log group until done accepts the lines that start
// with prefix.
func groupLines(t testing.TB, cwl *cloudwatchlogs.Client, group, prefix string, done func([]string) bool) []string {
	t.Helper()
	lines, ok := groupLinesWithin(cwl, group, prefix, done, 30*time.Second)
	if !ok {
		t.Fatalf("log group %s: lines %q are still not as expected", group, lines)
	}
	return lines
}

// groupLinesWithin polls a log group for up to d until done accepts the
// lines that start with prefix, and says whether it did.
func groupLinesWithin(cwl *cloudwatchlogs.Client, group, prefix string, done func([]string) bool, d time.Duration) ([]string, bool) {
	deadline := time.Now().Add(d)
	for {
		var lines []string
		var token *string
		for {
			out, err := cwl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), NextToken: token})
			if err == nil {
				for _, e := range out.Events {
					if m := strings.TrimSpace(aws.ToString(e.Message)); strings.HasPrefix(m, prefix) {
						lines = append(lines, m)
					}
				}
			}
			if err != nil || out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		if done(lines) {
			return lines, true
		}
		if time.Now().After(deadline) {
			return lines, false
		}
		time.Sleep(100 * time.Millisecond) // waiting for background delivery, not timing it
	}
}

func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func TestSQSEventSourceMapping(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()

	createPythonFunction(t, lc, "consumer", sqsConsumer, 3)
	dlq, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("consumer-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	in, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("consumer-in"), Attributes: map[string]string{
		// Long enough that a slow first (cold) invocation on a loaded
		// machine finishes, and deletes its batch's processed messages,
		// before they could be received again.
		"VisibilityTimeout": "10",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:consumer-dlq","maxReceiveCount":2}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	const inARN = "arn:aws:sqs:us-east-1:000000000000:consumer-in"

	// Lambda's checks.
	slow, _ := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("slow"), Attributes: map[string]string{"VisibilityTimeout": "2"}})
	_ = slow
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:slow")})
	wantLambdaError(t, "visibility below the function's timeout", err, "InvalidParameterValueException", "Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(inARN), BatchSize: aws.Int32(50)})
	wantLambdaError(t, "batch over 10 without a window", err, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	// A FIFO queue takes batches of up to 10 and no batching window.
	if _, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ordered.fifo"), Attributes: map[string]string{"FifoQueue": "true"}}); err != nil {
		t.Fatal(err)
	}
	const fifoARN = "arn:aws:sqs:us-east-1:000000000000:ordered.fifo"
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(fifoARN),
		BatchSize: aws.Int32(11), MaximumBatchingWindowInSeconds: aws.Int32(1)})
	wantLambdaError(t, "FIFO batch over 10", err, "InvalidParameterValueException", "Batch size must be between 1 and 10 for FIFO queues.")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(fifoARN),
		MaximumBatchingWindowInSeconds: aws.Int32(5)})
	wantLambdaError(t, "FIFO batching window", err, "InvalidParameterValueException", "Batching window is not supported for FIFO queues")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")})
	wantLambdaError(t, "missing queue", err, "InvalidParameterValueException", "")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("nobody"), EventSourceArn: aws.String(inARN)})
	wantLambdaError(t, "missing function", err, "ResourceNotFoundException", "")

	created, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("consumer"), EventSourceArn: aws.String(inARN), BatchSize: aws.Int32(10),
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.State) != "Creating" || aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:consumer" ||
		aws.ToInt32(created.BatchSize) != 10 {
		t.Errorf("created: %+v", created)
	}
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(inARN)})
	wantLambdaError(t, "second mapping of the pair", err, "ResourceConflictException", "")
	got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: created.UUID})
	if err != nil || aws.ToString(got.State) != "Enabled" {
		t.Fatalf("GetEventSourceMapping: %+v %v", got, err)
	}

	for _, body := range []string{"ok-1", "ok-2", "ok-3", "fail-1"} {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: in.QueueUrl, MessageBody: aws.String(body),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("test")}}}); err != nil {
			t.Fatal(err)
		}
	}
	lines, ok := groupLinesWithin(cwl, "/aws/lambda/consumer", "BODY ", func(l []string) bool {
		return hasLine(l, "BODY ok-1 aws:sqs 1 test") && hasLine(l, "BODY ok-2 aws:sqs 1 test") &&
			hasLine(l, "BODY ok-3 aws:sqs 1 test") && hasLine(l, "BODY fail-1 aws:sqs 2 test")
	}, 90*time.Second)
	if !ok {
		t.Fatalf("consumer's log lines %q are still not as expected", lines)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "BODY ok-") && !strings.HasSuffix(l, " 1 test") {
			t.Errorf("a processed message came back: %q", l)
		}
	}
	// The failed message, received twice, goes to the dead-letter queue.
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 1 {
			if aws.ToString(out.Messages[0].Body) != "fail-1" {
				t.Errorf("dead letter: %q", aws.ToString(out.Messages[0].Body))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed message never reached the dead-letter queue")
		}
	}
	attrs, _ := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: in.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("source queue after processing: %v", attrs.Attributes)
	}

	// Disabled, the mapping leaves messages alone.
	upd, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: created.UUID, Enabled: aws.Bool(false)})
	if err != nil || aws.ToString(upd.State) != "Disabling" {
		t.Fatalf("disable: %+v %v", upd, err)
	}
	qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: in.QueueUrl, MessageBody: aws.String("while-disabled")})
	time.Sleep(500 * time.Millisecond) // nothing should happen; a short look is enough
	attrs, _ = qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: in.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("a disabled mapping consumed: %v", attrs.Attributes)
	}
	list, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("consumer")})
	if err != nil || len(list.EventSourceMappings) != 1 || aws.ToString(list.EventSourceMappings[0].State) != "Disabled" {
		t.Errorf("ListEventSourceMappings: %+v %v", list, err)
	}
	del, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: created.UUID})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: created.UUID})
	wantLambdaError(t, "deleted mapping", err, "ResourceNotFoundException", "The resource you requested does not exist.")
}

// TestSQSEventSourceMappingFilters checks that filtered-out messages are
// deleted without an invocation and the rest delivered, body matched as
// JSON.
func TestSQSEventSourceMappingFilters(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "picky", sqsConsumer, 3)
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("picky-in")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("picky"), EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:picky-in"),
		FilterCriteria: &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{Pattern: aws.String(`{"body":{"kind":["keep"]}}`)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("picky"), EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:picky-in"),
		FilterCriteria: &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{Pattern: aws.String(`{"body":`)}}},
	})
	wantLambdaError(t, "bad filter", err, "InvalidParameterValueException", "Invalid filter pattern definition.")
	for _, body := range []string{`{"kind":"drop","n":1}`, `{"kind":"keep","n":2}`, `plain text`} {
		qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)})
	}
	groupLines(t, cwl, "/aws/lambda/picky", "BODY ", func(l []string) bool { return hasLine(l, `BODY {"kind":"keep","n":2}`) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		attrs, _ := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if attrs.Attributes["ApproximateNumberOfMessages"] == "0" && attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("filtered messages were not deleted: %v", attrs.Attributes)
		}
		time.Sleep(100 * time.Millisecond)
	}
	lines := groupLines(t, cwl, "/aws/lambda/picky", "BODY ", func([]string) bool { return true })
	if len(lines) != 1 {
		t.Errorf("invocations saw %q, want only the kept message", lines)
	}
}

func wantLambdaError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &ae) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}
