package stepfunctions

import (
	"context"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/virga/virga/internal/stepfunctions/asl"
	"github.com/virga/virga/internal/store/keys"
)

// maxInput is the largest input or output: "Maximum input or output
// size for a task, state, or execution: 256 KiB of data as a UTF-8
// encoded string".
const maxInput = 256 * 1024

// newExecution checks a StartExecution-like request and makes the
// execution record.
func (s *Service) newExecution(arn string, name, input *string, trace *string, express bool) (*machine, *execution, any, error) {
	t, err := s.resolve(arn, func(n int32) int32 { return rand.Int32N(n) })
	if err != nil {
		return nil, nil, nil, err
	}
	m := t.m
	n := deref(name)
	if name == nil {
		n = s.ids.UUID()
	}
	if !validName(n) {
		return nil, nil, nil, ErrInvalidName.WithMessage("Invalid Name: '" + n + "'")
	}
	text := "{}"
	if input != nil {
		text = *input
	}
	in, err := asl.Decode([]byte(text))
	if err != nil {
		return nil, nil, nil, ErrInvalidExecutionInput.WithMessage("Invalid State Machine Execution Input: '" + err.Error() + "'")
	}
	if len(text) > maxInput {
		return nil, nil, nil, ErrInvalidExecutionInput.WithMessage("The input exceeds the maximum size of 262144 bytes")
	}
	e := &execution{MachineARN: m.ARN, Machine: m.Name, Name: n, Definition: t.definition, RoleArn: t.roleArn,
		Status: "RUNNING", Start: s.clock.Now(), Input: text, Trace: deref(trace), Express: express,
		VersionARN: t.versionARN, AliasARN: t.aliasARN, Revision: t.revision, Log: logTargetOf(t.logging)}
	if express {
		e.ARN = s.expressARN(m.Name, n, s.ids.UUID())
	} else {
		e.ARN = s.executionARN(m.Name, n)
	}
	return m, e, in, nil
}

func (s *Service) startExecution(_ context.Context, in *StartExecutionInput) (*StartExecutionOutput, error) {
	out, _, err := s.startRun(in)
	return out, err
}

// startRun is StartExecution; it also returns the execution's run, nil
// when a same request found its execution ended.
func (s *Service) startRun(in *StartExecutionInput) (*StartExecutionOutput, *run, error) {
	m, e, input, err := s.newExecution(deref(in.StateMachineArn), in.Name, in.Input, in.TraceHeader, false)
	if err != nil {
		return nil, nil, err
	}
	// The machine is checked again, and the execution registered as
	// running, under s.mu: DeleteStateMachine then either sees it or
	// has already marked the machine DELETING.
	s.mu.Lock()
	if err := s.checkMachine(m.Name, m.ARN); err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	if m.Type == "EXPRESS" {
		e.Express = true
		e.ARN = s.expressARN(m.Name, e.Name, s.ids.UUID())
	} else {
		old, err := s.loadExecution(m.Name, e.Name)
		if err != nil {
			s.mu.Unlock()
			return nil, nil, err
		}
		if old != nil && s.clock.Now().Sub(old.Start) < nameReuse {
			s.mu.Unlock()
			// The same name and input as a running execution is the same
			// request again.
			if old.Status == "RUNNING" && old.Input == e.Input {
				s.mu.Lock()
				r := s.running[old.ARN]
				s.mu.Unlock()
				return &StartExecutionOutput{ExecutionArn: &old.ARN, StartDate: &old.Start}, r, nil
			}
			return nil, nil, ErrExecutionAlreadyExists.WithMessage("Execution Already Exists: '" + old.ARN + "'")
		}
		if old != nil {
			// The name is free again after 90 days: the old execution's
			// history goes with its record.
			b := s.store.NewBatch()
			b.DeleteRange(eventPrefix(e.Machine, e.Name), keys.PrefixEnd(eventPrefix(e.Machine, e.Name)))
			b.DeleteRange(branchPrefix(e.Machine, e.Name), keys.PrefixEnd(branchPrefix(e.Machine, e.Name)))
			err := b.Commit()
			b.Close()
			if err != nil {
				s.mu.Unlock()
				return nil, nil, err
			}
		}
		if err := s.put(execKey(e.Machine, e.Name), e); err != nil {
			s.mu.Unlock()
			return nil, nil, err
		}
	}
	r := s.begin(e, input)
	s.mu.Unlock()
	return &StartExecutionOutput{ExecutionArn: &e.ARN, StartDate: &e.Start}, r, nil
}

