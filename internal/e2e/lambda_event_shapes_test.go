package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// The events functions get, compared member by member with the samples
// and field descriptions of AWS's documentation: which members are
// there, in which order, of which JSON type, and how values are written.

// eventDumper logs each event it gets as one line of JSON. Python keeps
// the members' order and writes integers and floats apart, so the line
// shows what virga sent.
const eventDumper = `import json

def handler(event, context):
    print('EVENT ' + json.dumps(event))
`

// dumpedEvents waits until the function logged at least n events and
// returns them.
func dumpedEvents(t testing.TB, cwl *cloudwatchlogs.Client, function string, n int) []json.RawMessage {
	t.Helper()
	lines := groupLines(t, cwl, "/aws/lambda/"+function, "EVENT ", func(l []string) bool { return len(l) >= n })
	out := make([]json.RawMessage, len(lines))
	for i, l := range lines {
		out[i] = json.RawMessage(strings.TrimPrefix(l, "EVENT "))
		if !json.Valid(out[i]) {
			t.Fatalf("event is not JSON: %s", l)
		}
	}
	return out
}

// members returns a JSON object's member names in order.
func members(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var names []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// member returns one member of a JSON object, raw.
func member(t testing.TB, raw json.RawMessage, path ...string) json.RawMessage {
	t.Helper()
	for _, name := range path {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("%s is not an object: %s", name, raw)
		}
		v, ok := obj[name]
		if !ok {
			t.Fatalf("no member %q in %s", name, raw)
		}
		raw = v
	}
	return raw
}

// wantMembers checks an object's member names and their order.
func wantMembers(t testing.TB, what string, raw json.RawMessage, want ...string) {
	t.Helper()
	if got := members(t, raw); !slices.Equal(got, want) {
		t.Errorf("%s members:\n got %q\nwant %q", what, got, want)
	}
}

// wantString checks that a member is a JSON string with the value.
func wantString(t testing.TB, raw json.RawMessage, want string, path ...string) {
	t.Helper()
	var s string
	if v := member(t, raw, path...); json.Unmarshal(v, &s) != nil || s != want {
		t.Errorf("%s = %s, want the string %q", strings.Join(path, "."), v, want)
	}
}

// wantMatch checks that a member is a JSON string the expression matches.
func wantMatch(t testing.TB, raw json.RawMessage, re string, path ...string) string {
	t.Helper()
	var s string
	if v := member(t, raw, path...); json.Unmarshal(v, &s) != nil || !regexp.MustCompile(`^(?:`+re+`)$`).MatchString(s) {
		t.Errorf("%s = %s, want a string matching %s", strings.Join(path, "."), v, re)
	}
	return s
}

// wantRaw checks a member's JSON text.
func wantRaw(t testing.TB, raw json.RawMessage, want string, path ...string) {
	t.Helper()
	if v := member(t, raw, path...); string(v) != want {
		t.Errorf("%s = %s, want %s", strings.Join(path, "."), v, want)
	}
}

// wantSameJSON checks that a member is the JSON value, whatever the
// order of its members.
func wantSameJSON(t testing.TB, raw json.RawMessage, want string, path ...string) {
	t.Helper()
	if v := member(t, raw, path...); !sameJSON(v, want) {
		t.Errorf("%s = %s, want %s", strings.Join(path, "."), v, want)
	}
}

const (
	uuidRE        = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	epochMillisRE = `1[0-9]{12}`
)

