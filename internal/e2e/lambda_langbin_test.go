package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaLayerScriptRunsWithVarLangBinPython: a layer's script whose
// #! line names /var/lang/bin/python, where AWS's runtimes keep their
// interpreter, runs from a sandboxed Python function, as the AWS CLI in
// the AWS CDK's BucketDeployment layer (/opt/awscli/aws) does.
func TestLambdaLayerScriptRunsWithVarLangBinPython(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	layer, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("cli"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: zipOf(t, zipEntry{name: "tool/run",
			body: []byte("#!/var/lang/bin/python\nimport sys\nprint('layer tool', sys.argv[1])\n"), mode: 0o755})}})
	if err != nil {
		t.Fatal(err)
	}
	code := `import os, subprocess

def handler(event, context):
    out = {"task": os.environ["LAMBDA_TASK_ROOT"]}
    if out["task"] == "/var/task":
        out["tool"] = subprocess.run(["/opt/tool/run", "ok"], capture_output=True, text=True, check=True).stdout
        out["node"] = os.path.exists("/var/lang/bin/node")
    return out
`
	createGoFunction(t, c, "uses-tool", zipOf(t, zipEntry{name: "app.py", body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
		in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimePython312, aws.String("app.handler"), nil
		in.Layers = []string{aws.ToString(layer.LayerVersionArn)}
	})
	out := invokeJSON(t, c, "uses-tool", map[string]string{})
	var got struct {
		Task, Tool string
		Node       bool
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil {
		t.Fatalf("%v %s %s", err, aws.ToString(out.FunctionError), out.Payload)
	}
	if got.Task != "/var/task" {
		t.Skip("functions run as plain processes (virga is not root): no /var/lang/bin to prove")
	}
	if got.Tool != "layer tool ok\n" || got.Node {
		t.Errorf("the layer's tool said %q; /var/lang/bin/node in a Python runtime: %v", got.Tool, got.Node)
	}
}
