package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The SQS suite. Its cells are named sqs/WORKLOAD/TARGET/cN and
// sqs/esm/TARGET, so that -only '^sqs/' runs it alone.
const (
	suiteSQS = "sqs"
	// workSingle is one message's round trip: SendMessage,
	// ReceiveMessage (MaxNumberOfMessages 1), DeleteMessage.
	workSingle = "single"
	// workBatch is ten messages': SendMessageBatch of 10, ReceiveMessage
	// of up to 10 until it has them all or sqsReceiveTries calls were
	// made, DeleteMessageBatch of what it received.
	workBatch = "batch"
	// workESM is the latency from just before SendMessage to the start
	// of the function an event source mapping invokes with the message.
	workESM = "esm"
)

const (
	// sqsBodySize is every message body's size, in bytes.
	sqsBodySize = 1024
	// sqsBatchMax is SendMessageBatch's and DeleteMessageBatch's limit
	// ("a maximum of 10 messages") and ReceiveMessage's largest
	// MaxNumberOfMessages ("Valid values: 1 to 10").
	sqsBatchMax = 10
	// sqsReceiveTries bounds the ReceiveMessage calls of a batch cycle:
	// with other callers on the queue, a receive may find fewer than the
	// ten messages the cycle sent.
	sqsReceiveTries = 5
	// The queues of the workloads, one each, so that no cycle receives
	// another workload's messages.
	sqsSingleQueue = "bench-single"
	sqsBatchQueue  = "bench-batch"
)

// sqsCells is the suite's grid: the single cycle at concurrency 1 and 16
// (the target is at 16, against the plain HTTP ceiling), the
// batch cycle at 16 (-concurrency does not apply). One caller measures
// latency, not a ceiling, so the ceiling runs at 16 only.
var sqsCells = []struct {
	workload, target string
	c                int
}{
	{workSingle, constName, 1}, {workSingle, virgaDiskName, 1}, {workSingle, virgaFsyncName, 1}, {workSingle, virgaMemName, 1},
	{workSingle, ceilingName, 16}, {workSingle, constName, 16}, {workSingle, virgaDiskName, 16}, {workSingle, virgaFsyncName, 16}, {workSingle, virgaMemName, 16},
	{workBatch, ceilingName, 16}, {workBatch, constName, 16}, {workBatch, virgaDiskName, 16}, {workBatch, virgaFsyncName, 16}, {workBatch, virgaMemName, 16},
}

// sqsBody is every message's body: fixed, so that the const server's
// recorded answers carry the MD5 digests the SDK client checks (of the
// body it sent, on SendMessage and SendMessageBatch, and of the body it
// received, on ReceiveMessage).
var sqsBody = strings.Repeat("0123456789abcdef", sqsBodySize/16)

// batchIDs are the entries' ids of every batch call.
var batchIDs = func() []string {
	ids := make([]string, sqsBatchMax)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	return ids
}()

// newSQSClient is an SQS client of the server at endpoint, with
// credentials test:test and no retries, so that errors show. The SDK's
// MD5 checks of bodies stay on, as they are by default.
func newSQSClient(endpoint string, hc aws.HTTPClient) *sqs.Client {
	return sqs.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	})
}

// sqsCalls are the workloads' cycles through one client, on the queues
// at these URLs. Every call checks its answer, so that no row is fast
// because it answers something else.
type sqsCalls struct {
	c                   *sqs.Client
	singleURL, batchURL string
}

// callFor is workload's cycle, counting its API calls and the messages it
// received and deleted in t.
func (q sqsCalls) callFor(workload string, t *tally) callFunc {
	switch workload {
	case workSingle:
		return func(ctx context.Context, _ *rand.Rand) error { return q.single(ctx, t) }
	case workBatch:
		return func(ctx context.Context, _ *rand.Rand) error { return q.batch(ctx, t) }
	}
	panic("unknown SQS workload " + workload)
}

