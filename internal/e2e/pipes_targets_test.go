package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// TestPipesTargets sends from SQS queues (one FIFO) to a FIFO queue, an
// SNS topic, a Kinesis stream and a CloudWatch Logs log group, with the
// target parameters' JSON paths evaluated on each event.
func TestPipesTargets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc, qc := pipes.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	kc, sc, cwl := kinesis.NewFromConfig(env.Config), sns.NewFromConfig(env.Config), cloudwatchlogs.NewFromConfig(env.Config)
	const account = "arn:aws:sqs:us-east-1:000000000000:"
	fifoIn, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("in.fifo"), Attributes: map[string]string{
		"FifoQueue": "true", "ContentBasedDeduplication": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	fifoOut, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("out.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	plain := createPipeQueue(t, qc, "plain-in")
	topicOut := createPipeQueue(t, qc, "topic-out")
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(account + "topic-out"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("copies"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/pipes/audit")}); err != nil {
		t.Fatal(err)
	}
	create := func(name, source, target string, tp *pipestypes.PipeTargetParameters) {
		t.Helper()
		if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String(name), RoleArn: aws.String(pipeRole),
			Source: aws.String(source), Target: aws.String(target), TargetParameters: tp}); err != nil {
			t.Fatalf("CreatePipe %s: %v", name, err)
		}
	}
	body := `{"group":"g1","k":"key-7","text":"hi"}`
	create("fifo", account+"in.fifo", account+"out.fifo", &pipestypes.PipeTargetParameters{
		InputTemplate:      aws.String(`<$.body.text>`),
		SqsQueueParameters: &pipestypes.PipeTargetSqsQueueParameters{MessageGroupId: aws.String("$.body.group"), MessageDeduplicationId: aws.String("$.messageId")}})
	create("to-topic", account+"plain-in", aws.ToString(topic.TopicArn), &pipestypes.PipeTargetParameters{InputTemplate: aws.String(`topic <$.body.text>`)})
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fifoIn.QueueUrl, MessageBody: aws.String(body), MessageGroupId: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(plain), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	msg, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: fifoOut.QueueUrl, WaitTimeSeconds: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"MessageGroupId"}})
	if err != nil || len(msg.Messages) != 1 || aws.ToString(msg.Messages[0].Body) != "hi" || msg.Messages[0].Attributes["MessageGroupId"] != "g1" {
		t.Errorf("FIFO target: %+v, %v", msg, err)
	}
	if got := receiveBodies(t, qc, topicOut, 1); got[0] != "topic hi" {
		t.Errorf("SNS target: %q", got)
	}

	// The queue feeds the Kinesis and log group pipes in turn.
	if _, err := pc.DeletePipe(ctx, &pipes.DeletePipeInput{Name: aws.String("to-topic")}); err != nil {
		t.Fatal(err)
	}
	create("to-stream", account+"plain-in", "arn:aws:kinesis:us-east-1:000000000000:stream/copies", &pipestypes.PipeTargetParameters{
		KinesisStreamParameters: &pipestypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("$.body.k")}})
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(plain), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("copies")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("copies"), ShardId: shards.Shards[0].ShardId,
		ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var recs []kinesistypes.Record
	for deadline := time.Now().Add(20 * time.Second); len(recs) == 0 && time.Now().Before(deadline); {
		got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		recs, it.ShardIterator = got.Records, got.NextShardIterator
		time.Sleep(100 * time.Millisecond) // waiting for background delivery, not timing it
	}
	var record struct{ Body, EventSource string }
	if len(recs) != 1 || aws.ToString(recs[0].PartitionKey) != "key-7" || json.Unmarshal(recs[0].Data, &record) != nil ||
		record.Body != body || record.EventSource != "aws:sqs" {
		t.Fatalf("Kinesis target: %d records %+v", len(recs), recs)
	}

	if _, err := pc.DeletePipe(ctx, &pipes.DeletePipeInput{Name: aws.String("to-stream")}); err != nil {
		t.Fatal(err)
	}
	create("to-logs", account+"plain-in", "arn:aws:logs:us-east-1:000000000000:log-group:/pipes/audit", &pipestypes.PipeTargetParameters{
		InputTemplate:            aws.String(`AUDIT <$.body.text>`),
		CloudWatchLogsParameters: &pipestypes.PipeTargetCloudWatchLogsParameters{LogStreamName: aws.String("audit-stream")}})
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(plain), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if lines := groupLines(t, cwl, "/pipes/audit", "AUDIT ", func(l []string) bool { return len(l) >= 1 }); lines[0] != "AUDIT hi" {
		t.Errorf("log group target: %q", lines)
	}
}
