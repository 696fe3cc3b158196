package e2e

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems
// through aws-sdk-go-v2.

// twoTables creates "left" (pk S) and "right" (pk S, sk N).
func twoTables(t *testing.T) *dynamodb.Client {
	t.Helper()
	env := Start(t)
	c := ddbClient(env)
	createSimpleTable(t, c, "left", false)
	createSimpleTable(t, c, "right", true)
	return c
}

func lkey(pk string) ddbItem         { return ddbItem{"pk": avS(pk)} }
func rkey(pk string, sk int) ddbItem { return ddbItem{"pk": avS(pk), "sk": avN(fmt.Sprint(sk))} }

func TestDynamoDBBatchGetItem(t *testing.T) {
	t.Parallel()
	c := twoTables(t)
	ctx := context.Background()
	l1 := withAttrs(lkey("a"), ddbItem{"v": avS("la"), "x": avN("1")})
	l2 := withAttrs(lkey("b"), ddbItem{"v": avS("lb"), "x": avN("2")})
	r1 := withAttrs(rkey("a", 1), ddbItem{"v": avS("ra1"), "m": avM(ddbItem{"deep": avS("d"), "o": avS("o")})})
	for _, it := range []ddbItem{l1, l2} {
		putItem(t, c, "left", it)
	}
	putItem(t, c, "right", r1)

	out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"left":  {Keys: []ddbItem{lkey("a"), lkey("missing"), lkey("b")}, ConsistentRead: aws.Bool(true)},
		"right": {Keys: []ddbItem{rkey("a", 1), rkey("a", 2)}, ProjectionExpression: aws.String("#v, m.deep"), ExpressionAttributeNames: map[string]string{"#v": "v"}},
	}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "BatchGetItem", err)
	// Responses come in no particular order; missing items are left out.
	byPK := map[string]ddbItem{}
	for _, it := range out.Responses["left"] {
		byPK[it["pk"].(*types.AttributeValueMemberS).Value] = it
	}
	if len(out.Responses["left"]) != 2 {
		t.Errorf("left: %d items, want 2", len(out.Responses["left"]))
	}
	wantItem(t, "left a", byPK["a"], l1)
	wantItem(t, "left b", byPK["b"], l2)
	wantItems(t, "right, projected", out.Responses["right"], []ddbItem{{"v": avS("ra1"), "m": avM(ddbItem{"deep": avS("d")})}})
	if len(out.UnprocessedKeys) != 0 {
		t.Errorf("UnprocessedKeys = %v", out.UnprocessedKeys)
	}
	if len(out.ConsumedCapacity) != 2 {
		t.Errorf("ConsumedCapacity for %d tables, want 2", len(out.ConsumedCapacity))
	}

	// Limits and mistakes.
	var keys []ddbItem
	for i := range 101 {
		keys = append(keys, lkey(fmt.Sprint(i)))
	}
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"left": {Keys: keys}}})
	code, msg := ddbErrorOf(t, "101 keys for one table", err)
	if code != "ValidationException" || (msg != "Too many items requested for the BatchGetItem call" &&
		msg != "1 validation error detected: Value at 'RequestItems.left.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100") {
		t.Errorf("101 keys for one table: %s: %s", code, msg)
	}
	var rkeys []ddbItem
	for i := range 51 {
		rkeys = append(rkeys, rkey("x", i))
	}
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"left": {Keys: keys[:50]}, "right": {Keys: rkeys}}})
	wantDDBError(t, "101 keys over two tables", err, "ValidationException", "Too many items requested for the BatchGetItem call")
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"left": {Keys: []ddbItem{lkey("a"), lkey("a")}}}})
	wantDDBError(t, "duplicate keys", err, "ValidationException", "Provided list of item keys contains duplicates")
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"left": {Keys: []ddbItem{rkey("a", 1)}}}})
	wantDDBError(t, "a key of the wrong schema", err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"nosuch": {Keys: []ddbItem{lkey("a")}}}})
	wantDDBError(t, "missing table", err, "ResourceNotFoundException", "Requested resource not found")
	_, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"left": {Keys: []ddbItem{lkey("a")}, AttributesToGet: []string{"pk"}, ProjectionExpression: aws.String("pk")}}})
	wantDDBErrorContains(t, "AttributesToGet with ProjectionExpression", err, "ValidationException",
		"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
}

