package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The item operations (PutItem, GetItem, UpdateItem, DeleteItem) through
// aws-sdk-go-v2, asserting DynamoDB's answers and messages. Messages come
// from AWS's documentation and from captures of real DynamoDB (dynalite's
// and the paritysuite conformance suites).

// itemsTable is the hash+range table most item tests use: pk S, sk N.
func itemsTable(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	env := Start(t)
	c := ddbClient(env)
	createTable(t, c, tableSpec{Name: "items", Hash: "pk", Range: "sk",
		Attrs: map[string]types.ScalarAttributeType{"pk": types.ScalarAttributeTypeS, "sk": types.ScalarAttributeTypeN}})
	return c, "items"
}

func ddbKey(pk string, sk string) ddbItem { return ddbItem{"pk": avS(pk), "sk": avN(sk)} }

// with returns a copy of base with the given attributes added.
func withAttrs(base ddbItem, attrs ddbItem) ddbItem {
	out := ddbItem{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}

func TestDynamoDBItemValuesRoundTrip(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	put := withAttrs(ddbKey("all", "1"), ddbItem{
		"s": avS("text"), "empty": avS(""), "eb": avB(),
		"n1": avN("1.50"), "n2": avN("007"), "n3": avN("-0"), "n4": avN("1E2"), "n5": avN("0.00100"), "n6": avN("-2.5e-3"),
		"digits38": avN("12345678901234567890123456789012345678"),
		"tiny":     avN("-1.2345678901234567890123456789012345678E-120"),
		"b":        avB(0, 1, 0xff), "t": avBool(true), "f": avBool(false), "nul": avNull(),
		"ss": avSS("b", "a", ""), "ns": avNS("2", "1.0", "-3"), "bs": avBS([]byte{2}, []byte{1}),
		"l": avL(avS("x"), avN("2.50"), avM(ddbItem{"deep": avS("")}), avL()),
		"m": avM(ddbItem{"inner": avM(ddbItem{"e": avS("")}), "emptyMap": avM(nil)}),
	})
	putItem(t, c, table, put)
	want := withAttrs(put, ddbItem{
		"n1": avN("1.5"), "n2": avN("7"), "n3": avN("0"), "n4": avN("100"), "n5": avN("0.001"), "n6": avN("-0.0025"),
		"tiny": avN("-0." + strings.Repeat("0", 119) + "12345678901234567890123456789012345678"),
		"ns":   avNS("2", "1", "-3"),
		"l":    avL(avS("x"), avN("2.5"), avM(ddbItem{"deep": avS("")}), avL()),
	})
	wantItem(t, "GetItem after PutItem", getItem(t, c, table, ddbKey("all", "1")), want)

	// A number key is normalized too: 1.0 and 1 are the same item.
	wantItem(t, "GetItem by an equal number key", getItem(t, c, table, ddbKey("all", "1.000")), want)

	bad := []struct {
		name string
		v    types.AttributeValue
		msg  string
	}{
		{"39 significant digits", avN("123456789012345678901234567890123456789"), "Attempting to store more than 38 significant digits in a Number"},
		{"overflow", avN("1E126"), "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"underflow", avN("1E-131"), "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"not a number", avN("12a"), "The parameter cannot be converted to a numeric value: 12a"},
		{"empty string set", avSS(), "One or more parameter values were invalid: An string set  may not be empty"},
		{"empty number set", avNS(), "One or more parameter values were invalid: An number set  may not be empty"},
		{"empty binary set", avBS(), "One or more parameter values were invalid: Binary sets should not be empty"},
		{"nested empty set", avM(ddbItem{"x": avSS()}), "One or more parameter values were invalid: An string set  may not be empty"},
	}
	for _, b := range bad {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: withAttrs(ddbKey("bad", "1"), ddbItem{"v": b.v})})
		wantDDBErrorContains(t, "PutItem with "+b.name, err, "ValidationException", b.msg)
	}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: withAttrs(ddbKey("bad", "1"), ddbItem{"v": avSS("a", "a")})})
	wantDDBErrorContains(t, "PutItem with a duplicate in a string set", err, "ValidationException", "One or more parameter values were invalid: Input collection")
	if getItem(t, c, table, ddbKey("bad", "1")) != nil {
		t.Error("a refused PutItem wrote its item")
	}

	// 38 digits stay exact through arithmetic (never through float64).
	putItem(t, c, table, withAttrs(ddbKey("exact", "1"), ddbItem{"big": avN("99999999999999999999999999999999999998"), "f": avN("0.1")}))
	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: ddbKey("exact", "1"),
		UpdateExpression:          aws.String("ADD big :one SET f = f + :f"),
		ExpressionAttributeValues: ddbItem{":one": avN("1"), ":f": avN("0.2")},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	mustOK(t, "UpdateItem exact arithmetic", err)
	wantItem(t, "exact arithmetic", out.Attributes, ddbItem{"big": avN(strings.Repeat("9", 38)), "f": avN("0.3")})
}

