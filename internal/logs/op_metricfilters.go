package logs

import (
	"context"
	"sort"
	"strconv"
	"strings"
)

// Errors of the metric filter operations. AWS answers an unparsable
// pattern as PutSubscriptionFilter does.
var (
	errInvalidPattern     = ErrInvalidParameter.WithMessage("Invalid filter pattern")
	errMetricFilterAbsent = ErrResourceNotFound.WithMessage("The specified metric filter does not exist.")
)

func (s *Service) putMetricFilter(ctx context.Context, in *PutMetricFilterRequest) (*noOutput, error) {
	g, name := *in.LogGroupName, *in.FilterName
	pat, err := ParseFilterPattern(*in.FilterPattern)
	if err != nil {
		return nil, errInvalidPattern
	}
	t := in.MetricTransformations[0]
	f := &metricFilter{
		Name: name, Pattern: *in.FilterPattern, MetricName: *t.MetricName, Namespace: *t.MetricNamespace,
		Value: strings.TrimSpace(*t.MetricValue), Default: t.DefaultValue, Dimensions: t.Dimensions,
		Created: s.clock.Now().UnixMilli(), OnTransformed: deref(in.ApplyOnTransformedLogs), parsed: pat,
	}
	if t.Unit != nil {
		f.Unit = string(*t.Unit)
	}
	if err := validateTransformation(f); err != nil {
		return nil, err
	}
	f.sortDimensions()

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	fs := s.mfs[g]
	next := make([]*metricFilter, 0, len(fs)+1)
	for _, old := range fs {
		if old.Name != name {
			next = append(next, old)
		}
	}
	if len(next) == len(fs) && len(fs) >= maxMetricFilters {
		return nil, ErrLimitExceeded.WithMessage("Resource limit exceeded.")
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, metricFilterKey(g, name), f); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	next = append(next, f)
	sort.Slice(next, func(i, j int) bool { return next[i].Name < next[j].Name })
	s.mfs[g] = next
	return &noOutput{}, nil
}

// validateTransformation checks a metric transformation against its
// pattern: metricValue is a number or a field the pattern can yield;
// dimensions (at most three) only with JSON and space-delimited
// patterns, each a field reference, and never with a default value.
func validateTransformation(f *metricFilter) error {
	if fieldRef(f.Value) {
		if !checkFieldRef(f.parsed, f.Value) {
			return ErrInvalidParameter.WithMessage("Invalid metric value: " + f.Value + " is not a field of the filter pattern.")
		}
	} else if _, err := strconv.ParseFloat(f.Value, 64); err != nil {
		return ErrInvalidParameter.WithMessage("Invalid metric value: " + f.Value + " is neither a number nor a field reference.")
	}
	if len(f.Dimensions) == 0 {
		return nil
	}
	if len(f.Dimensions) > maxFilterDimensions {
		return ErrInvalidParameter.WithMessage("A metric filter can have at most 3 dimensions.")
	}
	if f.parsed.json == nil && f.parsed.delimited == nil {
		return ErrInvalidParameter.WithMessage("Dimensions are supported only for JSON and space-delimited filter patterns.")
	}
	if f.Default != nil {
		return ErrInvalidParameter.WithMessage("A metric filter with dimensions cannot have a default value.")
	}
	for k, v := range f.Dimensions {
		if k == "" || strings.HasPrefix(k, ":") || len(k) > 255 {
			return ErrInvalidParameter.WithMessage("Invalid dimension name: " + k)
		}
		if !checkFieldRef(f.parsed, v) {
			return ErrInvalidParameter.WithMessage("Invalid dimension value: " + v + " is not a field of the filter pattern.")
		}
	}
	return nil
}

