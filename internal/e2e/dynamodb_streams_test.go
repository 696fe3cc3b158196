package e2e

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func TestDynamoDBStreamsRecords(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	sc := dynamodbstreams.NewFromConfig(env.Config)
	ctx := context.Background()
	out := CreateStreamTable(t, c, "orders", types.StreamViewTypeNewAndOldImages)
	arn := out.TableDescription.LatestStreamArn

	// A LATEST iterator taken before any write sees every later record.
	desc, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	sd := desc.StreamDescription
	if sd.StreamStatus != stypes.StreamStatusEnabled || len(sd.Shards) != 1 || aws.ToString(sd.TableName) != "orders" {
		t.Fatalf("DescribeStream = %+v", sd)
	}
	latest, err := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: arn, ShardId: sd.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeLatest,
	})
	if err != nil {
		t.Fatal(err)
	}

	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "o1"}}
	put := func(v string) {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "o1"}, "v": &types.AttributeValueMemberS{Value: v}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a")
	put("b")
	// Writes that leave the item as it was leave no record.
	put("b")
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key,
		UpdateExpression:          aws.String("SET v = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "b"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("orders"), Key: key}); err != nil {
		t.Fatal(err)
	}
	// A failed conditional write leaves no record.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: key, ConditionExpression: aws.String("attribute_exists(pk)")})
	if code, _ := apiCode(t, err); code != "ConditionalCheckFailedException" {
		t.Fatalf("conditional put: %v", err)
	}

	recs, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: latest.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var names []stypes.OperationType
	for _, r := range recs.Records {
		names = append(names, r.EventName)
	}
	if len(names) != 3 || names[0] != "INSERT" || names[1] != "MODIFY" || names[2] != "REMOVE" {
		t.Fatalf("events = %v", names)
	}
	mod := recs.Records[1].Dynamodb
	if ov, ok := mod.OldImage["v"].(*stypes.AttributeValueMemberS); !ok || ov.Value != "a" {
		t.Errorf("MODIFY old image = %+v", mod.OldImage)
	}
	if nv, ok := mod.NewImage["v"].(*stypes.AttributeValueMemberS); !ok || nv.Value != "b" {
		t.Errorf("MODIFY new image = %+v", mod.NewImage)
	}
	if recs.Records[2].Dynamodb.NewImage != nil {
		t.Errorf("REMOVE has a new image")
	}
	if aws.ToString(recs.Records[0].Dynamodb.SequenceNumber) >= aws.ToString(recs.Records[1].Dynamodb.SequenceNumber) {
		t.Errorf("sequence numbers not increasing")
	}

	// The next iterator continues after the last record; nothing new yet.
	more, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: recs.NextShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(more.Records) != 0 || more.NextShardIterator == nil {
		t.Errorf("second read: %d records, next %v", len(more.Records), more.NextShardIterator)
	}

	// AFTER_SEQUENCE_NUMBER the first record returns the other two.
	after, err := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: arn, ShardId: sd.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeAfterSequenceNumber,
		SequenceNumber: recs.Records[0].Dynamodb.SequenceNumber,
	})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: after.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Records) != 2 {
		t.Errorf("after the first record: %d records", len(rest.Records))
	}

	list, err := sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Streams) != 1 || aws.ToString(list.Streams[0].StreamArn) != aws.ToString(arn) {
		t.Errorf("ListStreams = %+v", list.Streams)
	}
}

