package e2e

// UpdateItem behaviours checked against an outside conformance suite
// written for real DynamoDB: what an update that only takes attributes away
// does to an item that is not there.

import (
	"context"
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
