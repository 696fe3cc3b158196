package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

func kinesisCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

// TestKinesisStreams creates, describes, lists, tags and deletes streams
// with aws-sdk-go-v2's Kinesis client.
func TestKinesisStreams(t *testing.T) {
	t.Parallel()
	env := Start(t)
	ctx := context.Background()
	c := kinesis.NewFromConfig(env.Config)

	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("two"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("two"), ShardCount: aws.Int32(2)}); kinesisCode(err) != "ResourceInUseException" {
		t.Errorf("second CreateStream: %v", err)
	}
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("two")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if *sd.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/two" || sd.StreamStatus != types.StreamStatusActive ||
		len(sd.Shards) != 2 || *sd.RetentionPeriodHours != 24 || *sd.Shards[1].ShardId != "shardId-000000000001" ||
		*sd.Shards[1].HashKeyRange.StartingHashKey != "170141183460469231731687303715884105728" ||
		*sd.Shards[0].HashKeyRange.EndingHashKey != "170141183460469231731687303715884105727" {
		t.Errorf("DescribeStream: %+v", sd)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/od")})
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.StreamDescriptionSummary; *s.OpenShardCount != 4 || s.StreamModeDetails.StreamMode != types.StreamModeOnDemand {
		t.Errorf("DescribeStreamSummary: %+v", s)
	}
	ls, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("od"), MaxResults: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Shards) != 3 || ls.NextToken == nil {
		t.Fatalf("ListShards page 1: %d shards, token %v", len(ls.Shards), ls.NextToken)
	}
	ls, err = c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: ls.NextToken})
	if err != nil || len(ls.Shards) != 1 || *ls.Shards[0].ShardId != "shardId-000000000003" || ls.NextToken != nil {
		t.Errorf("ListShards page 2: %+v, %v", ls, err)
	}

	var names []string
	p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.StreamSummaries) != len(out.StreamNames) {
			t.Errorf("ListStreams: %d summaries for %d names", len(out.StreamSummaries), len(out.StreamNames))
		}
		names = append(names, out.StreamNames...)
	}
	if fmt.Sprint(names) != "[od two]" {
		t.Errorf("ListStreams: %v", names)
	}

	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("two"), Tags: map[string]string{"b": "2", "a": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("two"), TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("two")})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "a" || *tags.HasMoreTags {
		t.Errorf("ListTagsForStream: %+v, %v", tags, err)
	}

	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("two"), RetentionPeriodHours: aws.Int32(12)}); kinesisCode(err) != "InvalidArgumentException" {
		t.Errorf("retention of 12 hours: %v", err)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("two"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("two"), RetentionPeriodHours: aws.Int32(72)}); kinesisCode(err) != "InvalidArgumentException" {
		t.Errorf("decrease to 72 hours from 48: %v", err)
	}

	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("two")}); kinesisCode(err) != "ResourceNotFoundException" {
		t.Errorf("DescribeStream after delete: %v", err)
	}
}

