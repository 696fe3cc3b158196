package asl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// The States Language's predefined error names.
const (
	ErrALL                    = "States.ALL"
	ErrRuntime                = "States.Runtime"
	ErrTimeout                = "States.Timeout"
	ErrTaskFailed             = "States.TaskFailed"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrDataLimitExceeded      = "States.DataLimitExceeded"
	ErrBranchFailed           = "States.BranchFailed"
	// ErrExceedToleratedFailureThreshold fails a Distributed Map state
	// whose Map Run had more failed child executions than it tolerates.
	ErrExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
)

// maxPayload is the largest state output: "Maximum input or output size
// for a task, state, or execution: 256 KiB of data as a UTF-8 encoded
// string". A larger one fails the execution with
// States.DataLimitExceeded, which no Catch catches.
const maxPayload = 256 * 1024

// defaultTaskTimeout is a Task state's TimeoutSeconds when the
// definition gives none ("the default value is 99999999").
const defaultTaskTimeout = 99999999

// Failure is an error a state raises: a name that Retry and Catch match
// and a cause.
type Failure struct {
	Name  string
	Cause string
}

func (f *Failure) Error() string { return f.Name + ": " + f.Cause }

// matches reports whether an ErrorEquals list names err. States.ALL
// matches every error but States.Runtime and States.DataLimitExceeded;
// States.TaskFailed every error but the timeouts (and those two).
// States.Timeout names a heartbeat timeout too: a task "failed to send a
// heartbeat for a period longer than the HeartbeatSeconds value" is one
// of its two cases, and States.HeartbeatTimeout, which came later, names
// that case alone, so catchers written for States.Timeout (a callback
// task whose worker went quiet) still catch it.
func matches(list []string, err string) bool {
	terminal := err == ErrRuntime || err == ErrDataLimitExceeded
	timeout := err == ErrTimeout || err == ErrHeartbeatTimeout
	for _, e := range list {
		switch {
		case e == err:
			return true
		case e == ErrALL && !terminal:
			return true
		case e == ErrTimeout && timeout:
			return true
		case e == ErrTaskFailed && !terminal && !timeout:
			return true
		}
	}
	return false
}

// Env is what the interpreter needs from the service that runs it.
type Env interface {
	Now() time.Time
	// WaitUntil returns when the clock reaches t (nil) or ctx ends
	// (ctx.Err()).
	WaitUntil(ctx context.Context, t time.Time) error
	// Task runs a Task state's resource. A *Failure is the task's error.
	Task(ctx context.Context, call *TaskCall) (any, error)
	// Record appends an event to the execution's history and returns
	// its id.
	Record(e Event) int64
	UUID() string
	// RandomInt returns a number in [0, n); seed, when given, makes it
	// repeatable (States.MathRandom).
	RandomInt(n int64, seed *int64) int64
	// Checkpoint is called before each top-level state starts, with its
	// input and the variables, so that a resumed execution can start
	// there.
	Checkpoint(state string, input any, vars map[string]any)
	// ReadObject returns the content of an object in S3, for a
	// Distributed Map state's ItemReader.
	ReadObject(ctx context.Context, bucket, key, version string) ([]byte, error)
	// WriteObject stores an object in S3, for a Distributed Map
	// state's ResultWriter.
	WriteObject(ctx context.Context, bucket, key string, data []byte) error
	// BranchSucceeded records that branch or iteration index of the
	// top-level Parallel or Map state running now succeeded with
	// output, so that a redriven or resumed execution does not run it
	// again; BranchesReset forgets those of an earlier attempt.
	BranchSucceeded(index int, output any)
	BranchesReset()
	// MapRunChanged is called when a Distributed Map state's Map Run
	// starts, as its children start and end, when it is updated and
	// when it ends.
	MapRunChanged(m *MapRun)
}

// TaskCall is one run of a Task state's resource.
type TaskCall struct {
	State    string
	Resource string
	Input    any
	// Token is the task token of a .waitForTaskToken resource.
	Token            string
	TimeoutSeconds   int64
	HeartbeatSeconds int64
	// Submitted is called by a .waitForTaskToken task once the request
	// was sent, before it waits for the token.
	Submitted func(output any)
	// Started is called by an activity task when a worker takes it
	// (GetActivityTask), with the worker's name.
	Started func(worker string)
}

// Event is one history event, in the terms of GetExecutionHistory.
type Event struct {
	Type      string
	Prev      int64
	State     string
	Input     *string
	Output    *string
	Error     *string
	Cause     *string
	Resource  string
	Kind      string // resourceType of Task* events
	Params    *string
	Timeout   int64
	Heartbeat int64
	Index     int
	Length    int
	Worker    string // workerName of ActivityStarted
	MapRunArn string // mapRunArn of MapRunStarted
	// Assigned are the variables a *StateExited event's state assigned,
	// each as JSON text.
	Assigned map[string]string
}

// Execution is what the context object says of the execution.
type Execution struct {
	ID, Name, RoleArn string
	MachineID         string
	MachineName       string
	Start             time.Time
	Input             any
	// Resumed, when not zero, is when the first state run by Run was
	// entered before: a resumed Wait state's Seconds count from then.
	Resumed time.Time
	// Vars are the variables a resumed execution had.
	Vars map[string]any
	// RedriveCount is how many times the execution was redriven.
	RedriveCount int
	// Done holds the outputs of the branches or iterations of the
	// first state run by Run (a Parallel or Map state) that succeeded
	// before: they are not run again.
	Done map[int]any
	// MapRunARN is the Map Run of the first state run by Run (a
	// Distributed Map state) before: it goes on, with the same ARN.
	MapRunARN string
}

