package expr

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// TestConditionErrors pins DynamoDB's message for every class of invalid
// condition, and the order in which DynamoDB reports them.
func TestConditionErrors(t *testing.T) {
	t.Parallel()
	const p = "Invalid ConditionExpression: "
	cases := []struct{ expr, want string }{
		// Empty and size.
		{"", p + "The expression can not be empty;"},
		{strings.Repeat("a", 4097), p + "Expression size has exceeded the maximum allowed size; expression size: 4097"},
		// Syntax: the token, and the source from the previous token to the next.
		{"a", p + `Syntax error; token: "<EOF>", near: "a"`},
		{"a = ", p + `Syntax error; token: "<EOF>", near: "="`},
		{"things are not gonna be ok", p + `Syntax error; token: "are", near: "things are not"`},
		{"a > 4", p + `Syntax error; token: "4", near: "> 4"`},
		{"attribute_exists(Pictures-RearView)", p + `Syntax error; token: "-", near: "Pictures-RearView"`},
		{`attribute_exists("Pictures.RearView")`, p + `Syntax error; token: """, near: "("Pictures"`},
		{"attribute_exists(Pictures..RearView)", p + `Syntax error; token: ".", near: "..RearView"`},
		{"attribute_exists(asdf[a])", p + `Syntax error; token: "a", near: "[a]"`},
		{"attribute_type()", p + `Syntax error; token: ")", near: "()"`},
		{"a.:a < b.:b", p + `Syntax error; token: ":a", near: ".:a <"`},
		{"a in b, c", p + `Syntax error; token: "b", near: "in b,"`},
		{"a > between", p + `Syntax error; token: "between", near: "> between"`},
		{"a in (b,c,)", p + `Syntax error; token: ")", near: ",)"`},
		{"(a)between(b.(c.d))and(c)", p + `Syntax error; token: "(", near: ".(c"`},
		{"#$.b > a", p + `Syntax error; token: "#", near: "#$"`},
		{"b[:a] > a", p + `Syntax error; token: ":a", near: "[:a]"`},
		{"ü > a", p + `Syntax error; token: "ü", near: "ü >"`},
		{"_under = :s", p + `Syntax error; token: "_", near: "_under"`},
		{"a = :s AND _1 = :s", p + `Syntax error; token: "_", near: "AND _1"`},
		{"size(a).b > a", p + `Syntax error; token: ".", near: ").b"`},
		{"(size(a))[0] > a", p + `Syntax error; token: "[", near: ")[0"`},
		{"a = :s AND", p + `Syntax error; token: "<EOF>", near: "AND"`},
		{"NOT a", p + `Syntax error; token: "<EOF>", near: "a"`},
		{"a = b = c", p + `Syntax error; token: "=", near: "b = c"`},
		{"(a) AND b = :s", p + `Syntax error; token: "AND", near: ") AND b"`},
		// Redundant parentheses come first among the semantic errors.
		{"a=a and a > ((views))", p + "The expression has redundant parentheses;"},
		{"(a)between(((b.c)).d)and(c)", p + "The expression has redundant parentheses;"},
		{"a > whatever((:s), ((a)))", p + "The expression has redundant parentheses;"},
		{"a=a AND ((a=a AND a=a)) AND a=a", p + "The expression has redundant parentheses;"},
		{"((attribute_not_exists(pk)))", p + "The expression has redundant parentheses;"},
		// Function names are case-sensitive.
		{"a=a and whatever((:s)) > a", p + "Invalid function name; function: whatever"},
		{"attRIbute_exIsts((views), #a)", p + "Invalid function name; function: attRIbute_exIsts"},
		// An update function is known, but not allowed in a condition.
		{"if_not_exists(a, a) = :s", p + "The function is not allowed in a condition expression; function: if_not_exists"},
		{"size(list_append(a, b)) > a", p + "The function is not allowed in a condition expression; function: list_append"},
		// Functions in the wrong place.
		{"attribute_exists(a) > b", p + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"contains(:s, c) > b", p + "The function is not allowed to be used this way in an expression; function: contains"},
		{"size(contains(a, b)) > a", p + "The function is not allowed to be used this way in an expression; function: contains"},
		{"size(things)", p + "The function is not allowed to be used this way in an expression; function: size"},
		{"a between b and attribute_exists(things)", p + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"a in (b, attribute_exists(things))", p + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		// Reserved words, as written, before placeholder and operand checks.
		{"attribute_exists(views, #zz)", p + "Attribute name is a reserved keyword; reserved keyword: views"},
		{":s < abOrT", p + "Attribute name is a reserved keyword; reserved keyword: abOrT"},
		{"a.status = :s", p + "Attribute name is a reserved keyword; reserved keyword: status"},
		// Undefined placeholders.
		{"#Pictures.RearView = :s", p + "An expression attribute name used in the document path is not defined; attribute name: #Pictures"},
		{"#4g > a", p + "An expression attribute name used in the document path is not defined; attribute name: #4g"},
		{"#_ > a", p + "An expression attribute name used in the document path is not defined; attribute name: #_"},
		{":nope < :s", p + "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"(a)between(b.c[45].#zz)and(:s)", p + "An expression attribute name used in the document path is not defined; attribute name: #zz"},
		// Operand counts.
		{"attribute_exists(things, a) and a=a", p + "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"attribute_type(things)", p + "Incorrect number of operands for operator or function; operator or function: attribute_type, number of operands: 1"},
		{"begins_with(things, size(a), b)", p + "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3"},
		{"contains(things)", p + "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"},
		{"size(things, a) > b", p + "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		// Operands that must differ.
		{"a = a", p + "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"#a <> a", p + "The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"},
		{"contains(#c, #c)", p + "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [c]"},
		{"begins_with(ab.bc[1].a, ab.bc[1].#a)", p + "The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [ab, bc, [1], a]"},
		// Operand types.
		{"attribute_type(a, :n)", p + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type(a, size(a))", p + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type(a, b)", p + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
		{"attribute_type(a, :tX)", p + "Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"begins_with(a, :n)", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"begins_with(:ss, a)", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"},
		{"begins_with(a, size(a))", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"size(size(a)) > :n", p + "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{"size(:bool) > a", p + "Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
		{"a < :l", p + "Incorrect operand type for operator or function; operator or function: <, operand type: L"},
		{":m >= a", p + "Incorrect operand type for operator or function; operator or function: >=, operand type: M"},
		{"a <= :bool", p + "Incorrect operand type for operator or function; operator or function: <=, operand type: BOOL"},
		{"a > :ss OR attribute_exists(a)", p + "Incorrect operand type for operator or function; operator or function: >, operand type: SS"},
		{"a between :l and :l", p + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
		{":null between a and b", p + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: NULL"},
		{"attribute_exists(:s) and a=:s", p + "Operator or function requires a document path; operator or function: attribute_exists"},
		{"attribute_not_exists(size(:s))", p + "Operator or function requires a document path; operator or function: attribute_not_exists"},
		{"a between :s and :n", p + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:str}, upper bound operand: AttributeValue: {N:1}"},
		{"a between :n2 and :n", p + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"},
		// Per comparison, in written order, by priority within one.
		{"a = :nope AND begins_with(b, :n)", p + "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"begins_with(b, :n) AND a = :nope", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"begins_with(a, :n, :nope)", p + "An expression attribute value used in expression is not defined; attribute value: :nope"},
		// Limits.
		{"a IN (" + strings.TrimSuffix(strings.Repeat(":n,", 101), ",") + ")", p + "The IN operator is provided with too many operands; number of operands: 101"},
		{strings.TrimSuffix(strings.Repeat("a = :n OR ", 151), " OR "), p + "The expression contains too many operators; operator count: 301"},
		{"a" + strings.Repeat(".a", 32) + " = :n", p + "The document path has too many nesting levels; nesting levels: 33"},
	}
	for _, c := range cases {
		_, err := ParseCondition(c.expr, testNames, testValues)
		if got := errMessage(err); got != c.want {
			t.Errorf("ParseCondition(%.60q)\n got: %s\nwant: %s", c.expr, got, c.want)
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Errorf("ParseCondition(%.60q) returned %T", c.expr, err)
			}
		}
	}
}

func TestFilterPrefix(t *testing.T) {
	t.Parallel()
	_, err := ParseFilter("", nil, nil)
	if got := errMessage(err); got != "Invalid FilterExpression: The expression can not be empty;" {
		t.Errorf("ParseFilter: %s", got)
	}
}

func TestConditionAccepts(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"a = :s",
		"a<>:s AND b<:n AND c<=:n AND d>:n AND e>=:n",
		"NOT a = :s",
		"NOT NOT a = :s",
		"not (a = :s or b = :n) and c in (:s)",
		"(a = :s)",
		"(a) = (:s)",
		"(a.b).c = :s",
		"(a)between(b.c[4].#a)and(:s)",
		"a BETWEEN :n AND :n2",
		"a between :s and :s",
		"attribute_exists(#a.#b[0].c) AND attribute_not_exists(d)",
		"attribute_type(a, :tS)",
		"begins_with(a, :s) OR begins_with(:b, a)",
		"contains(a, :s) AND contains(a, b)",
		"size(a) > :n AND :n < size(b.c)",
		"#st = :s",
		"#dot = :s",
		"a IN (:s, :n, b, size(c))",
		"a = :s and ((b = :s) or (c = :s))",
		"((a=a1) OR (a=a2))",
		":s > :s",
		"a1_b2.c3[10][2] = :s",
		"a\t=\n:s",
	} {
		if _, err := ParseCondition(s, testNames, testValues); err != nil {
			t.Errorf("ParseCondition(%q): %v", s, err)
		}
	}
}

func TestConditionEval(t *testing.T) {
	t.Parallel()
	item := attr.Item{
		"s":   attr.S("hello"),
		"u":   attr.S("é𝄞"),
		"n":   attr.MustN("10"),
		"b":   attr.B([]byte{1, 2, 3}),
		"t":   attr.Bool(true),
		"nul": attr.Null(),
		"ss":  attr.SS("a", "b"),
		"ns":  attr.NS(attr.MustParseNumber("1"), attr.MustParseNumber("2")),
		"bs":  attr.BS([]byte{9}),
		"l":   attr.L(attr.S("x"), attr.MustN("2"), attr.M(map[string]attr.Value{"k": attr.S("v")})),
		"m":   attr.M(map[string]attr.Value{"k": attr.S("v"), "n": attr.M(map[string]attr.Value{"deep": attr.MustN("3")})}),
		"oth": attr.S("hello"),
	}
	values := map[string]attr.Value{
		":hello": attr.S("hello"), ":he": attr.S("he"), ":ll": attr.S("ll"), ":x": attr.S("x"), ":a": attr.S("a"),
		":n10": attr.MustN("10.0"), ":n5": attr.MustN("5"), ":n20": attr.MustN("20"), ":n1": attr.MustN("1"), ":n2": attr.MustN("2"), ":n3": attr.MustN("3"), ":n5b": attr.MustN("5"),
		":b12": attr.B([]byte{1, 2}), ":b23": attr.B([]byte{2, 3}), ":b9": attr.B([]byte{9}),
		":true": attr.Bool(true), ":null": attr.Null(),
		":ss": attr.SS("b", "a"), ":ns": attr.NS(attr.MustParseNumber("2.0"), attr.MustParseNumber("1")),
		":l":  attr.L(attr.S("x"), attr.MustN("2"), attr.M(map[string]attr.Value{"k": attr.S("v")})),
		":m":  attr.M(map[string]attr.Value{"k": attr.S("v")}),
		":tS": attr.S("S"), ":tN": attr.S("N"), ":tL": attr.S("L"), ":tM": attr.S("M"), ":tNULL": attr.S("NULL"), ":tBOOL": attr.S("BOOL"), ":tSS": attr.S("SS"), ":tB": attr.S("B"),
		":k": attr.M(map[string]attr.Value{"k": attr.S("v")}),
	}
	cases := []struct {
		expr string
		want bool
	}{
		{"s = :hello", true},
		{"s = oth", true},
		{"s <> :hello", false},
		{"s <> :n5", true},
		{"gone <> :hello", true},
		{"gone = :hello", false},
		{"gone = gone2", false},
		{"n = :n10", true},
		{"n < :n20 AND n > :n5", true},
		{"n <= :n10 AND n >= :n10", true},
		{"n < :hello", false},
		{"n > :hello", false},
		{"s < :x", true},
		{"b < :b23", true},
		{"b > :b12", true},
		{"t = :true", true},
		{"nul = :null", true},
		{"ss = :ss", true},
		{"ns = :ns", true},
		{"l = :l", true},
		{"l[2] = :k", true},
		{"m = :k", false},
		{"m.k = :hello", false},
		{"m.n.deep = :n3", true},
		{"l[1] = :n2", true},
		{"l[5] = :n2", false},
		{"s[0] = :hello", false},
		{"l.k = :hello", false},
		{"n BETWEEN :n5 AND :n20", true},
		{"n BETWEEN :n10 AND :n10", true},
		{"n BETWEEN :n1 AND :n5", false},
		{"s BETWEEN :n1 AND :n5", false},
		{"gone BETWEEN :n1 AND :n5", false},
		{"n IN (:n1, :n10)", true},
		{"n IN (:n1, :n2)", false},
		{"gone IN (:n1)", false},
		{"s IN (oth)", true},
		{"attribute_exists(s)", true},
		{"attribute_exists(m.n.deep)", true},
		{"attribute_exists(m.n.nope)", false},
		{"attribute_exists(l[2].k)", true},
		{"attribute_not_exists(nope)", true},
		{"attribute_not_exists(s)", false},
		{"attribute_type(s, :tS)", true},
		{"attribute_type(n, :tN)", true},
		{"attribute_type(n, :tS)", false},
		{"attribute_type(l, :tL) AND attribute_type(m, :tM) AND attribute_type(nul, :tNULL) AND attribute_type(t, :tBOOL) AND attribute_type(ss, :tSS) AND attribute_type(b, :tB)", true},
		{"attribute_type(nope, :tS)", false},
		{"begins_with(s, :he)", true},
		{"begins_with(s, :ll)", false},
		{"begins_with(b, :b12)", true},
		{"begins_with(n, :he)", false},
		{"begins_with(s, :b12)", false},
		{"contains(s, :ll)", true},
		{"contains(s, :x)", false},
		{"contains(ss, :a)", true},
		{"contains(ss, :x)", false},
		{"contains(ns, :n2)", true},
		{"contains(ns, :n5)", false},
		{"contains(bs, :b9)", true},
		{"contains(b, :b23)", true},
		{"contains(l, :x)", true},
		{"contains(l, :n2)", true},
		{"contains(l, :k)", true},
		{"contains(l, :a)", false},
		{"contains(m, :k)", false},
		{"contains(nope, :x)", false},
		{"size(s) = :n5b", true},
		{"size(u) = :n3", true},
		{"size(b) = :n3", true},
		{"size(ss) = :n2", true},
		{"size(l) = :n3", true},
		{"size(m) = :n2", true},
		{"size(n) = :n2", false},
		{"size(n) <> :n2", true},
		{"size(nope) = :n1", false},
		{"size(l[2]) = :n1", true},
		{"NOT s = :hello", false},
		{"NOT gone = :hello", true},
		{"s = :x OR n = :n10", true},
		{"s = :x AND n = :n10", false},
		{"s = :x AND n = :n10 OR t = :true", true},
		{"s = :x AND (n = :n10 OR t = :true)", false},
		{"NOT s = :x AND n = :n10", true},
		{"NOT (s = :hello AND n = :n10)", false},
	}
	for _, c := range cases {
		cond, err := ParseCondition(c.expr, nil, values)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", c.expr, err)
			continue
		}
		got, err := cond.Eval(item)
		if err != nil || got != c.want {
			t.Errorf("Eval(%q) = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
	// On a gone item everything is absent.
	for expr, want := range map[string]bool{"attribute_not_exists(s)": true, "attribute_exists(s)": false, "s = :hello": false, "s <> :hello": true, "NOT s = :hello": true} {
		cond, err := ParseCondition(expr, nil, values)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := cond.Eval(nil); got != want {
			t.Errorf("Eval(%q, nil) = %v, want %v", expr, got, want)
		}
	}
}

func TestConditionRefsAndPaths(t *testing.T) {
	t.Parallel()
	c := mustCondition(t, "#a.b = :s AND #a.c[1] IN (:n, :s) AND attribute_exists(#b)")
	r := c.Refs()
	if strings.Join(r.Names, ",") != "#a,#b" || strings.Join(r.Values, ",") != ":s,:n" {
		t.Errorf("Refs = %+v", r)
	}
	var paths []string
	for _, p := range c.Paths() {
		paths = append(paths, p.String())
	}
	if got := strings.Join(paths, " "); got != "[a, b] [a, c, [1]] [b]" {
		t.Errorf("Paths = %s", got)
	}
}
