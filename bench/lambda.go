package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/virga/virga/internal/e2e"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/config"
)

// The Lambda suite. Its cells are named lambda/WORKLOAD/TARGET[/cN], so
// that -only '^lambda/' runs it alone.
const (
	suiteLambda = "lambda"
	workInvoke  = "invoke" // warm Invoke of the echo function
	workCold    = "cold"   // time to the first answer of a new environment

	rieName     = "rie"      // the Runtime Interface Emulator, default mode
	rieMCName   = "rie-mc8"  // the same with AWS_LAMBDA_MAX_CONCURRENCY=8
	rieMC16Name = "rie-mc16" // and with 16, as ../shared/tools/peers runs it
	execName    = "exec"     // fork+exec of the echo binary: the cold-start floor
)

// lambdaInvokeCells is the grid: virga against the emulator's
// default mode at concurrency 1 (it serves one invocation at a time and
// crashes under concurrent load), against its multi-concurrency mode and
// the plain HTTP ceiling at concurrency 8; beside them the const server,
// the most any server can reach with this client on these cores.
var lambdaInvokeCells = []struct {
	target string
	c      int
}{
	{constName, 1}, {virgaName, 1}, {rieName, 1},
	{ceilingName, 8}, {constName, 8}, {virgaName, 8}, {rieMCName, 8}, {rieMC16Name, 8},
}

// lambdaColdTargets are the cold-start rows, in the order they print.
var lambdaColdTargets = []string{execName, virgaName, rieName}

const (
	// coldFunctions is the issue's sample: "p50 and p99 over 50 fresh
	// functions". With 50 samples, p99 by nearest rank is the slowest.
	coldFunctions = 50
	// rieColdRuns is how many fresh emulators are started, as in
	// ../shared/tools/peers (loadgen startup --runs 20).
	rieColdRuns = 20
	// execWarmups are unmeasured runs of the floor first (page cache).
	execWarmups = 5
	// rieMaxConcurrency is the emulator's runtime workers in its
	// multi-concurrency mode: as many as the callers.
	rieMaxConcurrency = 8
	// lambdaCallTimeout bounds one call, so that a stuck emulator counts
	// an error instead of stopping the run.
	lambdaCallTimeout = 10 * time.Second
	// echoPayload is every invocation's event; the echo function returns it.
	echoPayload = `{"hello":"world"}`
	echoName    = "echo"
)

// coldCell is one cold-start row: runs of a measurement that starts
// something from nothing, each timed to its first good answer.
type coldCell struct {
	target string
	runs   int
	// start makes one cold start and returns its time to the answer and,
	// for virga, the Init Duration its REPORT line gave (else 0).
	start    func(ctx context.Context) (d, init time.Duration, err error)
	lat      []time.Duration
	inits    []time.Duration
	failures int
	firstErr error
}

func (cc *coldCell) name() string { return suiteLambda + "/" + workCold + "/" + cc.target }

// lambdaTargets are the running Lambda targets.
type lambdaTargets struct {
	invoke    map[string]callFunc
	serverCPU map[string]func() time.Duration
	cold      map[string]func(ctx context.Context) (time.Duration, time.Duration, error)
	rie       string // the emulator's module version, for the header
}

