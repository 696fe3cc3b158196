package partiql

import (
	"errors"
	"testing"
)

// parseCases are statements and their canonical form (Format), or the
// error DynamoDB answers them with.
var parseCases = []struct {
	src  string
	want string // Format of the parse, or "error: message"
}{
	// SELECT.
	{`SELECT * FROM "Music"`, `SELECT * FROM "Music"`},
	{`select * from Music where Artist='Acme' and SongTitle = 'PartiQL Rocks'`, `SELECT * FROM "Music" WHERE (("Artist" = 'Acme') AND ("SongTitle" = 'PartiQL Rocks'))`},
	{`SELECT a, b.c[2]."d e", f['g'] FROM "t"."idx" WHERE a <> 1 OR NOT b != 2`, `SELECT "a", "b"."c"[2]."d e", "f"."g" FROM "t"."idx" WHERE (("a" <> 1) OR (NOT ("b" <> 2)))`},
	{`SELECT * FROM t WHERE a < 1 AND b <= 2 AND c > 3 AND d >= 4`, `SELECT * FROM "t" WHERE (((("a" < 1) AND ("b" <= 2)) AND ("c" > 3)) AND ("d" >= 4))`},
	{`SELECT * FROM t WHERE a BETWEEN 1 AND 2 AND b NOT BETWEEN 'x' AND 'y'`, `SELECT * FROM "t" WHERE (("a" BETWEEN 1 AND 2) AND (NOT ("b" BETWEEN 'x' AND 'y')))`},
	{`SELECT * FROM t WHERE pk IN [1, 2.5, -3] OR pk IN ('a') OR pk NOT IN ?`, `SELECT * FROM "t" WHERE ((("pk" IN [1, 2.5, -3]) OR ("pk" IN ['a'])) OR (NOT ("pk" IN ?)))`},
	{`SELECT * FROM t WHERE a IS MISSING AND b IS NOT NULL AND c is not missing`, `SELECT * FROM "t" WHERE ((("a" IS MISSING) AND ("b" IS NOT NULL)) AND ("c" IS NOT MISSING))`},
	{`SELECT * FROM t WHERE begins_with(sk, 'x') AND CONTAINS(tags, ?) AND size(l) > 2 AND attribute_type(a, 'S')`, `SELECT * FROM "t" WHERE (((begins_with("sk", 'x') AND contains("tags", ?)) AND (size("l") > 2)) AND attribute_type("a", 'S'))`},
	{`SELECT * FROM t WHERE pk = 'a' ORDER BY sk DESC, pk`, `SELECT * FROM "t" WHERE ("pk" = 'a') ORDER BY "sk" DESC, "pk"`},
	{`SELECT * FROM "t" WHERE (a = 1 OR b = 2) AND c = 3;`, `SELECT * FROM "t" WHERE ((("a" = 1) OR ("b" = 2)) AND ("c" = 3))`},
	{"-- a note\nSELECT * /* here */ FROM \"t\" -- and here\nWHERE pk = 7.31e6", `SELECT * FROM "t" WHERE ("pk" = 7.31e6)`},
	{`SELECT * FROM t WHERE pk = .73e1 AND sk = -.5 AND n = +2`, `SELECT * FROM "t" WHERE ((("pk" = .73e1) AND ("sk" = -.5)) AND ("n" = 2))`},
	{`SELECT * FROM t WHERE a = 'it''s' AND "we""ird" = TRUE AND b = false AND c = NULL`, `SELECT * FROM "t" WHERE (((("a" = 'it''s') AND ("we""ird" = TRUE)) AND ("b" = FALSE)) AND ("c" = NULL))`},
	{`SELECT * FROM t WHERE m = {'a': [1, <<'x', 'y'>>], 'b': {}}`, `SELECT * FROM "t" WHERE ("m" = {'a': [1, <<'x', 'y'>>], 'b': {}})`},

	// INSERT.
	{`INSERT INTO "Music" value {'Artist' : 'Acme Band','SongTitle' : 'PartiQL Rocks'}`, `INSERT INTO "Music" VALUE {'Artist': 'Acme Band', 'SongTitle': 'PartiQL Rocks'}`},
	{`INSERT INTO t VALUE ?`, `INSERT INTO "t" VALUE ?`},
	{`INSERT INTO t VALUE {'a': ?, 'b': ?}`, `INSERT INTO "t" VALUE {'a': ?, 'b': ?}`},

	// UPDATE and its FROM-first form.
	{`UPDATE "Music" SET AwardsWon=1 SET AwardDetail={'Grammys':[2020, 2018]} WHERE Artist='Acme Band' RETURNING ALL OLD *`,
		`UPDATE "Music" SET "AwardsWon" = 1 SET "AwardDetail" = {'Grammys': [2020, 2018]} WHERE ("Artist" = 'Acme Band') RETURNING ALL OLD *`},
	{`update t set a = a + 1, b = list_append(b, [1]) remove c, d[0] set e = SET_ADD(e, <<1>>) where pk = ? returning modified new *`,
		`UPDATE "t" SET "a" = ("a" + 1) SET "b" = list_append("b", [1]) REMOVE "c" REMOVE "d"[0] SET "e" = set_add("e", <<1>>) WHERE ("pk" = ?) RETURNING MODIFIED NEW *`},
	{`FROM "t" WHERE pk = ? SET c = ? REMOVE d RETURNING ALL NEW *`, `UPDATE "t" SET "c" = ? REMOVE "d" WHERE ("pk" = ?) RETURNING ALL NEW *`},

	// DELETE and EXISTS.
	{`DELETE FROM "Music" WHERE "Artist" = 'Acme Band' AND "SongTitle" = 'PartiQL Rocks' RETURNING ALL OLD *`,
		`DELETE FROM "Music" WHERE (("Artist" = 'Acme Band') AND ("SongTitle" = 'PartiQL Rocks')) RETURNING ALL OLD *`},
	{`EXISTS(SELECT * FROM "Music" where Artist='No One' and SongTitle='Call Me' and Awards is MISSING)`,
		`EXISTS(SELECT * FROM "Music" WHERE ((("Artist" = 'No One') AND ("SongTitle" = 'Call Me')) AND ("Awards" IS MISSING)))`},

	// Syntax errors.
	{`SLECT * FROM t`, "error: Statement wasn't well formed, can't be processed: Expected data manipulation"},
	{`  `, "error: Statement wasn't well formed, can't be processed: Expected data manipulation"},
	{`SELECT * FROM t WHERE pk = 1 foo`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`SELECT * FROM t WHERE pk = 1 e5`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`SELECT * FROM t WHERE pk = 1)`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`SELECT * FROM t ORDER BY pk WHERE pk = 1`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`DELETE FROM t WHERE pk = 1 ORDER BY pk`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`INSERT INTO t VALUE {'pk': 1} foo`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`INSERT INTO "t" t VALUE {'pk': 'x'}`, "error: Statement wasn't well formed, can't be processed: Unexpected token after expression"},
	{`SELECT * FROM t WHERE pk = 1 # note`, "error: Statement wasn't well formed, can't be processed: "},
	{`SELECT * FROM t WHERE pk = 1 /* note`, "error: Statement wasn't well formed, can't be processed: "},
	{`SELECT * FROM "t`, "error: Statement wasn't well formed, can't be processed: "},
	{`SELECT * FROM t WHERE a = 'x`, "error: Statement wasn't well formed, can't be processed: "},
	{`SELECT * FROM t WHERE year = 2020`, "error: Statement wasn't well formed, can't be processed: Unexpected keyword"},
	{`SELECT * FROM t WHERE attribute_exists(m.inner)`, "error: Statement wasn't well formed, can't be processed: Invalid path dot component"},
	{`SELECT * FROM t WHERE`, "error: Statement wasn't well formed, can't be processed: Unexpected end of statement"},
	{`SELECT * FROM t WHERE a = `, "error: Statement wasn't well formed, can't be processed: Unexpected end of statement"},

	// Errors DynamoDB words on their own.
	{`SELECT * FROM "t" t WHERE pk = 'x'`, "error: Aliasing is not supported"},
	{`SELECT * FROM "t" AS t WHERE pk = 'x'`, "error: Aliasing is not supported"},
	{`UPDATE "t" t SET a = 3 WHERE pk = 'x'`, "error: Aliasing is not supported"},
	{`DELETE FROM "t" t WHERE pk = 'x'`, "error: Aliasing is not supported"},
	{`SELECT * FROM "t"."i"."x" WHERE pk = 'p'`, "error: A path may contain at most 2 components in the FROM clause"},
	{`SELECT * FROM "t"."" WHERE pk = 'p'`, "error: Path component cannot be an empty string"},
	{`SELECT * FROM "" WHERE pk = 'p'`, "error: Path component cannot be an empty string"},
	{`SELECT *, a FROM t`, "error: Other attributes should not be present in the projection when '*' is used."},
	{`SELECT a, * FROM t`, "error: Other attributes should not be present in the projection when '*' is used."},
	{`SELECT attribute_exists(ss) FROM "tbl" WHERE pk = 'x'`, "error: Unexpected path component at 1:8:16"},
	{`INSERT INTO "t"."gsi" VALUE {'pk': 'w1'}`, "error: FROM clause may only contain a single table name in data manipulation statements"},
	{`INSERT INTO t VALUES {'pk': 1}`, `error: Unsupported operation: Inserting multiple items in a single statement is not supported, use "INSERT INTO tableName VALUE item" instead`},
	{`INSERT INTO t VALUE 'x'`, "error: Unsupported format in item expression. Please use struct format {...} to express item values for insert statement."},
	{`INSERT INTO t VALUE {'pk': 1} RETURNING ALL OLD *`, "error: RETURNING is not supported in INSERT"},
	{`DELETE FROM t WHERE pk = 'x' RETURNING ALL NEW *`, "error: Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."},
	{`UPDATE t SET a = 1 WHERE pk = 'x' RETURNING ALL NEW`, "error: Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"},
	{`UPDATE t SET a = 1`, "error: Where clause does not contain a mandatory equality on all key attributes"},
	{`DELETE FROM t`, "error: Where clause does not contain a mandatory equality on all key attributes"},
	{`FROM t SET a = 1`, "error: Where clause does not contain a mandatory equality on all key attributes"},
	{`UPDATE t ADD a 1 WHERE pk = 'x'`, "error: Only SET and REMOVE are supported in update expressions at this time"},
	{`SELECT * FROM t WHERE a`, "error: WHERE clause must contain an expression that resolves to a boolean"},
	{`SELECT * FROM t WHERE a IN []`, "error: IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member"},
	{`SELECT * FROM t WHERE a[*] = 1`, "error: Wildcard path component like a[*].b are not supported"},
	{`SELECT * FROM t WHERE a.* = 1`, "error: Unpivot path component like a.*.b are not supported"},
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, c := range parseCases {
		st, err := Parse(c.src)
		got := ""
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("Parse(%q) returned %T %v, want an *Error", c.src, err, err)
				continue
			}
			got = "error: " + pe.Message
		} else {
			got = Format(st)
		}
		if got != c.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func TestParseCountsParameters(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]int{
		`SELECT * FROM t`: 0,
		`SELECT * FROM t WHERE a = ? AND b IN [?, ?]`:      3,
		`FROM t WHERE pk = ? SET c = ?`:                    2,
		`INSERT INTO t VALUE {'a': ?, 'b': [?, {'c': ?}]}`: 3,
		`EXISTS(SELECT * FROM t WHERE pk = ? AND a = ?)`:   2,
		`UPDATE t SET a = ? WHERE pk = ? AND sk = ?`:       3,
		`DELETE FROM t WHERE pk = ?`:                       1,
	} {
		st, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		if st.Params() != want {
			t.Errorf("Parse(%q).Params() = %d, want %d", src, st.Params(), want)
		}
	}
}

func TestPositions(t *testing.T) {
	t.Parallel()
	st, err := Parse("SELECT *\n  FROM \"tä\"\n WHERE size(\"a\") > 1")
	if err != nil {
		t.Fatal(err)
	}
	sel := st.(*Select)
	if got := sel.From.Pos.String(); got != "2:8:4" {
		t.Errorf("FROM position = %s, want 2:8:4", got)
	}
	call := sel.Where.(*Binary).L.(*Call)
	if got := call.Pos.String(); got != "3:8:4" {
		t.Errorf("size position = %s, want 3:8:4", got)
	}
}
