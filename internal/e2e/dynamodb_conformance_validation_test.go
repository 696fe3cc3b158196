package e2e

// How DynamoDB reports constraint violations the model alone does not
// describe: the item operations' table name rules, the order it lists
// some enums' values in, which violation it reports alone, and the batch
// operations' own sentences. Expected messages are real DynamoDB's.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// uncheckedClient is a DynamoDB client without the SDK's own check of
// required members, so that requests can leave them out as other clients
// do and DynamoDB's answer is what the test sees.
func uncheckedClient(env *Env) *dynamodb.Client {
	return dynamodb.NewFromConfig(env.Config, func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			_, err := s.Initialize.Remove("OperationInputValidation")
			return err
		})
	})
}

const oneViolation = "1 validation error detected: "

func TestDynamoDBConformanceItemTableNames(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "names", false)
	item := ddbItem{"pk": avS("a")}

	// A missing table name is a plain violation on the item operations,
	// and DynamoDB's own sentence on CreateTable.
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{Item: item})
	wantDDBError(t, "PutItem without TableName", err, "ValidationException",
		oneViolation+"Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            keySchema("pk", ""),
		BillingMode:          types.BillingModePayPerRequest,
	})
	wantDDBError(t, "CreateTable without TableName", err, "ValidationException",
		"The parameter 'TableName' is required but was not present in the request")

	// The item operations take names of 1 to 255 characters; an empty name
	// fails its length alone, and stops validation there.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(""), Item: ddbItem{}, ReturnValues: "INVALID"})
	wantDDBError(t, "PutItem with an empty name", err, "ValidationException",
		oneViolation+"Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1")
	long := strings.Repeat("a", 256)
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(long), Item: item})
	wantDDBError(t, "PutItem with a 256-character name", err, "ValidationException",
		oneViolation+"Value '"+long+"' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255")
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("x!"), Key: ddbItem{}})
	wantDDBError(t, "DeleteItem with a bad name", err, "ValidationException",
		oneViolation+"Value 'x!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ab"), Key: item})
	wantDDBError(t, "GetItem on a two-character name", err, "ResourceNotFoundException", "Requested resource not found")

	// CreateTable keeps its 3-character minimum.
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("ab"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            keySchema("pk", ""),
		BillingMode:          types.BillingModePayPerRequest,
	})
	wantDDBError(t, "CreateTable with a short name", err, "ValidationException",
		oneViolation+"Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")

	// Enums outside their values, listed in DynamoDB's order.
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("names"), Key: item, ReturnValues: "INVALID", ReturnConsumedCapacity: "INVALID"})
	wantDDBError(t, "DeleteItem with two bad enums", err, "ValidationException",
		"2 validation errors detected: Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "+
			"Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("badtype"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "INVALID"}},
		KeySchema:            keySchema("pk", ""),
		BillingMode:          types.BillingModePayPerRequest,
	})
	wantDDBError(t, "CreateTable with a bad attribute type", err, "ValidationException",
		oneViolation+"Value 'INVALID' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")
}

func TestDynamoDBConformanceUpdateItemViolations(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	set := &dynamodb.UpdateItemInput{UpdateExpression: aws.String("SET a = :a"), ExpressionAttributeValues: ddbItem{":a": avS("x")}}
	with := func(f func(in *dynamodb.UpdateItemInput)) *dynamodb.UpdateItemInput {
		in := *set
		f(&in)
		return &in
	}
	const emptyName = "Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1"
	const noKey = "Value null at 'key' failed to satisfy constraint: Member must not be null"

	// With its Key, UpdateItem stops at an unknown ReturnValues.
	_, err := c.UpdateItem(ctx, with(func(in *dynamodb.UpdateItemInput) {
		in.TableName, in.Key = aws.String("absent"), ddbItem{"pk": avS("a")}
		in.ReturnValues, in.ReturnConsumedCapacity = "INVALID", "INVALID"
	}))
	wantDDBError(t, "two bad enums", err, "ValidationException",
		oneViolation+"Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")

	// Without it, every member is reported, in DynamoDB's order.
	_, err = c.UpdateItem(ctx, with(func(in *dynamodb.UpdateItemInput) { in.TableName = aws.String("") }))
	wantDDBError(t, "empty name, no key", err, "ValidationException", "2 validation errors detected: "+emptyName+"; "+noKey)
	_, err = c.UpdateItem(ctx, with(func(in *dynamodb.UpdateItemInput) {
		in.TableName, in.ReturnConsumedCapacity, in.ReturnValues = aws.String(""), "INVALID", "INVALID"
	}))
	wantDDBError(t, "enums, empty name, no key", err, "ValidationException", "4 validation errors detected: "+
		"Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "+
		emptyName+"; "+
		"Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "+noKey)
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String("absent"),
		AttributeUpdates:    map[string]types.AttributeValueUpdate{"x": {Action: types.AttributeActionPut, Value: avS("1")}},
		Expected:            map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(false)}, "b": {Exists: aws.Bool(false)}},
		ConditionalOperator: "XOR",
	})
	wantDDBError(t, "XOR, no key", err, "ValidationException", "2 validation errors detected: "+
		"Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]; "+noKey)
}

