package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestResolveParameterTypes(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, yamlDoc(
		"Parameters:",
		"  Name: {Type: String, Default: web}",
		"  Size: {Type: Number, Default: 10}",
		"  Ports: {Type: List<Number>, Default: '80, 443'}",
		"  Zones: {Type: CommaDelimitedList, Default: 'a,b'}",
		"  Vpc: {Type: 'AWS::EC2::VPC::Id', Default: vpc-123}",
		"  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2'}",
		"  Secret: {Type: String, NoEcho: true}",
		"  Flag: {Type: String, Default: yes, AllowedValues: [yes, no]}",
		"  Empty: {Type: CommaDelimitedList, Default: ''}",
		"Resources:",
		"  R: {Type: T}",
	))
	vals, err := tmpl.ResolveParameters(map[string]string{"Secret": "hunter2", "Size": "12"}, testPseudo)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ref  any
		pv   ParamValue
	}{
		{"Name", "web", ParamValue{Type: "String", Value: "web", FromDefault: true}},
		{"Size", "12", ParamValue{Type: "Number", Value: "12"}},
		{"Ports", []any{"80", "443"}, ParamValue{Type: "List<Number>", Value: "80, 443", List: []string{"80", "443"}, FromDefault: true}},
		{"Zones", []any{"a", "b"}, ParamValue{Type: "CommaDelimitedList", Value: "a,b", List: []string{"a", "b"}, FromDefault: true}},
		{"Vpc", "vpc-123", ParamValue{Type: "AWS::EC2::VPC::Id", Value: "vpc-123", FromDefault: true}},
		{"Subnets", []any{"subnet-1", "subnet-2"}, ParamValue{Type: "List<AWS::EC2::Subnet::Id>", Value: "subnet-1,subnet-2", List: []string{"subnet-1", "subnet-2"}, FromDefault: true}},
		{"Secret", "hunter2", ParamValue{Type: "String", Value: "hunter2", NoEcho: true}},
		// Unquoted yes is a YAML 1.1 boolean: both Default and
		// AllowedValues read it as "true", as CloudFormation does.
		{"Flag", "true", ParamValue{Type: "String", Value: "true", FromDefault: true}},
		{"Empty", []any{""}, ParamValue{Type: "CommaDelimitedList", Value: "", List: []string{""}, FromDefault: true}},
	}
	for _, c := range cases {
		if got := vals.Params[c.name]; !reflect.DeepEqual(got, c.pv) {
			t.Errorf("%s = %+v, want %+v", c.name, got, c.pv)
		}
		if got, ok := vals.Ref(c.name); !ok || !reflect.DeepEqual(got, c.ref) {
			t.Errorf("Ref(%s) = %#v, want %#v", c.name, got, c.ref)
		}
	}
	if got, ok := vals.Ref("AWS::Region"); !ok || got != "eu-west-1" {
		t.Errorf("Ref(AWS::Region) = %v", got)
	}
	if _, ok := vals.Ref("R"); ok {
		t.Error("a resource resolved as a parameter")
	}
}

func TestResolveParameterErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		decl      string // the parameter P, in flow YAML
		value     string // "" leaves P without an override
		omitValue bool
		want      string
	}{
		{"missing", `{Type: String}`, "", true, "Parameters: [P] must have values"},
		{"allowed values", `{Type: String, AllowedValues: [a, b]}`, "c", false, "Parameter 'P' must be one of AllowedValues"},
		{"allowed values with description", `{Type: String, AllowedValues: [a], ConstraintDescription: must be a}`, "c", false, "Parameter P failed to satisfy constraint: must be a"},
		{"pattern", `{Type: String, AllowedPattern: '[a-z]+'}`, "abc1", false, "Parameter 'P' must match pattern [a-z]+"},
		{"pattern matches the whole value", `{Type: String, AllowedPattern: '[a-z]+'}`, "1abc", false, "Parameter 'P' must match pattern [a-z]+"},
		{"pattern with description", `{Type: String, AllowedPattern: '\d+', ConstraintDescription: digits only}`, "x", false, "Parameter P failed to satisfy constraint: digits only"},
		{"min length", `{Type: String, MinLength: 3}`, "ab", false, "Parameter 'P' must contain at least 3 characters"},
		{"max length", `{Type: String, MaxLength: '2'}`, "abc", false, "Parameter 'P' must contain at most 2 characters"},
		{"pattern before length", `{Type: String, MinLength: 5, AllowedPattern: '[a-z]*'}`, "AB", false, "Parameter 'P' must match pattern [a-z]*"},
		{"not a number", `{Type: Number}`, "ten", false, "Parameter 'P' must be a number"},
		{"min value", `{Type: Number, MinValue: 1}`, "0", false, "Parameter 'P' must be a number not less than 1"},
		{"max value", `{Type: Number, MaxValue: 9.5}`, "10", false, "Parameter 'P' must be a number not greater than 9.5"},
		{"number list element", `{Type: List<Number>}`, "1,x", false, "Parameter 'P' must be a number"},
		{"number list bound", `{Type: List<Number>, MaxValue: 5}`, "1,6", false, "Parameter 'P' must be a number not greater than 5"},
		{"list allowed values", `{Type: CommaDelimitedList, AllowedValues: [a, b]}`, "a,c", false, "Parameter 'P' must be one of AllowedValues"},
		{"list pattern", `{Type: CommaDelimitedList, AllowedPattern: '\w+'}`, "dev,te st", false, "Parameter 'P' must match pattern \\w+"},
		{"default checked", `{Type: String, Default: x, AllowedValues: [a]}`, "", true, "Parameter 'P' must be one of AllowedValues"},
		{"unknown type", `{Type: Strin}`, "a", false, "Template format error: Unrecognized parameter type: Strin"},
		{"no type", `{Default: a}`, "a", false, "Template format error: Every Parameters object must contain a Type member."},
		{"unknown property", `{Type: String, Defualt: a}`, "a", false, "Invalid template parameter property 'Defualt'"},
		{"bad pattern", `{Type: String, AllowedPattern: '(?=a)'}`, "a", false, "Parameter 'P' AllowedPattern must be a valid regular expression."},
		{"bad length", `{Type: String, MinLength: many}`, "a", false, "Template format error: Parameter 'P' MinLength must be a number."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tmpl := mustParse(t, "Parameters:\n  P: "+c.decl+"\nResources:\n  R: {Type: T}\n")
			overrides := map[string]string{"P": c.value}
			if c.omitValue {
				overrides = nil
			}
			_, err := tmpl.ResolveParameters(overrides, testPseudo)
			wantError(t, err, c.want)
		})
	}
}

