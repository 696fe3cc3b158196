package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's legacy (pre-expression) parameters: Expected,
// AttributesToGet, KeyConditions, QueryFilter, ScanFilter,
// AttributeUpdates and ConditionalOperator, and the rule that they do not
// mix with expressions.

func legacyCond(op types.ComparisonOperator, vs ...types.AttributeValue) types.Condition {
	return types.Condition{ComparisonOperator: op, AttributeValueList: vs}
}

func TestDynamoDBLegacyExpected(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	k := ddbKey("e", "1")
	item := withAttrs(k, ddbItem{"n": avN("5"), "s": avS("hello"), "ss": avSS("a", "b")})
	put := func(expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item, Expected: expected, ConditionalOperator: op})
		return err
	}
	failed := func(err error) bool {
		var ccf *types.ConditionalCheckFailedException
		return errors.As(err, &ccf)
	}
	notExists := map[string]types.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}
	mustOK(t, "Exists false on a new item", put(notExists, ""))
	if err := put(notExists, ""); !failed(err) {
		t.Errorf("Exists false on an existing item: %v, want ConditionalCheckFailedException", err)
	}
	mustOK(t, "Exists true with the value", put(map[string]types.ExpectedAttributeValue{"s": {Exists: aws.Bool(true), Value: avS("hello")}}, ""))
	mustOK(t, "Value alone", put(map[string]types.ExpectedAttributeValue{"s": {Value: avS("hello")}}, ""))
	if err := put(map[string]types.ExpectedAttributeValue{"s": {Value: avS("bye")}}, ""); !failed(err) {
		t.Errorf("Value mismatch: %v, want ConditionalCheckFailedException", err)
	}

	type exp = types.ExpectedAttributeValue
	for _, tc := range []struct {
		name     string
		expected map[string]exp
		op       types.ConditionalOperator
		holds    bool
	}{
		{"EQ", map[string]exp{"n": {ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{avN("5")}}}, "", true},
		{"NE", map[string]exp{"n": {ComparisonOperator: "NE", AttributeValueList: []types.AttributeValue{avN("5")}}}, "", false},
		{"LT", map[string]exp{"n": {ComparisonOperator: "LT", AttributeValueList: []types.AttributeValue{avN("6")}}}, "", true},
		{"LE", map[string]exp{"n": {ComparisonOperator: "LE", AttributeValueList: []types.AttributeValue{avN("4")}}}, "", false},
		{"GT", map[string]exp{"n": {ComparisonOperator: "GT", AttributeValueList: []types.AttributeValue{avN("4")}}}, "", true},
		{"GE", map[string]exp{"n": {ComparisonOperator: "GE", AttributeValueList: []types.AttributeValue{avN("5")}}}, "", true},
		{"BETWEEN", map[string]exp{"n": {ComparisonOperator: "BETWEEN", AttributeValueList: []types.AttributeValue{avN("1"), avN("5")}}}, "", true},
		{"IN", map[string]exp{"s": {ComparisonOperator: "IN", AttributeValueList: []types.AttributeValue{avS("x"), avS("hello")}}}, "", true},
		{"BEGINS_WITH", map[string]exp{"s": {ComparisonOperator: "BEGINS_WITH", AttributeValueList: []types.AttributeValue{avS("he")}}}, "", true},
		{"CONTAINS", map[string]exp{"ss": {ComparisonOperator: "CONTAINS", AttributeValueList: []types.AttributeValue{avS("a")}}}, "", true},
		{"NOT_CONTAINS", map[string]exp{"s": {ComparisonOperator: "NOT_CONTAINS", AttributeValueList: []types.AttributeValue{avS("ell")}}}, "", false},
		{"NOT_NULL", map[string]exp{"s": {ComparisonOperator: "NOT_NULL"}}, "", true},
		{"NULL", map[string]exp{"nope": {ComparisonOperator: "NULL"}}, "", true},
		{"NULL on a present attribute", map[string]exp{"n": {ComparisonOperator: "NULL"}}, "", false},
		{"AND of one true and one false", map[string]exp{
			"n": {ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{avN("5")}},
			"s": {ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{avS("bye")}}}, types.ConditionalOperatorAnd, false},
		{"OR of one true and one false", map[string]exp{
			"n": {ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{avN("5")}},
			"s": {ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{avS("bye")}}}, types.ConditionalOperatorOr, true},
		{"OR of two false", map[string]exp{
			"n": {ComparisonOperator: "EQ", AttributeValueList: []types.AttributeValue{avN("6")}},
			"s": {Exists: aws.Bool(false)}}, types.ConditionalOperatorOr, false},
	} {
		err := put(tc.expected, tc.op)
		switch {
		case tc.holds && err != nil:
			t.Errorf("Expected %s: %v, want success", tc.name, err)
		case !tc.holds && !failed(err):
			t.Errorf("Expected %s: %v, want ConditionalCheckFailedException", tc.name, err)
		}
	}
	_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: k,
		Expected: map[string]types.ExpectedAttributeValue{"n": {ComparisonOperator: "GT", AttributeValueList: []types.AttributeValue{avN("100")}}}})
	if !failed(err) {
		t.Errorf("DeleteItem with a failing Expected: %v", err)
	}
	wantItem(t, "item", getItem(t, c, table, k), item)

	wantDDBErrorContains(t, "Exists false with a Value",
		put(map[string]types.ExpectedAttributeValue{"s": {Exists: aws.Bool(false), Value: avS("x")}}, ""), "ValidationException",
		"One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: s")
	wantDDBErrorContains(t, "Exists true without a Value",
		put(map[string]types.ExpectedAttributeValue{"s": {Exists: aws.Bool(true)}}, ""), "ValidationException",
		"One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: s")
	wantDDBErrorContains(t, "BETWEEN with one value",
		put(map[string]types.ExpectedAttributeValue{"n": {ComparisonOperator: "BETWEEN", AttributeValueList: []types.AttributeValue{avN("1")}}}, ""), "ValidationException",
		"One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator")
}