func TestDynamoDBPutDeleteReturnValues(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	v1 := withAttrs(ddbKey("p", "1"), ddbItem{"v": avS("one")})
	v2 := withAttrs(ddbKey("p", "1"), ddbItem{"v": avS("two"), "extra": avN("2")})

	out, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: v1, ReturnValues: types.ReturnValueAllOld})
	mustOK(t, "PutItem new", err)
	wantItem(t, "PutItem ALL_OLD of a new item", out.Attributes, nil)
	out, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: v2, ReturnValues: types.ReturnValueAllOld})
	mustOK(t, "PutItem replace", err)
	wantItem(t, "PutItem ALL_OLD of a replaced item", out.Attributes, v1)
	out, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: v2, ReturnValues: types.ReturnValueNone})
	mustOK(t, "PutItem NONE", err)
	wantItem(t, "PutItem NONE", out.Attributes, nil)

	for _, rv := range []types.ReturnValue{types.ReturnValueAllNew, types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew} {
		_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: v2, ReturnValues: rv})
		wantDDBError(t, "PutItem ReturnValues "+string(rv), err, "ValidationException", "1 validation error detected: ReturnValues can only be ALL_OLD or NONE")
		_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"), ReturnValues: rv})
		wantDDBError(t, "DeleteItem ReturnValues "+string(rv), err, "ValidationException", "1 validation error detected: ReturnValues can only be ALL_OLD or NONE")
	}

	// ReturnValuesOnConditionCheckFailure=ALL_OLD puts the item in the
	// exception, for each write.
	ccf := func(what string, err error, want ddbItem) {
		t.Helper()
		var e *types.ConditionalCheckFailedException
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want ConditionalCheckFailedException", what, err)
			return
		}
		if e.ErrorMessage() != "The conditional request failed" {
			t.Errorf("%s: message %q", what, e.ErrorMessage())
		}
		wantItem(t, what+": exception Item", e.Item, want)
	}
	cond := aws.String("attribute_not_exists(pk)")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: v1, ConditionExpression: cond,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	ccf("PutItem failing with ALL_OLD", err, v2)
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: v1, ConditionExpression: cond})
	ccf("PutItem failing without ALL_OLD", err, nil)
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"), ConditionExpression: cond,
		UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: ddbItem{":v": avS("x")},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	ccf("UpdateItem failing with ALL_OLD", err, v2)
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"),
		ConditionExpression: aws.String("v = :v"), ExpressionAttributeValues: ddbItem{":v": avS("one")},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	ccf("DeleteItem failing with ALL_OLD", err, v2)
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbKey("absent", "1"),
		ConditionExpression: aws.String("attribute_exists(pk)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	ccf("DeleteItem of an absent item failing with ALL_OLD", err, nil)
	wantItem(t, "item after failed writes", getItem(t, c, table, ddbKey("p", "1")), v2)

	del, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"), ReturnValues: types.ReturnValueAllOld})
	mustOK(t, "DeleteItem", err)
	wantItem(t, "DeleteItem ALL_OLD", del.Attributes, v2)
	del, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"), ReturnValues: types.ReturnValueAllOld})
	mustOK(t, "DeleteItem of an absent item", err)
	wantItem(t, "DeleteItem ALL_OLD of an absent item", del.Attributes, nil)
	wantItem(t, "GetItem after DeleteItem", getItem(t, c, table, ddbKey("p", "1")), nil)
}

func TestDynamoDBUpdateReturnValues(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	orig := withAttrs(ddbKey("u", "1"), ddbItem{
		"a": avN("1"), "m": avM(ddbItem{"x": avN("1"), "y": avN("2")}),
		"l": avL(avN("1"), avN("2"), avN("3")), "keep": avS("k"), "gone": avS("g"),
	})
	update := func(rv types.ReturnValue) ddbItem {
		t.Helper()
		putItem(t, c, table, orig)
		out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: ddbKey("u", "1"),
			UpdateExpression:          aws.String("SET a = a + :one, m.x = :ten, l[1] = :v, fresh = :v REMOVE gone"),
			ExpressionAttributeValues: ddbItem{":one": avN("1"), ":ten": avN("10"), ":v": avS("new")},
			ReturnValues:              rv,
		})
		mustOK(t, "UpdateItem "+string(rv), err)
		return out.Attributes
	}
	newItem := withAttrs(ddbKey("u", "1"), ddbItem{
		"a": avN("2"), "m": avM(ddbItem{"x": avN("10"), "y": avN("2")}),
		"l": avL(avN("1"), avS("new"), avN("3")), "keep": avS("k"), "fresh": avS("new"),
	})
	wantItem(t, "NONE", update(types.ReturnValueNone), nil)
	wantItem(t, "ALL_OLD", update(types.ReturnValueAllOld), orig)
	wantItem(t, "ALL_NEW", update(types.ReturnValueAllNew), newItem)
	wantItem(t, "UPDATED_OLD", update(types.ReturnValueUpdatedOld), ddbItem{
		"a": avN("1"), "m": avM(ddbItem{"x": avN("1")}), "l": avL(avN("2")), "gone": avS("g"),
	})
	wantItem(t, "UPDATED_NEW", update(types.ReturnValueUpdatedNew), ddbItem{
		"a": avN("2"), "m": avM(ddbItem{"x": avN("10")}), "l": avL(avS("new")), "fresh": avS("new"),
	})
	wantItem(t, "stored item", getItem(t, c, table, ddbKey("u", "1")), newItem)

	// On an item that does not exist, UpdateItem creates it from its key.
	for _, tc := range []struct {
		rv   types.ReturnValue
		want ddbItem
	}{
		{types.ReturnValueAllOld, nil},
		{types.ReturnValueUpdatedOld, nil},
		{types.ReturnValueAllNew, withAttrs(ddbKey("new", "1"), ddbItem{"a": avN("5")})},
		{types.ReturnValueUpdatedNew, ddbItem{"a": avN("5")}},
	} {
		c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: ddbKey("new", "1")})
		out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: ddbKey("new", "1"),
			UpdateExpression: aws.String("SET a = :five"), ExpressionAttributeValues: ddbItem{":five": avN("5")},
			ReturnValues: tc.rv,
		})
		mustOK(t, "UpdateItem creating", err)
		wantItem(t, "UpdateItem creating, "+string(tc.rv), out.Attributes, tc.want)
	}
	// Without an UpdateExpression, it creates the item with just its key.
	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: ddbKey("bare", "1"), ReturnValues: types.ReturnValueAllNew})
	mustOK(t, "UpdateItem without an update", err)
	wantItem(t, "UpdateItem without an update", out.Attributes, ddbKey("bare", "1"))
	wantItem(t, "item created without an update", getItem(t, c, table, ddbKey("bare", "1")), ddbKey("bare", "1"))
}

