package template

import (
	"errors"
	"testing"
)

const rulesTemplate = `
Parameters:
  Env: {Type: String, Default: dev}
  Version: {Type: String, Default: "21"}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
  VpcA: {Type: "AWS::EC2::VPC::Id", Default: vpc-1}
  VpcB: {Type: "AWS::EC2::VPC::Id", Default: vpc-2}
  Vpcs: {Type: "List<AWS::EC2::VPC::Id>", Default: "vpc-3,vpc-4"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Rules:
  Bootstrap:
    Assertions:
      - Assert:
          Fn::Not:
            - Fn::Contains: [["1", "2", "3"], !Ref Version]
        AssertDescription: Version 4 required.
  ProdOnly:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert:
          Fn::EachMemberIn: [!Ref Zones, [a, b, c]]
        AssertDescription: Zones must be a, b or c in prod.
  SameVpc:
    Assertions:
      - Assert:
          Fn::Or:
            - Fn::EachMemberEquals: [{"Fn::RefAll": "AWS::EC2::VPC::Id"}, vpc-1]
            - Fn::Equals: [!Ref Env, dev]
            - Fn::Equals: [!Ref Env, prod]
        AssertDescription: One VPC outside dev.
  Conditional:
    Assertions:
      - Assert:
          Fn::If: [IsProd, {"Fn::Not": [{"Fn::Contains": [!Ref Zones, z]}]}, true]
      - Assert:
          Fn::And:
            - Fn::Equals: [{"Fn::RefAll": "List<AWS::EC2::VPC::Id>"}, [vpc-3, vpc-4]]
            - Fn::Contains: [{"Fn::RefAll": "AWS::EC2::VPC::Id"}, !Ref VpcB]
Resources:
  R: {Type: T}
`

func TestCheckRules(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, rulesTemplate)
	if err := tmpl.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{}, ""},
		{map[string]string{"Version": "2"}, "Version 4 required."},
		{map[string]string{"Env": "prod", "Zones": "a,c"}, ""},
		{map[string]string{"Env": "prod", "Zones": "a,d"}, "Zones must be a, b or c in prod."},
		{map[string]string{"Env": "dev", "Zones": "a,d"}, ""},
		{map[string]string{"Env": "test"}, "One VPC outside dev."},
		{map[string]string{"Env": "test", "VpcB": "vpc-1"}, ""},
		// The assertion without a description fails with the rule's name.
		{map[string]string{"Env": "prod", "Zones": "a,z"}, "Template error: Assertion failed for rule Conditional"},
	}
	for _, c := range cases {
		vals, err := tmpl.ResolveParameters(c.params, testPseudo)
		if err != nil {
			t.Fatal(err)
		}
		conds, err := tmpl.EvalConditions(vals)
		if err != nil {
			t.Fatal(err)
		}
		err = tmpl.CheckRules(vals, conds)
		if c.want == "" {
			if err != nil {
				t.Errorf("%v: %v", c.params, err)
			}
			continue
		}
		wantError(t, err, c.want)
	}
}

func TestCheckRulesValueOfNotSupported(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, `
Parameters:
  Vpc: {Type: "AWS::EC2::VPC::Id", Default: vpc-1}
Rules:
  Tagged:
    Assertions:
      - Assert: {"Fn::Equals": [{"Fn::ValueOf": [Vpc, Tags.Team]}, ops]}
Resources:
  R: {Type: T}
`)
	vals, err := tmpl.ResolveParameters(nil, testPseudo)
	if err != nil {
		t.Fatal(err)
	}
	if err := tmpl.CheckRules(vals, nil); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Fn::ValueOf: %v, want ErrNotSupported", err)
	}
}

func TestRulesValidation(t *testing.T) {
	t.Parallel()
	cases := []struct{ rules, want string }{
		{"R: []", "Template format error: Every Rules member must be an object."},
		{"R: {}", "Template format error: Invalid rule R: Assertions must be a non-empty list"},
		{"R: {Assertions: [], RuleCondition: true}", "Template format error: Invalid rule R: Assertions must be a non-empty list"},
		{"R: {Assertions: [{AssertDescription: x}]}", "Template format error: Invalid rule R: every assertion must have an Assert"},
		{"R: {Assertions: [{Assert: true, Extra: 1}]}", "Template format error: Invalid rule R: unsupported member Extra in an assertion"},
		{"R: {Assertions: [{Assert: true}], Other: 1}", "Template format error: Invalid rule R: unsupported member Other"},
		{"R: {Assertions: [{Assert: {\"Fn::Equals\": [!Ref Nope, x]}}]}", "Template format error: Unresolved resource dependencies [Nope] in the Rules block of the template"},
		{"R: {Assertions: [{Assert: {\"Fn::Equals\": [!Ref Q, x]}}]}", "Template format error: Unresolved resource dependencies [Q] in the Rules block of the template"},
		{"R: {Assertions: [{Assert: {\"Fn::If\": [Nope, true, false]}}]}", "Template error: unresolved condition dependency Nope in Fn::If"},
	}
	for _, c := range cases {
		tmpl := mustParse(t, "Rules:\n  "+c.rules+"\nResources:\n  Q: {Type: T}\n")
		wantError(t, tmpl.Validate(), c.want)
	}
}

func TestCheckRulesErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ assert, want string }{
		{`"yes"`, "Template error: every rule condition and assertion must be a rule function that evaluates to true or false"},
		{`{"Fn::Contains": [x, x]}`, "Template error: Fn::Contains requires a list of strings as its first element"},
		{`{"Fn::EachMemberIn": [[x], x]}`, "Template error: Fn::EachMemberIn requires a list of strings as its second element"},
		{`{"Fn::Contains": [[x]]}`, "Template error: Fn::Contains requires a list argument with two elements"},
		{`{"Fn::And": [true]}`, "Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean parameters."},
		{`{"Fn::Not": true}`, "Template error: Fn::Not requires a list argument with one element"},
		{`{"Fn::Join": ["", [a]]}`, "Template error: Fn::Join is not a rule function that evaluates to true or false"},
		{`{"Fn::Equals": [{"Fn::RefAll": [x]}, x]}`, "Template error: Fn::RefAll requires a parameter type"},
	}
	for _, c := range cases {
		tmpl := mustParse(t, "Rules:\n  R:\n    Assertions:\n      - Assert: "+c.assert+"\nResources:\n  Q: {Type: T}\n")
		vals, err := tmpl.ResolveParameters(nil, testPseudo)
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, tmpl.CheckRules(vals, nil), c.want)
	}
}
