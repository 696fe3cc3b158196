package sam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/virga/virga/internal/cfn/template"
)

// FuzzTransform feeds parsed templates to Transform: it must not panic,
// and what it returns must be a JSON template without the transform.
func FuzzTransform(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"Transform: AWS::Serverless-2016-10-31\nResources: {}\n",
		"Transform: AWS::Serverless-2016-10-31\nGlobals: [1]\nResources: {A: {Type: AWS::SNS::Topic}}\n",
		"Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {InlineCode: x, Events: {E: {Type: HttpApi, Properties: {Path: 3}}}}\n",
		"Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {InlineCode: x, Events: {E: {Type: Api, Properties: {Path: /x, Method: any, Auth: {Authorizer: A}}}}}\n",
		"Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {InlineCode: x, Policies: [{SQSPollerPolicy: [1]}], AutoPublishAlias: {Ref: X}}\n",
		"Resources:\n  A:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: s, DefinitionBody: {paths: {/x: 1}}, Cors: {AllowOrigin: 1}}\n",
		"Resources:\n  A:\n    Type: AWS::Serverless::HttpApi\n    Properties: {DefinitionBody: {paths: []}, Auth: {Authorizers: {X: {JwtConfiguration: 1}}}}\n",
		"Resources:\n  T:\n    Type: AWS::Serverless::SimpleTable\n    Properties: {PrimaryKey: {Name: k, Type: Bool}}\n",
		`{"Resources": {"L": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": {"Bucket": "b", "Key": "k"}}}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := template.Parse(body)
		if err != nil {
			return
		}
		out, _, err := Transform(in.Tree, testOptions)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			return
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatalf("output is not JSON: %v", err)
		}
		again, err := template.Parse(b)
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		if again.HasTransform(TransformName) {
			t.Fatal("the output still declares the SAM transform")
		}
		if _, ok := out["Globals"]; ok {
			t.Fatal("the output keeps Globals")
		}
	})
}
