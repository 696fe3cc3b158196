package stepfunctions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/stepfunctions/asl"
	"github.com/virga/virga/internal/store/keys"
)

// run is an execution in progress.
type run struct {
	exec   *execution
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex // guards exec and the event counter
	stopped bool       // StopExecution, DeleteStateMachine or the history quota ended it

	resumed bool // resumed after a restart: its current state runs again
	// redriven: RedriveExecution restarted it at its current state.
	redriven bool
	// branchesDone are the branches of its current state that
	// succeeded before.
	branchesDone map[int]any
}

// pollInterval is how often waits look at the clock, which tests fake.
const pollInterval = 10 * time.Millisecond

// nameReuse is how long an execution name stays taken: "execution
// names ... can't be reused for 90 days".
const nameReuse = 90 * 24 * time.Hour

// startLocked runs an execution in the background, with s.mu held;
// persistent ones (standard executions) keep their record and history
// in the store. A redriven execution starts its state afresh; done are
// the branches of that state that succeeded.
func (s *Service) startLocked(e *execution, input any, from string, redriven bool, done map[int]any) *run {
	ctx, cancel := context.WithCancel(s.base)
	r := &run{exec: e, cancel: cancel, done: make(chan struct{}), resumed: from != "" && !redriven,
		redriven: redriven, branchesDone: done}
	s.running[e.ARN] = r
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(r.done)
		defer cancel()
		s.execute(ctx, r, input, from)
		s.mu.Lock()
		delete(s.running, e.ARN)
		s.mu.Unlock()
	}()
	return r
}

func (s *Service) execute(ctx context.Context, r *run, input any, from string) {
	e := r.exec
	m, err := asl.Parse(e.Definition)
	if err != nil {
		s.finish(r, "FAILED", nil, &asl.Failure{Name: asl.ErrRuntime, Cause: err.Error()})
		return
	}
	execInput, _ := asl.Decode([]byte(e.Input))
	env := &execEnv{s: s, r: r}
	runCtx := ctx
	var timedOut bool
	if m.TimeoutSeconds > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithCancel(ctx)
		defer cancel()
		// A redriven execution's TimeoutSeconds counts from the redrive.
		deadline := e.Start.Add(time.Duration(m.TimeoutSeconds) * time.Second)
		if !e.RedriveDate.IsZero() {
			deadline = e.RedriveDate.Add(time.Duration(m.TimeoutSeconds) * time.Second)
		}
		go func() {
			if env.WaitUntil(runCtx, deadline) == nil {
				r.mu.Lock()
				timedOut = true
				r.mu.Unlock()
				cancel()
			}
		}()
	}
	// StopExecution or DeleteStateMachine may already be ending the
	// execution, appending to its record under r.mu.
	r.mu.Lock()
	prev, atTime, atVars, mapRunARN := e.Events, e.AtTime, e.AtVars, e.MapRun
	r.mu.Unlock()
	ax := &asl.Execution{ID: e.ARN, Name: e.Name, RoleArn: e.RoleArn, MachineID: e.MachineARN,
		MachineName: e.Machine, Start: e.Start, Input: execInput, RedriveCount: int(e.RedriveCount), Done: r.branchesDone}
	if from != "" {
		if !r.redriven {
			ax.Resumed = atTime
		}
		if vars, err := asl.Decode([]byte(atVars)); err == nil {
			ax.Vars, _ = vars.(map[string]any)
		}
		ax.MapRunARN = mapRunARN
	}
	out, err := asl.Run(runCtx, env, m, ax, from, input, prev)
	r.mu.Lock()
	to := timedOut
	r.mu.Unlock()
	switch {
	case to:
		s.finish(r, "TIMED_OUT", nil, &asl.Failure{Name: asl.ErrTimeout, Cause: "The execution timed out."})
	case ctx.Err() != nil:
		// Stopped (its record already says so) or virga is stopping: a
		// standard execution then stays RUNNING and resumes.
	case err != nil:
		var f *asl.Failure
		if !errors.As(err, &f) {
			f = &asl.Failure{Name: asl.ErrRuntime, Cause: err.Error()}
		}
		s.finish(r, "FAILED", nil, f)
	default:
		s.finish(r, "SUCCEEDED", &out, nil)
	}
}

