package template

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// evalTemplate is the template every Eval case runs against.
const evalTemplate = `
Parameters:
  Env: {Type: String, Default: prod}
  Count: {Type: Number, Default: 3}
  Ports: {Type: List<Number>, Default: "80,443"}
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  AttrName: {Type: String, Default: Arn}
Mappings:
  RegionMap:
    eu-west-1:
      AMI: ami-123
      Zones: [a, b]
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Queue: {Type: AWS::SQS::Queue}
  DevOnly: {Type: AWS::SNS::Topic, Condition: IsDev}
`

// evalEnv parses evalTemplate and builds a context with the created
// resources of a stack.
func evalEnv(t *testing.T) *EvalContext {
	t.Helper()
	tmpl := mustParse(t, evalTemplate)
	pseudo := testPseudo
	pseudo.NotificationARNs = []string{"arn:aws:sns:eu-west-1:123456789012:events"}
	vals, err := tmpl.ResolveParameters(nil, pseudo)
	if err != nil {
		t.Fatal(err)
	}
	conds, err := tmpl.EvalConditions(vals)
	if err != nil {
		t.Fatal(err)
	}
	return &EvalContext{
		Template:   tmpl,
		Values:     vals,
		Conditions: conds,
		Resolver: &stack{
			ids: map[string]string{"Bucket": "demo-bucket-1", "Queue": "https://sqs.eu-west-1.amazonaws.com/123456789012/q"},
			attrs: map[string]any{
				"Bucket.Arn":   "arn:aws:s3:::demo-bucket-1",
				"Queue.Arn":    "arn:aws:sqs:eu-west-1:123456789012:q",
				"Bucket.Names": []any{"x", "y"},
			},
			exports: map[string]string{"shared-vpc": "vpc-1", "prod-vpc": "vpc-2"},
		},
	}
}

// evalCase evaluates a YAML expression; want is the result, or err the
// expected error message.
type evalCase struct {
	yaml string
	want any
	err  string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.yaml, func(t *testing.T) {
			t.Parallel()
			ctx := evalEnv(t)
			got, err := Eval(valueOf(t, c.yaml), ctx)
			if c.err != "" {
				wantError(t, err, c.err)
				return
			}
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

const unresolvedNope = "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"

func TestEvalRef(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `!Ref Env`, want: "prod"},
		{yaml: `!Ref Count`, want: "3"},
		{yaml: `!Ref Ports`, want: []any{"80", "443"}},
		{yaml: `!Ref Names`, want: []any{"a", "b", "c"}},
		{yaml: `!Ref AWS::Region`, want: "eu-west-1"},
		{yaml: `!Ref AWS::AccountId`, want: "123456789012"},
		{yaml: `!Ref AWS::StackName`, want: "demo"},
		{yaml: `!Ref AWS::StackId`, want: testPseudo.StackID},
		{yaml: `!Ref AWS::Partition`, want: "aws"},
		{yaml: `!Ref AWS::URLSuffix`, want: "amazonaws.com"},
		{yaml: `!Ref AWS::NotificationARNs`, want: []any{"arn:aws:sns:eu-west-1:123456789012:events"}},
		{yaml: `!Ref Bucket`, want: "demo-bucket-1"},
		{yaml: `!Ref Nope`, err: unresolvedNope},
		{yaml: `!Ref DevOnly`, err: "Template format error: Unresolved resource dependencies [DevOnly] in the Resources block of the template"},
		{yaml: `{Ref: [a]}`, err: "Template format error: Every Ref object must have a single String value."},
	})
}

func TestEvalGetAtt(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `!GetAtt Bucket.Arn`, want: "arn:aws:s3:::demo-bucket-1"},
		{yaml: `!GetAtt [Queue, Arn]`, want: "arn:aws:sqs:eu-west-1:123456789012:q"},
		{yaml: `{"Fn::GetAtt": "Queue.Arn"}`, want: "arn:aws:sqs:eu-west-1:123456789012:q"},
		{yaml: `!GetAtt [Bucket, !Ref AttrName]`, want: "arn:aws:s3:::demo-bucket-1"},
		{yaml: `!GetAtt Bucket.Names`, want: []any{"x", "y"}},
		{yaml: `!GetAtt Nope.Arn`, err: "Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{yaml: `!GetAtt DevOnly.Arn`, err: "Template format error: Unresolved resource dependencies [DevOnly] in the Resources block of the template"},
		{yaml: `!GetAtt [Bucket]`, err: "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"},
		{yaml: `!GetAtt Bucket`, err: "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"},
	})
}

