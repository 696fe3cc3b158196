package stepfunctions

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/virga/virga/internal/deliver"
)

// Events puts AWS service events on an EventBridge event bus.
type Events interface {
	Deliver(ctx context.Context, arn string, m deliver.Message) error
}

// A standard execution's status changes (it starts, is redriven,
// succeeds, fails, times out or is aborted) go to the account's default
// event bus as "Step Functions Execution Status Change" events from
// aws.states, as AWS sends them; express executions send none. The
// events are queued in order as the history records the change, and
// Run sends them outside the service's locks (a rule's target may be a
// state machine of this service). Delivery is best effort, as on AWS:
// an event queued when virga stops is not sent.
const (
	statusEventSource     = "aws.states"
	statusEventDetailType = "Step Functions Execution Status Change"
	// maxStatusPayload bounds the event's input and output: "If the
	// combined escaped input and escaped output sent to EventBridge
	// exceeds 248KB, then the input will be excluded. Similarly, if the
	// escaped output exceeds 248KB, then the output will be excluded."
	maxStatusPayload = 248 * 1024
)

// statusEventTypes are the history events that change an execution's
// status.
var statusEventTypes = map[string]bool{"ExecutionStarted": true, "ExecutionRedriven": true,
	"ExecutionSucceeded": true, "ExecutionFailed": true, "ExecutionTimedOut": true, "ExecutionAborted": true}

// statusDetail is the detail of a status change event. Dates are epoch
// milliseconds; fields without a value are null, as AWS sends them.
type statusDetail struct {
	ExecutionArn        string        `json:"executionArn"`
	StateMachineArn     string        `json:"stateMachineArn"`
	Name                string        `json:"name"`
	Status              string        `json:"status"`
	StartDate           int64         `json:"startDate"`
	StopDate            *int64        `json:"stopDate"`
	Input               *string       `json:"input"`
	InputDetails        *dataIncluded `json:"inputDetails"`
	Output              *string       `json:"output"`
	OutputDetails       *dataIncluded `json:"outputDetails"`
	Error               *string       `json:"error"`
	Cause               *string       `json:"cause"`
	RedriveCount        int32         `json:"redriveCount"`
	RedriveDate         *int64        `json:"redriveDate"`
	RedriveStatus       string        `json:"redriveStatus"`
	RedriveStatusReason *string       `json:"redriveStatusReason"`
}

// dataIncluded says whether an input or output is in the event.
type dataIncluded struct {
	Included bool `json:"included"`
}

// statusEvent is a queued status change event.
type statusEvent struct {
	execution string
	detail    []byte
}

// queueStatus queues the status change event for e's status now, when
// ev changed it; the run's lock is held, so e is consistent.
func (s *Service) queueStatus(e *execution, ev event) {
	if e.Express || s.events == nil || !statusEventTypes[ev.Type] {
		return
	}
	d := statusDetail{ExecutionArn: e.ARN, StateMachineArn: e.MachineARN, Name: e.Name, Status: e.Status,
		StartDate: e.Start.UnixMilli(), Error: e.Error, Cause: e.Cause, RedriveCount: e.RedriveCount}
	if !e.Stop.IsZero() {
		d.StopDate = ptr(e.Stop.UnixMilli())
	}
	if !e.RedriveDate.IsZero() {
		d.RedriveDate = ptr(e.RedriveDate.UnixMilli())
	}
	status, reason := s.redriveStatus(e)
	d.RedriveStatus, d.RedriveStatusReason = status, optional(reason)
	in, out := escapedLen(e.Input), 0
	if e.Output != nil {
		out = escapedLen(*e.Output)
	}
	d.InputDetails = &dataIncluded{Included: in+out <= maxStatusPayload}
	if d.InputDetails.Included {
		d.Input = &e.Input
	}
	if e.Output != nil {
		d.OutputDetails = &dataIncluded{Included: out <= maxStatusPayload}
		if d.OutputDetails.Included {
			d.Output = e.Output
		}
	}
	detail, err := json.Marshal(d)
	if err != nil {
		return
	}
	s.statusMu.Lock()
	s.statusQueue = append(s.statusQueue, statusEvent{execution: e.ARN, detail: detail})
	s.statusMu.Unlock()
	select {
	case s.statusWake <- struct{}{}:
	default:
	}
}

// escapedLen is the length of a string escaped as a JSON string.
func escapedLen(v string) int {
	b, _ := json.Marshal(v)
	return len(b)
}

// sendStatusEvents sends the queued status change events, in order,
// until ctx ends.
func (s *Service) sendStatusEvents(ctx context.Context, log *slog.Logger) {
	bus := "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default"
	for {
		s.statusMu.Lock()
		queue := s.statusQueue
		s.statusQueue = nil
		s.statusMu.Unlock()
		for _, q := range queue {
			if err := s.events.Deliver(ctx, bus, deliver.Message{Body: q.detail, Source: statusEventSource,
				DetailType: statusEventDetailType, Resources: []string{q.execution}}); err != nil && log != nil {
				log.Warn("stepfunctions: putting an execution status change on the default bus", "execution", q.execution, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.statusWake:
		}
	}
}