func TestDynamoDBUpdateActions(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	k := ddbKey("x", "1")
	putItem(t, c, table, withAttrs(k, ddbItem{
		"n": avN("10"), "s": avS("str"),
		"l": avL(avS("a"), avS("b"), avS("c"), avS("d")),
		"m": avM(ddbItem{"k": avS("v")}), "ss": avSS("a", "b", "c"), "ns": avNS("1", "2"),
	}))
	upd := func(what, expr string, values ddbItem) ddbItem {
		t.Helper()
		in := &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k, UpdateExpression: aws.String(expr), ReturnValues: types.ReturnValueAllNew}
		if len(values) > 0 {
			in.ExpressionAttributeValues = values
		}
		out, err := c.UpdateItem(ctx, in)
		mustOK(t, what, err)
		return out.Attributes
	}

	// SET: arithmetic on the old item, if_not_exists, list_append both ways,
	// a new key in a nested map.
	got := upd("SET", "SET n = n + :five, d = n - :three, ine = if_not_exists(ine, :zero), ine2 = if_not_exists(n, :zero), "+
		"l = list_append(l, :tail), l2 = list_append(:head, :tail), m.k2 = :v",
		ddbItem{":five": avN("5"), ":three": avN("3"), ":zero": avN("0"), ":tail": avL(avS("e")), ":head": avL(avS("h")), ":v": avS("v2")})
	want := withAttrs(k, ddbItem{
		"n": avN("15"), "d": avN("7"), "ine": avN("0"), "ine2": avN("10"), "s": avS("str"),
		"l": avL(avS("a"), avS("b"), avS("c"), avS("d"), avS("e")), "l2": avL(avS("h"), avS("e")),
		"m": avM(ddbItem{"k": avS("v"), "k2": avS("v2")}), "ss": avSS("a", "b", "c"), "ns": avNS("1", "2"),
	})
	wantItem(t, "after SET", got, want)

	// REMOVE list elements by their positions before the update, and a
	// nested map key.
	got = upd("REMOVE", "REMOVE l[0], l[2], m.k, ine", nil)
	want = withAttrs(want, ddbItem{"l": avL(avS("b"), avS("d"), avS("e")), "m": avM(ddbItem{"k2": avS("v2")})})
	delete(want, "ine")
	wantItem(t, "after REMOVE", got, want)

	// SET a list element, and past the end (which appends).
	got = upd("SET list index", "SET l[1] = :x, l[10] = :y", ddbItem{":x": avS("x"), ":y": avS("y")})
	want = withAttrs(want, ddbItem{"l": avL(avS("b"), avS("x"), avS("e"), avS("y"))})
	wantItem(t, "after SET l[i]", got, want)

	// ADD: numbers (creating one), sets (union, creating one).
	got = upd("ADD", "ADD cnt :five, n :neg, ss :more, ns :nmore, newset :nset",
		ddbItem{":five": avN("5"), ":neg": avN("-20"), ":more": avSS("d", "a"), ":nmore": avNS("3"), ":nset": avNS("7")})
	want = withAttrs(want, ddbItem{"cnt": avN("5"), "n": avN("-5"), "ss": avSS("a", "b", "c", "d"), "ns": avNS("1", "2", "3"), "newset": avNS("7")})
	wantItem(t, "after ADD", got, want)

	// DELETE from sets; emptying a set removes the attribute.
	got = upd("DELETE", "DELETE ss :ab, ns :all", ddbItem{":ab": avSS("a", "b", "zzz"), ":all": avNS("1", "2", "3")})
	want = withAttrs(want, ddbItem{"ss": avSS("c", "d")})
	delete(want, "ns")
	wantItem(t, "after DELETE", got, want)
	wantItem(t, "stored after the updates", getItem(t, c, table, k), want)

	errs := []struct {
		expr   string
		values ddbItem
		msg    string
	}{
		{"SET s = s + :one", ddbItem{":one": avN("1")}, "An operand in the update expression has an incorrect data type"},
		{"ADD s :one", ddbItem{":one": avN("1")}, "An operand in the update expression has an incorrect data type"},
		{"DELETE ss :nums", ddbItem{":nums": avNS("1")}, "An operand in the update expression has an incorrect data type"},
		{"SET l = list_append(s, :l)", ddbItem{":l": avL(avS("z"))}, "An operand in the update expression has an incorrect data type"},
		{"SET nope.x = :one", ddbItem{":one": avN("1")}, "The document path provided in the update expression is invalid for update"},
		{"SET s[0] = :one", ddbItem{":one": avN("1")}, "The document path provided in the update expression is invalid for update"},
		{"SET n = nope + :one", ddbItem{":one": avN("1")}, "The provided expression refers to an attribute that does not exist in the item"},
		{"ADD cnt :s", ddbItem{":s": avS("x")}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE ss :s", ddbItem{":s": avS("x")}, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"SET a = :one REMOVE a", ddbItem{":one": avN("1")}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET m.k2 = :one, m = :one", ddbItem{":one": avN("1")}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m, k2], path two: [m]"},
		{"SET a = :one SET b = :one", ddbItem{":one": avN("1")}, `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
	}
	for _, e := range errs {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k,
			UpdateExpression: aws.String(e.expr), ExpressionAttributeValues: e.values})
		wantDDBErrorContains(t, e.expr, err, "ValidationException", e.msg)
	}
	wantItem(t, "stored after refused updates", getItem(t, c, table, k), want)
}

func TestDynamoDBConditionExpressions(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	it := withAttrs(ddbKey("c", "1"), ddbItem{
		"n": avN("5"), "s": avS("hello"), "ss": avSS("a", "b"),
		"l":   avL(avS("x"), avN("2"), avM(ddbItem{"deep": avS("v")})),
		"m":   avM(ddbItem{"a": avM(ddbItem{"b": avL(avN("10"), avN("20"), avN("30"))})}),
		"bin": avB(1, 2, 3), "flag": avBool(true), "nul": avNull(), "blank": avS(""),
	})
	putItem(t, c, table, it)
	type vals = ddbItem
	cases := []struct {
		cond   string
		values vals
		names  map[string]string
		holds  bool
	}{
		{"n = :v", vals{":v": avN("5")}, nil, true},
		{"n = :v", vals{":v": avN("5.0")}, nil, true},
		{"n <> :v", vals{":v": avN("5")}, nil, false},
		{"n <> :v", vals{":v": avN("6")}, nil, true},
		{"n < :v", vals{":v": avN("6")}, nil, true},
		{"n < :v", vals{":v": avN("-6")}, nil, false},
		{"n <= :v", vals{":v": avN("5")}, nil, true},
		{"n > :v", vals{":v": avN("5")}, nil, false},
		{"n > :v", vals{":v": avN("4.99")}, nil, true},
		{"n >= :v", vals{":v": avN("5")}, nil, true},
		{"s < :v", vals{":v": avS("world")}, nil, true},
		{"s > :v", vals{":v": avS("Z")}, nil, true},
		{"bin < :v", vals{":v": avB(1, 2, 4)}, nil, true},
		{"bin < :v", vals{":v": avB(1, 2)}, nil, false},
		{"n = :v", vals{":v": avS("5")}, nil, false},
		{"n < :v", vals{":v": avS("9")}, nil, false},
		{"nope = :v", vals{":v": avN("5")}, nil, false},
		{"flag = :v", vals{":v": avBool(true)}, nil, true},
		{"ss = :v", vals{":v": avSS("b", "a")}, nil, true},
		{"l[1] = :v", vals{":v": avN("2.0")}, nil, true},
		{"n BETWEEN :lo AND :hi", vals{":lo": avN("1"), ":hi": avN("5")}, nil, true},
		{"n BETWEEN :lo AND :hi", vals{":lo": avN("6"), ":hi": avN("9")}, nil, false},
		{"s BETWEEN :lo AND :hi", vals{":lo": avS("h"), ":hi": avS("i")}, nil, true},
		{"n IN (:a, :b)", vals{":a": avN("1"), ":b": avN("5")}, nil, true},
		{"s IN (:a, :b)", vals{":a": avS("x"), ":b": avS("y")}, nil, false},
		{"attribute_exists(s)", nil, nil, true},
		{"attribute_exists(nope)", nil, nil, false},
		{"attribute_exists(nul)", nil, nil, true},
		{"attribute_not_exists(nope)", nil, nil, true},
		{"attribute_not_exists(n)", nil, nil, false},
		{"attribute_exists(m.a.b[2])", nil, nil, true},
		{"attribute_exists(m.a.b[3])", nil, nil, false},
		{"attribute_type(s, :t)", vals{":t": avS("S")}, nil, true},
		{"attribute_type(n, :t)", vals{":t": avS("S")}, nil, false},
		{"attribute_type(nul, :t)", vals{":t": avS("NULL")}, nil, true},
		{"attribute_type(ss, :t)", vals{":t": avS("SS")}, nil, true},
		{"attribute_type(l, :t)", vals{":t": avS("L")}, nil, true},
		{"attribute_type(m.a, :t)", vals{":t": avS("M")}, nil, true},
		{"attribute_type(flag, :t)", vals{":t": avS("BOOL")}, nil, true},
		{"begins_with(s, :p)", vals{":p": avS("he")}, nil, true},
		{"begins_with(s, :p)", vals{":p": avS("lo")}, nil, false},
		{"begins_with(bin, :p)", vals{":p": avB(1, 2)}, nil, true},
		{"begins_with(n, :p)", vals{":p": avS("5")}, nil, false},
		{"contains(s, :p)", vals{":p": avS("ell")}, nil, true},
		{"contains(s, :p)", vals{":p": avS("xyz")}, nil, false},
		{"contains(ss, :p)", vals{":p": avS("a")}, nil, true},
		{"contains(ss, :p)", vals{":p": avS("z")}, nil, false},
		{"contains(l, :p)", vals{":p": avS("x")}, nil, true},
		{"contains(l, :p)", vals{":p": avN("2")}, nil, true},
		{"contains(l, :p)", vals{":p": avS("2")}, nil, false},
		{"size(s) = :v", vals{":v": avN("5")}, nil, true},
		{"size(ss) = :v", vals{":v": avN("2")}, nil, true},
		{"size(l) = :v", vals{":v": avN("3")}, nil, true},
		{"size(m) = :v", vals{":v": avN("1")}, nil, true},
		{"size(bin) > :v", vals{":v": avN("2")}, nil, true},
		{"size(blank) = :v", vals{":v": avN("0")}, nil, true},
		{"size(nope) = :v", vals{":v": avN("0")}, nil, false},
		{"m.a.b[1] = :v", vals{":v": avN("20")}, nil, true},
		{"#m.#a.b[2] > :v", vals{":v": avN("25")}, map[string]string{"#m": "m", "#a": "a"}, true},
		{"l[2].deep = :v", vals{":v": avS("v")}, nil, true},
		{"l[5] = :v", vals{":v": avS("v")}, nil, false},
		{"NOT attribute_exists(nope)", nil, nil, true},
		{"NOT (n = :v)", vals{":v": avN("5")}, nil, false},
		{"(n = :a OR n = :b) AND s = :c", vals{":a": avN("4"), ":b": avN("5"), ":c": avS("hello")}, nil, true},
		{"n = :a OR s = :b AND n = :c", vals{":a": avN("1"), ":b": avS("hello"), ":c": avN("6")}, nil, false},
		{"n = :a OR s = :b AND n = :c", vals{":a": avN("5"), ":b": avS("nope"), ":c": avN("6")}, nil, true},
		{"NOT n = :a AND s = :b", vals{":a": avN("4"), ":b": avS("hello")}, nil, true},
	}
	for _, tc := range cases {
		in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: it, ConditionExpression: aws.String(tc.cond)}
		if tc.values != nil {
			in.ExpressionAttributeValues = tc.values
		}
		if tc.names != nil {
			in.ExpressionAttributeNames = tc.names
		}
		_, err := c.PutItem(ctx, in)
		var ccf *types.ConditionalCheckFailedException
		switch {
		case tc.holds && err != nil:
			t.Errorf("%s (%s): %v, want the condition to hold", tc.cond, itemText(tc.values), err)
		case !tc.holds && !errors.As(err, &ccf):
			t.Errorf("%s (%s): %v, want ConditionalCheckFailedException", tc.cond, itemText(tc.values), err)
		}
	}

	invalid := []struct {
		cond   string
		values vals
		names  map[string]string
		msg    string
	}{
		{"n BETWEEN :hi AND :lo", vals{":lo": avN("1"), ":hi": avN("6")}, nil, "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound"},
		{"begins_with(s, :v)", vals{":v": avN("5")}, nil, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"contains(#a, #a)", nil, map[string]string{"#a": "s"}, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [s]"},
		{"((n = :v))", vals{":v": avN("5")}, nil, "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"foo(n)", nil, nil, "Invalid ConditionExpression: Invalid function name; function: foo"},
		{"size(s)", nil, nil, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"attribute_type(s, :t)", vals{":t": avS("XX")}, nil, "Invalid attribute type name found; type: XX"},
		{"n = = :v", vals{":v": avN("5")}, nil, `Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"`},
	}
	for _, tc := range invalid {
		in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: it, ConditionExpression: aws.String(tc.cond)}
		if tc.values != nil {
			in.ExpressionAttributeValues = tc.values
		}
		if tc.names != nil {
			in.ExpressionAttributeNames = tc.names
		}
		_, err := c.PutItem(ctx, in)
		wantDDBErrorContains(t, tc.cond, err, "ValidationException", tc.msg)
	}
}