func TestDynamoDBConformanceReadViolations(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "reads", true)
	kc := &dynamodb.QueryInput{
		TableName:                 aws.String("reads"),
		KeyConditionExpression:    aws.String("pk = :v"),
		ExpressionAttributeValues: ddbItem{":v": avS("a")},
	}

	// Query's Limit is checked by the newer layer, which names the member
	// without echoing it; Scan's by the older one.
	q := *kc
	q.Limit = aws.Int32(0)
	_, err := c.Query(ctx, &q)
	wantDDBError(t, "Query Limit 0", err, "ValidationException",
		oneViolation+"Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("reads"), Limit: aws.Int32(0)})
	wantDDBError(t, "Scan Limit 0", err, "ValidationException",
		oneViolation+"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")

	q = *kc
	q.Select = "INVALID_VALUE"
	_, err = c.Query(ctx, &q)
	wantDDBError(t, "Query with a bad Select", err, "ValidationException",
		oneViolation+"Value 'INVALID_VALUE' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")

	// An unknown ConditionalOperator is reported bare and alone, in
	// DynamoDB's own (mistaken) list of values.
	_, err = c.Query(ctx, &dynamodb.QueryInput{
		TableName:           aws.String("absent"),
		KeyConditions:       map[string]types.Condition{"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{avS("a")}}},
		QueryFilter:         map[string]types.Condition{"b": {ComparisonOperator: types.ComparisonOperatorNull}, "c": {ComparisonOperator: types.ComparisonOperatorNull}},
		ConditionalOperator: "XOR",
		Select:              "BOGUS",
	})
	wantDDBError(t, "Query with XOR", err, "ValidationException", "Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]")
}

func TestDynamoDBConformanceBatchViolations(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := uncheckedClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "batch", false)
	const rcc = "Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"

	_, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{}})
	wantDDBError(t, "BatchGetItem without requests", err, "ValidationException", "The requestItems parameter is required for BatchGetItem")
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{}})
	wantDDBError(t, "BatchWriteItem without requests", err, "ValidationException", "The requestItems parameter is required for BatchWriteItem")

	keys := make([]ddbItem, 101)
	for i := range keys {
		keys[i] = ddbItem{"pk": avS(fmt.Sprint(i))}
	}
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"batch": {Keys: keys}}})
	wantDDBError(t, "101 keys for one table", err, "ValidationException",
		oneViolation+"Value at 'RequestItems.batch.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100")

	// A key of RequestItems that is no table name is reported against the
	// whole map, echoed as JSON, beside the other members' violations.
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
		RequestItems:           map[string]types.KeysAndAttributes{"bad!name": {Keys: []ddbItem{{"pk": avS("a")}}}},
		ReturnConsumedCapacity: "BOGUS",
	})
	wantDDBError(t, "BatchGetItem with a bad table name", err, "ValidationException",
		`2 validation errors detected: Value '{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}' at 'requestItems' failed to satisfy constraint: `+
			"Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]; "+rcc)

	// More than 25 writes for a table: the whole map, in its Java form.
	reqs := make([]types.WriteRequest, 26)
	for i := range reqs {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avS(fmt.Sprint(i))}}}
	}
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": reqs}})
	_, msg := ddbErrorOf(t, "26 writes", err)
	re := regexp.MustCompile(`(?s)^1 validation error detected: Value '\{batch=\[.+\]\}' at 'requestItems' failed to satisfy constraint: ` +
		`Map value must satisfy constraint: \[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\]$`)
	if !re.MatchString(msg) {
		t.Errorf("26 writes: message %q", msg)
	}

	// The enum is reported ahead of a missing table.
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
		RequestItems:           map[string][]types.WriteRequest{"absent": {{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avS("a")}}}}},
		ReturnConsumedCapacity: "BOGUS",
	})
	wantDDBError(t, "BatchWriteItem enum before a missing table", err, "ValidationException", oneViolation+rcc)
}

// Attribute names are limited to 64 KB exclusive: 65,535 bytes are
// accepted, and one more is refused wherever a name is given, in an item,
// in ExpressionAttributeNames, or in the legacy parameters.
func TestDynamoDBConformanceAttributeNameLength(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "names", false)
	long := strings.Repeat("n", 65535)
	tooLong := long + "n"
	key := ddbItem{"pk": avS("a")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("names"), Item: ddbItem{"pk": avS("a"), long: avN("1")}}); err != nil {
		t.Fatalf("PutItem with a 65,535-byte name: %v", err)
	}
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("names"), Key: key,
		UpdateExpression: aws.String("SET #n = #n + :one"), ExpressionAttributeNames: map[string]string{"#n": long},
		ExpressionAttributeValues: ddbItem{":one": avN("1")}}); err != nil {
		t.Fatalf("UpdateItem of a 65,535-byte name: %v", err)
	}

	const msg = "Attribute name is too large, must be less than 65536 bytes"
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("names"), Item: ddbItem{"pk": avS("a"), tooLong: avN("1")}})
	wantDDBErrorContains(t, "an item's name", err, "ValidationException", msg)
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("names"),
		Item: ddbItem{"pk": avS("a"), "m": &types.AttributeValueMemberM{Value: ddbItem{tooLong: avN("1")}}}})
	wantDDBErrorContains(t, "a nested map's name", err, "ValidationException", msg)
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("names"), Key: key,
		ProjectionExpression: aws.String("#n"), ExpressionAttributeNames: map[string]string{"#n": tooLong}})
	wantDDBErrorContains(t, "a projected name", err, "ValidationException", msg)
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("names"), Key: key, AttributesToGet: []string{tooLong}})
	wantDDBErrorContains(t, "AttributesToGet", err, "ValidationException", msg)
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("names"), Key: key,
		AttributeUpdates: map[string]types.AttributeValueUpdate{tooLong: {Value: avN("2"), Action: types.AttributeActionPut}}})
	wantDDBErrorContains(t, "AttributeUpdates", err, "ValidationException", msg)
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("names"), Key: key,
		UpdateExpression: aws.String("SET a = :v"), ConditionExpression: aws.String("#n = :v"),
		ExpressionAttributeNames: map[string]string{"#n": tooLong}, ExpressionAttributeValues: ddbItem{":v": avN("1")}})
	wantDDBErrorContains(t, "a condition's name", err, "ValidationException", msg)
}
