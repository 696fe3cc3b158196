package e2e_test

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaProofLogs: after invocations, /aws/lambda/NAME holds one
// stream per execution environment, named as AWS names them, with each
// invocation's START, output, END and REPORT lines in order; GetLogEvents
// and FilterLogEvents find them.
func TestLambdaProofLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	const group = "/aws/lambda/logged"
	createGoFunction(t, c, "logged", goFunctionZip(t, "bootstrap"))

	// Two invocations one after the other share an environment; two at
	// once need a second one.
	var ids []string
	out := invokeJSON(t, c, "logged", map[string]string{"op": "log", "message": "first line to find"})
	ids = append(ids, requestIDOf(t, out))
	out = invokeJSON(t, c, "logged", map[string]any{"op": "env", "names": []string{"AWS_LAMBDA_LOG_STREAM_NAME"}})
	ids = append(ids, requestIDOf(t, out))
	first := decodeEnvStream(t, out)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("logged"), Payload: []byte(`{"op":"sleep","ms":1500}`)})
			if err != nil || out.FunctionError != nil {
				t.Errorf("concurrent invocation: %v", err)
				return
			}
			mu.Lock()
			ids = append(ids, requestIDOf(t, out))
			mu.Unlock()
		}()
	}
	wg.Wait()

	filter := func(pattern string) []string {
		t.Helper()
		out, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(pattern)})
		if err != nil {
			t.Fatalf("FilterLogEvents(%s): %v", pattern, err)
		}
		var streams []string
		for _, e := range out.Events {
			streams = append(streams, aws.ToString(e.LogStreamName))
		}
		return streams
	}
	// The lines reach CloudWatch Logs in the background: wait for every
	// REPORT.
	for deadline := time.Now().Add(20 * time.Second); len(filter("REPORT")) < len(ids); {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s, %d REPORT lines for %d invocations", len(filter("REPORT")), len(ids))
		}
		time.Sleep(50 * time.Millisecond) // waiting for the background delivery, not timing it
	}

	streams, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 2 {
		t.Fatalf("%d log streams for 2 environments", len(streams.LogStreams))
	}
	// Each request's lines, by stream.
	where := map[string]string{}
	reportsSeen, lineSeen := 0, false
	// Each event ends in its line's newline, as Lambda's do.
	startRE := regexp.MustCompile(`^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n$`)
	endRE := regexp.MustCompile(`^END RequestId: ([0-9a-f-]{36})\n$`)
	durationRE := regexp.MustCompile(`Duration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: 128 MB\tMax Memory Used: (\d+) MB\t`)
	for _, s := range streams.LogStreams {
		name := aws.ToString(s.LogStreamName)
		if !streamNameRE.MatchString(name) {
			t.Errorf("stream %q is not named as Lambda names them", name)
		}
		msgs := logEvents(t, cwl, group, name, func([]string) bool { return true })
		open := ""
		reports := 0
		for _, m := range msgs {
			switch {
			case startRE.MatchString(m):
				if open != "" {
					t.Errorf("%s: START of another request before END of %s", name, open)
				}
				open = startRE.FindStringSubmatch(m)[1]
				where[open] = name
			case endRE.MatchString(m):
				if id := endRE.FindStringSubmatch(m)[1]; id != open {
					t.Errorf("%s: END of %s while %s is open", name, id, open)
				}
			case strings.HasPrefix(m, "REPORT RequestId: "+open) && open != "":
				d := durationRE.FindStringSubmatch(m)
				if d == nil || !reportRE.MatchString(m) {
					t.Errorf("%s: REPORT line %q", name, m)
					break
				}
				// Billed: the Duration and any Init Duration, rounded up
				// to the millisecond (within the lines' two decimals).
				ms, _ := strconv.ParseFloat(d[1], 64)
				if init := reportRE.FindStringSubmatch(m)[1]; init != "" {
					initMS, _ := strconv.ParseFloat(init, 64)
					ms += initMS
				}
				billed, _ := strconv.Atoi(d[2])
				if lo, hi := math.Max(1, math.Ceil(ms-0.02)), math.Max(1, math.Ceil(ms+0.02)); float64(billed) < lo || float64(billed) > hi {
					t.Errorf("%s: Billed Duration %d ms for %q; want the Duration and Init Duration rounded up to the millisecond", name, billed, m)
				}
				if cold := strings.Contains(m, "Init Duration: "); cold != (reports == 0) {
					t.Errorf("%s: REPORT %d of the environment has Init Duration: %v; want it on the first only", name, reports+1, cold)
				}
				reports++
				open = ""
			case m == "first line to find\n":
				lineSeen = true
				if open != ids[0] {
					t.Errorf("%s: the function's line is outside its invocation (open: %q)", name, open)
				}
			}
		}
		if open != "" {
			t.Errorf("%s: request %s has no REPORT", name, open)
		}
		reportsSeen += reports
	}
	if reportsSeen != len(ids) || !lineSeen {
		t.Errorf("the streams hold %d well-formed REPORT lines for %d invocations; the function's line found: %v", reportsSeen, len(ids), lineSeen)
	}
	for _, id := range ids {
		if where[id] == "" {
			t.Errorf("request %s is in no stream", id)
		}
	}
	if where[ids[0]] != first || where[ids[1]] != first || where[ids[2]] == where[ids[3]] {
		t.Errorf("streams by request: %v (first environment %s)", where, first)
	}

	if got := filter(`"first line to find"`); len(got) != 1 || got[0] != first {
		t.Errorf("FilterLogEvents for the function's line: %v", got)
	}
	if got := filter("REPORT"); len(got) != len(ids) {
		t.Errorf("FilterLogEvents REPORT: %d events for %d invocations", len(got), len(ids))
	}
	if got := filter(ids[3]); len(got) != 3 || got[0] != where[ids[3]] {
		t.Errorf("FilterLogEvents for request %s: %v; want its START, END and REPORT in %s", ids[3], got, where[ids[3]])
	}
	groups, err := cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil || len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].LogGroupName) != group {
		t.Errorf("DescribeLogGroups: %v %v", groups, err)
	}
}

