package template

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidateAcceptsGoodTemplates(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"minimal": "Resources:\n  R: {Type: AWS::SNS::Topic}\n",
		"everything": yamlDoc(
			"AWSTemplateFormatVersion: '2010-09-09'",
			"Description: all sections",
			"Metadata: {Author: me}",
			"Parameters:",
			"  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}",
			"Mappings:",
			"  M: {dev: {Size: 1, Names: [a, b]}}",
			"Conditions:",
			"  IsProd: !Equals [!Ref Env, prod]",
			"  Any: !Or [!Condition IsProd, !Equals [!Ref 'AWS::Region', us-east-1]]",
			"Rules:",
			"  R1: {Assertions: [{Assert: !Not [!Equals [!Ref Env, x]]}]}",
			"Resources:",
			"  Topic:",
			"    Type: AWS::SNS::Topic",
			"    Condition: IsProd",
			"    DeletionPolicy: Retain",
			"    UpdateReplacePolicy: Snapshot",
			"    Metadata: {Note: !Sub '${AWS::StackName}'}",
			"  Queue:",
			"    Type: AWS::SQS::Queue",
			"    DependsOn: [Topic]",
			"    CreationPolicy: {ResourceSignal: {Count: 1}}",
			"    UpdatePolicy: {}",
			"    Properties:",
			"      QueueName: !Sub '${Env}-${Topic.TopicName}'",
			"      Size: !FindInMap [M, !Ref Env, Size]",
			"      Other: !If [IsProd, !GetAtt Topic.TopicArn, !Ref 'AWS::NoValue']",
			"      Literal: !Sub ['${!Literal}-${X}', {X: !Ref Env}]",
			"Outputs:",
			"  QueueUrl:",
			"    Description: the queue",
			"    Value: !Ref Queue",
			"    Condition: Any",
			"    Export: {Name: !Sub '${AWS::StackName}-queue'}",
		),
		"json": `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["B", "Arn"]}}}, "B": {"Type": "T"}}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := mustParse(t, body).Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidateErrors(t *testing.T) {
	t.Parallel()
	const res = "Resources:\n  A: {Type: T}\n"
	cases := []struct {
		name, body, want string
		line             int
	}{
		{"no resources", "Description: x\n", "Template format error: At least one Resources member must be defined.", 0},
		{"empty resources", "Resources: {}\n", "Template format error: At least one Resources member must be defined.", 0},
		{"unknown sections", res + "Bogus: 1\nAlso: 2\n", "Template format error: Invalid template property or properties [Also, Bogus]", 4},
		{"globals without SAM", res + "Globals: {}\n", "Template format error: Invalid template property or properties [Globals]", 3},
		{"bad version", "AWSTemplateFormatVersion: 2011-01-01\n" + res, "Template format error: unsupported value for AWSTemplateFormatVersion.", 1},
		{"null", "Resources:\n  A:\n    Type: T\n    Properties:\n      Name:\n", "[/Resources/A/Type/Name] 'null' values are not allowed in templates", 5},
		{"null output", res + "Outputs:\n  O:\n    Value:\n", "[/Outputs/O/Value] 'null' values are not allowed in templates", 5},
		{"no type", "Resources:\n  A:\n    Properties: {}\n", "Template format error: [/Resources/A] Every Resources object must contain a Type member.", 2},
		{"resource not a map", "Resources:\n  A: [x]\n", "Template format error: Any Resources member must be a JSON object.", 2},
		{"resource name", "Resources:\n  my-bucket: {Type: T}\n", "Template format error: Resource name my-bucket is non alphanumeric.", 2},
		{"resource attribute", "Resources:\n  A:\n    Type: T\n    Propertes: {}\n", "Invalid template resource property 'Propertes'", 4},
		{"deletion policy", "Resources:\n  A: {Type: T, DeletionPolicy: Keep}\n", "Template format error: Unrecognized DeletionPolicy Keep for resource A", 2},
		{"properties not a map", "Resources:\n  A: {Type: T, Properties: [a]}\n", "Template format error: [/Resources/A/Properties] Every Properties member must be an object.", 2},
		{"unknown resource condition", res + "  B: {Type: T, Condition: Nope}\n", "Template format error: Unresolved condition dependencies [Nope] in the Resources block of the template", 3},
		{"unresolved refs", "Resources:\n  A:\n    Type: T\n    Properties:\n      X: !Ref Nope\n      Y: !Sub '${Other}'\n      Z: !Ref Nope\n",
			"Template format error: Unresolved resource dependencies [Nope, Other] in the Resources block of the template", 5},
		{"unresolved in dead branch", "Conditions:\n  C: !Equals [a, b]\nResources:\n  A:\n    Type: T\n    Properties:\n      X: !If [C, !Ref Nope, x]\n",
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template", 7},
		{"depends on unknown", "Resources:\n  A: {Type: T, DependsOn: [B, Nope]}\n  B: {Type: T}\n",
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template", 2},
		{"getatt unknown", "Resources:\n  A:\n    Type: T\n    Properties:\n      X: !GetAtt Nope.Arn\n", "Template error: instance of Fn::GetAtt references undefined resource Nope", 5},
		{"sub attribute unknown", "Resources:\n  A:\n    Type: T\n    Properties:\n      X: !Sub '${Nope.Arn}'\n", "Template error: instance of Fn::Sub references invalid resource attribute Nope.Arn", 5},
		{"getatt arity", "Resources:\n  A:\n    Type: T\n    Properties:\n      X: !GetAtt [A]\n", "Template error: " + errGetAttArgs, 5},
		{"join arity", res + "  B:\n    Type: T\n    Properties:\n      X: !Join [',']\n", "Template error: " + errJoinArgs, 6},
		{"select arity", res + "  B:\n    Type: T\n    Properties:\n      X: !Select [1]\n", "Template error: " + errSelectArgs, 6},
		{"split arity", res + "  B:\n    Type: T\n    Properties:\n      X: !Split [',']\n", "Template error: " + errSplitArgs, 6},
		{"sub arity", res + "  B:\n    Type: T\n    Properties:\n      X: !Sub [a, b, c]\n", "Template error: " + errSubArgs, 6},
		{"sub variable name", res + "  B:\n    Type: T\n    Properties:\n      X: !Sub '${a b}'\n", "Template error: " + errSubVarName, 6},
		{"sub context key", res + "  B:\n    Type: T\n    Properties:\n      X: !Sub ['${a}', {a-b: x}]\n", "Template error: every key of the context object of every Fn::Sub object must contain only alphanumeric characters and underscores", 6},
		{"ref of a map", res + "  B:\n    Type: T\n    Properties:\n      X: {Ref: {a: b}}\n", "Template format error: Every Ref object must have a single String value.", 6},
		{"unknown function", res + "  B:\n    Type: T\n    Properties:\n      X: {'Fn::Nope': 1}\n", "Template format error: Encountered unsupported function: Fn::Nope", 6},
		{"if condition unknown", res + "  B:\n    Type: T\n    Properties:\n      X: !If [Nope, a, b]\n", "Template error: unresolved condition dependency Nope in Fn::If", 6},
		{"if arity", res + "  B:\n    Type: T\n    Properties:\n      X: !If [C, a]\n", "Template error: Fn::If requires a list argument with three elements", 6},
		{"findinmap unknown map", res + "  B:\n    Type: T\n    Properties:\n      X: !FindInMap [Nope, a, b]\n", "Template error: Mapping named 'Nope' is not present in the 'Mappings' section of template", 6},
		{"cycle", "Resources:\n  A:\n    Type: T\n    Properties: {X: !Ref B}\n  B:\n    Type: T\n    Properties: {X: !GetAtt C.Arn}\n  C:\n    Type: T\n    DependsOn: A\n  D:\n    Type: T\n    DependsOn: A\n",
			"Circular dependency between resources: [A, B, C]", 2},
		{"self cycle", "Resources:\n  A:\n    Type: T\n    Properties: {X: !Sub '${A.Arn}'}\n", "Circular dependency between resources: [A]", 2},
		{"condition refs resource", "Conditions:\n  C: !Equals [!Ref A, x]\n" + res, "Template format error: Unresolved dependencies [A]. Cannot reference resources in the Conditions block of the template", 2},
		{"condition unknown condition", "Conditions:\n  C: !Not [!Condition D]\n" + res, "Template format error: Unresolved condition dependencies [D] in the Conditions block of the template", 2},
		{"condition cycle", "Conditions:\n  C: !Not [!Condition D]\n  D: !Not [!Condition C]\n" + res, "Template format error: Circular dependency between conditions: [C, D]", 2},
		{"parameter type", "Parameters:\n  P: {Type: Str}\n" + res, "Template format error: Unrecognized parameter type: Str", 2},
		{"parameter without type", "Parameters:\n  P: {Default: x}\n" + res, "Template format error: Every Parameters object must contain a Type member.", 2},
		{"parameter property", "Parameters:\n  P: {Type: String, Min: 1}\n" + res, "Invalid template parameter property 'Min'", 2},
		{"parameter name", "Parameters:\n  P-1: {Type: String}\n" + res, "Template format error: Parameter name P-1 is non alphanumeric.", 2},
		{"mapping shape", "Mappings:\n  M: {a: b}\n" + res, "Template format error: Every Mappings member a must be a map", 2},
		{"output without value", res + "Outputs:\n  O: {Description: x}\n", "Template format error: Every Outputs member must contain a Value object", 4},
		{"output ref unknown", res + "Outputs:\n  O: {Value: !Ref Nope}\n", "Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template", 4},
		{"output getatt unknown", res + "Outputs:\n  O: {Value: !GetAtt Nope.Arn}\n", "Template error: instance of Fn::GetAtt references undefined resource Nope", 4},
		{"output condition", res + "Outputs:\n  O: {Value: x, Condition: Nope}\n", "Template format error: Unresolved condition dependencies [Nope] in the Outputs block of the template", 4},
		{"export depends on resource", res + "Outputs:\n  O:\n    Value: x\n    Export: {Name: !Sub '${A}-name'}\n",
			"Template format error: Output O is malformed.  The Name field of Export must not depend on any resources, imported values, or Fn::GetAZs.", 6},
		{"export imports", res + "Outputs:\n  O:\n    Value: x\n    Export: {Name: !ImportValue other}\n",
			"Template format error: Output O is malformed.  The Name field of Export must not depend on any resources, imported values, or Fn::GetAZs.", 6},
		{"transform shape", "Transform: {a: b}\n" + res, "Template format error: Transform must be a string or a list of strings.", 1},
		{"transform list shape", "Transform: [a, [b]]\n" + res, "Template format error: Transform must be a string or a list of strings.", 1},
		{"export uses GetAZs", res + "Outputs:\n  O:\n    Value: x\n    Export: {Name: !Select [0, !GetAZs '']}\n",
			"Template format error: Output O is malformed.  The Name field of Export must not depend on any resources, imported values, or Fn::GetAZs.", 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := mustParse(t, c.body).Validate()
			e := wantError(t, err, c.want)
			if e.Line != c.line {
				t.Errorf("line %d, want %d (path %q)", e.Line, c.line, e.Path)
			}
		})
	}
}

func TestValidateResourceLimit(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range maxResources + 1 {
		fmt.Fprintf(&b, "  R%d: {Type: T}\n", i)
	}
	err := mustParse(t, b.String()).Validate()
	wantError(t, err, "Template format error: Number of resources, 501, is greater than maximum allowed, 500")
}

func TestValidateSAMTemplateBeforeTransform(t *testing.T) {
	t.Parallel()
	// SAM resources may carry attributes plain CloudFormation does not
	// know, and refer to resources the transform creates.
	body := yamlDoc(
		"Transform: AWS::Serverless-2016-10-31",
		"Globals: {Function: {Timeout: 3}}",
		"Resources:",
		"  Fn:",
		"    Type: AWS::Serverless::Function",
		"    Connectors: {Write: {Properties: {Destination: {Id: Table}}}}",
		"    Properties: {Role: !GetAtt FnRole.Arn}",
	)
	if err := mustParse(t, body).Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	// What a transform cannot fix is still reported.
	err := mustParse(t, "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn: {Properties: {}}\n").Validate()
	wantError(t, err, "Template format error: [/Resources/Fn] Every Resources object must contain a Type member.")
}

// TestValidateNullBeforeTransform: a template with a transform may hold
// nulls where the transform takes them away, as SAM does with the
// "ResultPath": null of a state machine's inline Definition; without a
// transform the null is an error.
func TestValidateNullBeforeTransform(t *testing.T) {
	t.Parallel()
	const res = "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n" +
		"      Definition: {StartAt: A, States: {A: {Type: Pass, ResultPath: null, End: true}}}\n"
	if err := mustParse(t, "Transform: AWS::Serverless-2016-10-31\n"+res).Validate(); err != nil {
		t.Fatalf("Validate with a transform: %v", err)
	}
	err := mustParse(t, res).Validate()
	wantError(t, err, "[/Resources/Flow/Type/Definition/States/A/ResultPath] 'null' values are not allowed in templates")
}

// TestValidateDynamicReferences: dynamic references in resource
// properties must parse; custom resources read no secure values; outputs
// hold none.
func TestValidateDynamicReferences(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: '{{resolve:ssm:/app/name}}'\n":                     "",
		"Resources:\n  F:\n    Type: T\n    Properties:\n      Env: {Vars: {K: !Sub 'x-{{resolve:secretsmanager:db:SecretString:pw}}'}}\n": "",
		// The CDK's secret.secretValueFromJson: a reference joined around a Ref.
		"Resources:\n  S: {Type: T}\n  R:\n    Type: T\n    Properties: {A: !Join ['', ['{{resolve:secretsmanager:', !Ref S, ':SecretString:password::}}']]}\n":      "",
		"Resources:\n  S: {Type: T}\n  R:\n    Type: Custom::Thing\n    Properties: {ServiceToken: x, A: !Join ['', ['{{resolve:secretsmanager:', !Ref S, '}}']]}\n": "Template error: Resource R: the dynamic reference {{resolve:secretsmanager:... reads a secure value, which custom resources cannot use",
		"Resources:\n  R: {Type: T}\nOutputs:\n  O: {Value: '{{resolve:ssm-secure:k}}'}\n":                                                                           "Output O: dynamic references are resolved in resource properties only",
		"Resources:\n  R:\n    Type: T\n    Properties: {A: '{{resolve:nope:k}}'}\n":                                                                                 "Template error: Resource R: Dynamic reference {{resolve:nope:k}} names service nope; supported services are ssm, ssm-secure and secretsmanager",
		"Resources:\n  R:\n    Type: Custom::Thing\n    Properties: {ServiceToken: x, A: '{{resolve:secretsmanager:s}}'}\n":                                          "Template error: Resource R: the dynamic reference {{resolve:secretsmanager:s}} reads a secure value, which custom resources cannot use",
	} {
		err := mustParse(t, body).Validate()
		if (err == nil && want != "") || (err != nil && err.Error() != want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
	many := "Resources:\n  R:\n    Type: T\n    Properties:\n      A: '" + strings.Repeat("{{resolve:ssm:/p}}", 61) + "'\n"
	if err := mustParse(t, many).Validate(); err == nil {
		t.Error("61 dynamic references validated")
	}
	// Braces that are not a dynamic reference are text.
	if err := mustParse(t, "Resources:\n  R:\n    Type: T\n    Properties: {A: '{{name}}'}\n").Validate(); err != nil {
		t.Errorf("{{name}}: %v", err)
	}
}
