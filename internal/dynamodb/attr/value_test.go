package attr

import (
	"errors"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b Value
		cmp  int
		ok   bool
	}{
		{"numbers numerically", MustN("9"), MustN("10"), -1, true},
		{"numbers equal across forms", MustN("1.0"), MustN("1"), 0, true},
		{"strings by bytes", S("B"), S("a"), -1, true},
		{"strings by UTF-8 bytes", S("é"), S("z"), 1, true},
		{"strings prefix", S("ab"), S("abc"), -1, true},
		{"binary unsigned", B([]byte{0xff}), B([]byte{0x01, 0x00}), 1, true},
		{"different types", S("1"), MustN("1"), 0, false},
		{"bool not ordered", Bool(false), Bool(true), 0, false},
		{"lists not ordered", L(), L(), 0, false},
		{"missing", Value{}, S("a"), 0, false},
	}
	for _, c := range cases {
		cmp, ok := Compare(c.a, c.b)
		if cmp != c.cmp || ok != c.ok {
			t.Errorf("%s: Compare = %d, %v; want %d, %v", c.name, cmp, ok, c.cmp, c.ok)
		}
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	m1 := M(map[string]Value{"a": MustN("1"), "b": L(S("x"), SS("p", "q"))})
	m2 := M(map[string]Value{"b": L(S("x"), SS("q", "p")), "a": MustN("1.00")})
	cases := []struct {
		name string
		a, b Value
		want bool
	}{
		{"string", S("a"), S("a"), true},
		{"number forms", MustN("100"), MustN("1e2"), true},
		{"binary", B([]byte("ab")), B([]byte("ab")), true},
		{"string vs number", S("1"), MustN("1"), false},
		{"bool", Bool(true), Bool(true), true},
		{"bool differs", Bool(true), Bool(false), false},
		{"null", Null(), Null(), true},
		{"set order ignored", SS("a", "b", "c"), SS("c", "a", "b"), true},
		{"number set numerically", NS(MustParseNumber("1"), MustParseNumber("2.0")), NS(MustParseNumber("2"), MustParseNumber("1.000")), true},
		{"set differs", SS("a", "b"), SS("a", "c"), false},
		{"set sizes differ", SS("a"), SS("a", "b"), false},
		{"SS vs BS", SS("a"), BS([]byte("a")), false},
		{"list order matters", L(S("a"), S("b")), L(S("b"), S("a")), false},
		{"nested map", m1, m2, true},
		{"map differs", M(map[string]Value{"a": S("x")}), M(map[string]Value{"a": S("y")}), false},
		{"map keys differ", M(map[string]Value{"a": S("x")}), M(map[string]Value{"b": S("x")}), false},
		{"empty lists", L(), L(), true},
		{"missing equals nothing", Value{}, Value{}, false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("%s: Equal = %v, want %v", c.name, got, c.want)
		}
		if got := Equal(c.b, c.a); got != c.want {
			t.Errorf("%s (swapped): Equal = %v, want %v", c.name, got, c.want)
		}
	}
	// Large sets take the hashed path.
	var a, b []string
	for i := 0; i < 20; i++ {
		a = append(a, strings.Repeat("x", i))
		b = append([]string{strings.Repeat("x", i)}, b...)
	}
	if !Equal(SS(a...), SS(b...)) {
		t.Error("large sets in different orders are not equal")
	}
}

func TestSetOperations(t *testing.T) {
	t.Parallel()
	u := SetUnion(SS("a", "b"), SS("b", "c"))
	if got := strings.Join(u.Strings(), ","); got != "a,b,c" {
		t.Errorf("union = %s", got)
	}
	d := SetDifference(NS(MustParseNumber("1"), MustParseNumber("2"), MustParseNumber("3")), NS(MustParseNumber("2.0"), MustParseNumber("4")))
	if d.Len() != 2 || d.Numbers()[0].String() != "1" || d.Numbers()[1].String() != "3" {
		t.Errorf("difference = %v", d.Numbers())
	}
	if e := SetDifference(BS([]byte("x")), BS([]byte("x"))); e.Len() != 0 || e.Type() != TypeBS {
		t.Errorf("emptied set = %v", e)
	}
	if !SetContains(NS(MustParseNumber("10")), MustN("1e1")) || SetContains(SS("1"), MustN("1")) {
		t.Error("SetContains")
	}
}

func TestTypes(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"} {
		typ, ok := ParseType(name)
		if !ok || typ.String() != name {
			t.Errorf("ParseType(%q) = %v, %v", name, typ, ok)
		}
	}
	if _, ok := ParseType("X"); ok {
		t.Error("ParseType(X) ok")
	}
	if TypeS.SetType() != TypeSS || TypeNS.MemberType() != TypeN || TypeL.SetType() != TypeInvalid {
		t.Error("set/member types")
	}
	if got := Set(TypeSS, []Value{S("a"), MustN("1")}); got.IsValid() {
		t.Error("Set accepted a mixed set")
	}
	if !IsKeyType(TypeB) || IsKeyType(TypeBOOL) {
		t.Error("IsKeyType")
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	orig := Item{"m": M(map[string]Value{"l": L(B([]byte("ab")))})}
	c := orig.Clone()
	c["m"].M()["l"].L()[0].B()[0] = 'z'
	c["m"].M()["new"] = S("x")
	if string(orig["m"].M()["l"].L()[0].B()) != "ab" || len(orig["m"].M()) != 1 {
		t.Error("Clone shares storage with the original")
	}
	if !Equal(orig["m"], orig.Clone()["m"]) {
		t.Error("clone differs")
	}
}

