package providers

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Scheduler::Schedule",
		Required: []string{"FlexibleTimeWindow", "ScheduleExpression", "Target"},
		Provider: schedule{},
		// AWS updates GroupName in place; virga's UpdateSchedule, like
		// AWS's, finds the schedule by name in its group and cannot move
		// it, so a new group means a new schedule.
		Replace:      []string{"Name", "GroupName"},
		NameProperty: "Name",
		Attributes:   []string{"Arn"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::Scheduler::ScheduleGroup",
		Provider:     scheduleGroup{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Arn", "CreationDate", "LastModificationDate", "State"},
		Tags:         resource.TagList,
	})
}

// schedule is AWS::Scheduler::Schedule: CreateSchedule and
// UpdateSchedule (which takes the whole schedule). Its physical ID and
// Ref are its name.
type schedule struct{}

var scheduleKinds = map[string]kind{
	"MaximumWindowInMinutes": number, "MaximumEventAgeInSeconds": number, "MaximumRetryAttempts": number,
	"TaskCount": number, "Base": number, "Weight": number,
	"EnableECSManagedTags": boolean, "EnableExecuteCommand": boolean,
}

// scheduleInput is CreateSchedule's and UpdateSchedule's input for a
// schedule's properties.
func scheduleInput(name string, p props) map[string]any {
	in := p.pick(map[string]any{"Name": name},
		"GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "Description", "State", "KmsKeyArn",
		"FlexibleTimeWindow", "Target", "ActionAfterCompletion")
	if ecs := props(asMap(p["Target"])).obj("EcsParameters"); ecs != nil && ecs.has("NetworkConfiguration") {
		target := maps.Clone(asMap(p["Target"]))
		e := maps.Clone(map[string]any(ecs))
		e["NetworkConfiguration"] = ecsNetworkConfiguration(e["NetworkConfiguration"])
		target["EcsParameters"] = e
		in["Target"] = target
	}
	// CloudFormation takes dates as ISO 8601 text; the API, as seconds.
	for _, k := range []string{"StartDate", "EndDate"} {
		if p.has(k) {
			in[k] = epochSeconds(p.str(k))
		}
	}
	return in
}

// epochSeconds is an ISO 8601 date-time as seconds since the epoch, or
// the text itself, for the API to refuse, when it is not one.
func epochSeconds(s string) any {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
}

func (schedule) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, scheduleKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxScheduleName)
	}
	out, err := call(ctx, r, "scheduler", "CreateSchedule", scheduleInput(name, p))
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": outStr(out, "ScheduleArn")}}, nil
}

func (schedule) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, scheduleKinds)
	out, err := call(ctx, r, "scheduler", "UpdateSchedule", scheduleInput(r.PhysicalID, p))
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": outStr(out, "ScheduleArn")}}, nil
}

func (schedule) Delete(ctx context.Context, r *resource.Request) error {
	in := props(r.Properties).pick(map[string]any{"Name": r.PhysicalID}, "GroupName")
	_, err := call(ctx, r, "scheduler", "DeleteSchedule", in)
	return ignoreGone(err)
}

// scheduleGroup is AWS::Scheduler::ScheduleGroup: CreateScheduleGroup,
// with the tagging operations for updates. Its physical ID and Ref are
// its name.
type scheduleGroup struct{}

func (scheduleGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxScheduleName)
	}
	in := map[string]any{"Name": name}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	if _, err := call(ctx, r, "scheduler", "CreateScheduleGroup", in); err != nil {
		return nil, err
	}
	return scheduleGroupResult(ctx, r, name)
}

func scheduleGroupResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "scheduler", "GetScheduleGroup", map[string]any{"Name": name})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err // made: the rollback deletes it
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn":                  outStr(out, "Arn"),
		"State":                outStr(out, "State"),
		"CreationDate":         isoDate(out["CreationDate"]),
		"LastModificationDate": isoDate(out["LastModificationDate"]),
	}}, nil
}

// isoDate is a timestamp of an output (seconds since the epoch) as ISO
// 8601 text, as CloudFormation gives dates.
func isoDate(v any) string {
	s, _ := text(v)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return time.UnixMilli(int64(f * 1000)).UTC().Format(time.RFC3339Nano)
}

func (scheduleGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	arn, _ := r.Attributes["Arn"].(string)
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "scheduler", "UntagResource", map[string]any{"ResourceArn": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "scheduler", "TagResource", map[string]any{"ResourceArn": arn, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	return scheduleGroupResult(ctx, r, r.PhysicalID)
}

func (scheduleGroup) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "scheduler", "DeleteScheduleGroup", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}
