package e2e_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// couldNotUnzip is Lambda's message for a deployment package it refuses.
const couldNotUnzip = "Could not unzip uploaded file. Please check your file, then try to upload again."

// zipBomb is a small archive of entries files of size bytes of zeros
// each (the compressed stream made once and repeated).
func zipBomb(t testing.TB, entries, size int) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	zeros := make([]byte, size)
	fw.Write(zeros)
	fw.Close()
	crc := crc32.ChecksumIEEE(zeros)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range entries {
		h := &zip.FileHeader{Name: fmt.Sprintf("blob%03d", i), Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(size)}
		h.SetMode(0o644)
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLambdaProofBadPackages: packages whose paths or links leave the
// code directory, and packages too large unzipped, are refused by
// CreateFunction, UpdateFunctionCode and PublishLayerVersion with AWS's
// error; links that stay inside are kept and work.
func TestLambdaProofBadPackages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	link := func(name, target string) zipEntry {
		return zipEntry{name: name, body: []byte(target), mode: 0o777 | symlinkMode}
	}
	file := func(name string) zipEntry { return zipEntry{name: name, body: []byte("x")} }
	bad := map[string][]byte{
		"nested dotdot":            zipOf(t, file("bootstrap"), file("lib/../../escape")),
		"deep dotdot":              zipOf(t, file("a/b/c/../../../../../tmp/escape")),
		"backslash dotdot":         zipOf(t, file(`..\..\escape`)),
		"relative link out":        zipOf(t, file("bootstrap"), link("data", "../../../../etc/passwd")),
		"link to the root":         zipOf(t, link("root", "/")),
		"link then a file in it":   zipOf(t, link("d", "/tmp"), file("d/planted")),
		"chain of links out":       zipOf(t, link("a", "b/x"), link("b", "../outside")),
		"link through a link":      zipOf(t, file("sub/keep"), link("sub/up", ".."), link("a", "sub/up/../..")),
		"absolute link via a link": zipOf(t, file("sub/keep"), link("sub/up", ".."), link("a", "/var/task/sub/up/../..")),
		"link out of /opt":         zipOf(t, link("o", "/opt/../etc/shadow")),
	}
	base := func(name string, zip []byte) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zip}}
	}
	good := hostileZip(t)
	createGoFunction(t, c, "target", good)
	refused := func(op, what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s accepted a package with a %s; want InvalidParameterValueException %q", op, what, couldNotUnzip)
			return
		}
		if e := wantAPIError(t, err); e.Code != "InvalidParameterValueException" || e.Status != 400 || e.Message != couldNotUnzip {
			t.Errorf("%s with a package with a %s: %s (HTTP %d) %q; want InvalidParameterValueException %q", op, what, e.Code, e.Status, e.Message, couldNotUnzip)
		}
	}
	for what, zip := range bad {
		_, err := c.CreateFunction(ctx, base("bad", zip))
		refused("CreateFunction", what, err)
		if err == nil {
			c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("bad")})
		}
		_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("target"), ZipFile: zip})
		refused("UpdateFunctionCode", what, err)
		if err == nil {
			c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("target"), ZipFile: good})
		}
		_, err = c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("badlayer"), Content: &lambdatypes.LayerVersionContentInput{ZipFile: zip}})
		refused("PublishLayerVersion", what, err)
	}
	// The refused updates left the function's code as it was.
	decodeWhoami(t, invokeJSON(t, c, "target", map[string]string{"op": "whoami"}))

	// Unzipped, a package may hold 250 MB: this 300 KB archive holds 251 MiB.
	_, err := c.CreateFunction(ctx, base("huge", zipBomb(t, 251, 1<<20)))
	if e := wantAPIError(t, err); e.Code != "InvalidParameterValueException" || e.Message != "Unzipped size must be smaller than 262144000 bytes" {
		t.Errorf("CreateFunction with 251 MiB unzipped: %s (HTTP %d) %q; want InvalidParameterValueException \"Unzipped size must be smaller than 262144000 bytes\"", e.Code, e.Status, e.Message)
	}

	// Links that stay inside the package, or lead into /opt, are kept:
	// the bootstrap itself may be one.
	bin := good // a zip; take the binary out of it
	zr, _ := zip.NewReader(bytes.NewReader(bin), int64(len(bin)))
	rc, _ := zr.File[0].Open()
	var exe bytes.Buffer
	exe.ReadFrom(rc)
	rc.Close()
	createGoFunction(t, c, "linked", zipOf(t,
		zipEntry{name: "bin/hostile", body: exe.Bytes(), mode: 0o755},
		link("bootstrap", "bin/hostile"),
		zipEntry{name: "v1/version.txt", body: []byte("linked")},
		link("version.txt", "v1/version.txt"),
		link("lib", "/opt/lib"),
	))
	if w := decodeWhoami(t, invokeJSON(t, c, "linked", map[string]string{"op": "whoami"})); w.Code != "linked" {
		t.Errorf("a function whose bootstrap and files are links inside its package read %q", w.Code)
	}
}

