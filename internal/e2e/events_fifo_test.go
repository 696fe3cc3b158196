package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// A rule sends to a FIFO queue with the target's message group and no
// deduplication id of its own: a queue with content-based deduplication
// takes the event (deduplicated on its body), and one without it refuses
// the send, a client error EventBridge does not retry, so the event goes
// to the target's dead-letter queue at once.
func TestEventBridgeToFIFOQueueNeedsContentDeduplication(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	fifo := func(name string, contentDedup bool) string {
		attrs := map[string]string{"FifoQueue": "true"}
		if contentDedup {
			attrs["ContentBasedDeduplication"] = "true"
		}
		out, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		if err != nil {
			t.Fatal(err)
		}
		return *out.QueueUrl
	}
	good, bad := fifo("by-content.fifo", true), fifo("by-id.fifo", false)
	dlq := newQueue(t, qc, "fifo-dlq")

	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-fifo"),
		EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-fifo"), Targets: []ebtypes.Target{
		{Id: aws.String("content"), Arn: aws.String(queueARN("by-content.fifo")),
			SqsParameters: &ebtypes.SqsParameters{MessageGroupId: aws.String("orders")}},
		{Id: aws.String("plain"), Arn: aws.String(queueARN("by-id.fifo")),
			SqsParameters:    &ebtypes.SqsParameters{MessageGroupId: aws.String("orders")},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("fifo-dlq"))}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"id":1}`)}}}); err != nil {
		t.Fatal(err)
	}

	out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &good, WaitTimeSeconds: 20,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("content-deduplicated FIFO queue: %+v %v", out, err)
	}
	m := out.Messages[0]
	sum := sha256.Sum256([]byte(aws.ToString(m.Body)))
	if g, d := m.Attributes["MessageGroupId"], m.Attributes["MessageDeduplicationId"]; g != "orders" || d != hex.EncodeToString(sum[:]) {
		t.Errorf("group %q, deduplication id %q; want orders and the body's SHA-256", g, d)
	}

	// A client error is not retried (the default policy would retry for a
	// day): the event is in the dead-letter queue at once.
	d := receiveOne(t, qc, dlq)
	a := d.MessageAttributes
	if code := aws.ToString(a["ERROR_CODE"].StringValue); code != "InvalidParameterValueException" {
		t.Errorf("dead letter ERROR_CODE %q, want InvalidParameterValueException: %+v", code, a)
	}
	if n, ok := a["EXHAUSTED_RETRY_CONDITION"]; ok || aws.ToString(a["RETRY_ATTEMPTS"].StringValue) != "0" {
		t.Errorf("dead letter after retries (%v, RETRY_ATTEMPTS %q), want none", aws.ToString(n.StringValue), aws.ToString(a["RETRY_ATTEMPTS"].StringValue))
	}
	noMessage(t, qc, bad)
}
