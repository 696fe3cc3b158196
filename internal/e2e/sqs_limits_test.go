package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestSQSMessageSizeDefault checks SQS's message size limit as AWS has
// it since 2025: a queue that does not set MaximumMessageSize takes
// messages up to 1 MiB, and one that sets 256 KiB keeps that limit.
func TestSQSMessageSizeDefault(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	url := createQueue(t, c, "big", nil)

	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"MaximumMessageSize"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := attrs.Attributes["MaximumMessageSize"]; got != "1048576" {
		t.Errorf("MaximumMessageSize by default = %q, want 1048576", got)
	}

	// 512 KiB: over the old limit, under the new one. The SDK checks the
	// body's MD5 on send and on receive.
	body := strings.Repeat("y", 512<<10)
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body}); err != nil {
		t.Fatalf("SendMessage of 512 KiB: %v", err)
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != body {
		t.Errorf("received %d messages, want the 512 KiB one", len(got.Messages))
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("y", 1<<20+1))})
	wantSQSError(t, "over 1 MiB", err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")

	small := createQueue(t, c, "small", map[string]string{"MaximumMessageSize": "262144"})
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &small, MessageBody: aws.String(strings.Repeat("y", 262145))})
	wantSQSError(t, "over the queue's 256 KiB", err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
}
