package e2e

// The legacy AttributeUpdates' rules for the types ADD and DELETE take,
// with real DynamoDB's messages, ADD of a list, and type mismatches.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceAttributeUpdatesTypes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "legacyup", false)
	key := ddbItem{"pk": avS("a")}
	update := func(action types.AttributeAction, v types.AttributeValue) (*dynamodb.UpdateItemOutput, error) {
		return c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String("legacyup"), Key: key, ReturnValues: types.ReturnValueUpdatedNew,
			AttributeUpdates: map[string]types.AttributeValueUpdate{"x": {Action: action, Value: v}},
		})
	}
	const invalid = oneViolation + "One or more parameter values were invalid: "
	for typ, v := range map[string]types.AttributeValue{"S": avS("s"), "B": avB(1), "NULL": avNull(), "BOOL": avBool(true), "M": avM(ddbItem{})} {
		_, err := update(types.AttributeActionAdd, v)
		wantDDBError(t, "ADD of "+typ, err, "ValidationException", invalid+"ADD action is not supported for the type "+typ)
	}
	for typ, v := range map[string]types.AttributeValue{"S": avS("s"), "N": avN("1"), "L": avL(), "M": avM(ddbItem{})} {
		_, err := update(types.AttributeActionDelete, v)
		wantDDBError(t, "DELETE of "+typ, err, "ValidationException", invalid+"DELETE action with value is not supported for the type "+typ)
	}

	// ADD of a list appends it, to an empty list when there is none.
	out, err := update(types.AttributeActionAdd, avL(avN("1")))
	mustOK(t, "ADD of a list to nothing", err)
	wantItem(t, "after the first ADD", out.Attributes, ddbItem{"x": avL(avN("1"))})
	out, err = update(types.AttributeActionAdd, avL(avS("two")))
	mustOK(t, "ADD of a list to a list", err)
	wantItem(t, "after the second ADD", out.Attributes, ddbItem{"x": avL(avN("1"), avS("two"))})

	// A value of another type than the attribute's is a type mismatch,
	// in the legacy parameter's own words.
	for _, tc := range []struct {
		name   string
		old    types.AttributeValue
		action types.AttributeAction
		v      types.AttributeValue
	}{
		{"ADD of a number to a list", avL(), types.AttributeActionAdd, avN("1")},
		{"ADD of a list to a number", avN("1"), types.AttributeActionAdd, avL(avN("1"))},
		{"ADD of a string set to a number set", &types.AttributeValueMemberNS{Value: []string{"1"}}, types.AttributeActionAdd, &types.AttributeValueMemberSS{Value: []string{"a"}}},
		{"DELETE of a number set from a map", avM(ddbItem{}), types.AttributeActionDelete, &types.AttributeValueMemberNS{Value: []string{"1"}}},
	} {
		_, err := update(types.AttributeActionPut, tc.old)
		mustOK(t, tc.name+": setup", err)
		_, err = update(tc.action, tc.v)
		wantDDBError(t, tc.name, err, "ValidationException", "Type mismatch for attribute to update")
	}
}

// TestDynamoDBConformanceQueryFilterOnKey: a legacy QueryFilter on a key
// attribute is refused naming QueryFilter, not a filter expression.
func TestDynamoDBConformanceQueryFilterOnKey(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "qfkey", true)
	eq := func(v types.AttributeValue) types.Condition {
		return types.Condition{ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{v}}
	}
	_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("qfkey"),
		KeyConditions: map[string]types.Condition{"pk": eq(avS("a"))},
		QueryFilter:   map[string]types.Condition{"sk": eq(avN("1"))}})
	wantDDBError(t, "QueryFilter on the sort key", err, "ValidationException",
		"QueryFilter can only contain non-primary key attributes: Primary key attribute: sk")
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("qfkey"), KeyConditionExpression: aws.String("pk = :p"),
		FilterExpression: aws.String("sk = :s"), ExpressionAttributeValues: ddbItem{":p": avS("a"), ":s": avN("1")}})
	wantDDBError(t, "FilterExpression on the sort key", err, "ValidationException",
		"Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")
}

