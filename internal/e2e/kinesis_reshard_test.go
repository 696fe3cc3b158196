package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// waitActive polls DescribeStreamSummary until the stream is ACTIVE
// again after a reshard.
func waitActive(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if s.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %s", name, s.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readToEnd reads a shard from its trim horizon until GetRecords gives
// no next iterator, and returns its records' data and the ChildShards of
// the last response.
func readToEnd(t *testing.T, c *kinesis.Client, stream, shard string) ([]string, []types.ChildShard) {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &stream, ShardId: &shard, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	next := it.ShardIterator
	for range 100 {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next, Limit: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Records {
			data = append(data, string(r.Data))
		}
		if out.NextShardIterator == nil {
			return data, out.ChildShards
		}
		if len(out.ChildShards) != 0 {
			t.Errorf("ChildShards before the end of %s: %+v", shard, out.ChildShards)
		}
		next = out.NextShardIterator
	}
	t.Fatalf("%s never ended", shard)
	return nil, nil
}

func shardIDs(shards []types.Shard) []string {
	var ids []string
	for _, s := range shards {
		ids = append(ids, *s.ShardId)
	}
	return ids
}

// TestKinesisReshard splits and merges shards and scales a stream with
// aws-sdk-go-v2: parents close with an EndingSequenceNumber, read to
// their end and name their children; new records go to the children;
// ListShards' filters tell open shards from closed ones.
func TestKinesisReshard(t *testing.T) {
	t.Parallel()
	env := Start(t)
	ctx := context.Background()
	c := kinesis.NewFromConfig(env.Config)
	name := "resharded"
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &name, ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	put := func(key, data string) string {
		t.Helper()
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &name, PartitionKey: &key, Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		return *out.ShardId
	}
	for i := range 3 {
		put(fmt.Sprint("k", i), fmt.Sprint("before-", i))
	}

	// NewStartingHashKey must lie strictly inside the parent's range.
	for _, key := range []string{"0", "1", "340282366920938463463374607431768211455"} {
		_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: &name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: &key})
		if kinesisCode(err) != "InvalidArgumentException" {
			t.Errorf("split at %s: %v", key, err)
		}
	}
	_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: &name, ShardToSplit: aws.String("shardId-000000000009"), NewStartingHashKey: aws.String("5")})
	if kinesisCode(err) != "ResourceNotFoundException" {
		t.Errorf("split of a missing shard: %v", err)
	}
	half := "170141183460469231731687303715884105728"
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: &name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: &half}); err != nil {
		t.Fatal(err)
	}
	// Until the reshard settles the stream is UPDATING, and another is
	// refused.
	if s, _ := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name}); s.StreamDescriptionSummary.StreamStatus == types.StreamStatusUpdating {
		_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: &name, ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
		if kinesisCode(err) != "ResourceInUseException" {
			t.Errorf("merge while UPDATING: %v", err)
		}
	}
	waitActive(t, c, name)
	sum, _ := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
	if *sum.StreamDescriptionSummary.OpenShardCount != 2 {
		t.Errorf("OpenShardCount %d, want 2", *sum.StreamDescriptionSummary.OpenShardCount)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: &name})
	if err != nil {
		t.Fatal(err)
	}
	sh := d.StreamDescription.Shards
	if len(sh) != 3 || sh[0].SequenceNumberRange.EndingSequenceNumber == nil || sh[1].SequenceNumberRange.EndingSequenceNumber != nil ||
		*sh[1].ParentShardId != "shardId-000000000000" || *sh[2].ParentShardId != "shardId-000000000000" ||
		*sh[1].HashKeyRange.EndingHashKey != "170141183460469231731687303715884105727" || *sh[2].HashKeyRange.StartingHashKey != half {
		t.Fatalf("DescribeStream after split: %+v", sh)
	}
	// A closed shard cannot be split again.
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: &name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("5")})
	if kinesisCode(err) != "InvalidArgumentException" {
		t.Errorf("split of a closed shard: %v", err)
	}

	// New records go to the children by hash key.
	low := put2(t, c, name, "0")
	high := put2(t, c, name, "340282366920938463463374607431768211455")
	if low != "shardId-000000000001" || high != "shardId-000000000002" {
		t.Errorf("records after the split went to %s and %s", low, high)
	}
	got, children := readToEnd(t, c, name, "shardId-000000000000")
	if fmt.Sprint(got) != "[before-0 before-1 before-2]" {
		t.Errorf("parent's records: %v", got)
	}
	if len(children) != 2 || *children[0].ShardId != "shardId-000000000001" || *children[1].ShardId != "shardId-000000000002" ||
		fmt.Sprint(children[0].ParentShards) != "[shardId-000000000000]" || *children[1].HashKeyRange.StartingHashKey != half {
		t.Errorf("ChildShards: %+v", children)
	}
	it, _ := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &name, ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	recs, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(recs.Records) != 1 || recs.NextShardIterator == nil {
		t.Errorf("open child: %+v %v", recs, err)
	}

	// ListShards' filters.
	list := func(f *types.ShardFilter) []string {
		t.Helper()
		out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: &name, ShardFilter: f})
		if err != nil {
			t.Fatal(err)
		}
		return shardIDs(out.Shards)
	}
	for _, tc := range []struct {
		f    *types.ShardFilter
		want string
	}{
		{nil, "[shardId-000000000000 shardId-000000000001 shardId-000000000002]"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtLatest}, "[shardId-000000000001 shardId-000000000002]"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}, "[shardId-000000000000]"},
		{&types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}, "[shardId-000000000000 shardId-000000000001 shardId-000000000002]"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000001")}, "[shardId-000000000002]"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: d.StreamDescription.StreamCreationTimestamp}, "[shardId-000000000000]"},
		{&types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour))}, "[shardId-000000000001 shardId-000000000002]"},
	} {
		if got := fmt.Sprint(list(tc.f)); got != tc.want {
			t.Errorf("ListShards %+v: %s, want %s", tc.f, got, tc.want)
		}
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: &name, ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	if kinesisCode(err) != "InvalidArgumentException" {
		t.Errorf("AT_TIMESTAMP without a timestamp: %v", err)
	}

	// Merge: only adjacent shards.
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: &name, ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); kinesisCode(err) != "InvalidArgumentException" {
		t.Errorf("merge of a shard with itself: %v", err)
	}
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: &name, ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, name)
	got, children = readToEnd(t, c, name, "shardId-000000000001")
	if fmt.Sprint(got) != "[low]" || len(children) != 1 || *children[0].ShardId != "shardId-000000000003" ||
		fmt.Sprint(children[0].ParentShards) != "[shardId-000000000002 shardId-000000000001]" {
		t.Errorf("merged parent: %v %+v", got, children)
	}
	if list(&types.ShardFilter{Type: types.ShardFilterTypeAtLatest})[0] != "shardId-000000000003" {
		t.Errorf("open shards after merge: %v", list(&types.ShardFilter{Type: types.ShardFilterTypeAtLatest}))
	}
	if s := put2(t, c, name, "0"); s != "shardId-000000000003" {
		t.Errorf("record after merge went to %s", s)
	}

	// UpdateShardCount 1 -> 2 -> 4 -> 2, within double and half.
	scale := func(n int32) (*kinesis.UpdateShardCountOutput, error) {
		return c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: &name, TargetShardCount: &n, ScalingType: types.ScalingTypeUniformScaling})
	}
	if _, err := scale(3); kinesisCode(err) != "LimitExceededException" {
		t.Errorf("scale 1 -> 3: %v", err)
	}
	for _, n := range []int32{2, 4, 2} {
		out, err := scale(n)
		if err != nil {
			t.Fatalf("scale to %d: %v", n, err)
		}
		if *out.TargetShardCount != n {
			t.Errorf("UpdateShardCount answered %+v", out)
		}
		waitActive(t, c, name)
		open := list(&types.ShardFilter{Type: types.ShardFilterTypeAtLatest})
		if len(open) != int(n) {
			t.Errorf("after scaling to %d: open %v", n, open)
		}
	}
	if _, err := scale(8); kinesisCode(err) != "LimitExceededException" {
		t.Errorf("scale 2 -> 8: %v", err)
	}
	out, _ := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: &name, ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if r := out.Shards; *r[0].HashKeyRange.StartingHashKey != "0" || *r[0].HashKeyRange.EndingHashKey != "170141183460469231731687303715884105727" ||
		*r[1].HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" || r[0].ParentShardId == nil || r[0].AdjacentParentShardId == nil {
		t.Errorf("shards after 4 -> 2: %+v", r)
	}

	// UpdateStreamMode, and no reshards of an on-demand stream.
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: &arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, name)
	sum, _ = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
	if sum.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand || *sum.StreamDescriptionSummary.OpenShardCount != 2 {
		t.Errorf("after UpdateStreamMode: %+v", sum.StreamDescriptionSummary)
	}
	if _, err := scale(3); err == nil {
		t.Error("UpdateShardCount of an on-demand stream succeeded")
	}
}

// put2 puts a record with an explicit hash key and returns its shard.
func put2(t *testing.T, c *kinesis.Client, name, hash string) string {
	t.Helper()
	data := "high"
	if hash == "0" {
		data = "low"
	}
	out, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: &name, PartitionKey: aws.String("p"), ExplicitHashKey: &hash, Data: []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.ShardId
}