func TestDynamoDBProjections(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	putItem(t, c, table, withAttrs(ddbKey("p", "1"), ddbItem{
		"s": avS("x"), "n": avN("1"),
		"l": avL(avS("l0"), avS("l1"), avM(ddbItem{"m": avM(ddbItem{"deep": avS("v"), "oth": avS("o")})})),
		"m": avM(ddbItem{"a": avM(ddbItem{"b": avL(avN("10"), avN("20"), avN("30")), "c": avS("c")})}),
	}))
	get := func(proj string, names map[string]string) ddbItem {
		t.Helper()
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"),
			ProjectionExpression: aws.String(proj), ExpressionAttributeNames: names})
		mustOK(t, "GetItem "+proj, err)
		return out.Item
	}
	wantItem(t, "nested paths and list indexes",
		get("m.a.b[1], l[2].m.deep, s, nope, l[7]", nil),
		ddbItem{"m": avM(ddbItem{"a": avM(ddbItem{"b": avL(avN("20"))})}), "l": avL(avM(ddbItem{"m": avM(ddbItem{"deep": avS("v")})})), "s": avS("x")})
	wantItem(t, "two elements of one list", get("l[0], l[2].m.oth", nil),
		ddbItem{"l": avL(avS("l0"), avM(ddbItem{"m": avM(ddbItem{"oth": avS("o")})}))})
	wantItem(t, "placeholders", get("#m.#a.c, pk", map[string]string{"#m": "m", "#a": "a"}),
		ddbItem{"m": avM(ddbItem{"a": avM(ddbItem{"c": avS("c")})}), "pk": avS("p")})
	wantItem(t, "only absent paths", get("nope", nil), ddbItem{})

	_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"), ProjectionExpression: aws.String("m, m.a")})
	wantDDBError(t, "overlapping projection", err, "ValidationException",
		"Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, a]")
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbKey("p", "1"), ProjectionExpression: aws.String("s, s")})
	wantDDBError(t, "duplicate projection", err, "ValidationException",
		"Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [s], path two: [s]")
}