// finish records the end of an execution, unless it was stopped.
func (s *Service) finish(r *run, status string, out *any, f *asl.Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	e := r.exec
	e.Status, e.Stop = status, s.clock.Now()
	ev := event{Prev: e.Events}
	switch status {
	case "SUCCEEDED":
		e.Output = ptr(asl.Encode(*out))
		ev.Type, ev.Output = "ExecutionSucceeded", e.Output
	case "FAILED":
		ev.Type = "ExecutionFailed"
	case "TIMED_OUT":
		ev.Type = "ExecutionTimedOut"
	}
	if f != nil {
		e.Error, e.Cause = ptr(f.Name), ptr(f.Cause)
		ev.Error, ev.Cause = e.Error, e.Cause
	}
	s.appendEvent(r, ev)
}

// abort is StopExecution: the execution ends ABORTED now.
func (r *run) abort(s *Service, errName, cause string) time.Time {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return r.exec.Stop
	}
	r.stopped = true
	e := r.exec
	e.Status, e.Stop = "ABORTED", s.clock.Now()
	ev := event{Type: "ExecutionAborted", Prev: e.Events}
	if errName != "" {
		e.Error, ev.Error = ptr(errName), ptr(errName)
	}
	if cause != "" {
		e.Cause, ev.Cause = ptr(cause), ptr(cause)
	}
	s.appendEvent(r, ev)
	r.mu.Unlock()
	r.cancel()
	<-r.done
	return e.Stop
}

// maxHistory is a standard execution's history quota: "25,000 events.
// If the execution history reaches this quota, the execution will
// fail". Event 25,000 may still be ExecutionSucceeded; any other event
// in its place becomes ExecutionFailed (States.Runtime) and ends the
// execution.
const maxHistory = 25000

// historyFull is the cause AWS gives an execution ended by maxHistory.
const historyFull = "The execution reached the maximum number of history events (25000)."

// appendEvent stores the next history event with the execution record;
// r.mu is held.
func (s *Service) appendEvent(r *run, ev event) int64 {
	e := r.exec
	if !e.Express && e.Events+1 >= maxHistory && ev.Type != "ExecutionSucceeded" && !r.stopped {
		// The history is full: the execution fails, and whatever still
		// runs in it stops recording.
		r.stopped = true
		e.Status, e.Stop = "FAILED", s.clock.Now()
		e.Output = nil
		e.Error, e.Cause = ptr(asl.ErrRuntime), ptr(historyFull)
		ev = event{Type: "ExecutionFailed", Prev: ev.Prev, Error: e.Error, Cause: e.Cause}
		if r.cancel != nil {
			r.cancel()
		}
	}
	e.Events++
	ev.ID, ev.Time = e.Events, s.clock.Now()
	s.writeLog(e, ev)
	if e.Express {
		if m := s.expressHistory(e.ARN); m != nil {
			*m = append(*m, ev)
		}
		return ev.ID
	}
	if err := s.put(eventKey(e.Machine, e.Name, ev.ID), ev, execKey(e.Machine, e.Name), e); err != nil {
		s.log.Error("stepfunctions: recording an event", "execution", e.ARN, "err", err)
	}
	s.queueStatus(e, ev)
	return ev.ID
}

// expressHistory is where an express execution's events go: nowhere
// kept (AWS sends them to CloudWatch Logs only); nil.
func (s *Service) expressHistory(string) *[]event { return nil }

