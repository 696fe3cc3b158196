package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction through
// aws-sdk-go-v2. Behaviour and messages follow DynamoDB's PartiQL reference
// and captures of real DynamoDB in the public conformance suites.

// pqTables creates "music" (Artist S, SongTitle S) with a KEYS_ONLY GSI
// "byGenre" (Genre S), and "counters" (pk S).
func pqTables(t *testing.T) *dynamodb.Client {
	t.Helper()
	env := Start(t)
	c := ddbClient(env)
	createTable(t, c, tableSpec{Name: "music", Hash: "Artist", Range: "SongTitle",
		Attrs: map[string]types.ScalarAttributeType{"Artist": types.ScalarAttributeTypeS, "SongTitle": types.ScalarAttributeTypeS, "Genre": types.ScalarAttributeTypeS},
		GSIs:  []indexSpec{{Name: "byGenre", Hash: "Genre", Projection: types.ProjectionTypeKeysOnly}}})
	createTable(t, c, tableSpec{Name: "counters", Hash: "pk", Attrs: map[string]types.ScalarAttributeType{"pk": types.ScalarAttributeTypeS}})
	return c
}

// pqExec runs a statement with parameters.
func pqExec(c *dynamodb.Client, statement string, params ...types.AttributeValue) (*dynamodb.ExecuteStatementOutput, error) {
	in := &dynamodb.ExecuteStatementInput{Statement: aws.String(statement)}
	if len(params) > 0 {
		in.Parameters = params
	}
	return c.ExecuteStatement(context.Background(), in)
}

func mustExec(t *testing.T, c *dynamodb.Client, statement string, params ...types.AttributeValue) []ddbItem {
	t.Helper()
	out, err := pqExec(c, statement, params...)
	mustOK(t, statement, err)
	return out.Items
}