// startLambdaTargets builds the echo function, starts the targets named
// in need (warm Invoke) and cold (cold starts), and checks each with one
// call. stop ends whatever
// was started, also when err is not nil; notes say which targets could
// not run and why.
func startLambdaTargets(ctx context.Context, need, cold map[string]bool) (t *lambdaTargets, stop func(), notes []string, err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	t = &lambdaTargets{
		invoke:    map[string]callFunc{},
		serverCPU: map[string]func() time.Duration{},
		cold:      map[string]func(context.Context) (time.Duration, time.Duration, error){},
	}
	newHTTPClient := func() *http.Client {
		tr := newTransport([]int{rieMaxConcurrency})
		stops = append(stops, tr.CloseIdleConnections)
		return &http.Client{Transport: e2e.ReadOnlyBodies{Next: tr}, Timeout: lambdaCallTimeout}
	}

	dir, err := os.MkdirTemp("", "virga-bench-lambda-")
	if err != nil {
		return nil, stop, notes, err
	}
	stops = append(stops, func() { os.RemoveAll(dir) })
	t0 := time.Now()
	bin, zipped, err := buildEchoFunction(ctx, dir)
	if err != nil {
		return nil, stop, notes, err
	}
	fmt.Fprintf(os.Stderr, "  echo function built (%d KB zipped) in %.1fs\n", len(zipped)>>10, time.Since(t0).Seconds())

	if need[virgaName] || cold[virgaName] {
		endpoint, shutdown, err := startVirga(config.AuthAccept, "")
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting virga: %w", err)
		}
		stops = append(stops, shutdown)
		c := newLambdaClient(endpoint, newHTTPClient())
		if need[virgaName] {
			if err := createEcho(ctx, c, echoName, zipped); err != nil {
				return nil, stop, notes, fmt.Errorf("virga: %w", err)
			}
			call := invokeCall(c, echoName)
			if err := call(ctx, nil); err != nil {
				return nil, stop, notes, fmt.Errorf("virga: first invoke: %w", err)
			}
			t.invoke[virgaName] = call
			t.serverCPU[virgaName] = childrenCPU("bootstrap")
		}
		if cold[virgaName] {
			t0 := time.Now()
			start, err := virgaColdStarts(ctx, c, zipped)
			if err != nil {
				return nil, stop, notes, fmt.Errorf("virga: %w", err)
			}
			fmt.Fprintf(os.Stderr, "  virga: %d functions created in %.1fs\n", coldFunctions+1, time.Since(t0).Seconds())
			t.cold[virgaName] = start
		}
	}
	if need[constName] {
		// What virga answers an Invoke of the echo function with, less
		// its request id and X-Amz-Executed-Version, which the client
		// does not need.
		endpoint, shutdown, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(echoPayload))
		}))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", constName, err)
		}
		stops = append(stops, shutdown)
		call := invokeCall(newLambdaClient(endpoint, newHTTPClient()), echoName)
		if err := call(ctx, nil); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", constName, err)
		}
		t.invoke[constName] = call
	}
	if need[ceilingName] {
		endpoint, shutdown, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("ok"))
		}))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", ceilingName, err)
		}
		stops = append(stops, shutdown)
		call := ceilingCall(newHTTPClient(), endpoint+"/")
		if err := call(ctx, nil); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", ceilingName, err)
		}
		t.invoke[ceilingName] = call
	}
	if cold[execName] {
		t.cold[execName] = func(context.Context) (time.Duration, time.Duration, error) {
			t0 := time.Now()
			err := exec.Command(bin, "exit").Run()
			return time.Since(t0), 0, err
		}
	}

	if need[rieName] || need[rieMCName] || need[rieMC16Name] || cold[rieName] {
		rie, note := findRIE(ctx)
		if rie == "" {
			return t, stop, append(notes, note+"; the emulator's rows are left out."), nil
		}
		t.rie = rieVersion(rie)
		for _, v := range []struct {
			name string
			mc   int
		}{{rieName, 0}, {rieMCName, rieMaxConcurrency}, {rieMC16Name, 16}} {
			if !need[v.name] {
				continue
			}
			if v.mc > 0 {
				if why := privateVarUnsupported(); why != "" {
					notes = append(notes, fmt.Sprintf("%s is left out: the emulator's multi-concurrency mode runs only /var/task/bootstrap (or /var/runtime, /opt), which the bench provides in a private mount namespace, but %s.", v.name, why))
					continue
				}
			}
			r, err := startRIE(ctx, rie, bin, dir, v.mc)
			if r != nil {
				stops = append(stops, r.stop)
			}
			if err != nil {
				return nil, stop, notes, fmt.Errorf("starting %s: %w", v.name, err)
			}
			t.invoke[v.name] = invokeCall(newLambdaClient(r.endpoint, newHTTPClient()), "function")
			t.serverCPU[v.name] = treeCPU(r.pid)
		}
		if cold[rieName] {
			t.cold[rieName] = func(ctx context.Context) (time.Duration, time.Duration, error) {
				d, err := rieColdStart(ctx, rie, bin, dir)
				return d, 0, err
			}
		}
	}
	return t, stop, notes, nil
}

// buildEchoFunction builds ./echofn as dir/bootstrap and zips it.
func buildEchoFunction(ctx context.Context, dir string) (bin string, zipped []byte, err error) {
	return buildFunction(ctx, dir, "github.com/virga/virga/bench/echofn")
}

// buildFunction builds the Go package pkg as dir/bootstrap, a static
// binary for provided.al2023 (CGO_ENABLED=0, -tags lambda.norpc as
// aws-lambda-go advises for the provided runtimes), and zips it as
// `bootstrap`.
func buildFunction(ctx context.Context, dir, pkg string) (bin string, zipped []byte, err error) {
	bin = filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w",
		"-o", bin, pkg)
	cmd.Dir = benchDir()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("building %s: %v\n%s", pkg, err, out)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(body)
	}
	if err == nil {
		err = zw.Close()
	}
	return bin, buf.Bytes(), err
}

// newLambdaClient is a Lambda client of the server at endpoint, with
// credentials test:test and no retries, so that errors show.
func newLambdaClient(endpoint string, hc aws.HTTPClient) *lambda.Client {
	return lambda.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	})
}

