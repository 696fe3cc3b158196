package asl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// runDistributed runs def on input in an execution of the state machine
// arn:aws:states:us-east-1:000000000000:stateMachine:sm.
func runDistributed(t *testing.T, def, input string, task func(*TaskCall) (any, error)) (string, error, *testEnv) {
	t.Helper()
	env := &testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), task: task}
	out, err := runDistributedIn(t, env, def, input)
	return out, err, env
}

// runDistributedIn is runDistributed in env.
func runDistributedIn(t *testing.T, env *testEnv, def, input string) (string, error) {
	t.Helper()
	m, err := Parse(def)
	if err != nil {
		return "", fmt.Errorf("Parse: %w", err)
	}
	in, err := Decode([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	exec := &Execution{ID: "arn:aws:states:us-east-1:000000000000:execution:sm:e1", Name: "e1",
		MachineID: "arn:aws:states:us-east-1:000000000000:stateMachine:sm", MachineName: "sm", Start: env.now, Input: in}
	out, err := Run(context.Background(), env, m, exec, "", in, 0)
	if err != nil {
		return "", err
	}
	return Encode(out), nil
}

// TestDistributedMapBatches: a Map state in DISTRIBUTED mode runs each
// batch of an ItemBatcher ({"BatchInput", "Items"}, items through the
// ItemSelector) as a child workflow execution, whose events stay out of
// the execution's history: it records MapRunStarted, with the Map Run's
// ARN named by the Label, and MapRunSucceeded.
func TestDistributedMapBatches(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Label":"batches",
		"ItemSelector":{"n.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
		"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"tag.$":"$.tag"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
			"StartAt":"Count","States":{"Count":{"Type":"Pass","Parameters":{"tag.$":"$.BatchInput.tag","size.$":"States.ArrayLength($.Items)","first.$":"$.Items[0].n"},"End":true}}},
		"End":true}}}`
	out, err, env := runDistributed(t, def, `{"items":["a","b","c","d","e"],"tag":"t"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"first":"a","size":2,"tag":"t"},{"first":"c","size":2,"tag":"t"},{"first":"e","size":1,"tag":"t"}]`
	if out != want {
		t.Errorf("output %s, want %s", out, want)
	}
	var types []string
	for _, e := range env.events {
		types = append(types, e.Type)
		if e.Type == "MapRunStarted" && !strings.HasPrefix(e.MapRunArn, "arn:aws:states:us-east-1:000000000000:mapRun:sm/batches:") {
			t.Errorf("MapRunStarted mapRunArn %q", e.MapRunArn)
		}
	}
	if got := strings.Join(types, " "); got != "MapStateEntered MapRunStarted MapRunSucceeded MapStateExited ExecutionSucceeded" &&
		got != "MapStateEntered MapRunStarted MapRunSucceeded MapStateExited" {
		t.Errorf("events %s", got)
	}
}

// TestDistributedMapChildFails: a child workflow execution that fails
// fails the Map Run and the state with
// States.ExceedToleratedFailureThreshold, which a Catch can take.
func TestDistributedMapChildFails(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"Caught"}],
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},
		"Next":"Done"},"Done":{"Type":"Succeed"},"Caught":{"Type":"Pass","End":true}}}`
	out, err, env := runDistributed(t, def, `[1,2,3]`, func(c *TaskCall) (any, error) {
		if c.Input == num(2) {
			return nil, &Failure{Name: "Boom", Cause: "two"}
		}
		return c.Input, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"Error":"States.ExceedToleratedFailureThreshold"`) {
		t.Errorf("output %s", out)
	}
	var failed bool
	for _, e := range env.events {
		if strings.HasPrefix(e.Type, "Task") {
			t.Errorf("a child's %s is in the execution's history", e.Type)
		}
		if e.Type == "MapRunFailed" && e.Error != nil && *e.Error == ErrExceedToleratedFailureThreshold {
			failed = true
		}
	}
	if !failed {
		t.Errorf("no MapRunFailed event")
	}
	// Without a Catch the execution fails with the same error.
	uncaught := `{"StartAt":"M","States":{"M":{"Type":"Map",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},
		"End":true}}}`
	_, err, _ = runDistributed(t, uncaught, `[2]`, func(c *TaskCall) (any, error) { return nil, &Failure{Name: "Boom"} })
	var f *Failure
	if !errors.As(err, &f) || f.Name != ErrExceedToleratedFailureThreshold {
		t.Errorf("error %v", err)
	}
}

// TestDistributedMapDefinitionErrors: Label and ItemBatcher belong to
// a Map state in DISTRIBUTED mode, which needs an ExecutionType.
func TestDistributedMapDefinitionErrors(t *testing.T) {
	t.Parallel()
	const proc = `"ItemProcessor":{%s"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	for _, tc := range []struct{ fields, config, want string }{
		{`"Label":"x",`, ``, "The field \"Label\" is only supported for a Map state in DISTRIBUTED mode at /States/M/Label"},
		{`"ItemBatcher":{"MaxItemsPerBatch":2},`, ``, "The field \"ItemBatcher\" is only supported for a Map state in DISTRIBUTED mode at /States/M/ItemBatcher"},
		{``, `"ProcessorConfig":{"Mode":"DISTRIBUTED"},`, "The value for the field 'ExecutionType' must be STANDARD or EXPRESS"},
		{`"ItemBatcher":{},`, `"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},`, "An ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch"},
		{`"ItemBatcher":{"MaxInputBytesPerBatch":300000},`, `"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},`, "must be at most 262144"},
		{`"Label":"has space",`, `"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},`, "Label"},
	} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + tc.fields + strings.Replace(proc, "%s", tc.config, 1) + `,"End":true}}}`
		_, err := Parse(def)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", def, err, tc.want)
		}
	}
}

