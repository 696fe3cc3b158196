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