// checkMachine answers whether the machine still takes executions;
// s.mu is held.
func (s *Service) checkMachine(name, arn string) error {
	m, err := s.loadMachine(name)
	if err != nil {
		return err
	}
	if m == nil {
		return machineNotFound(arn)
	}
	if m.Status == statusDeleting {
		return machineDeleting(arn)
	}
	return nil
}

// begin records ExecutionStarted and runs the execution; s.mu is held.
func (s *Service) begin(e *execution, input any) *run {
	r := &run{exec: e}
	r.mu.Lock()
	s.appendEvent(r, event{Type: "ExecutionStarted", Input: &e.Input, RoleArn: e.RoleArn})
	r.mu.Unlock()
	return s.startLocked(e, input, "", false, nil)
}

func (s *Service) startSyncExecution(_ context.Context, in *StartSyncExecutionInput) (*StartSyncExecutionOutput, error) {
	m, e, input, err := s.newExecution(deref(in.StateMachineArn), in.Name, in.Input, in.TraceHeader, true)
	if err != nil {
		return nil, err
	}
	if m.Type != "EXPRESS" {
		return nil, ErrStateMachineTypeNotSupported.WithMessage("This operation is not supported by this type of state machine")
	}
	s.mu.Lock()
	if err := s.checkMachine(m.Name, m.ARN); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	r := s.begin(e, input)
	s.mu.Unlock()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	out := &StartSyncExecutionOutput{ExecutionArn: &e.ARN, StateMachineArn: &e.MachineARN, Name: &e.Name, StartDate: &e.Start,
		StopDate: &e.Stop, Status: ptr(SyncExecutionStatus(e.Status)), Error: e.Error, Cause: e.Cause, Input: &e.Input,
		InputDetails: &CloudWatchEventsExecutionDataDetails{Included: ptr(true)}, Output: e.Output,
		BillingDetails: &BillingDetails{BilledDurationInMilliseconds: ptr(max(100, e.Stop.Sub(e.Start).Milliseconds())), BilledMemoryUsedInMB: ptr(int64(64))}}
	if e.TraceHeader() != "" {
		out.TraceHeader = ptr(e.Trace)
	}
	if e.Status == "RUNNING" {
		// virga stopped under it.
		out.Status = ptr(SyncExecutionStatus("FAILED"))
		out.StopDate = ptr(s.clock.Now())
	}
	if e.Output != nil {
		out.OutputDetails = &CloudWatchEventsExecutionDataDetails{Included: ptr(true)}
	}
	return out, nil
}

func (e *execution) TraceHeader() string { return e.Trace }

// executionByARN returns the record of a standard execution, the
// running one's when it runs. An express execution's ARN is InvalidArn
// ("Resource type not valid in this context: express"), as AWS answers
// DescribeExecution, StopExecution and GetExecutionHistory for it.
func (s *Service) executionByARN(arn string) (*execution, error) {
	machine, name, express, ok := executionName(arn)
	if !ok || express {
		return nil, invalidARN(arn)
	}
	s.mu.Lock()
	r := s.running[arn]
	s.mu.Unlock()
	if r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		c := *r.exec
		return &c, nil
	}
	e, err := s.loadExecution(machine, name)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, executionNotFound(arn)
	}
	return e, nil
}

