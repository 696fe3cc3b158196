package e2e_test

import (
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// lambdaVars are the variables Lambda defines for a function
// ("Defined runtime environment variables"), and those virga adds.
var lambdaVars = []string{
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
	"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "_HANDLER",
	"LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_RUNTIME_API", "TZ", "LANG", "PATH",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
	"GREETING", "SECOND",
}

// envSeen is what the test function's env operation answers.
type envSeen struct {
	Env                                                  map[string]string
	FunctionName, FunctionVersion, InvokedArn, RequestID string
	MemoryLimitInMB                                      int
}

// TestLambdaProofEnvironment: a function sees the variables AWS sets, as
// AWS sets them, then its own; and with the credentials and endpoint it
// is given, it calls virga's STS as its execution role.
func TestLambdaProofEnvironment(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	sandboxed := probeSandbox(t, c, "env-probe", 128).pidNamespace
	user := map[string]string{"GREETING": "hello", "SECOND": "a=b c"}
	zip := goFunctionZip(t, "bootstrap")
	createGoFunction(t, c, "envfn", zip, func(in *lambda.CreateFunctionInput) {
		in.MemorySize = aws.Int32(256)
		in.Environment = &lambdatypes.Environment{Variables: user}
	})
	seen := func(name string, more ...func(*lambda.InvokeInput)) envSeen {
		t.Helper()
		out := invokeJSON(t, c, name, map[string]any{"op": "env", "names": lambdaVars}, more...)
		var s envSeen
		if err := json.Unmarshal(out.Payload, &s); err != nil || out.FunctionError != nil {
			t.Fatalf("env of %s: %v %q %s", name, err, aws.ToString(out.FunctionError), out.Payload)
		}
		return s
	}
	s := seen("envfn")
	e := s.Env
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "envfn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/envfn",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_EXECUTION_ENV":               "", // "not defined for OS-only runtimes (the provided family)"
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"AWS_ENDPOINT_URL":                env.Endpoint,
		"GREETING":                        "hello",
		"SECOND":                          "a=b c",
	}
	if sandboxed {
		want["LAMBDA_TASK_ROOT"] = "/var/task"
		want["LAMBDA_RUNTIME_DIR"] = "/var/runtime"
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %q; want %q", k, e[k], v)
		}
	}
	if !sandboxed && (!filepath.IsAbs(e["LAMBDA_TASK_ROOT"]) || !filepath.IsAbs(e["LAMBDA_RUNTIME_DIR"])) {
		t.Errorf("without the sandbox: LAMBDA_TASK_ROOT %q, LAMBDA_RUNTIME_DIR %q; want the directories", e["LAMBDA_TASK_ROOT"], e["LAMBDA_RUNTIME_DIR"])
	}
	if host, port, err := net.SplitHostPort(e["AWS_LAMBDA_RUNTIME_API"]); err != nil || host != "127.0.0.1" || port == "" {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q; want host:port on loopback", e["AWS_LAMBDA_RUNTIME_API"])
	}
	if !strings.HasPrefix(e["AWS_ACCESS_KEY_ID"], "ASIA") || e["AWS_SECRET_ACCESS_KEY"] == "" || e["AWS_SESSION_TOKEN"] == "" {
		t.Errorf("credentials: key %q, secret set %v, token set %v; want the execution role's temporary credentials",
			e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"] != "", e["AWS_SESSION_TOKEN"] != "")
	}
	if !strings.Contains(e["PATH"], "/usr/bin") {
		t.Errorf("PATH = %q", e["PATH"])
	}
	if s.FunctionName != "envfn" || s.FunctionVersion != "$LATEST" || s.MemoryLimitInMB != 256 ||
		s.InvokedArn != "arn:aws:lambda:us-east-1:"+testAccount+":function:envfn" {
		t.Errorf("context: %+v", s)
	}
	// The log stream the function is told of is the one its lines go to.
	stream := e["AWS_LAMBDA_LOG_STREAM_NAME"]
	if !streamNameRE.MatchString(stream) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q; want YYYY/MM/DD/[$LATEST] and 32 hex digits", stream)
	}
	logEvents(t, cloudwatchlogs.NewFromConfig(env.Config), "/aws/lambda/envfn", stream, func(m []string) bool {
		return containsLine(m, "REPORT RequestId: "+s.RequestID)
	})

	// A published version says so.
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("envfn")}); err != nil {
		t.Fatal(err)
	}
	v1 := seen("envfn:1")
	if v1.Env["AWS_LAMBDA_FUNCTION_VERSION"] != "1" || !strings.Contains(v1.Env["AWS_LAMBDA_LOG_STREAM_NAME"], "/[1]") || v1.FunctionVersion != "1" {
		t.Errorf("version 1: AWS_LAMBDA_FUNCTION_VERSION %q, stream %q, context version %q", v1.Env["AWS_LAMBDA_FUNCTION_VERSION"], v1.Env["AWS_LAMBDA_LOG_STREAM_NAME"], v1.FunctionVersion)
	}

	// Managed runtimes name themselves in AWS_EXECUTION_ENV.
	createGoFunction(t, c, "envgo", goFunctionZip(t, "handler"), func(in *lambda.CreateFunctionInput) {
		in.Runtime, in.Handler = lambdatypes.RuntimeGo1x, aws.String("handler")
	})
	if g := seen("envgo"); g.Env["AWS_EXECUTION_ENV"] != "AWS_Lambda_go1.x" || g.Env["_HANDLER"] != "handler" {
		t.Errorf("go1.x: AWS_EXECUTION_ENV %q, _HANDLER %q", g.Env["AWS_EXECUTION_ENV"], g.Env["_HANDLER"])
	}
	if _, err := exec.LookPath("python3"); err == nil || testenv.CI() {
		code := "import os\n\ndef handler(event, context):\n    return {k: os.environ.get(k) for k in event['names']}\n"
		createGoFunction(t, c, "envpy", zipOf(t, zipEntry{name: "app.py", body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimePython312, aws.String("app.handler"), nil
			in.Environment = &lambdatypes.Environment{Variables: user}
		})
		out := invokeJSON(t, c, "envpy", map[string]any{"names": []string{"AWS_EXECUTION_ENV", "_HANDLER", "AWS_LAMBDA_FUNCTION_NAME", "TZ", "GREETING"}})
		if !sameJSON(out.Payload, `{"AWS_EXECUTION_ENV":"AWS_Lambda_python3.12","_HANDLER":"app.handler","AWS_LAMBDA_FUNCTION_NAME":"envpy","TZ":":UTC","GREETING":"hello"}`) {
			t.Errorf("python3.12 environment: %q %s", aws.ToString(out.FunctionError), out.Payload)
		}
	}

	// The reserved variables are AWS's to set.
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("reserved"), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zip},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"AWS_REGION": "eu-west-1"}}})
	if ae := expectAPIError(t, err, "InvalidParameterValueException", 400); !strings.HasSuffix(ae.Message, "Reserved keys used in this request: AWS_REGION") {
		t.Errorf("reserved variable: %q", ae.Message)
	}

	// STS through the SDK, with what the function was given: its role,
	// as an assumed-role session named after the function.
	out := invokeJSON(t, c, "envfn", map[string]string{"op": "sts"})
	var who struct{ Arn, Account string }
	if err := json.Unmarshal(out.Payload, &who); err != nil || out.FunctionError != nil ||
		who.Arn != "arn:aws:sts::"+testAccount+":assumed-role/lambda-exec/envfn" || who.Account != testAccount {
		t.Errorf("GetCallerIdentity from the function: %q %s; want arn:aws:sts::%s:assumed-role/lambda-exec/envfn", aws.ToString(out.FunctionError), out.Payload, testAccount)
	}
}
