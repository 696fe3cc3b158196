package asl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// testEnv runs tasks with a function, on a fake clock that WaitUntil
// moves forward at once (recording the waits), except to a task's
// default timeout (99999999 s, about three years), which never comes:
// moving to it at once would time out, at random, a task that was
// about to return.
type testEnv struct {
	mu     sync.Mutex
	now    time.Time
	waits  []time.Duration
	events []Event
	task   func(call *TaskCall) (any, error)
	// branches are the top-level branches recorded as succeeded.
	branches map[int]any
	// objects are what ReadObject reads, by "bucket/key".
	objects map[string]string
	// mapRuns are the Map Runs as MapRunChanged last saw them, by ARN.
	mapRuns map[string]*MapRun
	// mapRunInfo are their records as MapRunChanged last saw them.
	mapRunInfo map[string]MapRunInfo
}

func (e *testEnv) MapRunChanged(m *MapRun) {
	info := m.Info()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.mapRuns == nil {
		e.mapRuns, e.mapRunInfo = map[string]*MapRun{}, map[string]MapRunInfo{}
	}
	e.mapRuns[info.ARN], e.mapRunInfo[info.ARN] = m, info
}

func (e *testEnv) Now() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *testEnv) WaitUntil(ctx context.Context, t time.Time) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if t.Sub(e.Now()) >= defaultTaskTimeout*time.Second {
		<-ctx.Done()
		return ctx.Err()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.After(e.now) {
		e.waits = append(e.waits, t.Sub(e.now))
		e.now = t
	}
	return nil
}
func (e *testEnv) Task(ctx context.Context, c *TaskCall) (any, error) { return e.task(c) }
func (e *testEnv) Record(ev Event) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, ev)
	return int64(len(e.events))
}
func (e *testEnv) UUID() string { return "uuid-1" }
func (e *testEnv) RandomInt(n int64, seed *int64) int64 {
	if n <= 0 {
		// As math/rand/v2's Int64N, which the service's Env uses.
		panic("invalid argument to Int64N")
	}
	return n / 2
}
func (e *testEnv) Checkpoint(string, any, map[string]any) {}
func (e *testEnv) BranchSucceeded(i int, out any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.branches == nil {
		e.branches = map[int]any{}
	}
	e.branches[i] = out
}
func (e *testEnv) BranchesReset() { e.mu.Lock(); defer e.mu.Unlock(); e.branches = nil }
func (e *testEnv) WriteObject(ctx context.Context, bucket, key string, data []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if bucket == "missing" {
		return errors.New("NoSuchBucket: The specified bucket does not exist")
	}
	if e.objects == nil {
		e.objects = map[string]string{}
	}
	e.objects[bucket+"/"+key] = string(data)
	return nil
}

func (e *testEnv) ReadObject(ctx context.Context, bucket, key, version string) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b, ok := e.objects[bucket+"/"+key]; ok {
		return []byte(b), nil
	}
	return nil, errors.New("NoSuchKey: The specified key does not exist.")
}

// waitEnv blocks in WaitUntil until the context ends: a task timeout
// only fires through ctx then.
func run(t *testing.T, def, input string, task func(*TaskCall) (any, error)) (string, error, *testEnv) {
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
	if task == nil {
		env.task = func(c *TaskCall) (any, error) { return c.Input, nil }
	}
	exec := &Execution{ID: "arn:exec", Name: "e1", MachineID: "arn:sm", MachineName: "sm", Start: env.now, Input: in}
	out, err := Run(context.Background(), env, m, exec, "", in, 0)
	if err != nil {
		return "", err, env
	}
	return Encode(out), nil, env
}

func TestStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def, input, want, wantErr string
	}{
		{"pass result", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","End":true}}}`, `{"a":1}`, `{"a":1,"r":{"x":1}}`, ""},
		{"pass parameters and context", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"$.a","e.$":"$$.Execution.Name","s.$":"$$.State.Name","lit":"$.a"},"End":true}}}`, `{"a":1}`, `{"e":"e1","lit":"$.a","n":1,"s":"P"}`, ""},
		{"input and output path", `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.a","OutputPath":"$.b","End":true}}}`, `{"a":{"b":[1,2]}}`, `[1,2]`, ""},
		{"null paths", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":5,"ResultPath":null,"End":true}}}`, `{"a":1}`, `{"a":1}`, ""},
		{"null output", `{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":null,"End":true}}}`, `{"a":1}`, `{}`, ""},
		{"missing input path", `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.zz","End":true}}}`, `{"a":1}`, "", "States.Runtime: An error occurred while executing the state 'P' (entered at the event id #1). Invalid path '$.zz' : No results for path: $['zz']"},
		{"choice numeric", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],"Default":"Small"},"Big":{"Type":"Pass","Result":"big","End":true},"Small":{"Type":"Pass","Result":"small","End":true}}}`, `{"n":7}`, `"big"`, ""},
		{"choice and/not/path", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.s","StringMatches":"log-*.txt"},{"Not":{"Variable":"$.b","BooleanEquals":true}},{"Variable":"$.x","NumericEqualsPath":"$.y"},{"Variable":"$.t","TimestampLessThan":"2030-01-01T00:00:00Z"},{"Variable":"$.z","IsPresent":false},{"Variable":"$.n","IsNull":true}],"Next":"Y"}],"Default":"N"},"Y":{"Type":"Succeed"},"N":{"Type":"Fail","Error":"No"}}}`, `{"s":"log-1.txt","b":false,"x":2,"y":2,"t":"2024-01-01T00:00:00Z","n":null}`, `{"b":false,"n":null,"s":"log-1.txt","t":"2024-01-01T00:00:00Z","x":2,"y":2}`, ""},
		{"choice or strings", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Or":[{"Variable":"$.s","StringEquals":"a"},{"Variable":"$.s","StringGreaterThanEquals":"m"}],"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`, `{"s":"q"}`, `{"s":"q"}`, ""},
		{"no choice", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`, `{"n":2}`, "", "States.NoChoiceMatched: No Matches!"},
		{"choice type mismatch is false", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","StringEquals":"1","Next":"Y"}],"Default":"Y"},"Y":{"Type":"Succeed"}}}`, `{"n":1}`, `{"n":1}`, ""},
		{"fail paths", `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('bad {}', $.c)"}}}`, `{"e":"Oops","c":3}`, "", "Oops: bad 3"},
		{"wait seconds path", `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`, `{"s":30}`, `{"s":30}`, ""},
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","InputPath":"$.v","End":true}}}],"ResultSelector":{"first.$":"$[0]","second.$":"$[1]"},"End":true}}}`, `{"v":"x"}`, `{"first":1,"second":"x"}`, ""},
		{"parallel failure", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E","Cause":"c"}}}],"Catch":[{"ErrorEquals":["E"],"ResultPath":"$.err","Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`, `{}`, `{"err":{"Cause":"c","Error":"E"}}`, ""},
		{"map", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":2,"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},"ItemProcessor":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"ResultPath":"$.out","End":true}}}`, `{"xs":["a","b","c"],"k":9}`, `{"k":9,"out":[{"i":0,"k":9,"v":"a"},{"i":1,"k":9,"v":"b"},{"i":2,"k":9,"v":"c"}],"xs":["a","b","c"]}`, ""},
		{"map iterator legacy", `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"S","States":{"S":{"Type":"Pass","Result":0,"End":true}}},"End":true}}}`, `[1,2]`, `[0,0]`, ""},
		{"task", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","Parameters":{"x.$":"$.a"},"ResultSelector":{"y.$":"$.x"},"ResultPath":"$.res","End":true}}}`, `{"a":4}`, `{"a":4,"res":{"y":4}}`, ""},
		{"result path match failure", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}}}`, `{"a":"str"}`, "", `States.ResultPathMatchFailure: Unable to apply ReferencePath $.a.b to input {"a":"str"}`},
		{"parameters missing path", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"$.nope"},"End":true}}}`, `{"a":1}`, "", `States.Runtime: An error occurred while executing the state 'P' (entered at the event id #1). The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{"a":1}'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err, _ := run(t, tc.def, tc.input, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tc.want {
				t.Fatalf("output = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRetryAndCatch(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":0},{"ErrorEquals":["Boom"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":3,"MaxDelaySeconds":10}],
		"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Recover"}],"End":true},
		"Recover":{"Type":"Pass","End":true}}}`
	calls := 0
	out, err, env := run(t, def, `{"k":1}`, func(c *TaskCall) (any, error) {
		calls++
		return nil, &Failure{Name: "Boom", Cause: fmt.Sprint("try ", calls)}
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 4 {
		t.Errorf("calls = %d, want 4", calls)
	}
	if want := []time.Duration{2 * time.Second, 6 * time.Second, 10 * time.Second}; fmt.Sprint(env.waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", env.waits, want)
	}
	if out != `{"error":{"Cause":"try 4","Error":"Boom"},"k":1}` {
		t.Errorf("output = %s", out)
	}
	// States.Runtime is not caught by States.ALL.
	_, err, _ = run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:0:function:f","InputPath":"$.x","Catch":[{"ErrorEquals":["States.ALL"],"Next":"R"}],"End":true},"R":{"Type":"Succeed"}}}`, `{}`, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "States.Runtime") {
		t.Errorf("err = %v, want States.Runtime", err)
	}
	for _, tc := range []struct {
		equals, err string
		want        bool
	}{
		{ErrTaskFailed, ErrTimeout, false}, // States.TaskFailed does not match the timeouts
		{ErrTaskFailed, ErrHeartbeatTimeout, false},
		{ErrTaskFailed, "Lambda.Unknown", true},
		{ErrALL, ErrRuntime, false},
		{ErrALL, ErrHeartbeatTimeout, true},
		{ErrTimeout, ErrHeartbeatTimeout, true}, // a heartbeat timeout is a timeout
		{ErrHeartbeatTimeout, ErrTimeout, false},
		{ErrHeartbeatTimeout, ErrHeartbeatTimeout, true},
	} {
		if got := matches([]string{tc.equals}, tc.err); got != tc.want {
			t.Errorf("matches([%s], %s) = %v, want %v", tc.equals, tc.err, got, tc.want)
		}
	}
}