func TestDynamoDBBatchWriteItem(t *testing.T) {
	t.Parallel()
	c := twoTables(t)
	ctx := context.Background()
	putItem(t, c, "left", withAttrs(lkey("old"), ddbItem{"v": avS("old")}))
	putItem(t, c, "right", withAttrs(rkey("old", 1), ddbItem{"v": avS("old")}))

	out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"left": {
			{PutRequest: &types.PutRequest{Item: withAttrs(lkey("new"), ddbItem{"v": avS("new")})}},
			{DeleteRequest: &types.DeleteRequest{Key: lkey("old")}},
			{DeleteRequest: &types.DeleteRequest{Key: lkey("never-there")}},
		},
		"right": {
			{PutRequest: &types.PutRequest{Item: withAttrs(rkey("old", 1), ddbItem{"v": avS("replaced")})}},
			{PutRequest: &types.PutRequest{Item: withAttrs(rkey("new", 2), ddbItem{"v": avS("new")})}},
		},
	}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "BatchWriteItem", err)
	if len(out.UnprocessedItems) != 0 {
		t.Errorf("UnprocessedItems = %v", out.UnprocessedItems)
	}
	if len(out.ConsumedCapacity) != 2 {
		t.Errorf("ConsumedCapacity for %d tables, want 2", len(out.ConsumedCapacity))
	}
	wantItem(t, "left new", getItem(t, c, "left", lkey("new")), withAttrs(lkey("new"), ddbItem{"v": avS("new")}))
	wantItem(t, "left old", getItem(t, c, "left", lkey("old")), nil)
	wantItem(t, "right replaced", getItem(t, c, "right", rkey("old", 1)), withAttrs(rkey("old", 1), ddbItem{"v": avS("replaced")}))
	wantItem(t, "right new", getItem(t, c, "right", rkey("new", 2)), withAttrs(rkey("new", 2), ddbItem{"v": avS("new")}))

	puts := func(table string, n int, key func(int) ddbItem) []types.WriteRequest {
		var reqs []types.WriteRequest
		for i := range n {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: key(i)}})
		}
		return reqs
	}
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"left": puts("left", 26, func(i int) ddbItem { return lkey(fmt.Sprint("k", i)) })}})
	// AWS's two wordings of the 25-request limit on one table.
	re := regexp.MustCompile(`^1 validation error detected: (?s:Value '\{left=\[.+\]\}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\]|Value at 'RequestItems\.left\.member' failed to satisfy constraint: Member must have length less than or equal to 25)$`)
	if code, msg := ddbErrorOf(t, "26 requests for one table", err); code != "ValidationException" || !re.MatchString(msg) {
		t.Errorf("26 requests for one table: %s: %s", code, msg)
	}
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"left":  puts("left", 13, func(i int) ddbItem { return lkey(fmt.Sprint("k", i)) }),
		"right": puts("right", 13, func(i int) ddbItem { return rkey("k", i) }),
	}})
	wantDDBError(t, "26 requests over two tables", err, "ValidationException", "Too many items requested for the BatchWriteItem call")
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"left": {
		{PutRequest: &types.PutRequest{Item: lkey("dup")}},
		{DeleteRequest: &types.DeleteRequest{Key: lkey("dup")}},
	}}})
	wantDDBError(t, "put and delete of one item", err, "ValidationException", "Provided list of item keys contains duplicates")
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"left": {
		{PutRequest: &types.PutRequest{Item: lkey("fine")}},
		{PutRequest: &types.PutRequest{Item: ddbItem{"pk": avN("5")}}},
	}}})
	wantDDBError(t, "a mistyped key in a put", err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"left": {
		{PutRequest: &types.PutRequest{Item: ddbItem{"other": avS("x")}}},
	}}})
	wantDDBError(t, "a put without the key", err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"nosuch": {
		{PutRequest: &types.PutRequest{Item: lkey("x")}},
	}}})
	wantDDBError(t, "missing table", err, "ResourceNotFoundException", "Requested resource not found")
	if getItem(t, c, "left", lkey("fine")) != nil || getItem(t, c, "left", lkey("k0")) != nil {
		t.Error("a refused BatchWriteItem wrote some of its items")
	}
}

// transactErr returns the cancellation reasons' codes of a
// TransactionCanceledException.
func transactErr(t *testing.T, what string, err error) *types.TransactionCanceledException {
	t.Helper()
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("%s: got %v, want TransactionCanceledException", what, err)
	}
	return tce
}

