package e2e

// Which wording DynamoDB gives an error it finds reading the request (a
// value, an expression, a legacy condition), which depends on the
// operation, and that it finds those before it looks the table up.
// Expected messages are real DynamoDB's.

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceValueLayers(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "layers", false)
	const table = "layers"
	const notNumeric = "The parameter cannot be converted to a numeric value"
	const overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	const underflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	numbers := []string{"abc", "", "1e126", "1e2147483647"}
	current := []string{notNumeric + ": abc", notNumeric + ": ", overflow, overflow}
	older := []string{notNumeric + ": abc", notNumeric, overflow, underflow}

	for i, n := range numbers {
		// PutItem, UpdateItem and DeleteItem: the newer wording, enveloped.
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: ddbItem{"pk": avS("a"), "n": avN(n)}})
		wantDDBError(t, "PutItem N "+n, err, "ValidationException", oneViolation+current[i])
		_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: ddbItem{"pk": avS("a")},
			UpdateExpression: aws.String("SET n = :v"), ExpressionAttributeValues: ddbItem{":v": avN(n)}})
		wantDDBError(t, "UpdateItem value N "+n, err, "ValidationException", oneViolation+current[i])
		_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbItem{"pk": avS("a")},
			ConditionExpression: aws.String("n = :v"), ExpressionAttributeValues: ddbItem{":v": avN(n)}})
		wantDDBError(t, "DeleteItem value N "+n, err, "ValidationException", oneViolation+current[i])
		// GetItem and Query: the newer wording, bare.
		_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbItem{"pk": avN(n)}})
		wantDDBError(t, "GetItem key N "+n, err, "ValidationException", current[i])
		_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :p"),
			FilterExpression: aws.String("n = :v"), ExpressionAttributeValues: ddbItem{":p": avS("a"), ":v": avN(n)}})
		wantDDBError(t, "Query filter value N "+n, err, "ValidationException", current[i])
		// BatchWriteItem: the older wording; Scan names an expression value.
		_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
			table: {{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avS("a"), "n": avN(n)}}}},
		}})
		wantDDBError(t, "BatchWriteItem N "+n, err, "ValidationException", older[i])
		_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), FilterExpression: aws.String("n = :v"), ExpressionAttributeValues: ddbItem{":v": avN(n)}})
		wantDDBError(t, "Scan filter value N "+n, err, "ValidationException",
			"ExpressionAttributeValues contains invalid value: "+older[i]+" for key :v")
	}

	// Duplicate set members: the newer layer quotes the members, sorted up
	// to the repeat; the older one prints them as sent.
	const invalid = "One or more parameter values were invalid: "
	sets := []types.AttributeValue{avSS("b", "a", "b"), avBS([]byte{0xff}, []byte{0}, []byte{0}), avNS("2", "1", "2")}
	currentDup := []string{
		invalid + `Input collection ["a", "b", "b"] contains duplicates.`,
		invalid + `Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`,
		invalid + "Input collection contains duplicates.",
	}
	olderDup := []string{
		invalid + "Input collection [b, a, b] contains duplicates.",
		invalid + "Input collection [/w==, AA==, AA==]of type BS contains duplicates.",
		"Input collection contains duplicates",
	}
	for i, set := range sets {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: ddbItem{"pk": avS("d"), "s": set}})
		wantDDBError(t, "PutItem duplicate set", err, "ValidationException", oneViolation+currentDup[i])
		_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbItem{"pk": set}})
		wantDDBError(t, "GetItem duplicate set key", err, "ValidationException", currentDup[i])
		_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
			table: {{DeleteRequest: &types.DeleteRequest{Key: ddbItem{"pk": set}}}},
		}})
		wantDDBError(t, "BatchWriteItem duplicate set key", err, "ValidationException", olderDup[i])
	}
}