// resume restarts the standard executions left RUNNING from their last
// top-level state.
func (s *Service) resume(log *slog.Logger) {
	// A machine virga stopped in the middle of deleting is deleted now,
	// with its executions.
	deleting := map[string]bool{}
	scan[machine](s.store, base("machine"), func(m *machine) bool {
		if m.Status == statusDeleting {
			deleting[m.Name] = true
		}
		return true
	})
	for name := range deleting {
		s.mu.Lock()
		if err := s.deleteMachineData(name); err != nil {
			log.Error("stepfunctions: deleting state machine", "name", name, "err", err)
		}
		s.mu.Unlock()
	}
	var left []*execution
	scan[execution](s.store, base("exec"), func(e *execution) bool {
		if e.Status == "RUNNING" && !e.Express && !deleting[e.Machine] {
			left = append(left, e)
		}
		return true
	})
	for _, e := range left {
		// Requests may be served before this runs: an execution started
		// (or redriven) since is running already, and one that has
		// ended since is no longer RUNNING. A run leaves s.running only
		// after its record is final, so the record read again under s.mu
		// says which.
		s.mu.Lock()
		cur, err := s.loadExecution(e.Machine, e.Name)
		if s.running[e.ARN] != nil || err != nil || cur == nil || cur.Status != "RUNNING" {
			s.mu.Unlock()
			continue
		}
		e = cur
		input, err := asl.Decode([]byte(e.AtInput))
		if err != nil || e.At == "" {
			input, _ = asl.Decode([]byte(e.Input))
			e.At = ""
		}
		log.Info("stepfunctions: resuming execution", "execution", e.ARN, "state", e.At)
		var done map[int]any
		if e.Branches && e.At != "" {
			done = s.loadBranches(e.Machine, e.Name)
		}
		s.startLocked(e, input, e.At, false, done)
		s.mu.Unlock()
	}
}

// execEnv is the interpreter's view of an execution.
type execEnv struct {
	s *Service
	r *run
}

func (x *execEnv) Now() time.Time { return x.s.clock.Now() }

