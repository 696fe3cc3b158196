package e2e_test

// Helpers of the lambda_proof_* tests: the proof, end to end through
// aws-sdk-go-v2, of what issue 4 asks of Lambda (scale-out, failures,
// bad input, the environment, versions and aliases, CloudWatch Logs).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// hostileZip builds internal/lambda/testfunction/hostile (a function that
// misbehaves on request) as the bootstrap of a deployment package, with
// the extra entries beside it.
func hostileZip(t testing.TB, extra ...zipEntry) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "github.com/virga/virga/internal/lambda/testfunction/hostile")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the hostile test function: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, append([]zipEntry{{name: "bootstrap", body: bin, mode: 0o755}}, extra...)...)
}

// hostileWhoami is what the hostile function's whoami, sleep, alloc and
// output operations answer.
type hostileWhoami struct {
	Stream, Version, Code, InvokedArn, RequestID string
	Pid                                          int
}

func decodeWhoami(t testing.TB, out *lambda.InvokeOutput) hostileWhoami {
	t.Helper()
	var w hostileWhoami
	if out.FunctionError != nil || json.Unmarshal(out.Payload, &w) != nil || w.Stream == "" {
		t.Fatalf("want a whoami answer; got FunctionError %q, payload %.300s", aws.ToString(out.FunctionError), out.Payload)
	}
	return w
}

// functionErrorDoc is the payload of an invocation that failed, as
// Lambda shapes it.
type functionErrorDoc struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    *string  `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
}

// wantUnhandled asserts that an invocation failed with
// X-Amz-Function-Error: Unhandled and returns its error document, whose
// keys must all be among those Lambda uses.
func wantUnhandled(t testing.TB, what string, out *lambda.InvokeOutput) functionErrorDoc {
	t.Helper()
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("%s: StatusCode %d, FunctionError %q, payload %.500s; want 200 and Unhandled", what, out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
	var doc functionErrorDoc
	if err := json.Unmarshal(out.Payload, &doc); err != nil {
		t.Fatalf("%s: the error payload is not JSON: %v: %.500s", what, err, out.Payload)
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(out.Payload, &keys)
	for k := range keys {
		switch k {
		case "errorMessage", "errorType", "requestId", "stackTrace", "trace":
		default:
			t.Errorf("%s: error payload has key %q, which Lambda's do not: %s", what, k, out.Payload)
		}
	}
	return doc
}

// requestIDOf is the invocation's request id: Lambda answers Invoke with
// the id the function saw as its AwsRequestID.
func requestIDOf(t testing.TB, out *lambda.InvokeOutput) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if !ok || id == "" {
		t.Fatal("Invoke answered without x-amzn-RequestId")
	}
	return id
}

// tailOf decodes LogType Tail's X-Amz-Log-Result.
func tailOf(t testing.TB, out *lambda.InvokeOutput) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatalf("LogResult is not base64: %v", err)
	}
	return string(b)
}

// withTail asks Invoke for the last 4 KB of the invocation's log.
func withTail(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail }

// reportRE matches a REPORT line as Lambda writes it; group 1 is the Init
// Duration, present on cold starts only.
var reportRE = regexp.MustCompile(`REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB\t(?:Init Duration: (\d+\.\d{2}) ms\t)?`)

// coldStart reports whether a log tail's REPORT line has an Init Duration.
func coldStart(t testing.TB, tail string) bool {
	t.Helper()
	m := reportRE.FindStringSubmatch(tail)
	if m == nil {
		t.Fatalf("no REPORT line as Lambda writes it in the log tail:\n%s", tail)
	}
	return m[1] != ""
}

// streamNameRE is a Lambda log stream's name: date, [version], 32 hex.
var streamNameRE = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[(\$LATEST|\d+)\][0-9a-f]{32}$`)

// healthyFunction creates a well-behaved function that the failure tests
// invoke after each failure, to show that others are unaffected.
func healthyFunction(t testing.TB, c *lambda.Client, name string) {
	t.Helper()
	createGoFunction(t, c, name, goFunctionZip(t, "bootstrap"))
	wantHealthyFunction(t, c, name)
}

