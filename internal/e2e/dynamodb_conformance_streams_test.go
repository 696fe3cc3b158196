package e2e

// DynamoDB Streams' checks of its requests, with real DynamoDB Streams'
// codes: a malformed stream ARN is a ValidationException, a well-formed
// ARN of no stream a ResourceNotFoundException.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func TestDynamoDBConformanceStreamsRequests(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	sc := dynamodbstreams.NewFromConfig(env.Config)
	ctx := context.Background()
	arn := CreateStreamTable(t, c, "events", types.StreamViewTypeKeysOnly).TableDescription.LatestStreamArn
	desc, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	shard := desc.StreamDescription.Shards[0]
	seq := shard.SequenceNumberRange.StartingSequenceNumber

	const notAnARN = "not-a-stream-arn-but-long-enough-for-the-model-0123456789"
	_, err = sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(notAnARN)})
	wantDDBError(t, "DescribeStream of a malformed ARN", err, "ValidationException", "Invalid StreamArn")
	_, err = sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(notAnARN), ShardId: shard.ShardId, ShardIteratorType: stypes.ShardIteratorTypeLatest,
	})
	wantDDBError(t, "GetShardIterator of a malformed ARN", err, "ValidationException", "Invalid StreamArn")
	_, err = sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{ExclusiveStartStreamArn: aws.String(notAnARN)})
	wantDDBError(t, "ListStreams from a malformed ARN", err, "ValidationException", "Invalid StreamArn")

	gone := aws.String(aws.ToString(arn) + "0")
	_, err = sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: gone})
	wantDDBError(t, "DescribeStream of no stream", err, "ResourceNotFoundException",
		"Requested resource not found: Stream: "+aws.ToString(gone)+" not found")

	_, err = sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{Limit: aws.Int32(101)})
	wantDDBError(t, "ListStreams over its limit", err, "ValidationException",
		"1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
	if out, err := sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{Limit: aws.Int32(100)}); err != nil || len(out.Streams) != 1 {
		t.Fatalf("ListStreams(Limit 100) = %+v, %v", out, err)
	}

	for _, typ := range []stypes.ShardIteratorType{stypes.ShardIteratorTypeTrimHorizon, stypes.ShardIteratorTypeLatest} {
		_, err = sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: typ, SequenceNumber: seq,
		})
		wantDDBError(t, string(typ)+" with a sequence number", err, "ValidationException",
			"SequenceNumber must not be provided for ShardIteratorType: "+string(typ))
	}
}
