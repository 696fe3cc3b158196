package e2e

// The order in which DynamoDB reads a Scan's or Query's request, so that a
// request with several faults is answered with the first of them, and the
// rule that no expression looks inside a key attribute. Expected messages
// are real DynamoDB's.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceScanReadOrder(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	const invalid = "One or more parameter values were invalid: "
	const startKey = "The provided starting key is invalid: "
	eq := func(vs ...types.AttributeValue) map[string]types.Condition {
		return map[string]types.Condition{"a": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: vs}}
	}
	// Segment without TotalSegments is a fault each request below also has:
	// DynamoDB reports it only once the legacy parameters and the
	// ExclusiveStartKey have been read.
	for _, tc := range []struct {
		name string
		in   dynamodb.ScanInput
		code string
		msg  string
	}{
		{"AttributesToGet before ScanFilter", dynamodb.ScanInput{
			AttributesToGet: []string{"a", "a"}, ScanFilter: eq(avSS())},
			"ValidationException", invalid + "Duplicate value in attribute name: a"},
		{"ScanFilter values before their number", dynamodb.ScanInput{
			ScanFilter: eq(avN("1"), avSS())},
			"ValidationException", invalid + "An string set  may not be empty"},
		{"ScanFilter before ExclusiveStartKey", dynamodb.ScanInput{
			ScanFilter: eq(avS("a"), avS("b")), ExclusiveStartKey: ddbItem{"a": avSS()}},
			"ValidationException", invalid + "Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"ExclusiveStartKey value shape", dynamodb.ScanInput{
			ExclusiveStartKey: ddbItem{"a": avSS()}},
			"ValidationException", startKey + invalid + "An string set  may not be empty"},
		{"ExclusiveStartKey numbers", dynamodb.ScanInput{
			ExclusiveStartKey: ddbItem{"a": avNS("1", "1")}},
			"ValidationException", "Input collection contains duplicates"},
		{"segments before expressions", dynamodb.ScanInput{
			FilterExpression: aws.String(""), ExpressionAttributeNames: map[string]string{}},
			"ValidationException", "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
		{"names without an expression before the legacy parameters", dynamodb.ScanInput{
			AttributesToGet: []string{"a", "a"}, ExpressionAttributeNames: map[string]string{}, ExpressionAttributeValues: ddbItem{}},
			"ValidationException", "ExpressionAttributeNames can only be specified when using expressions"},
	} {
		in := tc.in
		in.TableName, in.Segment = aws.String("no-such-table"), aws.Int32(1)
		_, err := c.Scan(ctx, &in)
		wantDDBError(t, tc.name, err, tc.code, tc.msg)
	}

	// With every fault gone but the segments, the missing table is next.
	_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("no-such-table"), ExclusiveStartKey: ddbItem{"a": avS("x")}})
	wantDDBError(t, "missing table", err, "ResourceNotFoundException", "Requested resource not found")

	// Query reads its ExclusiveStartKey before it finds the table, and so
	// before it can tell a condition on its key is not indexable.
	_, err = c.Query(ctx, &dynamodb.QueryInput{
		TableName:         aws.String("no-such-table"),
		KeyConditions:     map[string]types.Condition{"a": {ComparisonOperator: types.ComparisonOperatorNull}},
		ExclusiveStartKey: ddbItem{"a": avBS()},
	})
	wantDDBError(t, "Query ExclusiveStartKey", err, "ValidationException", startKey+invalid+"Binary sets should not be empty")
}

func TestDynamoDBConformanceIndexStartKey(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	S := types.ScalarAttributeTypeS
	createTable(t, c, tableSpec{Name: "esk", Attrs: map[string]types.ScalarAttributeType{"a": S, "b": S, "c": S},
		Hash: "a", Range: "b",
		LSIs: []indexSpec{{Name: "local", Hash: "a", Range: "c", Projection: types.ProjectionTypeAll}},
		GSIs: []indexSpec{{Name: "global", Hash: "c", Projection: types.ProjectionTypeAll}},
	})
	const bad = "The provided starting key is invalid: The provided key element does not match the schema"
	// A starting key is the table's key attributes and the index's, and
	// nothing else.
	for _, tc := range []struct {
		index string
		key   ddbItem
	}{
		{"local", ddbItem{"a": avS("1"), "b": avS("1"), "c": avS("1"), "d": avS("1")}},
		{"global", ddbItem{"a": avS("1"), "b": avS("1"), "c": avS("1"), "z": avS("1")}},
		{"global", ddbItem{"a": avS("1"), "b": avS("1")}},
	} {
		_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("esk"), IndexName: aws.String(tc.index), ExclusiveStartKey: tc.key})
		wantDDBError(t, "Scan "+tc.index+" with "+itemText(tc.key), err, "ValidationException", bad)
	}
	for _, index := range []string{"local", "global"} {
		_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("esk"), IndexName: aws.String(index),
			ExclusiveStartKey: ddbItem{"a": avS("1"), "b": avS("1"), "c": avS("1")}})
		mustOK(t, "Scan "+index+" from a whole key", err)
	}
}

