package e2e_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestLambdaProofFailures: a timeout, an out-of-memory kill, a crash and
// a failed init each give AWS's error payload; then a healthy function
// and the same function succeed, the latter in a new environment.
func TestLambdaProofFailures(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	healthyFunction(t, c, "healthy")
	control := newInitControl(t)

	// replaced asserts that the function answers again, from a new
	// environment (a cold start) rather than the one that failed.
	replaced := func(t *testing.T, name, failedStream string) {
		t.Helper()
		wantHealthyFunction(t, c, "healthy")
		out := invokeJSON(t, c, name, map[string]string{"op": "whoami"}, withTail)
		w := decodeWhoami(t, out)
		if w.Stream == failedStream || !coldStart(t, tailOf(t, out)) {
			t.Errorf("after the failure %s answered from environment %s (failed: %s); want a new environment", name, w.Stream, failedStream)
		}
	}

	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "slow", hostileZip(t), func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
		warm := decodeWhoami(t, invokeJSON(t, c, "slow", map[string]string{"op": "whoami"}))
		start := time.Now()
		out := invokeJSON(t, c, "slow", map[string]any{"op": "sleep", "ms": 30000}, withTail)
		elapsed := time.Since(start)
		doc := wantUnhandled(t, "timeout", out)
		// AWS: {"errorMessage":"2020-11-10T05:46:57.874Z <request id> Task timed out after 1.00 seconds"}
		want := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ` + regexp.QuoteMeta(requestIDOf(t, out)) + ` Task timed out after 1\.00 seconds$`)
		if !want.MatchString(doc.ErrorMessage) || doc.ErrorType != "" {
			t.Errorf("timeout payload %s; want only errorMessage \"<time> <request id> Task timed out after 1.00 seconds\"", out.Payload)
		}
		if elapsed > 10*time.Second {
			t.Errorf("a 1 s timeout ended the invocation after %v", elapsed)
		}
		if tail := tailOf(t, out); !strings.Contains(tail, "Task timed out after 1.00 seconds") || !reportRE.MatchString(tail) {
			t.Errorf("timeout log tail:\n%s", tail)
		}
		replaced(t, "slow", warm.Stream)
	})

	t.Run("OutOfMemory", func(t *testing.T) {
		t.Parallel()
		if p := probeSandbox(t, c, "oom-probe", 128); p.memoryLimit != 128<<20 {
			t.Skipf("functions run without a cgroup memory limit here (probe: %s); the out-of-memory proof needs virga as root with cgroups", p.raw)
		}
		createGoFunction(t, c, "hog", hostileZip(t), func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(128) })
		w := decodeWhoami(t, invokeJSON(t, c, "hog", map[string]any{"op": "alloc", "mb": 16}))
		out := invokeJSON(t, c, "hog", map[string]any{"op": "alloc", "mb": 512}, withTail)
		doc := wantUnhandled(t, "out of memory", out)
		// AWS: {"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: <id> Error: Runtime exited with error: signal: killed"}
		if want := "RequestId: " + requestIDOf(t, out) + " Error: Runtime exited with error: signal: killed"; doc.ErrorType != "Runtime.OutOfMemory" || doc.ErrorMessage != want {
			t.Errorf("out-of-memory payload %s; want Runtime.OutOfMemory, %q", out.Payload, want)
		}
		if tail := tailOf(t, out); !strings.Contains(tail, "Max Memory Used: 128 MB") || !strings.Contains(tail, "Runtime.OutOfMemory") {
			t.Errorf("out-of-memory log tail:\n%s", tail)
		}
		replaced(t, "hog", w.Stream)
	})

	t.Run("Crash", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "crasher", hostileZip(t))
		w := decodeWhoami(t, invokeJSON(t, c, "crasher", map[string]string{"op": "whoami"}))
		out := invokeJSON(t, c, "crasher", map[string]any{"op": "exit", "code": 3}, withTail)
		doc := wantUnhandled(t, "crash", out)
		// AWS: {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error: Runtime exited with error: exit status 3"}
		if want := "RequestId: " + requestIDOf(t, out) + " Error: Runtime exited with error: exit status 3"; doc.ErrorType != "Runtime.ExitError" || doc.ErrorMessage != want {
			t.Errorf("crash payload %s; want Runtime.ExitError, %q", out.Payload, want)
		}
		if tail := tailOf(t, out); !strings.Contains(tail, "Runtime exited with error: exit status 3\nRuntime.ExitError") {
			t.Errorf("crash log tail:\n%s", tail)
		}
		replaced(t, "crasher", w.Stream)
	})

	// Init failures: the init is broken, fails the invocation (twice: a
	// failed init is retried by the next invocation, not remembered),
	// then mended; the same version then starts. Go's runtime exits on a
	// panic with status 2.
	for _, tc := range []struct {
		mode, wantType, wantMessage string // wantMessage after "RequestId: <id> Error: ", or whole
	}{
		{"panic", "Runtime.ExitError", "Runtime exited with error: exit status 2"},
		{"exit", "Runtime.ExitError", "Runtime exited with error: exit status 5"},
		{"error", "HostileInitError", "hostile: init broke"},
	} {
		t.Run("Init_"+tc.mode, func(t *testing.T) {
			t.Parallel()
			name := "init-" + tc.mode
			control.set(name, tc.mode)
			createGoFunction(t, c, name, hostileZip(t), func(in *lambda.CreateFunctionInput) {
				in.Environment = &lambdatypes.Environment{Variables: map[string]string{"HOSTILE_INIT_URL": control.url(name)}}
			})
			for range 2 {
				out := invokeJSON(t, c, name, map[string]string{"op": "whoami"})
				doc := wantUnhandled(t, "init "+tc.mode, out)
				want := tc.wantMessage
				if tc.wantType == "Runtime.ExitError" {
					want = "RequestId: " + requestIDOf(t, out) + " Error: " + want
				}
				if doc.ErrorType != tc.wantType || doc.ErrorMessage != want {
					t.Errorf("init %s: payload %s; want %s, %q", tc.mode, out.Payload, tc.wantType, want)
				}
			}
			wantHealthyFunction(t, c, "healthy")
			control.set(name, "ok")
			replaced(t, name, "")
		})
	}

	// The runtimes of this repository report an init error through the
	// Runtime API as AWS's do.
	t.Run("Init_python", func(t *testing.T) {
		t.Parallel()
		testenv.Tool(t, "python3")
		control.set("init-py", "raise")
		code := "import os, urllib.request\n" +
			"if urllib.request.urlopen(os.environ['INIT_URL']).read().decode() == 'raise':\n" +
			"    raise Exception('init broke')\n\n" +
			"def handler(event, context):\n    return {'ok': True}\n"
		createGoFunction(t, c, "init-py", zipOf(t, zipEntry{name: "app.py", body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimePython312, aws.String("app.handler"), nil
			in.Environment = &lambdatypes.Environment{Variables: map[string]string{"INIT_URL": control.url("init-py")}}
		})
		out := invokeJSON(t, c, "init-py", map[string]any{})
		doc := wantUnhandled(t, "python init error", out)
		// AWS: {"errorMessage": "init broke", "errorType": "Exception", "requestId": "", "stackTrace": [...]}
		if doc.ErrorType != "Exception" || doc.ErrorMessage != "init broke" || doc.RequestID == nil || *doc.RequestID != "" || len(doc.StackTrace) == 0 {
			t.Errorf("python init error payload %s", out.Payload)
		}
		wantHealthyFunction(t, c, "healthy")
		control.set("init-py", "ok")
		if out := invokeJSON(t, c, "init-py", map[string]any{}); out.FunctionError != nil || !sameJSON(out.Payload, `{"ok":true}`) {
			t.Errorf("after mending the init: %q %s", aws.ToString(out.FunctionError), out.Payload)
		}
	})
	t.Run("Init_node", func(t *testing.T) {
		t.Parallel()
		testenv.Tool(t, "node")
		control.set("init-node", "raise")
		code := "const mode = await (await fetch(process.env.INIT_URL)).text();\n" +
			"if (mode === 'raise') throw new Error('init broke');\n" +
			"export const handler = async () => ({ok: true});\n"
		createGoFunction(t, c, "init-node", zipOf(t, zipEntry{name: "index.mjs", body: []byte(code)}), func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimeNodejs20x, aws.String("index.handler"), nil
			in.Environment = &lambdatypes.Environment{Variables: map[string]string{"INIT_URL": control.url("init-node")}}
		})
		out := invokeJSON(t, c, "init-node", map[string]any{})
		doc := wantUnhandled(t, "node init error", out)
		if doc.ErrorType != "Error" || doc.ErrorMessage != "init broke" {
			t.Errorf("node init error payload %s", out.Payload)
		}
		wantHealthyFunction(t, c, "healthy")
		control.set("init-node", "ok")
		if out := invokeJSON(t, c, "init-node", map[string]any{}); out.FunctionError != nil || !sameJSON(out.Payload, `{"ok":true}`) {
			t.Errorf("after mending the init: %q %s", aws.ToString(out.FunctionError), out.Payload)
		}
	})
}