func TestDynamoDBKeyErrors(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	const schema = "The provided key element does not match the schema"
	for _, tc := range []struct {
		name string
		key  ddbItem
	}{
		{"missing range key", ddbItem{"pk": avS("a")}},
		{"extra attribute", withAttrs(ddbKey("a", "1"), ddbItem{"x": avS("y")})},
		{"wrong type", ddbItem{"pk": avS("a"), "sk": avS("1")}},
		{"wrong name", ddbItem{"pk": avS("a"), "other": avN("1")}},
	} {
		_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: tc.key})
		wantDDBError(t, "GetItem, "+tc.name, err, "ValidationException", schema)
		_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: tc.key})
		wantDDBError(t, "DeleteItem, "+tc.name, err, "ValidationException", schema)
		_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: tc.key,
			UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: ddbItem{":v": avS("v")}})
		wantDDBError(t, "UpdateItem, "+tc.name, err, "ValidationException", schema)
	}

	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: ddbItem{"pk": avS("a"), "v": avS("x")}})
	wantDDBError(t, "PutItem without the range key", err, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: ddbItem{"pk": avN("1"), "sk": avN("1")}})
	wantDDBError(t, "PutItem with a mistyped hash key", err, "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: ddbItem{"pk": avS(""), "sk": avN("1")}})
	wantDDBError(t, "PutItem with an empty string key", err, "ValidationException",
		"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: ddbItem{"pk": avS(""), "sk": avN("1")}})
	wantDDBError(t, "GetItem with an empty string key", err, "ValidationException",
		"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: ddbItem{"pk": avS(strings.Repeat("k", 2049)), "sk": avN("1")}})
	wantDDBError(t, "PutItem with a 2049-byte hash key", err, "ValidationException",
		"One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	putItem(t, c, table, ddbItem{"pk": avS(strings.Repeat("k", 2048)), "sk": avN("1")})

	for _, tc := range []struct{ expr, attr string }{
		{"SET pk = :v", "pk"}, {"SET sk = :n", "sk"}, {"REMOVE sk", "sk"}, {"ADD sk :n", "sk"}, {"SET v = :v, pk = :v", "pk"},
	} {
		values := ddbItem{}
		if strings.Contains(tc.expr, ":v") {
			values[":v"] = avS("v")
		}
		if strings.Contains(tc.expr, ":n") {
			values[":n"] = avN("1")
		}
		in := &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: ddbKey("a", "1"), UpdateExpression: aws.String(tc.expr)}
		if len(values) > 0 {
			in.ExpressionAttributeValues = values
		}
		_, err = c.UpdateItem(ctx, in)
		wantDDBError(t, tc.expr, err, "ValidationException",
			"One or more parameter values were invalid: Cannot update attribute "+tc.attr+". This attribute is part of the key")
	}

	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nosuch"), Key: ddbKey("a", "1")})
	wantDDBError(t, "GetItem on a missing table", err, "ResourceNotFoundException", "Requested resource not found")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("nosuch"), Item: ddbKey("a", "1")})
	wantDDBError(t, "PutItem on a missing table", err, "ResourceNotFoundException", "Requested resource not found")
}

