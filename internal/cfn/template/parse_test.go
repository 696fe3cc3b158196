package template

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// valueOf parses "Resources: {R: {Type: T, Properties: {V: <yaml>}}}" and
// returns the tree under V.
func valueOf(t *testing.T, yaml string) any {
	t.Helper()
	tmpl := mustParse(t, "Resources:\n  R:\n    Type: T\n    Properties:\n      V: "+yaml+"\n")
	return tmpl.Resources["R"].Properties["V"]
}

func TestShortFormTags(t *testing.T) {
	t.Parallel()
	cases := []struct {
		yaml string
		want any
	}{
		{`!Ref Bucket`, map[string]any{"Ref": "Bucket"}},
		{`!Ref AWS::Region`, map[string]any{"Ref": "AWS::Region"}},
		{`!Condition IsProd`, map[string]any{"Condition": "IsProd"}},
		{`!GetAtt Bucket.Arn`, map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}},
		{`!GetAtt Stack.Outputs.Name`, map[string]any{"Fn::GetAtt": []any{"Stack", "Outputs.Name"}}},
		{`!GetAtt [Bucket, Arn]`, map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}},
		{`!GetAtt [Bucket, !Ref Attr]`, map[string]any{"Fn::GetAtt": []any{"Bucket", map[string]any{"Ref": "Attr"}}}},
		{`!Sub "${AWS::StackName}-x"`, map[string]any{"Fn::Sub": "${AWS::StackName}-x"}},
		{`!Sub ["${A}-${B}", {A: a, B: !Ref B}]`, map[string]any{"Fn::Sub": []any{"${A}-${B}", map[string]any{"A": "a", "B": map[string]any{"Ref": "B"}}}}},
		{`!Join [",", [a, b]]`, map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}}},
		{`!Select [1, !GetAZs ""]`, map[string]any{"Fn::Select": []any{json.Number("1"), map[string]any{"Fn::GetAZs": ""}}}},
		{`!Split [",", "a,b"]`, map[string]any{"Fn::Split": []any{",", "a,b"}}},
		{`!If [C, a, !Ref AWS::NoValue]`, map[string]any{"Fn::If": []any{"C", "a", map[string]any{"Ref": "AWS::NoValue"}}}},
		{`!Equals [!Ref P, x]`, map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "P"}, "x"}}},
		{`!And [!Condition A, !Condition B]`, map[string]any{"Fn::And": []any{map[string]any{"Condition": "A"}, map[string]any{"Condition": "B"}}}},
		{`!Or [!Condition A, !Condition B]`, map[string]any{"Fn::Or": []any{map[string]any{"Condition": "A"}, map[string]any{"Condition": "B"}}}},
		{`!Not [!Condition A]`, map[string]any{"Fn::Not": []any{map[string]any{"Condition": "A"}}}},
		{`!FindInMap [M, !Ref AWS::Region, AMI]`, map[string]any{"Fn::FindInMap": []any{"M", map[string]any{"Ref": "AWS::Region"}, "AMI"}}},
		{`!Base64 true`, map[string]any{"Fn::Base64": "true"}},
		{`!Base64 {"Fn::Sub": "x"}`, map[string]any{"Fn::Base64": map[string]any{"Fn::Sub": "x"}}},
		{`!GetAZs ''`, map[string]any{"Fn::GetAZs": ""}},
		{`!ImportValue shared-vpc`, map[string]any{"Fn::ImportValue": "shared-vpc"}},
		{`!Cidr [10.0.0.0/16, 4, 8]`, map[string]any{"Fn::Cidr": []any{"10.0.0.0/16", json.Number("4"), json.Number("8")}}},
		{`!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}`, map[string]any{"Fn::Transform": map[string]any{"Name": "AWS::Include", "Parameters": map[string]any{"Location": "s3://b/k"}}}},
		{`!Length [a, b]`, map[string]any{"Fn::Length": []any{"a", "b"}}},
		{`!ToJsonString {a: b}`, map[string]any{"Fn::ToJsonString": map[string]any{"a": "b"}}},
	}
	for _, c := range cases {
		t.Run(c.yaml, func(t *testing.T) {
			t.Parallel()
			if got := valueOf(t, c.yaml); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %#v\nwant %#v", got, c.want)
			}
		})
	}
}

func TestShortFormBlockSyntax(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, yamlDoc(
		"Resources:",
		"  R:",
		"    Type: T",
		"    Properties:",
		"      V: !Sub",
		"        - '${Name}.${AWS::Region}'",
		"        - Name: !Join",
		"            - '-'",
		"            - - a",
		"              - !Ref AWS::StackName",
	))
	want := map[string]any{"Fn::Sub": []any{"${Name}.${AWS::Region}", map[string]any{
		"Name": map[string]any{"Fn::Join": []any{"-", []any{"a", map[string]any{"Ref": "AWS::StackName"}}}},
	}}}
	if got := tmpl.Resources["R"].Properties["V"]; !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
}

