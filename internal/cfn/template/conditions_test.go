package template

import (
	"encoding/json"
	"reflect"
	"testing"
)

const conditionsTemplate = `
Parameters:
  Env: {Type: String, Default: dev}
  Size: {Type: Number, Default: 3}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  NotProd: !Not [!Condition IsProd]
  SizeIsThree: !Equals [!Ref Size, 3]
  Both: !And [!Condition IsDev, !Condition SizeIsThree]
  Either: !Or [!Condition IsProd, !Equals [!Ref "AWS::Region", eu-west-1]]
  Later: !And [!Condition Either, !Condition NotProd]
  TwoZones: !Equals [!Ref Zones, [a, b]]
  YesIsTrue: !Equals [yes, "true"]
Resources:
  R: {Type: T}
`

func TestEvalConditions(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, conditionsTemplate)
	cases := []struct {
		env  string
		want map[string]bool
	}{
		{"dev", map[string]bool{
			"IsProd": false, "IsDev": true, "NotProd": true, "SizeIsThree": true, "Both": true,
			"Either": true, "Later": true, "TwoZones": true, "YesIsTrue": true,
		}},
		{"prod", map[string]bool{
			"IsProd": true, "IsDev": false, "NotProd": false, "SizeIsThree": true, "Both": false,
			"Either": true, "Later": false, "TwoZones": true, "YesIsTrue": true,
		}},
	}
	for _, c := range cases {
		vals, err := tmpl.ResolveParameters(map[string]string{"Env": c.env}, testPseudo)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tmpl.EvalConditions(vals)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Env=%s: got %v\nwant %v", c.env, got, c.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, conditions, want string }{
		{"cycle", "  A: !Condition B\n  B: !Not [!Condition A]\n", "Template format error: Circular dependency between conditions: [A, B]"},
		{"self", "  A: !And [!Condition A, !Condition A]\n", "Template format error: Circular dependency between conditions: [A]"},
		{"unknown", "  A: !Not [!Condition Nope]\n", "Template format error: Unresolved condition dependencies [Nope] in the Conditions block of the template"},
		{"equals arity", "  A: !Equals [a]\n", "Template error: Fn::Equals requires a list argument with two elements"},
		{"and arity", "  A: !And [!Equals [a, a]]\n", "Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean parameters."},
		{"or too many", "  A: !Or [" + repeat("!Equals [a, a], ", 10) + "!Equals [a, a]]\n", "Template error: every Fn::Or object requires a list of at least 2 and at most 10 boolean parameters."},
		{"not arity", "  A: !Not [!Equals [a, a], !Equals [a, a]]\n", "Template error: Fn::Not requires a list argument with one element"},
		{"not a condition", "  A: yes\n", "Template error: Conditions can only be boolean operations on parameters and other conditions"},
		{"bad operand", "  A: !Not [!Ref Env]\n", "Template error: Conditions can only be boolean operations on parameters and other conditions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tmpl := mustParse(t, "Parameters:\n  Env: {Type: String, Default: x}\nConditions:\n"+c.conditions+"Resources:\n  R: {Type: T}\n")
			vals, err := tmpl.ResolveParameters(nil, testPseudo)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.EvalConditions(vals)
			wantError(t, err, c.want)
		})
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestEqualValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b any
		want bool
	}{
		{"3", json.Number("3"), true},
		{true, "true", true},
		{nil, nil, true},
		{nil, "", false},
		{[]any{"a", json.Number("1")}, []any{"a", "1"}, true},
		{[]any{"a"}, []any{"a", "b"}, false},
		{[]any{"a"}, "a", false},
		{map[string]any{"k": "1"}, map[string]any{"k": json.Number("1")}, true},
		{map[string]any{"k": "1"}, map[string]any{"j": "1"}, false},
		{map[string]any{"k": "1"}, []any{"1"}, false},
	}
	for _, c := range cases {
		if got := equalValues(c.a, c.b); got != c.want {
			t.Errorf("equalValues(%#v, %#v) = %v", c.a, c.b, got)
		}
	}
}
