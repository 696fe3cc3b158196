package expr

import (
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// testValues are the ExpressionAttributeValues most tests share.
var testValues = map[string]attr.Value{
	":s":    attr.S("str"),
	":s2":   attr.S("zzz"),
	":n":    attr.MustN("1"),
	":n2":   attr.MustN("5"),
	":b":    attr.B([]byte("ab")),
	":bool": attr.Bool(true),
	":null": attr.Null(),
	":l":    attr.L(attr.S("x")),
	":m":    attr.M(map[string]attr.Value{"k": attr.S("v")}),
	":ss":   attr.SS("a", "b"),
	":ns":   attr.NS(attr.MustParseNumber("1"), attr.MustParseNumber("2")),
	":bs":   attr.BS([]byte("a")),
	":tS":   attr.S("S"),
	":tL":   attr.S("L"),
	":tX":   attr.S("X"),
}

// testNames are the ExpressionAttributeNames most tests share.
var testNames = map[string]string{"#a": "a", "#b": "b", "#c": "c", "#st": "status", "#d": "[3]", "#dot": "x.y"}

func errMessage(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mustCondition(t *testing.T, s string) *Condition {
	t.Helper()
	c, err := ParseCondition(s, testNames, testValues)
	if err != nil {
		t.Fatalf("ParseCondition(%q): %v", s, err)
	}
	return c
}

func mustUpdate(t *testing.T, s string) *Update {
	t.Helper()
	u, err := ParseUpdate(s, testNames, testValues)
	if err != nil {
		t.Fatalf("ParseUpdate(%q): %v", s, err)
	}
	return u
}
