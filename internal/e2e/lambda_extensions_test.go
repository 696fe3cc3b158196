package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// extensionLayerZip builds testdata/PROG (an extension's main
// package) as a layer's extensions/PROG.
func extensionLayerZip(t testing.TB, prog string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), prog)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./testdata/"+prog)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test extension: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, zipEntry{name: "extensions/" + prog, body: bin, mode: 0o755})
}

// An external extension in a layer starts with the environment,
// registers, sees each invocation, and gets SHUTDOWN when the
// environment ends; its output is the function's.
func TestLambdaExternalExtension(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	pub, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("ext"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: extensionLayerZip(t, "lambdaext")}})
	if err != nil {
		t.Fatal(err)
	}
	createGoFunction(t, c, "withext", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.Layers = []string{aws.ToString(pub.LayerVersionArn)}
	})

	var ids []string
	for i := 0; i < 2; i++ {
		out := invokeJSON(t, c, "withext", map[string]string{"op": "echo", "message": "hi"}, withTail)
		if out.FunctionError != nil {
			t.Fatalf("invoke: %s %s", aws.ToString(out.FunctionError), out.Payload)
		}
		if !sameJSON(out.Payload, `{"op":"echo","message":"hi"}`) {
			t.Fatalf("payload %s", out.Payload)
		}
		id := requestIDOf(t, out)
		if tail := tailOf(t, out); !strings.Contains(tail, "[lambdaext] INVOKE "+id+"\n") {
			t.Fatalf("invocation %d: the extension's INVOKE line is not in the log tail:\n%s", i, tail)
		}
		ids = append(ids, id)
	}

	// A new configuration retires the environment: SHUTDOWN.
	msgs := retiredLog(t, env, c, "withext")
	var registered string
	for _, m := range msgs {
		if r, ok := strings.CutPrefix(m, "[lambdaext] registered 200 "); ok {
			registered = strings.TrimSpace(r)
		}
	}
	var info map[string]string
	if err := json.Unmarshal([]byte(registered), &info); err != nil {
		t.Fatalf("register answer %q: %v\n%q", registered, err, msgs)
	}
	want := map[string]string{"functionName": "withext", "functionVersion": "$LATEST", "handler": "bootstrap", "accountId": testAccount}
	for k, v := range want {
		if info[k] != v {
			t.Fatalf("register answer %s: %s = %q, want %q", registered, k, info[k], v)
		}
	}
	for _, id := range ids {
		if !containsLine(msgs, "[lambdaext] INVOKE "+id) {
			t.Fatalf("no INVOKE line for %s in %q", id, msgs)
		}
	}
}