// Run runs machine m from state `from` (its StartAt when empty) with
// input, recording events through env; prev is the id of the event the
// first state follows.
func Run(ctx context.Context, env Env, m *Machine, exec *Execution, from string, input any, prev int64) (out any, err error) {
	defer recoverFailure(&err)
	r := &runner{env: env, exec: exec, done: exec.Done, mapRun: exec.MapRunARN}
	t := &thread{r: r, prev: prev, vars: map[string]any{}, top: true}
	for k, v := range exec.Vars {
		t.vars[k] = v
	}
	if from == "" {
		from = m.StartAt
	}
	return t.machine(ctx, m, from, input, 0)
}

// recoverFailure turns a panic in the goroutine running a machine, a
// branch or an iteration into States.Runtime: one execution fails, not
// virga.
func recoverFailure(err *error) {
	if p := recover(); p != nil {
		*err = &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("An internal error occurred: %v", p)}
	}
}

type runner struct {
	env  Env
	exec *Execution
	mu   sync.Mutex
	// done is Execution.Done until the first state has run.
	done map[int]any
	// mapRun is Execution.MapRunARN until the first Distributed Map
	// state of the execution's own has started.
	mapRun string
}

// thread is one line of events: the execution, a Parallel branch or a
// Map iteration. Its events follow each other.
type thread struct {
	r       *runner
	prev    int64
	mapItem map[string]any
	// vars are the variables this thread sees: a Parallel branch or a
	// Map iteration starts with a copy of its parent's, and what it
	// assigns stays in it.
	vars map[string]any
	// top is the execution's own thread, whose Parallel and Map states
	// record the branches that succeed.
	top bool
	// quiet is a child workflow execution of a Distributed Map state,
	// whose events are its own history's, not the execution's.
	quiet bool
	// assigned are the variables the state being run last assigned
	// (finishJ), which its StateExited event shows.
	assigned map[string]any
}

// exited records the StateExited event of state s with its output and
// the variables it assigned.
func (t *thread) exited(prefix string, s *State, out any) {
	var vars map[string]string
	if len(t.assigned) > 0 {
		vars = make(map[string]string, len(t.assigned))
		for k, v := range t.assigned {
			vars[k] = Encode(v)
		}
	}
	t.assigned = nil
	t.record(Event{Type: prefix + "StateExited", State: s.Name, Output: encodePtr(out), Assigned: vars})
}

func (t *thread) record(e Event) int64 {
	if t.quiet {
		return t.prev
	}
	e.Prev = t.prev
	t.prev = t.r.env.Record(e)
	return t.prev
}

func (t *thread) child() *thread {
	c := &thread{r: t.r, prev: t.prev, quiet: t.quiet, vars: make(map[string]any, len(t.vars))}
	for k, v := range t.vars {
		c.vars[k] = v
	}
	return c
}

func str(s string) *string { return &s }

func encodePtr(v any) *string { return str(Encode(v)) }