// TestSQSEventShape checks an SQS event source mapping's records, from a
// standard queue with each kind of message attribute and from a FIFO
// queue, against the documented sample events.
func TestSQSEventShape(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "sqs-dump", eventDumper, 3)
	std := newQueue(t, qc, "shape-std")
	fifo, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("shape.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"shape-std", "shape.fifo"} {
		if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("sqs-dump"),
			EventSourceArn: aws.String(queueARN(q))}); err != nil {
			t.Fatal(err)
		}
	}
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
	sent, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("hello"),
		MessageSystemAttributes: map[string]sqstypes.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String(trace)}},
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
			"n": {DataType: aws.String("Number"), StringValue: aws.String("12")},
			"b": {DataType: aws.String("Binary"), BinaryValue: []byte("hi")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	events := dumpedEvents(t, cwl, "sqs-dump", 1)
	sentFIFO, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fifo.QueueUrl, MessageBody: aws.String("in order"),
		MessageGroupId: aws.String("g1"), MessageDeduplicationId: aws.String("d1")})
	if err != nil {
		t.Fatal(err)
	}
	events = dumpedEvents(t, cwl, "sqs-dump", 2)

	ev := events[0]
	wantMembers(t, "event", ev, "Records")
	rec := member(t, ev, "Records")
	var recs []json.RawMessage
	if json.Unmarshal(rec, &recs) != nil || len(recs) != 1 {
		t.Fatalf("Records = %s", rec)
	}
	r := recs[0]
	wantMembers(t, "record", r, "messageId", "receiptHandle", "body", "attributes", "messageAttributes",
		"md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion")
	wantString(t, r, aws.ToString(sent.MessageId), "messageId")
	wantMatch(t, r, `.+`, "receiptHandle")
	wantString(t, r, "hello", "body")
	wantString(t, r, aws.ToString(sent.MD5OfMessageBody), "md5OfBody")
	wantString(t, r, aws.ToString(sent.MD5OfMessageAttributes), "md5OfMessageAttributes")
	wantString(t, r, "aws:sqs", "eventSource")
	wantString(t, r, queueARN("shape-std"), "eventSourceARN")
	wantString(t, r, "us-east-1", "awsRegion")
	attrs := member(t, r, "attributes")
	wantMembers(t, "attributes", attrs, "ApproximateReceiveCount", "AWSTraceHeader", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp")
	wantString(t, attrs, trace, "AWSTraceHeader")
	wantString(t, attrs, "1", "ApproximateReceiveCount")
	wantMatch(t, attrs, epochMillisRE, "SentTimestamp")
	wantMatch(t, attrs, epochMillisRE, "ApproximateFirstReceiveTimestamp")
	wantMatch(t, attrs, `.+`, "SenderId")
	ma := member(t, r, "messageAttributes")
	wantRaw(t, ma, `{"stringValue": "v", "stringListValues": [], "binaryListValues": [], "dataType": "String"}`, "s")
	wantRaw(t, ma, `{"stringValue": "12", "stringListValues": [], "binaryListValues": [], "dataType": "Number"}`, "n")
	wantRaw(t, ma, `{"binaryValue": "aGk=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}`, "b")

	// A FIFO message: its group, deduplication id and sequence number are
	// attributes; without message attributes their MD5 is null.
	json.Unmarshal(member(t, events[1], "Records"), &recs)
	r = recs[0]
	wantMembers(t, "FIFO record", r, "messageId", "receiptHandle", "body", "attributes", "messageAttributes",
		"md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion")
	wantRaw(t, r, `{}`, "messageAttributes")
	wantRaw(t, r, `null`, "md5OfMessageAttributes")
	attrs = member(t, r, "attributes")
	wantMembers(t, "FIFO attributes", attrs, "ApproximateReceiveCount", "SentTimestamp", "SequenceNumber", "MessageGroupId",
		"SenderId", "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp")
	wantString(t, attrs, aws.ToString(sentFIFO.SequenceNumber), "SequenceNumber")
	wantString(t, attrs, "g1", "MessageGroupId")
	wantString(t, attrs, "d1", "MessageDeduplicationId")
	wantString(t, r, queueARN("shape.fifo"), "eventSourceARN")
}