// decodeEnvStream is the log stream the test function's env operation
// reports.
func decodeEnvStream(t testing.TB, out *lambda.InvokeOutput) string {
	t.Helper()
	var s envSeen
	if err := json.Unmarshal(out.Payload, &s); err != nil || s.Env["AWS_LAMBDA_LOG_STREAM_NAME"] == "" {
		t.Fatalf("env: %v %s", err, out.Payload)
	}
	return s.Env["AWS_LAMBDA_LOG_STREAM_NAME"]
}

// TestLambdaLogGroupFromLoggingConfig: a function whose LoggingConfig
// names a log group writes there, not to /aws/lambda/NAME, and says so in
// AWS_LAMBDA_LOG_GROUP_NAME.
func TestLambdaLogGroupFromLoggingConfig(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	const group = "/app/orders"
	createGoFunction(t, c, "grouped", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.LoggingConfig = &lambdatypes.LoggingConfig{LogGroup: aws.String(group)}
	})
	invokeJSON(t, c, "grouped", map[string]string{"op": "log", "message": "line for the group"})
	out := invokeJSON(t, c, "grouped", map[string]any{"op": "env", "names": []string{"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_LOG_GROUP_NAME"}})
	var seen envSeen
	if err := json.Unmarshal(out.Payload, &seen); err != nil || seen.Env["AWS_LAMBDA_LOG_GROUP_NAME"] != group {
		t.Errorf("AWS_LAMBDA_LOG_GROUP_NAME: %s %v", out.Payload, err)
	}
	logEvents(t, cwl, group, decodeEnvStream(t, out), func(msgs []string) bool { return containsLine(msgs, "line for the group") })
	groups, err := cwl.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/grouped")})
	if err != nil || len(groups.LogGroups) != 0 {
		t.Errorf("/aws/lambda/grouped: %v %v", groups, err)
	}
}