func (t *thread) machine(ctx context.Context, m *Machine, name string, input any, depth int) (any, error) {
	for {
		// A loop of Pass and Choice states waits on nothing: a stopped
		// execution ends at its next transition.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, ok := m.States[name]
		if !ok {
			return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The state %q does not exist", name)}
		}
		if depth == 0 {
			t.r.env.Checkpoint(name, input, t.vars)
		}
		out, next, err := t.state(ctx, s, input, depth)
		if depth == 0 {
			t.r.done = nil
		}
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// evalContext is what paths and intrinsic functions read: the state's
// input and the context object.
type evalContext struct {
	env   Env
	input any
	ctx   map[string]any
	// j is what a JSONata state's expressions see.
	j *jctx
}

func (x *evalContext) lookup(p *Path, input any) (any, bool) {
	if p.context {
		return p.Get(x.ctx)
	}
	return p.Get(input)
}

func (x *evalContext) resolve(p *Path) (any, error) {
	v, ok := x.lookup(p, x.input)
	if !ok {
		return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s' : No results for path: %s", p, p.canonical())}
	}
	return v, nil
}

const timeLayout = "2006-01-02T15:04:05.000Z"

func (t *thread) contextObject(s *State, entered time.Time, retries int64, token string) map[string]any {
	e := t.r.exec
	c := map[string]any{
		"Execution": map[string]any{
			"Id": e.ID, "Name": e.Name, "RoleArn": e.RoleArn, "Input": e.Input,
			"StartTime": e.Start.UTC().Format(timeLayout), "RedriveCount": num(float64(e.RedriveCount)),
		},
		"StateMachine": map[string]any{"Id": e.MachineID, "Name": e.MachineName},
		"State":        map[string]any{"Name": s.Name, "EnteredTime": entered.UTC().Format(timeLayout), "RetryCount": num(float64(retries))},
	}
	if token != "" {
		c["Task"] = map[string]any{"Token": token}
	}
	if t.mapItem != nil {
		c["Map"] = map[string]any{"Item": t.mapItem}
	}
	return c
}

// runtimeError is States.Runtime for a state, worded as Step Functions
// words it.
func runtimeError(s *State, entered int64, detail string) error {
	return &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", s.Name, entered, detail)}
}

// state runs one state and returns its output and the next state's
// name ("" at the end).
func (t *thread) state(ctx context.Context, s *State, raw any, depth int) (any, string, error) {
	enteredAt := t.r.env.Now()
	if depth == 0 && !t.r.exec.Resumed.IsZero() {
		enteredAt, t.r.exec.Resumed = t.r.exec.Resumed, time.Time{}
	}
	prefix := s.Type
	enteredID := t.record(Event{Type: prefix + "StateEntered", State: s.Name, Input: encodePtr(raw)})
	wrap := func(err error) error {
		var f *Failure
		if errors.As(err, &f) && f.Name == ErrRuntime && !strings.HasPrefix(f.Cause, "An error occurred while executing") {
			return runtimeError(s, enteredID, f.Cause)
		}
		return err
	}
	x := &evalContext{env: t.r.env, ctx: t.contextObject(s, enteredAt, 0, "")}

	if s.Type == "Fail" {
		name, cause := s.Error, s.Cause
		if s.JSONata {
			jc := &jctx{env: t.r.env, vars: t.vars, states: map[string]any{"input": raw, "context": x.ctx}}
			for field, out := range map[string]*string{"Error": &name, "Cause": &cause} {
				if j := s.jfields[field]; j != nil {
					v, err := j.eval(jc)
					if err != nil {
						return nil, "", err
					}
					sv, ok := v.(string)
					if !ok {
						return nil, "", &Failure{Name: ErrQueryEvaluation, Cause: "The Fail state's " + field + " must evaluate to a string"}
					}
					*out = sv
				}
			}
		}
		if s.ErrorPath != nil || s.CausePath != nil {
			x.input = raw
			for _, f := range []struct {
				d   *dynamic
				out *string
			}{{s.ErrorPath, &name}, {s.CausePath, &cause}} {
				if f.d == nil {
					continue
				}
				v, err := f.d.eval(x)
				if err != nil {
					return nil, "", wrap(err)
				}
				sv, ok := v.(string)
				if !ok {
					return nil, "", runtimeError(s, enteredID, "The value of ErrorPath or CausePath must be a string")
				}
				*f.out = sv
			}
		}
		return nil, "", &Failure{Name: name, Cause: cause}
	}

	var retries int64
	attempts := make([]int64, len(s.Retry))
	for {
		out, next, err := t.attempt(ctx, s, raw, x, enteredAt, retries, enteredID, depth)
		if err == nil && len(Encode(out)) > maxPayload {
			return nil, "", &Failure{Name: ErrDataLimitExceeded, Cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", s.Name)}
		}
		if err == nil {
			t.exited(prefix, s, out)
			return out, next, nil
		}
		err = wrap(err)
		var f *Failure
		if !errors.As(err, &f) {
			return nil, "", err // cancelled
		}
		// Retry: the first retrier whose ErrorEquals matches decides.
		retried := false
		for i, r := range s.Retry {
			if !matches(r.ErrorEquals, f.Name) {
				continue
			}
			if attempts[i] < r.MaxAttempts {
				delay := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(attempts[i]))
				if r.MaxDelaySeconds > 0 {
					delay = math.Min(delay, float64(r.MaxDelaySeconds))
				}
				if r.Jitter {
					delay = float64(t.r.env.RandomInt(int64(delay*1000)+1, nil)) / 1000
				}
				attempts[i]++
				retries++
				if werr := t.r.env.WaitUntil(ctx, t.r.env.Now().Add(time.Duration(delay*float64(time.Second)))); werr != nil {
					return nil, "", werr
				}
				retried = true
			}
			break
		}
		if retried {
			continue
		}
		for _, c := range s.Catch {
			if !matches(c.ErrorEquals, f.Name) {
				continue
			}
			errOut := map[string]any{"Error": f.Name, "Cause": f.Cause}
			if s.JSONata {
				jc := &jctx{env: t.r.env, vars: t.vars, states: map[string]any{"input": raw, "errorOutput": errOut, "context": x.ctx}}
				out, err := t.finishJ(jc, errOut, c.Output, c.Assign)
				if err != nil {
					return nil, "", err
				}
				t.exited(prefix, s, out)
				return out, c.Next, nil
			}
			out := raw
			switch {
			case c.ResultPath.null:
			case c.ResultPath.p == nil:
				out = errOut
			default:
				v, serr := c.ResultPath.p.Set(raw, errOut)
				if serr != nil {
					return nil, "", &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", c.ResultPath.p, Encode(raw))}
				}
				out = v
			}
			t.exited(prefix, s, out)
			return out, c.Next, nil
		}
		return nil, "", err
	}
}

// attempt runs a state once: input processing, its work, output
// processing.
func (t *thread) attempt(ctx context.Context, s *State, raw any, x *evalContext, entered time.Time, retries, enteredID int64, depth int) (any, string, error) {
	token := ""
	if s.Type == "Task" && strings.HasSuffix(s.Resource, ".waitForTaskToken") {
		token = t.r.env.UUID()
	}
	x.ctx = t.contextObject(s, entered, retries, token)
	if s.JSONata {
		return t.attemptJ(ctx, s, raw, x, entered, token)
	}
	// InputPath.
	in := raw
	switch {
	case s.InputPath.null:
		in = map[string]any{}
	case s.InputPath.p != nil:
		v, ok := x.lookup(s.InputPath.p, raw)
		if !ok {
			return nil, "", &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s' : No results for path: %s", s.InputPath.p, s.InputPath.p.canonical())}
		}
		in = v
	}
	x.input = in
	if s.Parameters != nil && s.Type != "Map" {
		v, err := s.Parameters.apply(x, in)
		if err != nil {
			return nil, "", err
		}
		in = v
	}
	var result any
	next := s.Next
	switch s.Type {
	case "Pass":
		result = in
		if s.HasResult {
			result = s.Result
		}
	case "Succeed":
		next, result = "", in
		return t.output(s, x, raw, in, next, false)
	case "Choice":
		next = ""
		for _, r := range s.Choices {
			ok, err := r.eval(x, in)
			if err != nil {
				return nil, "", err
			}
			if ok {
				next = r.Next
				break
			}
		}
		if next == "" {
			next = s.Default
		}
		if next == "" {
			return nil, "", &Failure{Name: ErrNoChoiceMatched, Cause: "No Matches!"}
		}
		return t.output(s, x, raw, in, next, false)
	case "Wait":
		var until time.Time
		switch {
		case s.Seconds != nil:
			until = entered.Add(time.Duration(*s.Seconds) * time.Second)
		case s.Timestamp != nil:
			until = *s.Timestamp
		case s.SecondsPath != nil:
			v, err := x.resolve(s.SecondsPath)
			if err != nil {
				return nil, "", err
			}
			n, ok := integer(v)
			if !ok || n < 0 {
				return nil, "", &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The SecondsPath parameter does not reference a valid non-negative integer: %s", Encode(v))}
			}
			until = entered.Add(time.Duration(n) * time.Second)
		case s.TimestampPath != nil:
			v, err := x.resolve(s.TimestampPath)
			if err != nil {
				return nil, "", err
			}
			sv, _ := v.(string)
			ts, ok := parseTimestamp(sv)
			if !ok {
				return nil, "", &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s", Encode(v))}
			}
			until = ts
		}
		if err := t.r.env.WaitUntil(ctx, until); err != nil {
			return nil, "", err
		}
		return t.output(s, x, raw, in, next, false)
	case "Task":
		v, err := t.task(ctx, s, x, in, token)
		if err != nil {
			return nil, "", err
		}
		result = v
	case "Parallel":
		v, err := t.parallel(ctx, s, in)
		if err != nil {
			return nil, "", err
		}
		result = v
	case "Map":
		v, err := t.mapState(ctx, s, x, in)
		if err != nil {
			return nil, "", err
		}
		result = v
	}
	if s.End {
		next = ""
	}
	// ResultSelector, ResultPath.
	if s.ResultSelector != nil {
		rx := &evalContext{env: x.env, ctx: x.ctx, input: result}
		v, err := s.ResultSelector.apply(rx, result)
		if err != nil {
			return nil, "", err
		}
		result = v
	}
	out := result
	switch {
	case s.ResultPath.null:
		out = raw
	case s.ResultPath.p != nil:
		v, err := s.ResultPath.p.Set(raw, result)
		if err != nil {
			return nil, "", &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", s.ResultPath.p, Encode(raw))}
		}
		out = v
	}
	return t.output(s, x, raw, out, next, true)
}

// output applies OutputPath.
func (t *thread) output(s *State, x *evalContext, _ any, out any, next string, _ bool) (any, string, error) {
	switch {
	case s.OutputPath.null:
		return map[string]any{}, next, nil
	case s.OutputPath.p != nil:
		v, ok := x.lookup(s.OutputPath.p, out)
		if !ok {
			return nil, "", &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s' : No results for path: %s", s.OutputPath.p, s.OutputPath.p.canonical())}
		}
		return v, next, nil
	}
	return out, next, nil
}

func (d *dynamic) eval(x *evalContext) (any, error) {
	if d.fn != nil {
		return d.fn.eval(x)
	}
	return x.resolve(d.path)
}

// apply fills a template from input.
func (tp *template) apply(x *evalContext, input any) (any, error) {
	switch tp.kind {
	case 1:
		out := make(map[string]any, len(tp.fields))
		for _, f := range tp.fields {
			if f.literal != nil {
				v, err := f.literal.apply(x, input)
				if err != nil {
					return nil, err
				}
				out[f.name] = v
				continue
			}
			if f.dyn.fn != nil {
				sub := *x
				sub.input = input
				v, err := f.dyn.fn.eval(&sub)
				if err != nil {
					return nil, err
				}
				out[f.name] = v
				continue
			}
			v, ok := x.lookup(f.dyn.path, input)
			if !ok {
				return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'", f.src, f.name, Encode(input))}
			}
			out[f.name] = v
		}
		return out, nil
	case 2:
		out := make([]any, len(tp.items))
		for i, it := range tp.items {
			v, err := it.apply(x, input)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return tp.literal, nil
}

// lambdaARN reports whether a Task's Resource is a Lambda function ARN
// (the function runs with the state's input as its payload).
// ActivityARN reports whether a Task's resource is an activity
// (arn:aws:states:REGION:ACCOUNT:activity:NAME).
func ActivityARN(resource string) bool {
	parts := strings.Split(resource, ":")
	return len(parts) == 7 && parts[0] == "arn" && parts[2] == "states" && parts[3] != "" && parts[5] == "activity" && parts[6] != ""
}

func lambdaARN(resource string) bool {
	return strings.HasPrefix(resource, "arn:aws:lambda:") || strings.HasPrefix(resource, "arn:aws-") && strings.Contains(resource, ":lambda:")
}

// Integration splits an optimized integration's resource,
// arn:aws:states:::SERVICE:ACTION[.PATTERN], into its parts; ok is false
// for other resources.
func Integration(resource string) (service, action, pattern string, ok bool) {
	rest, ok := strings.CutPrefix(resource, "arn:aws:states:::")
	if !ok {
		return "", "", "", false
	}
	service, action, ok = strings.Cut(rest, ":")
	if !ok {
		return "", "", "", false
	}
	if a, p, found := strings.Cut(action, "."); found {
		action, pattern = a, p
	}
	return service, action, pattern, true
}

func (t *thread) task(ctx context.Context, s *State, x *evalContext, in any, token string) (any, error) {
	timeout, heartbeat := s.TimeoutSeconds, s.HeartbeatSeconds
	if n, given, err := jsonataLimit(s, x, "TimeoutSeconds"); err != nil {
		return nil, err
	} else if given {
		timeout = n
	}
	if n, given, err := jsonataLimit(s, x, "HeartbeatSeconds"); err != nil {
		return nil, err
	} else if given {
		heartbeat = n
	}
	if s.TimeoutSecondsPath != nil {
		v, err := x.resolve(s.TimeoutSecondsPath)
		if err != nil {
			return nil, err
		}
		if timeout, _ = integer(v); timeout <= 0 {
			return nil, &Failure{Name: ErrRuntime, Cause: "The TimeoutSecondsPath parameter does not reference a positive integer"}
		}
	}
	if s.HeartbeatSecondsPath != nil {
		v, err := x.resolve(s.HeartbeatSecondsPath)
		if err != nil {
			return nil, err
		}
		if heartbeat, _ = integer(v); heartbeat <= 0 {
			return nil, &Failure{Name: ErrRuntime, Cause: "The HeartbeatSecondsPath parameter does not reference a positive integer"}
		}
	}
	if timeout == 0 {
		timeout = defaultTaskTimeout
	}
	direct := lambdaARN(s.Resource)
	activity := ActivityARN(s.Resource)
	kind, action := "", ""
	if !direct && !activity {
		svc, act, pattern, ok := Integration(s.Resource)
		if !ok {
			return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The resource %s is not supported by virga: Task states run Lambda functions and arn:aws:states::: integrations", s.Resource)}
		}
		kind, action = svc, act
		if pattern != "" {
			action += "." + pattern
		}
	}
	var tmo *int64
	if s.TimeoutSeconds > 0 || s.TimeoutSecondsPath != nil || s.jfields["TimeoutSeconds"] != nil {
		tmo = &timeout
	}
	// The timeout runs from when the task is scheduled, read before its
	// events are recorded so that whoever sees them finds it running.
	deadline := t.r.env.Now().Add(time.Duration(timeout) * time.Second)
	switch {
	case activity:
		// ActivityStarted comes when a worker takes the task.
		e := Event{Type: "ActivityScheduled", Resource: s.Resource, Input: encodePtr(in)}
		if tmo != nil {
			e.Timeout = *tmo
		}
		if heartbeat > 0 {
			e.Heartbeat = heartbeat
		}
		t.record(e)
	case direct:
		e := Event{Type: "LambdaFunctionScheduled", Resource: s.Resource, Input: encodePtr(in)}
		if tmo != nil {
			e.Timeout = *tmo
		}
		t.record(e)
		t.record(Event{Type: "LambdaFunctionStarted"})
	default:
		e := Event{Type: "TaskScheduled", Kind: kind, Resource: action, Params: encodePtr(in)}
		if tmo != nil {
			e.Timeout = *tmo
		}
		if heartbeat > 0 {
			e.Heartbeat = heartbeat
		}
		t.record(e)
		t.record(Event{Type: "TaskStarted", Kind: kind, Resource: action})
	}
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timedOut := errors.New("timed out")
	watch := make(chan struct{})
	go func() {
		defer close(watch)
		if t.r.env.WaitUntil(callCtx, deadline) == nil {
			cancel(timedOut)
		}
	}()
	var submitOnce sync.Once
	call := &TaskCall{State: s.Name, Resource: s.Resource, Input: in, Token: token, TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat,
		Submitted: func(out any) {
			submitOnce.Do(func() {
				t.r.mu.Lock()
				defer t.r.mu.Unlock()
				t.record(Event{Type: "TaskSubmitted", Kind: kind, Resource: action, Output: encodePtr(out)})
			})
		},
		Started: func(worker string) {
			t.r.mu.Lock()
			defer t.r.mu.Unlock()
			t.record(Event{Type: "ActivityStarted", Worker: worker})
		}}
	res, err := t.r.env.Task(callCtx, call)
	cancel(nil)
	<-watch
	if errors.Is(context.Cause(callCtx), timedOut) && ctx.Err() == nil {
		err = &Failure{Name: ErrTimeout}
		if activity {
			t.record(Event{Type: "ActivityTimedOut", Error: str(ErrTimeout), Cause: str("")})
		} else if direct {
			t.record(Event{Type: "LambdaFunctionTimedOut", Error: str(ErrTimeout)})
		} else {
			t.record(Event{Type: "TaskTimedOut", Kind: kind, Resource: action, Error: str(ErrTimeout), Cause: str("")})
		}
		return nil, err
	}
	if err != nil {
		var f *Failure
		if !errors.As(err, &f) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			f = &Failure{Name: ErrTaskFailed, Cause: err.Error()}
		}
		if activity && f.Name == ErrHeartbeatTimeout {
			t.record(Event{Type: "ActivityTimedOut", Error: str(f.Name), Cause: str(f.Cause)})
		} else if activity {
			t.record(Event{Type: "ActivityFailed", Error: str(f.Name), Cause: str(f.Cause)})
		} else if direct {
			t.record(Event{Type: "LambdaFunctionFailed", Error: str(f.Name), Cause: str(f.Cause)})
		} else if f.Name == ErrHeartbeatTimeout {
			t.record(Event{Type: "TaskTimedOut", Kind: kind, Resource: action, Error: str(f.Name), Cause: str(f.Cause)})
		} else {
			t.record(Event{Type: "TaskFailed", Kind: kind, Resource: action, Error: str(f.Name), Cause: str(f.Cause)})
		}
		return nil, f
	}
	if activity {
		t.record(Event{Type: "ActivitySucceeded", Output: encodePtr(res)})
	} else if direct {
		t.record(Event{Type: "LambdaFunctionSucceeded", Output: encodePtr(res)})
	} else {
		t.record(Event{Type: "TaskSucceeded", Kind: kind, Resource: action, Output: encodePtr(res)})
	}
	return res, nil
}

// maxInlineMap is how many iterations an inline Map state runs at once:
// "In this mode, the Map state supports up to 40 concurrent
// iterations", whatever MaxConcurrency says.
const maxInlineMap = 40

func inlineLimit(n int) int {
	if n <= 0 || n > maxInlineMap {
		return maxInlineMap
	}
	return n
}

// fanOut runs n branches with at most limit at a time (0: no limit); the
// first failure cancels the others.
func (t *thread) fanOut(ctx context.Context, n, limit int, run func(ctx context.Context, i int, th *thread) (any, error)) ([]any, error) {
	if limit <= 0 || limit > n {
		limit = n
	}
	return t.fanOutLimited(ctx, n, newLimiter(limit), run)
}

// fanOutLimited is fanOut with a limiter whose limit may change while
// it runs (UpdateMapRun's maxConcurrency).
func (t *thread) fanOutLimited(ctx context.Context, n int, lim *limiter, run func(ctx context.Context, i int, th *thread) (any, error)) ([]any, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]any, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		lastID   = t.prev
	)
	// The execution's own Parallel or Map state skips the branches that
	// succeeded before it was redriven (or virga stopped), and records
	// those that succeed now.
	var done map[int]any
	if t.top {
		done, t.r.done = t.r.done, nil
		if done == nil {
			t.r.env.BranchesReset()
		}
		for i, v := range done {
			if i >= 0 && i < n {
				results[i] = v
				t.r.env.BranchSucceeded(i, v)
			}
		}
	}
	for i := 0; i < n; i++ {
		if _, ok := done[i]; ok && t.top {
			continue
		}
		if lim.acquire(ctx) != nil {
			break
		}
		th := t.child()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer lim.release()
			v, err := func() (v any, err error) {
				defer recoverFailure(&err)
				return run(ctx, i, th)
			}()
			mu.Lock()
			defer mu.Unlock()
			if th.prev > lastID {
				lastID = th.prev
			}
			var cf *childFailed
			if errors.As(err, &cf) {
				results[i] = cf.record
				return
			}
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			results[i] = v
			if t.top {
				t.r.env.BranchSucceeded(i, v)
			}
		}()
	}
	wg.Wait()
	t.prev = lastID
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}