// TestDynamoDBConformanceLegacyOperandTypes: each legacy ComparisonOperator
// takes values of some types only, IN's and BETWEEN's of one type, and
// BETWEEN's in order; the same rule holds in KeyConditions, QueryFilter, ScanFilter and Expected.
func TestDynamoDBConformanceLegacyOperandTypes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "legacytypes", true)
	cond := func(op types.ComparisonOperator, vs ...types.AttributeValue) map[string]types.Condition {
		return map[string]types.Condition{"x": {ComparisonOperator: op, AttributeValueList: vs}}
	}
	pk := map[string]types.Condition{"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{avS("a")}}}
	const invalid = "One or more parameter values were invalid: "
	notValid := func(op, typ string) string {
		return invalid + "ComparisonOperator " + op + " is not valid for " + typ + " AttributeValue type"
	}
	keyCond := func(op types.ComparisonOperator, vs ...types.AttributeValue) error {
		_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("legacytypes"), KeyConditions: map[string]types.Condition{
			"pk": pk["pk"], "sk": cond(op, vs...)["x"]}})
		return err
	}
	wantDDBError(t, "KeyConditions BEGINS_WITH of a number", keyCond(types.ComparisonOperatorBeginsWith, avN("1")),
		"ValidationException", notValid("BEGINS_WITH", "N"))
	wantDDBError(t, "KeyConditions IN of two types", keyCond(types.ComparisonOperatorIn, avN("1"), avS("a")),
		"ValidationException", invalid+"AttributeValues inside AttributeValueList must be of same type")
	wantDDBError(t, "KeyConditions BETWEEN out of order", keyCond(types.ComparisonOperatorBetween, avN("2"), avN("1")),
		"ValidationException", "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
	_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("legacytypes"), KeyConditions: pk,
		QueryFilter: cond(types.ComparisonOperatorContains, avL())})
	wantDDBError(t, "QueryFilter CONTAINS of a list", err, "ValidationException", notValid("CONTAINS", "L"))
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("legacytypes"),
		ScanFilter: cond(types.ComparisonOperatorLt, avBool(true))})
	wantDDBError(t, "ScanFilter LT of a boolean", err, "ValidationException", notValid("LT", "BOOL"))
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("legacytypes"), Item: ddbItem{"pk": avS("a"), "sk": avN("1")},
		Expected: map[string]types.ExpectedAttributeValue{"x": {ComparisonOperator: types.ComparisonOperatorBetween,
			AttributeValueList: []types.AttributeValue{avSS("a"), avSS("b")}}}})
	// PutItem words a value error in its envelope.
	wantDDBError(t, "Expected BETWEEN of string sets", err, "ValidationException", oneViolation+notValid("BETWEEN", "SS"))

	// EQ and NE take any type, and a value of a type the operator takes is
	// only compared.
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("legacytypes"),
		ScanFilter: cond(types.ComparisonOperatorNe, avL())})
	mustOK(t, "ScanFilter NE of a list", err)
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("legacytypes"),
		ScanFilter: cond(types.ComparisonOperatorContains, avNull())})
	mustOK(t, "ScanFilter CONTAINS of a null", err)
}

