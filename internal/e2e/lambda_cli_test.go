package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaCLI creates, inspects, invokes and deletes a function with
// Debian's aws CLI (botocore), a second client of Lambda's restJson1
// API besides aws-sdk-go-v2.
func TestLambdaCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	lambdaClient(t, env) // skips until lambda is wired
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "function.zip")
	if err := os.WriteFile(zipPath, goFunctionZip(t, "bootstrap"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(v any, args ...string) {
		t.Helper()
		res := env.CLI(t, append([]string{"lambda"}, args...)...)
		if res.ExitCode != 0 {
			t.Fatalf("aws lambda %s: exit %d\nstdout: %s\nstderr: %s", args[0], res.ExitCode, res.Stdout, res.Stderr)
		}
		if v != nil {
			cliJSON(t, res, v)
		}
	}
	var created struct {
		FunctionName, FunctionArn, Runtime, State, CodeSha256 string
		MemorySize                                            int
	}
	run(&created, "create-function", "--function-name", "cli-fn", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", lambdaRole, "--zip-file", "fileb://"+zipPath, "--architectures", string(hostArchitecture()), "--memory-size", "256")
	if created.FunctionName != "cli-fn" || created.FunctionArn != "arn:aws:lambda:us-east-1:"+testAccount+":function:cli-fn" ||
		created.Runtime != "provided.al2023" || created.State != "Pending" || created.MemorySize != 256 || created.CodeSha256 == "" {
		t.Errorf("create-function: %+v", created)
	}
	run(nil, "wait", "function-active-v2", "--function-name", "cli-fn")
	var got struct {
		Configuration struct{ State string }
		Code          struct{ Location string }
	}
	run(&got, "get-function", "--function-name", "cli-fn")
	if got.Configuration.State != "Active" || got.Code.Location == "" {
		t.Errorf("get-function: %+v", got)
	}
	outPath := filepath.Join(dir, "out.json")
	var inv struct {
		StatusCode      int
		ExecutedVersion string
		FunctionError   string
	}
	run(&inv, "invoke", "--function-name", "cli-fn", "--cli-binary-format", "raw-in-base64-out", "--payload", `{"op":"echo","from":"cli"}`, outPath)
	body, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if inv.StatusCode != 200 || inv.ExecutedVersion != "$LATEST" || inv.FunctionError != "" || !sameJSON(body, `{"op":"echo","from":"cli"}`) {
		t.Errorf("invoke: %+v, %s", inv, body)
	}
	var list struct {
		Functions []struct{ FunctionName string }
	}
	run(&list, "list-functions")
	if len(list.Functions) != 1 || list.Functions[0].FunctionName != "cli-fn" {
		t.Errorf("list-functions: %+v", list)
	}
	run(nil, "delete-function", "--function-name", "cli-fn")
	res := env.CLI(t, "lambda", "get-function", "--function-name", "cli-fn")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ResourceNotFoundException") || !strings.Contains(res.Stderr, "Function not found: arn:aws:lambda:us-east-1:"+testAccount+":function:cli-fn") {
		t.Errorf("get-function after delete: exit %d, %s", res.ExitCode, res.Stderr)
	}
}