func (t *thread) parallel(ctx context.Context, s *State, in any) (any, error) {
	t.record(Event{Type: "ParallelStateStarted"})
	res, err := t.fanOut(ctx, len(s.Branches), 0, func(ctx context.Context, i int, th *thread) (any, error) {
		return th.machine(ctx, s.Branches[i], s.Branches[i].StartAt, in, 1)
	})
	if err != nil {
		if ctx.Err() == nil {
			t.record(Event{Type: "ParallelStateFailed"})
		}
		return nil, err
	}
	t.record(Event{Type: "ParallelStateSucceeded"})
	return res, nil
}

func (t *thread) mapState(ctx context.Context, s *State, x *evalContext, in any) (any, error) {
	items := in
	if s.ItemReader != nil {
		list, err := t.readItems(ctx, s.ItemReader, x, in)
		if err != nil {
			return nil, err
		}
		items = list
	} else if s.ItemsPath != nil {
		v, err := x.resolve(s.ItemsPath)
		if err != nil {
			return nil, err
		}
		items = v
	}
	list, ok := items.([]any)
	if !ok {
		return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The ItemsPath must point to a JSON array", pathText(s.ItemsPath))}
	}
	if s.Distributed {
		rs, err := t.settings(s, x, in)
		if err != nil {
			return nil, err
		}
		return t.mapRun(ctx, s, list, s.MaxConcurrency, rs, func(i int, th *thread) (any, error) {
			if s.ItemSelector == nil {
				return list[i], nil
			}
			th.mapItem = map[string]any{"Index": num(float64(i)), "Value": list[i]}
			defer func() { th.mapItem = nil }()
			ix := &evalContext{env: x.env, input: in, ctx: th.contextObject(s, t.r.env.Now(), 0, "")}
			return s.ItemSelector.apply(ix, in)
		}, func() (any, error) {
			return s.BatchInput.apply(x, in)
		})
	}
	t.record(Event{Type: "MapStateStarted", Length: len(list)})
	res, err := t.fanOut(ctx, len(list), inlineLimit(s.MaxConcurrency), func(ctx context.Context, i int, th *thread) (any, error) {
		th.mapItem = map[string]any{"Index": num(float64(i)), "Value": list[i]}
		th.record(Event{Type: "MapIterationStarted", State: s.Name, Index: i})
		item := list[i]
		if s.ItemSelector != nil {
			ix := &evalContext{env: x.env, input: in, ctx: th.contextObject(s, t.r.env.Now(), 0, "")}
			v, err := s.ItemSelector.apply(ix, in)
			if err != nil {
				return nil, err
			}
			item = v
		}
		th.mapItem = nil
		out, err := th.machine(ctx, s.Processor, s.Processor.StartAt, item, 1)
		if err != nil {
			if ctx.Err() == nil {
				th.record(Event{Type: "MapIterationFailed", State: s.Name, Index: i})
			} else {
				th.record(Event{Type: "MapIterationAborted", State: s.Name, Index: i})
			}
			return nil, err
		}
		th.record(Event{Type: "MapIterationSucceeded", State: s.Name, Index: i})
		return out, nil
	})
	if err != nil {
		if ctx.Err() == nil {
			t.record(Event{Type: "MapStateFailed"})
		}
		return nil, err
	}
	t.record(Event{Type: "MapStateSucceeded"})
	return res, nil
}

