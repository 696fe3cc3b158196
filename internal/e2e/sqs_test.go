package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func sqsClient(env *Env) *sqs.Client { return sqs.NewFromConfig(env.Config) }

func createQueue(t testing.TB, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return *out.QueueUrl
}

// wantSQSError checks an SDK error's code (the awsQuery code SQS reports
// in X-Amzn-Query-Error) and message.
func wantSQSError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestSQSQueueLifecycle(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()

	url := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"})
	if want := env.Endpoint + "/000000000000/orders"; url != want {
		t.Errorf("QueueUrl = %s, want %s", url, want)
	}
	// Same attributes: the same queue. Different: QueueNameExists.
	if again := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"}); again != url {
		t.Errorf("second CreateQueue = %s", again)
	}
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "10"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Errorf("CreateQueue with other attributes: %v", err)
	}
	wantSQSError(t, "CreateQueue with other attributes", err, "QueueAlreadyExists",
		"A queue already exists with the same name and a different value for attribute VisibilityTimeout")
	// Attributes the request leaves out are not compared: naming only the
	// queue, or only attributes it has, returns its URL.
	for _, attrs := range []map[string]string{nil, {"DelaySeconds": "0"}} {
		if again := createQueue(t, c, "orders", attrs); again != url {
			t.Errorf("CreateQueue with %v = %s", attrs, again)
		}
	}

	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || *got.QueueUrl != url {
		t.Fatalf("GetQueueUrl: %v %v", got, err)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var dne *types.QueueDoesNotExist
	if !errors.As(err, &dne) {
		t.Errorf("GetQueueUrl of a missing queue: %v", err)
	}
	wantSQSError(t, "GetQueueUrl missing", err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")

	// The sqs.REGION.localhost form of the URL names the same queue.
	alt := "http://sqs.us-east-1.localhost:4566/000000000000/orders"
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &alt, MessageBody: aws.String("x")}); err != nil {
		t.Errorf("SendMessage by the localhost URL: %v", err)
	}

	for _, bad := range []string{"", "has space", strings.Repeat("a", 81), "x.fifo", "-ok-but-fifo.fifo!"} {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(bad)})
		if err == nil {
			t.Errorf("CreateQueue %q succeeded", bad)
		}
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"VisibilityTimeout": "43201"}})
	wantSQSError(t, "VisibilityTimeout out of range", err, "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.")
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"Colour": "red"}})
	wantSQSError(t, "unknown attribute", err, "InvalidAttributeName", "Unknown Attribute Colour.")

	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	a := attrs.Attributes
	if a["VisibilityTimeout"] != "45" || a["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:orders" ||
		a["MessageRetentionPeriod"] != "345600" || a["MaximumMessageSize"] != "1048576" || a["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("attributes: %v", a)
	}
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"DelaySeconds": "5"}}); err != nil {
		t.Fatal(err)
	}
	attrs, _ = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"DelaySeconds"}})
	if len(attrs.Attributes) != 1 || attrs.Attributes["DelaySeconds"] != "5" {
		t.Errorf("DelaySeconds: %v", attrs.Attributes)
	}

	if _, err := c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: &url, Tags: map[string]string{"team": "a", "env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: &url, TagKeys: []string{"env"}})
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: &url})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "a" {
		t.Errorf("ListQueueTags: %v %v", tags, err)
	}

	for i := range 5 {
		createQueue(t, c, fmt.Sprintf("page-%d", i), nil)
	}
	var pages [][]string
	var token *string
	for {
		out, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("page-"), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, out.QueueUrls)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if len(pages) != 3 || len(pages[2]) != 1 || !strings.HasSuffix(pages[2][0], "/page-4") {
		t.Errorf("ListQueues pages: %v", pages)
	}
	// A token SQS did not give out is refused, not read as the end of the
	// list.
	for _, tok := range []string{"garbage", "not base64!"} {
		_, err = c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(2), NextToken: aws.String(tok)})
		if code, msg := apiCode(t, err); code != "InvalidParameterValue" || msg != "Invalid NextToken value." {
			t.Errorf("ListQueues with NextToken %q: %v", tok, err)
		}
	}

	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x")})
	if !errors.As(err, &dne) {
		t.Errorf("SendMessage to a deleted queue: %v", err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	var recently *types.QueueDeletedRecently
	if !errors.As(err, &recently) {
		t.Errorf("recreating a queue at once: %v", err)
	}
	wantSQSError(t, "recreating a queue at once", err, "AWS.SimpleQueueService.QueueDeletedRecently",
		"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
}

func TestSQSSendReceiveDelete(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "work", nil)

	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: &url, MessageBody: aws.String("hello ✓"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"colour": {DataType: aws.String("String"), StringValue: aws.String("blue")},
			"count":  {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
	})
	if err != nil {
		t.Fatal(err) // the SDK checks MD5OfMessageBody itself
	}
	if *sent.MD5OfMessageBody != "3b5e2a0e8a1cf8e4de8da0d7c8a2e8a6" && len(*sent.MD5OfMessageBody) != 32 {
		t.Errorf("MD5OfMessageBody = %s", *sent.MD5OfMessageBody)
	}
	if sent.MD5OfMessageAttributes == nil {
		t.Error("no MD5OfMessageAttributes")
	}

	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages", len(got.Messages))
	}
	m := got.Messages[0]
	if *m.Body != "hello ✓" || *m.MessageId != *sent.MessageId || *m.MD5OfMessageAttributes != *sent.MD5OfMessageAttributes {
		t.Errorf("message: %+v", m)
	}
	if m.MessageAttributes["count"].StringValue == nil || *m.MessageAttributes["count"].StringValue != "42" ||
		string(m.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02" {
		t.Errorf("attributes: %+v", m.MessageAttributes)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" || m.Attributes["SenderId"] == "" {
		t.Errorf("system attributes: %v", m.Attributes)
	}
	// A long-term key is the account root's: SenderId is the account id,
	// as GetCallerIdentity's UserId, never the access key.
	if m.Attributes["SenderId"] != "000000000000" {
		t.Errorf("SenderId = %q, want the account id", m.Attributes["SenderId"])
	}

	// Selecting some attributes digests only those.
	c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: []string{"colour", "count"}})
	if err != nil || len(again.Messages) != 1 {
		t.Fatalf("receive after visibility 0: %v %v", again, err)
	}
	if n := len(again.Messages[0].MessageAttributes); n != 2 || *again.Messages[0].MD5OfMessageAttributes == *sent.MD5OfMessageAttributes {
		t.Errorf("prefix selection: %d attributes, md5 %s", n, *again.Messages[0].MD5OfMessageAttributes)
	}

	// While in flight, nothing else is received.
	none, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if len(none.Messages) != 0 {
		t.Errorf("received an in-flight message")
	}
	attrs, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("counts: %v", attrs.Attributes)
	}

	// An older receipt handle still deletes the message (standard queue).
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	attrs, _ = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("after delete: %v", attrs.Attributes)
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("garbage")})
	wantSQSError(t, "bad receipt", err, "ReceiptHandleIsInvalid", `The input receipt handle "garbage" is not a valid receipt handle.`)

	// Validation.
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("a\x00b")})
	wantSQSError(t, "invalid characters", err, "InvalidMessageContents", "")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("x", 1048577))})
	wantSQSError(t, "too large", err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("abc")}}})
	wantSQSError(t, "bad number", err, "InvalidParameterValue", "Can't cast the value of message (user) attribute 'n' to a number.")
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 11})
	wantSQSError(t, "MaxNumberOfMessages", err, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("not a url"), MessageBody: aws.String("x")})
	wantSQSError(t, "bad QueueUrl", err, "InvalidAddress", "")
}

