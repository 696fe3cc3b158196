package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

// windowCounter counts a tumbling window's records into its state, and
// outgrows the 1 MB state limit when it sees the key "big".
const windowCounter = `def handler(event, context):
    state = event['state']
    n = state.get('count', 0) + len(event['Records'])
    keys = [r['dynamodb']['Keys']['pk']['S'] for r in event['Records']]
    print('WIN %s %s final=%s early=%s in=%d out=%d keys=%s shard=%s src=%s' % (
        event['window']['start'], event['window']['end'], event['isFinalInvokeForWindow'],
        event['isWindowTerminatedEarly'], state.get('count', 0), n, ','.join(keys),
        event['shardId'].startswith('shardId-'), event['eventSourceARN']))
    out = {'count': n}
    if 'big' in keys:
        out['pad'] = 'x' * (1 << 20)
    return {'state': out, 'batchItemFailures': []}
`

// A mapping with TumblingWindowInSeconds groups a shard's records into
// windows aligned to the window length: the state the function returns
// comes back with the window's next batch, the window ends with a final
// invocation that has no records and the total, and the next window
// starts again from {}. A state over 1 MB ends the window early, and the
// same window goes on from {}.
func TestDynamoDBStreamTumblingWindow(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(5 * time.Second))
	lc := lambdaClient(t, env)
	dc := dynamodb.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "windower", windowCounter, 10)

	table := e2e.CreateStreamTable(t, dc, "tally", ddbtypes.StreamViewTypeNewImage)
	streamARN := aws.ToString(table.TableDescription.LatestStreamArn)
	put := func(pk string) {
		t.Helper()
		if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tally"),
			Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Three records of the first window, read two to a batch.
	put("a")
	put("b")
	put("c")
	created, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("windower"), EventSourceArn: &streamARN,
		StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(2),
		TumblingWindowInSeconds: aws.Int32(60),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(created.TumblingWindowInSeconds) != 60 {
		t.Errorf("TumblingWindowInSeconds = %d, want 60", aws.ToInt32(created.TumblingWindowInSeconds))
	}

	rfc := func(tm time.Time) string { return tm.Format(time.RFC3339) }
	w1 := rfc(base) + " " + rfc(base.Add(time.Minute))
	w2 := rfc(base.Add(time.Minute)) + " " + rfc(base.Add(2*time.Minute))
	tail := " shard=True src=" + streamARN
	logs := func(n int) []string {
		t.Helper()
		return groupLines(t, cwl, "/aws/lambda/windower", "WIN ", func(l []string) bool { return len(l) >= n })
	}
	want := []string{
		"WIN " + w1 + " final=False early=False in=0 out=2 keys=a,b" + tail,
		"WIN " + w1 + " final=False early=False in=2 out=3 keys=c" + tail,
	}
	check := func(lines []string) {
		t.Helper()
		if len(lines) != len(want) {
			t.Fatalf("invocations:\n got %q\nwant %q", lines, want)
		}
		for i := range want {
			if lines[i] != want[i] {
				t.Fatalf("invocation %d:\n got %q\nwant %q", i, lines[i], want[i])
			}
		}
	}
	check(logs(2))

	// The window ends with the clock: one final invocation, no records,
	// the total.
	env.Clock.Set(base.Add(time.Minute + 5*time.Second))
	want = append(want, "WIN "+w1+" final=True early=False in=3 out=3 keys="+tail)
	check(logs(3))

	// The next window starts from {}; a state over 1 MB ends it early and
	// it goes on from {}.
	put("d")
	want = append(want, "WIN "+w2+" final=False early=False in=0 out=1 keys=d"+tail)
	check(logs(4))
	put("big")
	want = append(want,
		"WIN "+w2+" final=False early=False in=1 out=2 keys=big"+tail,
		"WIN "+w2+" final=False early=True in=2 out=2 keys="+tail)
	check(logs(6))
	put("e")
	want = append(want, "WIN "+w2+" final=False early=False in=0 out=1 keys=e"+tail)
	check(logs(7))
	env.Clock.Set(base.Add(2*time.Minute + 5*time.Second))
	want = append(want, "WIN "+w2+" final=True early=False in=1 out=1 keys="+tail)
	check(logs(8))

	got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: created.UUID})
	if err != nil || aws.ToString(got.LastProcessingResult) != "OK" {
		t.Errorf("GetEventSourceMapping: %v %v", err, aws.ToString(got.LastProcessingResult))
	}
}