// The caller has its answer as soon as the function returned, while the
// extension takes a second over the INVOKE event; the REPORT, whose
// duration covers that second, follows the extension's work. A timed-out
// invocation resets the environment: the extension gets SHUTDOWN with
// reason timeout.
func TestLambdaExtensionAfterAnswer(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	pub, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("slowext"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: extensionLayerZip(t, "lambdaext")}})
	if err != nil {
		t.Fatal(err)
	}
	createGoFunction(t, c, "slowext", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.Layers = []string{aws.ToString(pub.LayerVersionArn)}
		in.Timeout = aws.Int32(2)
		in.Environment = &lambdatypes.Environment{Variables: map[string]string{"LAMBDAEXT_SLEEP_MS": "1000"}}
	})
	invokeJSON(t, c, "slowext", map[string]string{"op": "echo"}, withTail) // cold start; the tail waits for the REPORT

	began := time.Now()
	out := invokeJSON(t, c, "slowext", map[string]string{"op": "echo", "message": "fast"})
	took := time.Since(began)
	if out.FunctionError != nil || !sameJSON(out.Payload, `{"op":"echo","message":"fast"}`) {
		t.Fatalf("invoke: %v %s", out.FunctionError, out.Payload)
	}
	if took > 700*time.Millisecond {
		t.Fatalf("the answer took %v: it waited for the extension", took)
	}
	id := requestIDOf(t, out)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	streams, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/slowext")})
	if err != nil || len(streams.LogStreams) != 1 {
		t.Fatalf("log streams: %v %+v", err, streams)
	}
	stream := aws.ToString(streams.LogStreams[0].LogStreamName)
	msgs := logEvents(t, cwl, "/aws/lambda/slowext", stream, func(m []string) bool {
		return slices.ContainsFunc(m, func(s string) bool { return strings.HasPrefix(s, "REPORT RequestId: "+id) })
	})
	done := slices.IndexFunc(msgs, func(s string) bool { return strings.HasPrefix(s, "[lambdaext] INVOKE done "+id) })
	report := slices.IndexFunc(msgs, func(s string) bool { return strings.HasPrefix(s, "REPORT RequestId: "+id) })
	if done < 0 || done > report {
		t.Fatalf("the REPORT does not follow the extension's work:\n%q", msgs)
	}
	d, _, _ := strings.Cut(strings.TrimPrefix(msgs[report], "REPORT RequestId: "+id+"\tDuration: "), " ms")
	if ms, err := strconv.ParseFloat(d, 64); err != nil || ms < 1000 {
		t.Fatalf("REPORT duration %q does not cover the extension: %q", d, msgs[report])
	}

	out = invokeJSON(t, c, "slowext", map[string]any{"op": "sleep", "ms": 5000})
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Task timed out after 2.00 seconds") {
		t.Fatalf("timeout: %v %s", out.FunctionError, out.Payload)
	}
	logEvents(t, cwl, "/aws/lambda/slowext", stream, func(m []string) bool {
		return containsLine(m, "[lambdaext] SHUTDOWN timeout")
	})
}

// The Shutdown phase in AWS's order: the runtime is sent SIGTERM (a
// Python function that handles it logs it), then the extension gets
// SHUTDOWN.
func TestLambdaExtensionShutdownOrder(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	pub, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("orderext"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: extensionLayerZip(t, "lambdaext")}})
	if err != nil {
		t.Fatal(err)
	}
	code := "import signal, sys\n" +
		"def on_term(signum, frame):\n    print('[runtime] SIGTERM', flush=True)\n    sys.exit(0)\n" +
		"signal.signal(signal.SIGTERM, on_term)\n" +
		"def handler(event, context):\n    return 'ok'\n"
	createGoFunction(t, c, "order", zipOf(t, zipEntry{name: "app.py", body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
		in.Runtime, in.Handler = lambdatypes.RuntimePython312, aws.String("app.handler")
		in.Layers = []string{aws.ToString(pub.LayerVersionArn)}
	})
	if out := invokeJSON(t, c, "order", map[string]string{}); out.FunctionError != nil {
		t.Fatalf("invoke: %s", out.Payload)
	}
	msgs := retiredLog(t, env, c, "order")
	term := slices.IndexFunc(msgs, func(s string) bool { return strings.HasPrefix(s, "[runtime] SIGTERM") })
	shut := slices.IndexFunc(msgs, func(s string) bool { return strings.HasPrefix(s, "[lambdaext] SHUTDOWN spindown") })
	if term < 0 || term > shut {
		t.Fatalf("the runtime's SIGTERM does not come before the extension's SHUTDOWN:\n%q", msgs)
	}
}

// retiredLog retires the function's one environment (a new
// configuration) and returns its log once lambdaext logged SHUTDOWN.
func retiredLog(t *testing.T, env *e2e.Env, c *lambda.Client, name string) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"STAGE": "two"}}}); err != nil {
		t.Fatal(err)
	}
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	group := "/aws/lambda/" + name
	streams, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
	if err != nil || len(streams.LogStreams) != 1 {
		t.Fatalf("log streams: %v %+v", err, streams)
	}
	return logEvents(t, cwl, group, aws.ToString(streams.LogStreams[0].LogStreamName), func(m []string) bool {
		return containsLine(m, "[lambdaext] SHUTDOWN spindown")
	})
}