func TestSQSBatches(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "batch", nil)

	var entries []types.SendMessageBatchRequestEntry
	for i := range 10 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("m%d", i)), MessageBody: aws.String(fmt.Sprintf("body %d", i))})
	}
	entries[3].MessageBody = aws.String("")
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 9 || len(out.Failed) != 1 || *out.Failed[0].Id != "m3" || !out.Failed[0].SenderFault {
		t.Errorf("batch: %d ok, failed %+v", len(out.Successful), out.Failed)
	}

	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("x"), MessageBody: aws.String("x")})})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Errorf("11 entries: %v", err)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("1")}, {Id: aws.String("a"), MessageBody: aws.String("2")}}})
	var dup *types.BatchEntryIdsNotDistinct
	if !errors.As(err, &dup) {
		t.Errorf("repeated ids: %v", err)
	}

	var handles []types.DeleteMessageBatchRequestEntry
	bodies := map[string]bool{}
	for len(bodies) < 9 {
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) == 0 {
			t.Fatalf("received %d of 9", len(bodies))
		}
		for _, m := range got.Messages {
			bodies[*m.Body] = true
			handles = append(handles, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("d%d", len(handles))), ReceiptHandle: m.ReceiptHandle})
		}
	}
	handles = append(handles[:9], types.DeleteMessageBatchRequestEntry{Id: aws.String("bad"), ReceiptHandle: aws.String("nope")})
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: handles})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 9 || len(del.Failed) != 1 || *del.Failed[0].Code != "ReceiptHandleIsInvalid" {
		t.Errorf("DeleteMessageBatch: %d ok, failed %+v", len(del.Successful), del.Failed)
	}
}