func TestDynamoDBLegacyReadsAndUpdates(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	var items []ddbItem
	for i, s := range []string{"apple", "avocado", "banana", "blueberry", "cherry"} {
		items = append(items, withAttrs(ddbKey("fruit", []string{"1", "2", "3", "4", "5"}[i]), ddbItem{"name_": avS(s), "len": avN([]string{"5", "7", "6", "9", "6"}[i])}))
	}
	batchPut(t, c, table, items)

	// GetItem with AttributesToGet.
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbKey("fruit", "1"), AttributesToGet: []string{"name_", "nope"}})
	mustOK(t, "GetItem AttributesToGet", err)
	wantItem(t, "AttributesToGet", out.Item, ddbItem{"name_": avS("apple")})

	// Query with KeyConditions and QueryFilter.
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditions: map[string]types.Condition{
		"pk": legacyCond("EQ", avS("fruit")), "sk": legacyCond("BETWEEN", avN("2"), avN("5")),
	}, QueryFilter: map[string]types.Condition{"len": legacyCond("GE", avN("7"))}, AttributesToGet: []string{"name_"}})
	mustOK(t, "Query KeyConditions", err)
	wantItems(t, "KeyConditions + QueryFilter", q.Items, []ddbItem{{"name_": avS("avocado")}, {"name_": avS("blueberry")}})
	if q.Count != 2 || q.ScannedCount != 4 {
		t.Errorf("Count %d, ScannedCount %d; want 2, 4", q.Count, q.ScannedCount)
	}
	q, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditions: map[string]types.Condition{
		"pk": legacyCond("EQ", avS("fruit")), "sk": legacyCond("GT", avN("1")),
	}, QueryFilter: map[string]types.Condition{"name_": legacyCond("BEGINS_WITH", avS("b")), "len": legacyCond("EQ", avN("5"))},
		ConditionalOperator: types.ConditionalOperatorOr, ScanIndexForward: aws.Bool(false)})
	mustOK(t, "Query QueryFilter OR", err)
	wantItems(t, "QueryFilter with OR, backwards", q.Items, []ddbItem{items[3], items[2]})
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditions: map[string]types.Condition{
		"pk": legacyCond("EQ", avS("fruit")), "sk": legacyCond("NE", avN("1"))}})
	wantDDBError(t, "KeyConditions with NE", err, "ValidationException", "Attempted conditional constraint is not an indexable operation")

	// Scan with ScanFilter.
	s, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ScanFilter: map[string]types.Condition{
		"len": legacyCond("EQ", avN("6")), "name_": legacyCond("CONTAINS", avS("err")),
	}, ConditionalOperator: types.ConditionalOperatorOr})
	mustOK(t, "Scan ScanFilter", err)
	if s.Count != 3 || s.ScannedCount != 5 {
		t.Errorf("ScanFilter OR: Count %d, ScannedCount %d; want 3 (banana, blueberry, cherry), 5", s.Count, s.ScannedCount)
	}
	s, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ScanFilter: map[string]types.Condition{
		"len": legacyCond("EQ", avN("6")), "name_": legacyCond("CONTAINS", avS("err")),
	}})
	mustOK(t, "Scan ScanFilter", err)
	wantItems(t, "ScanFilter AND", s.Items, []ddbItem{items[4]})

	// UpdateItem with AttributeUpdates: PUT, ADD (number, set, creating),
	// DELETE (from a set, and of a whole attribute).
	k := ddbKey("upd", "1")
	putItem(t, c, table, withAttrs(k, ddbItem{"n": avN("1"), "ss": avSS("a", "b", "c"), "drop": avS("x")}))
	u, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k, ReturnValues: types.ReturnValueAllNew,
		AttributeUpdates: map[string]types.AttributeValueUpdate{
			"p":     {Action: types.AttributeActionPut, Value: avS("put")},
			"dflt":  {Value: avS("default action is PUT")},
			"n":     {Action: types.AttributeActionAdd, Value: avN("41")},
			"fresh": {Action: types.AttributeActionAdd, Value: avN("-3")},
			"ns":    {Action: types.AttributeActionAdd, Value: avNS("1", "2")},
			"ss":    {Action: types.AttributeActionDelete, Value: avSS("a", "c")},
			"drop":  {Action: types.AttributeActionDelete},
		},
		Expected: map[string]types.ExpectedAttributeValue{"n": {Value: avN("1")}}})
	mustOK(t, "UpdateItem AttributeUpdates", err)
	wantItem(t, "after AttributeUpdates", u.Attributes, withAttrs(k, ddbItem{
		"p": avS("put"), "dflt": avS("default action is PUT"), "n": avN("42"), "fresh": avN("-3"), "ns": avNS("1", "2"), "ss": avSS("b"),
	}))
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k,
		AttributeUpdates: map[string]types.AttributeValueUpdate{"pk": {Value: avS("x")}}})
	wantDDBError(t, "AttributeUpdates on the key", err, "ValidationException",
		"One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
}

