package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

const streamConsumer = `def handler(event, context):
    for r in event['Records']:
        if 'boom' in r['dynamodb'].get('NewImage', {}):
            raise RuntimeError('boom')
    for r in event['Records']:
        new = r['dynamodb'].get('NewImage', {})
        print('REC %s %s %s %s %s' % (r['eventName'], r['dynamodb']['Keys']['pk']['S'], new.get('v', {}).get('S', '-'),
                                       r['eventSource'], 'OldImage' in r['dynamodb']))
`

func TestDynamoDBStreamEventSourceMapping(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	dc := dynamodb.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "streamer", streamConsumer, 3)
	failq, _ := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("stream-failures")})

	table := e2e.CreateStreamTable(t, dc, "events", ddbtypes.StreamViewTypeNewAndOldImages)
	streamARN := aws.ToString(table.TableDescription.LatestStreamArn)
	put := func(item map[string]ddbtypes.AttributeValue) {
		t.Helper()
		if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	put(map[string]ddbtypes.AttributeValue{"pk": s("before"), "v": s("old")})

	_, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("streamer"), EventSourceArn: &streamARN})
	wantLambdaError(t, "no starting position", err, "InvalidParameterValueException", "")
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("streamer"),
		EventSourceArn: aws.String(streamARN + "x"), StartingPosition: lambdatypes.EventSourcePositionLatest})
	wantLambdaError(t, "missing stream", err, "InvalidParameterValueException", "")

	created, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("streamer"), EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionLatest,
		MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{
			Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:stream-failures")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(created.BatchSize) != 100 || aws.ToInt32(created.MaximumRecordAgeInSeconds) != -1 || created.StartingPosition != lambdatypes.EventSourcePositionLatest {
		t.Errorf("stream mapping defaults: %+v", created)
	}
	if r := aws.ToString(created.StateTransitionReason); r != "User action" {
		t.Errorf("stream mapping StateTransitionReason %q, want %q", r, "User action")
	}
	if aws.ToString(created.LastProcessingResult) != "No records processed" || created.FunctionResponseTypes == nil {
		t.Errorf("stream mapping LastProcessingResult %q, FunctionResponseTypes %v (want No records processed, [])",
			aws.ToString(created.LastProcessingResult), created.FunctionResponseTypes)
	}

	put(map[string]ddbtypes.AttributeValue{"pk": s("b"), "v": s("one")})
	put(map[string]ddbtypes.AttributeValue{"pk": s("b"), "v": s("two")})
	dc.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("events"), Key: map[string]ddbtypes.AttributeValue{"pk": s("b")}})
	lines := groupLines(t, cwl, "/aws/lambda/streamer", "REC ", func(l []string) bool { return len(l) >= 3 })
	want := []string{"REC INSERT b one aws:dynamodb False", "REC MODIFY b two aws:dynamodb True", "REC REMOVE b - aws:dynamodb True"}
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			t.Fatalf("records in order: got %q, want %q", lines, want)
		}
	}

	// Each batch reports its IteratorAge, by function.
	cw := cloudwatch.NewFromConfig(env.Config)
	for deadline := time.Now().Add(15 * time.Second); ; {
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("IteratorAge"),
			Dimensions: []cwtypes.Dimension{dim("FunctionName", "streamer")}, StartTime: aws.Time(time.Now().Add(-5 * time.Minute)),
			EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSampleCount}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Datapoints) > 0 {
			if out.Datapoints[0].Unit != cwtypes.StandardUnitMilliseconds {
				t.Errorf("IteratorAge %+v", out.Datapoints)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no IteratorAge datapoint after 15s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A batch that keeps failing is described to OnFailure and skipped.
	put(map[string]ddbtypes.AttributeValue{"pk": s("c"), "boom": &ddbtypes.AttributeValueMemberBOOL{Value: true}})
	m := receiveOne(t, qc, *failq.QueueUrl)
	var rec struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		ResponseContext struct {
			FunctionError string `json:"functionError"`
		} `json:"responseContext"`
		Info struct {
			BatchSize           int    `json:"batchSize"`
			StreamArn           string `json:"streamArn"`
			StartSequenceNumber string `json:"startSequenceNumber"`
		} `json:"DDBStreamBatchInfo"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
		t.Fatal(err)
	}
	body := json.RawMessage(aws.ToString(m.Body))
	wantMembers(t, "failure record", body, "requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo")
	wantMembers(t, "DDBStreamBatchInfo", member(t, body, "DDBStreamBatchInfo"), "shardId", "startSequenceNumber", "endSequenceNumber",
		"approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "streamArn")
	wantMatch(t, body, recordTimeRE, "timestamp")
	wantMatch(t, body, eventTimeRE, "DDBStreamBatchInfo", "approximateArrivalOfFirstRecord")
	if rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.RequestContext.ApproximateInvokeCount != 2 ||
		rec.ResponseContext.FunctionError != "Unhandled" || rec.Info.BatchSize != 1 || rec.Info.StreamArn != streamARN || len(rec.Info.StartSequenceNumber) != 21 {
		t.Errorf("failure record: %s", aws.ToString(m.Body))
	}
	put(map[string]ddbtypes.AttributeValue{"pk": s("d"), "v": s("after")})
	groupLines(t, cwl, "/aws/lambda/streamer", "REC ", func(l []string) bool { return hasLine(l, "REC INSERT d after") })
	if _, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: created.UUID}); err != nil {
		t.Fatal(err)
	}
}
