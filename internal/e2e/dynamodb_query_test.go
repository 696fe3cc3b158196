package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Query and Scan through aws-sdk-go-v2: key conditions on each range key
// type in DynamoDB's key order (numbers numerically, strings and binaries
// by unsigned bytes), pagination through the SDK's paginators, filters,
// Select, secondary indexes, the 1 MB page, and parallel scans.

// TestDynamoDBQueryKeyConditions runs every sort key operator on S, N and
// B range keys, forwards and backwards. Each table's range values are
// listed in DynamoDB's order, so the expected answer of a condition is a
// slice of positions.
func TestDynamoDBQueryKeyConditions(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	type rangeKeys struct {
		typ    types.ScalarAttributeType
		sorted []types.AttributeValue
		// prefix is a begins_with operand (S and B) and the positions it
		// matches.
		prefix  types.AttributeValue
		matches []int
		// extra are conditions whose operand is not one of the values.
		extra []struct {
			cond   string
			values ddbItem
			want   []int
		}
	}
	sv := func(ss ...string) []types.AttributeValue {
		out := make([]types.AttributeValue, len(ss))
		for i, s := range ss {
			out[i] = avS(s)
		}
		return out
	}
	nv := func(ns ...string) []types.AttributeValue {
		out := make([]types.AttributeValue, len(ns))
		for i, n := range ns {
			out[i] = avN(n)
		}
		return out
	}
	type extra = struct {
		cond   string
		values ddbItem
		want   []int
	}
	tables := []rangeKeys{
		{typ: "S", sorted: sv("A", "Z", "a", "aa", "ab", "b", "ba", "c", "é"), prefix: avS("a"), matches: []int{2, 3, 4},
			extra: []extra{
				{"sk < :v", ddbItem{":v": avS("a0")}, []int{0, 1, 2}},
				{"sk BETWEEN :a AND :b", ddbItem{":a": avS("ab0"), ":b": avS("bz")}, []int{5, 6}},
				{"begins_with(sk, :p)", ddbItem{":p": avS("é")}, []int{8}},
				{"begins_with(sk, :p)", ddbItem{":p": avS("x")}, nil},
			}},
		{typ: "N", sorted: nv("-10", "-2.5", "-1", "0", "0.5", "1", "2", "10", "100", "1000"),
			extra: []extra{
				{"sk < :v", ddbItem{":v": avN("1.5")}, []int{0, 1, 2, 3, 4, 5}},
				{"sk > :v", ddbItem{":v": avN("-2")}, []int{2, 3, 4, 5, 6, 7, 8, 9}},
				{"sk = :v", ddbItem{":v": avN("-2.50")}, []int{1}},
				{"sk BETWEEN :a AND :b", ddbItem{":a": avN("-1.5"), ":b": avN("1E1")}, []int{2, 3, 4, 5, 6, 7}},
			}},
		{typ: "B", sorted: []types.AttributeValue{avB(0x00), avB(0x01), avB(0x01, 0x00), avB(0x01, 0xff), avB(0x7f), avB(0x80), avB(0xff)},
			prefix: avB(0x01), matches: []int{1, 2, 3},
			extra: []extra{
				{"sk > :v", ddbItem{":v": avB(0x7f, 0x00)}, []int{5, 6}},
			}},
	}
	for _, rk := range tables {
		name := "range" + string(rk.typ)
		createTable(t, c, tableSpec{Name: name, Hash: "pk", Range: "sk",
			Attrs: map[string]types.ScalarAttributeType{"pk": "S", "sk": rk.typ}})
		var items []ddbItem
		for i, v := range rk.sorted {
			items = append(items, ddbItem{"pk": avS("p"), "sk": v, "i": avN(fmt.Sprint(i))})
			// A neighbouring partition the queries must never see.
			items = append(items, ddbItem{"pk": avS("q"), "sk": v, "i": avN(fmt.Sprint(i))})
		}
		batchPut(t, c, name, items)

		check := func(cond string, values ddbItem, want []int) {
			t.Helper()
			values = withAttrs(values, ddbItem{":pk": avS("p")})
			kce := "pk = :pk"
			if cond != "" {
				kce += " AND " + cond
			}
			for _, forward := range []bool{true, false} {
				out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(name),
					KeyConditionExpression: aws.String(kce), ExpressionAttributeValues: values,
					ScanIndexForward: aws.Bool(forward)})
				if err != nil {
					t.Errorf("%s %s: %v", name, cond, err)
					continue
				}
				var wantItems_ []ddbItem
				for _, i := range want {
					wantItems_ = append(wantItems_, ddbItem{"pk": avS("p"), "sk": rk.sorted[i], "i": avN(fmt.Sprint(i))})
				}
				if !forward {
					for i, j := 0, len(wantItems_)-1; i < j; i, j = i+1, j-1 {
						wantItems_[i], wantItems_[j] = wantItems_[j], wantItems_[i]
					}
				}
				wantItems(t, fmt.Sprintf("%s %s %s forward=%v", name, cond, itemText(values), forward), out.Items, wantItems_)
				if int(out.Count) != len(want) || out.LastEvaluatedKey != nil {
					t.Errorf("%s %s: Count %d, LastEvaluatedKey %s", name, cond, out.Count, itemText(out.LastEvaluatedKey))
				}
			}
		}
		span := func(from, to int) []int {
			var s []int
			for i := from; i < to; i++ {
				s = append(s, i)
			}
			return s
		}
		n := len(rk.sorted)
		check("sk >= :v", ddbItem{":v": rk.sorted[0]}, span(0, n))
		for i, v := range rk.sorted {
			vals := ddbItem{":v": v}
			check("sk = :v", vals, []int{i})
			check("sk < :v", vals, span(0, i))
			check("sk <= :v", vals, span(0, i+1))
			check("sk > :v", vals, span(i+1, n))
			check("sk >= :v", vals, span(i, n))
			for j := i; j < n; j += 2 {
				check("sk BETWEEN :a AND :b", ddbItem{":a": v, ":b": rk.sorted[j]}, span(i, j+1))
			}
		}
		if rk.prefix != nil {
			check("begins_with(sk, :p)", ddbItem{":p": rk.prefix}, rk.matches)
		}
		for _, e := range rk.extra {
			check(e.cond, e.values, e.want)
		}
		// Without a range condition, the whole partition in order.
		check("", nil, span(0, n))
	}

	query := func(kce string, values ddbItem) error {
		_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("rangeN"), KeyConditionExpression: aws.String(kce), ExpressionAttributeValues: values})
		return err
	}
	wantDDBError(t, "begins_with on a number key", query("pk = :p AND begins_with(sk, :v)", ddbItem{":p": avS("p"), ":v": avN("1")}),
		"ValidationException", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	wantDDBError(t, "mistyped range operand", query("pk = :p AND sk > :v", ddbItem{":p": avS("p"), ":v": avS("1")}),
		"ValidationException", "One or more parameter values were invalid: Condition parameter type does not match schema type")
	wantDDBError(t, "range condition only", query("sk > :v", ddbItem{":v": avN("1")}),
		"ValidationException", "Query condition missed key schema element: pk")
	wantDDBErrorContains(t, "OR in a key condition", query("pk = :p OR sk > :v", ddbItem{":p": avS("p"), ":v": avN("1")}),
		"ValidationException", "Invalid operator used in KeyConditionExpression: OR")
	wantDDBErrorContains(t, "BETWEEN bounds reversed", query("pk = :p AND sk BETWEEN :a AND :b", ddbItem{":p": avS("p"), ":a": avN("2"), ":b": avN("1")}),
		"ValidationException", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound")
	_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("rangeN")})
	wantDDBError(t, "no key condition", err, "ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
}