// TestDynamoDBConformanceExpectedEdges: NOT_CONTAINS is false for a missing
// attribute (where NE is true), and a ConditionalOperator needs conditions
// to join, an empty Expected or ScanFilter having none.
func TestDynamoDBConformanceExpectedEdges(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "expedges", false)
	key := ddbItem{"pk": avS("a")}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("expedges"), Item: ddbItem{"pk": avS("a"), "s": avS("hello")}})
	mustOK(t, "PutItem", err)
	update := func(expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator) error {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("expedges"), Key: key, Expected: expected, ConditionalOperator: op,
			AttributeUpdates: map[string]types.AttributeValueUpdate{"z": {Action: types.AttributeActionPut, Value: avN("1")}}})
		return err
	}
	one := func(name string, op types.ComparisonOperator) map[string]types.ExpectedAttributeValue {
		return map[string]types.ExpectedAttributeValue{name: {ComparisonOperator: op, AttributeValueList: []types.AttributeValue{avS("dog")}}}
	}
	mustOK(t, "NOT_CONTAINS on a string without it", update(one("s", types.ComparisonOperatorNotContains), ""))
	mustOK(t, "NE on a missing attribute", update(one("missing", types.ComparisonOperatorNe), ""))
	wantDDBError(t, "NOT_CONTAINS on a missing attribute", update(one("missing", types.ComparisonOperatorNotContains), ""),
		"ConditionalCheckFailedException", "The conditional request failed")

	const lone = "ConditionalOperator can only be used when Filter or Expected conditions are present"
	// UpdateItem words it in its envelope, as it does with no Expected.
	wantDDBError(t, "an empty Expected with ConditionalOperator",
		update(map[string]types.ExpectedAttributeValue{}, types.ConditionalOperatorOr), "ValidationException", oneViolation+lone)
	wantDDBError(t, "no Expected with ConditionalOperator",
		update(nil, types.ConditionalOperatorOr), "ValidationException", oneViolation+lone)
	mustOK(t, "an empty Expected alone", update(map[string]types.ExpectedAttributeValue{}, ""))
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("expedges"), ScanFilter: map[string]types.Condition{},
		ConditionalOperator: types.ConditionalOperatorAnd})
	wantDDBError(t, "an empty ScanFilter with ConditionalOperator", err, "ValidationException", lone)
}

// TestDynamoDBConformanceUnindexableKeyConditions: a legacy KeyConditions
// operator no key condition can use (NULL, NOT_NULL, NE, CONTAINS,
// NOT_CONTAINS, IN) is refused against the table, after its index, its
// consistency and the conditions' names have been checked.
func TestDynamoDBConformanceUnindexableKeyConditions(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "unindexable", true)
	const notIndexable = "Attempted conditional constraint is not an indexable operation"
	eqA := legacyCond(types.ComparisonOperatorEq, avS("a"))
	query := func(index string, conds map[string]types.Condition) error {
		in := &dynamodb.QueryInput{TableName: aws.String("unindexable"), KeyConditions: conds}
		if index != "" {
			in.IndexName = aws.String(index)
		}
		_, err := c.Query(ctx, in)
		return err
	}
	for _, tc := range []struct {
		name  string
		index string
		conds map[string]types.Condition
		msg   string
	}{
		{"NULL on the partition key", "", map[string]types.Condition{"pk": legacyCond(types.ComparisonOperatorNull)}, notIndexable},
		{"CONTAINS on the partition key", "", map[string]types.Condition{"pk": legacyCond(types.ComparisonOperatorContains, avS("a"))}, notIndexable},
		{"IN on the partition key", "", map[string]types.Condition{"pk": legacyCond(types.ComparisonOperatorIn, avS("a"))}, notIndexable},
		{"NE on the sort key", "", map[string]types.Condition{"pk": eqA, "sk": legacyCond(types.ComparisonOperatorNe, avN("1"))}, notIndexable},
		{"NOT_NULL on the sort key", "", map[string]types.Condition{"pk": eqA, "sk": legacyCond(types.ComparisonOperatorNotNull)}, notIndexable},
		{"NULL on no key attribute", "", map[string]types.Condition{"x": legacyCond(types.ComparisonOperatorNull)}, "Query condition missed key schema element: pk"},
		{"NULL beside the partition key", "", map[string]types.Condition{"pk": eqA, "x": legacyCond(types.ComparisonOperatorNull)}, "Query condition missed key schema element: sk"},
		{"NULL on a missing index", "nope", map[string]types.Condition{"pk": legacyCond(types.ComparisonOperatorNull)}, "The table does not have the specified index: nope"},
	} {
		wantDDBError(t, tc.name, query(tc.index, tc.conds), "ValidationException", tc.msg)
	}
	// Well formed, the request reads the table before it is refused.
	_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("absent"), KeyConditions: map[string]types.Condition{"pk": legacyCond(types.ComparisonOperatorNull)}})
	wantDDBError(t, "NULL on a missing table", err, "ResourceNotFoundException", "Requested resource not found")
}