func TestEvalSub(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `!Sub "${AWS::StackName}-${Env}"`, want: "demo-prod"},
		{yaml: `!Sub "${Bucket}/${Bucket.Arn}"`, want: "demo-bucket-1/arn:aws:s3:::demo-bucket-1"},
		{yaml: `!Sub "plain text"`, want: "plain text"},
		{yaml: `!Sub "${!Literal}"`, want: "${Literal}"},
		{yaml: `!Sub "a${!B}c${Env}"`, want: "a${B}cprod"},
		{yaml: `!Sub "echo ${!HOME} $HOME ${Env}"`, want: "echo ${HOME} $HOME prod"},
		{yaml: `!Sub "${unclosed"`, want: "${unclosed"},
		{yaml: `!Sub "cost: $5 ${}"`, want: "cost: $5 ${}"},
		{yaml: `!Sub ["${Name}-${Env}", {Name: !Ref Queue}]`, want: "https://sqs.eu-west-1.amazonaws.com/123456789012/q-prod"},
		{yaml: `!Sub ["${Env}", {Env: override}]`, want: "override"},
		{yaml: `!Sub ["${A}${B}", {A: 1, B: !Select [0, !Ref Names]}]`, want: "1a"},
		{yaml: `!Sub "${Ports}"`, err: "Template error: variable Ports in Fn::Sub expression does not resolve to a string"},
		{yaml: `!Sub "${Bucket.Names}"`, err: "Template error: variable Bucket.Names in Fn::Sub expression does not resolve to a string"},
		{yaml: `!Sub "x${AWS::NoValue}"`, err: "Template error: variable AWS::NoValue in Fn::Sub expression does not resolve to a string"},
		{yaml: `!Sub "${Nope}"`, err: unresolvedNope},
		{yaml: `!Sub "${Nope.Arn}"`, err: "Template error: instance of Fn::GetAtt references undefined resource Nope"},
		// Spaces around a name are ignored, as CloudFormation does.
		{yaml: `!Sub "${ Bucket}/${Env }/${ Bucket.Arn }"`, want: "demo-bucket-1/prod/arn:aws:s3:::demo-bucket-1"},
		{yaml: `!Sub ["${ Env }", {Env: override}]`, want: "override"},
		{yaml: `!Sub "${ }"`, err: "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"},
		{yaml: `!Sub "${ bad name }"`, err: "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"},
		{yaml: `!Sub "${bad-name}"`, err: "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"},
		{yaml: `!Sub ["${X}", {X: [a]}]`, err: "Template error: every value of the context object of every Fn::Sub object must be a string or a function that returns a string"},
		{yaml: `!Sub [a, b, c]`, err: "Template error: " + errSubArgs},
		{yaml: `{"Fn::Sub": {a: b}}`, err: "Template error: " + errSubArgs},
	})
}

func TestEvalJoinSelectSplit(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `!Join [",", [a, b, !Ref Env]]`, want: "a,b,prod"},
		{yaml: `!Join ["-", !Ref Names]`, want: "a-b-c"},
		{yaml: `!Join ["", []]`, want: ""},
		{yaml: `!Join ["", [1, true]]`, want: "1true"},
		{yaml: `!Join [",", [a, !Ref AWS::NoValue, b]]`, want: "a,b"},
		{yaml: `!Join [",", [a, [b]]]`, err: "Template error: " + errJoinArgs},
		{yaml: `!Join [","]`, err: "Template error: " + errJoinArgs},
		{yaml: `!Join [",", notalist]`, err: "Template error: " + errJoinArgs},
		{yaml: `!Select [1, [a, b]]`, want: "b"},
		{yaml: `!Select ["0", !Ref Ports]`, want: "80"},
		{yaml: `!Select [0, !GetAZs ""]`, want: "eu-west-1a"},
		{yaml: `!Select [2, [a]]`, err: "Template error: Fn::Select cannot select nonexistent value at index 2"},
		{yaml: `!Select [-1, [a]]`, err: "Template error: Fn::Select cannot select nonexistent value at index -1"},
		{yaml: `!Select [x, [a]]`, err: "Template error: " + errSelectIndex},
		{yaml: `!Select [0, notalist]`, err: "Template error: " + errSelectArgs},
		{yaml: `!Select [0]`, err: "Template error: " + errSelectArgs},
		{yaml: `!Split [",", "a,b,,c"]`, want: []any{"a", "b", "", "c"}},
		{yaml: `!Split ["|", !Join ["|", [x, y]]]`, want: []any{"x", "y"}},
		{yaml: `!Select [1, !Split ["/", !Ref AWS::StackId]]`, want: "demo"},
		{yaml: `!Split [",", [a]]`, err: "Template error: " + errSplitArgs},
		{yaml: `!Split [",", a, b]`, err: "Template error: " + errSplitArgs},
	})
}

