package expr

import (
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func TestKeyConditionErrors(t *testing.T) {
	t.Parallel()
	const p = "Invalid KeyConditionExpression: "
	values := map[string]attr.Value{":a": attr.S("1"), ":b": attr.S("2"), ":n": attr.MustN("1"), ":bool": attr.Bool(true), ":f": attr.Bool(false), ":tS": attr.S("S")}
	cases := []struct{ expr, want string }{
		{"", p + "The expression can not be empty;"},
		{"things are not gonna be ok", p + `Syntax error; token: "are", near: "things are not"`},
		{"a > 4", p + `Syntax error; token: "4", near: "> 4"`},
		{"attribute_type(a, b)", p + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
		{"attribute_type(a, :n)", p + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type(a, :tS)", p + "Invalid operator used in KeyConditionExpression: attribute_type"},
		{"a > b and size(b) > c or a > c", p + "Invalid operator used in KeyConditionExpression: OR"},
		{"a in (b, size(c), d)", p + "Invalid operator used in KeyConditionExpression: IN"},
		{"attribute_exists(a)", p + "Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"attribute_not_exists(a)", p + "Invalid operator used in KeyConditionExpression: attribute_not_exists"},
		{"contains(a.d, b)", p + "Invalid operator used in KeyConditionExpression: contains"},
		{"not a > b", p + "Invalid operator used in KeyConditionExpression: NOT"},
		{"a <> b", p + "Invalid operator used in KeyConditionExpression: <>"},
		{":a between size(b) and size(a) and b > :b", p + "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
		{"begins_with(:a, b) and a > :b", p + "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"},
		{"size(b) > a AND a.b > b AND b > c", p + "KeyConditionExpressions cannot contain nested operations"},
		{"a > size(b.d)", p + "KeyConditionExpressions cannot contain nested operations"},
		{"a between size(b) and size(a)", p + "KeyConditionExpressions cannot contain nested operations"},
		{"b > a.b", p + "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"b between c[1] and d", p + "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"begins_with(a, b)", p + "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"b.d > a AND c.d > e.f", p + "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"b[0] > a", p + "KeyConditionExpressions cannot have conditions on nested attributes"},
		{":b > :a AND a < :b", p + "Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"b > :a AND b < :a and c = :a and d = :a", p + "KeyConditionExpressions must only contain one condition per key"},
		{"(a > :a and b > :a) and (b > :a and c > :a)", p + "KeyConditionExpressions must only contain one condition per key"},
		{"a between :b and :n", p + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:2}, upper bound operand: AttributeValue: {N:1}"},
		{"a between :b and :a", p + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:2}, upper bound operand: AttributeValue: {S:1}"},
		{"pk = :a AND begins_with(sk, :n)", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"pk = :a AND begins_with(sk, :bool)", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL"},
		{"pk = :a AND sk < :bool", p + "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
		{"pk = :a AND :bool >= sk", p + "Incorrect operand type for operator or function; operator or function: >=, operand type: BOOL"},
		{"pk = :a AND sk BETWEEN :f AND :bool", p + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"},
		{"pk = :missing AND begins_with(sk, :n)", p + "An expression attribute value used in expression is not defined; attribute value: :missing"},
		{"begins_with(sk, :n) AND pk = :missing", p + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"pk = :a AND sk > :a AND sk < :b", p + "KeyConditionExpressions must only contain one condition per key"},
	}
	for _, c := range cases {
		_, err := ParseKeyCondition(c.expr, nil, values)
		if got := errMessage(err); got != c.want {
			t.Errorf("ParseKeyCondition(%q)\n got: %s\nwant: %s", c.expr, got, c.want)
		}
	}
}

func TestKeyConditionResolve(t *testing.T) {
	t.Parallel()
	values := map[string]attr.Value{":p": attr.S("q"), ":s": attr.S("a"), ":s2": attr.S("c"), ":n": attr.MustN("1"), ":n2": attr.MustN("5"), ":bool": attr.Bool(true)}
	composite := KeySchema{Hash: []KeyAttr{{"pk", attr.TypeS}}, Range: []KeyAttr{{"sk", attr.TypeN}}}
	hashOnly := KeySchema{Hash: []KeyAttr{{"pk", attr.TypeS}}}
	cases := []struct {
		expr   string
		schema KeySchema
		err    string
		op     KeyOp // range operator, 0 when none
	}{
		{"pk = :p", hashOnly, "", 0},
		{"#pk = :p", hashOnly, "", 0},
		{"pk = :p", composite, "", 0},
		{":p = pk", composite, "", 0},
		{"pk = :p AND sk = :n", composite, "", KeyEQ},
		{"sk < :n AND pk = :p", composite, "", KeyLT},
		{"pk = :p AND sk <= :n", composite, "", KeyLE},
		{"pk = :p AND sk > :n", composite, "", KeyGT},
		{"pk = :p AND sk >= :n", composite, "", KeyGE},
		{"pk = :p AND :n <= sk", composite, "", KeyGE},
		{"pk = :p AND :n > sk", composite, "", KeyLT},
		{"pk = :p AND sk BETWEEN :n AND :n2", composite, "", KeyBetween},
		{"(pk = :p) AND (sk BETWEEN :n AND :n2)", composite, "", KeyBetween},
		{"pk = :p AND begins_with(sk, :s)", KeySchema{Hash: []KeyAttr{{"pk", attr.TypeS}}, Range: []KeyAttr{{"sk", attr.TypeS}}}, "", KeyBeginsWith},
		{"pk = :p AND sk > :n AND extra = :n2", composite, "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)", 0},
		{"pk = :p AND sk = :n", hashOnly, "The number of query conditions (2) exceeds the number of key attributes defined in the schema (1)", 0},
		{"sk = :n", composite, "Query condition missed key schema element: pk", 0},
		{"z BETWEEN :n AND :n2", composite, "Query condition missed key schema element: pk", 0},
		{"pk = :p AND c = :n", composite, "Query condition missed key schema element: sk", 0},
		{"pk > :p", hashOnly, "Query key condition not supported", 0},
		{"begins_with(pk, :p)", hashOnly, "Query key condition not supported", 0},
		{"pk BETWEEN :p AND :p", hashOnly, "Query key condition not supported", 0},
		{"pk = :n", hashOnly, "One or more parameter values were invalid: Condition parameter type does not match schema type", 0},
		{"pk = :p AND begins_with(sk, :s)", composite, "One or more parameter values were invalid: Condition parameter type does not match schema type", 0},
		{"pk = :p AND sk = :bool", composite, "One or more parameter values were invalid: Condition parameter type does not match schema type", 0},
	}
	names := map[string]string{"#pk": "pk"}
	for _, c := range cases {
		q := resolveKeyCondition(t, c.expr, names, values, c.schema, c.err)
		if q == nil {
			continue
		}
		if len(q.Hash) != 1 || !attr.Equal(q.Hash[0], attr.S("q")) {
			t.Errorf("Resolve(%q) hash = %v", c.expr, q.Hash)
		}
		switch {
		case c.op == 0 && q.Range != nil:
			t.Errorf("Resolve(%q) range = %+v, want none", c.expr, q.Range)
		case c.op != 0 && (q.Range == nil || q.Range.Op != c.op || q.Range.Name != "sk"):
			t.Errorf("Resolve(%q) range = %+v, want op %v", c.expr, q.Range, c.op)
		}
	}
}

// A multi-attribute key: every partition key attribute by equality, then
// the sort key attributes from the first, only the last by another
// operator.
func TestKeyConditionResolveMultiAttribute(t *testing.T) {
	t.Parallel()
	values := map[string]attr.Value{":a": attr.S("a"), ":b": attr.S("b"), ":n": attr.MustN("1"), ":n2": attr.MustN("5"), ":s": attr.S("s")}
	schema := KeySchema{
		Hash:  []KeyAttr{{"h1", attr.TypeS}, {"h2", attr.TypeS}},
		Range: []KeyAttr{{"r1", attr.TypeN}, {"r2", attr.TypeS}, {"r3", attr.TypeS}},
	}
	cases := []struct {
		expr    string
		err     string
		rangeEQ int   // leading sort key equalities
		op      KeyOp // the last sort key condition, 0 when none
	}{
		{"h1 = :a AND h2 = :b", "", 0, 0},
		{"h2 = :b AND h1 = :a AND r1 = :n", "", 0, KeyEQ},
		{"h1 = :a AND h2 = :b AND r1 BETWEEN :n AND :n2", "", 0, KeyBetween},
		{"h1 = :a AND h2 = :b AND r1 = :n AND r2 = :s AND begins_with(r3, :s)", "", 2, KeyBeginsWith},
		{"h1 = :a AND h2 = :b AND r2 > :s AND r1 = :n", "", 1, KeyGT},
		{"h1 = :a", "Query condition missed key schema element: h2", 0, 0},
		{"h1 = :a AND h2 > :b", "Query key condition not supported", 0, 0},
		{"h1 = :a AND h2 = :b AND r2 = :s", "Query condition missed key schema element: r1", 0, 0},
		{"h1 = :a AND h2 = :b AND r1 = :n AND r3 = :s", "Query condition missed key schema element: r2", 0, 0},
		{"h1 = :a AND h2 = :b AND r1 > :n AND r2 = :s", "Query key condition not supported: only the last sort key condition may be other than an equality; found GT on r1", 0, 0},
		{"h1 = :a AND h2 = :b AND begins_with(r1, :s)", "Invalid KeyConditionExpression: begins_with is not supported on key attribute r1 of type N", 0, 0},
		{"h1 = :a AND h2 = :b AND r1 = :s", "One or more parameter values were invalid: Condition parameter type does not match schema type", 0, 0},
	}
	for _, c := range cases {
		q := resolveKeyCondition(t, c.expr, nil, values, schema, c.err)
		if q == nil {
			continue
		}
		if len(q.Hash) != 2 || !attr.Equal(q.Hash[0], attr.S("a")) || !attr.Equal(q.Hash[1], attr.S("b")) {
			t.Errorf("Resolve(%q) hash = %v, want [a b] in schema order", c.expr, q.Hash)
		}
		if len(q.RangeEQ) != c.rangeEQ || (c.op == 0) != (q.Range == nil) || (q.Range != nil && q.Range.Op != c.op) {
			t.Errorf("Resolve(%q) = %d equalities, last %+v; want %d, %v", c.expr, len(q.RangeEQ), q.Range, c.rangeEQ, c.op)
		}
	}
}

// resolveKeyCondition parses and resolves a key condition, checking that
// it fails with wantErr if that is set. It returns the query, or nil when
// there is none to check further.
func resolveKeyCondition(t *testing.T, expr string, names map[string]string, values map[string]attr.Value, schema KeySchema, wantErr string) *KeyQuery {
	t.Helper()
	k, err := ParseKeyCondition(expr, names, values)
	if err != nil {
		t.Errorf("ParseKeyCondition(%q): %v", expr, err)
		return nil
	}
	q, err := k.Resolve(schema)
	switch {
	case wantErr != "":
		if errMessage(err) != wantErr {
			t.Errorf("Resolve(%q) error = %v, want %s", expr, err, wantErr)
		}
		return nil
	case err != nil:
		t.Errorf("Resolve(%q): %v", expr, err)
		return nil
	}
	return q
}

func TestKeyTermMatch(t *testing.T) {
	t.Parallel()
	n := func(s string) attr.Value { return attr.MustN(s) }
	cases := []struct {
		term KeyTerm
		v    attr.Value
		want bool
	}{
		{KeyTerm{Op: KeyEQ, Values: []attr.Value{n("1")}}, n("1.0"), true},
		{KeyTerm{Op: KeyLT, Values: []attr.Value{n("5")}}, n("4"), true},
		{KeyTerm{Op: KeyLT, Values: []attr.Value{n("5")}}, n("5"), false},
		{KeyTerm{Op: KeyLE, Values: []attr.Value{n("5")}}, n("5"), true},
		{KeyTerm{Op: KeyGT, Values: []attr.Value{attr.S("b")}}, attr.S("ba"), true},
		{KeyTerm{Op: KeyGE, Values: []attr.Value{attr.S("b")}}, attr.S("a"), false},
		{KeyTerm{Op: KeyBetween, Values: []attr.Value{n("1"), n("3")}}, n("3"), true},
		{KeyTerm{Op: KeyBetween, Values: []attr.Value{n("1"), n("3")}}, n("3.5"), false},
		{KeyTerm{Op: KeyBeginsWith, Values: []attr.Value{attr.S("ab")}}, attr.S("abc"), true},
		{KeyTerm{Op: KeyBeginsWith, Values: []attr.Value{attr.B([]byte{1})}}, attr.B([]byte{1, 2}), true},
		{KeyTerm{Op: KeyBeginsWith, Values: []attr.Value{attr.S("ab")}}, attr.S("b"), false},
		{KeyTerm{Op: KeyLT, Values: []attr.Value{n("5")}}, attr.S("4"), false},
	}
	for _, c := range cases {
		if got := c.term.Match(c.v); got != c.want {
			t.Errorf("%v %v Match(%v) = %v", c.term.Op, c.term.Values, c.v, got)
		}
	}
	if KeyBeginsWith.String() != "BEGINS_WITH" || KeyEQ.String() != "EQ" {
		t.Error("KeyOp names")
	}
}
