package expr

import (
	"testing"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	names := map[string]string{"#a": "a", "#b": "b", "#unused": "x"}
	values := map[string]attr.Value{":v": attr.S("v"), ":w": attr.S("w"), ":c": attr.S("c")}
	var u Usage
	cond := mustParse(t, func() (interface{ Refs() Refs }, error) { return ParseCondition("#a = :v", names, values) })
	upd := mustParse(t, func() (interface{ Refs() Refs }, error) { return ParseUpdate("SET #b = :w", names, values) })
	u.Add(cond.Refs())
	u.Add(upd.Refs())
	if got := errMessage(u.Check(names, values)); got != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}" {
		t.Errorf("Check = %s", got)
	}
	delete(names, "#unused")
	if got := errMessage(u.Check(names, values)); got != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}" {
		t.Errorf("Check = %s", got)
	}
	values[":d"] = attr.S("d")
	if got := errMessage(u.Check(names, values)); got != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c, :d}" {
		t.Errorf("Check = %s", got)
	}
	delete(values, ":c")
	delete(values, ":d")
	if err := u.Check(names, values); err != nil {
		t.Errorf("Check = %v", err)
	}
	var empty Usage
	if err := empty.Check(nil, nil); err != nil {
		t.Errorf("empty Check = %v", err)
	}
	proj, err := ParseProjection("#a", names)
	if err != nil {
		t.Fatal(err)
	}
	var pu Usage
	pu.Add(proj.Refs())
	if got := errMessage(pu.Check(names, nil)); got != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}" {
		t.Errorf("projection Check = %s", got)
	}
}

func mustParse(t *testing.T, f func() (interface{ Refs() Refs }, error)) interface{ Refs() Refs } {
	t.Helper()
	x, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestCheckPlaceholders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		names  map[string]string
		values map[string]attr.Value
		want   string
	}{
		{nil, nil, ""},
		{map[string]string{"#a": "a", "#_1": "b"}, map[string]attr.Value{":v": attr.S("x")}, ""},
		{map[string]string{}, nil, "ExpressionAttributeNames must not be empty"},
		{nil, map[string]attr.Value{}, "ExpressionAttributeValues must not be empty"},
		{map[string]string{"a": "a"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{map[string]string{"#a-b": "a"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"`},
		{nil, map[string]attr.Value{"b": attr.S("b")}, `ExpressionAttributeValues contains invalid key: Syntax error; key: "b"`},
		{nil, map[string]attr.Value{":": attr.S("b")}, `ExpressionAttributeValues contains invalid key: Syntax error; key: ":"`},
		{map[string]string{"#a": "a", "#b": ""}, nil, "ExpressionAttributeNames contains invalid value: Empty attribute name for key #b"},
	}
	for _, c := range cases {
		if got := errMessage(CheckPlaceholders(c.names, c.values)); got != c.want {
			t.Errorf("CheckPlaceholders(%v, %v) = %s, want %s", c.names, c.values, got, c.want)
		}
	}
}

func TestReservedWords(t *testing.T) {
	t.Parallel()
	if len(reserved) != 573 {
		t.Errorf("%d reserved words, want 573", len(reserved))
	}
	for _, w := range []string{"status", "STATUS", "Name", "data", "size", "ttl", "zone", "abort"} {
		if !IsReserved(w) {
			t.Errorf("%s not reserved", w)
		}
	}
	for _, w := range []string{"id", "pk", "sk", "username", "price", "a"} {
		if IsReserved(w) {
			t.Errorf("%s reserved", w)
		}
	}
}