func TestEvalConditionalsAndMaps(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `!If [IsProd, chosen, !Ref Nope]`, want: "chosen"}, // the other branch is not evaluated
		{yaml: `!If [IsDev, !Ref Nope, other]`, want: "other"},
		{yaml: `!If [Unknown, a, b]`, err: "Template error: unresolved condition dependency Unknown in Fn::If"},
		{yaml: `!If [IsProd, a]`, err: "Template error: Fn::If requires a list argument with three elements"},
		{yaml: `!If [[IsProd], a, b]`, err: "Template error: Fn::If requires a list argument with the first element being a condition"},
		{yaml: `!Equals [!Ref Count, 3]`, want: true},
		{yaml: `!Not [!Equals [a, b]]`, want: true},
		{yaml: `!And [!Equals [a, a], !Condition IsDev]`, want: false},
		{yaml: `!Or [!Equals [a, b], !Condition IsProd]`, want: true},
		{yaml: `!FindInMap [RegionMap, !Ref AWS::Region, AMI]`, want: "ami-123"},
		{yaml: `!FindInMap [RegionMap, eu-west-1, Zones]`, want: []any{"a", "b"}},
		{yaml: `!FindInMap [RegionMap, us-east-1, AMI, {DefaultValue: ami-000}]`, want: "ami-000"},
		{yaml: `!FindInMap [NoMap, a, b]`, err: "Template error: Mapping named 'NoMap' is not present in the 'Mappings' section of template"},
		{yaml: `!FindInMap [RegionMap, us-east-1, AMI]`, err: "Template error: Unable to get mapping for RegionMap::us-east-1::AMI"},
		{yaml: `!FindInMap [RegionMap, eu-west-1, Nope]`, err: "Template error: Unable to get mapping for RegionMap::eu-west-1::Nope"},
		{yaml: `!FindInMap [RegionMap, x]`, err: "Template error: " + errFindInMapArgs},
		{yaml: `!FindInMap [[RegionMap], x, y]`, err: "Template error: " + errFindInMapArgs},
	})
}

func TestEvalOtherFunctions(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `!Base64 hello`, want: "aGVsbG8="},
		{yaml: `!Base64 {"Fn::Sub": "${Env}"}`, want: "cHJvZA=="},
		{yaml: `!Base64 [a]`, err: "Template error: every Fn::Base64 object must have a String-typed value."},
		{yaml: `!GetAZs ""`, want: []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{yaml: `!GetAZs us-east-1`, want: []any{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{yaml: `!GetAZs {Ref: AWS::Region}`, want: []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{yaml: `!ImportValue shared-vpc`, want: "vpc-1"},
		{yaml: `!ImportValue {"Fn::Sub": "${Env}-vpc"}`, want: "vpc-2"},
		{yaml: `!ImportValue missing`, err: "No export named missing found."},
		{yaml: `!Cidr [10.0.0.0/16, 2, 8]`, want: []any{"10.0.0.0/24", "10.0.1.0/24"}},
		{yaml: `!Length [a, b, !Ref AWS::NoValue]`, want: json.Number("2")},
		{yaml: `!ToJsonString {a: [b, 1]}`, want: `{"a":["b",1]}`},
		{yaml: `!ToJsonString {n: [{numeric: [">", 1, "<", 2]}], s: "a&b"}`, want: `{"n":[{"numeric":[">",1,"<",2]}],"s":"a&b"}`},
		{yaml: `{"Fn::Bogus": x}`, err: "Template format error: Encountered unsupported function: Fn::Bogus"},
	})
}

func TestEvalNoValue(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{yaml: `{A: 1, B: !Ref AWS::NoValue}`, want: map[string]any{"A": json.Number("1")}},
		{yaml: `[a, !Ref AWS::NoValue, b]`, want: []any{"a", "b"}},
		{yaml: `!Ref AWS::NoValue`, want: nil},
		{yaml: `[!If [IsProd, !Ref AWS::NoValue, x], y]`, want: []any{"y"}},
		{yaml: `{Tags: [{Key: k, Value: !If [IsDev, v, !Ref AWS::NoValue]}]}`, want: map[string]any{"Tags": []any{map[string]any{"Key": "k"}}}},
		// A property named Condition is not the Condition function.
		{yaml: `{Condition: IsProd}`, want: map[string]any{"Condition": "IsProd"}},
		{yaml: `{Statement: [{Effect: Allow, Condition: {Bool: {aws:SecureTransport: false}}}]}`,
			want: map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": false}}}}}},
	})
}

