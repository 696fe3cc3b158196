package scheduler

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/virga/virga/internal/schedexpr"
)

// Defaults and limits of a schedule's definition.
const (
	// defaultGroup is the group schedules go to when they name none; it
	// always exists and cannot be deleted.
	defaultGroup = "default"
	// defaultTimezone: "The timezone in which the scheduling expression
	// is evaluated", UTC unless given.
	defaultTimezone = "UTC"
	// defaultMaxEventAge and defaultMaxRetries are the retry policy of a
	// target that sets none: 24 hours and 185 retries, the model's maxima.
	defaultMaxEventAge = 86400
	defaultMaxRetries  = 185
	// startDateSlack: "The StartDate you specify cannot be earlier than 5
	// minutes ago."
	startDateSlack = 5 * time.Minute
	// stateEnabled and stateDisabled are a schedule's states.
	stateEnabled  = "ENABLED"
	stateDisabled = "DISABLED"
	// actionNone and actionDelete are the values of ActionAfterCompletion.
	actionNone   = "NONE"
	actionDelete = "DELETE"
)

// definition is what CreateSchedule and UpdateSchedule both send: the
// whole schedule, which UpdateSchedule replaces.
type definition struct {
	Expression, Timezone          *string
	StartDate, EndDate            *time.Time
	State                         *ScheduleState
	Window                        *FlexibleTimeWindow
	Target                        *Target
	ActionAfterCompletion         *ActionAfterCompletion
	Description, KmsKeyArn, Token *string
}

func (in *CreateScheduleInput) definition() definition {
	return definition{in.ScheduleExpression, in.ScheduleExpressionTimezone, in.StartDate, in.EndDate, in.State,
		in.FlexibleTimeWindow, in.Target, in.ActionAfterCompletion, in.Description, in.KmsKeyArn, in.ClientToken}
}

func (in *UpdateScheduleInput) definition() definition {
	return definition{in.ScheduleExpression, in.ScheduleExpressionTimezone, in.StartDate, in.EndDate, in.State,
		in.FlexibleTimeWindow, in.Target, in.ActionAfterCompletion, in.Description, in.KmsKeyArn, in.ClientToken}
}

// loadLocation loads a ScheduleExpressionTimezone: an IANA time zone name
// such as "America/New_York", or "UTC". "Local", which time.LoadLocation
// would read as the host's zone, is not a time zone name.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, invalid("Invalid ScheduleExpressionTimezone %s.", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid("Invalid ScheduleExpressionTimezone %s.", name)
	}
	return loc, nil
}

// record checks a schedule's definition and returns it as stored, with
// Scheduler's defaults. The model's constraints (lengths, ranges,
// patterns, enums, required members) were checked before; this checks
// the rules that span members, and the expression. now is the time of
// the call, which is also the schedule's modification time.
func (d definition) record(group, name string, now time.Time) (*scheduleRecord, error) {
	r := &scheduleRecord{
		Group: group, Name: name, Expression: *d.Expression, Timezone: defaultTimezone,
		State: stateEnabled, ActionAfterCompletion: actionNone,
		Description: d.Description, Created: now, Modified: now,
	}
	if d.Timezone != nil {
		r.Timezone = *d.Timezone
	}
	loc, err := loadLocation(r.Timezone)
	if err != nil {
		return nil, err
	}
	expr, err := schedexpr.Parse(r.Expression, schedexpr.Options{Dialect: schedexpr.DialectScheduler, Location: loc})
	if err != nil {
		return nil, ErrValidation.WithMessage(err.Error())
	}
	if expr.Kind() != schedexpr.KindAt {
		// One-time schedules ignore their dates; recurring ones are
		// bounded by them.
		if d.StartDate != nil && d.StartDate.Before(now.Add(-startDateSlack)) {
			return nil, invalid("The StartDate you specify cannot be earlier than 5 minutes ago.")
		}
		if d.StartDate != nil && d.EndDate != nil && !d.EndDate.After(*d.StartDate) {
			return nil, invalid("The EndDate you specify must be after the StartDate.")
		}
	}
	r.StartDate, r.EndDate = utcPtr(d.StartDate), utcPtr(d.EndDate)
	if d.State != nil {
		r.State = string(*d.State)
	}
	if d.ActionAfterCompletion != nil {
		r.ActionAfterCompletion = string(*d.ActionAfterCompletion)
	}
	if d.KmsKeyArn != nil {
		r.KmsKeyArn = *d.KmsKeyArn
	}
	if d.Token != nil {
		r.ClientToken = *d.Token
	}
	if r.FlexibleMinutes, err = flexibleMinutes(d.Window); err != nil {
		return nil, err
	}
	if r.Target, err = targetOf(d.Target); err != nil {
		return nil, err
	}
	return r, nil
}

// flexibleMinutes checks a FlexibleTimeWindow and returns its window: 0
// for Mode OFF.
func flexibleMinutes(w *FlexibleTimeWindow) (int32, error) {
	switch *w.Mode {
	case "FLEXIBLE":
		if w.MaximumWindowInMinutes == nil {
			return 0, invalid("MaximumWindowInMinutes is required when the FlexibleTimeWindow Mode is FLEXIBLE.")
		}
		return *w.MaximumWindowInMinutes, nil
	default: // OFF; the enum allows nothing else
		if w.MaximumWindowInMinutes != nil {
			return 0, invalid("MaximumWindowInMinutes must not be set when the FlexibleTimeWindow Mode is OFF.")
		}
		return 0, nil
	}
}

