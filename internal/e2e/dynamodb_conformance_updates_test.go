package e2e

// UpdateItem behaviours checked against an outside conformance suite
// written for real DynamoDB: what an update that only takes attributes away
// does to an item that is not there.

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// An update whose every action removes something (REMOVE, DELETE from a
// set, AttributeUpdates' DELETE) does not create a missing item, and does
// not complain about nested paths into it; any other update, even an empty
// one, creates the item from its key.
func TestDynamoDBConformanceRemoveOnlyUpdates(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "removes", false)
	update := func(in *dynamodb.UpdateItemInput) {
		t.Helper()
		in.TableName = aws.String("removes")
		_, err := c.UpdateItem(ctx, in)
		mustOK(t, "UpdateItem", err)
	}
	key := func(pk string) ddbItem { return ddbItem{"pk": avS(pk)} }

	update(&dynamodb.UpdateItemInput{Key: key("remove"), UpdateExpression: aws.String("REMOVE a")})
	update(&dynamodb.UpdateItemInput{Key: key("nested"), UpdateExpression: aws.String("REMOVE a.b, c[3]")})
	update(&dynamodb.UpdateItemInput{Key: key("delete"), UpdateExpression: aws.String("DELETE s :s"),
		ExpressionAttributeValues: ddbItem{":s": &types.AttributeValueMemberSS{Value: []string{"x"}}}})
	update(&dynamodb.UpdateItemInput{Key: key("legacy"), AttributeUpdates: map[string]types.AttributeValueUpdate{"a": {Action: types.AttributeActionDelete}}})
	for _, pk := range []string{"remove", "nested", "delete", "legacy"} {
		if it := getItem(t, c, "removes", key(pk)); it != nil {
			t.Errorf("%s: update created %v, want no item", pk, itemText(it))
		}
	}

	update(&dynamodb.UpdateItemInput{Key: key("empty")})
	update(&dynamodb.UpdateItemInput{Key: key("mixed"), UpdateExpression: aws.String("REMOVE a SET b = :v"), ExpressionAttributeValues: ddbItem{":v": avN("1")}})
	for _, pk := range []string{"empty", "mixed"} {
		if it := getItem(t, c, "removes", key(pk)); it == nil {
			t.Errorf("%s: update created no item", pk)
		}
	}

	// On an item that exists, a nested path into a missing attribute is
	// still refused.
	update(&dynamodb.UpdateItemInput{Key: key("there")})
	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("removes"), Key: key("there"), UpdateExpression: aws.String("REMOVE a.b")})
	wantDDBError(t, "nested REMOVE on an existing item", err, "ValidationException", "The document path provided in the update expression is invalid for update")
}

// DynamoDB looks at a request's two styles before it reads either: when any
// expression parameter is set, every legacy parameter beside it is named,
// in one error, whichever expression it would pair with. KeyConditions
// alone may go with a FilterExpression or ProjectionExpression.
func TestDynamoDBConformanceMixedStyles(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "styles", true)
	for i, x := range []string{"1", "2", "1"} {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("styles"), Item: ddbItem{"pk": avS("a"), "sk": avN(fmt.Sprint(i)), "x": avN(x)}})
		mustOK(t, "PutItem", err)
	}
	mixed := func(legacy, expression string) string {
		return "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
			legacy + "} Expression parameters: {" + expression + "}"
	}
	eq := map[string]types.Condition{"pk": legacyCond("EQ", avS("a"))}
	_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("styles"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: ddbItem{":p": avS("a")}, QueryFilter: map[string]types.Condition{"x": legacyCond("NOT_NULL")}})
	wantDDBError(t, "QueryFilter with KeyConditionExpression", err, "ValidationException", mixed("QueryFilter", "KeyConditionExpression"))
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("styles"), KeyConditionExpression: aws.String("pk = :p"), ProjectionExpression: aws.String("x"),
		ExpressionAttributeValues: ddbItem{":p": avS("a")}, QueryFilter: map[string]types.Condition{"x": legacyCond("NOT_NULL")}, AttributesToGet: []string{"x"}})
	wantDDBError(t, "two of each", err, "ValidationException", mixed("AttributesToGet, QueryFilter", "ProjectionExpression, KeyConditionExpression"))
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("styles"), FilterExpression: aws.String("attribute_exists(x)"), ConditionalOperator: types.ConditionalOperatorAnd})
	wantDDBError(t, "ConditionalOperator with FilterExpression", err, "ValidationException", mixed("ConditionalOperator", "FilterExpression"))
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("styles"), Key: ddbItem{"pk": avS("a"), "sk": avN("0")},
		UpdateExpression: aws.String("SET y = :v"), ExpressionAttributeValues: ddbItem{":v": avN("1")},
		Expected: map[string]types.ExpectedAttributeValue{"x": {Exists: aws.Bool(true), Value: avN("1")}}})
	wantDDBError(t, "Expected with UpdateExpression", err, "ValidationException", "1 validation error detected: "+mixed("Expected", "UpdateExpression"))

	out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("styles"), KeyConditions: eq,
		FilterExpression: aws.String("x = :one"), ExpressionAttributeValues: ddbItem{":one": avN("1")}, ProjectionExpression: aws.String("sk")})
	mustOK(t, "KeyConditions with FilterExpression", err)
	if got, want := itemsText(out.Items), itemsText([]ddbItem{{"sk": avN("0")}, {"sk": avN("2")}}); got != want {
		t.Errorf("KeyConditions with FilterExpression: %s, want %s", got, want)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("styles"), KeyConditions: eq, ExpressionAttributeValues: ddbItem{":one": avN("1")}})
	wantDDBError(t, "KeyConditions with values alone", err, "ValidationException", "ExpressionAttributeValues can only be specified when using expressions")
}
