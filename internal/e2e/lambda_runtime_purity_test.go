package e2e_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestLambdaPythonRuntimeHasOnlyWhatAWSProvides: a Python function
// imports what AWS's Python runtime provides (the standard library,
// boto3 and its dependencies), its own code and its layers', and nothing
// the host's python has besides: what works against virga works on AWS.
func TestLambdaPythonRuntimeHasOnlyWhatAWSProvides(t *testing.T) {
	t.Parallel()
	python := testenv.Tool(t, "python3")
	// Debian's python3-yaml (or a pip-installed PyYAML) is on the host;
	// AWS's runtimes have no yaml module.
	if exec.Command(python, "-c", "import yaml, boto3").Run() != nil {
		t.Skip("the host's python3 lacks yaml or boto3: nothing to prove here (Debian: python3-yaml, python3-boto3)")
	}
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	layer, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("pylib"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: zipOf(t, zipEntry{name: "python/layermod.py", body: []byte("VALUE = 'from a layer'\n")})}})
	if err != nil {
		t.Fatal(err)
	}
	create := func(name, code string) {
		createGoFunction(t, c, name, zipOf(t, zipEntry{name: "app.py", body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimePython312, aws.String("app.handler"), nil
			in.Layers = []string{aws.ToString(layer.LayerVersionArn)}
		})
	}

	create("yaml-user", "import yaml\n\ndef handler(event, context):\n    return yaml.safe_dump(event)\n")
	doc := wantUnhandled(t, "import yaml", invokeJSON(t, c, "yaml-user", map[string]string{}))
	// AWS: {"errorMessage": "Unable to import module 'app': No module named 'yaml'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
	if doc.ErrorType != "Runtime.ImportModuleError" || doc.ErrorMessage != "Unable to import module 'app': No module named 'yaml'" {
		t.Errorf("import yaml: %s %q", doc.ErrorType, doc.ErrorMessage)
	}

	create("sdk-user", `import os, sys
import boto3, layermod

def handler(event, context):
    arn = boto3.client("sts").get_caller_identity()["Arn"]
    return {"path": sys.path, "arn": arn, "layer": layermod.VALUE,
            "task": os.environ["LAMBDA_TASK_ROOT"], "runtime": os.environ["LAMBDA_RUNTIME_DIR"],
            "version": "%d.%d" % sys.version_info[:2]}
`)
	out := invokeJSON(t, c, "sdk-user", map[string]string{})
	var got struct {
		Path                               []string
		Arn, Layer, Task, Runtime, Version string
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil {
		t.Fatalf("boto3 and a layer's module: %v %s %s", err, aws.ToString(out.FunctionError), out.Payload)
	}
	if !strings.Contains(got.Arn, ":assumed-role/") || got.Layer != "from a layer" {
		t.Errorf("boto3 call %q, layer module %q", got.Arn, got.Layer)
	}
	// AWS's documented order: the code (/var/task) first, then the
	// layers' /opt/python/lib/python3.x/site-packages and /opt/python,
	// then the runtime's libraries; the standard library after them.
	if len(got.Path) < 6 {
		t.Fatalf("sys.path %q", got.Path)
	}
	opt := strings.TrimSuffix(got.Path[2], "/python")
	if got.Task == "/var/task" && opt != "/opt" {
		t.Errorf("sandboxed, the layers are at %q, not /opt: sys.path %q", opt, got.Path)
	}
	want := []string{got.Task, opt + "/python/lib/python" + got.Version + "/site-packages", opt + "/python", got.Runtime + "/site-packages", got.Runtime}
	for i, p := range want {
		if got.Path[i] != p {
			t.Errorf("sys.path[%d] = %q, want %q: sys.path %q", i, got.Path[i], p, got.Path)
		}
	}
	for _, p := range got.Path[len(want):] {
		if strings.HasSuffix(p, "-packages") {
			t.Errorf("sys.path has the host's %q: %q", p, got.Path)
		}
	}
}

// TestLambdaNodeRuntimeHasOnlyWhatAWSProvides: a Node function that
// requires a package it does not bundle fails as on AWS, with the
// runtime's file at the end of the require stack, while the AWS SDK for
// JavaScript v3, which AWS's runtimes include, loads.
func TestLambdaNodeRuntimeHasOnlyWhatAWSProvides(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	testenv.Tool(t, "npm")
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	create := func(name, file, code string) {
		createGoFunction(t, c, name, zipOf(t, zipEntry{name: file, body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimeNodejs20x, aws.String("index.handler"), nil
		})
	}
	create("yaml-user", "index.js", "const yaml = require('js-yaml');\nexports.handler = async (e) => yaml.dump(e);\n")
	doc := wantUnhandled(t, "require js-yaml", invokeJSON(t, c, "yaml-user", map[string]string{}))
	// AWS: {"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'aws-sdk'\nRequire stack:\n- /var/task/index.js\n- /var/runtime/index.mjs", ...}
	head, stack, _ := strings.Cut(doc.ErrorMessage, "\nRequire stack:\n")
	lines := strings.Split(stack, "\n")
	if doc.ErrorType != "Runtime.ImportModuleError" || head != "Error: Cannot find module 'js-yaml'" || len(lines) != 2 ||
		!strings.HasSuffix(lines[0], "/index.js") || !strings.HasSuffix(lines[1], "/index.mjs") {
		t.Errorf("require js-yaml: %s %q", doc.ErrorType, doc.ErrorMessage)
	}
	if strings.HasPrefix(lines[0], "- /var/task/") && doc.ErrorMessage != "Error: Cannot find module 'js-yaml'\nRequire stack:\n- /var/task/index.js\n- /var/runtime/index.mjs" {
		t.Errorf("require js-yaml, sandboxed: %q", doc.ErrorMessage)
	}

	create("s3-user", "index.mjs", `import { S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async () => ({ buckets: ((await s3.send(new ListBucketsCommand({}))).Buckets || []).length });
`)
	out := invokeJSON(t, c, "s3-user", map[string]string{})
	if out.FunctionError != nil || string(out.Payload) != `{"buckets":0}` {
		t.Errorf("@aws-sdk/client-s3: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}
