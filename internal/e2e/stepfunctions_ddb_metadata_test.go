package e2e_test

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsDynamoDBResultMetadata checks that the DynamoDB
// integration's results carry the SDK's HTTP metadata beside the
// operation's output, as on AWS: a putItem's result is only that
// metadata, and a state can select the status code of a getItem.
func TestStepFunctionsDynamoDBResultMetadata(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("notes"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Put","States":{
		"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
			"Parameters":{"TableName":"notes","Item":{"id":{"S.$":"$.id"}}},"ResultPath":"$.put","Next":"Get"},
		"Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
			"Parameters":{"TableName":"notes","Key":{"id":{"S.$":"$.id"}}},
			"ResultSelector":{"status.$":"$.SdkHttpMetadata.HttpStatusCode","id.$":"$.Item.id.S"},"ResultPath":"$.get","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("notes"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"id":"n1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s: %s %s", done.Status, aws.ToString(done.Error), aws.ToString(done.Cause))
	}
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
