package e2e

// Item and table behaviours checked against real DynamoDB: key and index
// key checks in BatchWriteItem, UpdateItem's own item size rule, the
// projection styles of BatchGetItem, and CreateTable's key schema and
// stream checks. Expected messages are real DynamoDB's.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceBatchWriteKeys(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	indexedTable(t, c)
	write := func(item ddbItem) error {
		_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
			"indexed": {{PutRequest: &types.PutRequest{Item: item}}},
		}})
		return err
	}
	key := ddbItem{"pk": avS("a"), "sk": avS("a")}
	wantDDBError(t, "mistyped table key", write(ddbItem{"pk": avN("5"), "sk": avS("a")}), "ValidationException",
		"The provided key element does not match the schema")
	wantDDBError(t, "empty table key", write(ddbItem{"pk": avS(""), "sk": avS("a")}), "ValidationException",
		"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	// Index keys are checked index by index in name order: gsi1 before lsi1.
	wantDDBError(t, "non-scalar index key", write(withAttrs(key, ddbItem{"lsi1sk": avL(avS("x"))})), "ValidationException",
		"One or more parameter values were invalid: Type mismatch for Index Key lsi1sk Expected: S Actual: L IndexName: gsi1")
	wantDDBError(t, "empty index key", write(withAttrs(key, ddbItem{"lsi1sk": avS("")})), "ValidationException",
		"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi1, IndexKey: lsi1sk")
	wantDDBError(t, "empty binary index key", write(withAttrs(key, ddbItem{"bidx": avB()})), "ValidationException",
		"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty binary value. IndexName: gsib, IndexKey: bidx")
}

func TestDynamoDBConformanceUpdateItemSizeRule(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "sizes", false)
	const maxItem = 400 * 1024
	const updateTooLarge = "Item size to update has exceeded the maximum allowed size"
	// set writes attribute b so that the finished item {pk: key, b: ...}
	// measures exactly size bytes.
	set := func(key string, size int) error {
		pad := size - (2 + len(key)) - 1
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("sizes"), Key: ddbItem{"pk": avS(key)},
			UpdateExpression: aws.String("SET b = :pad"), ExpressionAttributeValues: ddbItem{":pad": avS(strings.Repeat("x", pad))}})
		return err
	}
	// UpdateItem measures what it writes plus a cost per action (3, and 19
	// per SET): at a one-byte key the ceiling is 19 bytes under 400 KB.
	if err := set("K", maxItem-19); err != nil {
		t.Errorf("UpdateItem at its ceiling: %v", err)
	}
	wantDDBError(t, "UpdateItem one byte over its ceiling", set("L", maxItem-18), "ValidationException", updateTooLarge)
	// With a long key the finished item's own size binds.
	long := strings.Repeat("k", 100)
	if err := set(long, maxItem); err != nil {
		t.Errorf("UpdateItem of exactly 400 KB at a long key: %v", err)
	}
	wantDDBError(t, "UpdateItem over 400 KB at a long key", set(long+"x", maxItem+1), "ValidationException", updateTooLarge)
	// PutItem and a transacted Update measure the finished item alone.
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sizes"), Item: ddbItem{"pk": avS("P"), "b": avS(strings.Repeat("x", maxItem-4))}})
	mustOK(t, "PutItem of exactly 400 KB", err)
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: &types.Update{
		TableName: aws.String("sizes"), Key: ddbItem{"pk": avS("Y")},
		UpdateExpression: aws.String("SET b = :pad"), ExpressionAttributeValues: ddbItem{":pad": avS(strings.Repeat("x", maxItem-4))},
	}}}})
	mustOK(t, "transacted Update of exactly 400 KB", err)
}

func TestDynamoDBConformanceBatchGetProjectionStyles(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "one", false)
	createSimpleTable(t, c, "two", false)
	_, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"one": {Keys: []ddbItem{{"pk": avS("a")}}, ProjectionExpression: aws.String("pk")},
		"two": {Keys: []ddbItem{{"pk": avS("b")}}, AttributesToGet: []string{"pk"}},
	}})
	wantDDBError(t, "projection styles mixed across tables", err, "ValidationException",
		"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
}

func TestDynamoDBConformanceCreateTableChecks(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	attrs := []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("dupkey"), AttributeDefinitions: attrs, BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange}},
	})
	wantDDBError(t, "one attribute as hash and range key", err, "ValidationException", "Invalid KeySchema: Some index key attribute have no definition")

	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("streamoff"), AttributeDefinitions: attrs, BillingMode: types.BillingModePayPerRequest, KeySchema: keySchema("pk", ""),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false), StreamViewType: types.StreamViewTypeNewImage},
	})
	wantDDBError(t, "a disabled stream with a view type", err, "ValidationException",
		"One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false")
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("streamoff")})
	wantDDBError(t, "the refused table", err, "ResourceNotFoundException", "Requested resource not found: Table: streamoff not found")
}