// partitionItems writes n items to partition pk of a pk S / sk N table:
// sk 0..n-1, v = sk, odd = true on odd sk.
func partitionItems(t *testing.T, c *dynamodb.Client, table, pk string, n int) []ddbItem {
	t.Helper()
	var items []ddbItem
	for i := range n {
		it := ddbItem{"pk": avS(pk), "sk": avN(fmt.Sprint(i)), "v": avN(fmt.Sprint(i))}
		if i%2 == 1 {
			it["odd"] = avBool(true)
		}
		items = append(items, it)
	}
	batchPut(t, c, table, items)
	return items
}

func reversed(items []ddbItem) []ddbItem {
	out := make([]ddbItem, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return out
}

func TestDynamoDBQueryPaginationAndFilter(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "pages", true)
	all := partitionItems(t, c, "pages", "p", 23)
	partitionItems(t, c, "pages", "other", 5)
	in := func(limit int32, forward bool) *dynamodb.QueryInput {
		return &dynamodb.QueryInput{TableName: aws.String("pages"), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: ddbItem{":p": avS("p")}, Limit: aws.Int32(limit), ScanIndexForward: aws.Bool(forward)}
	}
	for _, tc := range []struct {
		limit   int32
		forward bool
		pages   int
	}{
		{5, true, 5}, {5, false, 5}, {1, true, 24}, {23, true, 2}, {100, true, 1},
	} {
		got, pages := queryAll(t, c, in(tc.limit, tc.forward))
		want := all
		if !tc.forward {
			want = reversed(all)
		}
		wantItems(t, fmt.Sprintf("Limit %d forward=%v through the paginator", tc.limit, tc.forward), got, want)
		if pages != tc.pages {
			t.Errorf("Limit %d: %d pages, want %d", tc.limit, pages, tc.pages)
		}
	}
	// A page that stops at its Limit says where it stopped.
	out, err := c.Query(ctx, in(5, true))
	mustOK(t, "Query Limit 5", err)
	wantItem(t, "LastEvaluatedKey", out.LastEvaluatedKey, ddbItem{"pk": avS("p"), "sk": avN("4")})
	next := in(5, true)
	next.ExclusiveStartKey = out.LastEvaluatedKey
	out, err = c.Query(ctx, next)
	mustOK(t, "Query from LastEvaluatedKey", err)
	wantItems(t, "second page", out.Items, all[5:10])

	// The filter runs after the Limit: Count is what passed it,
	// ScannedCount what was read.
	filter := func(q *dynamodb.QueryInput) *dynamodb.QueryInput {
		q.FilterExpression = aws.String("attribute_exists(odd) AND v >= :min")
		q.ExpressionAttributeValues[":min"] = avN("4")
		return q
	}
	out, err = c.Query(ctx, filter(in(6, true)))
	mustOK(t, "filtered Query", err)
	if out.Count != 1 || out.ScannedCount != 6 || len(out.Items) != 1 {
		t.Errorf("Limit 6 with a filter: Count %d, ScannedCount %d, %d items; want 1, 6, 1", out.Count, out.ScannedCount, len(out.Items))
	}
	q := filter(in(100, true))
	q.Limit = nil
	out, err = c.Query(ctx, q)
	mustOK(t, "filtered Query", err)
	var odd []ddbItem
	for _, it := range all[4:] {
		if it["odd"] != nil {
			odd = append(odd, it)
		}
	}
	wantItems(t, "filtered Query", out.Items, odd)
	if int(out.Count) != len(odd) || out.ScannedCount != 23 {
		t.Errorf("filtered Query: Count %d, ScannedCount %d; want %d, 23", out.Count, out.ScannedCount, len(odd))
	}
	got, _ := queryAll(t, c, filter(in(4, false)))
	wantItems(t, "filtered Query through the paginator, backwards", got, reversed(odd))

	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("pages"), KeyConditionExpression: aws.String("pk = :p"),
		FilterExpression: aws.String("sk > :v"), ExpressionAttributeValues: ddbItem{":p": avS("p"), ":v": avN("1")}})
	wantDDBError(t, "filter on the range key", err, "ValidationException",
		"Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")

	// Select on the table.
	out, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("pages"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: ddbItem{":p": avS("p")}, Select: types.SelectCount})
	mustOK(t, "Select COUNT", err)
	if out.Count != 23 || len(out.Items) != 0 {
		t.Errorf("Select COUNT: Count %d, %d items", out.Count, len(out.Items))
	}
	out, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("pages"), KeyConditionExpression: aws.String("pk = :p AND sk < :two"),
		ExpressionAttributeValues: ddbItem{":p": avS("p"), ":two": avN("2")}, Select: types.SelectSpecificAttributes, ProjectionExpression: aws.String("v, odd")})
	mustOK(t, "Select SPECIFIC_ATTRIBUTES", err)
	wantItems(t, "Select SPECIFIC_ATTRIBUTES", out.Items, []ddbItem{{"v": avN("0")}, {"v": avN("1"), "odd": avBool(true)}})
	out, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("pages"), KeyConditionExpression: aws.String("pk = :p AND sk = :z"),
		ExpressionAttributeValues: ddbItem{":p": avS("p"), ":z": avN("0")}, Select: types.SelectAllAttributes})
	mustOK(t, "Select ALL_ATTRIBUTES", err)
	wantItems(t, "Select ALL_ATTRIBUTES", out.Items, all[:1])

	selErr := func(sel types.Select, proj string) error {
		q := &dynamodb.QueryInput{TableName: aws.String("pages"), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: ddbItem{":p": avS("p")}, Select: sel}
		if proj != "" {
			q.ProjectionExpression = aws.String(proj)
		}
		_, err := c.Query(ctx, q)
		return err
	}
	wantDDBErrorContains(t, "COUNT with a projection", selErr(types.SelectCount, "v"), "ValidationException",
		"Cannot specify the ProjectionExpression when choosing to get only the Count")
	wantDDBErrorContains(t, "ALL_ATTRIBUTES with a projection", selErr(types.SelectAllAttributes, "v"), "ValidationException",
		"Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
	wantDDBErrorContains(t, "SPECIFIC_ATTRIBUTES without a projection", selErr(types.SelectSpecificAttributes, ""), "ValidationException",
		"Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
	wantDDBErrorContains(t, "ALL_PROJECTED_ATTRIBUTES on the table", selErr(types.SelectAllProjectedAttributes, ""), "ValidationException",
		"ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
}

// TestDynamoDBQueryIndexes queries GSIs of each projection type and an
// LSI, with each Select.
func TestDynamoDBQueryIndexes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createTable(t, c, tableSpec{Name: "users", Hash: "pk", Range: "sk",
		Attrs: map[string]types.ScalarAttributeType{"pk": "S", "sk": "N", "owner": "S", "city": "S", "age": "N", "team": "S"},
		GSIs: []indexSpec{
			{Name: "byOwner", Hash: "owner", Projection: types.ProjectionTypeKeysOnly},
			{Name: "byCity", Hash: "city", Range: "age", Projection: types.ProjectionTypeInclude, NonKey: []string{"nick"}},
			{Name: "byTeam", Hash: "team", Projection: types.ProjectionTypeAll},
		},
		LSIs: []indexSpec{{Name: "byAge", Hash: "pk", Range: "age", Projection: types.ProjectionTypeKeysOnly}},
	})
	u := []ddbItem{
		{"pk": avS("u"), "sk": avN("1"), "owner": avS("ann"), "city": avS("oslo"), "age": avN("41"), "team": avS("red"), "nick": avS("a"), "secret": avS("s1")},
		{"pk": avS("u"), "sk": avN("2"), "owner": avS("ann"), "city": avS("oslo"), "age": avN("29"), "team": avS("red"), "nick": avS("b"), "secret": avS("s2")},
		{"pk": avS("u"), "sk": avN("3"), "city": avS("rome"), "age": avN("35"), "nick": avS("c"), "secret": avS("s3")},
	}
	for _, it := range u {
		putItem(t, c, "users", it)
	}
	pick := func(it ddbItem, names ...string) ddbItem {
		out := ddbItem{}
		for _, n := range names {
			if v, ok := it[n]; ok {
				out[n] = v
			}
		}
		return out
	}
	q := func(index, kce string, values ddbItem, mod func(*dynamodb.QueryInput)) (*dynamodb.QueryOutput, error) {
		in := &dynamodb.QueryInput{TableName: aws.String("users"), IndexName: aws.String(index),
			KeyConditionExpression: aws.String(kce), ExpressionAttributeValues: values}
		if mod != nil {
			mod(in)
		}
		return c.Query(ctx, in)
	}
	ann := ddbItem{":o": avS("ann")}
	oslo := ddbItem{":c": avS("oslo")}
	items := func(what string, out *dynamodb.QueryOutput, err error, want []ddbItem) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		wantItems(t, what, out.Items, want)
	}

	out, err := q("byOwner", "#o = :o", ann, func(in *dynamodb.QueryInput) { in.ExpressionAttributeNames = map[string]string{"#o": "owner"} })
	items("KEYS_ONLY GSI", out, err, []ddbItem{pick(u[0], "pk", "sk", "owner"), pick(u[1], "pk", "sk", "owner")})
	out, err = q("byCity", "city = :c", oslo, nil)
	items("INCLUDE GSI, in index order", out, err, []ddbItem{pick(u[1], "pk", "sk", "city", "age", "nick"), pick(u[0], "pk", "sk", "city", "age", "nick")})
	out, err = q("byCity", "city = :c AND age > :a", withAttrs(oslo, ddbItem{":a": avN("30")}), func(in *dynamodb.QueryInput) { in.Select = types.SelectAllProjectedAttributes })
	items("INCLUDE GSI, ALL_PROJECTED_ATTRIBUTES, range condition", out, err, []ddbItem{pick(u[0], "pk", "sk", "city", "age", "nick")})
	out, err = q("byCity", "city = :c", oslo, func(in *dynamodb.QueryInput) { in.ProjectionExpression = aws.String("nick, age") })
	items("INCLUDE GSI, projected attributes", out, err, []ddbItem{pick(u[1], "nick", "age"), pick(u[0], "nick", "age")})
	out, err = q("byTeam", "team = :t", ddbItem{":t": avS("red")}, func(in *dynamodb.QueryInput) { in.Select = types.SelectAllAttributes })
	items("ALL GSI, ALL_ATTRIBUTES", out, err, []ddbItem{u[0], u[1]})
	out, err = q("byCity", "city = :c", oslo, func(in *dynamodb.QueryInput) { in.Select = types.SelectCount })
	if err != nil || out.Count != 2 || len(out.Items) != 0 {
		t.Errorf("GSI COUNT: %v", err)
	}

	_, err = q("byCity", "city = :c", oslo, func(in *dynamodb.QueryInput) { in.Select = types.SelectAllAttributes })
	wantDDBError(t, "ALL_ATTRIBUTES on an INCLUDE GSI", err, "ValidationException",
		"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byCity because its projection type is not ALL")
	_, err = q("byCity", "city = :c", oslo, func(in *dynamodb.QueryInput) { in.ProjectionExpression = aws.String("nick, secret") })
	wantDDBError(t, "GSI projection of an attribute it does not project", err, "ValidationException",
		"One or more parameter values were invalid: Global secondary index byCity does not project [secret]")
	_, err = q("byCity", "city = :c", oslo, func(in *dynamodb.QueryInput) { in.ConsistentRead = aws.Bool(true) })
	wantDDBError(t, "ConsistentRead on a GSI", err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("users"), IndexName: aws.String("byCity"), ConsistentRead: aws.Bool(true)})
	wantDDBError(t, "ConsistentRead on a GSI scan", err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	_, err = q("nope", "city = :c", oslo, nil)
	wantDDBError(t, "unknown index", err, "ValidationException", "The table does not have the specified index: nope")
	_, err = q("byCity", "pk = :c", oslo, nil)
	wantDDBError(t, "GSI queried by the table's key", err, "ValidationException", "Query condition missed key schema element: city")

	// The LSI projects keys only; asking for more fetches from the table.
	pk := ddbItem{":p": avS("u")}
	out, err = q("byAge", "pk = :p", pk, func(in *dynamodb.QueryInput) { in.ConsistentRead = aws.Bool(true) })
	items("KEYS_ONLY LSI, consistent", out, err, []ddbItem{pick(u[1], "pk", "sk", "age"), pick(u[2], "pk", "sk", "age"), pick(u[0], "pk", "sk", "age")})
	out, err = q("byAge", "pk = :p AND age BETWEEN :a AND :b", withAttrs(pk, ddbItem{":a": avN("30"), ":b": avN("50")}),
		func(in *dynamodb.QueryInput) {
			in.Select = types.SelectAllAttributes
			in.ScanIndexForward = aws.Bool(false)
		})
	items("KEYS_ONLY LSI, ALL_ATTRIBUTES from the table", out, err, []ddbItem{u[0], u[2]})
	out, err = q("byAge", "pk = :p AND age < :a", withAttrs(pk, ddbItem{":a": avN("30")}), func(in *dynamodb.QueryInput) { in.ProjectionExpression = aws.String("secret, age") })
	items("KEYS_ONLY LSI, a projection from the table", out, err, []ddbItem{pick(u[1], "secret", "age")})

	// Scanning an index sees only the items it holds (sparse).
	s, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("users"), IndexName: aws.String("byOwner")})
	mustOK(t, "Scan GSI", err)
	if s.Count != 2 {
		t.Errorf("Scan of the sparse GSI: Count %d, want 2", s.Count)
	}
}