// TestDistributedMapItemReader reads a Distributed Map state's items
// from a file in S3: a CSV file's rows as objects keyed by the first
// row's names (or the given headers), a JSON array's elements, a JSONL
// file's lines, at most MaxItems of them; a missing object fails the
// state with States.ItemReaderFailed.
func TestDistributedMapItemReader(t *testing.T) {
	t.Parallel()
	objects := map[string]string{
		"b/rows.csv":   "id,name\n1,a\n2,\"b, c\"\n3,d\n",
		"b/plain.csv":  "1|a\n2|b\n",
		"b/list.json":  `[{"id":1},{"id":2}]`,
		"b/lines.json": "{\"id\":1}\n\n{\"id\":2}\n{\"id\":3}\n",
	}
	for _, tc := range []struct{ config, key, want string }{
		{`{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`, "rows.csv", `[{"id":"1","name":"a"},{"id":"2","name":"b, c"},{"id":"3","name":"d"}]`},
		{`{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW","MaxItems":2}`, "rows.csv", `[{"id":"1","name":"a"},{"id":"2","name":"b, c"}]`},
		{`{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["n","v"],"CSVDelimiter":"PIPE"}`, "plain.csv", `[{"n":"1","v":"a"},{"n":"2","v":"b"}]`},
		{`{"InputType":"JSON"}`, "list.json", `[{"id":1},{"id":2}]`},
		{`{"InputType":"JSONL"}`, "lines.json", `[{"id":1},{"id":2},{"id":3}]`},
	} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map",
			"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":` + tc.config + `,
				"Parameters":{"Bucket":"b","Key.$":"$.key"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
			"End":true}}}`
		m, err := Parse(def)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		env := &testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), objects: objects}
		in := map[string]any{"key": tc.key}
		exec := &Execution{ID: "arn:aws:states:us-east-1:000000000000:execution:sm:e1", Name: "e1",
			MachineID: "arn:aws:states:us-east-1:000000000000:stateMachine:sm", MachineName: "sm", Start: env.now, Input: in}
		out, err := Run(context.Background(), env, m, exec, "", in, 0)
		if err != nil {
			t.Errorf("%s: %v", tc.config, err)
			continue
		}
		if got := Encode(out); got != tc.want {
			t.Errorf("%s: output %s, want %s", tc.config, got, tc.want)
		}
		// A missing object.
		in = map[string]any{"key": "nope"}
		_, err = Run(context.Background(), env, m, exec, "", in, 0)
		var f *Failure
		if !errors.As(err, &f) || f.Name != ErrItemReaderFailed {
			t.Errorf("%s, missing object: %v", tc.config, err)
		}
	}
	// Only S3 GetObject, with a known InputType, in DISTRIBUTED mode.
	for _, bad := range []string{
		`"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},`,
		`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"MANIFEST"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},`,
		`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"}},"ItemProcessor":{`,
	} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + bad + `"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
		if _, err := Parse(def); err == nil {
			t.Errorf("Parse accepted %s", bad)
		}
	}
}

// TestMapRunCounts: a Map Run counts its children and, with an
// ItemBatcher, their items by status, notes its threshold and ends
// SUCCEEDED within it.
func TestMapRunCounts(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"counts","MaxConcurrency":3,"ToleratedFailureCount":1,
		"ItemBatcher":{"MaxItemsPerBatch":2},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.Items[0]","NumericEquals":3,"Next":"F"}],"Default":"S"},
			"F":{"Type":"Fail","Error":"Bad"},"S":{"Type":"Succeed"}}},
		"End":true}}}`
	_, err, env := runDistributed(t, def, `[1,2,3,4,5]`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(env.mapRunInfo) != 1 {
		t.Fatalf("%d Map Runs, want 1", len(env.mapRunInfo))
	}
	for arn, info := range env.mapRunInfo {
		if !strings.HasPrefix(arn, "arn:aws:states:us-east-1:000000000000:mapRun:sm/counts:") ||
			info.StateMachineARN != "arn:aws:states:us-east-1:000000000000:stateMachine:sm/counts" {
			t.Errorf("ARN %s, state machine %s", arn, info.StateMachineARN)
		}
		if info.Status != MapRunSucceeded || info.Stop.IsZero() || info.MaxConcurrency != 3 || info.ToleratedFailureCount != 1 {
			t.Errorf("Map Run %+v", info)
		}
		if want := (MapRunCounts{Succeeded: 2, Failed: 1, Total: 3}); info.Executions != want {
			t.Errorf("executions %+v, want %+v", info.Executions, want)
		}
		if want := (MapRunCounts{Succeeded: 3, Failed: 2, Total: 5}); info.Items != want {
			t.Errorf("items %+v, want %+v", info.Items, want)
		}
	}
}

