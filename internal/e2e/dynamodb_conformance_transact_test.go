package e2e

// What TransactWriteItems and TransactGetItems report up front and what
// they report as cancellation reasons, and in which order they check a
// request's actions. Expected messages are real DynamoDB's.

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// indexedTable creates "indexed": pk S and sk S, with LSI lsi1 and GSI
// gsi1 both keyed on lsi1sk, and GSI gsib keyed on bidx B.
func indexedTable(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	createTable(t, c, tableSpec{
		Name:  "indexed",
		Attrs: map[string]types.ScalarAttributeType{"pk": "S", "sk": "S", "lsi1sk": "S", "bidx": "B"},
		Hash:  "pk", Range: "sk",
		LSIs: []indexSpec{{Name: "lsi1", Hash: "pk", Range: "lsi1sk", Projection: types.ProjectionTypeAll}},
		GSIs: []indexSpec{
			{Name: "gsi1", Hash: "lsi1sk", Projection: types.ProjectionTypeAll},
			{Name: "gsib", Hash: "bidx", Projection: types.ProjectionTypeKeysOnly},
		},
	})
}

// wantCancelled asserts a TransactionCanceledException with one reason
// per action, with these codes, and the first failing reason's message.
func wantCancelled(t *testing.T, what string, err error, msg string, codes ...string) {
	t.Helper()
	tce := transactErr(t, what, err)
	if want := "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"; aws.ToString(tce.Message) != want {
		t.Errorf("%s: message %q, want %q", what, aws.ToString(tce.Message), want)
	}
	if len(tce.CancellationReasons) != len(codes) {
		t.Fatalf("%s: %d reasons, want %d", what, len(tce.CancellationReasons), len(codes))
	}
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) != codes[i] {
			t.Errorf("%s: reason %d code %q, want %q", what, i, aws.ToString(r.Code), codes[i])
		}
		if codes[i] != "None" && msg != "" && aws.ToString(r.Message) != msg {
			t.Errorf("%s: reason %d message %q, want %q", what, i, aws.ToString(r.Message), msg)
		}
	}
}

func TestDynamoDBConformanceTransactWriteReasons(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	indexedTable(t, c)
	tw := func(items ...types.TransactWriteItem) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	}
	put := func(item ddbItem) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: aws.String("indexed"), Item: item}}
	}
	set := func(key ddbItem, attr string, v types.AttributeValue) types.TransactWriteItem {
		return types.TransactWriteItem{Update: &types.Update{TableName: aws.String("indexed"), Key: key,
			UpdateExpression: aws.String("SET " + attr + " = :v"), ExpressionAttributeValues: ddbItem{":v": v}}}
	}
	key := ddbItem{"pk": avS("a"), "sk": avS("a")}

	// A mistyped index key cancels the transaction; the index named is the
	// first by name, whether local or global.
	mismatch := "One or more parameter values were invalid: Type mismatch for Index Key lsi1sk Expected: S Actual: N IndexName: gsi1"
	wantCancelled(t, "Put mistyped index key", tw(put(withAttrs(key, ddbItem{"lsi1sk": avN("5")}))), mismatch, "ValidationError")
	wantCancelled(t, "Update mistyped index key", tw(set(key, "lsi1sk", avN("5"))), mismatch, "ValidationError")

	// An empty index key is refused before the transaction runs, worded as
	// a put or as an update words it.
	wantDDBError(t, "Put empty index key", tw(put(withAttrs(key, ddbItem{"lsi1sk": avS("")}))), "ValidationException",
		"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi1, IndexKey: lsi1sk")
	wantDDBError(t, "Update empty index key", tw(set(key, "lsi1sk", avS(""))), "ValidationException",
		"One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty string value.")
	wantDDBError(t, "Update empty binary index key", tw(set(key, "bidx", avB())), "ValidationException",
		"One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty binary value.")

	// A put too large is refused up front; an update too large cancels.
	big := strings.Repeat("x", 400*1024)
	wantDDBError(t, "Put too large", tw(put(withAttrs(key, ddbItem{"p": avS(big)}))), "ValidationException",
		"Item size has exceeded the maximum allowed size")
	wantCancelled(t, "Update too large", tw(set(key, "p", avS(big))), "Item size to update has exceeded the maximum allowed size", "ValidationError")

	// The whole request is at most 4 MB.
	var many []types.TransactWriteItem
	for i := range 12 {
		many = append(many, put(ddbItem{"pk": avS("big"), "sk": avS(strings.Repeat("k", i+1)), "p": avS(strings.Repeat("x", 350_000))}))
	}
	wantDDBError(t, "transaction over 4 MB", tw(many...), "ValidationException", "Transaction request cannot be larger than 4 MB")
	if err := tw(many[:10]...); err != nil {
		t.Errorf("transaction of 3.5 MB: %v", err)
	}
}