// targetOf checks a target and returns it as stored.
func targetOf(t *Target) (targetRecord, error) {
	r := targetRecord{Arn: *t.Arn, RoleArn: *t.RoleArn, Input: t.Input,
		MaxEventAgeSeconds: defaultMaxEventAge, MaxRetryAttempts: defaultMaxRetries}
	kind, err := classifyTarget(r.Arn)
	if err != nil {
		return targetRecord{}, err
	}
	if kind == kindUniversal && t.Input != nil {
		var params map[string]any
		if json.Unmarshal([]byte(*t.Input), &params) != nil || params == nil {
			return targetRecord{}, invalid("The Input of universal target %s must be a JSON object of the request parameters of its API action.", r.Arn)
		}
	}
	if t.SageMakerPipelineParameters != nil {
		return targetRecord{}, invalid("Target %s does not take SageMakerPipelineParameters.", r.Arn)
	}
	switch p := t.EcsParameters; {
	case kind == kindECS && p == nil:
		return targetRecord{}, invalid("EcsParameters are required for an Amazon ECS target.")
	case kind != kindECS && p != nil:
		return targetRecord{}, invalid("EcsParameters are only valid for an Amazon ECS target.")
	case p != nil:
		r.Ecs = p
	}
	switch p := t.KinesisParameters; {
	case kind == kindKinesis && p == nil:
		return targetRecord{}, invalid("KinesisParameters are required for a Kinesis data stream target.")
	case kind != kindKinesis && p != nil:
		return targetRecord{}, invalid("KinesisParameters are only valid for a Kinesis data stream target.")
	case p != nil:
		r.PartitionKey = *p.PartitionKey
	}
	if t.SqsParameters != nil {
		if kind != kindSQS {
			return targetRecord{}, invalid("SqsParameters are only valid for an Amazon SQS target.")
		}
		if t.SqsParameters.MessageGroupId != nil {
			r.MessageGroupID = *t.SqsParameters.MessageGroupId
		}
	}
	if kind == kindSQS && strings.HasSuffix(r.Arn, ".fifo") && r.MessageGroupID == "" {
		return targetRecord{}, invalid("MessageGroupId is required in SqsParameters for the FIFO queue %s.", r.Arn)
	}
	switch p := t.EventBridgeParameters; {
	case kind == kindEventBus && p == nil:
		return targetRecord{}, invalid("EventBridgeParameters are required for an EventBridge event bus target.")
	case kind != kindEventBus && p != nil:
		return targetRecord{}, invalid("EventBridgeParameters are only valid for an EventBridge event bus target.")
	case p != nil:
		// The model's pattern also forbids AWS's own sources, with a
		// look-ahead Go's regular expressions cannot express.
		if strings.HasPrefix(*p.Source, "aws.") {
			return targetRecord{}, violation(quoted(*p.Source), "target.eventBridgeParameters.source",
				"Member must not start with 'aws.'")
		}
		r.DetailType, r.Source = *p.DetailType, *p.Source
	}
	if t.RetryPolicy != nil {
		if v := t.RetryPolicy.MaximumEventAgeInSeconds; v != nil {
			r.MaxEventAgeSeconds = *v
		}
		if v := t.RetryPolicy.MaximumRetryAttempts; v != nil {
			r.MaxRetryAttempts = *v
		}
	}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != nil {
		r.DeadLetterArn = *t.DeadLetterConfig.Arn
	}
	return r, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// output renders a stored schedule as GetSchedule answers it.
func (r *scheduleRecord) output(arn string) *GetScheduleOutput {
	out := &GetScheduleOutput{
		Arn: &arn, Name: ptr(r.Name), GroupName: ptr(r.Group),
		ScheduleExpression: ptr(r.Expression), ScheduleExpressionTimezone: ptr(r.Timezone),
		StartDate: r.StartDate, EndDate: r.EndDate, Description: r.Description,
		State:                 (*ScheduleState)(ptr(r.State)),
		ActionAfterCompletion: (*ActionAfterCompletion)(ptr(r.ActionAfterCompletion)),
		CreationDate:          ptr(r.Created), LastModificationDate: ptr(r.Modified),
		Target: r.Target.output(),
	}
	if r.KmsKeyArn != "" {
		out.KmsKeyArn = ptr(r.KmsKeyArn)
	}
	out.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("OFF"))}
	if r.FlexibleMinutes > 0 {
		out.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("FLEXIBLE")),
			MaximumWindowInMinutes: ptr(r.FlexibleMinutes)}
	}
	return out
}

// output renders a stored target as GetSchedule answers it.
func (t targetRecord) output() *Target {
	out := &Target{Arn: ptr(t.Arn), RoleArn: ptr(t.RoleArn), Input: t.Input,
		RetryPolicy: &RetryPolicy{MaximumEventAgeInSeconds: ptr(t.MaxEventAgeSeconds), MaximumRetryAttempts: ptr(t.MaxRetryAttempts)}}
	if t.DeadLetterArn != "" {
		out.DeadLetterConfig = &DeadLetterConfig{Arn: ptr(t.DeadLetterArn)}
	}
	if t.PartitionKey != "" {
		out.KinesisParameters = &KinesisParameters{PartitionKey: ptr(t.PartitionKey)}
	}
	if t.MessageGroupID != "" {
		out.SqsParameters = &SqsParameters{MessageGroupId: ptr(t.MessageGroupID)}
	}
	out.EcsParameters = t.Ecs
	if t.Source != "" {
		out.EventBridgeParameters = &EventBridgeParameters{DetailType: ptr(t.DetailType), Source: ptr(t.Source)}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// quoted renders a value as validation messages show it.
func quoted(s string) string { return "'" + s + "'" }