// TestDynamoDBQueryPageLimit writes ~1.5 MB to one partition: a Query
// without Limit stops at 1 MB, counted before the filter.
func TestDynamoDBQueryPageLimit(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "heavy", true)
	const n, size = 150, 10000
	var all []ddbItem
	for i := range n {
		all = append(all, ddbItem{"pk": avS("p"), "sk": avN(fmt.Sprint(i)), "pad": avS(strings.Repeat("x", size))})
	}
	batchPut(t, c, "heavy", all)
	// Each item is 1 + 3 + 2 + ~3 + 3 + 10000 bytes: 1 MB holds 104 or 105.
	inRange := func(k int32) bool { return k >= 100 && k <= 106 }
	in := func() *dynamodb.QueryInput {
		return &dynamodb.QueryInput{TableName: aws.String("heavy"), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: ddbItem{":p": avS("p")}}
	}
	out, err := c.Query(ctx, in())
	mustOK(t, "Query", err)
	if !inRange(out.Count) || out.LastEvaluatedKey == nil {
		t.Errorf("first 1 MB page: %d items, LastEvaluatedKey %s; want ~105 and a key", out.Count, itemText(out.LastEvaluatedKey))
	}
	if out.LastEvaluatedKey != nil && len(out.Items) > 0 {
		wantItem(t, "LastEvaluatedKey is the last item's key", out.LastEvaluatedKey, ddbItem{"pk": avS("p"), "sk": out.Items[len(out.Items)-1]["sk"]})
	}
	got, pages := queryAll(t, c, in())
	wantItems(t, "every item once, in order", got, all)
	if pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}

	f := in()
	f.FilterExpression = aws.String("attribute_exists(nope)")
	out, err = c.Query(ctx, f)
	mustOK(t, "filtered Query", err)
	if out.Count != 0 || !inRange(out.ScannedCount) || out.LastEvaluatedKey == nil {
		t.Errorf("filtered 1 MB page: Count %d, ScannedCount %d, LastEvaluatedKey %s; want 0, ~105, a key",
			out.Count, out.ScannedCount, itemText(out.LastEvaluatedKey))
	}
	s, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("heavy"), Select: types.SelectCount})
	mustOK(t, "Scan COUNT", err)
	if !inRange(s.ScannedCount) || s.Count != s.ScannedCount || s.LastEvaluatedKey == nil {
		t.Errorf("Scan COUNT 1 MB page: Count %d, ScannedCount %d, LastEvaluatedKey %s", s.Count, s.ScannedCount, itemText(s.LastEvaluatedKey))
	}
}