// UpdateItem reports these request errors inside DynamoDB's
// "1 validation error detected: " envelope, as PutItem and DeleteItem do.
func TestDynamoDBExpressionAttributeErrors(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	k := ddbKey("e", "1")
	putItem(t, c, table, k)
	update := func(expr, cond string, names map[string]string, values ddbItem) error {
		in := &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k, ExpressionAttributeNames: names, ExpressionAttributeValues: values}
		if expr != "" {
			in.UpdateExpression = aws.String(expr)
		}
		if cond != "" {
			in.ConditionExpression = aws.String(cond)
		}
		_, err := c.UpdateItem(ctx, in)
		return err
	}
	v := ddbItem{":v": avS("x")}
	wantDDBError(t, "unused name", update("SET a = :v", "", map[string]string{"#unused": "x"}, v),
		"ValidationException", "1 validation error detected: Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")
	wantDDBError(t, "unused value", update("SET a = :v", "", nil, ddbItem{":v": avS("x"), ":unused": avS("y")}),
		"ValidationException", "1 validation error detected: Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
	wantDDBError(t, "undefined value", update("SET a = :v", "", nil, nil),
		"ValidationException", "1 validation error detected: Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v")
	wantDDBErrorContains(t, "undefined value in the condition", update("SET a = :v", "a = :w", nil, v),
		"ValidationException", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w")
	wantDDBError(t, "undefined name", update("SET #n = :v", "", nil, v),
		"ValidationException", "1 validation error detected: Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #n")
	wantDDBError(t, "reserved word in an update", update("SET name = :v", "", nil, v),
		"ValidationException", "1 validation error detected: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name")
	wantDDBError(t, "reserved word in a condition", update("SET a = :v", "attribute_exists(status)", nil, v),
		"ValidationException", "1 validation error detected: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status")
	if err := update("SET #n = :v", "attribute_not_exists(#s)", map[string]string{"#n": "name", "#s": "status"}, v); err != nil {
		t.Errorf("reserved words through placeholders: %v", err)
	}
	wantDDBErrorContains(t, "syntax error", update("INVALID SYNTAX HERE", "", nil, v),
		"ValidationException", `Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"`)
	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k, UpdateExpression: aws.String("")})
	wantDDBErrorContains(t, "empty UpdateExpression", err, "ValidationException", "Invalid UpdateExpression: The expression can not be empty;")
	wantDDBError(t, "empty ExpressionAttributeValues", update("SET a = b", "", nil, ddbItem{}),
		"ValidationException", "1 validation error detected: ExpressionAttributeValues must not be empty")
	wantDDBErrorContains(t, "invalid placeholder key", update("SET a = :v", "", nil, ddbItem{"v": avS("x"), ":v": avS("x")}),
		"ValidationException", `ExpressionAttributeValues contains invalid key: Syntax error; key: "v"`)

	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k, ProjectionExpression: aws.String("data")})
	wantDDBError(t, "reserved word in a projection", err, "ValidationException",
		"Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: data")

	// Names and values without any expression to use them.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: k, ExpressionAttributeValues: v})
	wantDDBErrorContains(t, "ExpressionAttributeValues without an expression", err, "ValidationException",
		"ExpressionAttributeValues can only be specified when using expressions")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: k, ExpressionAttributeNames: map[string]string{"#a": "a"}})
	wantDDBErrorContains(t, "ExpressionAttributeNames without an expression", err, "ValidationException",
		"ExpressionAttributeNames can only be specified when using expressions")
}

