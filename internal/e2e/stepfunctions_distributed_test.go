package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsDistributedMapBatches runs a Distributed Map state
// whose ItemBatcher hands batches of at most 25 items to child workflow
// executions that write them with DynamoDB's BatchWriteItem (an AWS SDK
// integration): every item is written, and the execution's history
// shows the Map Run (MapRunStarted with its ARN, MapRunSucceeded), not
// the children's events.
func TestStepFunctionsDistributedMapBatches(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("rows"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Write","States":{"Write":{"Type":"Map","ItemsPath":"$.rows","Label":"writer",
		"ItemSelector":{"PutRequest":{"Item":{"id":{"S.$":"$$.Map.Item.Value"}}}},
		"ItemBatcher":{"MaxItemsPerBatch":25},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"Batch","States":{
			"Batch":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:batchWriteItem",
				"Parameters":{"RequestItems":{"rows.$":"$.Items"}},"End":true}}},
		"ResultSelector":{"batches.$":"States.ArrayLength($)"},"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("writer"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for i := range 51 {
		rows = append(rows, fmt.Sprintf(`"r%02d"`, i))
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn,
		Input: aws.String(`{"rows":[` + strings.Join(rows, ",") + `]}`)})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(done.Output) != `{"batches":3}` {
		t.Fatalf("status %s, output %s (%s %s)", done.Status, aws.ToString(done.Output), aws.ToString(done.Error), aws.ToString(done.Cause))
	}
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("rows"), Select: ddbtypes.SelectCount})
	if err != nil || scan.Count != 51 {
		t.Fatalf("table holds %d items (%v), want 51", scan.Count, err)
	}
	hist, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range hist.Events {
		types = append(types, string(e.Type))
		if e.Type == sfntypes.HistoryEventTypeMapRunStarted {
			if arn := aws.ToString(e.MapRunStartedEventDetails.MapRunArn); !strings.HasPrefix(arn, "arn:aws:states:us-east-1:000000000000:mapRun:writer/writer:") {
				t.Errorf("mapRunArn %s", arn)
			}
		}
	}
	if got := strings.Join(types, " "); got != "ExecutionStarted MapStateEntered MapRunStarted MapRunSucceeded MapStateExited ExecutionSucceeded" {
		t.Errorf("history %s", got)
	}
}

// TestStepFunctionsDistributedMapItemReader runs a Distributed Map state
// over the rows of a CSV file in S3 (ItemReader
// arn:aws:states:::s3:getObject, the first row naming the columns): each
// row is an object of its columns' text.
func TestStepFunctionsDistributedMapItemReader(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("metrics.csv"),
		Body: strings.NewReader("host,cpu\nweb-1,12\nweb-2,80\n")}); err != nil {
		t.Fatal(err)
	}
	c := sfn.NewFromConfig(env.Config)
	def := `{"StartAt":"Rows","States":{"Rows":{"Type":"Map",
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},
			"Parameters":{"Bucket.$":"$.bucket","Key":"metrics.csv"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Row","States":{
			"Row":{"Type":"Pass","Parameters":{"line.$":"States.Format('{}={}', $.host, $.cpu)"},"End":true}}},
		"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("rows"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"bucket":"data"}`)})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(done.Output) != `[{"line":"web-1=12"},{"line":"web-2=80"}]` {
		t.Fatalf("status %s, output %s (%s %s)", done.Status, aws.ToString(done.Output), aws.ToString(done.Error), aws.ToString(done.Cause))
	}
}