func TestSQSLongPollAndDelay(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "poll", nil)

	// A long poll returns as soon as a message arrives: well before its
	// 20 s are up, however slow a loaded machine is to serve the calls.
	done := make(chan *sqs.ReceiveMessageOutput, 1)
	start := time.Now()
	go func() {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	// Send once a ReceiveMessage is in flight (this test's, or another
	// parallel test's: then the poll finds the message at once, which
	// the bound below allows too).
	for deadline := time.Now().Add(30 * time.Second); receivesInFlight() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the long poll never reached ReceiveMessage")
		}
	}
	c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("wake")})
	select {
	case out := <-done:
		if len(out.Messages) != 1 || time.Since(start) > 10*time.Second {
			t.Errorf("long poll: %d messages after %v", len(out.Messages), time.Since(start))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("long poll did not return")
	}

	// An empty long poll waits its time.
	start = time.Now()
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Errorf("empty long poll: %v %v after %v", out, err, time.Since(start))
	}

	// A delayed message counts as delayed, then arrives. The count is
	// checked only when its answer came before the delay could have ended
	// (a loaded machine can take longer than that between two calls).
	sent := time.Now()
	c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("later"), DelaySeconds: 2})
	attrs, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesDelayed"}})
	if attrs.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" && time.Since(sent) < 2*time.Second {
		t.Errorf("delayed count: %v", attrs.Attributes)
	}
	out, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 5})
	if err != nil || len(out.Messages) != 1 || *out.Messages[0].Body != "later" {
		t.Errorf("delayed message: %v %v", out, err)
	}
}

func TestSQSVisibilityAndDeadLetters(t *testing.T) {
	t.Parallel()
	env := Start(t, WithFakeClock())
	c := sqsClient(env)
	ctx := context.Background()
	dlq := createQueue(t, c, "dead", nil)
	src := createQueue(t, c, "src", map[string]string{
		"VisibilityTimeout": "30",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}`,
	})
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("src2"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nowhere","maxReceiveCount":2}`}})
	wantSQSError(t, "redrive to a missing queue", err, "InvalidParameterValue", "")

	c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("poison")})
	for i := 1; i <= 2; i++ {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		if err != nil || len(out.Messages) != 1 || out.Messages[0].Attributes["ApproximateReceiveCount"] != strconv.Itoa(i) {
			t.Fatalf("receive %d: %+v %v", i, out, err)
		}
		// Not visible until the timeout passes.
		env.Clock.Advance(29 * time.Second)
		if out, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src}); len(out.Messages) != 0 {
			t.Fatalf("visible before its timeout")
		}
		env.Clock.Advance(2 * time.Second)
	}
	// The third receive moves it to the dead-letter queue instead.
	if out, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src}); len(out.Messages) != 0 {
		t.Fatalf("received past maxReceiveCount")
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if err != nil || len(out.Messages) != 1 || *out.Messages[0].Body != "poison" ||
		out.Messages[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:src" {
		t.Fatalf("dead-letter queue: %+v %v", out, err)
	}
	sources, err := c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlq})
	if err != nil || len(sources.QueueUrls) != 1 || sources.QueueUrls[0] != src {
		t.Errorf("ListDeadLetterSourceQueues: %v %v", sources, err)
	}

	// ChangeMessageVisibility: extend, and the 12-hour limit.
	c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("slow")})
	got, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src})
	if len(got.Messages) != 1 {
		t.Fatal("no message")
	}
	h := got.Messages[0].ReceiptHandle
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &src, ReceiptHandle: h, VisibilityTimeout: 600}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(300 * time.Second)
	if out, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src}); len(out.Messages) != 0 {
		t.Errorf("visible before its extended timeout")
	}
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &src, ReceiptHandle: h, VisibilityTimeout: 43200})
	wantSQSError(t, "beyond 12 hours", err, "InvalidParameterValue", "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	env.Clock.Advance(301 * time.Second)
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &src, ReceiptHandle: h, VisibilityTimeout: 10})
	var notInFlight *types.MessageNotInflight
	if !errors.As(err, &notInFlight) {
		t.Errorf("change after the timeout: %v", err)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &src})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &src})
	var purging *types.PurgeQueueInProgress
	if !errors.As(err, &purging) {
		t.Errorf("second purge: %v", err)
	}
	attrs, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &src, AttributeNames: []types.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("after purge: %v", attrs.Attributes)
	}
}

