package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// sqsJSON posts one awsJson call and returns its status, its
// X-Amzn-Query-Error header and its body.
func sqsJSON(t *testing.T, env *Env, op, body string) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.Endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v: %s", op, err, b)
	}
	return res.StatusCode, res.Header.Get("X-Amzn-Query-Error"), out
}

// sqsForm posts one awsQuery call and returns its status and body.
func sqsForm(t *testing.T, env *Env, form string) (int, string) {
	t.Helper()
	res, err := http.Post(env.Endpoint+"/", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestSQSErrorShapes: the errors SQS has no model shape for keep the
// exception names SQS puts in awsJson's __type (InvalidParameterValue is
// InvalidParameterValueException, MissingParameter
// MissingRequiredParameterException) while X-Amzn-Query-Error, which
// SDKs report, carries the awsQuery code; a second PurgeQueue within 60
// seconds is a 403; a name deleted moments ago is refused in AWS's words.
func TestSQSErrorShapes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "shapes", nil)

	body := `{"QueueUrl":"` + url + `","MessageBody":"x","DelaySeconds":901}`
	status, header, out := sqsJSON(t, env, "SendMessage", body)
	if status != 400 || header != "InvalidParameterValue;Sender" || out["__type"] != "com.amazonaws.sqs#InvalidParameterValueException" {
		t.Errorf("DelaySeconds 901: %d %q %v", status, header, out)
	}
	status, header, out = sqsJSON(t, env, "SendMessage", `{"QueueUrl":"`+url+`","MessageBody":""}`)
	if status != 400 || header != "MissingParameter;Sender" || out["__type"] != "com.amazonaws.sqs#MissingRequiredParameterException" ||
		out["message"] != "The request must contain the parameter MessageBody." {
		t.Errorf("empty body: %d %q %v", status, header, out)
	}
	// The SDK reports the awsQuery code.
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), DelaySeconds: 901})
	wantSQSError(t, "DelaySeconds 901", err, "InvalidParameterValue", "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.")

	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	status, header, out = sqsJSON(t, env, "PurgeQueue", `{"QueueUrl":"`+url+`"}`)
	if status != 403 || header != "AWS.SimpleQueueService.PurgeQueueInProgress;Sender" ||
		out["message"] != "Only one PurgeQueue operation on shapes is allowed every 60 seconds." {
		t.Errorf("second PurgeQueue (awsJson): %d %q %v", status, header, out)
	}
	status, xml := sqsForm(t, env, "Action=PurgeQueue&QueueUrl="+url)
	if status != 403 || !strings.Contains(xml, "<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>") {
		t.Errorf("second PurgeQueue (awsQuery): %d %s", status, xml)
	}

	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("shapes")})
	wantSQSError(t, "recreated at once", err, "AWS.SimpleQueueService.QueueDeletedRecently",
		"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
}

// TestSQSQueueAttributeRules: SetQueueAttributes takes a FIFO queue's
// FifoQueue as it is but refuses to change it (and a standard queue has
// no such attribute); a redrive policy whose target is no queue ARN is
// refused before any lookup.
func TestSQSQueueAttributeRules(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	std := createQueue(t, c, "plain", nil)
	fifo := createQueue(t, c, "ordered.fifo", map[string]string{"FifoQueue": "true"})

	set := func(url string, attrs map[string]string) error {
		_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: attrs})
		return err
	}
	wantSQSError(t, "FifoQueue on a standard queue", set(std, map[string]string{"FifoQueue": "true"}),
		"InvalidAttributeName", "Unknown Attribute FifoQueue.")
	if err := set(fifo, map[string]string{"FifoQueue": "true"}); err != nil {
		t.Errorf("FifoQueue=true on a FIFO queue: %v", err)
	}
	wantSQSError(t, "FifoQueue=false on a FIFO queue", set(fifo, map[string]string{"FifoQueue": "false"}),
		"InvalidAttributeValue", "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")

	policy := `{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}`
	wantSQSError(t, "redrive to no ARN", set(std, map[string]string{"RedrivePolicy": policy}),
		"InvalidParameterValue", "Value "+policy+" for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.")
	policy = `{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nowhere", "maxReceiveCount": 3}`
	wantSQSError(t, "redrive to a missing queue", set(std, map[string]string{"RedrivePolicy": policy}),
		"InvalidParameterValue", "Value "+policy+" for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.")
}

// TestSQSMessageAttributeSelection: ReceiveMessage's "prefix.*" selects
// the attributes whose names start with the prefix (SQS's own example:
// "Hel.*" gives Hello and Help.Me), "*" selects them all, and an empty
// String attribute is refused in SQS's words.
func TestSQSMessageAttributeSelection(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "selection", map[string]string{"VisibilityTimeout": "0"})
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("msg"),
		MessageAttributes: map[string]types.MessageAttributeValue{"Help.Me": str("Me"), "Hello": str("There"), "General": str("Kenobi")}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"Hel.*"}, "Hello Help.Me"},
		{[]string{"Help.*"}, "Help.Me"},
		{[]string{"*"}, "General Hello Help.Me"},
		{[]string{".*"}, "General Hello Help.Me"},
		{[]string{"Foo", "Hello"}, "Hello"},
	} {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: tc.names})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("%v: %+v %v", tc.names, out, err)
		}
		var got []string
		for name := range out.Messages[0].MessageAttributes {
			got = append(got, name)
		}
		sort.Strings(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("MessageAttributeNames %v selected %v, want %s", tc.names, got, tc.want)
		}
	}

	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"ErrorDetails": str("")}})
	wantSQSError(t, "empty String attribute", err, "InvalidParameterValue",
		"Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.")
}

// TestSQSBatchRules: a FIFO batch with an entry that has no group id, or
// no deduplication id on a queue without content-based deduplication,
// fails as a whole; an empty batch in awsQuery ("Entries=", as botocore
// sends it) is EmptyBatchRequest, not a missing parameter.
func TestSQSBatchRules(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	fifo := createQueue(t, c, "batch.fifo", map[string]string{"FifoQueue": "true"})

	_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &fifo, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("m"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")},
		{Id: aws.String("b"), MessageBody: aws.String("m"), MessageDeduplicationId: aws.String("d2")},
	}})
	wantSQSError(t, "entry without a group id", err, "InvalidParameterValue", "The request must contain the parameter MessageGroupId.")
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &fifo, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("m"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")},
		{Id: aws.String("b"), MessageBody: aws.String("m"), MessageGroupId: aws.String("g")},
	}})
	wantSQSError(t, "entry without a deduplication id", err, "InvalidParameterValue",
		"The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &fifo,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("a refused batch sent something: %v %v", attrs, err)
	}

	for _, op := range []string{"SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"} {
		status, xml := sqsForm(t, env, "Action="+op+"&QueueUrl="+fifo+"&Entries=")
		if status != 400 || !strings.Contains(xml, "<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>") {
			t.Errorf("%s with Entries=: %d %s", op, status, xml)
		}
	}
}
