package e2e

// Expression behaviours checked against real DynamoDB: which operand types
// the ordering comparisons take from the request, and how ADD and DELETE
// name the types they allow. Expected messages are real DynamoDB's.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceOrderingOperandTypes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "ordering", false)
	key := ddbItem{"pk": avS("a")}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ordering"),
		Item: withAttrs(key, ddbItem{"n": avN("1"), "l": avL(avN("1"))})})
	mustOK(t, "PutItem", err)
	update := func(cond string, values ddbItem) error {
		values = withAttrs(values, ddbItem{":z": avN("0")})
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("ordering"), Key: key,
			UpdateExpression: aws.String("SET z = :z"), ConditionExpression: aws.String(cond), ExpressionAttributeValues: values})
		return err
	}
	const bad = "Incorrect operand type for operator or function; operator or function: "
	// A value from the request that does not order (not S, N or B) is
	// refused, whatever the item holds and wherever it stands.
	wantDDBError(t, "a list to order against", update("n < :l", ddbItem{":l": avL(avN("2"))}), "ValidationException",
		"1 validation error detected: Invalid ConditionExpression: "+bad+"<, operand type: L")
	wantDDBError(t, "a map on the left", update(":m >= n", ddbItem{":m": avM(ddbItem{"k": avN("1")})}), "ValidationException",
		"1 validation error detected: Invalid ConditionExpression: "+bad+">=, operand type: M")
	wantDDBError(t, "a boolean in a branch that need not run", update("attribute_exists(n) OR n <= :t", ddbItem{":t": avBool(true)}), "ValidationException",
		"1 validation error detected: Invalid ConditionExpression: "+bad+"<=, operand type: BOOL")
	wantDDBError(t, "BETWEEN lists", update("n BETWEEN :l AND :l", ddbItem{":l": avL()}), "ValidationException",
		"1 validation error detected: Invalid ConditionExpression: "+bad+"BETWEEN, operand type: L")
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("ordering"), FilterExpression: aws.String("n > :ss"),
		ExpressionAttributeValues: ddbItem{":ss": avSS("a")}})
	wantDDBError(t, "a set in a filter", err, "ValidationException", "Invalid FilterExpression: "+bad+">, operand type: SS")

	// An attribute of the item that does not order only makes the
	// comparison false, and = and <> take any type.
	wantDDBError(t, "a list attribute ordered", update("l > :n", ddbItem{":n": avN("0")}), "ConditionalCheckFailedException", "The conditional request failed")
	mustOK(t, "= on a list value", update("l = :l", ddbItem{":l": avL(avN("1"))}))
	mustOK(t, "<> on a boolean value", update("n <> :t", ddbItem{":t": avBool(true)}))
}

func TestDynamoDBConformanceAddDeleteOperandTypes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "addrm", false)
	update := func(expr string, v types.AttributeValue) error {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("addrm"), Key: ddbItem{"pk": avS("a")},
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: ddbItem{":v": v}})
		return err
	}
	const bad = "1 validation error detected: Invalid UpdateExpression: Incorrect operand type for operator or function; "
	wantDDBError(t, "ADD a map", update("ADD a :v", avM(ddbItem{"k": avN("1")})), "ValidationException",
		bad+"operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND")
	wantDDBError(t, "ADD a string", update("ADD a :v", avS("x")), "ValidationException",
		bad+"operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND")
	wantDDBError(t, "DELETE a number", update("DELETE a :v", avN("1")), "ValidationException",
		bad+"operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND")
	wantDDBError(t, "DELETE a list", update("DELETE a :v", avL(avS("x"))), "ValidationException",
		bad+"operator: DELETE, operand type: LIST, typeSet: ALLOWED_FOR_DELETE_OPERAND")
}

func TestDynamoDBConformanceNameTokens(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "tokens", false)
	update := func(expr string, names map[string]string, values ddbItem) error {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tokens"), Key: ddbItem{"pk": avS("a")},
			UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
		return err
	}
	one := ddbItem{":v": avN("1")}
	// A name written in an expression starts with a letter; an underscore
	// or a digit may follow, and placeholders take either first.
	mustOK(t, "underscores after a letter", update("SET Alpha_Numeric_1 = :v, A1_ = :v", nil, one))
	mustOK(t, "placeholders starting with an underscore or a digit", update("SET #_ = :_, #1a = :1", map[string]string{"#_": "u", "#1a": "d"},
		ddbItem{":_": avN("1"), ":1": avN("2")}))
	wantDDBError(t, "a name starting with an underscore", update("SET _123 = :v", nil, one), "ValidationException",
		`1 validation error detected: Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"`)
	_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tokens"), FilterExpression: aws.String("_hidden = :v"), ExpressionAttributeValues: one})
	wantDDBError(t, "a filter on a name starting with an underscore", err, "ValidationException",
		`Invalid FilterExpression: Syntax error; token: "_", near: "_hidden"`)
}