func TestEvalTransformIsNotSupported(t *testing.T) {
	t.Parallel()
	ctx := evalEnv(t)
	_, err := Eval(valueOf(t, `!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}`), ctx)
	if !errors.Is(err, ErrNotSupported) {
		t.Fatalf("err %v, want ErrNotSupported", err)
	}
}

func TestEvalResolverErrorsPassThrough(t *testing.T) {
	t.Parallel()
	ctx := evalEnv(t)
	ctx.Resolver = &stack{} // nothing created yet
	_, err := Eval(map[string]any{"Tags": []any{map[string]any{"Ref": "Bucket"}}}, ctx)
	if !errors.Is(err, errNotCreated) || err.Error() != "resource Bucket: not created yet" {
		t.Fatalf("err %v", err)
	}
}

func TestEvalWithoutResolver(t *testing.T) {
	t.Parallel()
	ctx := evalEnv(t)
	ctx.Resolver = nil
	_, err := Eval(map[string]any{"Ref": "Bucket"}, ctx)
	wantError(t, err, "Template format error: Unresolved resource dependencies [Bucket] in the Resources block of the template")
	_, err = Eval(map[string]any{"Fn::ImportValue": "x"}, ctx)
	wantError(t, err, "No export named x found.")
	// Without a context at all, literals and pseudo parameters still work.
	got, err := Eval([]any{"a", map[string]any{"Fn::Join": []any{"-", []any{"b", "c"}}}}, nil)
	if err != nil || !reflect.DeepEqual(got, []any{"a", "b-c"}) {
		t.Fatalf("Eval(nil ctx) = %#v, %v", got, err)
	}
}

func TestEvalDoesNotModifyItsInput(t *testing.T) {
	t.Parallel()
	ctx := evalEnv(t)
	node := valueOf(t, `{A: !Ref Env, B: [!Ref AWS::NoValue, x]}`)
	before := valueOf(t, `{A: !Ref Env, B: [!Ref AWS::NoValue, x]}`)
	if _, err := Eval(node, ctx); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(node, before) {
		t.Errorf("input changed to %#v", node)
	}
}

func TestEvalErrorsCarryTheLine(t *testing.T) {
	t.Parallel()
	tmpl := mustParse(t, yamlDoc(
		"Resources:",
		"  Queue:",
		"    Type: AWS::SQS::Queue",
		"    Properties:",
		"      QueueName: ok",
		"      Tags:",
		"        - Key: zone",
		"          Value: !Select [5, !GetAZs '']",
	))
	_, err := Eval(tmpl.Resources["Queue"].Properties, &EvalContext{
		Template: tmpl,
		Values:   &Values{Pseudo: testPseudo},
		Path:     "/Resources/Queue/Properties",
	})
	e := wantError(t, err, "Template error: Fn::Select cannot select nonexistent value at index 5")
	if e.Path != "/Resources/Queue/Properties/Tags/0/Value" || e.Line != 8 || e.Column != 11 {
		t.Errorf("located at %s %d:%d", e.Path, e.Line, e.Column)
	}
	if got := e.Error(); got != "Template error: Fn::Select cannot select nonexistent value at index 5 (line 8, column 11)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestPseudoPartitions(t *testing.T) {
	t.Parallel()
	cases := []struct{ region, partition, suffix string }{
		{"us-east-1", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
	}
	for _, c := range cases {
		p := Pseudo{Region: c.region}
		if v, _ := p.Ref("AWS::Partition"); v != c.partition {
			t.Errorf("%s: partition %v", c.region, v)
		}
		if v, _ := p.Ref("AWS::URLSuffix"); v != c.suffix {
			t.Errorf("%s: suffix %v", c.region, v)
		}
	}
	if _, ok := (Pseudo{}).Ref("AWS::NoValue"); ok {
		t.Error("AWS::NoValue has a value")
	}
}