// wantHealthyFunction invokes the healthy function and asserts success.
func wantHealthyFunction(t testing.TB, c *lambda.Client, name string) {
	t.Helper()
	out := invokeJSON(t, c, name, map[string]any{"op": "echo", "healthy": true})
	if out.FunctionError != nil || !sameJSON(out.Payload, `{"op":"echo","healthy":true}`) {
		t.Errorf("the healthy function %s: FunctionError %q, payload %.300s", name, aws.ToString(out.FunctionError), out.Payload)
	}
}

// sandboxProbe is what a function sees of its isolation.
type sandboxProbe struct {
	pidNamespace bool  // the runtime is PID 1 of its own namespace
	memoryLimit  int64 // its cgroup's memory limit in bytes, 0 if unknown
	pidsLimit    int64 // its cgroup's pids limit, 0 if unknown or unlimited
	raw          string
}

// probeSandbox asks a hostile function with the given memory size what
// isolation it runs in.
func probeSandbox(t testing.TB, c *lambda.Client, name string, memoryMB int32) sandboxProbe {
	t.Helper()
	createGoFunction(t, c, name, hostileZip(t), func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(memoryMB) })
	out := invokeJSON(t, c, name, map[string]string{"op": "probe"})
	var got map[string]string
	if out.FunctionError != nil || json.Unmarshal(out.Payload, &got) != nil {
		t.Fatalf("probe: %q %s", aws.ToString(out.FunctionError), out.Payload)
	}
	p := sandboxProbe{pidNamespace: got["pid"] == "1", raw: string(out.Payload)}
	p.memoryLimit, _ = strconv.ParseInt(got["memoryLimit"], 10, 64)
	p.pidsLimit, _ = strconv.ParseInt(got["pidsMax"], 10, 64)
	return p
}

// initControl tells hostile functions (through HOSTILE_INIT_URL) and the
// interpreted ones of the tests how their init should go, per function:
// a test breaks an init, sees the failure, mends it, and sees the same
// function version start.
type initControl struct {
	srv   *httptest.Server
	mu    sync.Mutex
	modes map[string]string
}

func newInitControl(t testing.TB) *initControl {
	ic := &initControl{modes: map[string]string{}}
	ic.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ic.mu.Lock()
		mode := ic.modes[strings.TrimPrefix(r.URL.Path, "/")]
		ic.mu.Unlock()
		w.Write([]byte(mode))
	}))
	t.Cleanup(ic.srv.Close)
	return ic
}

// url is the address a function asks for its init mode.
func (ic *initControl) url(name string) string { return ic.srv.URL + "/" + name }

func (ic *initControl) set(name, mode string) {
	ic.mu.Lock()
	ic.modes[name] = mode
	ic.mu.Unlock()
}

// logEvents returns the messages of a log stream once they satisfy done,
// or fails after a while: functions' logs reach CloudWatch Logs in the
// background, shortly after the invocation.
func logEvents(t testing.TB, cwl *cloudwatchlogs.Client, group, stream string, done func([]string) bool) []string {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var msgs []string
		var token *string
		for {
			out, err := cwl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
				LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true), NextToken: token})
			var notYet *cwltypes.ResourceNotFoundException
			if errors.As(err, &notYet) {
				break // the group or stream comes with the first delivered event
			}
			if err != nil {
				t.Fatalf("GetLogEvents(%s, %s): %v", group, stream, err)
			}
			for _, e := range out.Events {
				msgs = append(msgs, aws.ToString(e.Message))
			}
			if len(out.Events) == 0 || aws.ToString(out.NextForwardToken) == aws.ToString(token) {
				break
			}
			token = out.NextForwardToken
		}
		if done(msgs) {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("log stream %s %s: still not as expected after 20 s; it holds %d events, the last: %q", group, stream, len(msgs), lastN(msgs, 5))
		}
		time.Sleep(50 * time.Millisecond) // waiting for the background delivery, not timing it
	}
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// containsLine reports whether one of msgs starts with prefix.
func containsLine(msgs []string, prefix string) bool {
	for _, m := range msgs {
		if strings.HasPrefix(m, prefix) {
			return true
		}
	}
	return false
}
