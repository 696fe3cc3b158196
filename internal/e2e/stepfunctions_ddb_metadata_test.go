package e2e_test

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsDynamoDBResultMetadata checks that the DynamoDB
// integration's results carry the SDK's HTTP metadata beside the
// operation's output, as on AWS: a putItem's result is only that
// metadata, and a state can select the status code of a getItem.
func TestStepFunctionsDynamoDBResultMetadata(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	db := dynamodb.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	createIDTable(t, db, "notes")
	def := `{"StartAt":"Put","States":{
		"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
			"Parameters":{"TableName":"notes","Item":{"id":{"S.$":"$.id"}}},"ResultPath":"$.put","Next":"Get"},
		"Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
			"Parameters":{"TableName":"notes","Key":{"id":{"S.$":"$.id"}}},
			"ResultSelector":{"status.$":"$.SdkHttpMetadata.HttpStatusCode","id.$":"$.Item.id.S"},"ResultPath":"$.get","End":true}}}`
	done := runSucceeding(t, c, "notes", def, `{"id":"n1"}`)
	var out struct {
		Put map[string]json.RawMessage `json:"put"`
		Get map[string]any             `json:"get"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if out.Get["status"] != float64(200) || out.Get["id"] != "n1" {
		t.Errorf("getItem selected %v", out.Get)
	}
	if len(out.Put) != 2 || out.Put["SdkHttpMetadata"] == nil || out.Put["SdkResponseMetadata"] == nil {
		t.Fatalf("putItem result: %s", aws.ToString(done.Output))
	}
	var meta struct {
		AllHttpHeaders map[string][]string
		HttpHeaders    map[string]string
		HttpStatusCode int
	}
	var resp struct{ RequestId string }
	if json.Unmarshal(out.Put["SdkHttpMetadata"], &meta) != nil || json.Unmarshal(out.Put["SdkResponseMetadata"], &resp) != nil {
		t.Fatalf("putItem metadata: %s", aws.ToString(done.Output))
	}
	h := meta.HttpHeaders
	// PutItem's output without ReturnValues is the empty JSON object.
	if meta.HttpStatusCode != 200 || h["Content-Type"] != "application/x-amz-json-1.0" || h["Content-Length"] != "2" ||
		h["x-amz-crc32"] != strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte("{}"))), 10) ||
		h["x-amzn-RequestId"] == "" || h["x-amzn-RequestId"] != resp.RequestId || h["Date"] == "" {
		t.Errorf("putItem SdkHttpMetadata: %+v, SdkResponseMetadata %+v", meta, resp)
	}
	for k, v := range h {
		if l := meta.AllHttpHeaders[k]; len(l) != 1 || l[0] != v {
			t.Errorf("AllHttpHeaders[%s] = %v, HttpHeaders has %q", k, l, v)
		}
	}
}

// TestStepFunctionsDynamoDBErrorNames checks the DynamoDB integration's
// failures as Step Functions, calling DynamoDB through the AWS SDK for
// Java, names them: an error the SDK models keeps its code
// (DynamoDB.ConditionalCheckFailedException), any other is
// DynamoDB.AmazonDynamoDBException, and the cause ends as the SDK's
// message does.
func TestStepFunctionsDynamoDBErrorNames(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createIDTable(t, dynamodb.NewFromConfig(env.Config), "locks")
	c := sfn.NewFromConfig(env.Config)
	// Each branch catches its failure and outputs it.
	branch := func(name, params string) string {
		return `{"StartAt":"` + name + `","States":{"` + name + `":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:updateItem",
			"Parameters":` + params + `,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"` + name + `Caught"}],"End":true},
			"` + name + `Caught":{"Type":"Pass","End":true}}}`
	}
	def := `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[` +
		branch("Condition", `{"TableName":"locks","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n = :one",
			"ConditionExpression":"attribute_exists(id)","ExpressionAttributeValues":{":one":{"N":"1"}}}`) + `,` +
		branch("Invalid", `{"TableName":"locks","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n = n + :one",
			"ExpressionAttributeValues":{":one":{"N":"1"}}}`) + `]}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("locks"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	var got []struct{ Error, Cause string }
	if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &got); err != nil || len(got) != 2 {
		t.Fatalf("%s: %s %s", done.Status, aws.ToString(done.Output), aws.ToString(done.Cause))
	}
	for i, want := range []struct{ name, code string }{
		{"DynamoDB.ConditionalCheckFailedException", "ConditionalCheckFailedException"},
		{"DynamoDB.AmazonDynamoDBException", "ValidationException"},
	} {
		suffix := "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: " + want.code + "; Request ID: "
		if got[i].Error != want.name || !strings.Contains(got[i].Cause, suffix) || !strings.HasSuffix(got[i].Cause, "; Proxy: null)") {
			t.Errorf("branch %d: %+v, want %s and a cause with %q", i, got[i], want.name, suffix)
		}
	}
}

// createIDTable creates an on-demand table keyed by the string id.
func createIDTable(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	if _, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		t.Fatal(err)
	}
}

// TestStepFunctionsQueryServiceResultMetadata checks that the SQS and
// SNS integrations' results carry, as on AWS, the SDK's HTTP metadata
// of those services' XML responses beside the operation's output.
func TestStepFunctionsQueryServiceResultMetadata(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	q, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(env.Config).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Send","States":{
		"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
			"Parameters":{"QueueUrl":"` + aws.ToString(q.QueueUrl) + `","MessageBody.$":"$.msg"},"ResultPath":"$.sqs","Next":"Publish"},
		"Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
			"Parameters":{"TopicArn":"` + aws.ToString(topic.TopicArn) + `","Message.$":"$.msg"},
			"ResultSelector":{"status.$":"$.SdkHttpMetadata.HttpStatusCode","id.$":"$.MessageId"},"ResultPath":"$.sns","End":true}}}`
	done := runSucceeding(t, c, "orders", def, `{"msg":"hi"}`)
	var out struct {
		SQS struct {
			MessageId           string
			SdkHttpMetadata     struct{ HttpHeaders map[string]string }
			SdkResponseMetadata struct{ RequestId string }
		} `json:"sqs"`
		SNS map[string]any `json:"sns"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &out); err != nil {
		t.Fatal(err)
	}
	h := out.SQS.SdkHttpMetadata.HttpHeaders
	if out.SQS.MessageId == "" || h["Content-Type"] != "text/xml" || h["x-amzn-RequestId"] == "" ||
		h["x-amzn-RequestId"] != out.SQS.SdkResponseMetadata.RequestId || h["x-amz-crc32"] != "" {
		t.Errorf("sendMessage result: %s", aws.ToString(done.Output))
	}
	if out.SNS["status"] != float64(200) || out.SNS["id"] == "" {
		t.Errorf("publish selected %v", out.SNS)
	}
}

// runSucceeding creates a standard state machine with definition def,
// runs it on input and answers its execution, which must succeed.
func runSucceeding(t *testing.T, c *sfn.Client, name, def, input string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s: %s %s", done.Status, aws.ToString(done.Error), aws.ToString(done.Cause))
	}
	return done
}