// An answer without a state is a failed invocation: the batch is retried
// with the window's state as it was, and the window's total counts each
// record once.
func TestDynamoDBStreamTumblingWindowNeedsState(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(5 * time.Second))
	lc := lambdaClient(t, env)
	dc := dynamodb.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	// The first invocation of each environment forgets the state.
	createPythonFunction(t, lc, "forgetful", `calls = [0]
def handler(event, context):
    calls[0] += 1
    state = event['state']
    n = state.get('count', 0) + len(event['Records'])
    print('TRY %d final=%s in=%d out=%d' % (calls[0], event['isFinalInvokeForWindow'], state.get('count', 0), n))
    if calls[0] == 1:
        return {'batchItemFailures': []}
    return {'state': {'count': n}}
`, 10)
	table := e2e.CreateStreamTable(t, dc, "tries", ddbtypes.StreamViewTypeKeysOnly)
	for _, pk := range []string{"a", "b"} {
		if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tries"),
			Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("forgetful"), EventSourceArn: table.TableDescription.LatestStreamArn,
		StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, TumblingWindowInSeconds: aws.Int32(60),
	}); err != nil {
		t.Fatal(err)
	}
	groupLines(t, cwl, "/aws/lambda/forgetful", "TRY ", func(l []string) bool { return len(l) >= 2 })
	env.Clock.Set(base.Add(time.Minute + 5*time.Second))
	lines := groupLines(t, cwl, "/aws/lambda/forgetful", "TRY ", func(l []string) bool { return len(l) >= 3 })
	want := []string{"TRY 1 final=False in=0 out=2", "TRY 2 final=False in=0 out=2", "TRY 3 final=True in=2 out=2"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("invocations:\n got %q\nwant %q", lines, want)
	}
}

// TumblingWindowInSeconds is 0 to 900, checked by the API's model; it can
// be changed by UpdateEventSourceMapping, and queue mappings refuse it.
func TestEventSourceMappingTumblingWindowValidation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	dc := dynamodb.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "windows", sqsConsumer, 3)
	table := e2e.CreateStreamTable(t, dc, "bounds", ddbtypes.StreamViewTypeKeysOnly)
	stream := table.TableDescription.LatestStreamArn
	for _, c := range []struct {
		value int32
		want  string
	}{
		{901, "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{-1, "1 validation error detected: Value '-1' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0"},
	} {
		_, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("windows"),
			EventSourceArn: stream, StartingPosition: lambdatypes.EventSourcePositionLatest, TumblingWindowInSeconds: aws.Int32(c.value)})
		if got := expectAPIError(t, err, "ValidationException", 400); got.Message != c.want {
			t.Errorf("%d: message %q, want %q", c.value, got.Message, c.want)
		}
	}
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("windows"),
		EventSourceArn: stream, StartingPosition: lambdatypes.EventSourcePositionLatest})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(m.TumblingWindowInSeconds) != 0 {
		t.Errorf("default TumblingWindowInSeconds = %d, want 0", aws.ToInt32(m.TumblingWindowInSeconds))
	}
	for _, v := range []int32{900, 0} {
		if _, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, TumblingWindowInSeconds: aws.Int32(v)}); err != nil {
			t.Fatal(err)
		}
		got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
		if err != nil || aws.ToInt32(got.TumblingWindowInSeconds) != v {
			t.Errorf("after update to %d: %v %d", v, err, aws.ToInt32(got.TumblingWindowInSeconds))
		}
	}
	_, err = lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, TumblingWindowInSeconds: aws.Int32(901)})
	expectAPIError(t, err, "ValidationException", 400)

	newQueue(t, qc, "windowless")
	q, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("windows"), EventSourceArn: aws.String(queueARN("windowless"))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: q.UUID, TumblingWindowInSeconds: aws.Int32(30)})
	if got := expectAPIError(t, err, "InvalidParameterValueException", 400); got.Message != fmt.Sprintf("Unsupported '%s' parameter for given event source mapping type.", "tumblingWindowInSeconds") {
		t.Errorf("queue update: message %q", got.Message)
	}
}