func TestDynamoDBTransactWriteItems(t *testing.T) {
	t.Parallel()
	c := twoTables(t)
	ctx := context.Background()
	putItem(t, c, "left", withAttrs(lkey("acct"), ddbItem{"balance": avN("100")}))
	putItem(t, c, "left", withAttrs(lkey("gone"), ddbItem{"v": avS("x")}))
	putItem(t, c, "right", withAttrs(rkey("ledger", 1), ddbItem{"locked": avBool(false)}))

	// Put, Update, Delete and ConditionCheck over two tables, together.
	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("right"), Item: withAttrs(rkey("ledger", 2), ddbItem{"amount": avN("10")}), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{TableName: aws.String("left"), Key: lkey("acct"), UpdateExpression: aws.String("SET balance = balance - :a"),
			ConditionExpression: aws.String("balance >= :a"), ExpressionAttributeValues: ddbItem{":a": avN("10")}}},
		{Delete: &types.Delete{TableName: aws.String("left"), Key: lkey("gone")}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("right"), Key: rkey("ledger", 1), ConditionExpression: aws.String("locked = :f"),
			ExpressionAttributeValues: ddbItem{":f": avBool(false)}}},
	}})
	mustOK(t, "TransactWriteItems", err)
	wantItem(t, "put", getItem(t, c, "right", rkey("ledger", 2)), withAttrs(rkey("ledger", 2), ddbItem{"amount": avN("10")}))
	wantItem(t, "updated", getItem(t, c, "left", lkey("acct")), withAttrs(lkey("acct"), ddbItem{"balance": avN("90")}))
	wantItem(t, "deleted", getItem(t, c, "left", lkey("gone")), nil)

	// One failing ConditionCheck cancels every write, and the reasons come
	// in request order.
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("right"), Item: withAttrs(rkey("ledger", 3), ddbItem{"amount": avN("10")})}},
		{Update: &types.Update{TableName: aws.String("left"), Key: lkey("acct"), UpdateExpression: aws.String("SET balance = balance - :a"),
			ExpressionAttributeValues: ddbItem{":a": avN("10")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("right"), Key: rkey("ledger", 1), ConditionExpression: aws.String("locked = :t"),
			ExpressionAttributeValues: ddbItem{":t": avBool(true)}, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
		{Delete: &types.Delete{TableName: aws.String("right"), Key: rkey("ledger", 2)}},
	}})
	tce := transactErr(t, "failing ConditionCheck", err)
	if got := tce.ErrorMessage(); got != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed, None]" {
		t.Errorf("message %q", got)
	}
	var codes []string
	for _, r := range tce.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if fmt.Sprint(codes) != "[None None ConditionalCheckFailed None]" {
		t.Errorf("CancellationReasons codes %v", codes)
	}
	if len(tce.CancellationReasons) == 4 {
		r := tce.CancellationReasons[2]
		if aws.ToString(r.Message) != "The conditional request failed" {
			t.Errorf("reason message %q", aws.ToString(r.Message))
		}
		wantItem(t, "reason Item (ALL_OLD)", r.Item, withAttrs(rkey("ledger", 1), ddbItem{"locked": avBool(false)}))
		wantItem(t, "reason without ALL_OLD", tce.CancellationReasons[1].Item, nil)
	}
	wantItem(t, "not put", getItem(t, c, "right", rkey("ledger", 3)), nil)
	wantItem(t, "not updated", getItem(t, c, "left", lkey("acct")), withAttrs(lkey("acct"), ddbItem{"balance": avN("90")}))
	wantItem(t, "not deleted", getItem(t, c, "right", rkey("ledger", 2)), withAttrs(rkey("ledger", 2), ddbItem{"amount": avN("10")}))

	// Two actions on one item.
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("left"), Item: lkey("acct")}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("left"), Key: lkey("acct"), ConditionExpression: aws.String("attribute_exists(pk)")}},
	}})
	wantDDBError(t, "two actions on one item", err, "ValidationException", "Transaction request cannot include multiple operations on one item")
	var many []types.TransactWriteItem
	for i := range 101 {
		many = append(many, types.TransactWriteItem{Put: &types.Put{TableName: aws.String("left"), Item: lkey(fmt.Sprint("t", i))}})
	}
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: many})
	// AWS's two wordings: the newer names the member, the older echoes the
	// request as Java prints it (never as Go prints it: no pointers).
	code, msg := ddbErrorOf(t, "101 actions", err)
	re := regexp.MustCompile(`^1 validation error detected: (?s:Value '\[.+\]' at 'transactItems'|Value at 'TransactItems') failed to satisfy constraint: Member must have length less than or equal to 100$`)
	if code != "ValidationException" || !re.MatchString(msg) || strings.Contains(msg, "0x") || strings.Contains(msg, "<nil>") {
		t.Errorf("101 actions: %s: %.300s", code, msg)
	}
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("nosuch"), Item: lkey("x")}},
	}})
	wantDDBError(t, "missing table", err, "ResourceNotFoundException", "Requested resource not found")
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("left"), Item: ddbItem{"pk": avS("")}}},
	}})
	wantDDBError(t, "empty key", err, "ValidationException",
		"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	// A mistyped key is found while the transaction runs: the transaction
	// is cancelled with a ValidationError reason (captured from real
	// DynamoDB by the paritysuite conformance suite).
	for _, tc := range []struct {
		name   string
		action types.TransactWriteItem
		msg    string
	}{
		{"Put", types.TransactWriteItem{Put: &types.Put{TableName: aws.String("left"), Item: ddbItem{"pk": avN("5")}}},
			"One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
		{"Update", types.TransactWriteItem{Update: &types.Update{TableName: aws.String("left"), Key: ddbItem{"pk": avN("5")},
			UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: ddbItem{":v": avS("x")}}},
			"The provided key element does not match the schema"},
		{"Delete", types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String("left"), Key: ddbItem{"pk": avN("5")}}},
			"The provided key element does not match the schema"},
	} {
		_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{tc.action}})
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			t.Errorf("%s with a mistyped key: %v, want TransactionCanceledException", tc.name, err)
			continue
		}
		if tce.ErrorMessage() != "Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]" ||
			len(tce.CancellationReasons) != 1 || aws.ToString(tce.CancellationReasons[0].Code) != "ValidationError" ||
			aws.ToString(tce.CancellationReasons[0].Message) != tc.msg {
			t.Errorf("%s with a mistyped key: %q, reasons %+v", tc.name, tce.ErrorMessage(), tce.CancellationReasons)
		}
	}
	wantItem(t, "acct after refused transactions", getItem(t, c, "left", lkey("acct")), withAttrs(lkey("acct"), ddbItem{"balance": avN("90")}))

	// ClientRequestToken: the same request again is a successful no-op;
	// another request with the same token is refused.
	add := func(token string, by string) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(token), TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String("left"), Key: lkey("counter"), UpdateExpression: aws.String("ADD n :by"),
				ExpressionAttributeValues: ddbItem{":by": avN(by)}}},
		}})
		return err
	}
	mustOK(t, "first with token", add("token-1", "1"))
	mustOK(t, "same request, same token", add("token-1", "1"))
	wantItem(t, "counter after a repeated token", getItem(t, c, "left", lkey("counter")), withAttrs(lkey("counter"), ddbItem{"n": avN("1")}))
	err = add("token-1", "2")
	if code, _ := ddbErrorOf(t, "different request, same token", err); code != "IdempotentParameterMismatchException" {
		t.Errorf("different request, same token: %v, want IdempotentParameterMismatchException", err)
	}
	mustOK(t, "another token", add("token-2", "1"))
	wantItem(t, "counter after a second token", getItem(t, c, "left", lkey("counter")), withAttrs(lkey("counter"), ddbItem{"n": avN("2")}))
}

