package expr

import (
	"errors"
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// fuzzItem is the item fuzzed expressions evaluate against.
var fuzzItem = attr.Item{
	"a":  attr.S("hello"),
	"b":  attr.MustN("3"),
	"c":  attr.L(attr.S("x"), attr.MustN("1"), attr.M(map[string]attr.Value{"d": attr.SS("p")})),
	"m":  attr.M(map[string]attr.Value{"a": attr.NS(attr.MustParseNumber("1")), "l": attr.L()}),
	"ss": attr.SS("a", "b"),
	"bs": attr.BS([]byte("a")),
	"x":  attr.B([]byte{0, 1}),
	"t":  attr.Bool(true),
	"z":  attr.Null(),
}

var fuzzNames = map[string]string{"#a": "a", "#b": "b", "#c": "c", "#m": "m", "#st": "status", "#d": "[3]"}

var fuzzValues = map[string]attr.Value{
	":s": attr.S("he"), ":n": attr.MustN("1"), ":n2": attr.MustN("9"), ":b": attr.B([]byte{0}),
	":l": attr.L(attr.S("y")), ":m": attr.M(nil), ":ss": attr.SS("a"), ":ns": attr.NS(attr.MustParseNumber("1")),
	":bs": attr.BS([]byte("a")), ":t": attr.Bool(false), ":z": attr.Null(), ":tS": attr.S("S"),
	":big": attr.MustN("9.9999999999999999999999999999999999999e125"),
}

var conditionSeeds = []string{
	"a = :s", "#a <> :s", "b < :n AND b >= :n2", "NOT (a = :s OR b = :n)", "a BETWEEN :s AND :s", "b IN (:n, :n2, a)",
	"attribute_exists(c[2].d)", "attribute_not_exists(#m.l)", "attribute_type(a, :tS)", "begins_with(a, :s)",
	"contains(ss, :s)", "contains(c, :l)", "size(c) > :n", "size(a) = size(#a.b)", "(a.b).c = :s", "((a = :s))",
	"a = a", "status = :s", "#st = :s", "whatever(a) = :s", "a > 4", "a = :undefined", "#undefined = :s", "",
	"((a) = (b)) AND (c)", "a in (:n,", "NOT NOT NOT a = :s", "a=:s and b=:n or c=:l and not m=:m", "ü", "a[", "a[99999999999] = :n",
	"size(attribute_exists(a)) > :n", "attribute_exists(:s)", "begins_with(a, :n)", "a BETWEEN :n2 AND :n", "(((a)))",
}

func checkParseError(t *testing.T, s string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Message == "" {
		t.Fatalf("parse(%q) returned %T %v", s, err, err)
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range conditionSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s, fuzzNames, fuzzValues)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		for _, item := range []attr.Item{nil, fuzzItem} {
			if _, err := c.Eval(item); err != nil {
				t.Fatalf("Eval(%q): %v", s, err)
			}
		}
		for _, ref := range c.Refs().Values {
			if _, ok := fuzzValues[ref]; !ok {
				t.Fatalf("%q uses undefined %s", s, ref)
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{
		"SET a = :s", "SET #a = :s, b = b + :n", "SET b = :n - b", "SET a = if_not_exists(a, :s)", "SET c = list_append(c, :l)",
		"SET c[1] = :s, c[10] = :n", "SET m.l = list_append(:l, m.l)", "REMOVE a, c[0], m.a", "ADD b :n, ss :ss", "DELETE ss :ss, m.a :ns",
		"SET a = :s REMOVE x ADD b :n DELETE ss :ss", "set a = (b + :n)", "set a = ((:s))", "SET a = b + c + d", "SET", "SET a = :s SET b = :s",
		"SET a = :s, a = :s", "SET c[0] = :s REMOVE c.x", "ADD a :s", "SET b = :big + :big", "SET q.r = :s", "SET a = missing", "ADD b :big",
		"REMOVE c[1], c[0], c[2].d", "SET c[2].d = :ss ADD c[7] :n", "delete a = b", "set a = list_append(:s)", "update", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUpdate(s, fuzzNames, fuzzValues)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		for _, item := range []attr.Item{nil, fuzzItem} {
			out, paths, err := u.Apply(item)
			if err != nil {
				checkParseError(t, s, err)
				continue
			}
			if out == nil || len(paths) == 0 {
				t.Fatalf("Apply(%q) = %v, %v", s, out, paths)
			}
			_ = ProjectPaths(out, paths)
		}
	})
}

func FuzzParseProjection(f *testing.F) {
	for _, s := range []string{
		"a", "a, b", "#a.b[2].c", "c[0], c[2].d", "m.a, m.l[3]", "a, a", "a, a.b", "c[1], #c.x", "status", "#st", "a-b", "l[a]", "", "a,", "a..b", "#", "a[1][2][3]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProjection(s, fuzzNames)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		_ = p.Project(fuzzItem)
		_ = p.Project(nil)
	})
}

func FuzzParseKeyCondition(f *testing.F) {
	for _, s := range []string{
		"a = :s", "a = :s AND b > :n", "a = :s AND b BETWEEN :n AND :n2", "a = :s AND begins_with(b, :s)", ":s = a", "a = :s AND :n < b",
		"a = :s OR b = :n", "NOT a = :s", "a IN (:s)", "a <> :s", "size(a) = :n", "a.b = :s", "a = b", ":s = :s", "a = :s AND a = :s",
		"a = :s AND b = :n AND c = :n", "begins_with(:s, a)", "attribute_exists(a)", "a < :t", "",
	} {
		f.Add(s)
	}
	schemas := []KeySchema{
		{Hash: []KeyAttr{{"a", attr.TypeS}}},
		{Hash: []KeyAttr{{"a", attr.TypeS}}, Range: []KeyAttr{{"b", attr.TypeN}}},
		{Hash: []KeyAttr{{"a", attr.TypeS}, {"c", attr.TypeN}}, Range: []KeyAttr{{"b", attr.TypeN}, {"d", attr.TypeS}}},
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeyCondition(s, fuzzNames, fuzzValues)
		if err != nil {
			checkParseError(t, s, err)
			return
		}
		for _, schema := range schemas {
			q, err := k.Resolve(schema)
			if err != nil {
				checkParseError(t, s, err)
				continue
			}
			if q.Range != nil {
				_ = q.Range.Match(attr.MustN("2"))
			}
		}
	})
}