func TestSizes(t *testing.T) {
	t.Parallel()
	// Number sizes measured against real DynamoDB with accept/reject pairs at
	// the 400 KB gate.
	numbers := []struct {
		lit  string
		size int
	}{
		{"0", 1}, {"1", 2}, {"12", 2}, {"123", 3}, {"1234", 3},
		{"12345678901234567890123456789012345678", 20},
		{"0042", 2}, {"100", 2}, {"1010", 3}, {"0.0000001", 2},
		{"1E125", 2}, {"1E-100", 2}, {"1.5", 3}, {"15", 2}, {"1.2", 3},
		{"1.200", 3}, {"1.234", 4}, {"3.14159", 5}, {"123456", 4},
		{"100.5", 4}, {"0.15", 2}, {"-42", 3}, {"-0", 1},
		{strings.Repeat("1", 38) + strings.Repeat("0", 88), 20},
		{"1" + strings.Repeat("0", 125), 2},
		{"11111" + strings.Repeat("0", 121), 4},
		{"1111111" + strings.Repeat("0", 119), 5},
	}
	for _, c := range numbers {
		if got := NumberSize(MustParseNumber(c.lit)); got != c.size {
			t.Errorf("NumberSize(%s) = %d, want %d", c.lit, got, c.size)
		}
	}
	values := []struct {
		name string
		v    Value
		size int
	}{
		{"string utf8", S("é€"), 5},
		{"empty string", S(""), 0},
		{"binary raw", B([]byte{1, 2, 3}), 3},
		{"bool", Bool(false), 1},
		{"null", Null(), 1},
		{"empty list", L(), 3},
		{"empty map", M(nil), 3},
		{"list", L(S("ab"), MustN("1")), 3 + (1 + 2) + (1 + 2)},
		{"map", M(map[string]Value{"k": S("ab"), "kk": Null()}), 3 + (1 + 1 + 2) + (1 + 2 + 1)},
		{"string set", SS("a", "bc"), 3},
		{"number set", NS(MustParseNumber("1"), MustParseNumber("1.5")), 5},
		{"binary set", BS([]byte{1}, []byte{1, 2}), 3},
	}
	for _, c := range values {
		if got := ValueSize(c.v); got != c.size {
			t.Errorf("%s: ValueSize = %d, want %d", c.name, got, c.size)
		}
	}
	// The documented example: "shirt-color" = "R" and "shirt-size" = "M" is 23 bytes.
	if got := ItemSize(Item{"shirt-color": S("R"), "shirt-size": S("M")}); got != 23 {
		t.Errorf("ItemSize = %d, want 23", got)
	}
	if Size("name", S("abc")) != 7 {
		t.Error("Size")
	}
}

func deepMap(depth int) Value {
	v := S("leaf")
	for i := 0; i < depth; i++ {
		v = M(map[string]Value{"n": v})
	}
	return v
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		v    Value
		want string
	}{
		{"empty SS", SS(), "One or more parameter values were invalid: An string set  may not be empty"},
		{"empty NS", NS(), "One or more parameter values were invalid: An number set  may not be empty"},
		{"empty BS", BS(), "One or more parameter values were invalid: Binary sets should not be empty"},
		{"duplicate SS", SS("b", "a", "b"), `One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.`},
		{"duplicate SS rest as sent", SS("c", "a", "c", "z", "b"), `One or more parameter values were invalid: Input collection ["a", "c", "c", "z", "b"] contains duplicates.`},
		{"duplicate BS", BS([]byte{0xff}, []byte{0}, []byte{0}), `One or more parameter values were invalid: Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`},
		{"duplicate NS numerically", NS(MustParseNumber("2"), MustParseNumber("1"), MustParseNumber("2.0")), "One or more parameter values were invalid: Input collection contains duplicates."},
		{"empty string member allowed", SS("", "a"), ""},
		{"nested set checked", L(M(map[string]Value{"s": SS()})), "One or more parameter values were invalid: An string set  may not be empty"},
		{"depth 32 ok", deepMap(31), ""},
		{"depth 33 refused", deepMap(32), ErrNestingDepth.Message},
		{"list depth", func() Value {
			v := S("x")
			for i := 0; i < 32; i++ {
				v = L(v)
			}
			return v
		}(), ErrNestingDepth.Message},
	}
	for _, c := range cases {
		err := Validate(c.v)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: Validate = %q, want %q", c.name, got, c.want)
		}
	}
	if err := ValidateItem(Item{"a": S("x"), "b": deepMap(32)}); !errors.Is(err, ErrNestingDepth) {
		t.Errorf("ValidateItem = %v", err)
	}
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		v       Value
		isRange bool
		want    string
	}{
		{"ok", S("a"), false, ""},
		{"number", MustN("1"), false, ""},
		{"empty string", S(""), false, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"empty binary", B(nil), true, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: pk"},
		{"hash at limit", S(strings.Repeat("a", 2048)), false, ""},
		{"hash too long", S(strings.Repeat("a", 2049)), false, ErrHashKeyTooLong.Message},
		{"range at limit", B(make([]byte, 1024)), true, ""},
		{"range too long", S(strings.Repeat("é", 513)), true, ErrRangeKeyTooLong.Message},
	}
	for _, c := range cases {
		err := CheckKey("pk", c.v, c.isRange)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: CheckKey = %q, want %q", c.name, got, c.want)
		}
	}
}
