package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestIncludeLocalFiles: a transform alone is replaced by the snippet, one
// beside other keys merges its keys in, snippets may include others, and
// locations that are not local files are left to the server.
func TestIncludeLocalFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "specs"), 0o755)
	os.WriteFile(filepath.Join(dir, "specs", "api.yaml"), []byte("openapi: 3.0.1\npaths:\n  Fn::Transform:\n    Name: AWS::Include\n    Parameters:\n      Location: paths.json\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "specs", "paths.json"), []byte(`{"/a": {"get": {"x": {"Fn::Sub": "${AWS::Region}"}}}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "extra.yaml"), []byte("Extra: !Ref AWS::StackName\n"), 0o644)
	include := func(loc string) map[string]any {
		return map[string]any{"Fn::Transform": map[string]any{"Name": "AWS::Include", "Parameters": map[string]any{"Location": loc}}}
	}
	merged := include("extra.yaml")
	merged["Own"] = "kept"
	tree := map[string]any{
		"Body":   include("specs/api.yaml"),
		"Merged": merged,
		"Remote": include("s3://bucket/api.yaml"),
	}
	var notes []string
	got, err := includeLocalFiles(tree, dir, 0, func(n string) { notes = append(notes, n) })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Body": map[string]any{"openapi": "3.0.1", "paths": map[string]any{
			"/a": map[string]any{"get": map[string]any{"x": map[string]any{"Fn::Sub": "${AWS::Region}"}}}}},
		"Merged": map[string]any{"Own": "kept", "Extra": map[string]any{"Ref": "AWS::StackName"}},
		"Remote": include("s3://bucket/api.yaml"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	if len(notes) != 3 {
		t.Errorf("notes: %v", notes)
	}
	if _, err := includeLocalFiles(include("missing.yaml"), dir, 0, func(string) {}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a missing file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "loop.yaml"), []byte("Fn::Transform:\n  Name: AWS::Include\n  Parameters:\n    Location: loop.yaml\n"), 0o644)
	if _, err := includeLocalFiles(include("loop.yaml"), dir, 0, func(string) {}); err == nil {
		t.Error("a snippet that includes itself")
	}
}

// TestDeployIncludesOpenAPIFile deploys a SAM API whose DefinitionBody
// is an OpenAPI file included with AWS::Include, and one whose
// DefinitionUri names the file, as templates that keep their API
// definition beside them do, and calls both.
func TestDeployIncludesOpenAPIFile(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ./openapi.yaml
  UriApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v2
      DefinitionUri: openapi.yaml
Outputs:
  Url:
    Value: !Sub "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/v1/health"
  UriUrl:
    Value: !Sub "https://${UriApi}.execute-api.${AWS::Region}.amazonaws.com/v2/health"
`), 0o644)
	os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(`openapi: 3.0.1
info:
  title: included
  version: "1"
paths:
  /health:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"ok": true, "stage": "$context.stage"}'
      responses:
        "200":
          description: ok
`), 0o644)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "included")
	if !strings.Contains(out, "Included "+filepath.Join(dir, "openapi.yaml")) ||
		!strings.Contains(out, "Read UriApi's definition from "+filepath.Join(dir, "openapi.yaml")) {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	for output, stage := range map[string]string{"  Url: ": "v1", "UriUrl: ": "v2"} {
		_, url, _ := strings.Cut(out, output)
		url, _, _ = strings.Cut(url, "\n")
		res, err := http.Get(url)
		if err != nil {
			t.Fatalf("%v (virga deploy printed:\n%s)", err, out)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(body) != `{"ok": true, "stage": "`+stage+`"}` {
			t.Errorf("GET %s: %d %s", url, res.StatusCode, body)
		}
	}
}

// TestDeployStateMachineDefinitionFiles deploys a SAM state machine
// whose DefinitionUri is a YAML file beside the template, and a
// CloudFormation one whose DefinitionS3Location is a JSON file, and
// runs both.
func TestDeployStateMachineDefinitionFiles(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.yaml
      DefinitionSubstitutions:
        Greeting: hello
  Plain:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::000000000000:role/states
      DefinitionS3Location: plain.asl.json
Outputs:
  Flow:
    Value: !Ref Flow
  Plain:
    Value: !Ref Plain
`), 0o644)
	os.Mkdir(filepath.Join(dir, "statemachine"), 0o755)
	os.WriteFile(filepath.Join(dir, "statemachine", "flow.asl.yaml"), []byte(`StartAt: Say
States:
  Say:
    Type: Pass
    Result: ${Greeting}
    End: true
`), 0o644)
	os.WriteFile(filepath.Join(dir, "plain.asl.json"), []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":2,"End":true}}}`), 0o644)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "machines")
	if !strings.Contains(out, "Read Flow's definition from "+filepath.Join(dir, "statemachine", "flow.asl.yaml")) {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	c := sfn.NewFromConfig(env.Config)
	for output, want := range map[string]string{"  Flow: ": `"hello"`, "  Plain: ": `2`} {
		_, arn, _ := strings.Cut(out, output)
		arn, _, _ = strings.Cut(arn, "\n")
		res, err := c.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(strings.TrimSpace(arn))})
		if err != nil {
			t.Fatalf("%s: %v (virga deploy printed:\n%s)", arn, err, out)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			d, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: res.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != sfntypes.ExecutionStatusRunning {
				if aws.ToString(d.Output) != want {
					t.Errorf("%s: %s %s", arn, d.Status, aws.ToString(d.Output))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still running", arn)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