func TestDynamoDBConformanceRequestEnvelope(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "envelope", false)
	key := ddbItem{"pk": avS("a")}
	del := func(f func(in *dynamodb.DeleteItemInput)) error {
		in := &dynamodb.DeleteItemInput{TableName: aws.String("envelope"), Key: key}
		f(in)
		_, err := c.DeleteItem(ctx, in)
		return err
	}
	const invalid = "One or more parameter values were invalid: "
	for _, tc := range []struct {
		name string
		f    func(in *dynamodb.DeleteItemInput)
		msg  string
	}{
		{"values without an expression", func(in *dynamodb.DeleteItemInput) { in.ExpressionAttributeValues = ddbItem{":v": avS("x")} },
			"ExpressionAttributeValues can only be specified when using expressions"},
		{"names beside Expected", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(false)}}
			in.ExpressionAttributeNames = map[string]string{"#a": "a"}
		}, "ExpressionAttributeNames can only be specified when using expressions"},
		{"empty values map", func(in *dynamodb.DeleteItemInput) {
			in.ConditionExpression, in.ExpressionAttributeValues = aws.String("attribute_exists(a)"), ddbItem{}
		}, "ExpressionAttributeValues must not be empty"},
		{"empty condition", func(in *dynamodb.DeleteItemInput) { in.ConditionExpression = aws.String("") },
			"Invalid ConditionExpression: The expression can not be empty;"},
		{"ReturnValues ALL_NEW", func(in *dynamodb.DeleteItemInput) { in.ReturnValues = types.ReturnValueAllNew },
			"ReturnValues can only be ALL_OLD or NONE"},
		{"Exists true without Value", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(true)}}
		}, invalid + "Value must be provided when Exists is true for Attribute: a"},
		{"neither Exists nor Value", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {}}
		}, invalid + "Value must be provided when Exists is null for Attribute: a"},
		{"AttributeValueList without an operator", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {AttributeValueList: []types.AttributeValue{avS("x")}}}
		}, invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"Exists with an operator", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(true), ComparisonOperator: types.ComparisonOperatorLt}}
		}, invalid + "Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{"AttributeValueList with Exists", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(true), AttributeValueList: []types.AttributeValue{avS("x")}}}
		}, invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"Exists false with Value", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {Exists: aws.Bool(false), Value: avS("x")}}
		}, invalid + "Value cannot be used when Exists is false for Attribute: a"},
		{"Value beside AttributeValueList", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {Value: avS("x"), ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{avS("x")}}}
		}, invalid + "Value and AttributeValueList cannot be used together for Attribute: a"},
		{"operator without a value", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {ComparisonOperator: types.ComparisonOperatorEq}}
		}, invalid + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{"BETWEEN with one value", func(in *dynamodb.DeleteItemInput) {
			in.Expected = map[string]types.ExpectedAttributeValue{"a": {ComparisonOperator: types.ComparisonOperatorBetween, AttributeValueList: []types.AttributeValue{avS("x")}}}
		}, invalid + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
	} {
		wantDDBError(t, "DeleteItem "+tc.name, del(tc.f), "ValidationException", oneViolation+tc.msg)
	}

	// Checks against the table are not enveloped.
	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("envelope"), Key: key,
		UpdateExpression: aws.String("SET pk = :v"), ExpressionAttributeValues: ddbItem{":v": avS("b")}})
	wantDDBError(t, "update of a key attribute", err, "ValidationException",
		invalid+"Cannot update attribute pk. This attribute is part of the key")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("envelope"), Item: ddbItem{"pk": avS("")}})
	wantDDBError(t, "empty key value", err, "ValidationException",
		"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("envelope"), Key: key,
		UpdateExpression: aws.String("SET b = :w"), ConditionExpression: aws.String("a = :v"), ExpressionAttributeValues: ddbItem{":w": avS("x")}})
	wantDDBError(t, "undefined condition value", err, "ValidationException",
		oneViolation+"Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v")
}