func TestDynamoDBConformanceItemCollectionMetrics(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	indexedTable(t, c)
	createSimpleTable(t, c, "nolsi", true)
	item := ddbItem{"pk": avS("icm"), "sk": avS("a"), "lsi1sk": avS("l")}

	// A table with local secondary indexes reports the item's collection,
	// whose size is a range of whole gigabytes.
	out, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("indexed"), Item: item, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
	mustOK(t, "PutItem", err)
	if m := out.ItemCollectionMetrics; m == nil {
		t.Fatal("PutItem: no ItemCollectionMetrics")
	} else {
		wantItem(t, "ItemCollectionKey", m.ItemCollectionKey, ddbItem{"pk": avS("icm")})
		if len(m.SizeEstimateRangeGB) != 2 || m.SizeEstimateRangeGB[0] != 0 || m.SizeEstimateRangeGB[1] != 1 {
			t.Errorf("SizeEstimateRangeGB = %v, want [0 1]", m.SizeEstimateRangeGB)
		}
	}
	upd, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("indexed"), Key: ddbItem{"pk": avS("icm"), "sk": avS("a")},
		UpdateExpression: aws.String("SET d = :v"), ExpressionAttributeValues: ddbItem{":v": avS("x")}, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
	mustOK(t, "UpdateItem", err)
	if upd.ItemCollectionMetrics == nil {
		t.Error("UpdateItem: no ItemCollectionMetrics")
	}
	del, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("indexed"), Key: ddbItem{"pk": avS("icm"), "sk": avS("a")}, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
	mustOK(t, "DeleteItem", err)
	if del.ItemCollectionMetrics == nil {
		t.Error("DeleteItem: no ItemCollectionMetrics")
	}
	// Requests of several writes report, per table, each collection they
	// changed once; a table without local secondary indexes has none.
	bw, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"indexed": {
			{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avS("icm"), "sk": avS("a")}}},
			{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avS("icm"), "sk": avS("b")}}},
			{DeleteRequest: &types.DeleteRequest{Key: ddbItem{"pk": avS("other"), "sk": avS("a")}}},
		},
		"nolsi": {{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avS("a"), "sk": avN("1")}}}},
	}, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
	mustOK(t, "BatchWriteItem", err)
	wantCollections(t, "BatchWriteItem", bw.ItemCollectionMetrics, "icm", "other")
	tw, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String("indexed"), Key: ddbItem{"pk": avS("icm"), "sk": avS("a")},
			UpdateExpression: aws.String("SET d = :v"), ExpressionAttributeValues: ddbItem{":v": avS("x")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("indexed"), Key: ddbItem{"pk": avS("checked"), "sk": avS("a")},
			ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Delete: &types.Delete{TableName: aws.String("indexed"), Key: ddbItem{"pk": avS("icm"), "sk": avS("b")}}},
	}, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
	mustOK(t, "TransactWriteItems", err)
	wantCollections(t, "TransactWriteItems", tw.ItemCollectionMetrics, "icm")
	// NONE, or a table without item collections, reports nothing.
	out, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("indexed"), Item: item, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsNone})
	mustOK(t, "PutItem NONE", err)
	if out.ItemCollectionMetrics != nil {
		t.Error("PutItem NONE: ItemCollectionMetrics present")
	}
	out, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("nolsi"), Item: ddbItem{"pk": avS("a"), "sk": avN("1")}, ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize})
	mustOK(t, "PutItem without LSIs", err)
	if out.ItemCollectionMetrics != nil {
		t.Error("PutItem on a table without LSIs: ItemCollectionMetrics present")
	}
}

func TestDynamoDBConformanceTableUpdatesAndTags(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createProvisionedTable(t, c, "prov")
	_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("prov"), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}})
	wantDDBError(t, "the throughput the table has", err, "ValidationException",
		"The provisioned throughput for the table will not change. The requested value equals the current value. "+
			"Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. "+
			"Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. "+
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("prov"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(5)}})
	mustOK(t, "UpdateTable to other throughput", err)

	_, err = c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String("not-a-valid-arn"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantDDBError(t, "TagResource on no ARN", err, "ValidationException", "One or more parameter values were invalid: ARNs must start with 'arn:': not-a-valid-arn")
	indexARN := "arn:aws:dynamodb:us-east-1:000000000000:table/prov/index/gsi"
	_, err = c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(indexARN)})
	wantDDBError(t, "ListTagsOfResource on an index ARN", err, "ValidationException",
		"One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: "+indexARN)
	_, err = c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:prov")})
	wantDDBError(t, "ListTagsOfResource on a malformed ARN", err, "ValidationException",
		"Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:000000000000:prov")
}