func (s *Service) describeExecution(_ context.Context, in *DescribeExecutionInput) (*DescribeExecutionOutput, error) {
	e, err := s.executionByARN(deref(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	out := &DescribeExecutionOutput{ExecutionArn: &e.ARN, StateMachineArn: &e.MachineARN, Name: &e.Name,
		Status: ptr(ExecutionStatus(e.Status)), StartDate: &e.Start, Input: &e.Input,
		InputDetails: &CloudWatchEventsExecutionDataDetails{Included: ptr(true)}, Output: e.Output, Error: e.Error, Cause: e.Cause}
	if !e.Stop.IsZero() {
		out.StopDate = &e.Stop
	}
	if e.Output != nil {
		out.OutputDetails = &CloudWatchEventsExecutionDataDetails{Included: ptr(true)}
	}
	if e.Trace != "" {
		out.TraceHeader = &e.Trace
	}
	out.StateMachineVersionArn, out.StateMachineAliasArn = optional(e.VersionARN), optional(e.AliasARN)
	out.RedriveCount = ptr(e.RedriveCount)
	if !e.RedriveDate.IsZero() {
		out.RedriveDate = ptr(e.RedriveDate)
	}
	status, reason := s.redriveStatus(e)
	out.RedriveStatus = ptr(ExecutionRedriveStatus(status))
	if reason != "" {
		out.RedriveStatusReason = &reason
	}
	return out, nil
}

// redrivePeriod is how long after it stopped an execution may be
// redriven: RedriveExecution restarts executions that did not complete
// successfully "in the last 14 days".
const redrivePeriod = 14 * 24 * time.Hour

// maxOpen is how long an execution may stay open, redrives included:
// "The workflow execution has not exceeded the maximum open time of
// one year".
const maxOpen = 365 * 24 * time.Hour

// redriveStatus is DescribeExecution's redriveStatus and
// redriveStatusReason: a RUNNING or SUCCEEDED execution, one whose
// history has no room for ExecutionRedriven and one more event (24,999
// events or more), one started more than a year ago and one that
// stopped more than 14 days ago cannot be redriven; a FAILED, TIMED_OUT
// or ABORTED one can.
func (s *Service) redriveStatus(e *execution) (string, string) {
	now := s.clock.Now()
	switch {
	case e.Status == "RUNNING" || e.Status == "SUCCEEDED":
		return "NOT_REDRIVABLE", "Execution is " + e.Status + " and cannot be redriven"
	case e.Cause != nil && *e.Cause == historyFull, e.Events >= maxHistory-1:
		return "NOT_REDRIVABLE", "Execution history event limit exceeded"
	case now.Sub(e.Start) > maxOpen:
		return "NOT_REDRIVABLE", "Execution has exceeded the max execution time"
	case now.Sub(e.Stop) > redrivePeriod:
		return "NOT_REDRIVABLE", "Execution redrivable period exceeded"
	}
	return "REDRIVABLE", ""
}

// Client tokens: "The API will return idempotent responses for the last
// 10 client tokens used to successfully redrive the execution. These
// client tokens are valid for up to 15 minutes after they are first
// used."
const (
	redriveTokens   = 10
	redriveTokenTTL = 15 * time.Minute
)

// redriveExecution is RedriveExecution: the execution, with its ARN,
// input and history, runs again from the top-level state it ended in
// (which reruns only the branches and iterations of a Parallel or Map
// state that did not succeed), after an ExecutionRedriven event.
func (s *Service) redriveExecution(_ context.Context, in *RedriveExecutionInput) (*RedriveExecutionOutput, error) {
	arn := deref(in.ExecutionArn)
	machineName, name, express, ok := executionName(arn)
	if !ok || express {
		return nil, invalidARN(arn)
	}
	token := deref(in.ClientToken)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	same := func(e *execution) *RedriveExecutionOutput {
		for _, t := range e.Redrives {
			if token != "" && t.Token == token && now.Sub(t.Date) < redriveTokenTTL {
				return &RedriveExecutionOutput{RedriveDate: ptr(t.Date)}
			}
		}
		return nil
	}
	if r := s.running[arn]; r != nil {
		r.mu.Lock()
		out := same(r.exec)
		status := r.exec.Status
		r.mu.Unlock()
		if out != nil {
			return out, nil
		}
		if status == "RUNNING" {
			return nil, ErrExecutionNotRedrivable.WithMessage("Execution is RUNNING and cannot be redriven")
		}
		// It is ending and its record final: wait until its run is gone.
		s.mu.Unlock()
		<-r.done
		s.mu.Lock()
	}
	e, err := s.loadExecution(machineName, name)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, executionNotFound(arn)
	}
	if out := same(e); out != nil {
		return out, nil
	}
	m, err := s.loadMachine(machineName)
	if err != nil {
		return nil, err
	}
	if m != nil && m.Status == statusDeleting {
		return nil, ErrExecutionNotRedrivable.WithMessage("State machine is in DELETING status")
	}
	if status, reason := s.redriveStatus(e); status != "REDRIVABLE" {
		return nil, ErrExecutionNotRedrivable.WithMessage(reason)
	}
	e.RedriveCount++
	e.RedriveDate = now
	e.Status, e.Stop, e.Output, e.Error, e.Cause = "RUNNING", time.Time{}, nil, nil, nil
	if token != "" {
		e.Redrives = append(e.Redrives, redriveToken{Token: token, Date: now})
		if len(e.Redrives) > redriveTokens {
			e.Redrives = e.Redrives[len(e.Redrives)-redriveTokens:]
		}
	}
	input, err := asl.Decode([]byte(e.AtInput))
	if err != nil || e.At == "" {
		input, _ = asl.Decode([]byte(e.Input))
		e.At = ""
	}
	var done map[int]any
	if e.Branches && e.At != "" {
		done = s.loadBranches(e.Machine, e.Name)
	}
	r := &run{exec: e}
	r.mu.Lock()
	s.appendEvent(r, event{Type: "ExecutionRedriven", Prev: e.Events, Redrive: e.RedriveCount})
	r.mu.Unlock()
	s.startLocked(e, input, e.At, true, done)
	return &RedriveExecutionOutput{RedriveDate: ptr(now)}, nil
}

func (s *Service) listExecutions(_ context.Context, in *ListExecutionsInput) (*ListExecutionsOutput, error) {
	if in.MapRunArn != nil {
		return nil, ErrValidation.WithMessage("Map runs are not supported by virga")
	}
	// A version or alias ARN lists the executions associated with it:
	// an execution started through an alias is associated with the
	// alias and the version it ran.
	arn := deref(in.StateMachineArn)
	t, err := s.resolve(arn, func(int32) int32 { return 0 })
	if err != nil {
		return nil, err
	}
	m := t.m
	_, q, _ := qualifiedName(arn)
	_, byVersion := versionNumber(q)
	match := func(e *execution) bool {
		switch {
		case q == "":
			return true
		case byVersion:
			return e.VersionARN == arn
		}
		return e.AliasARN == arn
	}
	if m.Type == "EXPRESS" {
		return nil, ErrStateMachineTypeNotSupported.WithMessage("This operation is not supported by this type of state machine")
	}
	var all []execution
	err = scan[execution](s.store, execPrefix(m.Name), func(e *execution) bool {
		redriven := e.RedriveCount > 0
		if (in.StatusFilter == nil || string(*in.StatusFilter) == e.Status) && match(e) &&
			(in.RedriveFilter == nil || (*in.RedriveFilter == "REDRIVEN") == redriven) {
			all = append(all, *e)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	// Newest first, as AWS lists them.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Start.After(all[j].Start) })
	from, to, next, err := page(len(all), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListExecutionsOutput{Executions: []ExecutionListItem{}, NextToken: next}
	for _, e := range all[from:to] {
		item := ExecutionListItem{ExecutionArn: ptr(e.ARN), StateMachineArn: ptr(e.MachineARN), Name: ptr(e.Name),
			Status: ptr(ExecutionStatus(e.Status)), StartDate: ptr(e.Start),
			StateMachineVersionArn: optional(e.VersionARN), StateMachineAliasArn: optional(e.AliasARN)}
		if !e.Stop.IsZero() {
			item.StopDate = ptr(e.Stop)
		}
		if e.RedriveCount > 0 {
			item.RedriveCount, item.RedriveDate = ptr(e.RedriveCount), ptr(e.RedriveDate)
		}
		out.Executions = append(out.Executions, item)
	}
	return out, nil
}

func (s *Service) stopExecution(_ context.Context, in *StopExecutionInput) (*StopExecutionOutput, error) {
	arn := deref(in.ExecutionArn)
	e, err := s.executionByARN(arn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	r := s.running[arn]
	s.mu.Unlock()
	if r == nil || e.Status != "RUNNING" {
		// An execution that has ended stays as it ended; the call
		// answers when it stopped.
		stop := e.Stop
		if stop.IsZero() {
			stop = s.clock.Now()
		}
		return &StopExecutionOutput{StopDate: &stop}, nil
	}
	stop := r.abort(s, deref(in.Error), deref(in.Cause))
	return &StopExecutionOutput{StopDate: &stop}, nil
}

func (s *Service) getExecutionHistory(_ context.Context, in *GetExecutionHistoryInput) (*GetExecutionHistoryOutput, error) {
	e, err := s.executionByARN(deref(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	var evs []event
	if err := scan[event](s.store, eventPrefix(e.Machine, e.Name), func(ev *event) bool { evs = append(evs, *ev); return true }); err != nil {
		return nil, err
	}
	if deref(in.ReverseOrder) {
		for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
			evs[i], evs[j] = evs[j], evs[i]
		}
	}
	from, to, next, err := page(len(evs), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := &GetExecutionHistoryOutput{Events: []HistoryEvent{}, NextToken: next}
	for _, ev := range evs[from:to] {
		out.Events = append(out.Events, ev.shape(s.region, withData))
	}
	return out, nil
}

// shape is the event as GetExecutionHistory returns it.
func (ev event) shape(region string, withData bool) HistoryEvent {
	// Every event names its previous one; the first names 0.
	h := HistoryEvent{Timestamp: ptr(ev.Time), Type: ptr(HistoryEventType(ev.Type)), Id: ptr(ev.ID), PreviousEventId: ptr(ev.Prev)}
	data := func(p *string) *string {
		if !withData {
			return nil
		}
		return p
	}
	det := &HistoryEventExecutionDataDetails{Truncated: ptr(false)}
	switch ev.Type {
	case "ExecutionStarted":
		h.ExecutionStartedEventDetails = &ExecutionStartedEventDetails{Input: data(ev.Input), InputDetails: det, RoleArn: ptr(ev.RoleArn)}
	case "ExecutionRedriven":
		h.ExecutionRedrivenEventDetails = &ExecutionRedrivenEventDetails{RedriveCount: ptr(ev.Redrive)}
	case "ExecutionSucceeded":
		h.ExecutionSucceededEventDetails = &ExecutionSucceededEventDetails{Output: data(ev.Output), OutputDetails: det}
	case "ExecutionFailed":
		h.ExecutionFailedEventDetails = &ExecutionFailedEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "ExecutionAborted":
		h.ExecutionAbortedEventDetails = &ExecutionAbortedEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "ExecutionTimedOut":
		h.ExecutionTimedOutEventDetails = &ExecutionTimedOutEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "LambdaFunctionScheduled":
		d := &LambdaFunctionScheduledEventDetails{Resource: ptr(ev.Resource), Input: data(ev.Input), InputDetails: det}
		if ev.Timeout > 0 {
			d.TimeoutInSeconds = ptr(ev.Timeout)
		}
		h.LambdaFunctionScheduledEventDetails = d
	case "LambdaFunctionSucceeded":
		h.LambdaFunctionSucceededEventDetails = &LambdaFunctionSucceededEventDetails{Output: data(ev.Output), OutputDetails: det}
	case "LambdaFunctionFailed":
		h.LambdaFunctionFailedEventDetails = &LambdaFunctionFailedEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "LambdaFunctionTimedOut":
		h.LambdaFunctionTimedOutEventDetails = &LambdaFunctionTimedOutEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "TaskScheduled":
		d := &TaskScheduledEventDetails{ResourceType: ptr(ev.Kind), Resource: ptr(ev.Resource), Region: ptr(region), Parameters: ev.Params}
		if ev.Timeout > 0 {
			d.TimeoutInSeconds = ptr(ev.Timeout)
		}
		if ev.Heartbeat > 0 {
			d.HeartbeatInSeconds = ptr(ev.Heartbeat)
		}
		if !withData {
			d.Parameters = ptr("")
		}
		h.TaskScheduledEventDetails = d
	case "TaskStarted":
		h.TaskStartedEventDetails = &TaskStartedEventDetails{ResourceType: ptr(ev.Kind), Resource: ptr(ev.Resource)}
	case "TaskSubmitted":
		h.TaskSubmittedEventDetails = &TaskSubmittedEventDetails{ResourceType: ptr(ev.Kind), Resource: ptr(ev.Resource), Output: data(ev.Output), OutputDetails: det}
	case "TaskSucceeded":
		h.TaskSucceededEventDetails = &TaskSucceededEventDetails{ResourceType: ptr(ev.Kind), Resource: ptr(ev.Resource), Output: data(ev.Output), OutputDetails: det}
	case "TaskFailed":
		h.TaskFailedEventDetails = &TaskFailedEventDetails{ResourceType: ptr(ev.Kind), Resource: ptr(ev.Resource), Error: ev.Error, Cause: ev.Cause}
	case "TaskTimedOut":
		h.TaskTimedOutEventDetails = &TaskTimedOutEventDetails{ResourceType: ptr(ev.Kind), Resource: ptr(ev.Resource), Error: ev.Error, Cause: ev.Cause}
	case "ActivityScheduled":
		d := &ActivityScheduledEventDetails{Resource: ptr(ev.Resource), Input: data(ev.Input), InputDetails: det}
		if ev.Timeout > 0 {
			d.TimeoutInSeconds = ptr(ev.Timeout)
		}
		if ev.Heartbeat > 0 {
			d.HeartbeatInSeconds = ptr(ev.Heartbeat)
		}
		h.ActivityScheduledEventDetails = d
	case "ActivityStarted":
		h.ActivityStartedEventDetails = &ActivityStartedEventDetails{WorkerName: optional(ev.Worker)}
	case "ActivitySucceeded":
		h.ActivitySucceededEventDetails = &ActivitySucceededEventDetails{Output: data(ev.Output), OutputDetails: det}
	case "ActivityFailed":
		h.ActivityFailedEventDetails = &ActivityFailedEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "ActivityTimedOut":
		h.ActivityTimedOutEventDetails = &ActivityTimedOutEventDetails{Error: ev.Error, Cause: ev.Cause}
	case "MapStateStarted":
		h.MapStateStartedEventDetails = &MapStateStartedEventDetails{Length: ptr(int32(ev.Length))}
	case "MapIterationStarted":
		h.MapIterationStartedEventDetails = &MapIterationEventDetails{Name: ptr(ev.State), Index: ptr(int32(ev.Index))}
	case "MapIterationSucceeded":
		h.MapIterationSucceededEventDetails = &MapIterationEventDetails{Name: ptr(ev.State), Index: ptr(int32(ev.Index))}
	case "MapIterationFailed":
		h.MapIterationFailedEventDetails = &MapIterationEventDetails{Name: ptr(ev.State), Index: ptr(int32(ev.Index))}
	case "MapIterationAborted":
		h.MapIterationAbortedEventDetails = &MapIterationEventDetails{Name: ptr(ev.State), Index: ptr(int32(ev.Index))}
	case "MapRunStarted":
		h.MapRunStartedEventDetails = &MapRunStartedEventDetails{MapRunArn: optional(ev.MapRunArn)}
	case "MapRunFailed":
		h.MapRunFailedEventDetails = &MapRunFailedEventDetails{Error: ev.Error, Cause: ev.Cause}
	default:
		if ev.State != "" && ev.Input != nil {
			h.StateEnteredEventDetails = &StateEnteredEventDetails{Name: ptr(ev.State), Input: data(ev.Input), InputDetails: det}
		} else if ev.State != "" && ev.Output != nil {
			h.StateExitedEventDetails = &StateExitedEventDetails{Name: ptr(ev.State), Output: data(ev.Output), OutputDetails: det}
			if ev.Assigned != nil && withData {
				h.StateExitedEventDetails.AssignedVariables = ev.Assigned
				h.StateExitedEventDetails.AssignedVariablesDetails = &AssignedVariablesDetails{Truncated: ptr(false)}
			}
		}
	}
	return h
}

// StartExecution starts an execution of a state machine with a
// generated name, for the services that target state machines
// (EventBridge rules), continuing the X-Ray trace of traceHeader when it
// is not "".
func (s *Service) StartExecution(ctx context.Context, machineARN string, input []byte, traceHeader string) error {
	in := &StartExecutionInput{StateMachineArn: &machineARN, Input: ptr(string(input))}
	if traceHeader != "" {
		in.TraceHeader = &traceHeader
	}
	_, err := s.startExecution(ctx, in)
	return err
}