// maxMapRunChildren is how many child workflow executions a Map Run
// runs at once when MaxConcurrency does not say: "If you don't
// specify, Step Functions runs 10,000 parallel child workflow
// executions."
const maxMapRunChildren = 10000

// mapRun runs a Distributed Map state's items as the child workflow
// executions of a Map Run: each item (through selectItem) or, with an
// ItemBatcher, each batch {"BatchInput": ..., "Items": [...]} is the
// input of one child, whose events stay out of the execution's history,
// which records MapRunStarted and MapRunSucceeded or MapRunFailed.
// Every child runs to its end; when the failed children then exceed
// the tolerated failure threshold (rs), the Map Run fails, and the
// state with States.ExceedToleratedFailureThreshold. A ResultWriter
// exports the children's results to S3 (either way) or formats them.
func (t *thread) mapRun(ctx context.Context, s *State, list []any, limit int, rs *runSettings,
	selectItem func(i int, th *thread) (any, error), batchInput func() (any, error)) (any, error) {
	items := make([]any, len(list))
	for i := range list {
		v, err := selectItem(i, t.child())
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	inputs := items
	if s.BatchMaxItems > 0 || s.BatchMaxBytes > 0 {
		var shared any
		if s.BatchInput != nil {
			v, err := batchInput()
			if err != nil {
				return nil, err
			}
			shared = v
		}
		inputs = batches(items, s.BatchMaxItems, s.BatchMaxBytes, shared)
	}
	arn, childMachine, id := t.mapRunARN(s)
	t.record(Event{Type: "MapRunStarted", MapRunArn: arn})
	m := t.startMapRun(arn, childMachine, inputs, s.BatchMaxItems > 0 || s.BatchMaxBytes > 0, limit, rs)
	records, err := t.fanOutLimited(ctx, len(inputs), m.lim, func(ctx context.Context, i int, th *thread) (any, error) {
		th.quiet = true
		m.move(i, statusPending, statusRunning)
		name := t.r.env.UUID()
		start := t.r.env.Now()
		out, err := th.machine(ctx, s.Processor, s.Processor.StartAt, inputs[i], 1)
		if err != nil && ctx.Err() != nil {
			m.move(i, statusRunning, statusAborted)
			return nil, err
		}
		rec := childRecord(childMachine, name, inputs[i], out, err, start, t.r.env.Now())
		if err != nil {
			m.move(i, statusRunning, statusFailed)
			return nil, &childFailed{record: rec, err: err}
		}
		m.move(i, statusRunning, statusSucceeded)
		return rec, nil
	})
	if err != nil {
		m.end(MapRunAborted, t.r.env.Now())
		return nil, err
	}
	failed := 0
	var firstErr error
	for _, r := range records {
		if !succeeded(r) {
			if failed == 0 {
				m, _ := r.(map[string]any)
				e, _ := m["Error"].(string)
				firstErr = &Failure{Name: e}
			}
			failed++
		}
	}
	var out any
	if rw := s.ResultWriter; rw != nil && rw.S3 {
		res, err := t.writeResults(ctx, rs, arn, id, records, rw.Transformation)
		if err != nil {
			if ctx.Err() == nil {
				var f *Failure
				errors.As(err, &f)
				t.record(Event{Type: "MapRunFailed", Error: str(f.Name), Cause: str(f.Cause)})
				m.end(MapRunFailed, t.r.env.Now())
			} else {
				m.end(MapRunAborted, t.r.env.Now())
			}
			return nil, err
		}
		m.change(func(info *MapRunInfo) {
			info.Items.ResultsWritten = info.Items.Succeeded + info.Items.Failed
			info.Executions.ResultsWritten = info.Executions.Succeeded + info.Executions.Failed
		})
		out = res
	} else if rw != nil {
		out = transform(records, rw.Transformation)
	} else {
		out = transform(records, "COMPACT")
	}
	if th := m.threshold(); th.exceeded(failed, len(records)) {
		cause := fmt.Sprintf("The Map Run failed: %d of %d child workflow executions failed, more than the tolerated failure threshold", failed, len(records))
		var f *Failure
		if errors.As(firstErr, &f) && f.Name != "" {
			cause += " (the first with " + f.Name + ")"
		}
		t.record(Event{Type: "MapRunFailed", Error: str(ErrExceedToleratedFailureThreshold), Cause: str(cause)})
		m.end(MapRunFailed, t.r.env.Now())
		return nil, &Failure{Name: ErrExceedToleratedFailureThreshold, Cause: cause}
	}
	t.record(Event{Type: "MapRunSucceeded"})
	m.end(MapRunSucceeded, t.r.env.Now())
	return out, nil
}

// mapRunARN names a Map Run of Distributed Map state s
// (arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID), the
// children's workflow (arn:aws:states:REGION:ACCOUNT:stateMachine:MACHINE/LABEL)
// and the UUID. The execution's own state, resumed or redriven, goes
// on with the Map Run it had.
func (t *thread) mapRunARN(s *State) (arn, childMachine, id string) {
	if t.top {
		arn, t.r.mapRun = t.r.mapRun, ""
		if i := strings.LastIndex(arn, ":"); i > 0 {
			return arn, strings.Replace(arn[:i], ":mapRun:", ":stateMachine:", 1), arn[i+1:]
		}
	}
	label := s.Label
	if label == "" {
		label = t.r.env.UUID()
	}
	id = t.r.env.UUID()
	childMachine = t.r.exec.MachineID + "/" + label
	return strings.Replace(childMachine, ":stateMachine:", ":mapRun:", 1) + ":" + id, childMachine, id
}

// startMapRun starts counting a Map Run's children, all pending but
// those a resumed or redriven execution's own state has run already;
// batched says that each input is a batch of items.
func (t *thread) startMapRun(arn, childMachine string, inputs []any, batched bool, limit int, rs *runSettings) *MapRun {
	th := *rs
	m := &MapRun{env: t.r.env, lim: newLimiter(mapRunLimit(limit)), rs: &th, sizes: make([]int64, len(inputs))}
	info := MapRunInfo{ARN: arn, StateMachineARN: childMachine, Status: MapRunRunning, Start: t.r.env.Now(),
		MaxConcurrency: max(limit, 0), Top: t.top}
	if rs.hasPct {
		info.ToleratedFailurePercentage = rs.pct
	}
	if rs.hasCount {
		info.ToleratedFailureCount = int64(rs.count)
	}
	for i, in := range inputs {
		m.sizes[i] = 1
		if b, ok := in.(map[string]any); ok && batched {
			items, _ := b["Items"].([]any)
			m.sizes[i] = int64(len(items))
		}
		status := statusPending
		if _, ok := t.r.done[i]; ok && t.top {
			status = statusSucceeded
		}
		*info.Executions.count(status)++
		*info.Items.count(status) += m.sizes[i]
		info.Executions.Total++
		info.Items.Total += m.sizes[i]
	}
	m.info = info
	t.r.env.MapRunChanged(m)
	return m
}

// childFailed is a Map Run's child workflow execution that failed: its
// record takes its place among the results (fanOut goes on with the
// others and does not count it done for a redrive).
type childFailed struct {
	record any
	err    error
}

func (c *childFailed) Error() string { return c.err.Error() }

// batches groups items for an ItemBatcher: at most maxItems items
// (when not zero) and at most maxBytes bytes of JSON (when not zero) in
// each batch, every batch {"Items": [...]}, with "BatchInput" when
// shared is not nil. An item larger than maxBytes is a batch of its own.
func batches(items []any, maxItems, maxBytes int64, shared any) []any {
	var out []any
	var cur []any
	size := int64(0)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		b := map[string]any{"Items": cur}
		if shared != nil {
			b["BatchInput"] = shared
		}
		out = append(out, b)
		cur, size = nil, 0
	}
	for _, it := range items {
		n := int64(len(Encode(it)))
		if len(cur) > 0 && ((maxItems > 0 && int64(len(cur)) >= maxItems) || (maxBytes > 0 && size+n > maxBytes)) {
			flush()
		}
		cur = append(cur, it)
		size += n
	}
	flush()
	return out
}

func pathText(p *Path) string {
	if p == nil {
		return "$"
	}
	return p.String()
}
