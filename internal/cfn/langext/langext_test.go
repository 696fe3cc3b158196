package langext

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTransform(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		params         map[string]string
	}{
		{"resources from a parameter's default, with ${} and &{}",
			`{"Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a-1,b-2"}},
			  "Resources": {"Fn::ForEach::Q": ["N", {"Ref": "Names"}, {"Queue&{N}": {"Type": "AWS::SQS::Queue",
			    "Properties": {"QueueName": {"Fn::Sub": "app-${N}"}, "Tags": [{"Key": "n", "Value": {"Ref": "N"}}]}}}]}}`,
			`{"Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a-1,b-2"}},
			  "Resources": {
			    "Queuea1": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "app-a-1"}, "Tags": [{"Key": "n", "Value": "a-1"}]}},
			    "Queueb2": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "app-b-2"}, "Tags": [{"Key": "n", "Value": "b-2"}]}}}}`,
			nil},
		{"a given value wins over the default; outputs and conditions",
			`{"Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "x"}},
			  "Conditions": {"Fn::ForEach::C": ["N", {"Ref": "Names"}, {"Is${N}": {"Fn::Equals": [{"Ref": "N"}, "y"]}}]},
			  "Outputs": {"Fn::ForEach::O": ["N", ["p", "q"], {"Out${N}": {"Value": "${N}"}}]}}`,
			`{"Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "x"}},
			  "Conditions": {"Isy": {"Fn::Equals": ["y", "y"]}, "Isz": {"Fn::Equals": ["z", "y"]}},
			  "Outputs": {"Outp": {"Value": "p"}, "Outq": {"Value": "q"}}}`,
			map[string]string{"Names": "y, z"}},
		{"nested loops, in properties too",
			`{"Resources": {"Fn::ForEach::A": ["A", ["1", "2"], {
			    "Fn::ForEach::B": ["B", ["x"], {"R${A}${B}": {"Type": "T", "Properties": {
			      "Fn::ForEach::P": ["P", ["k"], {"${P}${A}": "${B}"}]}}}]}]}}`,
			`{"Resources": {"R1x": {"Type": "T", "Properties": {"k1": "x"}}, "R2x": {"Type": "T", "Properties": {"k2": "x"}}}}`,
			nil},
		{"a DeletionPolicy that names a parameter",
			`{"Parameters": {"Keep": {"Type": "String", "Default": "Retain"}},
			  "Resources": {"Q": {"Type": "AWS::SQS::Queue", "DeletionPolicy": {"Ref": "Keep"}}}}`,
			`{"Parameters": {"Keep": {"Type": "String", "Default": "Retain"}},
			  "Resources": {"Q": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain"}}}`,
			nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Transform(decode(t, c.in), c.params)
			if err != nil {
				t.Fatal(err)
			}
			if want := decode(t, c.want); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("got %s", g)
			}
		})
	}
}

func TestTransformErrors(t *testing.T) {
	for _, in := range []string{
		`{"Resources": {"Fn::ForEach::A": ["A", ["1"]]}}`,
		`{"Resources": {"Fn::ForEach::A": [1, ["1"], {}]}}`,
		`{"Resources": {"Fn::ForEach::A": ["A", {"Ref": "Missing"}, {}]}}`,
		`{"Resources": {"Fn::ForEach::A": ["A", [1], {}]}}`,
		`{"Resources": {"Fn::ForEach::A": ["A", {"Fn::GetAZs": ""}, {}]}}`,
		`{"Resources": {"Fn::ForEach::A": ["A", ["1", "1"], {"R${A}": {}}]}}`,
		`{"Resources": {"R1": {}, "Fn::ForEach::A": ["A", ["1"], {"R${A}": {}}]}}`,
		`{"Resources": {"Fn::ForEach::A": ["A", ["1"], "R"]}}`,
	} {
		_, err := Transform(decode(t, in), nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v", in, err)
		}
	}
}

// FuzzTransform: any template is transformed or refused with an Error,
// never a panic.
func FuzzTransform(f *testing.F) {
	for _, s := range []string{
		`{"Resources": {"Fn::ForEach::A": ["A", ["1", "2"], {"R${A}": {"Type": "T", "Properties": {"Fn::ForEach::P": ["P", ["k"], {"${P}": "&{A}"}]}}}]}}`,
		`{"Parameters": {"L": {"Default": "a,b"}}, "Outputs": {"Fn::ForEach::O": ["X", {"Ref": "L"}, {"O${X}": {"Value": {"Ref": "X"}}}]}}`,
		`{"Resources": {"Q": {"DeletionPolicy": {"Ref": "P"}}}}`,
		`{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil {
			return
		}
		if _, err := Transform(m, nil); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: %v", s, err)
			}
		}
	})
}
