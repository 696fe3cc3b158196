package partiql

import (
	"errors"
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// fuzzParams are the parameters fuzzed statements bind, as many as they
// ask for.
var fuzzParams = []attr.Value{
	attr.S("p"), attr.MustN("1"), attr.L(attr.S("a"), attr.S("b")), attr.SS("x"), attr.B([]byte{1}),
	attr.M(map[string]attr.Value{"k": attr.S("v")}), attr.Bool(true), attr.Null(),
}

// FuzzParse checks that Parse never panics, that every error is an *Error
// with a message, that a parse survives Format and re-parsing unchanged,
// and that compiling what parsed never panics.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.src)
	}
	for _, s := range []string{
		`SELECT * FROM "t" WHERE pk = ? AND sk > ? ORDER BY sk DESC`,
		`SELECT a.b[0], "c" FROM t."i" WHERE x IN ? OR NOT (y BETWEEN 1 AND 2)`,
		`UPDATE t SET a = set_delete(a, <<1, 2>>) SET b = b - 1 REMOVE c[3].d WHERE pk = 'x' AND e IS NOT MISSING`,
		`INSERT INTO t VALUE {'pk': 'x', 'l': [<<'a'>>, {'m': NULL}], 'n': 1e-130}`,
		`EXISTS(SELECT * FROM t WHERE pk = 'x' AND sk = 1 AND size(a) >= 2)`,
		`DELETE FROM t WHERE pk = 'x' AND contains(a, 'y') RETURNING ALL OLD *`,
		`SELECT * FROM t WHERE a = <<`, `SELECT * FROM t WHERE a = {'x':`, `SELECT * FROM t WHERE ((((a = 1))))`,
		`SELECT * FROM t WHERE a = 1e99999999999`, "SELECT * FROM t WHERE a = 'ü' -- ünïcode", `?`, `"`, `'`, `<<>>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		st, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("Parse(%q) returned %T %v", src, err, err)
			}
			return
		}
		text := Format(st)
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = %q: %v", src, text, err)
		}
		if got := Format(again); got != text {
			t.Fatalf("Format is not stable for %q:\n first %s\nsecond %s", src, text, got)
		}
		if again.Params() != st.Params() {
			t.Fatalf("Params changed through Format for %q", src)
		}
		params := fuzzParams
		if st.Params() < len(params) {
			params = params[:st.Params()]
		}
		compile(st, params)
	})
}

// compile runs every compilation a statement can go through; errors are
// expected, panics are not.
func compile(st Statement, params []attr.Value) {
	switch st := st.(type) {
	case *Select:
		if st.Where != nil {
			_, _ = Condition(st.Where, params)
			k := KeysOf(st.Where, "pk", "sk")
			for _, e := range k.Partitions {
				_, _ = Value(e, params)
			}
		}
		if !st.Star {
			_, _ = Projection(st.Projection)
		}
	case *Insert:
		_, _ = Value(st.Item, params)
	case *Update:
		_, _ = UpdateActions(st.Actions, params)
		if k := KeysOf(st.Where, "pk", ""); k.Rest != nil {
			_, _ = Condition(k.Rest, params)
		}
	case *Delete:
		_, _ = Condition(st.Where, params)
	case *Exists:
		compile(st.Select, params)
	}
}