func TestResolveParametersListsEveryMissingValue(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, yamlDoc(
		"Parameters:",
		"  Zeta: {Type: String}",
		"  Alpha: {Type: String}",
		"  Given: {Type: String}",
		"Resources:",
		"  R: {Type: T}",
	))
	_, err := tmpl.ResolveParameters(map[string]string{"Given": "x"}, testPseudo)
	wantError(t, err, "Parameters: [Zeta, Alpha] must have values")
}

func TestResolveParametersRejectsUnknownOverrides(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, "Resources:\n  R: {Type: T}\n")
	_, err := tmpl.ResolveParameters(map[string]string{"B": "1", "A": "2"}, testPseudo)
	wantError(t, err, "Parameters: [A, B] do not exist in the template")
}

func TestResolveParametersUsePreviousValue(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, "Parameters:\n  P: {Type: CommaDelimitedList, Default: a}\nResources:\n  R: {Type: T}\n")
	first, err := tmpl.ResolveParameters(map[string]string{"P": "x,y"}, testPseudo)
	if err != nil {
		t.Fatal(err)
	}
	// An update with UsePreviousValue passes the stored text back.
	again, err := tmpl.ResolveParameters(map[string]string{"P": first.Params["P"].Value}, testPseudo)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.Params["P"], again.Params["P"]) {
		t.Errorf("%+v != %+v", first.Params["P"], again.Params["P"])
	}
}

func TestSSMParameterTypesAreNotSupported(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, yamlDoc(
		"Parameters:",
		"  Ami:",
		"    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
		"    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		"  Name: {Type: 'AWS::SSM::Parameter::Name', Default: /my/param}",
		"Resources:",
		"  R: {Type: T}",
	))
	if err := tmpl.Validate(); err != nil {
		t.Fatalf("Validate: %v", err) // the type is valid CloudFormation
	}
	_, err := tmpl.ResolveParameters(nil, testPseudo)
	if !errors.Is(err, ErrNotSupported) {
		t.Fatalf("err %v, want ErrNotSupported", err)
	}
	// AWS::SSM::Parameter::Name is only the name: a plain string.
	tmpl.Parameters["Ami"].Type = "String"
	vals, err := tmpl.ResolveParameters(nil, testPseudo)
	if err != nil || vals.Params["Name"].Value != "/my/param" {
		t.Fatalf("Name = %+v, %v", vals.Params["Name"], err)
	}
}

func TestSSMParameterTypes(t *testing.T) {
	t.Parallel()
	store := map[string][2]string{
		"/app/name":   {"String", "orders"},
		"/app/azs":    {"StringList", "us-east-1a,us-east-1b"},
		"/app/secret": {"SecureString", "x"},
	}
	lookup := func(name string) (string, string, bool, error) {
		v, ok := store[name]
		return v[0], v[1], ok, nil
	}
	tmpl := mustParse(t, yamlDoc(
		"Parameters:",
		"  Name: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/name}",
		"  Azs: {Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: /app/azs}",
		"  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /app/name}",
		"Resources:",
		"  R: {Type: T}",
	))
	vals, err := tmpl.ResolveParametersWith(nil, testPseudo, lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got := vals.Params["Name"]; got.Value != "/app/name" || got.Ref() != "orders" {
		t.Errorf("Name = %+v (Ref %v)", got, got.Ref())
	}
	if got := vals.Params["Azs"].Ref(); !reflect.DeepEqual(got, []any{"us-east-1a", "us-east-1b"}) {
		t.Errorf("Azs Ref = %v", got)
	}
	_, err = tmpl.ResolveParametersWith(map[string]string{"Name": "/nope", "Azs": "/gone"}, testPseudo, lookup)
	wantError(t, err, "Unable to fetch parameters [/nope, /gone] from parameter store for this account.")
	_, err = tmpl.ResolveParametersWith(map[string]string{"Name": "/app/secret"}, testPseudo, lookup)
	wantError(t, err, "Parameters [/app/secret] referenced by template have types not supported by CloudFormation.")

	bad := mustParse(t, "Parameters:\n  N: {Type: 'AWS::SSM::Parameter::Value<Number>'}\nResources:\n  R: {Type: T}\n")
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "Unrecognized parameter type") {
		t.Errorf("Value<Number>: %v", err)
	}
}
