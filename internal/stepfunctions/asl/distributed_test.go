package asl

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// runDistributed runs def on input in an execution of the state machine
// arn:aws:states:us-east-1:000000000000:stateMachine:sm.
func runDistributed(t *testing.T, def, input string, task func(*TaskCall) (any, error)) (string, error, *testEnv) {
	t.Helper()
	m, err := Parse(def)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	in, err := Decode([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), task: task}
	exec := &Execution{ID: "arn:aws:states:us-east-1:000000000000:execution:sm:e1", Name: "e1",
		MachineID: "arn:aws:states:us-east-1:000000000000:stateMachine:sm", MachineName: "sm", Start: env.now, Input: in}
	out, err := Run(context.Background(), env, m, exec, "", in, 0)
	if err != nil {
		return "", err, env
	}
	return Encode(out), nil, env
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
