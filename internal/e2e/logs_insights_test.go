package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// runInsights starts a query and polls GetQueryResults until it is
// Complete, as clients do.
func runInsights(t *testing.T, c *cloudwatchlogs.Client, group string, from, to time.Time, q string) *cloudwatchlogs.GetQueryResultsOutput {
	t.Helper()
	ctx := context.Background()
	start, err := c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(group), StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix()), QueryString: aws.String(q),
	})
	if err != nil {
		t.Fatalf("StartQuery(%q): %v", q, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		out, err := c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		switch out.Status {
		case types.QueryStatusComplete:
			return out
		case types.QueryStatusScheduled, types.QueryStatusRunning:
		default:
			t.Fatalf("query %q: status %s", q, out.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %q still %s after 10 s", q, out.Status)
		}
		time.Sleep(20 * time.Millisecond) // polling, as clients do
	}
}

func rowsOf(out *cloudwatchlogs.GetQueryResultsOutput) []map[string]string {
	var rows []map[string]string
	for _, r := range out.Results {
		m := map[string]string{}
		for _, f := range r {
			m[aws.ToString(f.Field)] = aws.ToString(f.Value)
		}
		rows = append(rows, m)
	}
	return rows
}

// TestLogsInsightsOverPutLogEvents runs Logs Insights queries over
// events written with PutLogEvents.
func TestLogsInsightsOverPutLogEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	group, stream := "/app/orders", "web-1"
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	msgs := []string{
		"INFO user=alice action=login",
		"ERROR user=bob action=pay",
		`{"level":"error","latency":250,"req":{"path":"/pay"}}`,
		"INFO user=carol action=login",
		`{"level":"info","latency":5,"req":{"path":"/"}}`,
	}
	var evs []types.InputLogEvent
	for i, m := range msgs {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(now.Add(time.Duration(i-10) * time.Second).UnixMilli()), Message: aws.String(m)})
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	from, to := now.Add(-time.Minute), now

	out := runInsights(t, c, group, from, to, "fields @timestamp, @message | sort @timestamp desc | limit 2")
	rows := rowsOf(out)
	if len(rows) != 2 || rows[0]["@message"] != msgs[4] || rows[1]["@message"] != msgs[3] || rows[0]["@ptr"] == "" {
		t.Fatalf("newest two = %v", rows)
	}
	if ts := rows[0]["@timestamp"]; ts != now.Add(-6*time.Second).UTC().Format("2006-01-02 15:04:05.000") {
		t.Errorf("@timestamp = %q", ts)
	}
	if s := out.Statistics; s == nil || s.RecordsScanned != 5 || s.RecordsMatched != 5 || s.BytesScanned == 0 {
		t.Errorf("statistics = %+v", s)
	}
	rec, err := c.GetLogRecord(ctx, &cloudwatchlogs.GetLogRecordInput{LogRecordPointer: aws.String(rows[0]["@ptr"])})
	if err != nil {
		t.Fatal(err)
	}
	if rec.LogRecord["@message"] != msgs[4] || rec.LogRecord["req.path"] != "/" || rec.LogRecord["@logStream"] != stream {
		t.Errorf("GetLogRecord = %v", rec.LogRecord)
	}

	rows = rowsOf(runInsights(t, c, group, from, to, `parse @message "user=* action=*" as user, action | filter ispresent(action) | stats count(*) as n by action | sort n desc`))
	if len(rows) != 2 || rows[0]["action"] != "login" || rows[0]["n"] != "2" || rows[1]["action"] != "pay" || rows[1]["n"] != "1" {
		t.Errorf("count by action = %v", rows)
	}
	rows = rowsOf(runInsights(t, c, group, from, to, `filter level = "error" or @message like /ERROR/ | stats count(*) as errors, avg(latency) as lat`))
	if len(rows) != 1 || rows[0]["errors"] != "2" || rows[0]["lat"] != "250" {
		t.Errorf("errors = %v", rows)
	}
	// The range is inclusive at both ends, in seconds: nothing before it.
	rows = rowsOf(runInsights(t, c, group, from, now.Add(-9*time.Second), "fields @message"))
	if len(rows) != 2 {
		t.Errorf("two events in range, got %v", rows)
	}

	_, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(group), StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix()), QueryString: aws.String("fields a | dedup a | sort a"),
	})
	var mq *types.MalformedQueryException
	if !errors.As(err, &mq) || mq.QueryCompileError == nil || mq.QueryCompileError.Location == nil ||
		aws.ToInt32(mq.QueryCompileError.Location.StartCharOffset) != 21 || !strings.Contains(aws.ToString(mq.QueryCompileError.Message), "unexpected symbol found sort") {
		t.Errorf("malformed query: %v", err)
	}
	_, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String("/nope"), StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix()), QueryString: aws.String("fields @message"),
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("unknown group: %v", err)
	}
	_, err = c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("unknown query: %v", err)
	}

	desc, err := c.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: aws.String(group), Status: types.QueryStatusComplete})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.Queries) != 4 || aws.ToString(desc.Queries[0].QueryString) != "fields @message" || aws.ToString(desc.Queries[0].LogGroupName) != group {
		t.Errorf("DescribeQueries = %d queries", len(desc.Queries))
	}
	stop, err := c.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: desc.Queries[0].QueryId})
	if err != nil || stop.Success {
		t.Errorf("stopping a complete query: %v, %v", stop, err)
	}
}

