package e2e

// Query's checks of its key values and of ExclusiveStartKey against the
// key condition, the check of ExpressionAttributeNames' values, and a
// segmented Scan's check of its start key, with real DynamoDB's messages.

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceQueryKeys(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "ranged", true)
	for _, sk := range []string{"1", "2", "3", "4"} {
		putItem(t, c, "ranged", ddbItem{"pk": avS("a"), "sk": avN(sk)})
	}
	query := func(cond string, values ddbItem, start ddbItem) (*dynamodb.QueryOutput, error) {
		return c.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String("ranged"), KeyConditionExpression: aws.String(cond),
			ExpressionAttributeValues: values, ExclusiveStartKey: start,
		})
	}

	_, err := query("pk = :p", ddbItem{":p": avS("")}, nil)
	wantDDBError(t, "an empty partition key value", err, "ValidationException",
		"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")

	cases := []struct {
		what   string
		cond   string
		values ddbItem
		start  ddbItem
		msg    string
	}{
		{"a start key of another partition", "pk = :p", ddbItem{":p": avS("b")}, ddbItem{"pk": avS("a"), "sk": avN("1")},
			"The provided starting key is outside query boundaries based on provided conditions"},
		{"a start key below the range", "pk = :p AND sk > :s", ddbItem{":p": avS("a"), ":s": avN("2")}, ddbItem{"pk": avS("a"), "sk": avN("1")},
			"The provided starting key does not match the range key predicate"},
		{"a start key outside BETWEEN", "pk = :p AND sk BETWEEN :lo AND :hi", ddbItem{":p": avS("a"), ":lo": avN("2"), ":hi": avN("3")}, ddbItem{"pk": avS("a"), "sk": avN("4")},
			"The provided starting key does not match the range key predicate"},
	}
	for _, tc := range cases {
		_, err := query(tc.cond, tc.values, tc.start)
		wantDDBError(t, tc.what, err, "ValidationException", tc.msg)
	}

	// A start key inside the condition resumes after it; a number key
	// written another way is the same key.
	out, err := query("pk = :p AND sk >= :s", ddbItem{":p": avS("a"), ":s": avN("2")}, ddbItem{"pk": avS("a"), "sk": avN("2.0")})
	mustOK(t, "a start key inside the range", err)
	wantItems(t, "after sk 2", out.Items, []ddbItem{{"pk": avS("a"), "sk": avN("3")}, {"pk": avS("a"), "sk": avN("4")}})

	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("ranged"), Key: ddbItem{"pk": avS("a"), "sk": avN("1")},
		ProjectionExpression: aws.String("#n"), ExpressionAttributeNames: map[string]string{"#n": ""},
	})
	wantDDBError(t, "an empty name in ExpressionAttributeNames", err, "ValidationException",
		"ExpressionAttributeNames contains invalid value: Empty attribute name for key #n")
	_, err = c.Scan(ctx, &dynamodb.ScanInput{
		TableName: aws.String("ranged"), FilterExpression: aws.String("attribute_exists(#n)"), ExpressionAttributeNames: map[string]string{"#n": ""},
		Select: types.SelectCount,
	})
	wantDDBErrorContains(t, "an empty name in a Scan's ExpressionAttributeNames", err, "ValidationException",
		"Empty attribute name for key #n")
}

// TestDynamoDBConformanceTableARNs names a table by its ARN in the item
// operations, which DynamoDB accepts wherever they take a TableName.
func TestDynamoDBConformanceTableARNs(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	arn := aws.ToString(createSimpleTable(t, c, "byarn", false).TableArn)
	key := ddbItem{"pk": avS("a")}

	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(arn), Item: ddbItem{"pk": avS("a"), "v": avS("x")}})
	mustOK(t, "PutItem by ARN", err)
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(arn), Key: key})
	mustOK(t, "GetItem by ARN", err)
	wantItem(t, "GetItem by ARN", got.Item, ddbItem{"pk": avS("a"), "v": avS("x")})
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(arn), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: ddbItem{":p": avS("a")}, Select: types.SelectCount})
	mustOK(t, "Query by ARN", err)
	if q.Count != 1 {
		t.Errorf("Query by ARN: Count %d", q.Count)
	}
	bg, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{arn: {Keys: []ddbItem{key}}}})
	mustOK(t, "BatchGetItem by ARN", err)
	if len(bg.Responses[arn]) != 1 {
		t.Errorf("BatchGetItem by ARN: %v", bg.Responses)
	}
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String(arn), Key: key}},
	}})
	mustOK(t, "TransactWriteItems by ARN", err)

	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(arn + "x"), Key: key})
	wantDDBError(t, "GetItem by the ARN of a missing table", err, "ResourceNotFoundException", "Requested resource not found")

	// The control plane takes the ARN too.
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(arn)})
	mustOK(t, "DescribeTable by ARN", err)
	if aws.ToString(desc.Table.TableName) != "byarn" {
		t.Errorf("DescribeTable by ARN: %+v", desc.Table)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(arn),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)}})
	mustOK(t, "UpdateTimeToLive by ARN", err)
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(arn)})
	mustOK(t, "DescribeTimeToLive by ARN", err)
	if aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "ttl" {
		t.Errorf("DescribeTimeToLive by ARN: %+v", ttl.TimeToLiveDescription)
	}
	_, err = c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(arn)})
	mustOK(t, "DescribeContinuousBackups by ARN", err)
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(arn + "x")})
	wantDDBErrorContains(t, "DescribeTable by the ARN of a missing table", err, "ResourceNotFoundException", "Requested resource not found")
	_, err = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(arn)})
	mustOK(t, "DeleteTable by ARN", err)
}