// TestKinesisRecords puts records by partition key and explicit hash key
// and reads them back per shard, in order, with every iterator type.
func TestKinesisRecords(t *testing.T) {
	t.Parallel()
	env := Start(t, WithFakeClock())
	ctx := context.Background()
	c := kinesis.NewFromConfig(env.Config)
	name := aws.String("recs")
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	// MD5("a") starts 0x0c (shard 0); MD5("b") starts 0x92 (shard 1).
	var seqs []string
	for i := range 3 {
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte(fmt.Sprint("a", i))})
		if err != nil {
			t.Fatal(err)
		}
		if *out.ShardId != "shardId-000000000000" {
			t.Errorf("key a went to %s", *out.ShardId)
		}
		if len(seqs) > 0 && *out.SequenceNumber <= seqs[len(seqs)-1] {
			t.Errorf("sequence number %s after %s", *out.SequenceNumber, seqs[len(seqs)-1])
		}
		seqs = append(seqs, *out.SequenceNumber)
	}
	batch, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("b"), Data: []byte("b0")},
		{PartitionKey: aws.String("a"), Data: []byte("x0"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455")},
		{PartitionKey: aws.String("a"), Data: []byte("a3")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *batch.FailedRecordCount != 0 || *batch.Records[0].ShardId != "shardId-000000000001" || *batch.Records[1].ShardId != "shardId-000000000001" || *batch.Records[2].ShardId != "shardId-000000000000" {
		t.Errorf("PutRecords: %+v", batch.Records)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("x"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")}); kinesisCode(err) != "InvalidArgumentException" {
		t.Errorf("hash key 2^128: %v", err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("a"), Data: []byte("x")}); kinesisCode(err) != "ResourceNotFoundException" {
		t.Errorf("PutRecord to a missing stream: %v", err)
	}

	read := func(typ types.ShardIteratorType, shardID string, seq *string, ts *time.Time) []string {
		t.Helper()
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(shardID), ShardIteratorType: typ, StartingSequenceNumber: seq, Timestamp: ts})
		if err != nil {
			t.Fatalf("GetShardIterator %s: %v", typ, err)
		}
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		var got []string
		for _, r := range out.Records {
			got = append(got, string(r.Data))
			if r.ApproximateArrivalTimestamp == nil || r.ApproximateArrivalTimestamp.IsZero() {
				t.Errorf("record %s has no arrival time", r.Data)
			}
		}
		if out.NextShardIterator == nil || *out.MillisBehindLatest != 0 {
			t.Errorf("GetRecords: next %v, behind %v", out.NextShardIterator, out.MillisBehindLatest)
		}
		return got
	}
	if got := fmt.Sprint(read(types.ShardIteratorTypeTrimHorizon, "shardId-000000000000", nil, nil)); got != "[a0 a1 a2 a3]" {
		t.Errorf("shard 0 from TRIM_HORIZON: %s", got)
	}
	if got := fmt.Sprint(read(types.ShardIteratorTypeTrimHorizon, "shardId-000000000001", nil, nil)); got != "[b0 x0]" {
		t.Errorf("shard 1 from TRIM_HORIZON: %s", got)
	}
	if got := fmt.Sprint(read(types.ShardIteratorTypeAtSequenceNumber, "shardId-000000000000", &seqs[1], nil)); got != "[a1 a2 a3]" {
		t.Errorf("AT_SEQUENCE_NUMBER: %s", got)
	}
	if got := fmt.Sprint(read(types.ShardIteratorTypeAfterSequenceNumber, "shardId-000000000000", &seqs[1], nil)); got != "[a2 a3]" {
		t.Errorf("AFTER_SEQUENCE_NUMBER: %s", got)
	}
	if got := read(types.ShardIteratorTypeLatest, "shardId-000000000000", nil, nil); len(got) != 0 {
		t.Errorf("LATEST: %v", got)
	}
	env.Clock.Advance(time.Minute)
	later := env.Clock.Now()
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("a4")}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(read(types.ShardIteratorTypeAtTimestamp, "shardId-000000000000", nil, &later)); got != "[a4]" {
		t.Errorf("AT_TIMESTAMP: %s", got)
	}

	// Paging with Limit, and MillisBehindLatest while records remain.
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(2)})
	if err != nil || len(page.Records) != 2 || *page.MillisBehindLatest < 60000 {
		t.Fatalf("GetRecords Limit 2: %+v, %v", page, err)
	}
	next := page.NextShardIterator
	page, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next})
	if err != nil || len(page.Records) != 3 || string(page.Records[0].Data) != "a2" {
		t.Fatalf("GetRecords page 2: %+v, %v", page, err)
	}

	// An iterator expires 5 minutes after it was handed out.
	env.Clock.Advance(5*time.Minute + time.Second)
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next}); kinesisCode(err) != "ExpiredIteratorException" {
		t.Errorf("GetRecords with an old iterator: %v", err)
	}

	// Records older than the retention period are gone.
	env.Clock.Advance(24 * time.Hour)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("a5")}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(read(types.ShardIteratorTypeTrimHorizon, "shardId-000000000000", nil, nil)); got != "[a5]" {
		t.Errorf("after 24 hours: %s", got)
	}
}