func TestDynamoDBItemSizeLimit(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "docs", false)
	// An item's size is the UTF-8 length of its attribute names plus its
	// values': {pk: "a", big: <n bytes>} is 2+1+3+n bytes, and 400 KB
	// (409,600 bytes) is allowed.
	const limit = 400 * 1024
	sized := func(pk string, n int) ddbItem {
		return ddbItem{"pk": avS(pk), "big": avS(strings.Repeat("b", n-len(pk)-5))}
	}
	putItem(t, c, "docs", sized("a", limit))
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("docs"), Item: sized("b", limit+1)})
	wantDDBError(t, "PutItem of 400 KB + 1 byte", err, "ValidationException", "Item size has exceeded the maximum allowed size")
	if getItem(t, c, "docs", ddbItem{"pk": avS("b")}) != nil {
		t.Error("the item too large was written")
	}
	// A multi-byte character counts its UTF-8 bytes.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("docs"),
		Item: ddbItem{"pk": avS("c"), "big": avS(strings.Repeat("é", limit/2))}})
	wantDDBError(t, "PutItem of 400 K two-byte characters", err, "ValidationException", "Item size has exceeded the maximum allowed size")

	putItem(t, c, "docs", sized("d", limit-10))
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: ddbItem{"pk": avS("d")},
		UpdateExpression: aws.String("SET more = :v"), ExpressionAttributeValues: ddbItem{":v": avS("0123456789")}})
	wantDDBError(t, "UpdateItem growing past 400 KB", err, "ValidationException", "Item size to update has exceeded the maximum allowed size")
	if got := getItem(t, c, "docs", ddbItem{"pk": avS("d")}); got["more"] != nil {
		t.Error("the refused update was applied")
	}
}

func TestDynamoDBConsumedCapacity(t *testing.T) {
	t.Parallel()
	c, table := itemsTable(t)
	ctx := context.Background()
	k := ddbKey("cc", "1")
	want := func(what string, cc *types.ConsumedCapacity, units float64, withTable bool) {
		t.Helper()
		if cc == nil {
			t.Errorf("%s: no ConsumedCapacity", what)
			return
		}
		if aws.ToString(cc.TableName) != table || aws.ToFloat64(cc.CapacityUnits) != units {
			t.Errorf("%s: ConsumedCapacity %s %v, want %s %v", what, aws.ToString(cc.TableName), aws.ToFloat64(cc.CapacityUnits), table, units)
		}
		if withTable && (cc.Table == nil || aws.ToFloat64(cc.Table.CapacityUnits) != units) {
			t.Errorf("%s: INDEXES without the table's share: %+v", what, cc.Table)
		}
	}
	p, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: withAttrs(k, ddbItem{"v": avS("small")}), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "PutItem", err)
	want("PutItem of a small item", p.ConsumedCapacity, 1, false)
	p, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: withAttrs(k, ddbItem{"v": avS(strings.Repeat("x", 3000))}), ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	mustOK(t, "PutItem", err)
	want("PutItem of a 3 KB item", p.ConsumedCapacity, 3, true)
	g, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "GetItem", err)
	want("eventually consistent GetItem", g.ConsumedCapacity, 0.5, false)
	g, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "GetItem", err)
	want("consistent GetItem", g.ConsumedCapacity, 1, false)
	u, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k, UpdateExpression: aws.String("REMOVE v"), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "UpdateItem", err)
	want("UpdateItem shrinking a 3 KB item", u.ConsumedCapacity, 3, false)
	d, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: k, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "DeleteItem", err)
	want("DeleteItem", d.ConsumedCapacity, 1, false)
	g, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k})
	mustOK(t, "GetItem", err)
	if g.ConsumedCapacity != nil {
		t.Errorf("ConsumedCapacity without ReturnConsumedCapacity: %+v", g.ConsumedCapacity)
	}
}