// A segmented Scan pages through its own segment with the keys it hands
// back, and refuses an ExclusiveStartKey that lies in another segment.
func TestDynamoDBConformanceScanSegmentStartKey(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "segs", false)
	const n, total = 40, 3
	for i := range n {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("segs"), Item: ddbItem{"pk": avS(fmt.Sprint(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{} // partition key -> segment that returned it
	for seg := range int32(total) {
		var start map[string]types.AttributeValue
		for {
			out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("segs"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(total),
				Limit: aws.Int32(1), ExclusiveStartKey: start})
			if err != nil {
				t.Fatalf("segment %d: %v", seg, err)
			}
			for _, it := range out.Items {
				pk := it["pk"].(*types.AttributeValueMemberS).Value
				if _, dup := seen[pk]; dup {
					t.Fatalf("%s returned twice", pk)
				}
				seen[pk] = int(seg)
			}
			if start = out.LastEvaluatedKey; start == nil {
				break
			}
		}
	}
	if len(seen) != n {
		t.Fatalf("segments returned %d items, want %d", len(seen), n)
	}
	for pk, seg := range seen {
		other := int32((seg + 1) % total)
		_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("segs"), Segment: aws.Int32(other), TotalSegments: aws.Int32(total),
			ExclusiveStartKey: ddbItem{"pk": avS(pk)}})
		wantDDBError(t, "a start key of another segment", err, "ValidationException", fmt.Sprintf(
			"The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d", total, other))
		break
	}
}

// A filter on an index read may name only what the index projects, even
// where the whole item could be read; the table's own keys are projected
// into every index and may be filtered on.
func TestDynamoDBConformanceIndexFilterProjected(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("lsi"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{attrDefS("p"), attrDefS("c"), attrDefS("b")}, KeySchema: keySchema("p", "c"),
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("byb"), KeySchema: keySchema("p", "b"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("lsi"), Item: ddbItem{"p": avS("a"), "c": avS(v), "b": avS(v), "d": avS(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	query := func(filter string, sel types.Select) (*dynamodb.QueryOutput, error) {
		return c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("lsi"), IndexName: aws.String("byb"), Select: sel,
			KeyConditionExpression: aws.String("p = :p"), FilterExpression: aws.String(filter),
			ExpressionAttributeValues: ddbItem{":p": avS("a"), ":v": avS("2")}})
	}
	const notProjected = "One or more parameter values were invalid: Secondary index byb does not project one or more filter attributes: [d]"
	_, err := query("d = :v", "")
	wantDDBError(t, "a filter on an attribute not projected", err, "ValidationException", notProjected)
	_, err = query("d = :v", types.SelectAllAttributes)
	wantDDBError(t, "the same, reading whole items", err, "ValidationException", notProjected)
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("lsi"), IndexName: aws.String("byb"),
		FilterExpression: aws.String("d = :v"), ExpressionAttributeValues: ddbItem{":v": avS("2")}})
	wantDDBError(t, "a scan's filter on an attribute not projected", err, "ValidationException", notProjected)
	_, err = query("b = :v", "")
	wantDDBError(t, "a filter on the index's sort key", err, "ValidationException",
		"Filter Expression can only contain non-primary key attributes: Primary key attribute: b")
	out, err := query("c = :v", types.SelectAllAttributes)
	if err != nil || len(out.Items) != 1 || out.Items[0]["d"] == nil {
		t.Fatalf("filter on the table's sort key = %+v, %v", out, err)
	}
}