func TestDynamoDBConformanceScalarKeyPaths(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	S := types.ScalarAttributeTypeS
	createTable(t, c, tableSpec{Name: "paths", Attrs: map[string]types.ScalarAttributeType{"a": S, "b": S, "g": S},
		Hash: "a", Range: "b",
		GSIs: []indexSpec{{Name: "byg", Hash: "g", Projection: types.ProjectionTypeAll}},
	})
	putItem(t, c, "paths", ddbItem{"a": avS("1"), "b": avS("1"), "g": avS("x")})
	const msg = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
	names := map[string]string{"#a": "a"}
	key := ddbItem{"a": avS("1"), "b": avS("1")}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"Scan filter into the partition key", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("paths"), FilterExpression: aws.String("attribute_exists(#a.b.c)"), ExpressionAttributeNames: names})
			return err
		}, msg + "Key: a"},
		{"Scan projection into the sort key", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("paths"), ProjectionExpression: aws.String("b[0]")})
			return err
		}, msg + "Key: b"},
		{"Scan filter into an index key", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("paths"), FilterExpression: aws.String("g.x = :v"),
				ExpressionAttributeValues: ddbItem{":v": avS("x")}})
			return err
		}, msg + "IndexKey: g"},
		{"Query filter into an index key", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("paths"), KeyConditionExpression: aws.String("a = :a"),
				FilterExpression: aws.String("g[1] = :v"), ExpressionAttributeValues: ddbItem{":a": avS("1"), ":v": avS("x")}})
			return err
		}, msg + "IndexKey: g"},
		{"GetItem projection into the partition key", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("paths"), Key: key, ProjectionExpression: aws.String("#a[0]"), ExpressionAttributeNames: names})
			return err
		}, msg + "Key: a"},
		{"UpdateItem into an index key", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("paths"), Key: key, UpdateExpression: aws.String("SET g.x = :v"),
				ExpressionAttributeValues: ddbItem{":v": avS("x")}})
			return err
		}, msg + "IndexKey: g"},
	} {
		wantDDBError(t, tc.name, tc.call(), "ValidationException", tc.want)
	}
	_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("paths"), ProjectionExpression: aws.String("a, g")})
	mustOK(t, "Scan projecting key attributes whole", err)
}

// DynamoDB checks how a request's parameters are combined before it
// reads an item or key: a request mixing expression and legacy
// parameters, or sending placeholders beside legacy parameters only, is
// refused as such even when its item or key is itself invalid.
func TestDynamoDBConformanceStyleBeforeValues(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	const mixed = "Can not use both expression and non-expression parameters in the same request: "
	const namesAlone = "ExpressionAttributeNames can only be specified when using expressions"
	const valuesAlone = "ExpressionAttributeValues can only be specified when using expressions"
	bad := ddbItem{"a": avSS()}
	table := aws.String("no-such-table")
	expected := map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(false)}}
	for _, tc := range []struct {
		name string
		call func() error
		msg  string
	}{
		{"PutItem mixed", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: bad, Expected: expected, ConditionExpression: aws.String("")})
			return err
		}, oneViolation + mixed + "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"},
		{"PutItem names beside Expected", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: bad, Expected: expected, ExpressionAttributeNames: map[string]string{}})
			return err
		}, oneViolation + namesAlone},
		{"DeleteItem values beside Expected", func() error {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: bad, Expected: expected, ExpressionAttributeValues: ddbItem{}})
			return err
		}, oneViolation + valuesAlone},
		{"UpdateItem mixed", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: bad, UpdateExpression: aws.String("SET b = :b"),
				AttributeUpdates: map[string]types.AttributeValueUpdate{"b": {Action: types.AttributeActionDelete}}})
			return err
		}, oneViolation + mixed + "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"},
		{"GetItem mixed", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: bad, AttributesToGet: []string{"a"}, ProjectionExpression: aws.String("")})
			return err
		}, mixed + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"},
		{"GetItem names beside AttributesToGet", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: bad, AttributesToGet: []string{"a"}, ExpressionAttributeNames: map[string]string{}})
			return err
		}, namesAlone},
	} {
		wantDDBError(t, tc.name, tc.call(), "ValidationException", tc.msg)
	}
}

// UpdateTable refuses a malformed request before it looks the table up.
func TestDynamoDBConformanceUpdateTableRequestFirst(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	const invalid = "One or more parameter values were invalid: "
	huge := aws.Int64(1_000_000_001_000)
	pt := func(r, w *int64) *types.ProvisionedThroughput {
		return &types.ProvisionedThroughput{ReadCapacityUnits: r, WriteCapacityUnits: w}
	}
	update := func(name string, p *types.ProvisionedThroughput) types.GlobalSecondaryIndexUpdate {
		return types.GlobalSecondaryIndexUpdate{Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String(name), ProvisionedThroughput: p}}
	}
	drop := types.GlobalSecondaryIndexUpdate{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("idx")}}
	for _, tc := range []struct {
		name string
		in   dynamodb.UpdateTableInput
		msg  string
	}{
		{"table capacity", dynamodb.UpdateTableInput{ProvisionedThroughput: pt(aws.Int64(1), huge)},
			"Given value 1000000001000 for WriteCapacityUnits is out of bounds"},
		{"index capacity", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{update("idx", pt(huge, aws.Int64(1)))}},
			"Given value 1000000001000 for ReadCapacityUnits is out of bounds for index idx"},
		{"empty index update", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{}}},
			invalid + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"},
		{"one index twice", dynamodb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{drop, drop}},
			invalid + "Only one global secondary index update per index is allowed simultaneously. Index: idx"},
	} {
		in := tc.in
		in.TableName = aws.String("no-such-table")
		_, err := c.UpdateTable(ctx, &in)
		wantDDBError(t, tc.name, err, "ValidationException", tc.msg)
	}
	_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("no-such-table"), ProvisionedThroughput: pt(aws.Int64(1), aws.Int64(1))})
	wantDDBErrorContains(t, "well-formed update", err, "ResourceNotFoundException", "no-such-table")
}
