package asl

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestJSONataStates(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, def, input, want, wantErr string }{
		{"pass output and variables", `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"total":"{% $states.input.a + $states.input.b %}","name":"fixed"},"Output":{"kept":"{% $states.input.a %}"},"Next":"B"},
			"B":{"Type":"Pass","Output":"{% {'sum': $total, 'name': $name, 'in': $states.input} %}","End":true}}}`,
			`{"a":2,"b":3}`, `{"in":{"kept":2},"name":"fixed","sum":5}`, ""},
		{"task arguments and result", `{"QueryLanguage":"JSONata","StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","Arguments":{"x":"{% $states.input.n * 10 %}"},
				"Output":"{% $states.result.x + 1 %}","End":true}}}`, `{"n":4}`, `41`, ""},
		{"choice condition", `{"QueryLanguage":"JSONata","StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 5 %}","Next":"Big","Output":"{% 'big ' & $string($states.input.n) %}"}],"Default":"Small"},
			"Big":{"Type":"Succeed"},"Small":{"Type":"Succeed","Output":"small"}}}`, `{"n":7}`, `"big 7"`, ""},
		{"choice default", `{"QueryLanguage":"JSONata","StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 5 %}","Next":"Big"}],"Default":"Small"},
			"Big":{"Type":"Succeed"},"Small":{"Type":"Succeed","Output":"small"}}}`, `{"n":1}`, `"small"`, ""},
		{"map items and selector", `{"QueryLanguage":"JSONata","StartAt":"M","States":{
			"M":{"Type":"Map","Items":"{% $states.input.xs %}","ItemSelector":{"v":"{% $states.context.Map.Item.Value %}","i":"{% $states.context.Map.Item.Index %}"},
				"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.v & $string($states.input.i) %}","End":true}}},"End":true}}}`,
			`{"xs":["a","b"]}`, `["a0","b1"]`, ""},
		{"parallel arguments", `{"QueryLanguage":"JSONata","StartAt":"P","States":{
			"P":{"Type":"Parallel","Arguments":{"k":"{% $states.input.k %}"},"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.k %}","End":true}}}],
				"Output":"{% $states.result[0] %}","End":true}}}`, `{"k":"v"}`, `"v"`, ""},
		{"catch error output", `{"QueryLanguage":"JSONata","StartAt":"F","States":{
			"F":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Fail","Error":"Bad","Cause":"{% 'because ' & $states.input.why %}"}}}],
				"Catch":[{"ErrorEquals":["Bad"],"Assign":{"err":"{% $states.errorOutput.Error %}"},"Output":"{% $states.errorOutput.Cause %}","Next":"R"}],"End":true},
			"R":{"Type":"Pass","Output":"{% $err & ': ' & $states.input %}","End":true}}}`, `{"why":"x"}`, `"Bad: because x"`, ""},
		{"wait seconds expression", `{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"{% $states.input.s %}","End":true}}}`, `{"s":5}`, `{"s":5}`, ""},
		{"functions", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{
			"p":"{% $partition([1,2,3],2) %}","r":"{% $range(0,4,2) %}","h":"{% $hash('abc','MD5') %}","u":"{% $uuid() %}","j":"{% $parse('{\"a\":[1]}') %}"},"End":true}}}`,
			`{}`, `{"h":"900150983cd24fb0d6963f7d28e17f72","j":{"a":[1]},"p":[[1,2],[3]],"r":[0,2,4],"u":"uuid-1"}`, ""},
		{"partition beyond the array", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $partition([1,2,3],1e300) %}","End":true}}}`,
			`{}`, `[[1,2,3]]`, ""},
		{"partition by a fraction", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $partition([1,2,3],0.5) %}","End":true}}}`,
			`{}`, "", "States.QueryEvaluationError: $partition's chunk size must be a positive integer, position: 1, arguments: number:0 value:[1 2 3] number:1 value:0.5 "},
		{"pad", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{
			"r":"{% $pad('x', 3, '#') %}","l":"{% $pad('x', -3) %}","c":"{% 'ab' ~> $pad(4, '-') %}","n":"{% $pad('abc', 2) %}"},"End":true}}}`,
			`{}`, `{"c":"ab--","l":"  x","n":"abc","r":"x##"}`, ""},
		{"pad beyond a payload", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $pad('x', 1e8) %}","End":true}}}`,
			`{}`, "", "States.QueryEvaluationError: $pad's width must not exceed 262144 characters, the largest payload of a state, position: 1, arguments: number:0 value:x number:1 value:1e+08 "},
		{"range beyond JSONata's limit", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $count([1..10000001]) %}","End":true}}}`,
			`{}`, "", "States.QueryEvaluationError: range operator has too many items, position:0, arguments: "},
		{"a range at JSONata's limit", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $count([1..10000000]) %}","End":true}}}`,
			`{}`, `10000000`, ""},
		{"evaluation error", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.nothing %}","End":true}}}`, `{}`, "",
			"States.QueryEvaluationError: The JSONata expression '$states.input.nothing' returned nothing (undefined)"},
		{"a function that recurses, in a worker", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
			"Output":"{% ( $f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; {'fact': $f($states.input.n), 'in': $states.input} ) %}","End":true}}}`,
			`{"n":5}`, `{"fact":120,"in":{"n":5}}`, ""},
		{"a function that recurses without end ends only its worker", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
			"Output":"{% ( $f := function($x){ $f($x) + 1 }; $f(1) ) %}","End":true}}}`, `{}`, "",
			"States.QueryEvaluationError: The JSONata expression '( $f := function($x){ $f($x) + 1 }; $f(1) )' could not be evaluated: it recursed too deeply or used too much memory"},
		{"a function that builds a string without end ends only its worker", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
			"Output":"{% ( $f := function($s, $n){ $n = 0 ? $length($s) : $f($s & $s, $n - 1) }; $f('x', 32) ) %}","End":true}}}`, `{}`, "",
			"States.QueryEvaluationError: The JSONata expression '( $f := function($s, $n){ $n = 0 ? $length($s) : $f($s & $s, $n - 1) }; $f('x', 32) )' could not be evaluated: it recursed too deeply or used too much memory"},
		{"a function's $uuid, in a worker", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
			"Output":"{% ( $f := λ(){ $uuid() }; $length($f()) ) %}","End":true}}}`, `{}`, `36`, ""},
		{"mixed per state", `{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"n":"{% 1 + 1 %}"},"Next":"B"},
			"B":{"Type":"Pass","Parameters":{"m.$":"$.n"},"End":true}}}`, `{}`, `{"m":2}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err, env := run(t, tc.def, tc.input, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tc.want {
				t.Fatalf("output = %s, want %s", got, tc.want)
			}
			if tc.name == "wait seconds expression" && fmt.Sprint(env.waits) != fmt.Sprint([]time.Duration{5 * time.Second}) {
				t.Errorf("waits = %v", env.waits)
			}
		})
	}
}

func TestJSONataDefinitionErrors(t *testing.T) {
	t.Parallel()
	for def, want := range map[string]string{
		`{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.x","End":true}}}`:               `The field "InputPath" is not supported with QueryLanguage JSONata at /States/A/InputPath`,
		`{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input. %}","End":true}}}`: `is not a valid JSONata expression`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}`:                                               `The field "Output" is supported only with QueryLanguage JSONata`,
		`{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`:      `cannot use JSONPath`,
	} {
		_, err := Parse(def)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %s", def, err, want)
		}
	}
}

func TestNeedsWorker(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]bool{
		"$f := function($x){ $x }":       true,
		"λ($x){ $x }":                    true,
		"$map($a, function ($v) { $v })": true,
		"$states.input.a + 1":            false,
		"'function(' & $x":               false,
		`"a \" function(" & $x`:          false,
		"`function`.x":                   false,
		"/* function( */ $x":             false,
		"$myfunction($x)":                false,
		"$x.function":                    true, // may say yes when there is none
		"[1..$n]":                        true,
		"'a..b' & $x":                    false,
		"$a.b.c":                         false,
	} {
		if got := needsWorker(src); got != want {
			t.Errorf("needsWorker(%q) = %v, want %v", src, got, want)
		}
	}
}
