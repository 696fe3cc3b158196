package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::Logs::MetricFilter",
		Required:     []string{"FilterPattern", "LogGroupName", "MetricTransformations"},
		Provider:     metricFilter{},
		Replace:      []string{"FilterName", "LogGroupName"},
		NameProperty: "FilterName",
		Attributes:   []string{},
	})
}

// metricFilter is AWS::Logs::MetricFilter: PutMetricFilter, which also
// updates a filter of the same name in place; DeleteMetricFilter. Its
// physical ID and Ref are the filter's name (generated,
// STACK-LOGICALID-RANDOM, when FilterName is absent). The template's
// MetricTransformations carry Dimensions as a list of Key, Value pairs,
// which the API takes as a map. EmitSystemFieldDimensions and
// FieldSelectionCriteria are ignored.
type metricFilter struct{}

var metricFilterKinds = map[string]kind{"ApplyOnTransformedLogs": boolean, "DefaultValue": number}

func (metricFilter) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, metricFilterKinds)
	name := p.str("FilterName")
	if name == "" {
		name = physicalName(r, maxFilterName)
	}
	look := lookup{service: "logs", op: "DescribeMetricFilters",
		in:    map[string]any{"logGroupName": p.str("LogGroupName"), "filterNamePrefix": name},
		found: listing("metricFilters", "filterName", name)}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	return putMetricFilter(ctx, r, name, p)
}

func (metricFilter) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, metricFilterKinds)
	return putMetricFilter(ctx, r, r.PhysicalID, p)
}

func putMetricFilter(ctx context.Context, r *resource.Request, name string, p props) (*resource.Result, error) {
	var ts []any
	for _, raw := range p.list("MetricTransformations") {
		t, _ := raw.(map[string]any)
		tp := props(t)
		out := map[string]any{
			"metricName": tp.str("MetricName"), "metricNamespace": tp.str("MetricNamespace"), "metricValue": tp.str("MetricValue"),
		}
		if v, ok := t["DefaultValue"]; ok && v != nil {
			out["defaultValue"] = v
		}
		if u := tp.str("Unit"); u != "" {
			out["unit"] = u
		}
		if ds := tp.list("Dimensions"); len(ds) > 0 {
			m := map[string]any{}
			for _, d := range ds {
				dm, _ := d.(map[string]any)
				dp := props(dm)
				m[dp.str("Key")] = dp.str("Value")
			}
			out["dimensions"] = m
		}
		ts = append(ts, out)
	}
	in := map[string]any{
		"logGroupName": p.str("LogGroupName"), "filterName": name,
		"filterPattern": p.str("FilterPattern"), "metricTransformations": ts,
	}
	if v, ok := p["ApplyOnTransformedLogs"]; ok && v != nil {
		in["applyOnTransformedLogs"] = v
	}
	if _, err := call(ctx, r, "logs", "PutMetricFilter", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (metricFilter) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, "logs", "DeleteMetricFilter", map[string]any{"logGroupName": p.str("LogGroupName"), "filterName": r.PhysicalID})
	return ignoreGone(err)
}
