package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/virga/virga/internal/e2e"
)

// TestXRayActiveLambdaTrace invokes a function with Active tracing and
// reads back the segments Lambda wrote under the caller's trace: the
// AWS::Lambda segment under the caller's Parent, and the
// AWS::Lambda::Function segment whose id is the Parent of the trace
// header the function was handed. A PassThrough function is traced only
// when the caller's header says Sampled=1.
func TestXRayActiveLambdaTrace(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	x := xray.NewFromConfig(env.Config)
	ctx := context.Background()
	createGoFunction(t, c, "traced", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.TracingConfig = &lambdatypes.TracingConfig{Mode: lambdatypes.TracingModeActive}
	})
	createGoFunction(t, c, "untraced", goFunctionZip(t, "bootstrap"))

	now := time.Now()
	root := xrayTraceID(now, 42)
	invoke := func(name, header string) map[string]string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"op": "env", "names": []string{"_X_AMZN_TRACE_ID", "AWS_XRAY_DAEMON_ADDRESS", "AWS_XRAY_CONTEXT_MISSING"}})
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: body}, func(o *lambda.Options) {
			if header != "" {
				o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("X-Amzn-Trace-Id", header))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Env map[string]string }
		if err := json.Unmarshal(out.Payload, &res); err != nil {
			t.Fatalf("payload %s: %v", out.Payload, err)
		}
		return res.Env
	}
	fnEnv := invoke("traced", "Root="+root+";Parent=53995c3f42cd8ad8;Sampled=1")
	if fnEnv["AWS_XRAY_DAEMON_ADDRESS"] != env.App.XRayDaemon() || fnEnv["AWS_XRAY_CONTEXT_MISSING"] != "LOG_ERROR" {
		t.Errorf("function environment = %v", fnEnv)
	}
	if !strings.HasPrefix(fnEnv["_X_AMZN_TRACE_ID"], "Root="+root+";Parent=") {
		t.Fatalf("_X_AMZN_TRACE_ID = %q; want the caller's root", fnEnv["_X_AMZN_TRACE_ID"])
	}
	// PassThrough traces only what the caller sampled.
	passRoot, untracedRoot := xrayTraceID(now, 43), xrayTraceID(now, 44)
	invoke("untraced", "Root="+passRoot+";Parent=53995c3f42cd8ad8;Sampled=1")
	invoke("untraced", "Root="+untracedRoot+";Parent=53995c3f42cd8ad8")

	var segs []map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for len(segs) < 2 {
		got, err := x.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{root}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Traces) == 1 && len(got.Traces[0].Segments) == 2 {
			for _, s := range got.Traces[0].Segments {
				var m map[string]any
				if err := json.Unmarshal([]byte(aws.ToString(s.Document)), &m); err != nil {
					t.Fatal(err)
				}
				segs = append(segs, m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Lambda's segments never arrived")
		}
		time.Sleep(20 * time.Millisecond)
	}
	byOrigin := map[string]map[string]any{}
	for _, s := range segs {
		byOrigin[fmt.Sprint(s["origin"])] = s
	}
	svc, fn := byOrigin["AWS::Lambda"], byOrigin["AWS::Lambda::Function"]
	if svc == nil || fn == nil {
		t.Fatalf("segments = %v; want AWS::Lambda and AWS::Lambda::Function", segs)
	}
	if svc["parent_id"] != "53995c3f42cd8ad8" || fn["parent_id"] != svc["id"] || svc["name"] != "traced" {
		t.Errorf("segment links: service %v, function %v", svc, fn)
	}
	// The function's header names its segment, and counts it in the
	// chain of requests (Lineage, recursive loop detection's).
	if want := "Root=" + root + ";Parent=" + fmt.Sprint(fn["id"]) + ";Sampled=1;Lineage="; !strings.HasPrefix(fnEnv["_X_AMZN_TRACE_ID"], want) ||
		!strings.HasSuffix(fnEnv["_X_AMZN_TRACE_ID"], ":0") {
		t.Errorf("_X_AMZN_TRACE_ID = %q; want %q{hash}:0", fnEnv["_X_AMZN_TRACE_ID"], want)
	}
	var names []string
	for _, sub := range fn["subsegments"].([]any) {
		names = append(names, fmt.Sprint(sub.(map[string]any)["name"]))
	}
	if got := strings.Join(names, ","); got != "Initialization,Invocation,Overhead" {
		t.Errorf("function subsegments = %s; want Initialization,Invocation,Overhead (a cold start)", got)
	}

	sums, err := x.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Minute)),
		EndTime: aws.Time(time.Now().Add(time.Minute)), FilterExpression: aws.String(`service("traced")`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums.TraceSummaries) != 1 || aws.ToString(sums.TraceSummaries[0].Id) != root {
		t.Fatalf("GetTraceSummaries = %+v", sums.TraceSummaries)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		got, err := x.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{passRoot, untracedRoot}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Traces) == 1 {
			if aws.ToString(got.Traces[0].Id) != passRoot || len(got.UnprocessedTraceIds) != 1 {
				t.Fatalf("PassThrough traces = %s; want only the sampled one", aws.ToString(got.Traces[0].Id))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PassThrough traces = %d; want the sampled request's", len(got.Traces))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
