package providers

import (
	"context"
	"fmt"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::CloudWatch::Alarm",
		Provider:     metricAlarm{},
		Replace:      []string{"AlarmName"},
		NameProperty: "AlarmName",
		Attributes:   []string{"Arn"},
		Tags:         resource.TagList,
	})
	resource.Register(&resource.Type{
		Name:         "AWS::CloudWatch::Dashboard",
		Required:     []string{"DashboardBody"},
		Provider:     dashboard{},
		Replace:      []string{"DashboardName"},
		NameProperty: "DashboardName",
		Attributes:   []string{},
	})
}

// maxAlarmName is CloudWatch's limit on an alarm's name.
const maxAlarmName = 255

// metricAlarm is AWS::CloudWatch::Alarm: PutMetricAlarm, which creates
// the alarm and, given its whole configuration again, updates it in
// place; tags change through TagResource and UntagResource. Its physical
// ID and Ref are its name; GetAtt Arn is DescribeAlarms' AlarmArn.
type metricAlarm struct{}

var metricAlarmKinds = map[string]kind{
	"Period": number, "EvaluationPeriods": number, "DatapointsToAlarm": number, "Threshold": number,
	"ActionsEnabled": boolean, "ReturnData": boolean,
}

// metricAlarmMembers are the properties PutMetricAlarm takes as they are.
var metricAlarmMembers = []string{
	"AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
	"MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
	"EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
	"EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId",
}

func putMetricAlarm(ctx context.Context, r *resource.Request, p props, name string, withTags bool) (*resource.Result, error) {
	in := p.pick(map[string]any{"AlarmName": name}, metricAlarmMembers...)
	if tags := tagMap(p["Tags"]); withTags && len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	if _, err := call(ctx, r, "monitoring", "PutMetricAlarm", in); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "monitoring", "DescribeAlarms", map[string]any{"AlarmNames": []any{name}})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err // made: the rollback deletes it
	}
	for _, a := range props(out).list("MetricAlarms") {
		if m := props(asMap(a)); m.str("AlarmName") == name {
			return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": m.str("AlarmArn")}}, nil
		}
	}
	return nil, fmt.Errorf("AWS::CloudWatch::Alarm: alarm %s not found after PutMetricAlarm", name)
}

func (metricAlarm) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, metricAlarmKinds)
	name := p.str("AlarmName")
	if name == "" {
		name = physicalName(r, maxAlarmName)
	}
	look := lookup{service: "monitoring", op: "DescribeAlarms", in: map[string]any{"AlarmNames": []any{name}},
		found: func(out props) bool { return len(out.list("MetricAlarms")) > 0 || len(out.list("CompositeAlarms")) > 0 }}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	return putMetricAlarm(ctx, r, p, name, true)
}

func (metricAlarm) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, metricAlarmKinds)
	res, err := putMetricAlarm(ctx, r, p, r.PhysicalID, false)
	if err != nil {
		return nil, err
	}
	arn := res.Attributes["Arn"]
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "monitoring", "UntagResource", map[string]any{"ResourceARN": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "monitoring", "TagResource", map[string]any{"ResourceARN": arn, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (metricAlarm) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "monitoring", "DeleteAlarms", map[string]any{"AlarmNames": []any{r.PhysicalID}})
	return ignoreGone(err)
}

// maxDashboardName is CloudWatch's limit on a dashboard's name.
const maxDashboardName = 255

// dashboard is AWS::CloudWatch::Dashboard: PutDashboard, which creates
// the dashboard and, given its body again, replaces it in place. Its
// physical ID and Ref are its name.
type dashboard struct{}

func putDashboard(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	p := props(r.Properties)
	if _, err := call(ctx, r, "monitoring", "PutDashboard", map[string]any{"DashboardName": name, "DashboardBody": p.str("DashboardBody")}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (dashboard) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(r.Properties).str("DashboardName")
	if name == "" {
		name = physicalName(r, maxDashboardName)
	}
	look := lookup{service: "monitoring", op: "GetDashboard", in: map[string]any{"DashboardName": name}}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	return putDashboard(ctx, r, name)
}

func (dashboard) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return putDashboard(ctx, r, r.PhysicalID)
}

func (dashboard) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "monitoring", "DeleteDashboards", map[string]any{"DashboardNames": []any{r.PhysicalID}})
	return ignoreGone(err)
}