func TestYAMLScalars(t *testing.T) {
	t.Parallel()
	cases := []struct {
		yaml string
		want any
	}{
		{`2012-10-17`, "2012-10-17"},                                     // a date stays text (IAM policy versions)
		{`2001-12-14t21:59:43.10-05:00`, "2001-12-14t21:59:43.10-05:00"}, // and so does a time
		{`yes`, true},
		{`No`, false},
		{`ON`, true},
		{`off`, false},
		{`true`, true},
		{`y`, "y"}, // YAML 1.1 booleans do not include y and n
		{`"yes"`, "yes"},
		{`'no'`, "no"},
		{`42`, json.Number("42")},
		{`-7`, json.Number("-7")},
		{`+7`, json.Number("7")},
		{`1_000`, json.Number("1000")},
		{`3.14`, json.Number("3.14")},
		{`1.`, json.Number("1")},
		{`.5`, json.Number("0.5")},
		{`1.5e+3`, json.Number("1.5e+3")},
		{`1e3`, "1e3"},     // not a YAML 1.1 float
		{`0755`, "0755"},   // octal keeps its spelling
		{`0x1F`, "0x1F"},   // hexadecimal too
		{`1:30`, "1:30"},   // and sexagesimal
		{`.inf`, ".inf"},   // and infinity
		{`"42"`, "42"},     // quoted numbers are text
		{`!!str 42`, "42"}, // so are tagged ones
		{`!!int "42"`, json.Number("42")},
		{`!!float 1.50`, json.Number("1.50")},
		{`!!bool yes`, true},
		{`!!null ""`, nil},
		{`!!timestamp 2001-12-14`, "2001-12-14"},
		{`~`, nil},
		{`null`, nil},
		{`|` + "\n        line\n", "line\n"},
	}
	for _, c := range cases {
		t.Run(c.yaml, func(t *testing.T) {
			t.Parallel()
			if got := valueOf(t, c.yaml); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v (%T), want %#v (%T)", got, got, c.want, c.want)
			}
		})
	}
}

func TestYAMLKeysReadLikeValues(t *testing.T) {
	t.Parallel()
	got := valueOf(t, `{yes: 1, 2: two, "no": 3}`)
	want := map[string]any{"true": json.Number("1"), "2": "two", "no": json.Number("3")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
}

func TestYAMLAliases(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, yamlDoc(
		"Resources:",
		"  A:",
		"    Type: T",
		"    Properties: &props",
		"      Size: 1",
		"  B:",
		"    Type: T",
		"    Properties: *props",
	))
	if !reflect.DeepEqual(tmpl.Resources["A"].Properties, tmpl.Resources["B"].Properties) {
		t.Errorf("alias not expanded: %#v", tmpl.Resources["B"].Properties)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, message, detail string
		line, col                   int
	}{
		{
			name:    "yaml syntax",
			body:    "Resources:\n  R:\n    Type: T\n   Bad: [\n",
			message: "Template format error: YAML not well-formed. (line 4)",
			line:    4,
		},
		{
			name:    "yaml duplicate key",
			body:    "Resources:\n  R:\n    Type: T\n    Type: U\n",
			message: "Template format error: YAML not well-formed. (line 4, column 5)",
			detail:  `duplicate key "Type" (first at line 3, column 5)`,
			line:    4, col: 5,
		},
		{
			name:    "yaml duplicate top-level key",
			body:    "Resources: {}\nResources: {}\n",
			message: "Template format error: YAML not well-formed. (line 2, column 1)",
			detail:  `duplicate key "Resources" (first at line 1, column 1)`,
			line:    2, col: 1,
		},
		{
			name:    "unknown tag",
			body:    "Resources:\n  R:\n    Type: !Bogus x\n",
			message: "Template format error: YAML not well-formed. (line 3, column 11)",
			detail:  "unknown tag !Bogus",
			line:    3, col: 11,
		},
		{
			name:    "ref of a list",
			body:    "Resources:\n  R:\n    Type: !Ref [a]\n",
			message: "Template format error: YAML not well-formed. (line 3, column 11)",
			detail:  "!Ref takes a single string",
			line:    3, col: 11,
		},
		{
			name:    "json syntax",
			body:    "{\n  \"Resources\": {\n    \"R\": {\"Type\": \"T\",}\n  }\n}\n",
			message: "Template format error: JSON not well-formed. (line 3, column 23)",
			line:    3, col: 23,
		},
		{
			name:    "json duplicate key",
			body:    "{\"Resources\": {\"R\": {\"Type\": \"T\"}},\n \"Resources\": {}}",
			message: "Template format error: JSON not well-formed. (line 2, column 2)",
			detail:  `duplicate key "Resources" (first at line 1, column 2)`,
			line:    2, col: 2,
		},
		{
			name:    "json truncated",
			body:    `{"Resources": {`,
			message: "Template format error: JSON not well-formed. (line 1, column 16)",
			detail:  "unexpected end of the template",
			line:    1, col: 16,
		},
		{
			name:    "json trailing content",
			body:    `{"Resources": {}} x`,
			message: "Template format error: JSON not well-formed. (line 1, column 19)",
			line:    1, col: 19,
		},
		{
			name:    "a file name instead of a template",
			body:    "template.yaml",
			message: "Template format error: unsupported structure.",
		},
		{
			name:    "not a mapping",
			body:    "- a\n- b\n",
			message: "Template format error: unsupported structure.",
		},
		{
			name:    "empty",
			body:    "   \n# only a comment\n",
			message: "Template format error: unsupported structure.",
		},
		{
			name:    "bad DependsOn",
			body:    "Resources:\n  R:\n    Type: T\n    DependsOn: [{a: b}]\n",
			message: "Template format error: Every DependsOn value must be a string.",
			line:    4, col: 5,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(c.body))
			e := wantError(t, err, c.message)
			if c.detail != "" && e.Detail != c.detail {
				t.Errorf("detail %q, want %q", e.Detail, c.detail)
			}
			if e.Line != c.line || e.Column != c.col {
				t.Errorf("position %d:%d, want %d:%d", e.Line, e.Column, c.line, c.col)
			}
			if !strings.HasPrefix(e.Error(), c.message) {
				t.Errorf("Error() %q does not start with the message", e.Error())
			}
		})
	}
}