// TestDynamoDBStreamEventShape checks a stream mapping's records for an
// insert, a change, a delete and a Time to Live deletion.
func TestDynamoDBStreamEventShape(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	dc := dynamodb.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "ddb-dump", eventDumper, 3)
	table := e2e.CreateStreamTable(t, dc, "shapes", ddbtypes.StreamViewTypeNewAndOldImages)
	if _, err := dc.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("shapes"),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(table.TableDescription.LatestStreamArn)
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("ddb-dump"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	// The documented filter for Time to Live deletions.
	createPythonFunction(t, lc, "ttl-dump", eventDumper, 3)
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("ttl-dump"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionTrimHorizon,
		FilterCriteria: &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{
			Pattern: aws.String(`{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}`)}}}}); err != nil {
		t.Fatal(err)
	}
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	key := map[string]ddbtypes.AttributeValue{"pk": s("k")}
	start := time.Now().Unix()
	dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("shapes"), Item: map[string]ddbtypes.AttributeValue{"pk": s("k"), "v": s("one")}})
	dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("shapes"), Item: map[string]ddbtypes.AttributeValue{"pk": s("k"), "v": s("two")}})
	dc.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("shapes"), Key: key})
	// Expired a minute ago: the Time to Live sweeper deletes it.
	expired := &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}
	dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("shapes"), Item: map[string]ddbtypes.AttributeValue{"pk": s("ttl"), "expires": expired}})
	events := dumpedEvents(t, cwl, "ddb-dump", 5)
	if ttl := dumpedEvents(t, cwl, "ttl-dump", 1); len(ttl) != 1 || !bytes.Contains(ttl[0], []byte(`"REMOVE"`)) {
		t.Errorf("the TTL filter let through %s", ttl)
	}

	names := []string{"INSERT", "MODIFY", "REMOVE", "INSERT", "REMOVE"}
	for i, ev := range events[:5] {
		var recs []json.RawMessage
		json.Unmarshal(member(t, ev, "Records"), &recs)
		if len(recs) != 1 {
			t.Fatalf("event %d: %s", i, ev)
		}
		r := recs[0]
		ttl := i == 4
		want := []string{"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"}
		if ttl {
			want = []string{"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "userIdentity", "eventSourceARN"}
		}
		wantMembers(t, names[i]+" record", r, want...)
		wantMatch(t, r, `[0-9a-f]{32}`, "eventID")
		wantString(t, r, names[i], "eventName")
		wantString(t, r, "1.1", "eventVersion")
		wantString(t, r, "aws:dynamodb", "eventSource")
		wantString(t, r, "us-east-1", "awsRegion")
		wantString(t, r, streamARN, "eventSourceARN")
		if ttl {
			wantRaw(t, r, `{"type": "Service", "principalId": "dynamodb.amazonaws.com"}`, "userIdentity")
		}
		d := member(t, r, "dynamodb")
		images := map[string][]string{"INSERT": {"NewImage"}, "MODIFY": {"NewImage", "OldImage"}, "REMOVE": {"OldImage"}}[names[i]]
		want = append(append([]string{"ApproximateCreationDateTime", "Keys"}, images...), "SequenceNumber", "SizeBytes", "StreamViewType")
		wantMembers(t, names[i]+" dynamodb", d, want...)
		// Whole seconds since the epoch, a JSON number.
		created := string(member(t, d, "ApproximateCreationDateTime"))
		if n, err := strconv.ParseInt(created, 10, 64); err != nil || n < start-1 || n > time.Now().Unix()+1 {
			t.Errorf("ApproximateCreationDateTime = %s, want whole seconds since the epoch", created)
		}
		if size := string(member(t, d, "SizeBytes")); !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(size) {
			t.Errorf("SizeBytes = %s, want a positive integer", size)
		}
		wantMatch(t, d, `[0-9]{21,40}`, "SequenceNumber")
		wantString(t, d, "NEW_AND_OLD_IMAGES", "StreamViewType")
		if i < 3 {
			wantSameJSON(t, d, `{"pk":{"S":"k"}}`, "Keys")
		} else {
			wantSameJSON(t, d, `{"pk":{"S":"ttl"}}`, "Keys")
		}
		if names[i] == "MODIFY" {
			wantSameJSON(t, d, `{"pk":{"S":"k"},"v":{"S":"one"}}`, "OldImage")
			wantSameJSON(t, d, `{"pk":{"S":"k"},"v":{"S":"two"}}`, "NewImage")
		}
	}
}

// recordTimeRE is a destination record's timestamp: milliseconds, UTC.
const recordTimeRE = `[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z`

// eventTimeRE is an EventBridge event's time: whole seconds, UTC.
const eventTimeRE = `[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z`