// TestLambdaProofBadFunctions: what AWS answers at invoke for a missing
// bootstrap or handler, a bootstrap without its execute bit, a response
// over 6 MB, 100 MB of output, an infinite loop and a fork bomb; after
// each a healthy function, and the same function where it can, answer.
func TestLambdaProofBadFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	healthyFunction(t, c, "healthy")
	hostile := hostileZip(t)

	// entrypoint asserts Runtime.InvalidEntrypoint with AWS's message
	// after "RequestId: <id> Error: ".
	entrypoint := func(t *testing.T, name, want string) {
		t.Helper()
		for range 2 { // the second invocation retries, and fails alike
			out := invokeJSON(t, c, name, map[string]string{"op": "whoami"}, withTail)
			doc := wantUnhandled(t, name, out)
			if full := "RequestId: " + requestIDOf(t, out) + " Error: " + want; doc.ErrorType != "Runtime.InvalidEntrypoint" || doc.ErrorMessage != full {
				t.Errorf("%s: payload %s; want Runtime.InvalidEntrypoint, %q", name, out.Payload, full)
			}
			if tail := tailOf(t, out); !strings.Contains(tail, want+"\nRuntime.InvalidEntrypoint") || !reportRE.MatchString(tail) {
				t.Errorf("%s: log tail:\n%s", name, tail)
			}
		}
		wantHealthyFunction(t, c, "healthy")
	}

	t.Run("MissingBootstrap", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "nobootstrap", zipOf(t, zipEntry{name: "main", body: []byte("#!/bin/sh\n"), mode: 0o755}))
		entrypoint(t, "nobootstrap", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
	})
	t.Run("MissingGoHandler", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "nohandler", hostile, func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler = lambdatypes.RuntimeGo1x, aws.String("missing")
		})
		entrypoint(t, "nohandler", "fork/exec /var/task/missing: no such file or directory")
	})
	t.Run("BootstrapNotExecutable", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "noexec", zipOf(t, zipEntry{name: "bootstrap", body: []byte("#!/bin/sh\necho hi\n"), mode: 0o644}))
		entrypoint(t, "noexec", "fork/exec /var/task/bootstrap: permission denied")
	})
	t.Run("MissingPythonModule", func(t *testing.T) {
		t.Parallel()
		testenv.Tool(t, "python3")
		createGoFunction(t, c, "nomodule", zipOf(t, zipEntry{name: "app.py", body: []byte("def handler(e, c):\n    return 1\n")}), func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Architectures = lambdatypes.RuntimePython312, aws.String("nope.handler"), nil
		})
		out := invokeJSON(t, c, "nomodule", map[string]string{}, withTail)
		doc := wantUnhandled(t, "missing python module", out)
		// AWS: {"errorMessage": "Unable to import module 'nope': No module named 'nope'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
		if doc.ErrorType != "Runtime.ImportModuleError" || doc.ErrorMessage != "Unable to import module 'nope': No module named 'nope'" {
			t.Errorf("missing python module: payload %s", out.Payload)
		}
		// AWS retries the failed init within the invocation, and logs
		// (CloudWatch, as captured):
		//   [ERROR] Runtime.ImportModuleError: Unable to import module 'search': No module named 'search'
		//   INIT_REPORT Init Duration: 137.69 ms	Phase: init	Status: error	Error Type: Runtime.ImportModuleError
		//   [ERROR] Runtime.ImportModuleError: Unable to import module 'search': No module named 'search'
		//   INIT_REPORT Init Duration: 80.49 ms	Phase: invoke	Status: error	Error Type: Runtime.ImportModuleError
		//   START RequestId: 12131914-... Version: $LATEST
		//   END RequestId: 12131914-...
		//   REPORT RequestId: 12131914-...	Duration: 98.71 ms	Billed Duration: 99 ms	Memory Size: 512 MB	Max Memory Used: 46 MB	Status: error	Error Type: Runtime.ImportModuleError
		id := requestIDOf(t, out)
		importError := `\[ERROR\] Runtime.ImportModuleError: Unable to import module 'nope': No module named 'nope'\n(?s:.*?)`
		initReport := func(phase string) string {
			return `INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: ` + phase + `\tStatus: error\tError Type: Runtime.ImportModuleError\n`
		}
		logs := regexp.MustCompile(`^` + importError + initReport("init") + importError + initReport("invoke") +
			`START RequestId: ` + id + ` Version: \$LATEST\n(?s:.*)END RequestId: ` + id + `\n` +
			`REPORT RequestId: ` + id + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: error\tError Type: Runtime.ImportModuleError\n$`)
		if tail := tailOf(t, out); !logs.MatchString(tail) {
			t.Errorf("missing python module: log tail:\n%s", tail)
		}
		wantHealthyFunction(t, c, "healthy")
	})

	t.Run("ResponseOver6MB", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "big", hostile)
		// 6 MiB exactly is a valid response...
		out := invokeJSON(t, c, "big", map[string]any{"op": "respond", "bytes": 6<<20 - 2})
		if out.FunctionError != nil || len(out.Payload) != 6<<20 {
			t.Errorf("a response of 6 MiB: FunctionError %q, %d bytes", aws.ToString(out.FunctionError), len(out.Payload))
		}
		// ...one byte over what AWS accepts (6 MiB + 100 bytes) is not.
		out = invokeJSON(t, c, "big", map[string]any{"op": "respond", "bytes": 6<<20 + 100 - 1})
		doc := wantUnhandled(t, "response over 6 MB", out)
		if doc.ErrorType != "Function.ResponseSizeTooLarge" || doc.ErrorMessage != "Response payload size exceeded maximum allowed payload size (6291556 bytes)." {
			t.Errorf("response over 6 MB: payload %.300s", out.Payload)
		}
		decodeWhoami(t, invokeJSON(t, c, "big", map[string]string{"op": "whoami"}))
		wantHealthyFunction(t, c, "healthy")
		// A request over 6 MB never reaches the function.
		_, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("big"),
			Payload: []byte(`"` + strings.Repeat("x", 6<<20) + `"`)})
		if e := wantAPIError(t, err); e.Code != "RequestEntityTooLargeException" || e.Status != 413 ||
			e.Message != "Request must be smaller than 6291456 bytes for the InvokeFunction operation" {
			t.Errorf("a request over 6 MB: %s (HTTP %d) %q", e.Code, e.Status, e.Message)
		}
	})

	t.Run("InfiniteLoop", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "spinner", hostile, func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
		w := decodeWhoami(t, invokeJSON(t, c, "spinner", map[string]string{"op": "whoami"}))
		start := time.Now()
		out := invokeJSON(t, c, "spinner", map[string]string{"op": "spin"})
		doc := wantUnhandled(t, "infinite loop", out)
		if !strings.HasSuffix(doc.ErrorMessage, requestIDOf(t, out)+" Task timed out after 1.00 seconds") || time.Since(start) > 10*time.Second {
			t.Errorf("infinite loop: payload %s after %v", out.Payload, time.Since(start))
		}
		wantHealthyFunction(t, c, "healthy")
		if again := decodeWhoami(t, invokeJSON(t, c, "spinner", map[string]string{"op": "whoami"})); again.Stream == w.Stream {
			t.Errorf("the spinning environment %s served again", w.Stream)
		}
	})

	t.Run("Output100MB", func(t *testing.T) {
		t.Parallel()
		createGoFunction(t, c, "chatty", hostile)
		out := invokeJSON(t, c, "chatty", map[string]any{"op": "output", "mb": 100, "line": 16 << 10}, withTail)
		if out.FunctionError != nil {
			doc := wantUnhandled(t, "100 MB of output", out) // failing is fine, cleanly
			t.Logf("100 MB of output failed the invocation: %s %q", doc.ErrorType, doc.ErrorMessage)
		}
		if tail := tailOf(t, out); len(tail) > 4096 || !reportRE.MatchString(tail) {
			t.Errorf("the log tail of 100 MB of output: %d bytes, REPORT line found: %v", len(tail), reportRE.MatchString(tail))
		}
		// The environment serves on, and what the next invocation prints
		// is logged: a flood is cut, later invocations are not silenced.
		next := decodeWhoami(t, invokeJSON(t, c, "chatty", map[string]string{"op": "log", "message": "after the flood"}))
		wantHealthyFunction(t, c, "healthy")
		cwl := cloudwatchlogs.NewFromConfig(env.Config)
		msgs := logEvents(t, cwl, "/aws/lambda/chatty", next.Stream, func(m []string) bool {
			return containsLine(m, "REPORT RequestId: "+next.RequestID)
		})
		stored, flood := 0, 0
		for _, m := range msgs {
			stored += len(m)
			if strings.HasPrefix(m, "yyyy") {
				flood += len(m) + 1
			}
		}
		t.Logf("100 MB of output: %d events, %.1f MB stored, %.1f MB of it the flood", len(msgs), float64(stored)/(1<<20), float64(flood)/(1<<20))
		if flood >= 100<<20 {
			t.Errorf("all %.1f MB of the flood were stored in CloudWatch Logs; want it capped below what the function wrote", float64(flood)/(1<<20))
		}
		if !containsLine(msgs, "after the flood") {
			t.Errorf("the line printed by the invocation after the flood, in the same environment, was not logged; the stream ends %q", lastN(msgs, 4))
		}
	})

	t.Run("ForkBomb", func(t *testing.T) {
		t.Parallel()
		p := probeSandbox(t, c, "bomb-probe", 1024)
		if !p.pidNamespace || p.pidsLimit <= 0 {
			t.Skipf("functions run without a PID namespace and pids limit here (probe: %s); a fork bomb is only safe in the sandbox", p.raw)
		}
		t.Logf("sandbox: pids limit %d", p.pidsLimit)
		// The bomb runs until the timeout ends it, and must have the time
		// to fill the pids limit: on a loaded machine two seconds let it
		// reach 4 processes.
		createGoFunction(t, c, "bomb", hostile, func(in *lambda.CreateFunctionInput) {
			in.Timeout, in.MemorySize = aws.Int32(6), aws.Int32(1024)
		})
		start := time.Now()
		out := invokeJSON(t, c, "bomb", map[string]string{"op": "forkbomb"}, withTail)
		doc := wantUnhandled(t, "fork bomb", out)
		tail := tailOf(t, out)
		t.Logf("fork bomb: %v, %s", time.Since(start), out.Payload)
		timedOut := strings.HasSuffix(doc.ErrorMessage, " Task timed out after 6.00 seconds")
		if !timedOut && !strings.HasPrefix(doc.ErrorType, "Runtime.") {
			t.Errorf("fork bomb: payload %s; want a timeout or a Runtime error", out.Payload)
		}
		// The function printed its cgroup, then each new peak of its
		// process count: the bomb filled the pids limit and no more.
		cg := regexp.MustCompile(`hostile: cgroup (\S+)`).FindStringSubmatch(tail)
		peaks := regexp.MustCompile(`hostile: (\d+) pids`).FindAllStringSubmatch(tail, -1)
		if cg == nil || len(peaks) == 0 {
			// The Go runtime itself may die first, unable to start a
			// thread under the pids limit: a Runtime.ExitError before the
			// bomb reported anything. The environment must still be
			// replaced and healthy functions unaffected.
			if doc.ErrorType != "Runtime.ExitError" {
				t.Fatalf("the fork bomb's log tail has no cgroup or process count:\n%s", tail)
			}
			t.Logf("the runtime died under the pids limit before reporting: %s", doc.ErrorMessage)
			wantHealthyFunction(t, c, "healthy")
			decodeWhoami(t, invokeJSON(t, c, "bomb", map[string]string{"op": "whoami"}))
			return
		}
		most, _ := strconv.Atoi(peaks[len(peaks)-1][1])
		t.Logf("fork bomb: at most %d processes in %s (limit %d)", most, cg[1], p.pidsLimit)
		if most < 100 || int64(most) > p.pidsLimit {
			t.Errorf("the fork bomb peaked at %d processes; want it to have run up to, and not past, the pids limit %d", most, p.pidsLimit)
		}
		wantHealthyFunction(t, c, "healthy")
		decodeWhoami(t, invokeJSON(t, c, "bomb", map[string]string{"op": "whoami"}))
		// Every process of the bomb ended with its environment.
		for deadline := time.Now().Add(10 * time.Second); ; {
			procs, err := os.ReadFile(filepath.Join(cg[1], "cgroup.procs"))
			if err != nil || len(bytes.TrimSpace(procs)) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("processes of the fork bomb outlived its environment: %s", procs)
			}
			time.Sleep(50 * time.Millisecond) // waiting for the kernel to reap them, not timing it
		}
	})
}