// TestDynamoDBLegacyMixedWithExpressions: each pair of legacy and
// expression parameters is refused with DynamoDB's message naming both.
func TestDynamoDBLegacyMixedWithExpressions(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	k := ddbKey("m", "1")
	tbl := aws.String(table)
	mixed := func(legacy, expression string) string {
		return "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
			legacy + "} Expression parameters: {" + expression + "}"
	}
	calls := []struct {
		legacy, expression string
		call               func() error
	}{
		{"Expected", "ConditionExpression", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: k,
				Expected: map[string]types.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
			return err
		}},
		{"AttributesToGet", "ProjectionExpression", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: k, AttributesToGet: []string{"a"}, ProjectionExpression: aws.String("a")})
			return err
		}},
		{"AttributeUpdates", "UpdateExpression", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: k, UpdateExpression: aws.String("SET a = :v"),
				ExpressionAttributeValues: ddbItem{":v": avS("v")}, AttributeUpdates: map[string]types.AttributeValueUpdate{"a": {Value: avS("v")}}})
			return err
		}},
		{"KeyConditions", "KeyConditionExpression", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: ddbItem{":p": avS("m")}, KeyConditions: map[string]types.Condition{"pk": legacyCond("EQ", avS("m"))}})
			return err
		}},
		{"QueryFilter", "FilterExpression", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditions: map[string]types.Condition{"pk": legacyCond("EQ", avS("m"))},
				QueryFilter: map[string]types.Condition{"a": legacyCond("NOT_NULL")}, FilterExpression: aws.String("attribute_exists(a)")})
			return err
		}},
		{"ScanFilter", "FilterExpression", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: tbl, ScanFilter: map[string]types.Condition{"a": legacyCond("NOT_NULL")},
				FilterExpression: aws.String("attribute_exists(a)")})
			return err
		}},
	}
	for _, tc := range calls {
		wantDDBErrorContains(t, tc.legacy+" with "+tc.expression, tc.call(), "ValidationException", mixed(tc.legacy, tc.expression))
	}
	// ConditionalOperator needs a legacy condition to join.
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: k, ConditionalOperator: types.ConditionalOperatorOr})
	wantDDBErrorContains(t, "ConditionalOperator alone", err, "ValidationException",
		"ConditionalOperator can only be used when Filter or Expected conditions are present")
	if getItem(t, c, table, k) != nil {
		t.Error("a refused PutItem wrote its item")
	}
}
