package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// kinesisConsumer fails any batch holding a record whose data is
// "boom", and otherwise prints each record's partition key, data and
// event metadata, and the first record of each batch whole.
const kinesisConsumer = `import base64, json, time

def handler(event, context):
    recs = event['Records']
    for r in recs:
        if base64.b64decode(r['kinesis']['data']) == b'boom':
            raise RuntimeError('boom')
    print('EVENT ' + json.dumps(recs[0]))
    for r in recs:
        k = r['kinesis']
        print('REC %s %s %s %s %s %d' % (k['partitionKey'], base64.b64decode(k['data']).decode(), r['eventSource'],
                                         r['eventID'].split(':')[0], r['eventName'], time.monotonic_ns()))
`

// TestKinesisEventSourceMapping reads a two-shard stream with a mapping
// that processes two batches per shard at once: each partition key's
// records arrive in order; a record that keeps failing is bisected out
// of its batch and described to OnFailure with KinesisBatchInfo.
func TestKinesisEventSourceMapping(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	kc := kinesis.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "kin", kinesisConsumer, 3)
	failq, _ := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("kinesis-failures")})
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/clicks"
	put := func(entries ...kinesistypes.PutRecordsRequestEntry) {
		t.Helper()
		if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("clicks"), Records: entries}); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(key, data string) kinesistypes.PutRecordsRequestEntry {
		return kinesistypes.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(data)}
	}
	put(entry("early", "before-mapping"))

	_, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kin"), EventSourceArn: &streamARN})
	wantLambdaError(t, "no starting position", err, "InvalidParameterValueException", "")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kin"),
		EventSourceArn: aws.String(streamARN + "x"), StartingPosition: lambdatypes.EventSourcePositionLatest})
	wantLambdaError(t, "missing stream", err, "InvalidParameterValueException", "")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kin"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionAtTimestamp})
	wantLambdaError(t, "AT_TIMESTAMP without a timestamp", err, "InvalidParameterValueException", "")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kin"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionLatest, BatchSize: aws.Int32(10001)})
	wantLambdaError(t, "batch too large", err, "ValidationException", "")

	created, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("kin"), EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionLatest,
		BatchSize: aws.Int32(3), ParallelizationFactor: aws.Int32(2), BisectBatchOnFunctionError: aws.Bool(true),
		MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{
			Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:kinesis-failures")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(created.ParallelizationFactor) != 2 || aws.ToInt32(created.MaximumRecordAgeInSeconds) != -1 ||
		created.StartingPosition != lambdatypes.EventSourcePositionLatest {
		t.Errorf("Kinesis mapping: %+v", created)
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kin"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionLatest}); err == nil {
		t.Error("a second mapping of the stream to the function was made")
	}

	// Eight partition keys over two shards, five records each, put in
	// rounds so that every batch mixes keys.
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i := range 5 {
		var es []kinesistypes.PutRecordsRequestEntry
		for _, k := range keys {
			es = append(es, entry(k, fmt.Sprintf("%s%d", k, i)))
		}
		put(es...)
	}
	lines := groupLines(t, cwl, "/aws/lambda/kin", "REC ", func(l []string) bool { return len(l) >= 40 })
	// Lanes run in several environments, whose log streams interleave
	// by millisecond; the functions' monotonic clock (one per machine)
	// orders the lines as the records were processed.
	sort.SliceStable(lines, func(i, j int) bool { return monotonicField(lines[i]) < monotonicField(lines[j]) })
	got, shards := map[string][]string{}, map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		if f[1] == "early" {
			t.Errorf("LATEST read a record put before the mapping: %s", l)
		}
		if f[3] != "aws:kinesis" || f[5] != "aws:kinesis:record" || !strings.HasPrefix(f[4], "shardId-") {
			t.Errorf("record metadata: %s", l)
		}
		got[f[1]] = append(got[f[1]], f[2])
		shards[f[4]] = true
	}
	for _, k := range keys {
		want := []string{k + "0", k + "1", k + "2", k + "3", k + "4"}
		if strings.Join(got[k], " ") != strings.Join(want, " ") {
			t.Errorf("key %s in order: got %v, want %v", k, got[k], want)
		}
	}
	if len(shards) != 2 {
		t.Errorf("records came from shards %v, want both", shards)
	}
	events := groupLines(t, cwl, "/aws/lambda/kin", "EVENT ", func(l []string) bool { return len(l) > 0 })
	ev := json.RawMessage(strings.TrimPrefix(events[0], "EVENT "))
	wantMembers(t, "Kinesis event record", ev, "kinesis", "eventSource", "eventVersion", "eventID", "eventName",
		"invokeIdentityArn", "awsRegion", "eventSourceARN")
	wantMembers(t, "kinesis", member(t, ev, "kinesis"), "kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
		"approximateArrivalTimestamp")
	var rec struct {
		Kinesis struct {
			SchemaVersion  string  `json:"kinesisSchemaVersion"`
			SequenceNumber string  `json:"sequenceNumber"`
			Arrival        float64 `json:"approximateArrivalTimestamp"`
		} `json:"kinesis"`
		EventVersion, EventID, InvokeIdentityArn, AwsRegion, EventSourceARN string
	}
	json.Unmarshal(ev, &rec)
	if rec.Kinesis.SchemaVersion != "1.0" || rec.EventVersion != "1.0" || rec.InvokeIdentityArn != lambdaRole ||
		rec.AwsRegion != "us-east-1" || rec.EventSourceARN != streamARN || !strings.HasSuffix(rec.EventID, ":"+rec.Kinesis.SequenceNumber) ||
		time.Since(time.Unix(int64(rec.Kinesis.Arrival), 0)) > time.Minute {
		t.Errorf("Kinesis event record: %s", ev)
	}

	// A record that keeps failing is bisected out of its batch: the
	// records beside it are processed, it goes to OnFailure.
	put(entry("z", "z-before"), entry("z", "boom"), entry("z", "z-after"))
	m := receiveOne(t, qc, *failq.QueueUrl)
	body := json.RawMessage(aws.ToString(m.Body))
	wantMembers(t, "failure record", body, "requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo")
	wantMembers(t, "KinesisBatchInfo", member(t, body, "KinesisBatchInfo"), "shardId", "startSequenceNumber", "endSequenceNumber",
		"approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "streamArn")
	wantMatch(t, body, recordTimeRE, "KinesisBatchInfo", "approximateArrivalOfFirstRecord")
	var fail struct {
		RequestContext struct {
			Condition string `json:"condition"`
		} `json:"requestContext"`
		Info struct {
			BatchSize           int    `json:"batchSize"`
			StreamArn           string `json:"streamArn"`
			StartSequenceNumber string `json:"startSequenceNumber"`
			EndSequenceNumber   string `json:"endSequenceNumber"`
		} `json:"KinesisBatchInfo"`
	}
	json.Unmarshal(body, &fail)
	if fail.RequestContext.Condition != "RetryAttemptsExhausted" || fail.Info.BatchSize != 1 || fail.Info.StreamArn != streamARN ||
		fail.Info.StartSequenceNumber != fail.Info.EndSequenceNumber {
		t.Errorf("failure record: %s", body)
	}
	// The two records may be processed by different environments, whose
	// log streams are delivered each on its own: wait for both.
	lines = groupLines(t, cwl, "/aws/lambda/kin", "REC z", func(l []string) bool {
		return hasLine(l, "REC z z-before") && hasLine(l, "REC z z-after")
	})
	sort.SliceStable(lines, func(i, j int) bool { return monotonicField(lines[i]) < monotonicField(lines[j]) })
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "REC z z-before aws:kinesis "+strings.Fields(lines[0])[4]+" aws:kinesis:record ") {
		t.Errorf("records beside the failing one: %q", lines)
	}
	if _, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: created.UUID}); err != nil {
		t.Fatal(err)
	}
}