func TestDynamoDBTransactGetItems(t *testing.T) {
	t.Parallel()
	c := twoTables(t)
	ctx := context.Background()
	l := withAttrs(lkey("a"), ddbItem{"v": avS("l"), "x": avN("1")})
	r := withAttrs(rkey("a", 1), ddbItem{"v": avS("r"), "m": avM(ddbItem{"k": avS("k"), "j": avS("j")})})
	putItem(t, c, "left", l)
	putItem(t, c, "right", r)
	out, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("right"), Key: rkey("a", 1), ProjectionExpression: aws.String("m.k, v")}},
		{Get: &types.Get{TableName: aws.String("left"), Key: lkey("missing")}},
		{Get: &types.Get{TableName: aws.String("left"), Key: lkey("a")}},
	}})
	mustOK(t, "TransactGetItems", err)
	if len(out.Responses) != 3 {
		t.Fatalf("%d responses, want 3", len(out.Responses))
	}
	wantItem(t, "first (projected)", out.Responses[0].Item, ddbItem{"v": avS("r"), "m": avM(ddbItem{"k": avS("k")})})
	wantItem(t, "second (missing)", out.Responses[1].Item, nil)
	wantItem(t, "third", out.Responses[2].Item, l)

	_, err = c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("left"), Key: lkey("a")}},
		{Get: &types.Get{TableName: aws.String("left"), Key: lkey("a")}},
	}})
	wantDDBError(t, "two gets of one item", err, "ValidationException", "Transaction request cannot include multiple operations on one item")
	_, err = c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("nosuch"), Key: lkey("a")}},
	}})
	wantDDBError(t, "missing table", err, "ResourceNotFoundException", "Requested resource not found")
}