func TestDynamoDBConformanceTransactOrder(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "order", false)
	tw := func(items ...types.TransactWriteItem) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	}
	missing := types.TransactWriteItem{Put: &types.Put{TableName: aws.String("absent"), Item: ddbItem{"pk": avS("a")}}}
	check := func(cond string, values ddbItem) types.TransactWriteItem {
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String("order"), Key: ddbItem{"pk": avS("c")},
			ConditionExpression: aws.String(cond), ExpressionAttributeValues: values}}
	}
	deep := avS("leaf")
	for range 32 {
		deep = avM(ddbItem{"n": deep})
	}
	const nest = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"

	// Every action's expressions and values are read, in request order,
	// before any table is looked up.
	wantDDBError(t, "syntax error after a missing table", tw(missing, check("attribute_not_exists(", nil)), "ValidationException",
		`Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("`)
	wantDDBError(t, "unused value after a missing table", tw(missing, check("attribute_not_exists(pk)", ddbItem{":v": avS("x")})), "ValidationException",
		"Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}")
	deepPut := types.TransactWriteItem{Put: &types.Put{TableName: aws.String("order"), Item: ddbItem{"pk": avS("d"), "data": deep}}}
	wantDDBError(t, "syntax error before a too deep item", tw(check("attribute_not_exists(", nil), deepPut), "ValidationException",
		`Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("`)
	wantDDBError(t, "too deep item before a syntax error", tw(deepPut, check("attribute_not_exists(", nil)), "ValidationException", nest)
	wantDDBError(t, "unused value before a duplicate target",
		tw(types.TransactWriteItem{Put: &types.Put{TableName: aws.String("order"), Item: ddbItem{"pk": avS("c")}}}, check("attribute_not_exists(pk)", ddbItem{":v": avS("x")})),
		"ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}")
	if it := getItem(t, c, "order", ddbItem{"pk": avS("c")}); it != nil {
		t.Errorf("a refused transaction wrote %s", itemText(it))
	}

	// TransactGetItems: a key that does not match the schema cancels.
	_, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("order"), Key: ddbItem{"pk": avS("ok")}}},
		{Get: &types.Get{TableName: aws.String("order"), Key: ddbItem{}}},
	}})
	wantCancelled(t, "TransactGetItems with an empty key", err, "The provided key element does not match the schema", "None", "ValidationError")
}

// TestDynamoDBConformanceTransactFirstInvalidKey: a key of the wrong type
// cancels the transaction before it runs; only the first such action is
// reported, and no condition is checked.
func TestDynamoDBConformanceTransactFirstInvalidKey(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "firstbad", false)
	put := func(pk types.AttributeValue, cond string) types.TransactWriteItem {
		p := &types.Put{TableName: aws.String("firstbad"), Item: ddbItem{"pk": pk}}
		if cond != "" {
			p.ConditionExpression = aws.String(cond)
		}
		return types.TransactWriteItem{Put: p}
	}
	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		put(avS("a"), "attribute_exists(pk)"), // false, but not checked
		put(avN("7"), ""),
		put(avN("8"), ""),
	}})
	wantCancelled(t, "two mistyped keys after a false condition", err,
		"One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N", "None", "ValidationError", "None")
}