// monotonicField is the last field of a consumer's REC line: the
// function's monotonic clock, in nanoseconds, when it printed the line.
func monotonicField(line string) int64 {
	f := strings.Fields(line)
	n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
	return n
}

// TestKinesisEventSourceMappingReshard: records put before and after a
// split, and after a merge, reach the function in order per partition
// key, as Lambda reads a parent shard to its end before its children.
func TestKinesisEventSourceMappingReshard(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	kc := kinesis.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "kin", kinesisConsumer, 3)
	name := "resharded"
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &name, ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	round := func(i int) {
		t.Helper()
		var es []kinesistypes.PutRecordsRequestEntry
		for _, k := range keys {
			es = append(es, kinesistypes.PutRecordsRequestEntry{PartitionKey: aws.String(k), Data: []byte(fmt.Sprintf("%s%d", k, i))})
		}
		if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &name, Records: es}); err != nil {
			t.Fatal(err)
		}
	}
	waitActive := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			s, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
			if err != nil {
				t.Fatal(err)
			}
			if s.StreamDescriptionSummary.StreamStatus == kinesistypes.StreamStatusActive {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("stream never ACTIVE again")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for i := range 4 {
		round(i)
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kin"),
		EventSourceArn:   aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/" + name),
		StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: &name, ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	for i := 4; i < 8; i++ {
		round(i)
	}
	waitActive()
	if _, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: &name, ShardToMerge: aws.String("shardId-000000000001"),
		AdjacentShardToMerge: aws.String("shardId-000000000002")}); err != nil {
		t.Fatal(err)
	}
	for i := 8; i < 10; i++ {
		round(i)
	}
	lines := groupLines(t, cwl, "/aws/lambda/kin", "REC ", func(l []string) bool { return len(l) >= 80 })
	sort.SliceStable(lines, func(i, j int) bool { return monotonicField(lines[i]) < monotonicField(lines[j]) })
	got, shards := map[string][]string{}, map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		got[f[1]] = append(got[f[1]], f[2])
		shards[f[4]] = true
	}
	for _, k := range keys {
		var want []string
		for i := range 10 {
			want = append(want, fmt.Sprintf("%s%d", k, i))
		}
		if strings.Join(got[k], " ") != strings.Join(want, " ") {
			t.Errorf("key %s: got %v, want %v", k, got[k], want)
		}
	}
	if len(lines) != 80 || len(shards) != 4 {
		t.Errorf("%d records from shards %v, want 80 from all four", len(lines), shards)
	}
}
