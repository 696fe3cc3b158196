package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/virga/virga/internal/e2e"
)

// TestEventBridgeRuleToKinesis: a rule's Kinesis data stream target gets
// each event as a record whose partition key is what
// KinesisParameters.PartitionKeyPath selects, or the event's id without
// it; PutTargets refuses such a target without a RoleArn.
func TestEventBridgeRuleToKinesis(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	kc := kinesis.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	stream := "arn:aws:kinesis:us-east-1:" + testAccount + ":stream/clicks"
	role := "arn:aws:iam::" + testAccount + ":role/events-to-kinesis"
	for rule, source := range map[string]string{"keyed": "app.keyed", "plain": "app.plain"} {
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(`{"source":["` + source + `"]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("keyed"), Targets: []ebtypes.Target{
		{Id: aws.String("no-role"), Arn: aws.String(stream)},
	}})
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message != "RoleArn is required for target arn:aws:kinesis:us-east-1:"+testAccount+":stream/clicks." {
		t.Fatalf("PutTargets without a role: %q", e.Message)
	}
	for rule, kp := range map[string]*ebtypes.KinesisParameters{"keyed": {PartitionKeyPath: aws.String("$.detail.user")}, "plain": nil} {
		out, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []ebtypes.Target{
			{Id: aws.String("stream"), Arn: aws.String(stream), RoleArn: aws.String(role), KinesisParameters: kp},
		}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutTargets %s: %v %+v", rule, err, out)
		}
	}
	put, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app.keyed"), DetailType: aws.String("click"), Detail: aws.String(`{"user":"ana"}`)},
		{Source: aws.String("app.plain"), DetailType: aws.String("click"), Detail: aws.String(`{"user":"bo"}`)},
	}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, put)
	}
	plainID := aws.ToString(put.Entries[1].EventId)

	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("clicks")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("clicks"),
		ShardId: shards.Shards[0].ShardId, ShardIteratorType: kintypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{} // source → partition key
	iter := it.ShardIterator
	for deadline := time.Now().Add(10 * time.Second); len(keys) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("records so far: %v", keys)
		}
		recs, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		iter = recs.NextShardIterator
		for _, r := range recs.Records {
			var ev struct{ Source string }
			if err := json.Unmarshal(r.Data, &ev); err != nil {
				t.Fatalf("record %q: %v", r.Data, err)
			}
			keys[ev.Source] = aws.ToString(r.PartitionKey)
		}
	}
	if keys["app.keyed"] != "ana" || keys["app.plain"] != plainID {
		t.Fatalf("partition keys %v; want ana and the event id %s", keys, plainID)
	}
}

// TestSchedulerKinesisTarget: a schedule's Kinesis data stream target
// (a templated target) gets the Input as a record with
// KinesisParameters.PartitionKey as its partition key.
func TestSchedulerKinesisTarget(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	kc := kinesis.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("ticks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	stream := "arn:aws:kinesis:us-east-1:" + testAccount + ":stream/ticks"
	if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(stream), RoleArn: aws.String(schedRole),
			Input: schedInput("tick"), KinesisParameters: &schedtypes.KinesisParameters{PartitionKey: aws.String("pk-1")}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("tick")})
	if err != nil || got.Target.KinesisParameters == nil || aws.ToString(got.Target.KinesisParameters.PartitionKey) != "pk-1" {
		t.Fatalf("GetSchedule: %v %+v", err, got)
	}
	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(time.Second))

	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("ticks")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("ticks"),
		ShardId: shards.Shards[0].ShardId, ShardIteratorType: kintypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	iter := it.ShardIterator
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no record reached the stream")
		}
		recs, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		iter = recs.NextShardIterator
		if len(recs.Records) == 0 {
			continue
		}
		r := recs.Records[0]
		if len(recs.Records) != 1 || string(r.Data) != schedBody("tick", occ) || aws.ToString(r.PartitionKey) != "pk-1" {
			t.Fatalf("records %+v", recs.Records)
		}
		return
	}
}
