package cloudwatch

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Alarm limits.
const (
	maxAlarmPage     = 100
	defaultAlarmPage = 50
)

func (s *Service) putMetricAlarm(_ context.Context, in *PutMetricAlarmInput) (*noOutput, error) {
	if in.ThresholdMetricId != nil {
		return nil, ErrValidation.WithMessage("Alarms on anomaly detection models (ThresholdMetricId) are not supported by this CloudWatch.")
	}
	if in.Threshold == nil {
		return nil, ErrValidation.WithMessage("Missing required parameter in input: \"Threshold\"")
	}
	var mathQueries *querySet
	if len(in.Metrics) > 0 {
		if in.MetricName != nil || in.Namespace != nil || in.Statistic != nil || in.ExtendedStatistic != nil ||
			in.Period != nil || in.Dimensions != nil || in.Unit != nil {
			return nil, ErrValidation.WithMessage("With Metrics, MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period and Unit must not be given.")
		}
		qs, err := s.newQuerySet(in.Metrics, "Metrics")
		if err != nil {
			return nil, err
		}
		if err := qs.check(); err != nil {
			return nil, err
		}
		mathQueries = qs
	}
	for _, p := range []struct {
		set  bool
		name string
	}{{in.MetricName != nil, "MetricName"}, {in.Namespace != nil, "Namespace"}, {in.Period != nil, "Period"}} {
		if !p.set && mathQueries == nil {
			return nil, ErrValidation.Withf("Missing required parameter in input: %q", p.name)
		}
	}
	if mathQueries != nil {
		// the checks of a single metric's alarm do not apply
	} else if (in.Statistic == nil) == (in.ExtendedStatistic == nil) {
		return nil, ErrValidation.WithMessage("Exactly one of Statistic or ExtendedStatistic must be specified.")
	}
	if in.ExtendedStatistic != nil {
		if _, ok := percentile(*in.ExtendedStatistic); !ok {
			return nil, ErrValidation.Withf("The value %s for parameter ExtendedStatistic is not supported.", *in.ExtendedStatistic)
		}
	}
	period := int32(0)
	if mathQueries != nil {
		_, period, _ = mathQueries.returned()
	} else {
		period = *in.Period
	}
	// "Valid values are 10, 30, and any multiple of 60" (PutMetricAlarm).
	if p := period; p != 10 && p != 30 && p%60 != 0 {
		return nil, ErrValidation.WithMessage("Period must be 10, 30 or a multiple of 60.")
	}
	if _, ok := comparisonWords[string(*in.ComparisonOperator)]; !ok {
		return nil, ErrValidation.Withf("Comparison operator %s requires ThresholdMetricId, which is not supported by this CloudWatch.", *in.ComparisonOperator)
	}
	if in.DatapointsToAlarm != nil && *in.DatapointsToAlarm > *in.EvaluationPeriods {
		return nil, ErrValidation.WithMessage("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
	}
	if int64(period)*int64(*in.EvaluationPeriods) > 7*24*3600 {
		return nil, ErrValidation.WithMessage("The evaluation period (Period * EvaluationPeriods) must not exceed 7 days.")
	}
	if in.TreatMissingData != nil {
		switch *in.TreatMissingData {
		case "breaching", "notBreaching", "ignore", "missing":
		default:
			return nil, ErrValidation.Withf("The value %s for parameter TreatMissingData is not supported.", *in.TreatMissingData)
		}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.alarms[*in.AlarmName]
	created := a == nil
	if a != nil && a.Rule != "" {
		return nil, ErrValidation.Withf("An alarm named %s exists and is a composite alarm.", *in.AlarmName)
	}
	if created {
		a = &alarm{Name: *in.AlarmName, State: stateInsufficient, StateReason: "Unchecked: Initial alarm creation",
			StateUpdated: now.UnixMilli(), StateTransitioned: now.UnixMilli()}
	} else {
		c := *a
		a = &c
	}
	a.Description = in.AlarmDescription
	a.ActionsEnabled = in.ActionsEnabled == nil || *in.ActionsEnabled
	a.OKActions, a.AlarmActions, a.InsufficientDataActions = in.OKActions, in.AlarmActions, in.InsufficientDataActions
	a.Namespace, a.MetricName, a.Dims, a.Period, a.Metrics = str(in.Namespace), str(in.MetricName), dims(in.Dimensions), period, in.Metrics
	a.Statistic, a.ExtendedStatistic, a.Unit = "", "", ""
	if in.Statistic != nil {
		a.Statistic = string(*in.Statistic)
	}
	if in.ExtendedStatistic != nil {
		a.ExtendedStatistic = *in.ExtendedStatistic
	}
	if in.Unit != nil {
		a.Unit = string(*in.Unit)
	}
	a.EvaluationPeriods, a.DatapointsToAlarm, a.Threshold = *in.EvaluationPeriods, 0, *in.Threshold
	if in.DatapointsToAlarm != nil {
		a.DatapointsToAlarm = *in.DatapointsToAlarm
	}
	a.ComparisonOperator = string(*in.ComparisonOperator)
	a.TreatMissingData, a.EvaluateLowSampleCount = str(in.TreatMissingData), str(in.EvaluateLowSampleCountPercentile)
	if created && len(in.Tags) > 0 {
		a.Tags = map[string]string{}
		for _, t := range in.Tags {
			a.Tags[*t.Key] = *t.Value
		}
	}
	if now.UnixMilli() <= a.ConfigUpdated {
		a.ConfigUpdated++ // tells an evaluation in flight the alarm changed
	} else {
		a.ConfigUpdated = now.UnixMilli()
	}
	a.NextEvaluation = now.UnixMilli()
	verb := "updated"
	if created {
		verb = "created"
	}
	hist, _ := json.Marshal(map[string]any{"version": "1.0", "type": map[bool]string{true: "Create", false: "Update"}[created]})
	a.addHistory(now, "ConfigurationUpdate", fmt.Sprintf("Alarm %q %s", a.Name, verb), string(hist))
	if err := s.saveAlarms(a); err != nil {
		return nil, err
	}
	s.alarms[a.Name] = a
	return nil, nil
}

func (s *Service) describeAlarms(_ context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != nil {
		return nil, ErrInvalidCombination.WithMessage("AlarmNamePrefix and AlarmNames cannot be used together.")
	}
	limit := defaultAlarmPage
	if in.MaxRecords != nil {
		limit = int(*in.MaxRecords)
	}
	// Without AlarmTypes, only metric alarms are listed.
	metricAlarms, composites := len(in.AlarmTypes) == 0, false
	for _, t := range in.AlarmTypes {
		metricAlarms = metricAlarms || t == "MetricAlarm"
		composites = composites || t == "CompositeAlarm"
	}
	out := &DescribeAlarmsOutput{MetricAlarms: []MetricAlarm{}, CompositeAlarms: []CompositeAlarm{}}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*alarm
	for _, a := range s.alarms {
		if a.Rule == "" && !metricAlarms || a.Rule != "" && !composites || !s.related(a, in.ChildrenOfAlarmName, in.ParentsOfAlarmName) {
			continue
		}
		if len(names) > 0 && !names[a.Name] || in.AlarmNamePrefix != nil && !strings.HasPrefix(a.Name, *in.AlarmNamePrefix) {
			continue
		}
		if in.StateValue != nil && a.State != string(*in.StateValue) {
			continue
		}
		if in.ActionPrefix != nil && !anyPrefix(*in.ActionPrefix, a.OKActions, a.AlarmActions, a.InsufficientDataActions) {
			continue
		}
		if in.NextToken != nil && a.Name <= *in.NextToken {
			continue
		}
		match = append(match, a)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].Name < match[j].Name })
	for i, a := range match {
		if i == limit {
			out.NextToken = ptr(match[i-1].Name)
			break
		}
		if a.Rule != "" {
			out.CompositeAlarms = append(out.CompositeAlarms, s.describeComposite(a))
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, s.describe(a))
	}
	return out, nil
}

