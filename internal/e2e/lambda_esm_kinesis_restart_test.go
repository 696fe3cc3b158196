package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

// kinesisPartial prints each record's data and, the first time it sees
// a record whose data starts with "flaky", reports it as the batch's
// first failure.
const kinesisPartial = `import base64, os

def handler(event, context):
    failures = []
    for r in event['Records']:
        data = base64.b64decode(r['kinesis']['data']).decode()
        seq = r['kinesis']['sequenceNumber']
        mark = '/tmp/seen-' + seq
        if data.startswith('flaky') and not os.path.exists(mark) and not failures:
            open(mark, 'w').close()
            failures.append({'itemIdentifier': seq})
        print('GOT ' + data)
    return {'batchItemFailures': failures}
`

// TestKinesisEventSourceMappingPositions starts a mapping AT_TIMESTAMP,
// retries from the record a function names with ReportBatchItemFailures,
// and goes on from each shard's checkpoint after a restart.
func TestKinesisEventSourceMappingPositions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second)
	clk := clock.NewFake(base)
	v := startSchedVirga(t, dir, clk)
	clients := func() (*lambda.Client, *kinesis.Client, *cloudwatchlogs.Client) {
		c := e2e.ClientConfig("http://"+v.app.Addr(), "us-east-1", "test", "test", "")
		return lambda.NewFromConfig(c), kinesis.NewFromConfig(c), cloudwatchlogs.NewFromConfig(c)
	}
	lc, kc, cwl := clients()
	createPythonFunction(t, lc, "partial", kinesisPartial, 10)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	put := func(kc *kinesis.Client, key, data string) {
		t.Helper()
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String(key), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		put(kc, fmt.Sprint("k", i), "old")
	}
	clk.Set(base.Add(time.Minute))
	for i := range 4 {
		put(kc, fmt.Sprint("k", i), fmt.Sprint("new", i))
	}
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("partial"), EventSourceArn: &arn,
		StartingPosition: lambdatypes.EventSourcePositionAtTimestamp, StartingPositionTimestamp: aws.Time(base.Add(30 * time.Second)),
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
	}); err != nil {
		t.Fatal(err)
	}
	lines := groupLines(t, cwl, "/aws/lambda/partial", "GOT ", func(l []string) bool { return len(l) >= 4 })
	for _, l := range lines {
		if l == "GOT old" {
			t.Errorf("AT_TIMESTAMP read a record from before it: %q", lines)
			break
		}
	}

	// The record the function names is retried with those after it in
	// its shard, not those before it. The three arrive in one call, so
	// that they are read in one batch.
	var entries []kinesistypes.PutRecordsRequestEntry
	for _, data := range []string{"first", "flaky", "last"} {
		entries = append(entries, kinesistypes.PutRecordsRequestEntry{PartitionKey: aws.String("k0"), Data: []byte(data)})
	}
	if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries}); err != nil {
		t.Fatal(err)
	}
	lines = groupLines(t, cwl, "/aws/lambda/partial", "GOT ", func(l []string) bool { return count(l, "GOT last") == 2 })
	if count(lines, "GOT first") != 1 || count(lines, "GOT flaky") != 2 {
		t.Errorf("partial batch retry: %q", lines)
	}
	v.stop(t)

	// After a restart each shard goes on from its checkpoint: nothing
	// is read twice.
	v = startSchedVirga(t, dir, clk)
	lc, kc, cwl = clients()
	for i := range 4 {
		put(kc, fmt.Sprint("k", i), fmt.Sprint("after", i))
	}
	lines = groupLines(t, cwl, "/aws/lambda/partial", "GOT ", func(l []string) bool { return countPrefix(l, "GOT after") == 4 })
	for i := range 4 {
		if n := count(lines, fmt.Sprint("GOT new", i)); n != 1 {
			t.Errorf("new%d read %d times after the restart: %q", i, n, lines)
		}
	}
	if count(lines, "GOT first") != 1 {
		t.Errorf("records read again after the restart: %q", lines)
	}
}

func count(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if l == s {
			n++
		}
	}
	return n
}

func countPrefix(lines []string, p string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, p) {
			n++
		}
	}
	return n
}
