package e2e_test

import (
	"context"
	"fmt"
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