// TestMapRunUpdate: UpdateMapRun's maxConcurrency takes effect while
// the Map Run runs (children blocked at one at a time all start once
// it is raised), and its tolerated failure count judges the Map Run at
// its end.
func TestMapRunUpdate(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},
		"End":true}}}`
	started := make(chan struct{}, 3)
	release := make(chan struct{})
	task := func(c *TaskCall) (any, error) {
		started <- struct{}{}
		<-release
		return nil, &Failure{Name: "Bad"}
	}
	env := &testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), task: task}
	done := make(chan error, 1)
	go func() {
		_, err := runDistributedIn(t, env, def, `[1,2,3]`)
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the execution ended before its first child started: %v", err)
	}
	var m *MapRun
	env.mu.Lock()
	for _, r := range env.mapRuns {
		m = r
	}
	env.mu.Unlock()
	if m == nil {
		t.Fatal("no Map Run while its first child runs")
	}
	select {
	case <-started:
		t.Fatal("a second child started with MaxConcurrency 1")
	default:
	}
	three, count := 3, int64(3)
	if !m.Update(&three, nil, &count) {
		t.Fatal("Update of a running Map Run answered false")
	}
	<-started
	<-started
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Map Run failed with 3 tolerated failures: %v", err)
	}
	info := m.Info()
	if info.Status != MapRunSucceeded || info.MaxConcurrency != 3 || info.ToleratedFailureCount != 3 || info.Executions.Failed != 3 {
		t.Errorf("Map Run %+v", info)
	}
	if m.Update(&three, nil, nil) {
		t.Error("Update of an ended Map Run answered true")
	}
}