func TestTaskTimeout(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":5,"Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`
	m, err := Parse(def)
	if err != nil {
		t.Fatal(err)
	}
	env := &blockingEnv{testEnv: testEnv{now: time.Now()}}
	var token string
	env.task = func(c *TaskCall) (any, error) { token = c.Token; return nil, nil }
	_, err = Run(context.Background(), env, m, &Execution{}, "", map[string]any{}, 0)
	if err == nil || !strings.HasPrefix(err.Error(), ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if token != "uuid-1" {
		t.Errorf("token = %q", token)
	}
	types := []string{}
	for _, e := range env.events {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, ","); got != "TaskStateEntered,TaskScheduled,TaskStarted,TaskTimedOut" {
		t.Errorf("events = %s", got)
	}
}

// blockingEnv's tasks wait for their context: only a timeout ends them.
type blockingEnv struct{ testEnv }

func (e *blockingEnv) Task(ctx context.Context, c *TaskCall) (any, error) {
	e.task(c)
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestIntrinsics(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{`States.Format('{} is {}', $.name, $.n)`, `"ann is 3"`},
		{`States.Format('a \{\} {}', 'b')`, `"a {} b"`},
		{`States.StringToJson($.js)`, `{"q":[1]}`},
		{`States.JsonToString($.obj)`, `"{\"k\":\"v\"}"`},
		{`States.Array(1, 'two', $.n, true)`, `[1,"two",3,true]`},
		{`States.ArrayPartition($.list, 2)`, `[[1,2],[3,4],[5]]`},
		{`States.ArrayContains($.list, 3)`, `true`},
		{`States.ArrayRange(1, 9, 3)`, `[1,4,7]`},
		{`States.ArrayRange(9223372036854774784, 9223372036854774784, 4096)`, `[9223372036854774784]`},
		{`States.ArrayRange(-9223372036854774784, -9223372036854774784, -4096)`, `[-9223372036854774784]`},
		{`States.ArrayGetItem($.list, 1)`, `2`},
		{`States.ArrayLength($.list)`, `5`},
		{`States.ArrayUnique(States.Array(1, 1, 2))`, `[1,2]`},
		{`States.Base64Encode('hi')`, `"aGk="`},
		{`States.Base64Decode('aGk=')`, `"hi"`},
		{`States.Hash('abc', 'SHA-256')`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{`States.JsonMerge($.obj, States.StringToJson('{"z":1}'), false)`, `{"k":"v","z":1}`},
		{`States.MathRandom(10, 20)`, `15`},
		{`States.MathAdd($.n, -1)`, `2`},
		{`States.StringSplit('a,b;c', ',;')`, `["a","b","c"]`},
		{`States.UUID()`, `"uuid-1"`},
	}
	for _, tc := range tests {
		def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":` + Encode(tc.expr) + `},"OutputPath":"$.v","End":true}}}`
		got, err, _ := run(t, def, `{"name":"ann","n":3,"js":"{\"q\":[1]}","obj":{"k":"v"},"list":[1,2,3,4,5]}`, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
		}
	}
	for _, expr := range []string{
		`States.ArrayGetItem($.l, 5)`,
		// A range wider than an int64 holds, and numbers beyond one.
		`States.MathRandom(-9000000000000000000, 9000000000000000000)`,
		`States.MathRandom(0, 1e300)`,
		`States.MathRandom(-1e300, 0)`,
	} {
		_, err, _ := run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":`+Encode(expr)+`},"End":true}}}`, `{"l":[]}`, nil)
		if err == nil || !strings.HasPrefix(err.Error(), ErrIntrinsicFailure) {
			t.Errorf("%s: err = %v", expr, err)
		}
	}
}

func TestDefinitionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ def, want string }{
		{`{"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}}`,
			`Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'`},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`,
			`Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state'`},
		{`{"StartAt":"A","States":{"A":{"Type":"Nope","End":true}}}`,
			`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field "Type" should be one of these values: [Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map] at /States/A/Type'`},
		{`{"States":{}}`, `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /'`},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"foo","End":true}}}`,
			`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The value for the field 'InputPath' must be a valid JSONPath at /States/A/InputPath'`},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`,
			`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [Next or End] at /States/A'`},
		{`not json`, ``},
	}
	for _, tc := range tests {
		_, err := Parse(tc.def)
		if err == nil {
			t.Errorf("%s: no error", tc.def)
			continue
		}
		if tc.want != "" && err.Error() != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.def, err, tc.want)
		}
	}
}

// TestResumedWait: a Wait state resumed after a restart counts its
// Seconds from when it was first entered.
func TestResumedWait(t *testing.T) {
	t.Parallel()
	m, err := Parse(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`)
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{now: time.Date(2024, 1, 1, 0, 1, 0, 0, time.UTC)}
	exec := &Execution{Resumed: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := Run(context.Background(), env, m, exec, "W", map[string]any{}, 4); err != nil {
		t.Fatal(err)
	}
	if len(env.waits) != 1 || env.waits[0] != 40*time.Second {
		t.Errorf("waits = %v, want [40s]", env.waits)
	}
	if env.events[0].Prev != 4 {
		t.Errorf("first event follows %d, want 4", env.events[0].Prev)
	}
}

func TestDataLimit(t *testing.T) {
	t.Parallel()
	_, err, _ := run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"big.$":"States.ArrayRange(1, 1000, 1)","again.$":"States.ArrayRange(1, 1000, 1)"},"Next":"Q"},
		"Q":{"Type":"Map","ItemsPath":"$.big","ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}', $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad, $$.Execution.Input.pad)"},"End":true}}},
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"R"}],"End":true},"R":{"Type":"Succeed"}}}`, `{"pad":"0123456789"}`, nil)
	if err == nil || !strings.HasPrefix(err.Error(), ErrDataLimitExceeded+": The state/task 'Q' returned a result") {
		t.Errorf("err = %v", err)
	}
}