// A stream that is disabled and then replaced by a new one stays readable
// under its own ARN for 24 hours after it was disabled: ListStreams names
// both, and the old one describes as DISABLED with a closed shard.
func TestDynamoDBStreamsReplacedStreamStaysReadable(t *testing.T) {
	t.Parallel()
	env := Start(t, WithFakeClock())
	c := ddbClient(env)
	sc := dynamodbstreams.NewFromConfig(env.Config)
	ctx := context.Background()
	out := CreateStreamTable(t, c, "ledger", types.StreamViewTypeNewImage)
	first := aws.ToString(out.TableDescription.LatestStreamArn)
	put := func(v string) {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"),
			Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: v}}}); err != nil {
			t.Fatal(err)
		}
	}
	setStream := func(on bool, view types.StreamViewType) {
		if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ledger"),
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(on), StreamViewType: view}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a")
	put("b")
	setStream(false, "")
	env.Clock.Advance(time.Second)
	setStream(true, types.StreamViewTypeKeysOnly)
	put("c")

	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ledger")})
	if err != nil {
		t.Fatal(err)
	}
	second := aws.ToString(d.Table.LatestStreamArn)
	if second == first {
		t.Fatalf("re-enabled stream kept the ARN %s", first)
	}
	ls, err := sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("ledger")})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, s := range ls.Streams {
		arns = append(arns, aws.ToString(s.StreamArn))
	}
	if len(arns) != 2 || !slices.Contains(arns, first) || !slices.Contains(arns, second) {
		t.Fatalf("ListStreams = %v, want %s and %s", arns, first, second)
	}

	// The old stream: DISABLED, its own view type, a closed shard, and
	// its two records only.
	read := func(arn string) (*stypes.StreamDescription, []string) {
		t.Helper()
		sd, it := trimHorizon(t, sc, arn)
		recs, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range recs.Records {
			keys = append(keys, r.Dynamodb.Keys["pk"].(*stypes.AttributeValueMemberS).Value)
		}
		return sd, keys
	}
	sd, keys := read(first)
	if sd.StreamStatus != stypes.StreamStatusDisabled || sd.StreamViewType != stypes.StreamViewTypeNewImage ||
		sd.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil || !slices.Equal(keys, []string{"a", "b"}) {
		t.Fatalf("old stream: %+v, records %v", sd, keys)
	}
	sd, keys = read(second)
	if sd.StreamStatus != stypes.StreamStatusEnabled || sd.StreamViewType != stypes.StreamViewTypeKeysOnly ||
		sd.Shards[0].SequenceNumberRange.EndingSequenceNumber != nil || !slices.Equal(keys, []string{"c"}) {
		t.Fatalf("new stream: %+v, records %v", sd, keys)
	}

	// A day after it was disabled, the old stream is gone.
	env.Clock.Advance(24 * time.Hour)
	_, err = sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(first)})
	if code, _ := apiCode(t, err); code != "ResourceNotFoundException" {
		t.Fatalf("DescribeStream of the expired stream: %v", err)
	}
}

// A shard iterator expires 15 minutes after it is handed out, whether by
// GetShardIterator or as a NextShardIterator.
func TestDynamoDBStreamsIteratorExpires(t *testing.T) {
	t.Parallel()
	env := Start(t, WithFakeClock())
	c := ddbClient(env)
	sc := dynamodbstreams.NewFromConfig(env.Config)
	ctx := context.Background()
	out := CreateStreamTable(t, c, "clicks", types.StreamViewTypeKeysOnly)
	_, it := trimHorizon(t, sc, aws.ToString(out.TableDescription.LatestStreamArn))
	env.Clock.Advance(14 * time.Minute)
	recs, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
	if err != nil {
		t.Fatalf("GetRecords within 15 minutes: %v", err)
	}
	// The next iterator counts from when it was handed out.
	env.Clock.Advance(14 * time.Minute)
	if _, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: recs.NextShardIterator}); err != nil {
		t.Fatalf("GetRecords with a fresh NextShardIterator: %v", err)
	}
	_, err = sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
	var expired *stypes.ExpiredIteratorException
	if !errors.As(err, &expired) {
		t.Fatalf("GetRecords with a 28-minute-old iterator: %v, want ExpiredIteratorException", err)
	}
}

// Deleting a table leaves its stream DISABLED and readable for 24 hours.
func TestDynamoDBStreamsOutliveTheirTable(t *testing.T) {
	t.Parallel()
	env := Start(t, WithFakeClock())
	c := ddbClient(env)
	sc := dynamodbstreams.NewFromConfig(env.Config)
	ctx := context.Background()
	create := func() string {
		out := CreateStreamTable(t, c, "scratch", types.StreamViewTypeKeysOnly)
		return aws.ToString(out.TableDescription.LatestStreamArn)
	}
	arn := create()
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("scratch"),
		Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("scratch")}); err != nil {
		t.Fatal(err)
	}
	sd, it := trimHorizon(t, sc, arn) // after DeleteTable
	if sd.StreamStatus != stypes.StreamStatusDisabled || sd.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("stream of the deleted table: %+v", sd)
	}
	recs, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Records) != 1 || recs.Records[0].EventName != stypes.OperationTypeInsert {
		t.Fatalf("GetRecords of the deleted table's stream: %+v", recs)
	}
	// A new table of the same name has a stream of its own beside it.
	env.Clock.Advance(time.Second)
	fresh := create()
	ls, err := sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("scratch")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Streams) != 2 || fresh == arn {
		t.Fatalf("ListStreams = %+v", ls.Streams)
	}
	env.Clock.Advance(24 * time.Hour)
	_, err = sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if code, _ := apiCode(t, err); code != "ResourceNotFoundException" {
		t.Fatalf("DescribeStream a day after DeleteTable: %v", err)
	}
}

// trimHorizon describes a stream and hands out a TRIM_HORIZON iterator of
// its first shard.
func trimHorizon(t *testing.T, sc *dynamodbstreams.Client, arn string) (*stypes.StreamDescription, *string) {
	t.Helper()
	ctx := context.Background()
	ds, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeStream %s: %v", arn, err)
	}
	sd := ds.StreamDescription
	it, err := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn),
		ShardId: sd.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	return sd, it.ShardIterator
}