// The open window's state is kept with the mapping's checkpoint: after a
// restart the window goes on from the state the function last returned.
func TestDynamoDBStreamTumblingWindowRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	// Function logs carry the real time, which CloudWatch Logs refuses
	// far from its own clock: the fake one starts at the real time.
	base := time.Now().UTC().Truncate(5 * time.Minute).Add(5 * time.Minute)
	clk := clock.NewFake(base.Add(5 * time.Second))
	v := startSchedVirga(t, dir, clk)
	clients := func() (*lambda.Client, *dynamodb.Client, *cloudwatchlogs.Client) {
		c := e2e.ClientConfig("http://"+v.app.Addr(), "us-east-1", "test", "test", "")
		return lambda.NewFromConfig(c), dynamodb.NewFromConfig(c), cloudwatchlogs.NewFromConfig(c)
	}
	lc, dc, cwl := clients()
	createPythonFunction(t, lc, "windower", windowCounter, 10)
	table := e2e.CreateStreamTable(t, dc, "tally", ddbtypes.StreamViewTypeNewImage)
	streamARN := aws.ToString(table.TableDescription.LatestStreamArn)
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("windower"), EventSourceArn: &streamARN,
		StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, TumblingWindowInSeconds: aws.Int32(300),
	}); err != nil {
		t.Fatal(err)
	}
	put := func(dc *dynamodb.Client, pk string) {
		t.Helper()
		if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tally"),
			Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	w := "WIN " + base.Format(time.RFC3339) + " " + base.Add(5*time.Minute).Format(time.RFC3339) + " "
	tail := " shard=True src=" + streamARN
	put(dc, "a")
	groupLines(t, cwl, "/aws/lambda/windower", "WIN ", func(l []string) bool { return len(l) >= 1 })
	v.stop(t)

	clk.Set(base.Add(time.Minute))
	v = startSchedVirga(t, dir, clk)
	lc, dc, cwl = clients()
	put(dc, "b")
	groupLines(t, cwl, "/aws/lambda/windower", "WIN ", func(l []string) bool { return len(l) >= 2 })
	clk.Set(base.Add(5*time.Minute + 5*time.Second))
	lines := groupLines(t, cwl, "/aws/lambda/windower", "WIN ", func(l []string) bool { return len(l) >= 3 })
	want := []string{
		w + "final=False early=False in=0 out=1 keys=a" + tail,
		w + "final=False early=False in=1 out=2 keys=b" + tail,
		w + "final=True early=False in=2 out=2 keys=" + tail,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("invocations:\n got %q\nwant %q", lines, want)
	}
}

// With ReportBatchItemFailures, the state answered beside the failures
// is the window's state from the first failed record on, which is
// retried with it.
func TestDynamoDBStreamTumblingWindowPartialBatch(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(5 * time.Second))
	lc := lambdaClient(t, env)
	dc := dynamodb.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	// The first time it sees "b" it counts the records before it and
	// reports "b" failed.
	createPythonFunction(t, lc, "partial", `seen = set()
def handler(event, context):
    state = event['state']
    n = state.get('count', 0)
    failures = []
    keys = []
    for r in event['Records']:
        k = r['dynamodb']['Keys']['pk']['S']
        keys.append(k)
        if k == 'b' and k not in seen:
            seen.add(k)
            failures.append({'itemIdentifier': r['dynamodb']['SequenceNumber']})
            break
        n += 1
    print('PART final=%s in=%d out=%d keys=%s' % (event['isFinalInvokeForWindow'], state.get('count', 0), n, ','.join(keys)))
    return {'state': {'count': n}, 'batchItemFailures': failures}
`, 10)
	table := e2e.CreateStreamTable(t, dc, "partial", ddbtypes.StreamViewTypeKeysOnly)
	for _, pk := range []string{"a", "b", "c"} {
		if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("partial"),
			Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("partial"), EventSourceArn: table.TableDescription.LatestStreamArn,
		StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, TumblingWindowInSeconds: aws.Int32(60),
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
	}); err != nil {
		t.Fatal(err)
	}
	groupLines(t, cwl, "/aws/lambda/partial", "PART ", func(l []string) bool { return len(l) >= 2 })
	env.Clock.Set(base.Add(time.Minute + 5*time.Second))
	lines := groupLines(t, cwl, "/aws/lambda/partial", "PART ", func(l []string) bool { return len(l) >= 3 })
	want := []string{"PART final=False in=0 out=1 keys=a,b", "PART final=False in=1 out=3 keys=b,c", "PART final=True in=3 out=3 keys="}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("invocations:\n got %q\nwant %q", lines, want)
	}
}
