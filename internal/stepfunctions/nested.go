package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/stepfunctions/asl"
)

// startChild is the optimized integration states:startExecution: it
// starts an execution of StateMachineArn (Input, Name) and, with .sync
// or .sync:2, waits for it to end. Request Response answers
// StartExecution's response; .sync answers the child's description with
// Input and Output as JSON text, .sync:2 with them as JSON. A child that
// does not succeed fails the task with States.TaskFailed and its
// description as the cause. A task that stops waiting (its execution
// was stopped, or it timed out) stops the child.
func (x *execEnv) startChild(ctx context.Context, c *asl.TaskCall, pattern string) (any, error) {
	params, ok := c.Input.(map[string]any)
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "The parameters of " + c.Resource + " must be a JSON object"}
	}
	in := &StartExecutionInput{}
	if v, ok := params["StateMachineArn"].(string); ok {
		in.StateMachineArn = &v
	}
	if v, ok := params["Name"].(string); ok {
		in.Name = &v
	}
	switch v := params["Input"].(type) {
	case nil:
	case string:
		in.Input = &v
	default:
		in.Input = ptr(asl.Encode(v))
	}
	if in.StateMachineArn != nil {
		if err := x.authorizeStart(ctx, *in.StateMachineArn); err != nil {
			return nil, err
		}
	}
	out, r, err := x.s.startRun(in)
	if err != nil {
		if out = x.adopt(in, err); out == nil {
			return nil, stepFunctionsError(err, x.s.ids.UUID())
		}
	}
	requestID := x.s.ids.UUID()
	started := map[string]any{
		"ExecutionArn": *out.ExecutionArn,
		"StartDate":    json.Number(fmt.Sprint(out.StartDate.UnixMilli())),
		"SdkHttpMetadata": map[string]any{
			"HttpHeaders":    map[string]any{"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestID},
			"HttpStatusCode": json.Number("200"),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": requestID},
	}
	if pattern != "sync" && pattern != "sync:2" {
		return started, nil
	}
	c.Submitted(started)
	e, err := x.waitChild(ctx, *out.ExecutionArn, r)
	if err != nil {
		return nil, err
	}
	desc := childDescription(e, pattern == "sync:2")
	if e.Status != "SUCCEEDED" {
		return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: asl.Encode(desc)}
	}
	return desc, nil
}

// adopt answers, for an execution resumed after a restart whose task
// runs again, the child of that name it had started before: one with
// the same input started since the parent started. Otherwise nil.
func (x *execEnv) adopt(in *StartExecutionInput, err error) *StartExecutionOutput {
	if ae := apierr.As(err); ae == nil || ae.Code != "ExecutionAlreadyExists" || !x.r.resumed || in.Name == nil {
		return nil
	}
	name, _, ok := qualifiedName(deref(in.StateMachineArn))
	if !ok {
		return nil
	}
	e, err := x.s.loadExecution(name, *in.Name)
	input := "{}"
	if in.Input != nil {
		input = *in.Input
	}
	if err != nil || e == nil || e.Input != input || e.Start.Before(x.r.exec.Start) {
		return nil
	}
	return &StartExecutionOutput{ExecutionArn: &e.ARN, StartDate: &e.Start}
}

// waitChild waits for a child execution to end and returns its record.
// Its run is r when the start registered one; else (a same request
// found it, or virga is resuming it) it is looked for until it ends.
func (x *execEnv) waitChild(ctx context.Context, arn string, r *run) (*execution, error) {
	for {
		if r == nil {
			x.s.mu.Lock()
			r = x.s.running[arn]
			x.s.mu.Unlock()
		}
		if r != nil {
			select {
			case <-r.done:
			case <-ctx.Done():
				// virga stopping leaves the child to resume; anything
				// else ending the task stops it.
				if x.s.base.Err() == nil {
					r.abort(x.s, "", "")
				}
				return nil, ctx.Err()
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// Its record, also for an express child, which the store
			// lacks.
			r.mu.Lock()
			c := *r.exec
			r.mu.Unlock()
			return &c, nil
		}
		e, err := x.s.executionByARN(arn)
		if err != nil {
			return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: err.Error()}
		}
		if e.Status != "RUNNING" {
			return e, nil
		}
		// RUNNING without a run: virga is about to resume it.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// childDescription is a .sync task's output: the child execution as
// DescribeExecution gives it, in the integration's capitalized names.
func childDescription(e *execution, parsed bool) map[string]any {
	data := func(text string) any {
		if !parsed {
			return text
		}
		v, err := asl.Decode([]byte(text))
		if err != nil {
			return text
		}
		return v
	}
	d := map[string]any{
		"ExecutionArn":    e.ARN,
		"StateMachineArn": e.MachineARN,
		"Name":            e.Name,
		"Status":          e.Status,
		"StartDate":       json.Number(fmt.Sprint(e.Start.UnixMilli())),
		"Input":           data(e.Input),
		"InputDetails":    map[string]any{"Included": true},
	}
	if !e.Stop.IsZero() {
		d["StopDate"] = json.Number(fmt.Sprint(e.Stop.UnixMilli()))
	}
	if e.Output != nil {
		d["Output"] = data(*e.Output)
		d["OutputDetails"] = map[string]any{"Included": true}
	}
	if e.Error != nil {
		d["Error"] = *e.Error
	}
	if e.Cause != nil {
		d["Cause"] = *e.Cause
	}
	if e.VersionARN != "" {
		d["StateMachineVersionArn"] = e.VersionARN
	}
	if e.AliasARN != "" {
		d["StateMachineAliasArn"] = e.AliasARN
	}
	return d
}

// stepFunctionsError names a StartExecution error as the integration
// does: StepFunctions.CODEException (StepFunctions.CODE for a code that
// ends in Exception), with the service's message and
// the request's details as the cause.
func stepFunctionsError(err error, requestID string) error {
	ae := apierr.As(err)
	if ae == nil {
		return &asl.Failure{Name: "StepFunctions.SdkClientException", Cause: err.Error()}
	}
	// Codes such as ValidationException already end in Exception.
	name := ae.Code
	if !strings.HasSuffix(name, "Exception") {
		name += "Exception"
	}
	return &asl.Failure{Name: "StepFunctions." + name,
		Cause: fmt.Sprintf("%s (Service: AWSStepFunctions; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)", ae.Message, ae.Status, ae.Code, requestID)}
}
