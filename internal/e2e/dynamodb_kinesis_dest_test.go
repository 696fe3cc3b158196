package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// kinesisDestStack is a table that streams its changes to a Kinesis
// stream (and has no DynamoDB stream of its own).
const kinesisDestStack = `Resources:
  Changes:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 2
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: N}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      KinesisStreamSpecification:
        StreamArn: !GetAtt Changes.Arn
Outputs:
  Table:
    Value: !Ref Orders
  Stream:
    Value: !Ref Changes
  StreamArn:
    Value: !GetAtt Changes.Arn
`

// kdsRecord is a Kinesis record's data as DynamoDB writes it.
type kdsRecord struct {
	AwsRegion    string          `json:"awsRegion"`
	EventID      string          `json:"eventID"`
	EventName    string          `json:"eventName"`
	UserIdentity json.RawMessage `json:"userIdentity"`
	RecordFormat string          `json:"recordFormat"`
	TableName    string          `json:"tableName"`
	EventSource  string          `json:"eventSource"`
	Dynamodb     struct {
		ApproximateCreationDateTime          int64
		Keys, NewImage, OldImage             map[string]map[string]any
		SizeBytes                            int64
		ApproximateCreationDateTimePrecision string
	} `json:"dynamodb"`
}

// readAllShards returns the records of every shard of a stream until
// want of them have arrived, with their partition keys.
func readAllShards(t *testing.T, kc *kinesis.Client, stream string, want int) ([]kdsRecord, []string) {
	t.Helper()
	ctx := context.Background()
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	iters := map[string]*string{}
	for _, sh := range shards.Shards {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: sh.ShardId, ShardIteratorType: kintypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iters[aws.ToString(sh.ShardId)] = it.ShardIterator
	}
	var recs []kdsRecord
	var pks []string
	deadline := time.Now().Add(10 * time.Second)
	for len(recs) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%d records after 10s, want %d: %+v", len(recs), want, recs)
		}
		for id, it := range iters {
			out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
			if err != nil {
				t.Fatal(err)
			}
			iters[id] = out.NextShardIterator
			for _, r := range out.Records {
				var k kdsRecord
				if err := json.Unmarshal(r.Data, &k); err != nil {
					t.Fatalf("record %s: %v", r.Data, err)
				}
				recs = append(recs, k)
				pks = append(pks, aws.ToString(r.PartitionKey))
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return recs, pks
}

func TestDynamoDBKinesisStreamingDestination(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("kds"),
		TemplateBody: aws.String(kinesisDestStack)}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "kds")
	db := dynamodb.NewFromConfig(env.Config)
	kc := kinesis.NewFromConfig(env.Config)
	table := aws.String(outs["Table"])

	d, err := db.DescribeKinesisStreamingDestination(ctx, &dynamodb.DescribeKinesisStreamingDestinationInput{TableName: table})
	if err != nil || len(d.KinesisDataStreamDestinations) != 1 ||
		aws.ToString(d.KinesisDataStreamDestinations[0].StreamArn) != outs["StreamArn"] ||
		d.KinesisDataStreamDestinations[0].DestinationStatus != ddbtypes.DestinationStatusActive {
		t.Fatalf("destinations: %+v %v", d, err)
	}

	key := map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "order-1"}, "sk": &ddbtypes.AttributeValueMemberN{Value: "1"}}
	item := map[string]ddbtypes.AttributeValue{"pk": key["pk"], "sk": key["sk"], "amount": &ddbtypes.AttributeValueMemberN{Value: "10"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatal(err)
	}
	// Writing the item as it is changes nothing, and is no record.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key,
		UpdateExpression:          aws.String("SET amount = :t"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":t": &ddbtypes.AttributeValueMemberN{Value: "12"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key}); err != nil {
		t.Fatal(err)
	}
	recs, pks := readAllShards(t, kc, outs["Stream"], 3)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3: %+v", len(recs), recs)
	}
	// One item's records share a partition key, hence a shard, and keep
	// their order there.
	names := ""
	for i, r := range recs {
		names += r.EventName + " "
		if pks[i] != pks[0] || len(pks[i]) != 32 {
			t.Errorf("partition keys: %v", pks)
		}
		if r.AwsRegion != "us-east-1" || r.EventSource != "aws:dynamodb" || r.RecordFormat != "application/json" ||
			r.TableName != outs["Table"] || string(r.UserIdentity) != "null" || len(r.EventID) != 36 {
			t.Errorf("record %d: %+v", i, r)
		}
		ms := r.Dynamodb.ApproximateCreationDateTime
		if r.Dynamodb.ApproximateCreationDateTimePrecision != "MILLISECOND" || ms < time.Now().Add(-time.Minute).UnixMilli() ||
			ms > time.Now().UnixMilli() {
			t.Errorf("record %d's time: %d %s", i, ms, r.Dynamodb.ApproximateCreationDateTimePrecision)
		}
		if r.Dynamodb.Keys["pk"]["S"] != "order-1" || r.Dynamodb.Keys["sk"]["N"] != "1" || len(r.Dynamodb.Keys) != 2 || r.Dynamodb.SizeBytes <= 0 {
			t.Errorf("record %d's keys: %+v", i, r.Dynamodb)
		}
	}
	if names != "INSERT MODIFY REMOVE " {
		t.Fatalf("events: %s", names)
	}
	// Both images, whatever the table's stream settings.
	if recs[0].Dynamodb.NewImage["amount"]["N"] != "10" || recs[0].Dynamodb.OldImage != nil ||
		recs[1].Dynamodb.NewImage["amount"]["N"] != "12" || recs[1].Dynamodb.OldImage["amount"]["N"] != "10" ||
		recs[2].Dynamodb.NewImage != nil || recs[2].Dynamodb.OldImage["amount"]["N"] != "12" {
		t.Errorf("images: %+v", recs)
	}

	// The API: a second enable of the same stream is in use, a missing
	// stream is not found, and a disabled destination gets no more.
	var apiErr smithy.APIError
	_, err = db.EnableKinesisStreamingDestination(ctx, &dynamodb.EnableKinesisStreamingDestinationInput{TableName: table,
		StreamArn: aws.String(outs["StreamArn"])})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceInUseException" {
		t.Errorf("enabling twice: %v", err)
	}
	_, err = db.EnableKinesisStreamingDestination(ctx, &dynamodb.EnableKinesisStreamingDestinationInput{TableName: table,
		StreamArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/missing")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("a missing stream: %v", err)
	}
	dis, err := db.DisableKinesisStreamingDestination(ctx, &dynamodb.DisableKinesisStreamingDestinationInput{TableName: table,
		StreamArn: aws.String(outs["StreamArn"])})
	if err != nil || dis.DestinationStatus != ddbtypes.DestinationStatusDisabling {
		t.Fatalf("disable: %+v %v", dis, err)
	}
	d, err = db.DescribeKinesisStreamingDestination(ctx, &dynamodb.DescribeKinesisStreamingDestinationInput{TableName: table})
	if err != nil || d.KinesisDataStreamDestinations[0].DestinationStatus != ddbtypes.DestinationStatusDisabled {
		t.Fatalf("after disable: %+v %v", d, err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatal(err)
	}
	en, err := db.EnableKinesisStreamingDestination(ctx, &dynamodb.EnableKinesisStreamingDestinationInput{TableName: table,
		StreamArn: aws.String(outs["StreamArn"]),
		EnableKinesisStreamingConfiguration: &ddbtypes.EnableKinesisStreamingConfiguration{
			ApproximateCreationDateTimePrecision: ddbtypes.ApproximateCreationDateTimePrecisionMicrosecond}})
	if err != nil || en.DestinationStatus != ddbtypes.DestinationStatusEnabling {
		t.Fatalf("enable again: %+v %v", en, err)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key}); err != nil {
		t.Fatal(err)
	}
	recs, _ = readAllShards(t, kc, outs["Stream"], 4)
	last := recs[len(recs)-1]
	if len(recs) != 4 || last.EventName != "REMOVE" || last.Dynamodb.ApproximateCreationDateTimePrecision != "MICROSECOND" ||
		last.Dynamodb.ApproximateCreationDateTime < time.Now().Add(-time.Minute).UnixMicro() {
		t.Errorf("after re-enabling: %+v", recs)
	}
	up, err := db.UpdateKinesisStreamingDestination(ctx, &dynamodb.UpdateKinesisStreamingDestinationInput{TableName: table,
		StreamArn: aws.String(outs["StreamArn"]),
		UpdateKinesisStreamingConfiguration: &ddbtypes.UpdateKinesisStreamingConfiguration{
			ApproximateCreationDateTimePrecision: ddbtypes.ApproximateCreationDateTimePrecisionMillisecond}})
	if err != nil || up.DestinationStatus != ddbtypes.DestinationStatusUpdating {
		t.Fatalf("update: %+v %v", up, err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatal(err)
	}
	recs, _ = readAllShards(t, kc, outs["Stream"], 5)
	if last := recs[len(recs)-1]; len(recs) != 5 || last.EventName != "INSERT" || last.Dynamodb.ApproximateCreationDateTimePrecision != "MILLISECOND" {
		t.Errorf("after the update: %+v", recs)
	}
}