// TestMapConcurrency: an inline Map runs at most 40 iterations at once,
// MaxConcurrency 0 included.
func TestMapConcurrency(t *testing.T) {
	t.Parallel()
	for _, def := range []string{
		`{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":0,"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},"End":true}}}`,
		`{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":"{% 1000 %}","ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},"End":true}}}`,
	} {
		var mu sync.Mutex
		active, peak, closed := 0, 0, false
		full := make(chan struct{})
		items := make([]string, 200)
		for i := range items {
			items[i] = "1"
		}
		m, err := Parse(def)
		if err != nil {
			t.Fatal(err)
		}
		env := &patientEnv{&testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}}
		env.task = func(c *TaskCall) (any, error) {
			mu.Lock()
			active++
			peak = max(peak, active)
			last := active == maxInlineMap && !closed
			closed = closed || last
			mu.Unlock()
			if last {
				// The first 40 wait while the 40th looks, for a while, for
				// a 41st.
				for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
					mu.Lock()
					over := active > maxInlineMap
					mu.Unlock()
					if over {
						break
					}
				}
				close(full)
			}
			<-full
			mu.Lock()
			active--
			mu.Unlock()
			return c.Input, nil
		}
		in, _ := Decode([]byte("[" + strings.Join(items, ",") + "]"))
		_, err = Run(context.Background(), env, m, &Execution{Start: env.now, Input: in}, "", in, 0)
		if err != nil || peak != maxInlineMap {
			t.Errorf("err = %v, peak concurrency = %d, want %d", err, peak, maxInlineMap)
		}
	}
}

// patientEnv is a testEnv on which tasks never time out: its waits last
// until they are cancelled.
type patientEnv struct{ *testEnv }

func (e *patientEnv) WaitUntil(ctx context.Context, t time.Time) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestTaskPanic: a panic while running a state, in the execution or in
// a branch, fails the execution with States.Runtime.
func TestTaskPanic(t *testing.T) {
	t.Parallel()
	for _, def := range []string{
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}}],"End":true}}}`,
	} {
		_, err, _ := run(t, def, `{}`, func(*TaskCall) (any, error) { panic("boom") })
		if err == nil || !strings.HasPrefix(err.Error(), ErrRuntime+": ") || !strings.Contains(err.Error(), "An internal error occurred: boom") {
			t.Errorf("err = %v", err)
		}
	}
}

// stopEnv cancels the execution's context at its nth transition.
type stopEnv struct {
	testEnv
	n      int
	cancel context.CancelFunc
}

func (e *stopEnv) Checkpoint(string, any, map[string]any) {
	if e.n--; e.n == 0 {
		e.cancel()
	}
}

// TestStopEndsBusyLoop: a loop of Pass and Choice states waits on
// nothing, yet a stopped execution ends at its next transition.
func TestStopEndsBusyLoop(t *testing.T) {
	t.Parallel()
	m, err := Parse(`{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"C"},` +
		`"C":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"E"}],"Default":"P"},"E":{"Type":"Succeed"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := &stopEnv{testEnv: testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, n: 1000, cancel: cancel}
	exec := &Execution{ID: "arn:exec", Name: "e1", MachineID: "arn:sm", MachineName: "sm", Start: env.now, Input: map[string]any{}}
	if _, err := Run(ctx, env, m, exec, "", map[string]any{}, 0); err != context.Canceled {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if env.n != 0 {
		t.Errorf("ran %d transitions past the stop", -env.n)
	}
}

// TestDoneBranches runs a Map state whose iterations 0 and 2 succeeded
// before: only iteration 1 runs, and the result keeps their outputs.
func TestDoneBranches(t *testing.T) {
	t.Parallel()
	m, err := Parse(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},"End":true}}}`)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ran []any
	env := &testEnv{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), task: func(c *TaskCall) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, c.Input)
		return Encode(c.Input) + "!", nil
	}}
	in := []any{num(1), num(2), num(3)}
	exec := &Execution{ID: "arn:exec", Name: "e1", Start: env.now, Input: in, RedriveCount: 1,
		Done: map[int]any{0: "one", 2: "three"}}
	out, err := Run(context.Background(), env, m, exec, "M", in, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := Encode(out); got != `["one","2!","three"]` {
		t.Errorf("output %s", got)
	}
	if len(ran) != 1 || Encode(ran[0]) != "2" {
		t.Errorf("ran %v, want only item 2", ran)
	}
	if len(env.branches) != 3 {
		t.Errorf("recorded branches %v, want all three", env.branches)
	}
	// A second run of the machine (a retry, say) runs every iteration.
	ran = nil
	exec.Done = nil
	if _, err := Run(context.Background(), env, m, exec, "", in, 5); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 3 {
		t.Errorf("ran %d iterations without Done, want 3", len(ran))
	}
}