// createEcho creates the echo function from zipped, with virga's
// defaults for everything the call leaves out (128 MB, 3 s).
func createEcho(ctx context.Context, c *lambda.Client, name string, zipped []byte) error {
	arch := types.ArchitectureX8664
	if runtime.GOARCH == "arm64" {
		arch = types.ArchitectureArm64
	}
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Runtime:       types.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Role:          aws.String("arn:aws:iam::000000000000:role/bench"),
		Code:          &types.FunctionCode{ZipFile: zipped},
		Architectures: []types.Architecture{arch},
	})
	if err != nil {
		return fmt.Errorf("CreateFunction %s: %w", name, err)
	}
	return nil
}

// invokeCall is one RequestResponse Invoke of function name, whose answer
// must be the event it was sent.
func invokeCall(c *lambda.Client, name string) callFunc {
	payload := []byte(echoPayload)
	return func(ctx context.Context, _ *rand.Rand) error {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload})
		if err != nil {
			return withErrorType(err)
		}
		return checkEcho(out)
	}
}

// withErrorType adds the emulator's Error-Type header (Runtime.Unavailable
// when no runtime worker is free) to an error the SDK can only call
// UnknownError: the emulator does not name its errors as Lambda does.
func withErrorType(err error) error {
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok && re.Response != nil {
		if et := re.Response.Header.Get("Error-Type"); et != "" {
			return fmt.Errorf("Error-Type %s: %w", et, err)
		}
	}
	return err
}

func checkEcho(out *lambda.InvokeOutput) error {
	if out.FunctionError != nil {
		return fmt.Errorf("function error %s: %.200s", aws.ToString(out.FunctionError), out.Payload)
	}
	if !bytes.Equal(bytes.TrimSpace(out.Payload), []byte(echoPayload)) {
		return fmt.Errorf("the echo function answered %.200q, want %s", out.Payload, echoPayload)
	}
	return nil
}

// initDurationRe finds the Init Duration of a REPORT line, which virga
// writes on cold starts only.
var initDurationRe = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)

// virgaColdStarts creates coldFunctions+1 echo functions up front (the
// first for an unmeasured warm-up) and returns a cold start that invokes
// the next one, which has no environment yet. It asks for the log tail,
// whose REPORT line must carry an Init Duration: the proof that the
// invocation started an environment.
func virgaColdStarts(ctx context.Context, c *lambda.Client, zipped []byte) (func(context.Context) (time.Duration, time.Duration, error), error) {
	names := make([]string, coldFunctions+1)
	for i := range names {
		names[i] = fmt.Sprintf("cold-%03d", i)
		if err := createEcho(ctx, c, names[i], zipped); err != nil {
			return nil, err
		}
	}
	next := 0
	payload := []byte(echoPayload)
	return func(ctx context.Context) (time.Duration, time.Duration, error) {
		if next == len(names) {
			return 0, 0, fmt.Errorf("all %d fresh functions are used", len(names))
		}
		name := names[next]
		next++
		t0 := time.Now()
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload, LogType: types.LogTypeTail})
		d := time.Since(t0)
		if err != nil {
			return 0, 0, err
		}
		if err := checkEcho(out); err != nil {
			return 0, 0, err
		}
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		m := initDurationRe.FindSubmatch(tail)
		if m == nil {
			return 0, 0, fmt.Errorf("%s: no Init Duration in the log tail, so no cold start: %q", name, tail)
		}
		ms, _ := strconv.ParseFloat(string(m[1]), 64)
		return d, time.Duration(ms * float64(time.Millisecond)), nil
	}, nil
}

// runCold runs the cold-start cells in interleaved rounds, like the warm
// cells: in each round every cell with runs left makes one, starting one
// further each round. Each cell first makes one unmeasured run (the
// floor execWarmups), so that no row pays for a cold page cache.
func runCold(ctx context.Context, cells []*coldCell) {
	most := 0
	for _, cc := range cells {
		warm := 1
		if cc.target == execName {
			warm = execWarmups
		}
		for range warm {
			cc.start(ctx)
		}
		most = max(most, cc.runs)
	}
	for round := range most {
		for i := range cells {
			cc := cells[(i+round)%len(cells)]
			if round >= cc.runs {
				continue
			}
			d, init, err := cc.start(ctx)
			if err != nil {
				cc.failures++
				if cc.firstErr == nil {
					cc.firstErr = err
				}
				continue
			}
			cc.lat = append(cc.lat, d)
			if init > 0 {
				cc.inits = append(cc.inits, init)
			}
		}
	}
	for _, cc := range cells {
		fmt.Fprintf(os.Stderr, "  %-22s %d runs, %d failed\n", cc.name(), cc.runs, cc.failures)
	}
}

// rieOrNone is the emulator's version for the table's header.
func (t *lambdaTargets) rieOrNone() string {
	if t == nil || t.rie == "" {
		return "(not run)"
	}
	return t.rie
}