func TestDynamoDBConformanceRequestBeforeTable(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	const absent = "absent_table"

	// A malformed request is refused as such before the table is looked up.
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(absent), Item: ddbItem{"pk": avS("a")}, ConditionExpression: aws.String("a = = b")})
	wantDDBError(t, "PutItem syntax error", err, "ValidationException",
		oneViolation+`Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"`)
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(absent), KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :n)"),
		ExpressionAttributeValues: ddbItem{":p": avS("q"), ":n": avN("1")}})
	wantDDBError(t, "Query operand type", err, "ValidationException",
		"Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(absent), KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :s)"),
		ExpressionAttributeValues: ddbItem{":p": avS("q"), ":s": avS("a")}})
	wantDDBError(t, "Query well formed", err, "ResourceNotFoundException", "Requested resource not found")
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(absent), FilterExpression: aws.String("a = :v"), ExpressionAttributeValues: ddbItem{":v": avS("x"), ":u": avS("y")}})
	wantDDBError(t, "Scan unused value", err, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}")
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(absent), Key: ddbItem{"pk": avS("a")}, ProjectionExpression: aws.String("a, a")})
	wantDDBError(t, "GetItem overlapping paths", err, "ValidationException",
		"Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]")

	// So is an item over 400 KB (names and values counted), and one byte
	// less is well formed.
	const maxItem = 400 * 1024
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(absent),
		Item: ddbItem{"pk": avS("a"), "b": avS(strings.Repeat("x", maxItem-len("pka")-len("b")+1))}})
	wantDDBError(t, "PutItem too large", err, "ValidationException", "Item size has exceeded the maximum allowed size")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(absent),
		Item: ddbItem{"pk": avS("a"), "b": avS(strings.Repeat("x", maxItem-len("pka")-len("b")))}})
	wantDDBError(t, "PutItem largest", err, "ResourceNotFoundException", "Requested resource not found")

	// The batch operations read every table's requests first, each in its
	// own layer's wording.
	batchWrite := func(r types.WriteRequest) error {
		_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{absent: {r}}})
		return err
	}
	put := func(it ddbItem) types.WriteRequest {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	for _, tc := range []struct {
		name, msg string
		r         types.WriteRequest
	}{
		{"bad number", "The parameter cannot be converted to a numeric value: b", put(ddbItem{"pk": avN("b")})},
		{"too large", "Item size has exceeded the maximum allowed size", put(ddbItem{"pk": avS("a"), "b": avS(strings.Repeat("x", maxItem))})},
		{"duplicate key set", "Input collection contains duplicates",
			types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: ddbItem{"pk": avNS("1", "1")}}}},
		{"neither put nor delete", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes", types.WriteRequest{}},
	} {
		wantDDBError(t, "BatchWriteItem "+tc.name, batchWrite(tc.r), "ValidationException", tc.msg)
	}
	wantDDBError(t, "BatchWriteItem well formed", batchWrite(put(ddbItem{"pk": avS("a")})), "ResourceNotFoundException", "Requested resource not found")
	batchGet := func(ka types.KeysAndAttributes) error {
		_, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{absent: ka}})
		return err
	}
	wantDDBError(t, "BatchGetItem bad number", batchGet(types.KeysAndAttributes{Keys: []ddbItem{{"pk": avN("1e126")}}}), "ValidationException",
		"Number overflow. Attempting to store a number with magnitude larger than supported range")
	wantDDBError(t, "BatchGetItem duplicate AttributesToGet", batchGet(types.KeysAndAttributes{Keys: []ddbItem{{"pk": avS("a")}}, AttributesToGet: []string{"a", "a"}}),
		"ValidationException", "One or more parameter values were invalid: Duplicate value in attribute name: a")
	wantDDBError(t, "BatchGetItem well formed", batchGet(types.KeysAndAttributes{Keys: []ddbItem{{"pk": avS("a")}}}), "ResourceNotFoundException", "Requested resource not found")
}