func (x *execEnv) WaitUntil(ctx context.Context, t time.Time) error {
	for {
		if !x.s.clock.Now().Before(t) {
			return nil
		}
		wait := min(pollInterval, time.Until(time.Now().Add(t.Sub(x.s.clock.Now()))))
		if wait <= 0 {
			wait = time.Millisecond
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (x *execEnv) Record(ev asl.Event) int64 {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	if x.r.stopped {
		return x.r.exec.Events
	}
	return x.s.appendEvent(x.r, event{Prev: ev.Prev, Type: ev.Type, State: ev.State, Input: ev.Input, Output: ev.Output,
		Error: ev.Error, Cause: ev.Cause, Resource: ev.Resource, Kind: ev.Kind, Params: ev.Params, Timeout: ev.Timeout,
		Heartbeat: ev.Heartbeat, Index: ev.Index, Length: ev.Length, Worker: ev.Worker, MapRunArn: ev.MapRunArn, Assigned: ev.Assigned})
}

func (x *execEnv) UUID() string { return x.s.ids.UUID() }

func (x *execEnv) RandomInt(n int64, seed *int64) int64 {
	if seed != nil {
		return rand.New(rand.NewPCG(uint64(*seed), 0)).Int64N(n)
	}
	return rand.Int64N(n)
}

func (x *execEnv) Checkpoint(state string, input any, vars map[string]any) {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	e := x.r.exec
	e.At, e.AtInput, e.AtTime = state, asl.Encode(input), x.s.clock.Now()
	e.AtVars, e.MapRun = "", ""
	if len(vars) > 0 {
		e.AtVars = asl.Encode(vars)
	}
	if !e.Express && !x.r.stopped {
		x.resetBranches()
		x.s.put(execKey(e.Machine, e.Name), e)
	}
}

func (x *execEnv) BranchSucceeded(i int, out any) {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	e := x.r.exec
	if e.Express || x.r.stopped {
		return
	}
	e.Branches = true
	if err := x.s.put(branchKey(e.Machine, e.Name, i), branch{Index: i, Output: asl.Encode(out)}, execKey(e.Machine, e.Name), e); err != nil {
		x.s.log.Error("stepfunctions: recording a branch", "execution", e.ARN, "err", err)
	}
}

// maxItemReaderBytes is the largest file virga reads for an
// ItemReader (AWS reads CSV and JSON files of up to 10 GB; virga holds
// the items in memory).
const maxItemReaderBytes = 256 << 20

// ReadObject reads an object in S3 for a Distributed Map state's
// ItemReader.
func (x *execEnv) ReadObject(ctx context.Context, bucket, key, version string) ([]byte, error) {
	if x.s.objects == nil {
		return nil, fmt.Errorf("no S3 in this virga")
	}
	body, _, err := x.s.objects.Object(ctx, bucket, key, version)
	if err != nil {
		if ae := apierr.As(err); ae != nil {
			return nil, fmt.Errorf("%s: %s", ae.Code, ae.Message)
		}
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxItemReaderBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxItemReaderBytes {
		return nil, fmt.Errorf("the object is larger than virga reads for an ItemReader (%d bytes)", maxItemReaderBytes)
	}
	return data, nil
}

// WriteObject stores an object in S3 for a Distributed Map state's
// ResultWriter, as a PutObject would.
func (x *execEnv) WriteObject(ctx context.Context, bucket, key string, data []byte) error {
	if x.s.objects == nil {
		return fmt.Errorf("no S3 in this virga")
	}
	if err := x.s.objects.PutObject(ctx, bucket, key, data, "application/json"); err != nil {
		if ae := apierr.As(err); ae != nil {
			return fmt.Errorf("%s: %s", ae.Code, ae.Message)
		}
		return err
	}
	return nil
}

// MapRunChanged keeps a standard execution's Map Run in the store as
// it changes (its start date the first one's when a resumed or
// redriven execution goes on with it), and the running ones in memory
// for UpdateMapRun. A stopped execution's Map Runs still end ABORTED:
// StopExecution and DeleteStateMachine wait for the execution's
// goroutines before they return.
func (x *execEnv) MapRunChanged(m *asl.MapRun) {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	e := x.r.exec
	info := m.Info()
	x.s.mapRunMu.Lock()
	if info.Status == asl.MapRunRunning {
		x.s.mapRuns[info.ARN] = m
	} else {
		delete(x.s.mapRuns, info.ARN)
	}
	x.s.mapRunMu.Unlock()
	if e.Express {
		return
	}
	machine, id, _ := mapRunName(info.ARN)
	key := mapRunKey(machine, id)
	if old, err := getJSON[mapRun](x.s.store, key); err == nil && old != nil {
		info.Start = old.Start
	}
	kvs := []any{key, mapRun{MapRunInfo: info, Execution: e.ARN}}
	if info.Top && e.MapRun != info.ARN && !x.r.stopped {
		e.MapRun = info.ARN
		kvs = append(kvs, execKey(e.Machine, e.Name), e)
	}
	if err := x.s.put(kvs...); err != nil {
		x.s.log.Error("stepfunctions: recording a Map Run", "mapRun", info.ARN, "err", err)
	}
}

func (x *execEnv) BranchesReset() {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	if !x.r.exec.Express && !x.r.stopped && x.resetBranches() {
		x.s.put(execKey(x.r.exec.Machine, x.r.exec.Name), x.r.exec)
	}
}

// resetBranches forgets the branches recorded as succeeded and answers
// whether there were any; r.mu is held.
func (x *execEnv) resetBranches() bool {
	e := x.r.exec
	if !e.Branches {
		return false
	}
	b := x.s.store.NewBatch()
	defer b.Close()
	b.DeleteRange(branchPrefix(e.Machine, e.Name), keys.PrefixEnd(branchPrefix(e.Machine, e.Name)))
	if err := b.Commit(); err != nil {
		x.s.log.Error("stepfunctions: forgetting branches", "execution", e.ARN, "err", err)
		return false
	}
	e.Branches = false
	return true
}
