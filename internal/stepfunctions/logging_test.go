package stepfunctions

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// recordedLogs keeps what executions write, by group; groups not in
// exist refuse their streams, as CreateLogStream does.
type recordedLogs struct {
	mu      sync.Mutex
	exist   map[string]bool
	streams map[string]bool
	lines   map[string][]string
	closed  []string
}

func (l *recordedLogs) OpenStream(group, stream string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.exist[group] {
		return ErrResourceNotFound
	}
	l.streams[group+" "+stream] = true
	return nil
}

func (l *recordedLogs) Write(group, stream string, _ time.Time, message string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines[group] = append(l.lines[group], message)
	return nil
}

func (l *recordedLogs) CloseStream(group, stream string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = append(l.closed, group+" "+stream)
}

func (l *recordedLogs) records(t *testing.T, group string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range l.lines[group] {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("record %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func newLoggingService(t *testing.T, groups ...string) (*Service, *recordedLogs) {
	t.Helper()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l := &recordedLogs{exist: map[string]bool{}, streams: map[string]bool{}, lines: map[string][]string{}}
	for _, g := range groups {
		l.exist[g] = true
	}
	s := New(Deps{Store: st, Clock: clock.NewFake(time.Date(2026, 4, 24, 11, 54, 30, 0, time.UTC)), IDs: ids.New(nil),
		Account: "000000000000", Region: "us-east-1", Logs: l})
	t.Cleanup(func() { s.Close() })
	return s, l
}

func logConfig(level, group string, data bool) *LoggingConfiguration {
	return &LoggingConfiguration{Level: ptr(LogLevel(level)), IncludeExecutionData: ptr(data),
		Destinations: []LogDestination{{CloudWatchLogsLogGroup: &CloudWatchLogsLogGroup{
			LogGroupArn: ptr("arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":*")}}}}
}

// TestCheckLogging checks LoggingConfiguration's validation: one
// destination unless OFF, and a log group ARN with its ":*" qualifier.
func TestCheckLogging(t *testing.T) {
	t.Parallel()
	group := func(arn string) []LogDestination {
		return []LogDestination{{CloudWatchLogsLogGroup: &CloudWatchLogsLogGroup{LogGroupArn: ptr(arn)}}}
	}
	good := "arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/x:*"
	for _, c := range []struct {
		name string
		lc   *LoggingConfiguration
		msg  string // "" is valid
	}{
		{"none", nil, ""},
		{"off without destination", &LoggingConfiguration{Level: ptr(LogLevel("OFF"))}, ""},
		{"off with destination", &LoggingConfiguration{Level: ptr(LogLevel("OFF")), Destinations: group(good)}, ""},
		{"all", &LoggingConfiguration{Level: ptr(LogLevel("ALL")), Destinations: group(good)}, ""},
		{"all without destination", &LoggingConfiguration{Level: ptr(LogLevel("ALL"))}, "exactly one Log Destination"},
		{"two destinations", &LoggingConfiguration{Level: ptr(LogLevel("ERROR")), Destinations: append(group(good), group(good)...)}, "exactly one Log Destination"},
		{"no qualifier", &LoggingConfiguration{Level: ptr(LogLevel("ALL")), Destinations: group(strings.TrimSuffix(good, ":*"))},
			"Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier."},
		{"not a log group", &LoggingConfiguration{Level: ptr(LogLevel("FATAL")), Destinations: group("arn:aws:sqs:us-east-1:000000000000:q:*")}, "not valid"},
	} {
		err := checkLogging(c.lc)
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)):
			t.Errorf("%s: err = %v, want %q", c.name, err, c.msg)
		}
		if c.msg != "" {
			wantCode(t, c.name, err, "InvalidLoggingConfiguration")
		}
	}
}

// TestLogLevels runs one failing express execution under each level and
// checks which events each writes, and the records' fields.
func TestLogLevels(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"bad"}}}`
	want := map[string][]string{
		"ALL":   {"ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"},
		"ERROR": {"FailStateEntered", "ExecutionFailed"},
		"FATAL": {"ExecutionFailed"},
		"OFF":   nil,
	}
	s, l := newLoggingService(t, "ALL", "ERROR", "FATAL", "OFF")
	ctx := context.Background()
	for level := range want {
		out, err := s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("m-" + level), Definition: ptr(def),
			RoleArn: ptr("arn:aws:iam::000000000000:role/r"), Type: ptr(StateMachineType("EXPRESS")),
			LoggingConfiguration: logConfig(level, level, true)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.startSyncExecution(ctx, &StartSyncExecutionInput{StateMachineArn: out.StateMachineArn, Input: ptr(`{"a":1}`)})
		if err != nil || *res.Status != "FAILED" {
			t.Fatalf("%s: %v %v", level, err, res)
		}
		recs := l.records(t, level)
		var types []string
		for _, r := range recs {
			types = append(types, r["type"].(string))
			if r["execution_arn"] != *res.ExecutionArn || r["redrive_count"] != "0" {
				t.Errorf("%s: record %v", level, r)
			}
			for _, k := range []string{"id", "previous_event_id", "event_timestamp"} {
				if _, ok := r[k].(string); !ok {
					t.Errorf("%s: %s is %T, want a string", level, k, r[k])
				}
			}
		}
		if strings.Join(types, ",") != strings.Join(want[level], ",") {
			t.Errorf("%s: logged %v, want %v", level, types, want[level])
		}
		if level == "ALL" {
			started := recs[0]["details"].(map[string]any)
			if started["input"] != `{"a":1}` || started["roleArn"] != "arn:aws:iam::000000000000:role/r" ||
				started["inputDetails"].(map[string]any)["truncated"] != false {
				t.Errorf("ExecutionStarted details: %v", started)
			}
			if recs[0]["id"] != "1" || recs[0]["previous_event_id"] != "0" ||
				recs[0]["event_timestamp"] != "1777031670000" {
				t.Errorf("ExecutionStarted: %v", recs[0])
			}
			failed := recs[len(recs)-1]["details"].(map[string]any)
			if failed["error"] != "Boom" || failed["cause"] != "bad" {
				t.Errorf("ExecutionFailed details: %v", failed)
			}
			if !l.streams["ALL states/m-ALL/2026-04-24-11-50/00000000"] {
				t.Errorf("streams: %v", l.streams)
			}
		}
	}
}

// TestLogWithoutData checks that IncludeExecutionData false leaves
// input and output out of the records, and that a standard execution
// logs too.
func TestLogWithoutData(t *testing.T) {
	t.Parallel()
	s, l := newLoggingService(t, "g")
	ctx := context.Background()
	out, err := s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("m"),
		Definition: ptr(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"secret":1},"End":true}}}`),
		RoleArn:    ptr("arn:aws:iam::000000000000:role/r"), LoggingConfiguration: logConfig("ALL", "g", false)})
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := s.startRun(&StartExecutionInput{StateMachineArn: out.StateMachineArn, Input: ptr(`{"secret":0}`)})
	if err != nil {
		t.Fatal(err)
	}
	<-r.done
	recs := l.records(t, "g")
	if len(recs) != 4 {
		t.Fatalf("records: %v", recs)
	}
	for _, rec := range recs {
		raw, _ := json.Marshal(rec)
		if strings.Contains(string(raw), "secret") {
			t.Errorf("record carries data: %s", raw)
		}
	}
	if d := recs[3]["details"].(map[string]any); d["outputDetails"] == nil {
		t.Errorf("ExecutionSucceeded details: %v", d)
	}
}