// TestDynamoDBConformanceThroughputHistory follows the aws CLI's
// update-table example: a table switched from on-demand to provisioned
// keeps a BillingModeSummary naming when it was last on demand, and its
// ProvisionedThroughput says when the units last rose and fell.
func TestDynamoDBConformanceThroughputHistory(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	created := createSimpleTable(t, c, "music", false)
	onDemandSince := aws.ToTime(created.BillingModeSummary.LastUpdateToPayPerRequestDateTime)
	up, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("music"), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(15), WriteCapacityUnits: aws.Int64(10)}})
	mustOK(t, "UpdateTable to provisioned", err)
	d := up.TableDescription
	if b := d.BillingModeSummary; b == nil || b.BillingMode != types.BillingModeProvisioned || !aws.ToTime(b.LastUpdateToPayPerRequestDateTime).Equal(onDemandSince) {
		t.Errorf("BillingModeSummary = %+v, want PROVISIONED, last on demand at %v", b, onDemandSince)
	}
	pt := d.ProvisionedThroughput
	if pt.LastIncreaseDateTime == nil || pt.LastDecreaseDateTime != nil || aws.ToInt64(pt.NumberOfDecreasesToday) != 0 {
		t.Errorf("after an increase: ProvisionedThroughput = %+v, want LastIncreaseDateTime only", pt)
	}
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = time.Millisecond })
	mustOK(t, "waiting for ACTIVE", w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("music")}, 30*time.Second))
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("music"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(10)}})
	mustOK(t, "UpdateTable down", err)
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("music")})
	mustOK(t, "DescribeTable", err)
	pt = desc.Table.ProvisionedThroughput
	if pt.LastIncreaseDateTime == nil || pt.LastDecreaseDateTime == nil || aws.ToInt64(pt.NumberOfDecreasesToday) != 1 {
		t.Errorf("after a decrease: ProvisionedThroughput = %+v, want both dates and 1 decrease today", pt)
	}

	// A table created provisioned has neither dates nor a summary.
	createProvisionedTable(t, c, "always")
	desc, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("always")})
	mustOK(t, "DescribeTable", err)
	if desc.Table.BillingModeSummary != nil || desc.Table.ProvisionedThroughput.LastIncreaseDateTime != nil {
		t.Errorf("a table created provisioned: BillingModeSummary %+v, ProvisionedThroughput %+v", desc.Table.BillingModeSummary, desc.Table.ProvisionedThroughput)
	}
}

func TestDynamoDBConformanceBatchGetSizeLimit(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "bulky", false)
	const maxItem = 400 * 1024
	const n = 42
	keys := make([]ddbItem, n)
	for i := range keys {
		keys[i] = ddbItem{"pk": avS(fmt.Sprintf("k%02d", i))}
		// pk (2) + kNN (3) + d (1) + the value: exactly 400 KB.
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bulky"),
			Item: withAttrs(keys[i], ddbItem{"d": avS(strings.Repeat("x", maxItem-6))})})
		mustOK(t, "PutItem", err)
	}
	out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"bulky": {Keys: keys, ProjectionExpression: aws.String("pk")},
	}})
	mustOK(t, "BatchGetItem of 42 items of 400 KB", err)
	// 40 items of 400 KB fit in 16 MB; the other keys come back unprocessed,
	// with the projection they were asked with.
	left := out.UnprocessedKeys["bulky"]
	if got := len(out.Responses["bulky"]); got != 40 {
		t.Errorf("items returned = %d, want 40", got)
	}
	if len(left.Keys) != n-40 || aws.ToString(left.ProjectionExpression) != "pk" {
		t.Fatalf("UnprocessedKeys = %d keys, projection %q; want %d keys, projection pk", len(left.Keys), aws.ToString(left.ProjectionExpression), n-40)
	}
	again, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"bulky": left}})
	mustOK(t, "BatchGetItem of the unprocessed keys", err)
	if got := len(again.Responses["bulky"]); got != n-40 || len(again.UnprocessedKeys) != 0 {
		t.Errorf("retry returned %d items and %d unprocessed tables, want %d and 0", got, len(again.UnprocessedKeys), n-40)
	}
}

// wantCollections asserts ItemCollectionMetrics of a request of several
// writes: only the table "indexed", one entry per partition key, in order.
func wantCollections(t *testing.T, what string, got map[string][]types.ItemCollectionMetrics, pks ...string) {
	t.Helper()
	if len(got) != 1 || len(got["indexed"]) != len(pks) {
		t.Fatalf("%s: ItemCollectionMetrics = %v, want the collections %v of table indexed", what, got, pks)
	}
	for i, m := range got["indexed"] {
		wantItem(t, what+" ItemCollectionKey", m.ItemCollectionKey, ddbItem{"pk": avS(pks[i])})
		if len(m.SizeEstimateRangeGB) != 2 || m.SizeEstimateRangeGB[0] != 0 || m.SizeEstimateRangeGB[1] != 1 {
			t.Errorf("%s: SizeEstimateRangeGB = %v, want [0 1]", what, m.SizeEstimateRangeGB)
		}
	}
}

// createProvisionedTable creates a table keyed by the string pk with 5
// read and 5 write capacity units.
func createProvisionedTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:             aws.String(name),
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             keySchema("pk", ""),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
	})
	mustOK(t, "CreateTable "+name, err)
}
