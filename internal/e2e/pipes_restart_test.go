package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

// TestPipesKinesisToEventBusRestart runs a pipe from a Kinesis stream to
// the default event bus, stops virga and starts it again on the same data
// directory: the pipe is still there and running, and goes on from its
// checkpoint without delivering a record twice.
func TestPipesKinesisToEventBusRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	clk := clock.NewFake(time.Now().UTC())
	v := startSchedVirga(t, dir, clk)
	c := e2e.ClientConfig("http://"+v.app.Addr(), "us-east-1", "test", "test", "")
	kc, eb, pc := kinesis.NewFromConfig(c), eventbridge.NewFromConfig(c), pipes.NewFromConfig(c)
	out := createPipeQueue(t, v.sqs, "bus-out")
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("from-pipe"),
		EventPattern: aws.String(`{"source":["Pipe clicks"],"detail-type":["Event from aws:kinesis"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("from-pipe"), Targets: []ebtypes.Target{{
		Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:bus-out")}}}); err != nil {
		t.Fatal(err)
	}
	put := func(kc *kinesis.Client, data string) {
		t.Helper()
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("clicks"), PartitionKey: aws.String("user-1"),
			Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	put(kc, `{"n":1}`) // before the pipe: TRIM_HORIZON reads it
	if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("clicks"), RoleArn: aws.String(pipeRole),
		Source: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/clicks"),
		Target: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default"),
		SourceParameters: &pipestypes.PipeSourceParameters{KinesisStreamParameters: &pipestypes.PipeSourceKinesisStreamParameters{
			StartingPosition: pipestypes.KinesisStreamStartPositionTrimHorizon}},
	}); err != nil {
		t.Fatal(err)
	}
	type busEvent struct {
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
		Detail     struct {
			EventSource, PartitionKey, Data, SequenceNumber, EventID string
			KinesisSchemaVersion                                     string
		} `json:"detail"`
	}
	decode := func(body string) busEvent {
		t.Helper()
		var e busEvent
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("event %s: %v", body, err)
		}
		return e
	}
	first := decode(receiveBodies(t, v.sqs, out, 1)[0])
	if data, _ := base64.StdEncoding.DecodeString(first.Detail.Data); string(data) != `{"n":1}` || first.Detail.PartitionKey != "user-1" ||
		first.Detail.EventSource != "aws:kinesis" || first.Detail.KinesisSchemaVersion != "1.0" || first.Detail.SequenceNumber == "" {
		t.Errorf("the bus got %+v", first)
	}

	v.stop(t)
	v = startSchedVirga(t, dir, clk)
	c = e2e.ClientConfig("http://"+v.app.Addr(), "us-east-1", "test", "test", "")
	kc, pc = kinesis.NewFromConfig(c), pipes.NewFromConfig(c)
	d, err := pc.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("clicks")})
	if err != nil || d.CurrentState != pipestypes.PipeStateRunning {
		t.Fatalf("the pipe after a restart: %+v, %v", d, err)
	}
	put(kc, `{"n":2}`)
	second := decode(receiveBodies(t, v.sqs, out, 1)[0])
	if data, _ := base64.StdEncoding.DecodeString(second.Detail.Data); string(data) != `{"n":2}` {
		t.Errorf("after the restart the bus got %s, want the second record", data)
	}
	if m, err := v.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(out), WaitTimeSeconds: 1}); err != nil || len(m.Messages) != 0 {
		t.Errorf("records delivered twice: %+v, %v", m, err)
	}
}