func TestDynamoDBPartiQLWrites(t *testing.T) {
	t.Parallel()
	c := pqTables(t)
	song := func(artist, title string) ddbItem { return ddbItem{"Artist": avS(artist), "SongTitle": avS(title)} }

	// INSERT with literals of every type, and with parameters.
	mustExec(t, c, `INSERT INTO "music" VALUE {'Artist': 'Acme Band', 'SongTitle': 'PartiQL Rocks', 'Year': 2020,
		'Tags': <<'rock', 'live'>>, 'Scores': <<1, 2.5>>, 'Awards': {'Grammys': [2020, 2018]}, 'Live': TRUE, 'Note': NULL, 'Quote': 'it''s'}`)
	mustExec(t, c, `INSERT INTO music VALUE {'Artist': ?, 'SongTitle': ?, 'Genre': ?, 'Cover': ?}`,
		avS("Acme Band"), avS("Second"), avS("rock"), avB(1, 2))
	wantItem(t, "INSERT literals", getItem(t, c, "music", song("Acme Band", "PartiQL Rocks")), ddbItem{
		"Artist": avS("Acme Band"), "SongTitle": avS("PartiQL Rocks"), "Year": avN("2020"), "Tags": avSS("rock", "live"),
		"Scores": avNS("1", "2.5"), "Awards": avM(ddbItem{"Grammys": avL(avN("2020"), avN("2018"))}), "Live": avBool(true),
		"Note": avNull(), "Quote": avS("it's"),
	})

	// INSERT is not an upsert.
	_, err := pqExec(c, `INSERT INTO "music" VALUE {'Artist': 'Acme Band', 'SongTitle': 'Second'}`)
	wantDDBError(t, "INSERT of an existing item", err, "DuplicateItemException", "Duplicate primary key exists in table")
	var dup *types.DuplicateItemException
	if !errors.As(err, &dup) {
		t.Errorf("INSERT of an existing item: %T, want *types.DuplicateItemException", err)
	}

	// UPDATE: SET, REMOVE, arithmetic, list_append, set_add, RETURNING.
	out, err := pqExec(c, `UPDATE "music" SET "Year" = "Year" + 1, Awards.Grammys = list_append(Awards.Grammys, [2024])
		SET Tags = set_add(Tags, <<'new'>>) REMOVE Note WHERE Artist = 'Acme Band' AND SongTitle = 'PartiQL Rocks' RETURNING MODIFIED NEW *`)
	mustOK(t, "UPDATE RETURNING MODIFIED NEW", err)
	wantItems(t, "UPDATE RETURNING MODIFIED NEW", out.Items, []ddbItem{{
		"Year": avN("2021"), "Awards": avM(ddbItem{"Grammys": avL(avN("2020"), avN("2018"), avN("2024"))}), "Tags": avSS("rock", "live", "new"),
	}})
	out, err = pqExec(c, `UPDATE "music" SET Genre = 'pop' WHERE Artist = ? AND SongTitle = ? RETURNING ALL OLD *`, avS("Acme Band"), avS("Second"))
	mustOK(t, "UPDATE RETURNING ALL OLD", err)
	wantItems(t, "UPDATE RETURNING ALL OLD", out.Items, []ddbItem{{"Artist": avS("Acme Band"), "SongTitle": avS("Second"), "Genre": avS("rock"), "Cover": avB(1, 2)}})

	// The FROM-first form of UPDATE.
	mustExec(t, c, `FROM "music" WHERE Artist = ? AND SongTitle = ? SET Plays = ?`, avS("Acme Band"), avS("Second"), avN("7"))
	if got := getItem(t, c, "music", song("Acme Band", "Second"))["Plays"]; avText(got) != "N(7)" {
		t.Errorf("FROM-first UPDATE: Plays = %s", avText(got))
	}

	// UPDATE is conditional on the item existing, and on the rest of WHERE.
	_, err = pqExec(c, `UPDATE "music" SET Plays = 1 WHERE Artist = 'Nobody' AND SongTitle = 'None'`)
	wantDDBError(t, "UPDATE of a missing item", err, "ConditionalCheckFailedException", "The conditional request failed")
	if getItem(t, c, "music", song("Nobody", "None")) != nil {
		t.Error("UPDATE of a missing item created it")
	}
	_, err = c.ExecuteStatement(context.Background(), &dynamodb.ExecuteStatementInput{
		Statement:                           aws.String(`UPDATE "music" SET Plays = 1 WHERE Artist = 'Acme Band' AND SongTitle = 'Second' AND Plays = 2`),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	wantDDBError(t, "UPDATE with a false condition", err, "ConditionalCheckFailedException", "The conditional request failed")
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || avText(ccf.Item["Plays"]) != "N(7)" {
		t.Errorf("ReturnValuesOnConditionCheckFailure: %v", err)
	}

	// DELETE: a false condition fails, a missing item is a no-op.
	_, err = pqExec(c, `DELETE FROM "music" WHERE Artist = 'Acme Band' AND SongTitle = 'Second' AND Genre = 'jazz'`)
	wantDDBError(t, "DELETE with a false condition", err, "ConditionalCheckFailedException", "The conditional request failed")
	out, err = pqExec(c, `DELETE FROM "music" WHERE Artist = 'Nobody' AND SongTitle = 'None' AND Genre = 'jazz' RETURNING ALL OLD *`)
	mustOK(t, "DELETE of a missing item", err)
	if out.Items == nil || len(out.Items) != 0 {
		t.Errorf("DELETE of a missing item RETURNING ALL OLD: Items = %v, want []", out.Items)
	}
	out, err = pqExec(c, `DELETE FROM "music" WHERE Artist = 'Acme Band' AND SongTitle = 'Second' AND Genre = 'pop' RETURNING ALL OLD *`)
	mustOK(t, "DELETE", err)
	if len(out.Items) != 1 || avText(out.Items[0]["Plays"]) != "N(7)" {
		t.Errorf("DELETE RETURNING ALL OLD: %s", itemsText(out.Items))
	}
	if getItem(t, c, "music", song("Acme Band", "Second")) != nil {
		t.Error("DELETE left the item")
	}

	// Errors in DynamoDB's words.
	for _, e := range []struct {
		statement string
		params    []types.AttributeValue
		code, msg string
	}{
		{`SELECTT * FROMM "music"`, nil, "ValidationException", "Statement wasn't well formed, can't be processed: Expected data manipulation"},
		{`SELECT * FROM "music" WHERE Artist = 'x' foo`, nil, "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected token after expression"},
		{`SELECT * FROM "music" m WHERE Artist = 'x'`, nil, "ValidationException", "Aliasing is not supported"},
		{`SELECT * FROM "nope" WHERE pk = 'x'`, nil, "ResourceNotFoundException", "Requested resource not found"},
		{`SELECT * FROM "music" WHERE Artist = ?`, nil, "ValidationException", "Number of parameters in request and statement don't match."},
		{`INSERT INTO "music" VALUE {'Artist': 'x'}`, nil, "ValidationException", "Key attribute should be present in the item: Key SongTitle"},
		{`INSERT INTO "music"."byGenre" VALUE {'Artist': 'x', 'SongTitle': 'y'}`, nil, "ValidationException", "FROM clause may only contain a single table name in data manipulation statements"},
		{`UPDATE "music" SET Genre = 'x' WHERE Artist = 'x'`, nil, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes"},
		{`UPDATE "music"."byGenre" SET Genre = 'x' WHERE Artist = 'x' AND SongTitle = 'y'`, nil, "ValidationException", "This operation is not supported on an index"},
		{`DELETE FROM "music" WHERE Artist = 'x' AND SongTitle = 'y' RETURNING ALL NEW *`, nil, "ValidationException", "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."},
		{`SELECT * FROM "music" WHERE Artist = 'x' AND "Year" < ?`, []types.AttributeValue{avBool(true)}, "ValidationException", "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{`SELECT * FROM "music" WHERE Artist = 'x' AND EXISTS(Tags)`, nil, "ValidationException", "Unrecognized function: exists at 1:46:6"},
		{`INSERT INTO "music" VALUE {'Artist': 'x', 'SongTitle': 'y', 'n': 1e126}`, nil, "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range under root"},
		{`EXISTS(SELECT * FROM "music" WHERE Artist = 'x' AND SongTitle = 'y' AND "Year" = 1)`, nil, "ValidationException", "EXISTS can only be used in ExecuteTransaction write requests."},
	} {
		_, err := pqExec(c, e.statement, e.params...)
		wantDDBError(t, e.statement, err, e.code, e.msg)
	}
}

func TestDynamoDBPartiQLSelect(t *testing.T) {
	t.Parallel()
	c := pqTables(t)
	for _, a := range []string{"A", "B", "C"} {
		for i := 1; i <= 4; i++ {
			genre := "rock"
			if i%2 == 0 {
				genre = "jazz"
			}
			putItem(t, c, "music", ddbItem{"Artist": avS(a), "SongTitle": avS(fmt.Sprintf("s%d", i)), "Genre": avS(genre),
				"Year": avN(fmt.Sprint(2000 + i)), "Meta": avM(ddbItem{"len": avN(fmt.Sprint(i * 60)), "tags": avL(avS("x"), avS("y"))})})
		}
	}
	keys := func(items []ddbItem) string {
		s := ""
		for _, it := range items {
			s += fmt.Sprintf("%s/%s ", it["Artist"].(*types.AttributeValueMemberS).Value, it["SongTitle"].(*types.AttributeValueMemberS).Value)
		}
		return s
	}
	for _, q := range []struct {
		statement string
		params    []types.AttributeValue
		want      string
	}{
		// A partition key equality is a query; with a sort key condition it
		// narrows the partition.
		{`SELECT * FROM "music" WHERE Artist = 'B'`, nil, "B/s1 B/s2 B/s3 B/s4 "},
		{`SELECT Artist, SongTitle FROM "music" WHERE Artist = ? AND SongTitle > 's2'`, []types.AttributeValue{avS("A")}, "A/s3 A/s4 "},
		{`SELECT * FROM "music" WHERE Artist = 'C' AND begins_with(SongTitle, 's') AND "Year" BETWEEN 2002 AND 2003`, nil, "C/s2 C/s3 "},
		{`SELECT * FROM "music" WHERE Artist = 'A' ORDER BY SongTitle DESC`, nil, "A/s4 A/s3 A/s2 A/s1 "},
		// IN and OR on the partition key read those partitions.
		{`SELECT * FROM "music" WHERE Artist IN ['C', 'A'] AND SongTitle = 's1'`, nil, "A/s1 C/s1 "},
		{`SELECT * FROM "music" WHERE (Artist = 'C' OR Artist = 'B') AND Meta.len >= 180`, nil, "B/s3 B/s4 C/s3 C/s4 "},
		// Anything else is a scan with a filter.
		{`SELECT * FROM "music" WHERE SongTitle = 's4' AND Genre <> 'rock'`, nil, "A/s4 B/s4 C/s4 "},
		{`SELECT * FROM "music" WHERE "Year" IN [2001, 2003] AND NOT Artist = 'B' AND Meta.tags[1] = 'y'`, nil, "A/s1 A/s3 C/s1 C/s3 "},
		{`SELECT * FROM "music" WHERE Absent IS NOT MISSING`, nil, ""},
		// An index: its key makes a query; SELECT * returns its projection.
		{`SELECT * FROM "music"."byGenre" WHERE Genre = 'jazz' AND Artist <> 'A'`, nil, "B/s2 B/s4 C/s2 C/s4 "},
	} {
		out, err := pqExec(c, q.statement, q.params...)
		mustOK(t, q.statement, err)
		if out.Items == nil {
			t.Errorf("%s: Items is absent, want a list", q.statement)
		}
		if got := keys(out.Items); got != q.want {
			t.Errorf("%s:\n got %s\nwant %s", q.statement, got, q.want)
		}
	}

	// Projections return each path under its last name.
	items := mustExec(t, c, `SELECT SongTitle, Meta.len, Meta.tags[1] FROM "music" WHERE Artist = 'A' AND SongTitle = 's2'`)
	wantItems(t, "nested projection", items, []ddbItem{{"SongTitle": avS("s2"), "len": avN("120"), "tags": avL(avS("y"))}})
	items = mustExec(t, c, `SELECT * FROM "music"."byGenre" WHERE Genre = 'rock' AND Artist = 'A' AND SongTitle = 's1'`)
	wantItems(t, "KEYS_ONLY index", items, []ddbItem{{"Artist": avS("A"), "SongTitle": avS("s1"), "Genre": avS("rock")}})
	_, err := pqExec(c, `SELECT "Year" FROM "music"."byGenre" WHERE Genre = 'rock'`)
	wantDDBError(t, "unprojected attribute", err, "ValidationException", "One or more parameter values were invalid: Global secondary index byGenre does not project [Year]")

	// ConsumedCapacity for a read.
	out, err := c.ExecuteStatement(context.Background(), &dynamodb.ExecuteStatementInput{
		Statement: aws.String(`SELECT * FROM "music" WHERE Artist = 'A'`), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	mustOK(t, "SELECT with ReturnConsumedCapacity", err)
	if out.ConsumedCapacity == nil || aws.ToFloat64(out.ConsumedCapacity.CapacityUnits) <= 0 || aws.ToString(out.ConsumedCapacity.TableName) != "music" {
		t.Errorf("ConsumedCapacity = %+v", out.ConsumedCapacity)
	}
}

func TestDynamoDBPartiQLPagination(t *testing.T) {
	t.Parallel()
	c := pqTables(t)
	var all []ddbItem
	for i := 0; i < 30; i++ {
		it := ddbItem{"Artist": avS(fmt.Sprintf("a%d", i%3)), "SongTitle": avS(fmt.Sprintf("s%02d", i)), "Genre": avS("g")}
		putItem(t, c, "music", it)
		all = append(all, it)
	}
	// pages runs a statement to the end and returns its items and pages.
	pages := func(statement string, limit int32) ([]ddbItem, int) {
		t.Helper()
		var items []ddbItem
		in := &dynamodb.ExecuteStatementInput{Statement: aws.String(statement), Limit: aws.Int32(limit)}
		for n := 1; ; n++ {
			out, err := c.ExecuteStatement(context.Background(), in)
			mustOK(t, statement, err)
			if len(out.Items) > int(limit) {
				t.Errorf("%s: page of %d items, Limit %d", statement, len(out.Items), limit)
			}
			items = append(items, out.Items...)
			if out.NextToken == nil {
				return items, n
			}
			if n > 100 {
				t.Fatalf("%s: pagination does not end", statement)
			}
			in.NextToken = out.NextToken
		}
	}
	for _, q := range []struct {
		statement string
		limit     int32
		want      int
	}{
		{`SELECT * FROM "music"`, 7, 30},
		{`SELECT * FROM "music" WHERE Artist = 'a1'`, 3, 10},
		{`SELECT * FROM "music" WHERE Artist IN ['a2', 'a0', 'a1']`, 4, 30},
		{`SELECT * FROM "music"."byGenre" WHERE Genre = 'g'`, 8, 30},
		{`SELECT * FROM "music" WHERE Artist IN ['a0', 'a2'] AND SongTitle >= 's10'`, 2, 13},
	} {
		items, n := pages(q.statement, q.limit)
		if len(items) != q.want {
			t.Errorf("%s with Limit %d: %d items, want %d", q.statement, q.limit, len(items), q.want)
		}
		if min := (q.want + int(q.limit) - 1) / int(q.limit); n < min {
			t.Errorf("%s with Limit %d: %d pages, want at least %d", q.statement, q.limit, n, min)
		}
		seen := map[string]bool{}
		for _, it := range items {
			k := itemText(it)
			if seen[k] {
				t.Errorf("%s: %s returned twice", q.statement, k)
			}
			seen[k] = true
		}
	}

	// A NextToken is bound to its statement and parameters.
	out, err := c.ExecuteStatement(context.Background(), &dynamodb.ExecuteStatementInput{
		Statement: aws.String(`SELECT * FROM "music" WHERE Artist = ?`), Parameters: []types.AttributeValue{avS("a0")}, Limit: aws.Int32(2),
	})
	mustOK(t, "first page", err)
	_, err = c.ExecuteStatement(context.Background(), &dynamodb.ExecuteStatementInput{
		Statement: aws.String(`SELECT * FROM "music" WHERE Artist = ?`), Parameters: []types.AttributeValue{avS("a1")}, NextToken: out.NextToken,
	})
	wantDDBError(t, "NextToken with other parameters", err, "ValidationException", "NextToken does not match request")
	_, err = c.ExecuteStatement(context.Background(), &dynamodb.ExecuteStatementInput{
		Statement: aws.String(`SELECT * FROM "music"`), NextToken: aws.String("not-a-token"),
	})
	wantDDBError(t, "malformed NextToken", err, "ValidationException", "Invalid NextToken")
}

func TestDynamoDBPartiQLBatch(t *testing.T) {
	t.Parallel()
	c := pqTables(t)
	ctx := context.Background()
	putItem(t, c, "counters", ddbItem{"pk": avS("x"), "n": avN("1")})

	stmts := func(ss ...string) []types.BatchStatementRequest {
		out := make([]types.BatchStatementRequest, len(ss))
		for i, s := range ss {
			out[i] = types.BatchStatementRequest{Statement: aws.String(s)}
		}
		return out
	}
	// Writes: each statement succeeds or fails on its own.
	out, err := c.BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: stmts(
		`INSERT INTO "counters" VALUE {'pk': 'y', 'n': 10}`,
		`INSERT INTO "counters" VALUE {'pk': 'x'}`,
		`UPDATE "counters" SET n = n + 1 WHERE pk = 'x' AND n = 5`,
		`UPDATE "counters" SET n = n + 1 WHERE pk = 'x' RETURNING ALL NEW *`,
		`DELETE FROM "nope" WHERE pk = 'x'`,
		`SLECT`,
	), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	mustOK(t, "BatchExecuteStatement writes", err)
	want := []struct{ code, msg, table, item string }{
		{"", "", "counters", "<none>"},
		{"DuplicateItem", "Duplicate primary key exists in table", "counters", "<none>"},
		{"ConditionalCheckFailed", "The conditional request failed", "counters", "<none>"},
		{"", "", "counters", `{n:N(2),pk:S("x")}`},
		{"ResourceNotFound", "Requested resource not found", "", "<none>"},
		{"ValidationError", "Statement wasn't well formed, can't be processed: Expected data manipulation", "", "<none>"},
	}
	if len(out.Responses) != len(want) {
		t.Fatalf("%d responses, want %d", len(out.Responses), len(want))
	}
	for i, r := range out.Responses {
		code, msg := "", ""
		if r.Error != nil {
			code, msg = string(r.Error.Code), aws.ToString(r.Error.Message)
		}
		got := fmt.Sprintf("%s|%s|%s|%s", code, msg, aws.ToString(r.TableName), itemText(r.Item))
		if w := want[i]; got != fmt.Sprintf("%s|%s|%s|%s", w.code, w.msg, w.table, w.item) {
			t.Errorf("response %d: %s", i, got)
		}
	}
	if len(out.ConsumedCapacity) != 1 || aws.ToFloat64(out.ConsumedCapacity[0].CapacityUnits) < 2 {
		t.Errorf("ConsumedCapacity = %+v", out.ConsumedCapacity)
	}

	// Reads: each SELECT names one item by its key.
	out, err = c.BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: []types.BatchStatementRequest{
		{Statement: aws.String(`SELECT * FROM "counters" WHERE pk = ?`), Parameters: []types.AttributeValue{avS("y")}},
		{Statement: aws.String(`SELECT n FROM "counters" WHERE pk = 'x'`), ConsistentRead: aws.Bool(true)},
		{Statement: aws.String(`SELECT * FROM "counters" WHERE pk = 'none'`)},
		{Statement: aws.String(`SELECT * FROM "counters" WHERE n = 2`)},
	}})
	mustOK(t, "BatchExecuteStatement reads", err)
	gotReads := ""
	for _, r := range out.Responses {
		if r.Error != nil {
			gotReads += string(r.Error.Code) + "(" + aws.ToString(r.Error.Message) + ") "
			continue
		}
		gotReads += itemText(r.Item) + " "
	}
	if w := `{n:N(10),pk:S("y")} {n:N(2)} <none> ValidationError(Select statements within BatchExecuteStatement must specify the primary key in the where clause.) `; gotReads != w {
		t.Errorf("batch reads:\n got %s\nwant %s", gotReads, w)
	}

	// Reads and writes do not mix, and a batch holds at most 25 statements.
	_, err = c.BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: stmts(
		`SELECT * FROM "counters" WHERE pk = 'x'`, `DELETE FROM "counters" WHERE pk = 'x'`)})
	wantDDBErrorContains(t, "mixed batch", err, "ValidationException", "either only read statements or only write statements")
	many := make([]string, 26)
	for i := range many {
		many[i] = fmt.Sprintf(`DELETE FROM "counters" WHERE pk = 'k%d'`, i)
	}
	_, err = c.BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: stmts(many...)})
	wantDDBErrorContains(t, "26 statements", err, "ValidationException", "Member must have length less than or equal to 25")
}