func TestJSONAndYAMLGiveTheSameTree(t *testing.T) {
	t.Parallel()
	fromYAML, err := Parse(readTestdata(t, "webapp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Parse(readTestdata(t, "webapp.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fromYAML.Format != FormatYAML || fromJSON.Format != FormatJSON {
		t.Errorf("formats %v and %v", fromYAML.Format, fromJSON.Format)
	}
	if !reflect.DeepEqual(fromYAML.Tree, fromJSON.Tree) {
		y, _ := json.MarshalIndent(fromYAML.Tree, "", " ")
		j, _ := json.MarshalIndent(fromJSON.Tree, "", " ")
		t.Fatalf("trees differ\nYAML: %s\nJSON: %s", y, j)
	}
	if !reflect.DeepEqual(fromYAML.ResourceNames, fromJSON.ResourceNames) {
		t.Errorf("resource order %v and %v", fromYAML.ResourceNames, fromJSON.ResourceNames)
	}
	for _, tmpl := range []*Template{fromYAML, fromJSON} {
		if err := tmpl.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	}
}

func TestTypedViews(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse(readTestdata(t, "webapp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.FormatVersion != "2010-09-09" {
		t.Errorf("FormatVersion %q", tmpl.FormatVersion)
	}
	if want := []string{"Stage", "RetentionDays", "Subnets"}; !reflect.DeepEqual(tmpl.ParameterNames, want) {
		t.Errorf("ParameterNames %v, want %v", tmpl.ParameterNames, want)
	}
	if want := []string{"Bucket", "Queue", "Worker", "Alarm"}; !reflect.DeepEqual(tmpl.ResourceNames, want) {
		t.Errorf("ResourceNames %v, want %v", tmpl.ResourceNames, want)
	}
	p := tmpl.Parameters["RetentionDays"]
	if p.Type != "Number" || *p.Default != "7" || *p.MinValue != 1 || *p.MaxValue != 3653 {
		t.Errorf("RetentionDays %+v", p)
	}
	w := tmpl.Resources["Worker"]
	if w.Type != "AWS::Lambda::Function" || !reflect.DeepEqual(w.DependsOn, []string{"Bucket"}) {
		t.Errorf("Worker %+v", w)
	}
	if tmpl.Resources["Bucket"].DeletionPolicy != "Retain" || tmpl.Resources["Alarm"].Condition != "WantsAlarm" {
		t.Error("resource attributes not read")
	}
	o := tmpl.Outputs["BucketArn"]
	if !reflect.DeepEqual(o.ExportName, map[string]any{"Fn::Sub": "${AWS::StackName}-BucketArn"}) {
		t.Errorf("ExportName %#v", o.ExportName)
	}
	if tmpl.Outputs["QueueName"].Condition != "IsProd" {
		t.Error("output condition not read")
	}
	if pos, ok := tmpl.Pos("/Resources/Worker/Properties/MemorySize"); !ok || pos.Line != 48 || pos.Column != 7 {
		t.Errorf("Pos = %+v, %v", pos, ok)
	}
	if pos, ok := tmpl.Pos("/Resources/Worker/Properties/Environment/Variables/QUEUE_ARN/Fn::GetAtt"); !ok || pos.Line != 52 || pos.Column != 22 {
		t.Errorf("short-form Pos = %+v, %v", pos, ok)
	}
}

func TestSAMHelloWorld(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse(readTestdata(t, "sam-hello-world.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !tmpl.HasTransform("AWS::Serverless-2016-10-31") || len(tmpl.Transforms) != 1 {
		t.Errorf("Transforms %v", tmpl.Transforms)
	}
	globals, ok := tmpl.Tree["Globals"].(map[string]any)
	if !ok || !reflect.DeepEqual(globals["Function"], map[string]any{"Timeout": json.Number("3"), "MemorySize": json.Number("128")}) {
		t.Errorf("Globals %#v", tmpl.Tree["Globals"])
	}
	fn := tmpl.Resources["HelloWorldFunction"]
	if fn.Type != "AWS::Serverless::Function" || fn.Properties["Handler"] != "app.lambdaHandler" {
		t.Errorf("function %+v", fn)
	}
	if tmpl.Description != "hello-world\nA small SAM application: one function behind an API.\n" {
		t.Errorf("Description %q", tmpl.Description)
	}
	if got := tmpl.Outputs["HelloWorldFunctionIamRole"].Value; !reflect.DeepEqual(got, map[string]any{"Fn::GetAtt": []any{"HelloWorldFunctionRole", "Arn"}}) {
		t.Errorf("output %#v", got)
	}
	// Before the transform, its implicit resources (ServerlessRestApi,
	// HelloWorldFunctionRole) do not exist: Validate must not fail on them.
	if err := tmpl.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestTransformList(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:\n  R: {Type: T}\n")
	if want := []string{"AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"}; !reflect.DeepEqual(tmpl.Transforms, want) {
		t.Errorf("Transforms %v", tmpl.Transforms)
	}
}

func TestFromTree(t *testing.T) {
	t.Parallel()
	tmpl, err := FromTree(map[string]any{
		"Resources": map[string]any{
			"B": map[string]any{"Type": "AWS::S3::Bucket"},
			"A": map[string]any{"Type": "AWS::S3::Bucket", "DependsOn": "B"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Format != FormatNone || !reflect.DeepEqual(tmpl.ResourceNames, []string{"A", "B"}) {
		t.Errorf("FromTree: format %v, names %v", tmpl.Format, tmpl.ResourceNames)
	}
	if err := tmpl.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBOMIsIgnored(t *testing.T) {
	t.Parallel()
	if _, err := Parse([]byte("\xef\xbb\xbf{\"Resources\": {\"R\": {\"Type\": \"T\"}}}")); err != nil {
		t.Fatal(err)
	}
}

func TestTaggedScalarErrors(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`!!int abc`, `!!bool maybe`, `!!omap x`} {
		_, err := Parse([]byte("Resources:\n  R:\n    Type: T\n    Properties: {V: " + v + "}\n"))
		if e := wantError(t, err, "Template format error: YAML not well-formed. (line 4, column 21)"); e.Detail == "" {
			t.Errorf("%s: no detail", v)
		}
	}
}

func TestPositionsOfKeysWithSlashes(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, "Resources:\n  R:\n    Type: T\n    Properties:\n      Tags: {a/b~c: x}\n")
	if p, ok := tmpl.Pos("/Resources/R/Properties/Tags/a~1b~0c"); !ok || p.Line != 5 {
		t.Errorf("Pos = %+v, %v", p, ok)
	}
}

// TestParseKeepingLastKey: the SAM CLI's reading of a key given twice,
// the last value kept and each repeat noted, in YAML and JSON; Parse
// still refuses it.
func TestParseKeepingLastKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		notes      []string
	}{
		{
			name:  "yaml",
			body:  "Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  Name:\n    Description:\n    Description: the queue's name\n    Value: !GetAtt Q.QueueName\n",
			notes: []string{`line 7, column 5: key "Description" is given again (first at line 6, column 5); the last value is kept`},
		},
		{
			name:  "json",
			body:  `{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"Name": {"Description": "", "Description": "the queue's name", "Value": {"Fn::GetAtt": ["Q", "QueueName"]}}}}`,
			notes: []string{`line 1, column 91: key "Description" is given again (first at line 1, column 72); the last value is kept`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, notes, err := ParseKeepingLastKey([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(notes, c.notes) {
				t.Errorf("notes = %q\nwant %q", notes, c.notes)
			}
			out := tmpl.Tree["Outputs"].(map[string]any)["Name"].(map[string]any)
			if out["Description"] != "the queue's name" {
				t.Errorf("Description = %#v, want the last one", out["Description"])
			}
			if _, err := Parse([]byte(c.body)); err == nil {
				t.Error("Parse accepted the duplicate key")
			}
		})
	}
}