// TestKinesisCLI puts and gets a record with Debian's aws CLI.
func TestKinesisCLI(t *testing.T) {
	t.Parallel()
	RequireTool(t, AWSCLI)
	env := Start(t)
	run := func(v any, args ...string) {
		t.Helper()
		res := env.CLI(t, append([]string{"kinesis"}, args...)...)
		if res.ExitCode != 0 {
			t.Fatalf("aws kinesis %s: exit %d\nstdout: %s\nstderr: %s", args[0], res.ExitCode, res.Stdout, res.Stderr)
		}
		if v != nil {
			if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
				t.Fatalf("aws kinesis %s printed no JSON (%v):\n%s", args[0], err, res.Stdout)
			}
		}
	}
	run(nil, "create-stream", "--stream-name", "cli", "--shard-count", "1")
	run(nil, "wait", "stream-exists", "--stream-name", "cli")
	var put struct{ ShardId, SequenceNumber string }
	run(&put, "put-record", "--stream-name", "cli", "--partition-key", "k", "--data", "hello", "--cli-binary-format", "raw-in-base64-out")
	if put.ShardId != "shardId-000000000000" || put.SequenceNumber == "" {
		t.Errorf("put-record: %+v", put)
	}
	var it struct{ ShardIterator string }
	run(&it, "get-shard-iterator", "--stream-name", "cli", "--shard-id", put.ShardId, "--shard-iterator-type", "TRIM_HORIZON")
	var got struct {
		Records []struct{ Data, PartitionKey, SequenceNumber string }
	}
	run(&got, "get-records", "--shard-iterator", it.ShardIterator)
	if len(got.Records) != 1 || got.Records[0].Data != base64.StdEncoding.EncodeToString([]byte("hello")) || got.Records[0].SequenceNumber != put.SequenceNumber {
		t.Errorf("get-records: %+v", got)
	}
	var list struct{ StreamNames []string }
	run(&list, "list-streams")
	if len(list.StreamNames) != 1 || list.StreamNames[0] != "cli" {
		t.Errorf("list-streams: %+v", list)
	}
}

// TestKinesisEnhancedMonitoringAndLimits: EnableEnhancedMonitoring and
// DisableEnhancedMonitoring answer the metrics before and after ("ALL"
// standing for every one), DescribeStreamSummary shows them, and
// DescribeLimits counts the account's open shards and on-demand streams.
func TestKinesisEnhancedMonitoringAndLimits(t *testing.T) {
	t.Parallel()
	env := Start(t)
	ctx := context.Background()
	kc := kinesis.NewFromConfig(env.Config)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("mon"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	limits, err := kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil || aws.ToInt32(limits.ShardLimit) != 500 || aws.ToInt32(limits.OpenShardCount) != 6 ||
		aws.ToInt32(limits.OnDemandStreamCount) != 1 || aws.ToInt32(limits.OnDemandStreamCountLimit) != 50 {
		t.Errorf("DescribeLimits: %+v %v", limits, err)
	}

	all := []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameIncomingRecords, types.MetricsNameOutgoingBytes,
		types.MetricsNameOutgoingRecords, types.MetricsNameWriteProvisionedThroughputExceeded,
		types.MetricsNameReadProvisionedThroughputExceeded, types.MetricsNameIteratorAgeMilliseconds}
	on, err := kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("mon"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil || len(on.CurrentShardLevelMetrics) != 0 || fmt.Sprint(on.DesiredShardLevelMetrics) != fmt.Sprint(all) ||
		aws.ToString(on.StreamName) != "mon" || aws.ToString(on.StreamARN) != "arn:aws:kinesis:us-east-1:000000000000:stream/mon" {
		t.Errorf("enable ALL: %+v %v", on, err)
	}
	off, err := kc.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamARN: on.StreamARN,
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingBytes}})
	left := []types.MetricsName{types.MetricsNameIncomingRecords, types.MetricsNameOutgoingRecords,
		types.MetricsNameWriteProvisionedThroughputExceeded, types.MetricsNameReadProvisionedThroughputExceeded,
		types.MetricsNameIteratorAgeMilliseconds}
	if err != nil || fmt.Sprint(off.CurrentShardLevelMetrics) != fmt.Sprint(all) || fmt.Sprint(off.DesiredShardLevelMetrics) != fmt.Sprint(left) {
		t.Errorf("disable two: %+v %v", off, err)
	}
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("mon")})
	if err != nil || len(sum.StreamDescriptionSummary.EnhancedMonitoring) != 1 ||
		fmt.Sprint(sum.StreamDescriptionSummary.EnhancedMonitoring[0].ShardLevelMetrics) != fmt.Sprint(left) {
		t.Errorf("summary: %+v %v", sum, err)
	}
	_, err = kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("missing"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if code := kinesisCode(err); code != "ResourceNotFoundException" {
		t.Errorf("a missing stream: %s", code)
	}
}