func anyPrefix(prefix string, lists ...[]string) bool {
	for _, l := range lists {
		for _, a := range l {
			if strings.HasPrefix(a, prefix) {
				return true
			}
		}
	}
	return false
}

func (s *Service) describeAlarmsForMetric(_ context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	want := dims(in.Dimensions)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DescribeAlarmsForMetricOutput{MetricAlarms: []MetricAlarm{}}
	var match []*alarm
	for _, a := range s.alarms {
		if a.Namespace != *in.Namespace || a.MetricName != *in.MetricName {
			continue
		}
		if in.Dimensions != nil && seriesID("", "", a.Dims) != seriesID("", "", want) {
			continue
		}
		if in.Statistic != nil && a.Statistic != string(*in.Statistic) || in.ExtendedStatistic != nil && a.ExtendedStatistic != *in.ExtendedStatistic ||
			in.Period != nil && a.Period != *in.Period || in.Unit != nil && a.Unit != string(*in.Unit) {
			continue
		}
		match = append(match, a)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].Name < match[j].Name })
	for _, a := range match {
		out.MetricAlarms = append(out.MetricAlarms, s.describe(a))
	}
	return out, nil
}

// deleteAlarms deletes the alarms named. As DeleteAlarms' reference
// says, names of alarms that do not exist do not keep the others from
// being deleted.
func (s *Service) deleteAlarms(ctx context.Context, in *DeleteAlarmsInput) (*noOutput, error) {
	s.mu.Lock()
	b := s.store.NewBatch()
	defer b.Close()
	for _, n := range in.AlarmNames {
		if s.alarms[n] != nil {
			b.Delete(alarmKey(n))
		}
	}
	if err := b.Commit(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	for _, n := range in.AlarmNames {
		delete(s.alarms, n)
	}
	s.mu.Unlock()
	// A composite alarm whose rule named a deleted alarm finds it in no
	// state now.
	s.evaluateComposites(ctx, s.clock.Now())
	return nil, nil
}

func (s *Service) setAlarmState(ctx context.Context, in *SetAlarmStateInput) (*noOutput, error) {
	if in.StateReasonData != nil && !json.Valid([]byte(*in.StateReasonData)) {
		return nil, ErrInvalidFormat.WithMessage("Invalid JSON for StateReasonData.")
	}
	now := s.clock.Now()
	s.mu.Lock()
	a := s.alarms[*in.AlarmName]
	if a == nil {
		s.mu.Unlock()
		return nil, ErrAlarmNotFound.Withf("Alarm %s not found", *in.AlarmName)
	}
	var note *notification
	if string(*in.StateValue) != a.State {
		note = s.transition(a, string(*in.StateValue), *in.StateReason, str(in.StateReasonData), now)
	} else {
		a.StateReason, a.StateReasonData, a.StateUpdated = *in.StateReason, str(in.StateReasonData), now.UnixMilli()
	}
	err := s.saveAlarms(a)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.notify(ctx, note)
	s.evaluateComposites(ctx, now)
	return nil, nil
}

func (s *Service) enableAlarmActions(_ context.Context, in *EnableAlarmActionsInput) (*noOutput, error) {
	return nil, s.setActionsEnabled(in.AlarmNames, true)
}

func (s *Service) disableAlarmActions(_ context.Context, in *DisableAlarmActionsInput) (*noOutput, error) {
	return nil, s.setActionsEnabled(in.AlarmNames, false)
}

func (s *Service) setActionsEnabled(names []string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []*alarm
	for _, n := range names {
		if a := s.alarms[n]; a != nil && a.ActionsEnabled != on {
			a.ActionsEnabled = on
			changed = append(changed, a)
		}
	}
	return s.saveAlarms(changed...)
}

func (s *Service) describeAlarmHistory(_ context.Context, in *DescribeAlarmHistoryInput) (*DescribeAlarmHistoryOutput, error) {
	limit := defaultAlarmPage
	if in.MaxRecords != nil {
		limit = int(*in.MaxRecords)
	}
	skip := 0
	if in.NextToken != nil {
		if _, err := fmt.Sscanf(*in.NextToken, "%d", &skip); err != nil || skip < 0 {
			return nil, ErrInvalidNextToken
		}
	}
	s.mu.Lock()
	var items []AlarmHistoryItem
	for _, a := range s.alarms {
		if in.AlarmName != nil && a.Name != *in.AlarmName {
			continue
		}
		for _, h := range a.History {
			t := time.UnixMilli(h.Time).UTC()
			if in.HistoryItemType != nil && string(*in.HistoryItemType) != h.Type ||
				in.StartDate != nil && t.Before(*in.StartDate) || in.EndDate != nil && t.After(*in.EndDate) {
				continue
			}
			typ := HistoryItemType(h.Type)
			typName := AlarmType("MetricAlarm")
			if a.Rule != "" {
				typName = "CompositeAlarm"
			}
			items = append(items, AlarmHistoryItem{AlarmName: ptr(a.Name), AlarmType: ptr(typName),
				Timestamp: &t, HistoryItemType: &typ, HistorySummary: ptr(h.Summary), HistoryData: ptr(h.Data)})
		}
	}
	s.mu.Unlock()
	// Items of one alarm are in the order they happened; equal times
	// keep it (or its reverse, newest first).
	ascending := in.ScanBy != nil && *in.ScanBy == "TimestampAscending"
	if !ascending {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if ascending {
			return items[i].Timestamp.Before(*items[j].Timestamp)
		}
		return items[i].Timestamp.After(*items[j].Timestamp)
	})
	out := &DescribeAlarmHistoryOutput{AlarmHistoryItems: []AlarmHistoryItem{}}
	if skip < len(items) {
		items = items[skip:]
	} else {
		items = nil
	}
	if len(items) > limit {
		items = items[:limit]
		out.NextToken = ptr(fmt.Sprint(skip + limit))
	}
	out.AlarmHistoryItems = append(out.AlarmHistoryItems, items...)
	return out, nil
}
