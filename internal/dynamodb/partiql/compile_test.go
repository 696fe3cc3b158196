package partiql

import (
	"errors"
	"strings"
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// where parses "SELECT * FROM t WHERE cond" and returns the condition.
func where(t *testing.T, cond string) Expr {
	t.Helper()
	st, err := Parse("SELECT * FROM t WHERE " + cond)
	if err != nil {
		t.Fatalf("Parse(%q): %v", cond, err)
	}
	return st.(*Select).Where
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return "non-partiql error: " + err.Error()
}

var testItem = attr.Item{
	"pk":   attr.S("p1"),
	"sk":   attr.MustN("5"),
	"name": attr.S("alpha"),
	"tags": attr.SS("x", "y"),
	"l":    attr.L(attr.MustN("1"), attr.S("two")),
	"m":    attr.M(map[string]attr.Value{"a": attr.M(map[string]attr.Value{"b": attr.Bool(true)})}),
	"z":    attr.Null(),
	"bin":  attr.B([]byte{1, 2, 3}),
}

func TestConditionEvaluates(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cond   string
		want   bool
		params []attr.Value
	}{
		{`pk = 'p1'`, true, nil},
		{`pk = ?`, true, []attr.Value{attr.S("p1")}},
		{`pk <> 'p1' OR sk = 5`, true, nil},
		{`pk != 'p1'`, false, nil},
		{`sk > 4 AND sk <= 5 AND sk >= 5 AND sk < 6`, true, nil},
		{`sk BETWEEN 1 AND 4`, false, nil},
		{`sk NOT BETWEEN 1 AND 4`, true, nil},
		{`name IN ['beta', 'alpha']`, true, nil},
		{`name IN ('beta')`, false, nil},
		{`pk = ? AND pk IN ?`, true, []attr.Value{attr.S("p1"), attr.L(attr.S("q"), attr.S("p1"))}},
		{`pk IN ?`, false, []attr.Value{attr.L(attr.S("q"))}},
		{`nope IS MISSING AND name IS NOT MISSING`, true, nil},
		{`z IS NULL AND name IS NOT NULL AND name IS STRING AND sk IS NUMERIC`, true, nil},
		{`m IS STRUCT AND l IS LIST AND m.a.b IS BOOLEAN AND bin IS BLOB`, true, nil},
		{`begins_with(name, 'al') AND NOT begins_with(name, 'be')`, true, nil},
		{`contains(tags, 'x') AND contains(name, 'lph')`, true, nil},
		{`size(l) = 2 AND size(tags) > 1`, true, nil},
		{`attribute_type(name, 'S') AND attribute_exists(m.a.b) AND attribute_not_exists(m.x)`, true, nil},
		{`l[1] = 'two' AND m.a.b = TRUE AND m['a'].b = true`, true, nil},
		{`tags = <<'y', 'x'>>`, true, nil},
		{`l = [1, 'two']`, true, nil},
		{`m = {'a': {'b': true}}`, true, nil},
		{`bin < ?`, true, []attr.Value{attr.B([]byte{1, 2, 4})}},
		{`bin > ?`, false, []attr.Value{attr.B([]byte{1, 2, 4})}},
		{`(pk = 'x' OR sk = 5) AND NOT (name = 'beta' OR name = 'gamma')`, true, nil},
		{`NOT NOT pk = 'p1'`, true, nil},
		{`"name" = 'alpha'`, true, nil},
	} {
		cond, err := Condition(where(t, c.cond), c.params)
		if err != nil {
			t.Errorf("Condition(%s): %v", c.cond, err)
			continue
		}
		got, err := cond.Eval(testItem)
		if err != nil || got != c.want {
			t.Errorf("Condition(%s) = %v, %v; want %v", c.cond, got, err, c.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cond   string
		params []attr.Value
		want   string
	}{
		{`sk < ?`, []attr.Value{attr.Bool(true)}, "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{`sk >= [1]`, nil, "Incorrect operand type for operator or function; operator or function: >=, operand type: L"},
		{`sk BETWEEN ? AND ?`, []attr.Value{attr.Null(), attr.Null()}, "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: NULL"},
		{`a = MISSING`, nil, "MISSING must be compared using IS operator"},
		{`attribute_exists('ss')`, nil, "Operator or function requires a document path; operator or function: attribute_exists"},
		{`attribute_exists()`, nil, "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 0"},
		{`attribute_exists(ss, ns)`, nil, "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{`pk = 'a' AND EXISTS(ss)`, nil, "Unrecognized function: exists at 1:36:6"},
		{`list_append(a, b) = c`, nil, "Unrecognized function: list_append at 1:23:11"},
		{`attribute_type(a)`, nil, "Incorrect number of operands for operator or function; operator or function: attribute_type, number of operands: 1"},
		{`size(a, b) > 1`, nil, "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{`a IS WEIRD`, nil, "Unsupported data type for IS operator: WEIRD. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"},
		{`1 IS MISSING`, nil, "The left hand side argument to IS must be a Variable Reference, Literal, or Path"},
		{`a + 1 = 2`, nil, "Unsupported operator in Condition Expression. Operator: +"},
		{`a = 1e126`, nil, "Number overflow. Attempting to store a number with magnitude larger than supported range under root"},
		{`a = 1e-131`, nil, "Number underflow. Attempting to store a number with magnitude smaller than supported range under root"},
		{`a = 123456789012345678901234567890123456789`, nil, "Attempting to store more than 38 significant digits in a Number under root"},
		{`a = 1e2147483648`, nil, "Statement wasn't well formed, can't be processed: "},
		{`a = 1.5e-2147483647`, nil, "Statement wasn't well formed, can't be processed: "},
		{`a = {'x': [1, 1e126]}`, nil, "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x[1]"},
		{`a = <<>>`, nil, "Empty bags are not supported"},
		{`a = <<'x', 1>>`, nil, "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"},
		{`a = <<'x', 'x'>>`, nil, "One or more parameter values were invalid: Input collection [x, x] contains duplicates."},
		{`a = {1: 'x'}`, nil, "Tuple keys must be of type String. Actual type: DECIMAL under root"},
		{`a = {'k': 1, 'k': 2}`, nil, "Duplicate keys in tuple. Key: k under root"},
		{`a = a`, nil, "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
	} {
		_, err := Condition(where(t, c.cond), c.params)
		if got := errText(err); got != c.want {
			t.Errorf("Condition(%s):\n got %s\nwant %s", c.cond, got, c.want)
		}
	}
}

func TestUpdateActions(t *testing.T) {
	t.Parallel()
	parse := func(src string) []Action {
		st, err := Parse(`UPDATE t ` + src + ` WHERE pk = 'p1'`)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		return st.(*Update).Actions
	}
	for _, c := range []struct {
		src    string
		params []attr.Value
		check  func(attr.Item) bool
		err    string
	}{
		{src: `SET sk = sk + 1, name = 'beta'`, check: func(it attr.Item) bool {
			return it["sk"].N().String() == "6" && it["name"].S() == "beta"
		}},
		{src: `SET l = list_append(l, [3]) REMOVE name, m.a`, check: func(it attr.Item) bool {
			_, hasName := it["name"]
			return it["l"].Len() == 3 && !hasName && len(it["m"].M()) == 0
		}},
		{src: `SET tags = set_add(tags, <<'z'>>) SET more = SET_ADD(more, ?)`, params: []attr.Value{attr.NS(attr.MustParseNumber("1"))}, check: func(it attr.Item) bool {
			return it["tags"].Len() == 3 && it["more"].Type() == attr.TypeNS
		}},
		{src: `SET tags = set_delete(tags, <<'x', 'y'>>)`, check: func(it attr.Item) bool {
			_, has := it["tags"]
			return !has
		}},
		{src: `SET n = if_not_exists(n, 0) + 1`, check: func(it attr.Item) bool { return it["n"].N().String() == "1" }},
		{src: `SET tags = set_add(tags)`, err: "SET_ADD must have exactly two arguments at 1:21:7"},
		{src: `SET t = set_add(tags, <<'x'>>)`, err: "The first argument to SET_ADD must equal the assignment value at 1:18:7"},
		{src: `SET tags = set_add(<<'a'>>, <<'b'>>)`, err: "The first argument to SET_ADD must equal the assignment value at 1:21:7"},
		{src: `SET tags = set_delete(tags, 'x')`, err: "The second argument to SET_DELETE must be a value with type SET at 1:32:4"},
		{src: `SET tags = set_add(tags, ['x'])`, err: "The second argument to SET_ADD must be a value with type SET at 1:29:4"},
		{src: `SET tags = set_add(tags, <<>>)`, err: "Empty bags are not supported"},
		{src: `SET a = b IS MISSING`, err: "IS operator is not supported in update expressions"},
		{src: `SET a = size(b)`, err: "Unrecognized function: size at 1:18:4"},
		{src: `SET a = 1 SET a = 2`, err: "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
	} {
		u, err := UpdateActions(parse(c.src), c.params)
		if got := errText(err); got != c.err {
			t.Errorf("UpdateActions(%s): error %q, want %q", c.src, got, c.err)
			continue
		}
		if err != nil {
			continue
		}
		out, _, err := u.Apply(testItem)
		if err != nil || !c.check(out) {
			t.Errorf("UpdateActions(%s).Apply = %v, %v", c.src, out, err)
		}
	}
}

func TestValue(t *testing.T) {
	t.Parallel()
	st, err := Parse(`INSERT INTO t VALUE {'s': 'x', 'n': -1.50, 'b': TRUE, 'z': NULL, 'l': [1, ?], 'm': {'k': <<1, 2>>}, 'ss': <<'a'>>}`)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Item(st.(*Insert).Item, []attr.Value{attr.B([]byte("p"))})
	if err != nil {
		t.Fatal(err)
	}
	m := v.M()
	if m["s"].S() != "x" || m["n"].N().String() != "-1.5" || !m["b"].Bool() || m["z"].Type() != attr.TypeNULL ||
		m["l"].L()[1].Type() != attr.TypeB || m["m"].M()["k"].Type() != attr.TypeNS || m["ss"].Type() != attr.TypeSS {
		t.Errorf("Value = %v", m)
	}
	for src, want := range map[string]string{
		`INSERT INTO t VALUE {'pk': 1e126}`:                             "Number overflow. Attempting to store a number with magnitude larger than supported range under root",
		`INSERT INTO t VALUE {'pk': 1, 'm': {'x': 1e126}}`:              "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x",
		`INSERT INTO t VALUE {'pk': 1, 'l': [1, 1e126]}`:                "Number overflow. Attempting to store a number with magnitude larger than supported range under root[1]",
		`INSERT INTO t VALUE {'pk': 1, 's': set_add(<<'a'>>, <<'b'>>)}`: "Unsupported data type: set_add under key root at 1:36:7",
	} {
		st, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Item(st.(*Insert).Item, nil); errText(err) != want {
			t.Errorf("Item(%s): %v, want %s", src, err, want)
		}
	}
	if err := CheckParams(st, nil); errText(err) != "Number of parameters in request and statement don't match." {
		t.Errorf("CheckParams with none: %v", err)
	}
}

func TestKeysOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cond                    string
		equal, parts, rng, rest string
	}{
		{`pk = 'a' AND sk = 1`, "pk=['a'] sk=[1]", "['a']", "sk = [1]", ""},
		{`'a' = pk AND 3 < sk AND x = 1`, "pk=['a']", "['a']", "sk > [3]", `((3 < "sk") AND ("x" = 1))`},
		{`pk IN ['a', 'b'] AND sk BETWEEN 1 AND 2`, "", "['a' 'b']", "sk BETWEEN [1 2]", `(("pk" IN ['a', 'b']) AND ("sk" BETWEEN 1 AND 2))`},
		{`(pk = 'a' OR pk = 'b' OR pk = ?) AND begins_with(sk, 'x')`, "", "['a' 'b' ?]", "sk BEGINS_WITH ['x']", `(((("pk" = 'a') OR ("pk" = 'b')) OR ("pk" = ?)) AND begins_with("sk", 'x'))`},
		{`pk = 'a' OR x = 1`, "", "", "", `(("pk" = 'a') OR ("x" = 1))`},
		{`pk > 'a'`, "", "", "", `("pk" > 'a')`},
		{`sk = 1 AND pk.x = 'a'`, "sk=[1]", "", "", `("pk"."x" = 'a')`},
		{`pk = 'a' AND pk = 'b'`, "pk=['a' 'b']", "['a']", "", ""},
	} {
		k := KeysOf(where(t, c.cond), "pk", "sk")
		var eq []string
		for _, n := range []string{"pk", "sk"} {
			if vs := k.Equal[n]; len(vs) > 0 {
				eq = append(eq, n+"=["+formatSpace(vs)+"]")
			}
		}
		rng, rest := "", ""
		if k.Range != nil {
			rng = k.Range.Name + " " + k.Range.Op + " [" + formatSpace(k.Range.Values) + "]"
		}
		if k.Rest != nil {
			rest = FormatExpr(k.Rest)
		}
		parts := ""
		if k.Partitions != nil {
			parts = "[" + formatSpace(k.Partitions) + "]"
		}
		got := []string{strings.Join(eq, " "), parts, rng, rest}
		want := []string{c.equal, c.parts, c.rng, c.rest}
		if strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("KeysOf(%s):\n got %q\nwant %q", c.cond, got, want)
		}
	}
}

func formatSpace(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = FormatExpr(e)
	}
	return strings.Join(parts, " ")
}

func TestProjectionAndOutputName(t *testing.T) {
	t.Parallel()
	st, err := Parse(`SELECT a.b[1], c, m['x'].y FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	paths := st.(*Select).Projection
	if _, err := Projection(paths); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		n, _ := OutputName(p)
		names = append(names, n)
	}
	if got := strings.Join(names, ","); got != "b,c,y" {
		t.Errorf("output names = %s", got)
	}
	st, _ = Parse(`SELECT a, a.b FROM t`)
	if _, err := Projection(st.(*Select).Projection); errText(err) != "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]" {
		t.Errorf("overlapping projection: %v", err)
	}
}