// TestLogGroupMissing checks that an execution logging to a group that
// does not exist runs as usual and writes nothing.
func TestLogGroupMissing(t *testing.T) {
	t.Parallel()
	s, l := newLoggingService(t)
	ctx := context.Background()
	out, err := s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("m"), Type: ptr(StateMachineType("EXPRESS")),
		Definition: ptr(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`),
		RoleArn:    ptr("arn:aws:iam::000000000000:role/r"), LoggingConfiguration: logConfig("ALL", "nowhere", true)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.startSyncExecution(ctx, &StartSyncExecutionInput{StateMachineArn: out.StateMachineArn})
	if err != nil || *res.Status != "SUCCEEDED" {
		t.Fatalf("%v %v", err, res)
	}
	if len(l.lines) != 0 {
		t.Errorf("wrote %v", l.lines)
	}
}

// TestLogTruncated checks that input past 248 KB is cut and marked
// truncated, keeping the record valid JSON.
func TestLogTruncated(t *testing.T) {
	t.Parallel()
	big := `"` + strings.Repeat("é", 200*1024) + `"`
	e := &execution{ARN: "arn:aws:states:us-east-1:000000000000:express:m:e:1"}
	msg := logMessage("us-east-1", e, event{ID: 1, Type: "ExecutionStarted", Input: &big, RoleArn: "r", Time: time.Unix(1, 0)}, true)
	var rec struct {
		Details struct {
			Input        string
			InputDetails struct{ Truncated bool }
		}
	}
	if err := json.Unmarshal([]byte(msg), &rec); err != nil {
		t.Fatal(err)
	}
	if !rec.Details.InputDetails.Truncated || len(rec.Details.Input) > maxLoggedData || len(rec.Details.Input) < maxLoggedData/2 {
		t.Errorf("input %d bytes, truncated %v", len(rec.Details.Input), rec.Details.InputDetails.Truncated)
	}
}

// TestLogRedriveCount checks that the records of a redriven execution
// carry its redrive count.
func TestLogRedriveCount(t *testing.T) {
	t.Parallel()
	s, l := newLoggingService(t, "g")
	ctx := context.Background()
	out, err := s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("m"),
		Definition: ptr(`{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}`),
		RoleArn:    ptr("arn:aws:iam::000000000000:role/r"), LoggingConfiguration: logConfig("ALL", "g", true)})
	if err != nil {
		t.Fatal(err)
	}
	started, r, err := s.startRun(&StartExecutionInput{StateMachineArn: out.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	<-r.done
	if _, err := s.redriveExecution(ctx, &RedriveExecutionInput{ExecutionArn: started.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	r = s.running[*started.ExecutionArn]
	s.mu.Unlock()
	if r != nil {
		<-r.done
	}
	recs := l.records(t, "g")
	var got []string
	for _, rec := range recs {
		got = append(got, rec["type"].(string)+":"+rec["redrive_count"].(string))
	}
	want := "ExecutionStarted:0,FailStateEntered:0,ExecutionFailed:0,ExecutionRedriven:1,FailStateEntered:1,ExecutionFailed:1"
	if strings.Join(got, ",") != want {
		t.Errorf("records %v, want %s", got, want)
	}
	if d := recs[3]["details"].(map[string]any); d["redriveCount"] != float64(1) {
		t.Errorf("ExecutionRedriven details: %v", d)
	}
}

// TestLogStreamRotation checks that a machine's records go to a new
// stream every 10 minutes, the one before being closed.
func TestLogStreamRotation(t *testing.T) {
	t.Parallel()
	s, l := newLoggingService(t, "g")
	ctx := context.Background()
	// FATAL logs ExecutionFailed only: one record per execution.
	out, err := s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("f"), Type: ptr(StateMachineType("EXPRESS")),
		Definition: ptr(`{"StartAt":"F","States":{"F":{"Type":"Fail"}}}`),
		RoleArn:    ptr("arn:aws:iam::000000000000:role/r"), LoggingConfiguration: logConfig("FATAL", "g", true)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.startSyncExecution(ctx, &StartSyncExecutionInput{StateMachineArn: out.StateMachineArn}); err != nil {
			t.Fatal(err)
		}
		s.clock.(*clock.Fake).Advance(10 * time.Minute)
	}
	if len(l.lines["g"]) != 2 {
		t.Fatalf("records: %v", l.lines["g"])
	}
	first, second := "g states/f/2026-04-24-11-50/00000000", "g states/f/2026-04-24-12-00/00000000"
	if !l.streams[first] || !l.streams[second] || len(l.closed) != 1 || l.closed[0] != first {
		t.Errorf("streams %v, closed %v", l.streams, l.closed)
	}
}

// TestLogMessageText checks a record's text: compact JSON in AWS's
// field order, with <, > and & as they are.
func TestLogMessageText(t *testing.T) {
	t.Parallel()
	in := `{"html":"<b>&</b>"}`
	e := &execution{ARN: "arn:aws:states:us-east-1:000000000000:express:m:e:1", RedriveCount: 2}
	got := logMessage("us-east-1", e, event{ID: 2, Prev: 1, Type: "PassStateEntered", State: "P", Input: &in, Time: time.UnixMilli(1713959670680)}, true)
	want := `{"id":"2","type":"PassStateEntered","details":{"name":"P","input":"{\"html\":\"<b>&</b>\"}","inputDetails":{"truncated":false}},` +
		`"previous_event_id":"1","event_timestamp":"1713959670680","execution_arn":"arn:aws:states:us-east-1:000000000000:express:m:e:1","redrive_count":"2"}`
	if got != want {
		t.Errorf("record\n%s\nwant\n%s", got, want)
	}
}