func TestDynamoDBScan(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "scanned", false)
	want := map[string]bool{}
	var items []ddbItem
	for i := range 40 {
		pk := fmt.Sprintf("item-%02d", i)
		items = append(items, ddbItem{"pk": avS(pk), "n": avN(fmt.Sprint(i))})
		want[pk] = true
	}
	batchPut(t, c, "scanned", items)
	once := func(what string, got []ddbItem, want map[string]bool) {
		t.Helper()
		seen := map[string]int{}
		for _, it := range got {
			seen[it["pk"].(*types.AttributeValueMemberS).Value]++
		}
		for pk := range want {
			if seen[pk] != 1 {
				t.Errorf("%s: %s seen %d times", what, pk, seen[pk])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d items, want %d", what, len(got), len(want))
		}
	}
	got, _ := scanAll(t, c, &dynamodb.ScanInput{TableName: aws.String("scanned")})
	once("Scan", got, want)
	got, pages := scanAll(t, c, &dynamodb.ScanInput{TableName: aws.String("scanned"), Limit: aws.Int32(7)})
	once("Scan with Limit 7", got, want)
	if pages != 6 {
		t.Errorf("Scan with Limit 7: %d pages, want 6", pages)
	}

	// Four segments, each paged, cover every item exactly once.
	var union []ddbItem
	for seg := int32(0); seg < 4; seg++ {
		part, _ := scanAll(t, c, &dynamodb.ScanInput{TableName: aws.String("scanned"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(4), Limit: aws.Int32(3)})
		if len(part) == 0 || len(part) == 40 {
			t.Errorf("segment %d holds %d of 40 items", seg, len(part))
		}
		union = append(union, part...)
	}
	once("4 segments", union, want)
	got, _ = scanAll(t, c, &dynamodb.ScanInput{TableName: aws.String("scanned"), Segment: aws.Int32(0), TotalSegments: aws.Int32(1)})
	once("1 segment", got, want)

	// A filter: Count is what passed, ScannedCount what was read.
	out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("scanned"), FilterExpression: aws.String("n >= :min AND begins_with(pk, :p)"),
		ExpressionAttributeValues: ddbItem{":min": avN("30"), ":p": avS("item-3")}})
	mustOK(t, "filtered Scan", err)
	if out.Count != 10 || out.ScannedCount != 40 || len(out.Items) != 10 {
		t.Errorf("filtered Scan: Count %d, ScannedCount %d, %d items; want 10, 40, 10", out.Count, out.ScannedCount, len(out.Items))
	}
	filtered, _ := scanAll(t, c, &dynamodb.ScanInput{TableName: aws.String("scanned"), FilterExpression: aws.String("n < :max"),
		ExpressionAttributeValues: ddbItem{":max": avN("5")}, Limit: aws.Int32(4), ProjectionExpression: aws.String("pk")})
	once("filtered, paged Scan", filtered, map[string]bool{"item-00": true, "item-01": true, "item-02": true, "item-03": true, "item-04": true})
	if len(filtered) > 0 && len(filtered[0]) != 1 {
		t.Errorf("projected Scan item: %s", itemText(filtered[0]))
	}

	scanErr := func(seg, total *int32) error {
		_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("scanned"), Segment: seg, TotalSegments: total})
		return err
	}
	wantDDBError(t, "Segment without TotalSegments", scanErr(aws.Int32(0), nil), "ValidationException",
		"The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	wantDDBError(t, "TotalSegments without Segment", scanErr(nil, aws.Int32(4)), "ValidationException",
		"The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	wantDDBError(t, "Segment = TotalSegments", scanErr(aws.Int32(4), aws.Int32(4)), "ValidationException",
		"The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4")
	wantDDBErrorContains(t, "TotalSegments 0", scanErr(aws.Int32(0), aws.Int32(0)), "ValidationException",
		"failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("scanned"), Select: types.SelectAllProjectedAttributes})
	wantDDBErrorContains(t, "Scan ALL_PROJECTED_ATTRIBUTES on the table", err, "ValidationException",
		"ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
}
