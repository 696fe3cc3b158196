package e2e

// Global secondary indexes with multi-attribute keys: up to four
// partition key and four sort key attributes, queried with an equality
// on every partition key attribute and conditions on the sort key
// attributes from the first on, only the last of them other than an
// equality.

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// multiKeySchema is a key schema of the hash attributes, then the range
// attributes.
func multiKeySchema(hashes, ranges []string) []types.KeySchemaElement {
	var ks []types.KeySchemaElement
	for _, n := range hashes {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(n), KeyType: types.KeyTypeHash})
	}
	for _, n := range ranges {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(n), KeyType: types.KeyTypeRange})
	}
	return ks
}

func TestDynamoDBConformanceMultiAttributeGSIQuery(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("events"), BillingMode: types.BillingModePayPerRequest,
		KeySchema: keySchema("p", ""),
		AttributeDefinitions: []types.AttributeDefinition{
			attrDefS("p"), attrDefS("tenantId"), attrDefS("regionId"), attrDefS("kindOf"),
			{AttributeName: aws.String("yearNo"), AttributeType: types.ScalarAttributeTypeN},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byTenant"), KeySchema: multiKeySchema([]string{"tenantId", "regionId"}, []string{"yearNo", "kindOf"}),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	mustOK(t, "CreateTable with a multi-attribute GSI key", err)
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("events")})
	mustOK(t, "DescribeTable", err)
	var ks []string
	for _, k := range desc.Table.GlobalSecondaryIndexes[0].KeySchema {
		ks = append(ks, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	if got := strings.Join(ks, ", "); got != "tenantId HASH, regionId HASH, yearNo RANGE, kindOf RANGE" {
		t.Errorf("the index's KeySchema = %s", got)
	}

	item := func(p, tenant, region, year, kind string) ddbItem {
		return ddbItem{"p": avS(p), "tenantId": avS(tenant), "regionId": avS(region), "yearNo": avN(year), "kindOf": avS(kind), "extra": avS("x")}
	}
	for _, it := range []ddbItem{
		item("1", "acme", "eu", "2024", "order"),
		item("2", "acme", "eu", "2024", "refund"),
		item("3", "acme", "eu", "100", "order"),
		item("4", "acme", "eu", "2025", "order"),
		item("5", "acme", "us", "2024", "order"),
		{"p": avS("6"), "tenantId": avS("acme"), "regionId": avS("eu"), "yearNo": avN("2024")}, // no kind: not indexed
	} {
		putItem(t, c, "events", it)
	}
	key := func(p, year, kind string) ddbItem {
		return ddbItem{"p": avS(p), "tenantId": avS("acme"), "regionId": avS("eu"), "yearNo": avN(year), "kindOf": avS(kind)}
	}
	query := func(cond string, values ddbItem, mod func(*dynamodb.QueryInput)) (*dynamodb.QueryOutput, error) {
		in := &dynamodb.QueryInput{
			TableName: aws.String("events"), IndexName: aws.String("byTenant"),
			KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values,
		}
		if mod != nil {
			mod(in)
		}
		return c.Query(ctx, in)
	}
	eu := ddbItem{":t": avS("acme"), ":r": avS("eu")}
	with := func(kv ...any) ddbItem {
		v := ddbItem{":t": avS("acme"), ":r": avS("eu")}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i].(string)] = kv[i+1].(types.AttributeValue)
		}
		return v
	}

	reads := []struct {
		what   string
		cond   string
		values ddbItem
		want   []ddbItem
	}{
		{"the whole partition, sorted by year (numerically) then kind", "tenantId = :t AND regionId = :r", eu,
			[]ddbItem{key("3", "100", "order"), key("1", "2024", "order"), key("2", "2024", "refund"), key("4", "2025", "order")}},
		{"partition key conditions in any order", "regionId = :r AND tenantId = :t", eu,
			[]ddbItem{key("3", "100", "order"), key("1", "2024", "order"), key("2", "2024", "refund"), key("4", "2025", "order")}},
		{"the first sort key attribute", "tenantId = :t AND regionId = :r AND yearNo = :y", with(":y", avN("2024")),
			[]ddbItem{key("1", "2024", "order"), key("2", "2024", "refund")}},
		{"an inequality on the first sort key attribute", "tenantId = :t AND regionId = :r AND yearNo > :y", with(":y", avN("2024")),
			[]ddbItem{key("4", "2025", "order")}},
		{"both sort key attributes", "tenantId = :t AND regionId = :r AND yearNo = :y AND kindOf = :k", with(":y", avN("2024"), ":k", avS("refund")),
			[]ddbItem{key("2", "2024", "refund")}},
		{"begins_with on the last", "tenantId = :t AND regionId = :r AND yearNo = :y AND begins_with(kindOf, :k)", with(":y", avN("2024"), ":k", avS("ord")),
			[]ddbItem{key("1", "2024", "order")}},
		{"BETWEEN on the last", "tenantId = :t AND regionId = :r AND yearNo = :y AND kindOf BETWEEN :a AND :b", with(":y", avN("2024"), ":a", avS("p"), ":b", avS("s")),
			[]ddbItem{key("2", "2024", "refund")}},
		{"sort key conditions in any order", "kindOf < :k AND yearNo = :y AND regionId = :r AND tenantId = :t", with(":y", avN("2024"), ":k", avS("p")),
			[]ddbItem{key("1", "2024", "order")}},
	}
	for _, r := range reads {
		out, err := query(r.cond, r.values, nil)
		mustOK(t, r.what, err)
		wantItems(t, r.what, out.Items, r.want)
	}
	out, err := query("tenantId = :t AND regionId = :r AND yearNo = :y", with(":y", avN("2024")), func(in *dynamodb.QueryInput) { in.ScanIndexForward = aws.Bool(false) })
	mustOK(t, "a backward query", err)
	wantItems(t, "a backward query", out.Items, []ddbItem{key("2", "2024", "refund"), key("1", "2024", "order")})

	// Pages resume from a LastEvaluatedKey naming every key attribute.
	var got []ddbItem
	var start ddbItem
	for {
		out, err := query("tenantId = :t AND regionId = :r", eu, func(in *dynamodb.QueryInput) { in.Limit = aws.Int32(1); in.ExclusiveStartKey = start })
		mustOK(t, "a page", err)
		got = append(got, out.Items...)
		if len(out.Items) == 1 && len(out.LastEvaluatedKey) != 5 {
			t.Errorf("LastEvaluatedKey = %s, want the table's and the index's key attributes", itemText(out.LastEvaluatedKey))
		}
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	wantItems(t, "the pages", got, []ddbItem{key("3", "100", "order"), key("1", "2024", "order"), key("2", "2024", "refund"), key("4", "2025", "order")})

	refused := []struct {
		what   string
		cond   string
		values ddbItem
		mod    func(*dynamodb.QueryInput)
		msg    string
	}{
		{"a partition key attribute left out", "tenantId = :t", ddbItem{":t": avS("acme")}, nil,
			"Query condition missed key schema element: regionId"},
		{"an inequality on a partition key attribute", "tenantId = :t AND regionId > :r", eu, nil,
			"Query key condition not supported"},
		{"the first sort key attribute skipped", "tenantId = :t AND regionId = :r AND kindOf = :k", with(":k", avS("order")), nil,
			"Query condition missed key schema element: yearNo"},
		{"an inequality before the last condition", "tenantId = :t AND regionId = :r AND yearNo > :y AND kindOf = :k", with(":y", avN("1"), ":k", avS("order")), nil,
			"Query key condition not supported: only the last sort key condition may be other than an equality; found GT on yearNo"},
		{"begins_with on a number attribute", "tenantId = :t AND regionId = :r AND begins_with(yearNo, :y)", with(":y", avS("2")), nil,
			"Invalid KeyConditionExpression: begins_with is not supported on key attribute yearNo of type N"},
		{"a filter on a sort key attribute", "tenantId = :t AND regionId = :r", with(":k", avS("order")),
			func(in *dynamodb.QueryInput) { in.FilterExpression = aws.String("kindOf = :k") },
			"Filter Expression can only contain non-primary key attributes: Primary key attribute: kindOf"},
		{"a start key without a partition key attribute", "tenantId = :t AND regionId = :r", eu,
			func(in *dynamodb.QueryInput) {
				in.ExclusiveStartKey = ddbItem{"p": avS("1"), "tenantId": avS("acme"), "yearNo": avN("2024"), "kindOf": avS("order")}
			},
			"The provided starting key is invalid: The provided key element does not match the schema"},
	}
	for _, r := range refused {
		_, err := query(r.cond, r.values, r.mod)
		wantDDBError(t, r.what, err, "ValidationException", r.msg)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("events"), IndexName: aws.String("byTenant"),
		KeyConditions: map[string]types.Condition{
			"tenantId": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{avS("acme")}},
			"regionId": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{avS("eu")}},
		},
	})
	wantDDBError(t, "KeyConditions on a multi-attribute key", err, "ValidationException",
		"KeyConditions cannot query index byTenant, whose key has several attributes: use a KeyConditionExpression")

	// A scan of the index reads the indexed items, projected.
	scan, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("events"), IndexName: aws.String("byTenant")})
	mustOK(t, "Scan of the index", err)
	if len(scan.Items) != 5 {
		t.Errorf("Scan of the index read %d items, want the 5 with every key attribute", len(scan.Items))
	}
}