func TestDynamoDBPartiQLTransaction(t *testing.T) {
	t.Parallel()
	c := pqTables(t)
	ctx := context.Background()
	putItem(t, c, "counters", ddbItem{"pk": avS("x"), "n": avN("1")})
	tx := func(token string, ss ...string) error {
		in := &dynamodb.ExecuteTransactionInput{}
		if token != "" {
			in.ClientRequestToken = aws.String(token)
		}
		for _, s := range ss {
			in.TransactStatements = append(in.TransactStatements, types.ParameterizedStatement{Statement: aws.String(s)})
		}
		_, err := c.ExecuteTransaction(ctx, in)
		return err
	}

	// All or nothing: a failed condition cancels every statement, with a
	// reason for each in order.
	err := tx("", `INSERT INTO "counters" VALUE {'pk': 'y', 'n': 0}`,
		`UPDATE "counters" SET n = n + 1 WHERE pk = 'x'`,
		`EXISTS(SELECT * FROM "music" WHERE Artist = 'a' AND SongTitle = 'b' AND Genre = 'rock')`)
	tce := transactErr(t, "EXISTS on a missing item", err)
	codes := ""
	for _, r := range tce.CancellationReasons {
		codes += aws.ToString(r.Code) + " "
	}
	if codes != "None None ConditionalCheckFailed " {
		t.Errorf("cancellation reasons = %s", codes)
	}
	if getItem(t, c, "counters", ddbItem{"pk": avS("y")}) != nil || avText(getItem(t, c, "counters", ddbItem{"pk": avS("x")})["n"]) != "N(1)" {
		t.Error("a cancelled transaction wrote")
	}
	err = tx("", `INSERT INTO "counters" VALUE {'pk': 'x'}`, `INSERT INTO "counters" VALUE {'pk': 'z'}`)
	tce = transactErr(t, "duplicate INSERT", err)
	if r := tce.CancellationReasons; len(r) != 2 || aws.ToString(r[0].Code) != "DuplicateItem" || aws.ToString(r[1].Code) != "None" {
		t.Errorf("duplicate INSERT reasons = %+v", r)
	}

	// A transaction that succeeds writes everything; its ClientRequestToken
	// makes a replay a no-op, and a token reused for another request fails.
	putItem(t, c, "music", ddbItem{"Artist": avS("a"), "SongTitle": avS("b"), "Genre": avS("rock")})
	stmts := []string{`INSERT INTO "counters" VALUE {'pk': 'y', 'n': 0}`,
		`UPDATE "counters" SET n = n + 1 WHERE pk = 'x'`,
		`EXISTS(SELECT * FROM "music" WHERE Artist = 'a' AND SongTitle = 'b' AND Genre = 'rock')`}
	mustOK(t, "transaction", tx("token-1", stmts...))
	mustOK(t, "replayed transaction", tx("token-1", stmts...))
	if got := avText(getItem(t, c, "counters", ddbItem{"pk": avS("x")})["n"]); got != "N(2)" {
		t.Errorf("after a transaction and its replay n = %s, want N(2)", got)
	}
	err = tx("token-1", `DELETE FROM "counters" WHERE pk = 'y'`)
	wantDDBError(t, "token reused", err, "IdempotentParameterMismatchException", "Request parameters do not match the parameters of a previous request with the same client request token")

	// Reads return an item (or nothing) per statement, from one snapshot.
	out, err := c.ExecuteTransaction(ctx, &dynamodb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`SELECT n FROM "counters" WHERE pk = ?`), Parameters: []types.AttributeValue{avS("x")}},
		{Statement: aws.String(`SELECT * FROM "counters" WHERE pk = 'missing'`)},
		{Statement: aws.String(`SELECT * FROM "music" WHERE Artist = 'a' AND SongTitle = 'b'`)},
	}})
	mustOK(t, "read transaction", err)
	if len(out.Responses) != 3 || itemText(out.Responses[0].Item) != "{n:N(2)}" || out.Responses[1].Item != nil || out.Responses[2].Item == nil {
		t.Errorf("read transaction responses = %+v", out.Responses)
	}

	// Validation names the statement at fault.
	for _, e := range []struct {
		stmts []string
		msg   string
	}{
		{[]string{`DELETE FROM "counters" WHERE pk = 'y'`, `UPDATE "counters" SET n = 1 WHERE pk = 'x' RETURNING ALL NEW *`},
			"Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction."},
		{[]string{`SELECT * FROM "music"."byGenre" WHERE Genre = 'rock'`}, "Validation failed in TransactStatements[0]: Reads on indices are not supported within transactions."},
		{[]string{`SELECT * FROM "music" WHERE Artist = 'a'`}, "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause."},
		{[]string{`EXISTS(SELECT * FROM "counters" WHERE pk = 'x')`}, "Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition"},
		{[]string{`UPDATE "counters" SET n = 1 WHERE pk = 'x'`, `DELETE FROM "counters" WHERE pk = 'x'`}, "Transaction request cannot include multiple operations on one item"},
	} {
		wantDDBError(t, e.msg, tx("", e.stmts...), "ValidationException", e.msg)
	}
}