// TestDynamoDBIndexMaintenance: writes keep GSIs and LSIs in step with
// their items — an item appears under its index keys, moves when they
// change, leaves when they are removed or the item is deleted — and an
// index key of the wrong type is refused.
func TestDynamoDBIndexMaintenance(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createTable(t, c, tableSpec{Name: "tasks", Hash: "pk", Range: "sk",
		Attrs: map[string]types.ScalarAttributeType{"pk": "S", "sk": "N", "status": "S", "due": "N", "prio": "N"},
		GSIs:  []indexSpec{{Name: "byStatus", Hash: "status", Range: "due", Projection: types.ProjectionTypeAll}},
		LSIs:  []indexSpec{{Name: "byPrio", Hash: "pk", Range: "prio", Projection: types.ProjectionTypeKeysOnly}},
	})
	status := func(s string) []ddbItem {
		t.Helper()
		items, _ := queryAll(t, c, &dynamodb.QueryInput{TableName: aws.String("tasks"), IndexName: aws.String("byStatus"),
			KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
			ExpressionAttributeValues: ddbItem{":s": avS(s)}})
		return items
	}
	prio := func(pk string) []ddbItem {
		t.Helper()
		items, _ := queryAll(t, c, &dynamodb.QueryInput{TableName: aws.String("tasks"), IndexName: aws.String("byPrio"),
			KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: ddbItem{":p": avS(pk)}})
		return items
	}
	t1 := ddbItem{"pk": avS("a"), "sk": avN("1"), "status": avS("open"), "due": avN("20"), "prio": avN("2"), "title": avS("one")}
	t2 := ddbItem{"pk": avS("a"), "sk": avN("2"), "status": avS("open"), "due": avN("10"), "prio": avN("1"), "title": avS("two")}
	t3 := ddbItem{"pk": avS("a"), "sk": avN("3"), "title": avS("no index keys")}
	for _, it := range []ddbItem{t1, t2, t3} {
		putItem(t, c, "tasks", it)
	}
	wantItems(t, "open tasks by due date", status("open"), []ddbItem{t2, t1})
	keysOnly := func(it ddbItem) ddbItem { return ddbItem{"pk": it["pk"], "sk": it["sk"], "prio": it["prio"]} }
	wantItems(t, "LSI by priority (KEYS_ONLY)", prio("a"), []ddbItem{keysOnly(t2), keysOnly(t1)})

	// Changing the GSI key moves the entry; the LSI follows its own key.
	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tasks"), Key: ddbItem{"pk": avS("a"), "sk": avN("1")},
		UpdateExpression: aws.String("SET #s = :done, prio = :p"), ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: ddbItem{":done": avS("done"), ":p": avN("0")}})
	mustOK(t, "UpdateItem status", err)
	t1 = withAttrs(t1, ddbItem{"status": avS("done"), "prio": avN("0")})
	wantItems(t, "open tasks after the update", status("open"), []ddbItem{t2})
	wantItems(t, "done tasks after the update", status("done"), []ddbItem{t1})
	wantItems(t, "LSI after the update", prio("a"), []ddbItem{keysOnly(t1), keysOnly(t2)})

	// Removing an index key removes the entry (sparse index).
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tasks"), Key: ddbItem{"pk": avS("a"), "sk": avN("2")},
		UpdateExpression: aws.String("REMOVE due")})
	mustOK(t, "UpdateItem REMOVE due", err)
	wantItems(t, "open tasks after REMOVE due", status("open"), nil)
	// Replacing the item with PutItem, and deleting it.
	putItem(t, c, "tasks", withAttrs(t3, ddbItem{"status": avS("done"), "due": avN("5")}))
	wantItems(t, "done tasks after PutItem", status("done"), []ddbItem{withAttrs(t3, ddbItem{"status": avS("done"), "due": avN("5")}), t1})
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("tasks"), Key: ddbItem{"pk": avS("a"), "sk": avN("1")}})
	mustOK(t, "DeleteItem", err)
	wantItems(t, "done tasks after DeleteItem", status("done"), []ddbItem{withAttrs(t3, ddbItem{"status": avS("done"), "due": avN("5")})})
	wantItems(t, "LSI after DeleteItem", prio("a"), []ddbItem{keysOnly(t2)})

	// Index keys of the wrong type, or empty, are refused.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tasks"), Item: ddbItem{"pk": avS("b"), "sk": avN("1"), "status": avN("1")}})
	wantDDBError(t, "PutItem with a mistyped GSI key", err, "ValidationException",
		"One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: byStatus")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tasks"), Item: ddbItem{"pk": avS("b"), "sk": avN("1"), "prio": avS("high")}})
	wantDDBError(t, "PutItem with a mistyped LSI key", err, "ValidationException",
		"One or more parameter values were invalid: Type mismatch for Index Key prio Expected: N Actual: S IndexName: byPrio")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tasks"), Item: ddbItem{"pk": avS("b"), "sk": avN("1"), "status": avS("")}})
	wantDDBError(t, "PutItem with an empty GSI key", err, "ValidationException",
		"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byStatus, IndexKey: status")
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("tasks"), Key: ddbItem{"pk": avS("a"), "sk": avN("2")},
		UpdateExpression: aws.String("SET #s = :n"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: ddbItem{":n": avN("3")}})
	wantDDBErrorContains(t, "UpdateItem setting a mistyped GSI key", err, "ValidationException", "")
	if getItem(t, c, "tasks", ddbItem{"pk": avS("b"), "sk": avN("1")}) != nil {
		t.Error("a refused PutItem wrote its item")
	}
	wantItems(t, "open tasks after refused writes", status("open"), nil)
	wantItems(t, "done tasks after refused writes", status("done"), []ddbItem{withAttrs(t3, ddbItem{"status": avS("done"), "due": avN("5")})})
}
