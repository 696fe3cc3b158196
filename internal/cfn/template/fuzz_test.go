package template

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// checkErr fails unless err is an *Error with a message, or, when
// resolverOK, an error from the test stack.
func checkErr(t *testing.T, err error, what string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %T %v is not an *Error", what, err, err)
	}
	if e.Message == "" || e.Error() == "" {
		t.Fatalf("%s: error without a message: %#v", what, e)
	}
}

// FuzzParse feeds arbitrary bodies through the whole pipeline: parsing,
// validation, parameters, conditions, the graph and evaluation must never
// panic, and every error must carry a message.
func FuzzParse(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		evalTemplate,
		conditionsTemplate,
		rulesTemplate,
		"Rules:\n  R: {Assertions: [{Assert: {\"Fn::EachMemberIn\": [{\"Fn::RefAll\": String}, [a]]}}]}\nResources:\n  R: {Type: T}\n",
		"Resources:\n  R: {Type: T, Properties: {X: !Ref R}}\n",
		"Resources:\n  A: {Type: T, DependsOn: B}\n  B: {Type: T, DependsOn: A}\n",
		`{"Resources": {"R": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${AWS::Region}"}}}}}`,
		`{"Resources": {"R": {"Type": "T"}}, "Resources": {}}`,
		"a: &a [*a]\n",
		"a: &x [1, 2]\nb: [*x, *x, *x]\n",
		"Resources:\n  R:\n    Type: T\n   Bad: [\n",
		"Parameters:\n  P: {Type: List<Number>, Default: '1,x'}\nResources:\n  R: {Type: T}\n",
		"!Ref x\n",
		"{",
		"",
		"\xef\xbb\xbf{}",
		"Resources:\n  R: {Type: T, Properties: {X: !Cidr [10.0.0.0/8, 256, 24]}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzParseBody)
}

func fuzzParseBody(t *testing.T, body []byte) {
	{
		tmpl, err := Parse(body)
		if err != nil {
			checkErr(t, err, "Parse")
			return
		}
		if err := tmpl.Validate(); err != nil {
			checkErr(t, err, "Validate")
		}
		overrides := map[string]string{}
		for _, name := range tmpl.ParameterNames {
			if tmpl.Parameters[name].Default == nil {
				overrides[name] = "1"
			}
		}
		vals, err := tmpl.ResolveParameters(overrides, testPseudo)
		if err != nil {
			checkErr(t, err, "ResolveParameters")
			return
		}
		conds, err := tmpl.EvalConditions(vals)
		if err != nil {
			checkErr(t, err, "EvalConditions")
			return
		}
		if err := tmpl.CheckRules(vals, conds); err != nil {
			checkErr(t, err, "CheckRules")
		}
		g, err := tmpl.Graph(conds)
		if err != nil {
			checkErr(t, err, "Graph")
			return
		}
		created := &stack{ids: map[string]string{}, attrs: map[string]any{}}
		for _, wave := range g.Waves() {
			for _, name := range wave {
				_, err := Eval(tmpl.Resources[name].Properties, &EvalContext{
					Template: tmpl, Values: vals, Conditions: conds, Resolver: created,
					Path: "/Resources/" + name + "/Properties",
				})
				if err != nil && err.Error() == "" {
					t.Fatal("evaluation error without a message")
				}
				created.ids[name] = "id-" + name
			}
		}
	}
}

// FuzzEval evaluates arbitrary expressions against a fixed stack: it must
// never panic, errors carry messages, AWS::NoValue never leaks into a
// result, and a result evaluates to itself.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		`!Ref Env`, `!Ref Ports`, `!Ref AWS::NotificationARNs`, `!Ref Nope`,
		`!GetAtt Bucket.Arn`, `!GetAtt [Bucket, !Ref AttrName]`, `!GetAtt Bucket.Names`,
		`!Sub "${AWS::StackName}-${Env}-${!Literal}-${Bucket.Arn}"`,
		`!Sub "${ Env }-${ Bucket.Arn}"`,
		`!Sub ["${A}-${B}", {A: !Ref Queue, B: !Select [0, !Ref Names]}]`,
		`!Join [",", [a, !Ref AWS::NoValue, !Ref Env]]`,
		`!Select [1, !Split [",", "a,b,c"]]`, `!Select [0, !GetAZs ""]`,
		`!If [IsProd, [a, !Ref AWS::NoValue], {k: !Ref AWS::NoValue}]`,
		`!FindInMap [RegionMap, !Ref AWS::Region, Zones]`,
		`!FindInMap [RegionMap, x, y, {DefaultValue: d}]`,
		`!Base64 !Sub "${Env}"`, `!ImportValue shared-vpc`,
		`!Cidr ["192.168.0.0/24", 6, 5]`, `!Cidr ["2001:db8::/56", 256, 64]`,
		`!And [!Equals [a, a], !Or [!Condition IsProd, !Not [!Condition IsDev]]]`,
		`!Length [a, b]`, `!ToJsonString {a: [1, b]}`,
		`{"Fn::Bogus": 1}`, `{Ref: {a: b}}`, `[{"Fn::If": [IsDev, 1, 2]}]`,
		`{"Fn::Select": ["9999999999999999999", [a]]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		node, _, err := decodeYAML([]byte(expr), nil)
		if err != nil {
			return
		}
		ctx := evalEnv(t)
		got, err := Eval(node, ctx)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if leaksNoValue(got) {
			t.Fatalf("AWS::NoValue leaked into %#v", got)
		}
		again, err := Eval(got, ctx)
		if err != nil {
			t.Fatalf("re-evaluating %#v: %v", got, err)
		}
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("evaluation is not idempotent: %#v then %#v", got, again)
		}
	})
}

func leaksNoValue(v any) bool {
	switch v := v.(type) {
	case noValueType:
		return true
	case map[string]any:
		for _, e := range v {
			if leaksNoValue(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if leaksNoValue(e) {
				return true
			}
		}
	}
	return false
}