// A write without RETURNING answers with an empty list of Items, found or
// not, and a transaction of writes with an empty list of Responses: the
// CLI prints them as "Items": [] after the getting-started tutorial's
// INSERT, UPDATE and DELETE.
func TestDynamoDBPartiQLWriteResponses(t *testing.T) {
	t.Parallel()
	c := pqTables(t)
	for _, st := range []string{
		`INSERT INTO "counters" VALUE {'pk': 'w', 'n': 1}`,
		`UPDATE "counters" SET n = 2 WHERE pk = 'w'`,
		`DELETE FROM "counters" WHERE pk = 'w'`,
		`DELETE FROM "counters" WHERE pk = 'never-written'`,
	} {
		out, err := pqExec(c, st)
		mustOK(t, st, err)
		if out.Items == nil || len(out.Items) != 0 {
			t.Errorf("%s: Items %#v, want an empty list", st, out.Items)
		}
	}
	out, err := c.ExecuteTransaction(context.Background(), &dynamodb.ExecuteTransactionInput{
		TransactStatements: []types.ParameterizedStatement{
			{Statement: aws.String(`INSERT INTO "counters" VALUE {'pk': 'tx', 'n': 1}`)},
			{Statement: aws.String(`DELETE FROM "counters" WHERE pk = 'gone'`)},
		}})
	mustOK(t, "ExecuteTransaction of writes", err)
	if out.Responses == nil || len(out.Responses) != 0 {
		t.Errorf("ExecuteTransaction of writes: Responses %#v, want an empty list", out.Responses)
	}
}