// single sends a message, receives one and deletes it. The message it
// receives may be another caller's: each caller's send comes before its
// receive, so the queue always holds one for it, and an empty receive is
// an error.
func (q sqsCalls) single(ctx context.Context, t *tally) error {
	if _, err := q.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.singleURL, MessageBody: &sqsBody}); err != nil {
		return fmt.Errorf("SendMessage: %w", err)
	}
	out, err := q.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.singleURL, MaxNumberOfMessages: 1})
	if err != nil {
		return fmt.Errorf("ReceiveMessage: %w", err)
	}
	if len(out.Messages) != 1 {
		return fmt.Errorf("ReceiveMessage answered %d messages, want 1", len(out.Messages))
	}
	if err := checkBodies(out.Messages); err != nil {
		return err
	}
	if _, err := q.c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q.singleURL, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		return fmt.Errorf("DeleteMessage: %w", err)
	}
	if t != nil {
		t.calls.Add(3)
		t.messages.Add(1)
	}
	return nil
}

// batch sends ten messages in one call, receives up to ten in at most
// sqsReceiveTries calls and deletes what it received in one call.
func (q sqsCalls) batch(ctx context.Context, t *tally) error {
	entries := make([]types.SendMessageBatchRequestEntry, sqsBatchMax)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: &batchIDs[i], MessageBody: &sqsBody}
	}
	sent, err := q.c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q.batchURL, Entries: entries})
	if err != nil {
		return fmt.Errorf("SendMessageBatch: %w", err)
	}
	if len(sent.Failed) > 0 || len(sent.Successful) != sqsBatchMax {
		return fmt.Errorf("SendMessageBatch: %d successful, %d failed, want %d successful", len(sent.Successful), len(sent.Failed), sqsBatchMax)
	}
	calls := int64(1)
	var got []types.Message
	for try := 0; len(got) < sqsBatchMax && try < sqsReceiveTries; try++ {
		out, err := q.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.batchURL, MaxNumberOfMessages: int32(sqsBatchMax - len(got))})
		if err != nil {
			return fmt.Errorf("ReceiveMessage: %w", err)
		}
		calls++
		if err := checkBodies(out.Messages); err != nil {
			return err
		}
		got = append(got, out.Messages...)
	}
	if len(got) > sqsBatchMax {
		return fmt.Errorf("ReceiveMessage answered %d messages in all, more than the %d asked for", len(got), sqsBatchMax)
	}
	if len(got) > 0 {
		del := make([]types.DeleteMessageBatchRequestEntry, len(got))
		for i, m := range got {
			del[i] = types.DeleteMessageBatchRequestEntry{Id: &batchIDs[i], ReceiptHandle: m.ReceiptHandle}
		}
		out, err := q.c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &q.batchURL, Entries: del})
		if err != nil {
			return fmt.Errorf("DeleteMessageBatch: %w", err)
		}
		calls++
		if len(out.Failed) > 0 || len(out.Successful) != len(got) {
			return fmt.Errorf("DeleteMessageBatch: %d successful, %d failed, want %d successful", len(out.Successful), len(out.Failed), len(got))
		}
	}
	if t != nil {
		t.calls.Add(calls)
		t.messages.Add(int64(len(got)))
	}
	return nil
}

func checkBodies(msgs []types.Message) error {
	for _, m := range msgs {
		if aws.ToString(m.Body) != sqsBody {
			return fmt.Errorf("ReceiveMessage answered a body of %d bytes that is not the one sent (%.40q)", len(aws.ToString(m.Body)), aws.ToString(m.Body))
		}
		if m.ReceiptHandle == nil {
			return errors.New("ReceiveMessage answered a message without a receipt handle")
		}
	}
	return nil
}

// check makes one cycle of each workload.
func (q sqsCalls) check(ctx context.Context) error {
	for _, w := range []string{workSingle, workBatch} {
		if err := q.callFor(w, nil)(ctx, nil); err != nil {
			return fmt.Errorf("%s: %w", w, err)
		}
	}
	return nil
}

// createQueues creates the workloads' queues and returns their URLs.
func createQueues(ctx context.Context, c *sqs.Client) (sqsCalls, error) {
	q := sqsCalls{c: c}
	for _, v := range []struct {
		name string
		url  *string
	}{{sqsSingleQueue, &q.singleURL}, {sqsBatchQueue, &q.batchURL}} {
		out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(v.name)})
		if err != nil {
			return q, fmt.Errorf("CreateQueue %s: %w", v.name, err)
		}
		*v.url = aws.ToString(out.QueueUrl)
	}
	return q, nil
}
