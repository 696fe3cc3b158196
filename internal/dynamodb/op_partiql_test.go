package dynamodb

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// These tests run PartiQL statements against the service directly and
// check what they become: which items a SELECT reads (a query of some
// partitions or a scan), how pages continue, and how writes are
// conditioned. The end-to-end tests (internal/e2e) check the wire.

// pqTable creates "t" (pk S, sk N) with a GSI "byColor" (color S, KEYS_ONLY
// plus nothing) and an LSI "byRank" (pk, rank N, INCLUDE note).
func pqTable(t testing.TB) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.createTable(context.Background(), &CreateTableInput{
		TableName:   ptr("t"),
		BillingMode: ptr(BillingMode("PAY_PER_REQUEST")),
		AttributeDefinitions: []AttributeDefinition{
			{AttributeName: ptr("pk"), AttributeType: ptr(ScalarAttributeType("S"))},
			{AttributeName: ptr("sk"), AttributeType: ptr(ScalarAttributeType("N"))},
			{AttributeName: ptr("color"), AttributeType: ptr(ScalarAttributeType("S"))},
			{AttributeName: ptr("rank"), AttributeType: ptr(ScalarAttributeType("N"))},
		},
		KeySchema: []KeySchemaElement{{AttributeName: ptr("pk"), KeyType: ptr(KeyType("HASH"))}, {AttributeName: ptr("sk"), KeyType: ptr(KeyType("RANGE"))}},
		GlobalSecondaryIndexes: []GlobalSecondaryIndex{{
			IndexName:  ptr("byColor"),
			KeySchema:  []KeySchemaElement{{AttributeName: ptr("color"), KeyType: ptr(KeyType("HASH"))}},
			Projection: &Projection{ProjectionType: ptr(ProjectionType("KEYS_ONLY"))},
		}},
		LocalSecondaryIndexes: []LocalSecondaryIndex{{
			IndexName:  ptr("byRank"),
			KeySchema:  []KeySchemaElement{{AttributeName: ptr("pk"), KeyType: ptr(KeyType("HASH"))}, {AttributeName: ptr("rank"), KeyType: ptr(KeyType("RANGE"))}},
			Projection: &Projection{ProjectionType: ptr(ProjectionType("INCLUDE")), NonKeyAttributes: []string{"note"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pqRun runs one statement and renders its items, or its error as
// "Code: message".
func pqRun(s *Service, in *ExecuteStatementInput) (string, *ExecuteStatementOutput) {
	out, err := s.executeStatement(context.Background(), in)
	if err != nil {
		if e := apierr.As(err); e != nil {
			return e.Code + ": " + e.Message, nil
		}
		return "error: " + err.Error(), nil
	}
	return renderItems(out.Items), out
}

func stmt(text string, params ...AttributeValue) *ExecuteStatementInput {
	in := &ExecuteStatementInput{Statement: ptr(text)}
	if len(params) > 0 {
		in.Parameters = params
	}
	return in
}

func sv(s string) AttributeValue { return AttributeValue{S: ptr(s)} }
func nv(n string) AttributeValue { return AttributeValue{N: ptr(n)} }

// renderItems renders items canonically: attributes by name, sets sorted.
func renderItems(items []map[string]AttributeValue) string {
	if items == nil {
		return "<none>"
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = renderItem(it)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func renderItem(it map[string]AttributeValue) string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("{")
	for i, n := range names {
		if i > 0 {
			b.WriteString(" ")
		}
		v := it[n]
		b.WriteString(n + ":" + renderValue(&v))
	}
	b.WriteString("}")
	return b.String()
}

func renderValue(v *AttributeValue) string {
	switch {
	case v.S != nil:
		return fmt.Sprintf("%q", *v.S)
	case v.N != nil:
		return *v.N
	case v.BOOL != nil:
		return fmt.Sprint(*v.BOOL)
	case v.NULL != nil:
		return "null"
	case v.SS != nil:
		ss := append([]string(nil), v.SS...)
		sort.Strings(ss)
		return "<<" + strings.Join(ss, ",") + ">>"
	case v.NS != nil:
		ns := append([]string(nil), v.NS...)
		sort.Strings(ns)
		return "<<" + strings.Join(ns, ",") + ">>"
	case v.L != nil:
		parts := make([]string, len(v.L))
		for i := range v.L {
			parts[i] = renderValue(&v.L[i])
		}
		return "[" + strings.Join(parts, ",") + "]"
	case v.M != nil:
		return renderItem(v.M)
	case v.B != nil:
		return fmt.Sprintf("b%x", v.B)
	}
	return "?"
}

func TestPartiQLStatementSequence(t *testing.T) {
	t.Parallel()
	s := pqTable(t)
	steps := []struct {
		in   *ExecuteStatementInput
		want string
	}{
		{stmt(`INSERT INTO "t" VALUE {'pk': 'a', 'sk': 1, 'color': 'red', 'rank': 3, 'note': 'n1', 'tags': <<'x', 'y'>>}`), "[]"},
		{stmt(`INSERT INTO t VALUE {'pk': ?, 'sk': ?, 'color': 'blue', 'rank': 1, 'm': {'k': [1, 'two', NULL, TRUE]}}`, sv("a"), nv("2")), "[]"},
		{stmt(`INSERT INTO "t" VALUE {'pk': 'b', 'sk': 1, 'color': 'red', 'other': 'o'}`), "[]"},
		{stmt(`INSERT INTO "t" VALUE {'pk': 'a', 'sk': 1}`), "DuplicateItemException: Duplicate primary key exists in table"},
		{stmt(`INSERT INTO "t" VALUE {'pk': 'c'}`), "ValidationException: Key attribute should be present in the item: Key sk"},
		{stmt(`INSERT INTO "t" VALUE {'pk': 'c', 'sk': '1'}`), "ValidationException: Key attribute's data type should match its data type in table's schema: Key sk"},
		{stmt(`INSERT INTO "nope" VALUE {'pk': 'c', 'sk': 1}`), "ResourceNotFoundException: Requested resource not found"},

		// Reads: by key, by partition, with filters, projections and order.
		{stmt(`SELECT * FROM "t" WHERE pk = 'a' AND sk = 1`), `[{color:"red" note:"n1" pk:"a" rank:3 sk:1 tags:<<x,y>>}]`},
		{stmt(`SELECT sk, m.k[1] FROM "t" WHERE pk = 'a'`), `[{sk:1} {k:["two"] sk:2}]`},
		{stmt(`SELECT sk FROM "t" WHERE pk = 'a' ORDER BY sk DESC`), `[{sk:2} {sk:1}]`},
		{stmt(`SELECT pk, sk FROM "t" WHERE pk IN ['b', 'a', 'zz'] AND color = 'red'`), `[{pk:"a" sk:1} {pk:"b" sk:1}]`},
		{stmt(`SELECT pk, sk FROM "t" WHERE pk = 'b' OR pk = 'a' ORDER BY pk DESC`), `[{pk:"b" sk:1} {pk:"a" sk:2} {pk:"a" sk:1}]`},
		{stmt(`SELECT pk FROM "t" WHERE color = 'red' AND begins_with(note, 'n')`), `[{pk:"a"}]`},
		{stmt(`SELECT pk, sk FROM "t" WHERE other IS MISSING AND sk BETWEEN 1 AND 5 AND NOT color IN ['blue']`), `[{pk:"a" sk:1}]`},
		{stmt(`SELECT * FROM "t"."byColor" WHERE color = 'red'`), `[{color:"red" pk:"a" sk:1} {color:"red" pk:"b" sk:1}]`},
		{stmt(`SELECT note FROM "t"."byRank" WHERE pk = 'a' AND rank > 2`), `[{note:"n1"}]`},
		{stmt(`SELECT other FROM "t"."byRank" WHERE pk = 'b'`), `[]`},
		{stmt(`SELECT m FROM "t"."byRank" WHERE pk = 'a' AND rank = 1`), `[{m:{k:[1,"two",null,true]}}]`},
		{stmt(`SELECT note FROM "t"."byColor" WHERE color = 'red'`), "ValidationException: One or more parameter values were invalid: Global secondary index byColor does not project [note]"},
		{stmt(`SELECT pk FROM "t"."byColor" WHERE color = 'red' AND note = 'x'`), "ValidationException: One or more parameter values were invalid: Secondary index byColor does not project one or more filter attributes: [note]"},
		{stmt(`SELECT pk FROM "t"."byColor" WHERE note = 'x'`), `[]`},
		{stmt(`SELECT * FROM "t"."nope" WHERE pk = 'a'`), "ValidationException: The table does not have the specified index"},
		{&ExecuteStatementInput{Statement: ptr(`SELECT * FROM "t"."byColor" WHERE color = 'red'`), ConsistentRead: ptr(true)}, "ValidationException: Strongly consistent read is not supported on Global Secondary Indexes"},
		{stmt(`SELECT * FROM "t" WHERE pk = 'a' AND sk < ?`, AttributeValue{BOOL: ptr(true)}), "ValidationException: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{stmt(`SELECT * FROM "t" WHERE pk = ?`), "ValidationException: Number of parameters in request and statement don't match."},
		{stmt(`SELECT * FROM "t" ORDER BY sk`), "ValidationException: Must have WHERE clause in the statement when using ORDER BY clause."},
		{stmt(`SELECT * FROM "t" WHERE color = 'red' ORDER BY sk`), "ValidationException: Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."},
		{stmt(`SELECT * FROM "t" WHERE pk = 'a' ORDER BY color`), "ValidationException: Variable reference color in ORDER BY clause must be part of the primary key"},
		{stmt(`SELECT * FROM "t" WHERE pk = 'a' AND set_add(tags, <<'x'>>)`), "ValidationException: Unrecognized function: set_add at 1:38:7"},

		// Updates: conditions, RETURNING, set functions, key rules.
		{stmt(`UPDATE "t" SET color = 'green', n = 1 SET tags = set_add(tags, <<'z'>>) WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED NEW *`), `[{color:"green" n:1 tags:<<x,y,z>>}]`},
		{stmt(`UPDATE "t" SET n = n + 1 REMOVE note WHERE pk = 'a' AND sk = 1 AND n = 1 RETURNING ALL OLD *`), `[{color:"green" n:1 note:"n1" pk:"a" rank:3 sk:1 tags:<<x,y,z>>}]`},
		{stmt(`UPDATE "t" SET n = 9 WHERE pk = 'a' AND sk = 1 AND n = 1`), "ConditionalCheckFailedException: The conditional request failed"},
		{stmt(`UPDATE "t" SET n = 9 WHERE pk = 'zz' AND sk = 1`), "ConditionalCheckFailedException: The conditional request failed"},
		{stmt(`UPDATE "t" SET n = 9 WHERE pk = 'a'`), "ValidationException: Where clause does not contain a mandatory equality on all key attributes"},
		{stmt(`UPDATE "t" SET n = 9 WHERE pk = 'a' AND sk = 1 AND sk = 2`), "ValidationException: Multiple conditions on same key sk. Only single item Update/Insert/Delete are supported"},
		{stmt(`UPDATE "t" SET sk = 9 WHERE pk = 'a' AND sk = 1`), "ValidationException: One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"},
		{stmt(`UPDATE "t"."byColor" SET n = 9 WHERE pk = 'a' AND sk = 1`), "ValidationException: This operation is not supported on an index"},
		{stmt(`UPDATE "t" SET tags = set_delete(tags, <<'x', 'y', 'z'>>), m.k = list_append(m.k, [5]) WHERE pk = 'a' AND sk = 2 RETURNING ALL NEW *`), `[{color:"blue" m:{k:[1,"two",null,true,5]} pk:"a" rank:1 sk:2}]`},
		{stmt(`UPDATE "t" SET other = set_add(tags, <<'x'>>) WHERE pk = 'a' AND sk = 2`), "ValidationException: The first argument to SET_ADD must equal the assignment value at 1:24:7"},
		{stmt(`UPDATE "t" SET color = set_add(color, <<'x'>>) WHERE pk = 'a' AND sk = 2`), "ValidationException: An operand in the update expression has an incorrect data type"},
		{stmt(`FROM "t" WHERE pk = ? AND sk = 2 SET n = ?`, sv("a"), nv("7")), "[]"},
		{stmt(`SELECT n FROM "t" WHERE pk = 'a' AND sk = 2`), `[{n:7}]`},

		// Deletes: a missing item is a no-op, a false condition fails.
		{stmt(`DELETE FROM "t" WHERE pk = 'a' AND sk = 2 AND n = 8`), "ConditionalCheckFailedException: The conditional request failed"},
		{stmt(`DELETE FROM "t" WHERE pk = 'a' AND sk = 2 AND n = n`), "ValidationException: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [n]"},
		{stmt(`UPDATE "t" SET n = 1 WHERE pk = 'a' AND sk = 2 AND size(n, n) = 1`), "ValidationException: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{stmt(`DELETE FROM "t" WHERE pk = 'zz' AND sk = 2 AND n = 8 RETURNING ALL OLD *`), `[]`},
		{stmt(`DELETE FROM "t" WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD *`), `[{color:"blue" m:{k:[1,"two",null,true,5]} n:7 pk:"a" rank:1 sk:2}]`},
		{stmt(`DELETE FROM "t" WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED OLD *`), "ValidationException: Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed in DELETE statements."},
		{stmt(`SELECT pk, sk FROM "t"`), `[{pk:"a" sk:1} {pk:"b" sk:1}]`},
		{stmt(`EXISTS(SELECT * FROM "t" WHERE pk = 'a' AND sk = 1 AND n = 2)`), "ValidationException: EXISTS can only be used in ExecuteTransaction write requests."},
	}
	for i, st := range steps {
		got, _ := pqRun(s, st.in)
		if got != st.want {
			t.Errorf("step %d: %s\n got %s\nwant %s", i, *st.in.Statement, got, st.want)
		}
	}
}

func TestPartiQLPagesAcrossPartitions(t *testing.T) {
	t.Parallel()
	s := pqTable(t)
	var want []string
	for _, pk := range []string{"a", "b", "c"} {
		for sk := 1; sk <= 4; sk++ {
			if got, _ := pqRun(s, stmt(fmt.Sprintf(`INSERT INTO "t" VALUE {'pk': '%s', 'sk': %d, 'color': 'c%d'}`, pk, sk, sk%2))); got != "[]" {
				t.Fatal(got)
			}
			want = append(want, fmt.Sprintf(`{pk:%q sk:%d}`, pk, sk))
		}
	}
	for _, c := range []struct {
		text  string
		limit int32
		want  []string
	}{
		{`SELECT pk, sk FROM "t" WHERE pk IN ['c', 'a', 'b']`, 3, want},
		{`SELECT pk, sk FROM "t" WHERE pk IN ['c', 'a', 'b']`, 5, want},
		{`SELECT pk, sk FROM "t" WHERE pk = 'b' OR pk = 'a' OR pk = 'c'`, 4, want},
		{`SELECT pk, sk FROM "t"`, 5, want},
		{`SELECT pk, sk FROM "t" WHERE pk IN ['a', 'c'] AND sk >= 3`, 1, []string{want[2], want[3], want[10], want[11]}},
		{`SELECT pk, sk FROM "t" WHERE pk IN ['a', 'c'] ORDER BY pk DESC, sk DESC`, 3, []string{want[11], want[10], want[9], want[8], want[3], want[2], want[1], want[0]}},
		{`SELECT pk, sk FROM "t"."byColor" WHERE color = 'c1'`, 2, []string{want[0], want[2], want[4], want[6], want[8], want[10]}},
	} {
		var got []string
		in := stmt(c.text)
		in.Limit = ptr(c.limit)
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("%s: paging does not end", c.text)
			}
			text, out := pqRun(s, in)
			if out == nil {
				t.Fatalf("%s: %s", c.text, text)
			}
			if len(out.Items) > int(c.limit) {
				t.Errorf("%s: a page of %d items with Limit %d", c.text, len(out.Items), c.limit)
			}
			for _, it := range out.Items {
				got = append(got, renderItem(it))
			}
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s (Limit %d):\n got %v\nwant %v", c.text, c.limit, got, c.want)
		}
	}

	// A NextToken belongs to its statement and parameters, not to Limit.
	in := stmt(`SELECT pk FROM "t" WHERE pk = ?`, sv("a"))
	in.Limit = ptr(int32(1))
	_, out := pqRun(s, in)
	if out == nil || out.NextToken == nil {
		t.Fatal("no NextToken")
	}
	for _, c := range []struct {
		in   *ExecuteStatementInput
		want string
	}{
		{&ExecuteStatementInput{Statement: in.Statement, Parameters: in.Parameters, Limit: ptr(int32(2)), NextToken: out.NextToken}, `[{pk:"a"} {pk:"a"}]`},
		{&ExecuteStatementInput{Statement: in.Statement, Parameters: []AttributeValue{sv("b")}, NextToken: out.NextToken}, "ValidationException: NextToken does not match request"},
		{&ExecuteStatementInput{Statement: ptr(`SELECT pk FROM "t"`), NextToken: out.NextToken}, "ValidationException: NextToken does not match request"},
		{&ExecuteStatementInput{Statement: in.Statement, Parameters: in.Parameters, NextToken: ptr("garbage")}, "ValidationException: Invalid NextToken"},
	} {
		if got, _ := pqRun(s, c.in); got != c.want {
			t.Errorf("NextToken %s: got %s, want %s", *c.in.Statement, got, c.want)
		}
	}
}

func TestPartiQLBatchAndTransaction(t *testing.T) {
	t.Parallel()
	s := pqTable(t)
	ctx := context.Background()
	batch := func(stmts ...string) string {
		in := &BatchExecuteStatementInput{}
		for _, st := range stmts {
			in.Statements = append(in.Statements, BatchStatementRequest{Statement: ptr(st)})
		}
		out, err := s.batchExecuteStatement(ctx, in)
		if err != nil {
			return apierr.As(err).Code + ": " + apierr.As(err).Message
		}
		parts := make([]string, len(out.Responses))
		for i, r := range out.Responses {
			switch {
			case r.Error != nil:
				parts[i] = string(*r.Error.Code) + "(" + *r.Error.Message + ")"
			case r.Item != nil:
				parts[i] = renderItem(r.Item)
			default:
				parts[i] = "ok"
			}
			if r.TableName != nil {
				parts[i] += "@" + *r.TableName
			}
		}
		return strings.Join(parts, " ")
	}
	tx := func(stmts ...string) string {
		in := &ExecuteTransactionInput{}
		for _, st := range stmts {
			in.TransactStatements = append(in.TransactStatements, ParameterizedStatement{Statement: ptr(st)})
		}
		out, err := s.executeTransaction(ctx, in)
		if err != nil {
			e := apierr.As(err)
			msg := e.Code + ": " + e.Message
			if d, ok := e.Details.(*struct{ CancellationReasons []CancellationReason }); ok {
				for _, r := range d.CancellationReasons {
					msg += " " + *r.Code
				}
			}
			return msg
		}
		var items []map[string]AttributeValue
		for _, r := range out.Responses {
			items = append(items, r.Item)
		}
		return renderItems(items)
	}
	steps := []struct{ got, want string }{
		{batch(`INSERT INTO "t" VALUE {'pk': 'a', 'sk': 1, 'v': 1}`, `INSERT INTO "t" VALUE {'pk': 'a', 'sk': 2}`, `INSERT INTO "t" VALUE {'pk': 'a', 'sk': 1}`, `SLECT`),
			"ok@t ok@t DuplicateItem(Duplicate primary key exists in table)@t ValidationError(Statement wasn't well formed, can't be processed: Expected data manipulation)"},
		{batch(`SELECT * FROM "t" WHERE pk = 'a' AND sk = 1`, `SELECT v FROM "t" WHERE pk = 'a' AND sk = 2`, `SELECT * FROM "t" WHERE pk = 'a'`, `SELECT * FROM "missing" WHERE pk = 'a' AND sk = 1`),
			`{pk:"a" sk:1 v:1}@t ok@t ValidationError(Select statements within BatchExecuteStatement must specify the primary key in the where clause.) ResourceNotFound(Requested resource not found)`},
		{batch(`UPDATE "t" SET v = 2 WHERE pk = 'a' AND sk = 1 AND v = 5`, `DELETE FROM "t" WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD *`),
			`ConditionalCheckFailed(The conditional request failed)@t {pk:"a" sk:2}@t`},
		{batch(`SELECT * FROM "t" WHERE pk = 'a' AND sk = 1`, `DELETE FROM "t" WHERE pk = 'a' AND sk = 1`),
			"ValidationException: Unsupported operation: A batch must contain either only read statements or only write statements"},

		// Transactions: all or nothing, with a reason per statement.
		{tx(`INSERT INTO "t" VALUE {'pk': 'b', 'sk': 1}`, `UPDATE "t" SET v = 3 WHERE pk = 'a' AND sk = 1`, `EXISTS(SELECT * FROM "t" WHERE pk = 'a' AND sk = 1 AND v = 1)`),
			"ValidationException: Transaction request cannot include multiple operations on one item"},
		{tx(`INSERT INTO "t" VALUE {'pk': 'b', 'sk': 1}`, `UPDATE "t" SET v = 3 WHERE pk = 'a' AND sk = 1`, `EXISTS(SELECT * FROM "t" WHERE pk = 'a' AND sk = 9 AND v = 1)`),
			"TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed] None None ConditionalCheckFailed"},
		{tx(`INSERT INTO "t" VALUE {'pk': 'a', 'sk': 1}`, `INSERT INTO "t" VALUE {'pk': 'b', 'sk': 1}`),
			"TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [DuplicateItem, None] DuplicateItem None"},
		{tx(`SELECT * FROM "t" WHERE pk = 'b' AND sk = 1`), "[{}]"},
		{tx(`INSERT INTO "t" VALUE {'pk': 'b', 'sk': 1}`, `UPDATE "t" SET v = v + 1 WHERE pk = 'a' AND sk = 1`), "<none>"},
		{tx(`SELECT v FROM "t" WHERE pk = 'a' AND sk = 1`, `SELECT * FROM "t" WHERE pk = 'b' AND sk = 1`), `[{v:2} {pk:"b" sk:1}]`},
		{tx(`SELECT * FROM "t" WHERE pk = 'a'`), "ValidationException: Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause."},
		{tx(`SELECT * FROM "t"."byColor" WHERE color = 'x'`), "ValidationException: Validation failed in TransactStatements[0]: Reads on indices are not supported within transactions."},
		{tx(`DELETE FROM "t" WHERE pk = 'b' AND sk = 1`, `UPDATE "t" SET v = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *`),
			"ValidationException: Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction."},
		{tx(`EXISTS(SELECT * FROM "t" WHERE pk = 'a' AND sk = 1)`), "ValidationException: Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition"},
		{tx(`DELETE FROM "t" WHERE pk = 'b' AND sk = 1`, `SELECT * FROM "t" WHERE pk = 'a' AND sk = 1`), "ValidationException: Unsupported operation in transaction."},
		{tx(`UPDATE "t" SET v = 1 WHERE pk = 'a' AND sk = '1'`, `DELETE FROM "t" WHERE pk = 'b' AND sk = 1`),
			"TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError, None] ValidationError None"},
	}
	for i, st := range steps {
		if st.got != st.want {
			t.Errorf("step %d:\n got %s\nwant %s", i, st.got, st.want)
		}
	}
}

// FuzzExecuteStatement runs arbitrary statements against a table with
// indexes: whatever the statement, the answer is a result or an AWS error
// DynamoDB could give, never an internal failure.
func FuzzExecuteStatement(f *testing.F) {
	for _, s := range []string{
		`INSERT INTO "t" VALUE {'pk': 'a', 'sk': 1, 'color': 'red', 'rank': 3, 'l': [1, {'m': <<'x'>>}]}`,
		`SELECT * FROM "t" WHERE pk IN ['a', 'b'] AND sk BETWEEN 1 AND 9 ORDER BY sk DESC`,
		`SELECT color, l[1].m FROM "t"."byColor" WHERE color = 'red' AND pk <> 'x'`,
		`SELECT note FROM "t"."byRank" WHERE pk = 'a' AND rank >= 1`,
		`UPDATE "t" SET n = n + 1, l = list_append(l, [2]) WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED OLD *`,
		`UPDATE "t" SET s = set_add(s, <<1>>) REMOVE l[0] WHERE pk = 'a' AND sk = 1 AND attribute_exists(l)`,
		`DELETE FROM "t" WHERE pk = 'a' AND sk = 1 AND size(l) > 1 RETURNING ALL OLD *`,
		`FROM "t" WHERE pk = 'b' AND sk = 2 SET x = {'a': TRUE}`,
		`SELECT * FROM "t" WHERE begins_with(pk, 'a') OR contains(l, 1) OR color IS NULL OR NOT rank IS MISSING`,
		`EXISTS(SELECT * FROM "t" WHERE pk = 'a' AND sk = 1 AND n = 1)`,
	} {
		f.Add(s)
	}
	s := pqTable(f)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 8192 {
			return
		}
		for _, in := range []*ExecuteStatementInput{stmt(text), {Statement: ptr(text), Limit: ptr(int32(1))}} {
			out, err := s.executeStatement(context.Background(), in)
			if err != nil {
				e := apierr.As(err)
				if e == nil || e.Status != 400 || e.Message == "" && e.Code == ErrValidation.Code {
					t.Fatalf("%q: %T %v", text, err, err)
				}
				continue
			}
			if out.NextToken != nil {
				in.NextToken = out.NextToken
				if _, err := s.executeStatement(context.Background(), in); err != nil && apierr.As(err) == nil {
					t.Fatalf("%q, second page: %v", text, err)
				}
			}
		}
	})
}
