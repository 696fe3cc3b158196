package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// cliS3Env is the environment in which the aws CLI's `cloudformation
// package` and `deploy --s3-bucket` upload to virga: AWS_ENDPOINT_URL,
// and the plugin scripts/awscli-plugin, which Debian's aws CLI (2.9)
// needs because it gives those commands' S3 client no endpoint.
func cliS3Env(t *testing.T, env *e2e.Env) map[string]string {
	t.Helper()
	plugin, err := filepath.Abs("../../scripts/awscli-plugin")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[plugins]\ncli_legacy_plugin_path = "+plugin+"\nvirga_s3 = virga_s3_endpoint\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"AWS_CONFIG_FILE": config, "AWS_ENDPOINT_URL": env.Endpoint}
}

const packagedTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters:
        QueueName: packaged-queue
Outputs:
  FnName:
    Value: !Ref Fn
  QueueUrl:
    Value: !GetAtt Nested.Outputs.QueueUrl
`

const packagedChild = `Parameters:
  QueueName:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

// TestCLICloudFormationPackageAndDeploy runs `aws cloudformation
// package` on a SAM template with a function's code directory and a
// nested stack's template, then `aws cloudformation deploy` on what it
// wrote; and deploys a template over 51,200 bytes with --s3-bucket, as
// the CLI requires.
func TestCLICloudFormationPackageAndDeploy(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	vars := cliS3Env(t, env)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(event, context):\n    return {'packaged': True}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "child.yaml"), []byte(packagedChild), 0o644)
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(packagedTemplate), 0o644)
	out := filepath.Join(dir, "packaged.yaml")

	cliOK(t, env.CLIWith(t, vars, "s3", "mb", "s3://deploy-artifacts"), "s3 mb")
	cliOK(t, env.CLIWith(t, vars, "cloudformation", "package", "--s3-bucket", "deploy-artifacts",
		"--template-file", filepath.Join(dir, "template.yaml"), "--output-template-file", out), "cloudformation package")
	packaged, _ := os.ReadFile(out)
	if !strings.Contains(string(packaged), "CodeUri: s3://deploy-artifacts/") ||
		!strings.Contains(string(packaged), "TemplateURL: "+env.Endpoint+"/deploy-artifacts/") {
		t.Fatalf("packaged template:\n%s", packaged)
	}
	cliOK(t, env.CLIWith(t, vars, "cloudformation", "deploy", "--template-file", out, "--stack-name", "packaged",
		"--capabilities", "CAPABILITY_IAM"), "cloudformation deploy")
	var stacks struct {
		Stacks []struct {
			StackStatus string
			Outputs     []struct{ OutputKey, OutputValue string }
		}
	}
	cliJSON(t, env.CLIWith(t, vars, "cloudformation", "describe-stacks", "--stack-name", "packaged"), &stacks)
	outs := map[string]string{}
	for _, o := range stacks.Stacks[0].Outputs {
		outs[o.OutputKey] = o.OutputValue
	}
	if stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" || !strings.HasSuffix(outs["QueueUrl"], "/packaged-queue") {
		t.Fatalf("stack: %+v", stacks)
	}
	if res := invokeJSON(t, lambdaClient(t, env), outs["FnName"], map[string]any{}); string(res.Payload) != `{"packaged": true}` {
		t.Errorf("the packaged function answered %s", res.Payload)
	}

	// A template over 51,200 bytes: deploy refuses it without a bucket,
	// and uploads it to the bucket and passes its URL with one.
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range 180 {
		fmt.Fprintf(&b, "  Topic%d:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: %s\n", i, strings.Repeat("d", 250))
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte(b.String()), 0o644)
	res := env.CLIWith(t, vars, "cloudformation", "deploy", "--template-file", big, "--stack-name", "big")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "greater than 51,200 bytes must be deployed via an S3 Bucket") {
		t.Errorf("deploy of a large template without --s3-bucket: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	cliOK(t, env.CLIWith(t, vars, "cloudformation", "deploy", "--template-file", big, "--stack-name", "big",
		"--s3-bucket", "deploy-artifacts"), "cloudformation deploy --s3-bucket")
	var resources struct {
		StackResourceSummaries []struct{ ResourceStatus string }
	}
	cliJSON(t, env.CLIWith(t, vars, "cloudformation", "list-stack-resources", "--stack-name", "big"), &resources)
	if len(resources.StackResourceSummaries) != 180 {
		t.Errorf("big stack has %d resources", len(resources.StackResourceSummaries))
	}

	cliOK(t, env.CLIWith(t, vars, "cloudformation", "delete-stack", "--stack-name", "packaged"), "delete-stack")
	cliOK(t, env.CLIWith(t, vars, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "packaged"), "wait stack-delete-complete")
}