// TestLogsInsightsOverFunctionLogs queries a function's log group: its
// START, END and REPORT lines and the JSON it prints.
func TestLogsInsightsOverFunctionLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	const group = "/aws/lambda/queried"
	createGoFunction(t, lc, "queried", goFunctionZip(t, "bootstrap"))
	from := time.Now().Add(-time.Minute)
	invokeJSON(t, lc, "queried", map[string]string{"op": "log", "message": `{"level":"ERROR","user":"alice"}`})
	invokeJSON(t, lc, "queried", map[string]string{"op": "log", "message": "user=bob action=login"})
	invokeJSON(t, lc, "queried", map[string]string{"op": "log", "message": "ERROR user=carol action=pay"})
	to := time.Now().Add(time.Minute)

	// The lines reach CloudWatch Logs in the background: wait for the
	// three REPORT lines.
	var rows []map[string]string
	for deadline := time.Now().Add(20 * time.Second); ; {
		rows = rowsOf(runInsights(t, c, group, from, to, `filter @type = "REPORT" | fields @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed, @initDuration`))
		if len(rows) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s, %d REPORT lines", len(rows))
		}
		time.Sleep(50 * time.Millisecond) // waiting for the background delivery
	}
	for _, r := range rows {
		if r["@requestId"] == "" || r["@duration"] == "" || r["@billedDuration"] == "" || r["@memorySize"] != "128000000" {
			t.Errorf("REPORT fields = %v", r)
		}
	}
	if _, ok := rows[2]["@initDuration"]; !ok {
		t.Errorf("the first invocation's REPORT has no @initDuration: %v", rows[2])
	}

	rows = rowsOf(runInsights(t, c, group, from, to, `filter @type = "REPORT" | stats avg(@duration), max(@maxMemoryUsed), count(*) by bin(5m)`))
	n := 0
	for _, r := range rows {
		if r["avg(@duration)"] == "" || r["max(@maxMemoryUsed)"] == "" || r["bin(5m)"] == "" {
			t.Errorf("stats row = %v", r)
		}
		n += atoi(r["count(*)"])
	}
	if n != 3 {
		t.Errorf("stats by bin(5m) counted %d REPORT lines: %v", n, rows)
	}
	rows = rowsOf(runInsights(t, c, group, from, to, `filter @message like /ERROR/ | stats count(*) by @logStream`))
	if len(rows) != 1 || rows[0]["count(*)"] != "2" || !strings.Contains(rows[0]["@logStream"], "[$LATEST]") {
		t.Errorf("errors by stream = %v", rows)
	}
	rows = rowsOf(runInsights(t, c, group, from, to, `parse @message "user=* action=*" as user, action | filter ispresent(action) | stats count(*) by action | sort action`))
	if len(rows) != 2 || rows[0]["action"] != "login" || rows[1]["action"] != "pay" {
		t.Errorf("count by action = %v", rows)
	}
	rows = rowsOf(runInsights(t, c, group, from, to, `filter level = "ERROR" | display user`))
	if len(rows) != 1 || rows[0]["user"] != "alice" {
		t.Errorf("JSON fields = %v", rows)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