// TestStepFunctionsDistributedMapResultWriter runs a Distributed Map
// state over an inline array where the odd items fail: within
// ToleratedFailureCount the execution succeeds, its output the Map Run's
// ARN and the location of the manifest the ResultWriter wrote to S3,
// which lists the SUCCEEDED and FAILED result files beside it; one
// failure more fails the execution with
// States.ExceedToleratedFailureThreshold.
func TestStepFunctionsDistributedMapResultWriter(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("results")}); err != nil {
		t.Fatal(err)
	}
	c := sfn.NewFromConfig(env.Config)
	def := `{"StartAt":"Check","States":{"Check":{"Type":"Map","ItemsPath":"$.items","Label":"check","ToleratedFailureCount":1,
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"results","Prefix":"runs"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Odd","States":{
			"Odd":{"Type":"Choice","Choices":[{"Variable":"$.odd","BooleanEquals":true,"Next":"Reject"}],"Default":"Accept"},
			"Reject":{"Type":"Fail","Error":"Odd","Cause":"odd item"},
			"Accept":{"Type":"Pass","Parameters":{"ok.$":"$.n"},"End":true}}},
		"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("check"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	run := func(input string) *sfn.DescribeExecutionOutput {
		start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
		if err != nil {
			t.Fatal(err)
		}
		return waitExecution(t, c, aws.ToString(start.ExecutionArn))
	}
	done := run(`{"items":[{"n":1,"odd":true},{"n":2,"odd":false},{"n":4,"odd":false}]}`)
	if done.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s %s)", done.Status, aws.ToString(done.Error), aws.ToString(done.Cause))
	}
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &out); err != nil {
		t.Fatal(err)
	}
	id := out.MapRunArn[strings.LastIndex(out.MapRunArn, ":")+1:]
	if !strings.HasPrefix(out.MapRunArn, "arn:aws:states:us-east-1:000000000000:mapRun:check/check:") ||
		out.ResultWriterDetails.Bucket != "results" || out.ResultWriterDetails.Key != "runs/"+id+"/manifest.json" {
		t.Fatalf("output %s", aws.ToString(done.Output))
	}
	read := func(key string) []byte {
		obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", key, err)
		}
		defer obj.Body.Close()
		b, err := io.ReadAll(obj.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var manifest struct {
		DestinationBucket, MapRunArn string
		ResultFiles                  map[string][]struct {
			Key  string
			Size int
		}
	}
	if err := json.Unmarshal(read(out.ResultWriterDetails.Key), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.DestinationBucket != "results" || manifest.MapRunArn != out.MapRunArn || len(manifest.ResultFiles["PENDING"]) != 0 {
		t.Errorf("manifest %+v", manifest)
	}
	for status, want := range map[string]int{"SUCCEEDED": 2, "FAILED": 1} {
		files := manifest.ResultFiles[status]
		if len(files) != 1 || files[0].Key != "runs/"+id+"/"+status+"_0.json" {
			t.Fatalf("%s files %+v", status, files)
		}
		body := read(files[0].Key)
		if len(body) != files[0].Size {
			t.Errorf("%s: Size %d, object %d bytes", status, files[0].Size, len(body))
		}
		var recs []struct {
			ExecutionArn, StateMachineArn, Status, Input, Output, Error, Cause string
		}
		if err := json.Unmarshal(body, &recs); err != nil || len(recs) != want {
			t.Fatalf("%s: %s (%v)", status, body, err)
		}
		r := recs[0]
		if r.Status != status || !strings.HasPrefix(r.ExecutionArn, "arn:aws:states:us-east-1:000000000000:execution:check/check:") ||
			r.StateMachineArn != "arn:aws:states:us-east-1:000000000000:stateMachine:check/check" {
			t.Errorf("%s record %+v", status, r)
		}
		if status == "FAILED" && (r.Error != "Odd" || r.Cause != "odd item" || r.Input != `{"n":1,"odd":true}`) {
			t.Errorf("failed record %+v", r)
		}
		if status == "SUCCEEDED" && !strings.HasPrefix(r.Output, `{"ok":`) {
			t.Errorf("succeeded record %+v", r)
		}
	}
	done = run(`{"items":[{"n":1,"odd":true},{"n":3,"odd":true},{"n":4,"odd":false}]}`)
	if done.Status != sfntypes.ExecutionStatusFailed || aws.ToString(done.Error) != "States.ExceedToleratedFailureThreshold" {
		t.Errorf("status %s, error %s", done.Status, aws.ToString(done.Error))
	}
}
