package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// burst invokes name n times at once (each sleeping ms) with LogType Tail
// and returns how long the slowest took, with each answer or error.
func burst(c *lambda.Client, name string, n, ms int) (time.Duration, []*lambda.InvokeOutput, []error) {
	payload, _ := json.Marshal(map[string]any{"op": "sleep", "ms": ms})
	outs, errs := make([]*lambda.InvokeOutput, n), make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = c.Invoke(context.Background(), &lambda.InvokeInput{
				FunctionName: aws.String(name), Payload: payload, LogType: lambdatypes.LogTypeTail})
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	return time.Since(t0), outs, errs
}

// TestLambdaProofScaleOut: 100 concurrent invocations of a function that
// sleeps 200 ms run side by side in as many environments, not one after
// another; a second wave finds them warm; with reserved concurrency 10
// the excess is throttled as AWS throttles it.
func TestLambdaProofScaleOut(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lambdaClient(t, env) // skips while the lambda service is not wired
	// A client of its own, whose connections the test closes when done:
	// a burst leaves connections dialled but never used, and the edge's
	// graceful shutdown waits 5 s for such "new" connections.
	tr := awshttp.NewBuildableClient().GetTransport() // the SDK's defaults, in a transport the test owns
	t.Cleanup(tr.CloseIdleConnections)
	c := lambda.NewFromConfig(env.Config, func(o *lambda.Options) { o.HTTPClient = &http.Client{Transport: tr} })
	ctx := context.Background()
	createGoFunction(t, c, "wide", hostileZip(t))

	const n, sleepMS = 100, 200
	// In series the wave takes n × 200 ms = 20 s. The bound leaves room
	// for 100 cold starts on a loaded 2-core machine while still failing
	// any pool that serializes (or runs a handful at a time).
	const bound = n * sleepMS * time.Millisecond / 5

	elapsed, outs, errs := burst(c, "wide", n, sleepMS)
	t.Logf("wave 1 (cold): %d concurrent invocations of a 200 ms function took %v (in series: %v)", n, elapsed, n*sleepMS*time.Millisecond)
	envs := map[string]bool{}
	cold := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("wave 1, invocation %d: %v", i, errs[i])
		}
		w := decodeWhoami(t, outs[i])
		envs[w.Stream] = true
		if coldStart(t, tailOf(t, outs[i])) {
			cold++
		}
	}
	t.Logf("wave 1: %d environments, %d cold starts", len(envs), cold)
	if elapsed >= bound {
		t.Errorf("wave 1 took %v; want well under the %v of invocations in series (bound %v)", elapsed, n*sleepMS*time.Millisecond, bound)
	}
	if cold != len(envs) || len(envs) < 10 {
		t.Errorf("wave 1 ran in %d environments with %d cold starts; want one cold start per environment and many environments", len(envs), cold)
	}

	// Second wave, as wide as the first's pool: every invocation finds a
	// warm environment of the first wave.
	elapsed, outs, errs = burst(c, "wide", len(envs), sleepMS)
	t.Logf("wave 2 (warm): %d concurrent invocations took %v", len(envs), elapsed)
	for i := range outs {
		if errs[i] != nil {
			t.Fatalf("wave 2, invocation %d: %v", i, errs[i])
		}
		w := decodeWhoami(t, outs[i])
		if tail := tailOf(t, outs[i]); coldStart(t, tail) {
			t.Errorf("wave 2, invocation %d was a cold start (Init Duration reported):\n%s", i, tail)
		}
		if !envs[w.Stream] {
			t.Errorf("wave 2, invocation %d ran in a new environment %s", i, w.Stream)
		}
	}

	// Reserved concurrency 10: at most 10 run at once, in at most 10
	// environments; the rest get 429 at once with AWS's Reason.
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("wide"), ReservedConcurrentExecutions: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	elapsed, outs, errs = burst(c, "wide", n, 500)
	ok, throttledN := 0, 0
	limited := map[string]bool{}
	for i := range n {
		if errs[i] == nil {
			ok++
			limited[decodeWhoami(t, outs[i]).Stream] = true
			continue
		}
		e := wantAPIError(t, errs[i])
		var tooMany *lambdatypes.TooManyRequestsException
		if e.Code != "TooManyRequestsException" || e.Status != 429 || !errorsAs(errs[i], &tooMany) {
			t.Errorf("invocation %d beyond the reserved concurrency: %s (HTTP %d) %q; want TooManyRequestsException (HTTP 429)", i, e.Code, e.Status, e.Message)
			continue
		}
		if tooMany.Reason != lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded || e.Message != "Rate Exceeded." {
			t.Errorf("throttle: Reason %q, message %q; want ReservedFunctionConcurrentInvocationLimitExceeded, \"Rate Exceeded.\"", tooMany.Reason, e.Message)
		}
		throttledN++
	}
	t.Logf("reserved concurrency 10: %d of %d succeeded, %d throttled, %d environments, in %v", ok, n, throttledN, len(limited), elapsed)
	if ok < 10 || throttledN == 0 || ok+throttledN != n || len(limited) > 10 {
		t.Errorf("with reserved concurrency 10: %d succeeded in %d environments, %d throttled; want at least 10 successes in at most 10 environments and the rest throttled", ok, len(limited), throttledN)
	}
	out := invokeJSON(t, c, "wide", map[string]string{"op": "whoami"})
	decodeWhoami(t, out)
}