// TestLambdaDestinationRecordShape checks the invocation records of
// asynchronous invocations: a success sent to a queue, a failure sent to
// an event bus as an event's detail.
func TestLambdaDestinationRecordShape(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "dest-shape", failsOnDemand, 3)
	okq, events := newQueue(t, qc, "dest-ok"), newQueue(t, qc, "dest-events")
	const bus = "arn:aws:events:us-east-1:000000000000:event-bus/default"
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:dest-shape:$LATEST"
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("results"), EventPattern: aws.String(`{"source":["lambda"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("results"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("dest-events"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("dest-shape"),
		MaximumRetryAttempts: aws.Int32(0), DestinationConfig: &lambdatypes.DestinationConfig{
			OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(queueARN("dest-ok"))},
			OnFailure: &lambdatypes.OnFailure{Destination: aws.String(bus)},
		}}); err != nil {
		t.Fatal(err)
	}
	invoke := func(payload string) {
		t.Helper()
		if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dest-shape"),
			InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}

	invoke(`{"n":1}`)
	rec := json.RawMessage(aws.ToString(receiveOne(t, qc, okq).Body))
	wantMembers(t, "success record", rec, "version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload")
	wantString(t, rec, "1.0", "version")
	wantMatch(t, rec, recordTimeRE, "timestamp")
	wantMembers(t, "requestContext", member(t, rec, "requestContext"), "requestId", "functionArn", "condition", "approximateInvokeCount")
	wantMatch(t, rec, uuidRE, "requestContext", "requestId")
	wantString(t, rec, fn, "requestContext", "functionArn")
	wantString(t, rec, "Success", "requestContext", "condition")
	wantRaw(t, rec, `1`, "requestContext", "approximateInvokeCount")
	wantRaw(t, rec, `{"n":1}`, "requestPayload")
	wantRaw(t, rec, `{"statusCode":200,"executedVersion":"$LATEST"}`, "responseContext")
	wantSameJSON(t, rec, `{"ok":{"n":1}}`, "responsePayload")

	invoke(`{"fail":true}`)
	ev := json.RawMessage(aws.ToString(receiveOne(t, qc, events).Body))
	wantMembers(t, "destination event", ev, "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
	wantString(t, ev, "Lambda Function Invocation Result - Failure", "detail-type")
	wantString(t, ev, "lambda", "source")
	wantMatch(t, ev, eventTimeRE, "time")
	wantRaw(t, ev, `["`+bus+`","`+fn+`"]`, "resources")
	rec = member(t, ev, "detail")
	wantMembers(t, "failure record", rec, "version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload")
	wantString(t, rec, "RetriesExhausted", "requestContext", "condition")
	wantRaw(t, rec, `{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"}`, "responseContext")
	wantString(t, rec, "asked to fail", "responsePayload", "errorMessage")
	wantString(t, rec, "ValueError", "responsePayload", "errorType")
}

// TestEventBridgeEventShape checks the event a rule's Lambda target gets.
func TestEventBridgeEventShape(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	eb := eventbridge.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "eb-dump", eventDumper, 3)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("shop"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("shop"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:eb-dump")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{ "id" : "o-1", "n": [1, 2.5] }`)}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %+v %v", out, err)
	}
	ev := dumpedEvents(t, cwl, "eb-dump", 1)[0]
	wantMembers(t, "event", ev, "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
	wantString(t, ev, "0", "version")
	wantString(t, ev, aws.ToString(out.Entries[0].EventId), "id")
	wantMatch(t, ev, uuidRE, "id")
	wantString(t, ev, "Order Placed", "detail-type")
	wantString(t, ev, "shop", "source")
	wantString(t, ev, "000000000000", "account")
	wantMatch(t, ev, eventTimeRE, "time")
	wantString(t, ev, "us-east-1", "region")
	wantRaw(t, ev, `[]`, "resources")
	wantSameJSON(t, ev, `{"id":"o-1","n":[1,2.5]}`, "detail")
}

// TestSchedulerDefaultNotificationShape checks what a schedule's Lambda
// target gets when the target has no Input: EventBridge Scheduler's
// default notification, shaped like a scheduled event with its detail
// the string "{}".
func TestSchedulerDefaultNotificationShape(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	lc := lambdaClient(t, env)
	sc := scheduler.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "sched-dump", eventDumper, 3)
	at := nextMinute(env.Clock.Now()).Add(time.Minute).UTC()
	out, err := sc.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("bare"), FlexibleTimeWindow: schedOff,
		ScheduleExpression: aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"),
		Target:             &schedtypes.Target{Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:sched-dump"), RoleArn: aws.String(schedRole)}})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(at.Add(5 * time.Second))
	ev := dumpedEvents(t, cwl, "sched-dump", 1)[0]
	wantMembers(t, "event", ev, "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
	wantString(t, ev, "0", "version")
	wantMatch(t, ev, uuidRE, "id")
	wantString(t, ev, "Scheduled Event", "detail-type")
	wantString(t, ev, "aws.scheduler", "source")
	wantString(t, ev, "000000000000", "account")
	wantString(t, ev, at.Format(schedTimeLayout), "time")
	wantString(t, ev, "us-east-1", "region")
	wantRaw(t, ev, `["`+aws.ToString(out.ScheduleArn)+`"]`, "resources")
	wantString(t, ev, "{}", "detail")
}
