package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	const p = "Invalid UpdateExpression: "
	names := map[string]string{"#a": "a", "#b": "b", "#c": "c", "#d": "[3]"}
	cases := []struct{ expr, want string }{
		{"", p + "The expression can not be empty;"},
		{"SET " + strings.Repeat("a", 4093), p + "Expression size has exceeded the maximum allowed size; expression size: 4097"},
		// Syntax.
		{"whatever", p + `Syntax error; token: "whatever", near: "whatever"`},
		{"INVALID SYNTAX HERE", p + `Syntax error; token: "INVALID", near: "INVALID SYNTAX"`},
		{"SET", p + `Syntax error; token: "<EOF>", near: "SET"`},
		{"set a", p + `Syntax error; token: "<EOF>", near: "a"`},
		{"add a", p + `Syntax error; token: "<EOF>", near: "a"`},
		{"set a=set", p + `Syntax error; token: "set", near: "=set"`},
		{"remove a = b", p + `Syntax error; token: "=", near: "a = b"`},
		{"delete a b", p + `Syntax error; token: "b", near: "a b"`},
		{"add a if_not_exist(b)", p + `Syntax error; token: "if_not_exist", near: "a if_not_exist("`},
		{"set :a = b", p + `Syntax error; token: ":a", near: "set :a ="`},
		{"remove :a", p + `Syntax error; token: ":a", near: "remove :a"`},
		{"set a = b / c", p + `Syntax error; token: "/", near: "b / c"`},
		{`set a[1] = "eight"`, p + `Syntax error; token: """, near: "= "eight"`},
		{"set a[1] = 1", p + `Syntax error; token: "1", near: "= 1"`},
		{"SET if_not_exist(a, b) = a", p + `Syntax error; token: "(", near: "if_not_exist(a"`},
		{"set (a = (b + c))", p + `Syntax error; token: "(", near: "set (a"`},
		{"set a = (b.c).d + e", p + `Syntax error; token: ".", near: ").d"`},
		{"set a = b + c + d", p + `Syntax error; token: "+", near: "c + d"`},
		{"SET a = list_append(b, 0)", p + `Syntax error; token: "0", near: ", 0)"`},
		{"set a = (((b)))", p + `Syntax error; token: "(", near: "((b"`},
		{"SET a = :s,", p + `Syntax error; token: "<EOF>", near: ","`},
		// Semantic rules, in DynamoDB's order.
		{" set #c = :s set abOrt = :s ", p + "Attribute name is a reserved keyword; reserved keyword: abOrt"},
		{" remove Absolute ", p + "Attribute name is a reserved keyword; reserved keyword: Absolute"},
		{"set #zz = if_not_exist(:zz) set c = d", p + "Invalid function name; function: if_not_exist"},
		{"set a = size(b)", p + "The function is not allowed in an update expression; function: size"},
		{"set a = if_not_exists(b, contains(c, d))", p + "The function is not allowed in an update expression; function: contains"},
		{"set a = list_append(list_append(a, b), c)", p + "The function is not allowed to be used this way in an expression; function: list_append"},
		{"set a = #c set c = :s", p + `The "SET" section can only be used once in an update expression;`},
		{"remove #b set a = b remove e", p + `The "REMOVE" section can only be used once in an update expression;`},
		{"add #b :n set a = b add e :n", p + `The "ADD" section can only be used once in an update expression;`},
		{"delete #b :ss set a = b delete #c :ss", p + `The "DELETE" section can only be used once in an update expression;`},
		{"SET #zz = if_not_exists(:zz)", p + "An expression attribute name used in the document path is not defined; attribute name: #zz"},
		{"SET #a = if_not_exists(:zz)", p + "An expression attribute value used in expression is not defined; attribute value: :zz"},
		{"SET attr1 = :v", p + "An expression attribute value used in expression is not defined; attribute value: :v"},
		{"set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"},
		{"set c.b.#c = a, c = a, #d = a", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, b, c], path two: [c]"},
		{"set a = b remove a, #c", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"set #c[3].#d = a, #c[3] = a", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"},
		{"remove c, #c.a", p + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c], path two: [c, a]"},
		{"set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", p + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]"},
		{"remove a.#c set a[1] = #d", p + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"},
		{"set b = list_append(:s, a), c = if_not_exists(a) add a.b :s", p + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"delete a.b :s", p + "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"add a.b :null", p + "Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"delete a.b :bool", p + "Incorrect operand type for operator or function; operator: DELETE, operand type: BOOLEAN, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"add a.b :b", p + "Incorrect operand type for operator or function; operator: ADD, operand type: BINARY, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"add a.b :m", p + "Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"add a.b :l", p + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"delete a.b :n", p + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"set a = if_not_exists(c)", p + "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		{"set a = list_append(c)", p + "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"set a = if_not_exists(:s, c)", p + "Operator or function requires a document path; operator or function: if_not_exists"},
		{"set a = if_not_exists(if_not_exists(a, b), c)", p + "Operator or function requires a document path; operator or function: if_not_exists"},
		{"set a = list_append(:s, a)", p + "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{"set a = list_append(a, :n)", p + "Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{"set a = list_append(:m, a)", p + "Incorrect operand type for operator or function; operator or function: list_append, operand type: M"},
		{"set a = a + :s", p + "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"set a = :b - a", p + "Incorrect operand type for operator or function; operator or function: -, operand type: B"},
		{"set a = a - :l", p + "Incorrect operand type for operator or function; operator or function: -, operand type: L"},
		{"set a = a + :ns", p + "Incorrect operand type for operator or function; operator or function: +, operand type: NS"},
	}
	for _, c := range cases {
		_, err := ParseUpdate(c.expr, names, testValues)
		if got := errMessage(err); got != c.want {
			t.Errorf("ParseUpdate(%.70q)\n got: %s\nwant: %s", c.expr, got, c.want)
		}
	}
}

func TestUpdateOperatorLimit(t *testing.T) {
	t.Parallel()
	build := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "x" + string(rune('a'+i/26%26)) + string(rune('a'+i%26)) + string(rune('a'+i/676)) + "=:n+:n"
		}
		return "SET " + strings.Join(parts, ",")
	}
	if _, err := ParseUpdate(build(300), nil, testValues); err != nil {
		t.Errorf("300 operators: %v", err)
	}
	_, err := ParseUpdate(build(301), nil, testValues)
	if got := errMessage(err); got != "Invalid UpdateExpression: The expression contains too many operators; operator count: 301" {
		t.Errorf("301 operators: %s", got)
	}
}

func TestUpdateApply(t *testing.T) {
	t.Parallel()
	base := func() attr.Item {
		return attr.Item{
			"id":  attr.S("k"),
			"n":   attr.MustN("10"),
			"s":   attr.S("hello"),
			"ss":  attr.SS("a", "b"),
			"ns":  attr.NS(attr.MustParseNumber("1"), attr.MustParseNumber("2")),
			"l":   attr.L(attr.S("a"), attr.S("b"), attr.S("c"), attr.S("d")),
			"m":   attr.M(map[string]attr.Value{"x": attr.MustN("1"), "y": attr.S("y"), "in": attr.M(map[string]attr.Value{})}),
			"ml":  attr.M(map[string]attr.Value{"l": attr.L(attr.MustN("1"))}),
			"lol": attr.L(attr.L(attr.S("a0"), attr.S("a1")), attr.L(attr.S("b0"))),
		}
	}
	values := map[string]attr.Value{
		":one": attr.MustN("1"), ":five": attr.MustN("5"), ":s": attr.S("new"), ":ssC": attr.SS("c", "a"), ":ssAB": attr.SS("a", "b"),
		":nsX": attr.NS(attr.MustParseNumber("2.0"), attr.MustParseNumber("3")), ":l": attr.L(attr.S("z")), ":bool": attr.Bool(true),
		":max": attr.MustN("9.9999999999999999999999999999999999999e125"), ":bs": attr.BS([]byte("q")),
	}
	cases := []struct {
		name, expr string
		check      map[string]attr.Value // expected values of these attributes after the update (zero Value = absent)
		err        string
	}{
		{"set value", "SET s = :s", map[string]attr.Value{"s": attr.S("new")}, ""},
		{"set new attribute", "SET fresh = :s", map[string]attr.Value{"fresh": attr.S("new")}, ""},
		{"set from attribute", "SET copy = s", map[string]attr.Value{"copy": attr.S("hello")}, ""},
		{"set plus", "SET n = n + :five", map[string]attr.Value{"n": attr.MustN("15")}, ""},
		{"set minus", "SET n = n - :five", map[string]attr.Value{"n": attr.MustN("5")}, ""},
		{"set minus reversed", "SET n = :five - n", map[string]attr.Value{"n": attr.MustN("-5")}, ""},
		{"parenthesised", "SET n = (n + :five)", map[string]attr.Value{"n": attr.MustN("15")}, ""},
		{"parenthesised operands", "SET n = (n) + (:five)", map[string]attr.Value{"n": attr.MustN("15")}, ""},
		{"nested arithmetic", "SET m.x = m.x + :one", map[string]attr.Value{"m": attr.M(map[string]attr.Value{"x": attr.MustN("2"), "y": attr.S("y"), "in": attr.M(nil)})}, ""},
		{"if_not_exists missing", "SET c = if_not_exists(c, :one)", map[string]attr.Value{"c": attr.MustN("1")}, ""},
		{"if_not_exists present", "SET n = if_not_exists(n, :one)", map[string]attr.Value{"n": attr.MustN("10")}, ""},
		{"if_not_exists plus", "SET c = if_not_exists(c, :five) + :one", map[string]attr.Value{"c": attr.MustN("6")}, ""},
		{"list_append", "SET l = list_append(l, :l)", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("b"), attr.S("c"), attr.S("d"), attr.S("z"))}, ""},
		{"list_append prepend", "SET l = list_append(:l, l)", map[string]attr.Value{"l": attr.L(attr.S("z"), attr.S("a"), attr.S("b"), attr.S("c"), attr.S("d"))}, ""},
		{"list_append if_not_exists", "SET nl = list_append(if_not_exists(nl, :l), :l)", map[string]attr.Value{"nl": attr.L(attr.S("z"), attr.S("z"))}, ""},
		{"set list element", "SET l[1] = :s", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("new"), attr.S("c"), attr.S("d"))}, ""},
		{"set past end appends", "SET l[10] = :s", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("b"), attr.S("c"), attr.S("d"), attr.S("new"))}, ""},
		{"appends in index order", "SET l[20] = :one, l[10] = :s", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("b"), attr.S("c"), attr.S("d"), attr.S("new"), attr.MustN("1"))}, ""},
		{"set nested map", "SET m.z = :s", map[string]attr.Value{"m": attr.M(map[string]attr.Value{"x": attr.MustN("1"), "y": attr.S("y"), "in": attr.M(nil), "z": attr.S("new")})}, ""},
		{"set in nested list", "SET lol[1][0] = :s", map[string]attr.Value{"lol": attr.L(attr.L(attr.S("a0"), attr.S("a1")), attr.L(attr.S("new")))}, ""},
		{"values read before writes", "SET s = n, n = s", map[string]attr.Value{"s": attr.MustN("10"), "n": attr.S("hello")}, ""},
		{"remove", "REMOVE s, ss", map[string]attr.Value{"s": {}, "ss": {}}, ""},
		{"remove missing", "REMOVE nothing", map[string]attr.Value{"s": attr.S("hello")}, ""},
		{"remove nested", "REMOVE m.y", map[string]attr.Value{"m": attr.M(map[string]attr.Value{"x": attr.MustN("1"), "in": attr.M(nil)})}, ""},
		{"remove list element shifts", "REMOVE l[1]", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("c"), attr.S("d"))}, ""},
		{"remove several elements by original index", "REMOVE l[1], l[2]", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("d"))}, ""},
		{"remove past end", "REMOVE l[9]", map[string]attr.Value{"l": attr.L(attr.S("a"), attr.S("b"), attr.S("c"), attr.S("d"))}, ""},
		{"remove and set same list", "REMOVE l[0] SET l[3] = :s", map[string]attr.Value{"l": attr.L(attr.S("b"), attr.S("c"), attr.S("new"))}, ""},
		{"remove nested before outer", "REMOVE lol[0], lol[1][0]", map[string]attr.Value{"lol": attr.L(attr.L())}, ""},
		{"add number", "ADD n :five", map[string]attr.Value{"n": attr.MustN("15")}, ""},
		{"add number creates", "ADD cnt :one", map[string]attr.Value{"cnt": attr.MustN("1")}, ""},
		{"add set union", "ADD ss :ssC", map[string]attr.Value{"ss": attr.SS("a", "b", "c")}, ""},
		{"add set creates", "ADD tags :ssC", map[string]attr.Value{"tags": attr.SS("c", "a")}, ""},
		{"add number set numerically", "ADD ns :nsX", map[string]attr.Value{"ns": attr.NS(attr.MustParseNumber("1"), attr.MustParseNumber("2"), attr.MustParseNumber("3"))}, ""},
		{"add nested", "ADD m.x :one", map[string]attr.Value{"m": attr.M(map[string]attr.Value{"x": attr.MustN("2"), "y": attr.S("y"), "in": attr.M(nil)})}, ""},
		{"add list element appends", "ADD ml.l[5] :one", map[string]attr.Value{"ml": attr.M(map[string]attr.Value{"l": attr.L(attr.MustN("1"), attr.MustN("1"))})}, ""},
		{"delete from set", "DELETE ss :ssC", map[string]attr.Value{"ss": attr.SS("b")}, ""},
		{"delete last members removes", "DELETE ss :ssAB", map[string]attr.Value{"ss": {}}, ""},
		{"delete missing attribute", "DELETE nope :ssC", map[string]attr.Value{"nope": {}}, ""},
		{"delete number set", "DELETE ns :nsX", map[string]attr.Value{"ns": attr.NS(attr.MustParseNumber("1"))}, ""},
		{"all clauses", "SET a = :s REMOVE s ADD n :one DELETE ss :ssC", map[string]attr.Value{"a": attr.S("new"), "s": {}, "n": attr.MustN("11"), "ss": attr.SS("b")}, ""},
		// Runtime errors.
		{"missing operand", "SET c = nope", nil, ErrMissingAttribute.Message},
		{"missing in list_append", "SET e = list_append(nope, nope2)", nil, ErrMissingAttribute.Message},
		{"plus on string", "SET e = s + :one", nil, ErrIncorrectOperandType.Message},
		{"minus on set", "SET e = ss - :one", nil, ErrIncorrectOperandType.Message},
		{"list_append on set", "SET e = list_append(ss, :l)", nil, ErrIncorrectOperandType.Message},
		{"list_append if_not_exists wrong", "SET e = list_append(l, if_not_exists(gone, :one))", nil, ErrIncorrectOperandType.Message},
		{"add to string", "ADD s :one", nil, ErrIncorrectOperandType.Message},
		{"add wrong set type", "ADD ss :nsX", nil, ErrIncorrectOperandType.Message},
		{"add number to set", "ADD ns :one", nil, ErrIncorrectOperandType.Message},
		{"delete wrong set type", "DELETE ns :ssC", nil, ErrIncorrectOperandType.Message},
		{"delete from number", "DELETE n :nsX", nil, ErrIncorrectOperandType.Message},
		{"set under missing map", "SET nomap.x = :s", nil, ErrInvalidDocumentPath.Message},
		{"set index under missing", "SET nolist[1] = :s", nil, ErrInvalidDocumentPath.Message},
		{"set index on map", "SET m[1] = :s", nil, ErrInvalidDocumentPath.Message},
		{"set key on list", "SET l.x = :s", nil, ErrInvalidDocumentPath.Message},
		{"set key on string", "SET s.x = :s", nil, ErrInvalidDocumentPath.Message},
		{"set under element past end", "SET l[10].x = :s", nil, ErrInvalidDocumentPath.Message},
		{"remove under missing", "REMOVE nomap.x", nil, ErrInvalidDocumentPath.Message},
		{"remove index on map", "REMOVE m[0]", nil, ErrInvalidDocumentPath.Message},
		{"add under missing", "ADD nomap.x :one", nil, ErrInvalidDocumentPath.Message},
		{"delete under missing", "DELETE nomap.x :ssC", nil, ErrInvalidDocumentPath.Message},
		{"overflow", "SET n = :max + :max", nil, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"add overflow", "ADD n :max", nil, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, c := range cases {
		u, err := ParseUpdate(c.expr, nil, values)
		if err != nil {
			t.Errorf("%s: ParseUpdate(%q): %v", c.name, c.expr, err)
			continue
		}
		orig := base()
		snapshot := orig.Clone()
		got, paths, err := u.Apply(orig)
		if c.err != "" {
			if errMessage(err) != c.err {
				t.Errorf("%s: Apply error = %v, want %s", c.name, err, c.err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%s: error is %T", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Apply: %v", c.name, err)
			continue
		}
		for name, want := range c.check {
			v, ok := got[name]
			if !want.IsValid() {
				if ok {
					t.Errorf("%s: %s = %v, want absent", c.name, name, v)
				}
				continue
			}
			if !attr.Equal(v, want) {
				t.Errorf("%s: %s = %v, want %v", c.name, name, v, want)
			}
		}
		if len(paths) != len(u.Paths()) {
			t.Errorf("%s: paths = %v", c.name, paths)
		}
		// Apply never changes its input.
		for k, v := range snapshot {
			if !attr.Equal(orig[k], v) {
				t.Errorf("%s: Apply modified the input at %s", c.name, k)
			}
		}
		if len(orig) != len(snapshot) {
			t.Errorf("%s: Apply added to the input", c.name)
		}
	}
}

// TestUpdateApplyNested follows an update DynamoDB was observed to perform:
// SET values read the original item, list writes refer to original indexes,
// and appends land in index order.
func TestUpdateApplyNested(t *testing.T) {
	t.Parallel()
	item := attr.Item{
		"a": attr.S("key"),
		"b": attr.M(map[string]attr.Value{"a": attr.MustN("1"), "b": attr.MustN("2"), "c": attr.MustN("3")}),
		"c": attr.L(attr.MustN("1"), attr.MustN("3")),
	}
	values := map[string]attr.Value{":a": attr.MustN("2"), ":b": attr.SS("a")}
	u, err := ParseUpdate("set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a", nil, values)
	if err != nil {
		t.Fatal(err)
	}
	got, paths, err := u.Apply(item)
	if err != nil {
		t.Fatal(err)
	}
	wantB := attr.M(map[string]attr.Value{"a": attr.S("key"), "b": attr.MustN("2"), "c": attr.MustN("4")})
	wantC := attr.L(attr.MustN("1"), attr.S("key"), attr.MustN("3"), attr.MustN("-1"), attr.MustN("2"), attr.SS("a"))
	if !attr.Equal(got["b"], wantB) || !attr.Equal(got["c"], wantC) {
		t.Errorf("got b=%v c=%v", got["b"], got["c"])
	}
	// UPDATED_NEW projects the updated paths on the new item.
	updated := ProjectPaths(got, paths)
	wantNew := attr.Item{
		"b": attr.M(map[string]attr.Value{"a": attr.S("key"), "c": attr.MustN("4")}),
		"c": attr.L(attr.S("key"), attr.MustN("3"), attr.MustN("2")),
	}
	if len(updated) != 2 || !attr.Equal(updated["b"], wantNew["b"]) || !attr.Equal(updated["c"], wantNew["c"]) {
		t.Errorf("UPDATED_NEW = %v", updated)
	}
}

func TestUpdateApplyNewItem(t *testing.T) {
	t.Parallel()
	u := mustUpdate(t, "SET a = :s ADD n :n, ss :ss DELETE gone :ss REMOVE x")
	got, _, err := u.Apply(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !attr.Equal(got["a"], attr.S("str")) || !attr.Equal(got["n"], attr.MustN("1")) || got["ss"].Len() != 2 {
		t.Errorf("Apply(nil) = %v", got)
	}
	if _, _, err := mustUpdate(t, "SET a.b = :s").Apply(nil); err != ErrInvalidDocumentPath {
		t.Errorf("nested SET on a new item: %v", err)
	}
	if _, _, err := mustUpdate(t, "SET a = b").Apply(nil); err != ErrMissingAttribute {
		t.Errorf("SET from a missing attribute: %v", err)
	}
}

func TestUpdatePathsAndRefs(t *testing.T) {
	t.Parallel()
	u := mustUpdate(t, "SET #a.b = if_not_exists(c, :n) REMOVE d[2] ADD e :n DELETE f :ss")
	var ps []string
	for _, p := range u.Paths() {
		ps = append(ps, p.String())
	}
	if got := strings.Join(ps, " "); got != "[a, b] [d, [2]] [e] [f]" {
		t.Errorf("Paths = %s", got)
	}
	if r := u.Refs(); strings.Join(r.Names, ",") != "#a" || strings.Join(r.Values, ",") != ":n,:ss" {
		t.Errorf("Refs = %+v", r)
	}
	if rp := u.ReadPaths(); len(rp) != 1 || rp[0].String() != "[c]" {
		t.Errorf("ReadPaths = %v", rp)
	}
}