func TestSQSRedriveMoveTask(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	dlq := createQueue(t, c, "dlq", nil)
	src := createQueue(t, c, "jobs", map[string]string{
		"VisibilityTimeout": "0", // (the SDK cannot send a VisibilityTimeout of 0 on ReceiveMessage)
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}`,
	})
	for i := range 3 {
		c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String(fmt.Sprint(i))})
	}
	for range 3 {
		c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src, MaxNumberOfMessages: 10})
	}
	// Receives past maxReceiveCount move all three to the DLQ.
	deadline := time.Now().Add(20 * time.Second)
	for {
		attrs, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &dlq, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
		if attrs.Attributes["ApproximateNumberOfMessages"] == "3" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DLQ holds %v", attrs.Attributes)
		}
		c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src, MaxNumberOfMessages: 10})
	}
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")})
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskHandle == nil {
		t.Fatal("no task handle")
	}
	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:jobs")})
	wantSQSError(t, "move from a queue that is no DLQ", err, "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
	deadline = time.Now().Add(10 * time.Second)
	for {
		list, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Results) == 1 && *list.Results[0].Status == "COMPLETED" {
			if list.Results[0].ApproximateNumberOfMessagesMoved != 3 {
				t.Errorf("moved %d", list.Results[0].ApproximateNumberOfMessagesMoved)
			}
			// The rate is listed only if the request gave one.
			if r := list.Results[0].MaxNumberOfMessagesPerSecond; r != nil {
				t.Errorf("MaxNumberOfMessagesPerSecond = %d for a task started without one", *r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task: %+v", list.Results)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var bodies []string
	for len(bodies) < 3 {
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src, MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
		if err != nil || len(got.Messages) == 0 {
			t.Fatalf("after redrive: %v %v (have %v)", got, err, bodies)
		}
		for _, m := range got.Messages {
			bodies = append(bodies, *m.Body)
		}
	}
	sort.Strings(bodies)
	if strings.Join(bodies, ",") != "0,1,2" {
		t.Errorf("redriven bodies: %v", bodies)
	}
}

func TestSQSFIFO(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "orders.fifo", map[string]string{"FifoQueue": "true"})
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("plain.fifo")})
	wantSQSError(t, ".fifo name without FifoQueue", err, "InvalidParameterValue", "")

	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	wantSQSError(t, "no dedup id", err, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantSQSError(t, "no group", err, "MissingParameter", "The request must contain the parameter MessageGroupId.")

	send := func(group, dedup, body string) *sqs.SendMessageOutput {
		t.Helper()
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body, MessageGroupId: &group, MessageDeduplicationId: &dedup})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a1 := send("a", "1", "a1")
	dup := send("a", "1", "a1 again")
	if *dup.MessageId != *a1.MessageId || *dup.SequenceNumber != *a1.SequenceNumber {
		t.Errorf("deduplicated send: %s/%s vs %s/%s", *dup.MessageId, *dup.SequenceNumber, *a1.MessageId, *a1.SequenceNumber)
	}
	send("a", "2", "a2")
	send("b", "3", "b1")
	send("a", "4", "a3")
	if a2 := send("a", "5", "a4"); *a2.SequenceNumber <= *a1.SequenceNumber {
		t.Errorf("sequence numbers do not grow: %s then %s", *a1.SequenceNumber, *a2.SequenceNumber)
	}

	// Group a is held while its first message is in flight; b is served.
	first, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 1})
	if err != nil || len(first.Messages) != 1 || *first.Messages[0].Body != "a1" {
		t.Fatalf("first receive: %+v %v", first, err)
	}
	second, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if len(second.Messages) != 1 || *second.Messages[0].Body != "b1" {
		t.Fatalf("second receive: %+v", second.Messages)
	}
	if out, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10}); len(out.Messages) != 0 {
		t.Fatalf("received from held groups: %+v", out.Messages)
	}
	c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: first.Messages[0].ReceiptHandle})
	rest, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	var bodies []string
	for _, m := range rest.Messages {
		bodies = append(bodies, *m.Body)
		if m.Attributes["MessageGroupId"] != "a" || m.Attributes["SequenceNumber"] == "" {
			t.Errorf("FIFO attributes: %v", m.Attributes)
		}
	}
	if strings.Join(bodies, ",") != "a2,a3,a4" {
		t.Errorf("group a after delete: %v", bodies)
	}

	// Content-based deduplication.
	cb := createQueue(t, c, "cb.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	x, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &cb, MessageBody: aws.String("same"), MessageGroupId: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &cb, MessageBody: aws.String("same"), MessageGroupId: aws.String("g")})
	if *x.MessageId != *y.MessageId {
		t.Errorf("content-based deduplication gave two messages")
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &cb, MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), DelaySeconds: 5})
	wantSQSError(t, "per-message delay on FIFO", err, "InvalidParameterValue", "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
}

// TestSQSConcurrentConsumers checks at-least-once delivery without
// duplicates while visibility holds: many senders and receivers, every
// message received once and deleted.
func TestSQSConcurrentConsumers(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "busy", map[string]string{"VisibilityTimeout": "60"})
	const senders, each = 4, 50
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprintf("%d-%d", s, i))}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var mu sync.Mutex
	seen := map[string]int{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				n := len(seen)
				mu.Unlock()
				if n == senders*each {
					return
				}
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
				if err != nil {
					t.Error(err)
					return
				}
				for _, m := range out.Messages {
					mu.Lock()
					seen[*m.Body]++
					mu.Unlock()
					c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
				}
			}
		}()
	}
	wg.Wait()
	for body, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times", body, n)
		}
	}
	if len(seen) != senders*each {
		t.Errorf("received %d of %d", len(seen), senders*each)
	}
}

// TestSQSQueryAtQueueURL sends awsQuery requests to a queue's URL without
// a QueueUrl parameter, as older clients do (and API Gateway's SQS
// integrations with a path-style URI).
func TestSQSQueryAtQueueURL(t *testing.T) {
	t.Parallel()
	env := Start(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(env.Config)
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("by-url")})
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, form string) (int, string) {
		t.Helper()
		res, err := http.Post(env.Endpoint+path, "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := post("/"+"000000000000"+"/by-url", "Action=SendMessage&MessageBody=hello")
	if status != 200 || !strings.Contains(body, "<SendMessageResponse") {
		t.Fatalf("SendMessage at the queue URL: %d %s", status, body)
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "hello" {
		t.Fatalf("ReceiveMessage: %+v %v", got, err)
	}
	status, body = post("/"+"000000000000"+"/missing", "Action=SendMessage&MessageBody=x")
	if status != 400 || !strings.Contains(body, "AWS.SimpleQueueService.NonExistentQueue") {
		t.Errorf("a missing queue's URL: %d %s", status, body)
	}
	status, body = post("/", "Action=SendMessage&MessageBody=x")
	if status != 400 || !strings.Contains(body, "<Code>MissingParameter</Code>") {
		t.Errorf("no queue at all: %d %s", status, body)
	}
}

// TestSQSShutdownEndsLongPolls: stopping virga while a client long-polls
// answers the poll at once, empty, as when its wait runs out, and the
// shutdown is clean instead of waiting out the poll.
// Not parallel: it waits until a goroutine of the process is in
// ReceiveMessage, and no other test's may be.
func TestSQSShutdownEndsLongPolls(t *testing.T) {
	env := Start(t)
	c := sqsClient(env)
	url := createQueue(t, c, "idle", nil)
	type result struct {
		out *sqs.ReceiveMessageOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		done <- result{out, err}
	}()
	// Shut down once the poll is being served: before that, the closed
	// listener would refuse it.
	for deadline := time.Now().Add(30 * time.Second); receivesInFlight() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the long poll never reached ReceiveMessage")
		}
	}
	// Half the poll's 20 s: a shutdown that waited for it would not fit.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.App.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown with a long poll in flight: %v", err)
	}
	select {
	case r := <-done:
		if r.err != nil || len(r.out.Messages) != 0 {
			t.Errorf("the long poll got %v, %v; want an empty answer", r.out, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll was not answered")
	}
}

// receivesInFlight counts the goroutines of this process (the apps of
// the tests run in it) that are in SQS's ReceiveMessage.
func receivesInFlight() int {
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 2)
	return strings.Count(b.String(), "/internal/sqs.(*Service).receiveMessage(")
}