func (s *Service) describeMetricFilters(ctx context.Context, in *DescribeMetricFiltersRequest) (*DescribeMetricFiltersResponse, error) {
	name, ns := deref(in.MetricName), deref(in.MetricNamespace)
	if name != "" && ns == "" {
		return nil, ErrInvalidParameter.WithMessage("metricNamespace is required when metricName is given.")
	}
	type entry struct {
		group string
		f     *metricFilter
	}
	var all []entry
	s.mu.Lock()
	if in.LogGroupName != nil {
		if _, err := s.group(*in.LogGroupName); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		for _, f := range s.mfs[*in.LogGroupName] {
			if strings.HasPrefix(f.Name, deref(in.FilterNamePrefix)) {
				all = append(all, entry{*in.LogGroupName, f})
			}
		}
	} else {
		// The name prefix applies only with a log group.
		for g, fs := range s.mfs {
			for _, f := range fs {
				all = append(all, entry{g, f})
			}
		}
	}
	s.mu.Unlock()
	kept := all[:0]
	for _, e := range all {
		if (ns == "" || e.f.Namespace == ns) && (name == "" || e.f.MetricName == name) {
			kept = append(kept, e)
		}
	}
	all = kept
	sort.Slice(all, func(i, j int) bool {
		if all[i].group != all[j].group {
			return all[i].group < all[j].group
		}
		return all[i].f.Name < all[j].f.Name
	})
	start, err := offsetToken(in.NextToken, len(all))
	if err != nil {
		return nil, err
	}
	limit := maxMetricFiltersList
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &DescribeMetricFiltersResponse{MetricFilters: []MetricFilter{}}
	i := start
	for ; i < len(all) && len(out.MetricFilters) < limit; i++ {
		f := all[i].f
		t := MetricTransformation{MetricName: ptr(f.MetricName), MetricNamespace: ptr(f.Namespace),
			MetricValue: ptr(f.Value), DefaultValue: f.Default, Dimensions: f.Dimensions}
		if f.Unit != "" {
			t.Unit = ptr(StandardUnit(f.Unit))
		}
		out.MetricFilters = append(out.MetricFilters, MetricFilter{
			FilterName: ptr(f.Name), FilterPattern: ptr(f.Pattern), LogGroupName: ptr(all[i].group),
			CreationTime: ptr(f.Created), MetricTransformations: []MetricTransformation{t},
			ApplyOnTransformedLogs: ptr(f.OnTransformed),
		})
	}
	if i < len(all) {
		out.NextToken = ptr(strconv.Itoa(i))
	}
	return out, nil
}

func (s *Service) deleteMetricFilter(ctx context.Context, in *DeleteMetricFilterRequest) (*noOutput, error) {
	g, name := *in.LogGroupName, *in.FilterName
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	fs := s.mfs[g]
	next := make([]*metricFilter, 0, len(fs))
	for _, f := range fs {
		if f.Name != name {
			next = append(next, f)
		}
	}
	if len(next) == len(fs) {
		return nil, errMetricFilterAbsent
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(metricFilterKey(g, name))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	if len(next) == 0 {
		delete(s.mfs, g)
	} else {
		s.mfs[g] = next
	}
	return &noOutput{}, nil
}

// testMetricFilter reports which messages the pattern matches, numbered
// from 0 in the order given, with the named fields of a space-delimited
// pattern as extractedValues ("$name"); other patterns extract nothing.
func (s *Service) testMetricFilter(ctx context.Context, in *TestMetricFilterRequest) (*TestMetricFilterResponse, error) {
	pat, err := ParseFilterPattern(*in.FilterPattern)
	if err != nil {
		return nil, errInvalidPattern
	}
	out := &TestMetricFilterResponse{Matches: []MetricFilterMatchRecord{}}
	for i, msg := range in.LogEventMessages {
		m, ok := matchEvent(pat, msg)
		if !ok {
			continue
		}
		vals := map[string]string{}
		for k, v := range m.fields {
			vals["$"+k] = v
		}
		out.Matches = append(out.Matches, MetricFilterMatchRecord{EventNumber: ptr(int64(i)), EventMessage: ptr(msg), ExtractedValues: vals})
	}
	return out, nil
}