func TestDynamoDBConformanceMultiAttributeGSISchema(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	create := func(ks []types.KeySchemaElement, defs ...string) error {
		in := &dynamodb.CreateTableInput{
			TableName: aws.String("schemas"), BillingMode: types.BillingModePayPerRequest,
			KeySchema: keySchema("p", ""), AttributeDefinitions: []types.AttributeDefinition{attrDefS("p")},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName: aws.String("gsi"), KeySchema: ks, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
		}
		for _, d := range defs {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDefS(d))
		}
		_, err := c.CreateTable(ctx, in)
		return err
	}
	el := func(name string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: kt}
	}
	h, r := types.KeyTypeHash, types.KeyTypeRange
	cases := []struct {
		what string
		ks   []types.KeySchemaElement
		defs []string
		msg  string
	}{
		{"five partition key attributes", multiKeySchema([]string{"a", "b", "c", "d", "e"}, nil), []string{"a", "b", "c", "d", "e"},
			"Invalid KeySchema: A global secondary index key has at most 4 HASH key elements, found 5"},
		{"five sort key attributes", multiKeySchema([]string{"a"}, []string{"b", "c", "d", "e", "f"}), []string{"a", "b", "c", "d", "e", "f"},
			"Invalid KeySchema: A global secondary index key has at most 4 RANGE key elements, found 5"},
		{"a HASH element after a RANGE one", []types.KeySchemaElement{el("a", h), el("b", r), el("c", h)}, []string{"a", "b", "c"},
			"Invalid KeySchema: HASH key elements must all come before the RANGE key elements"},
		{"a RANGE element first", []types.KeySchemaElement{el("a", r), el("b", h)}, []string{"a", "b"},
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"an attribute named twice", []types.KeySchemaElement{el("a", h), el("a", h)}, []string{"a"},
			"Invalid KeySchema: Duplicate key attribute name: a"},
		{"an attribute as partition and sort key", []types.KeySchemaElement{el("a", h), el("b", h), el("a", r)}, []string{"a", "b"},
			"Invalid KeySchema: Duplicate key attribute name: a"},
		{"an undefined attribute", multiKeySchema([]string{"a", "b"}, nil), []string{"a"},
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [b], AttributeDefinitions: [p, a]"},
	}
	for _, tc := range cases {
		wantDDBError(t, tc.what, create(tc.ks, tc.defs...), "ValidationException", tc.msg)
	}
	// A table's and a local index's keys keep one attribute of each kind.
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("lsi"), BillingMode: types.BillingModePayPerRequest,
		KeySchema:            keySchema("p", "s"),
		AttributeDefinitions: []types.AttributeDefinition{attrDefS("p"), attrDefS("s"), attrDefS("l")},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("lsi"), KeySchema: multiKeySchema([]string{"p"}, []string{"s", "l"}), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	wantDDBError(t, "a local index with two sort key attributes", err, "ValidationException",
		"1 validation error detected: Value '3' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2")

	// UpdateTable adds a multi-attribute index and fills it from the
	// items already written.
	createSimpleTable(t, c, "later", false)
	putItem(t, c, "later", ddbItem{"pk": avS("1"), "a": avS("x"), "b": avS("y"), "c": avS("z")})
	putItem(t, c, "later", ddbItem{"pk": avS("2"), "a": avS("x"), "b": avS("y")})
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName:            aws.String("later"),
		AttributeDefinitions: []types.AttributeDefinition{attrDefS("a"), attrDefS("b"), attrDefS("c")},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("gsi"), KeySchema: multiKeySchema([]string{"a", "b"}, []string{"c"}), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}}},
	})
	mustOK(t, "UpdateTable adding a multi-attribute index", err)
	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("later"), IndexName: aws.String("gsi"), KeyConditionExpression: aws.String("a = :a AND b = :b"),
		ExpressionAttributeValues: ddbItem{":a": avS("x"), ":b": avS("y")},
	})
	mustOK(t, "Query of the added index", err)
	wantItems(t, "the added index", out.Items, []ddbItem{{"pk": avS("1"), "a": avS("x"), "b": avS("y"), "c": avS("z")}})
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("later"), Item: ddbItem{"pk": avS("3"), "a": avS("x"), "b": avN("1")}})
	wantDDBError(t, "a multi-attribute index key of the wrong type", err, "ValidationException",
		"One or more parameter values were invalid: Type mismatch for Index Key b Expected: S Actual: N IndexName: gsi")
}
