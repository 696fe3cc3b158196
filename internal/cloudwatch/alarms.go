package cloudwatch

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/store/keys"
)

// Alarm states.
const (
	stateOK           = "OK"
	stateAlarm        = "ALARM"
	stateInsufficient = "INSUFFICIENT_DATA"
)

// maxHistory bounds the history kept per alarm (AWS keeps 30 days).
const maxHistory = 100

// alarm is a metric alarm as it is stored.
type alarm struct {
	Name                    string            `json:"name"`
	Description             *string           `json:"description,omitempty"`
	ActionsEnabled          bool              `json:"actionsEnabled"`
	OKActions               []string          `json:"ok,omitempty"`
	AlarmActions            []string          `json:"alarm,omitempty"`
	InsufficientDataActions []string          `json:"insufficient,omitempty"`
	Namespace               string            `json:"ns"`
	MetricName              string            `json:"metric"`
	Statistic               string            `json:"stat,omitempty"`
	ExtendedStatistic       string            `json:"xstat,omitempty"`
	Dims                    []dim             `json:"dims,omitempty"`
	Period                  int32             `json:"period"`
	Unit                    string            `json:"unit,omitempty"`
	EvaluationPeriods       int32             `json:"evaluationPeriods"`
	DatapointsToAlarm       int32             `json:"datapointsToAlarm,omitempty"`
	Threshold               float64           `json:"threshold"`
	ComparisonOperator      string            `json:"op"`
	TreatMissingData        string            `json:"treatMissing,omitempty"`
	EvaluateLowSampleCount  string            `json:"lowSampleCount,omitempty"`
	Tags                    map[string]string `json:"tags,omitempty"`
	// Metrics are a metric math alarm's queries; Period is then the
	// period of the one that returns data.
	Metrics           []MetricDataQuery `json:"metrics,omitempty"`
	State             string            `json:"state"`
	StateReason       string            `json:"reason"`
	StateReasonData   string            `json:"reasonData,omitempty"`
	StateUpdated      int64             `json:"stateUpdated"`      // epoch ms
	StateTransitioned int64             `json:"stateTransitioned"` // epoch ms
	ConfigUpdated     int64             `json:"configUpdated"`     // epoch ms
	NextEvaluation    int64             `json:"next"`              // epoch ms
	History           []historyItem     `json:"history,omitempty"` // oldest first
	// Rule is a composite alarm's AlarmRule (composite.go); rule is it
	// parsed.
	Rule string `json:"rule,omitempty"`
	rule *parsedRule
}

type historyItem struct {
	Time    int64  `json:"t"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
	Data    string `json:"data"`
}

func alarmKey(name string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "cloudwatch"), "alarm"), name)
}

func (s *Service) alarmARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.region, s.account, name)
}

func (s *Service) loadAlarms() error {
	prefix := keys.AppendString(keys.AppendString(nil, "cloudwatch"), "alarm")
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var a alarm
		if json.Unmarshal(it.Value(), &a) == nil {
			if a.Rule != "" {
				a.rule, _ = parseAlarmRule(a.Rule, s.account, s.region)
			}
			s.alarms[a.Name] = &a
		}
	}
	return it.Error()
}

// saveAlarms writes alarms; the caller holds s.mu.
func (s *Service) saveAlarms(as ...*alarm) error {
	b := s.store.NewBatch()
	defer b.Close()
	for _, a := range as {
		raw, err := json.Marshal(a)
		if err != nil {
			return err
		}
		b.Set(alarmKey(a.Name), raw)
	}
	return b.Commit()
}

func (a *alarm) addHistory(at time.Time, typ, summary, data string) {
	a.History = append(a.History, historyItem{Time: at.UnixMilli(), Type: typ, Summary: summary, Data: data})
	if len(a.History) > maxHistory {
		a.History = a.History[len(a.History)-maxHistory:]
	}
}

// describe returns the alarm as the API shows it.
func (s *Service) describe(a *alarm) MetricAlarm {
	m := MetricAlarm{
		AlarmName: ptr(a.Name), AlarmArn: ptr(s.alarmARN(a.Name)), AlarmDescription: a.Description,
		AlarmConfigurationUpdatedTimestamp: ptr(time.UnixMilli(a.ConfigUpdated).UTC()),
		ActionsEnabled:                     ptr(a.ActionsEnabled),
		OKActions:                          orEmpty(a.OKActions), AlarmActions: orEmpty(a.AlarmActions),
		InsufficientDataActions: orEmpty(a.InsufficientDataActions),
		StateValue:              ptr(StateValue(a.State)), StateReason: ptr(a.StateReason),
		StateUpdatedTimestamp:      ptr(time.UnixMilli(a.StateUpdated).UTC()),
		StateTransitionedTimestamp: ptr(time.UnixMilli(a.StateTransitioned).UTC()),
		EvaluationPeriods:          ptr(a.EvaluationPeriods), Threshold: ptr(a.Threshold),
		ComparisonOperator: ptr(ComparisonOperator(a.ComparisonOperator)),
	}
	if len(a.Metrics) > 0 {
		m.Metrics = a.Metrics
	} else {
		m.MetricName, m.Namespace, m.Dimensions, m.Period = ptr(a.MetricName), ptr(a.Namespace), apiDims(a.Dims), ptr(a.Period)
	}
	if a.StateReasonData != "" {
		m.StateReasonData = ptr(a.StateReasonData)
	}
	if a.Statistic != "" {
		m.Statistic = ptr(Statistic(a.Statistic))
	}
	if a.ExtendedStatistic != "" {
		m.ExtendedStatistic = ptr(a.ExtendedStatistic)
	}
	if a.Unit != "" {
		m.Unit = ptr(StandardUnit(a.Unit))
	}
	if a.DatapointsToAlarm != 0 {
		m.DatapointsToAlarm = ptr(a.DatapointsToAlarm)
	}
	if a.TreatMissingData != "" {
		m.TreatMissingData = ptr(a.TreatMissingData)
	}
	if a.EvaluateLowSampleCount != "" {
		m.EvaluateLowSampleCountPercentile = ptr(a.EvaluateLowSampleCount)
	}
	return m
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// EvaluateAlarms evaluates every alarm whose evaluation is due at now;
// Run calls it every EvaluationInterval.
func (s *Service) EvaluateAlarms(ctx context.Context, now time.Time) {
	s.mu.Lock()
	var due []*alarm
	for _, a := range s.alarms {
		if a.Rule == "" && a.NextEvaluation <= now.UnixMilli() {
			due = append(due, a)
		}
	}
	s.mu.Unlock()
	for _, a := range due {
		s.evaluate(ctx, a.Name, now)
	}
	if len(due) > 0 {
		s.evaluateComposites(ctx, now)
	}
}

// window is one evaluation period's value, if it had data.
type window struct {
	start time.Time
	value float64
	ok    bool
}

// evaluate runs one evaluation of the named alarm at now.
func (s *Service) evaluate(ctx context.Context, name string, now time.Time) {
	s.mu.Lock()
	a := s.alarms[name]
	if a == nil {
		s.mu.Unlock()
		return
	}
	period := time.Duration(a.Period) * time.Second
	end := now.Truncate(time.Minute)
	if a.Period < 60 {
		end = now.Truncate(period)
	}
	n := int(a.EvaluationPeriods)
	start := end.Add(-time.Duration(n) * period)
	id := seriesID(a.Namespace, a.MetricName, a.Dims)
	stat := a.Statistic
	if stat == "" {
		stat = a.ExtendedStatistic
	}
	cfg := *a
	s.mu.Unlock()

	ws := make([]window, n)
	for i := range ws {
		ws[i].start = start.Add(time.Duration(i) * period)
	}
	if err := s.fillWindows(&cfg, id, stat, start, end, ws); err != nil {
		s.log.Error("cloudwatch: evaluating alarm", "alarm", name, "err", err)
		return
	}
	state, reason, data := decide(&cfg, ws, now)

	s.mu.Lock()
	a = s.alarms[name]
	if a == nil || a.ConfigUpdated != cfg.ConfigUpdated {
		s.mu.Unlock()
		return // deleted or changed meanwhile
	}
	// Alarms are evaluated every minute; high-resolution ones (periods of
	// 10 or 30 seconds) every period.
	a.NextEvaluation = end.Add(min(period, time.Minute)).UnixMilli()
	var note *notification
	if state != "" && state != a.State {
		note = s.transition(a, state, reason, data, now)
	}
	if err := s.saveAlarms(a); err != nil {
		s.log.Error("cloudwatch: saving alarm", "alarm", name, "err", err)
	}
	s.mu.Unlock()
	s.notify(ctx, note)
}

// fillWindows puts the alarm's value for each period in ws: its
// metric's statistic, or the returned query of its metric math.
func (s *Service) fillWindows(a *alarm, id, stat string, start, end time.Time, ws []window) error {
	period := time.Duration(a.Period) * time.Second
	set := func(at time.Time, v float64) {
		if i := int(at.Sub(start) / period); i >= 0 && i < len(ws) && at.Sub(start) >= 0 {
			ws[i].value, ws[i].ok = v, true
		}
	}
	if len(a.Metrics) > 0 {
		qs, err := s.newQuerySet(a.Metrics, "Metrics")
		if err != nil {
			return err
		}
		ret, _, err := qs.returned()
		if err != nil {
			return err
		}
		v, err := qs.evaluator(start, end)(ret)
		if err != nil {
			return err
		}
		ts, err := single(v)
		if err != nil {
			return err
		}
		for ts, x := range ts.points {
			set(time.UnixMilli(ts), x)
		}
		return nil
	}
	buckets, err := s.aggregate(id, start, end, a.Period, a.Unit)
	if err != nil {
		return err
	}
	for _, k := range buckets {
		if v, ok := k.stat(stat); ok {
			set(k.start, v)
		}
	}
	return nil
}

// decide returns the state the windows put the alarm in, with its
// reason, or "" to leave it as it is.
func decide(a *alarm, ws []window, now time.Time) (state, reason, data string) {
	m := int(a.DatapointsToAlarm)
	if m == 0 {
		m = int(a.EvaluationPeriods)
	}
	breaching, present := 0, 0
	var recent []string
	var values []float64
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		if !w.ok {
			switch a.TreatMissingData {
			case "breaching":
				breaching++
				present++
			case "notBreaching":
				present++
			}
			continue
		}
		present++
		if breaches(a.ComparisonOperator, w.value, a.Threshold) {
			breaching++
		}
		recent = append(recent, fmt.Sprintf("%s (%s)", javaDouble(w.value), w.start.UTC().Format("02/01/06 15:04:05")))
		values = append(values, w.value)
	}
	threshold := javaDouble(a.Threshold)
	words := comparisonWords[a.ComparisonOperator]
	recentData, _ := json.Marshal(map[string]any{
		"version": "1.0", "queryDate": now.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"statistic": a.Statistic, "period": a.Period, "recentDatapoints": orEmptyFloats(values), "threshold": a.Threshold,
		"evaluatedDatapoints": len(values),
	})
	if len(values) == 0 && (a.TreatMissingData == "breaching" || a.TreatMissingData == "notBreaching") {
		// Every datapoint missing, and taken for one: AWS says so
		// rather than counting them.
		state, as := stateOK, "NonBreaching"
		if breaching >= m {
			state, as = stateAlarm, "Breaching"
		}
		n := len(ws)
		verb := "was"
		if n != 1 {
			verb = "were"
		}
		return state, fmt.Sprintf("Threshold Crossed: no datapoints were received for %d %s and %d missing %s %s treated as [%s].",
			n, plural(n, "period"), n, plural(n, "datapoint"), verb, as), string(recentData)
	}
	switch {
	case breaching >= m:
		return stateAlarm, fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] was %s the threshold (%s) (minimum %d %s for %s -> ALARM transition).",
			breaching, len(ws), strings.Join(recent, ", "), words, threshold, m, plural(m, "datapoint"), a.State), string(recentData)
	case present == 0:
		if a.TreatMissingData == "ignore" {
			return "", "", ""
		}
		return stateInsufficient, fmt.Sprintf("Insufficient Data: %d %s were unknown.", len(ws), plural(len(ws), "datapoint")), string(recentData)
	}
	return stateOK, fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] was not %s the threshold (%s) (minimum %d %s for ALARM -> OK transition).",
		len(values)-breaching, len(ws), strings.Join(recent, ", "), words, threshold, m, plural(m, "datapoint")), string(recentData)
}

func orEmptyFloats(v []float64) []float64 {
	if v == nil {
		return []float64{}
	}
	return v
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

var comparisonWords = map[string]string{
	"GreaterThanThreshold":          "greater than",
	"GreaterThanOrEqualToThreshold": "greater than or equal to",
	"LessThanThreshold":             "less than",
	"LessThanOrEqualToThreshold":    "less than or equal to",
}

func breaches(op string, v, threshold float64) bool {
	switch op {
	case "GreaterThanThreshold":
		return v > threshold
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	case "LessThanThreshold":
		return v < threshold
	case "LessThanOrEqualToThreshold":
		return v <= threshold
	}
	return false
}

// javaDouble writes a number as CloudWatch's reasons do: 1234.0, 0.5.
func javaDouble(v float64) string {
	if math.Trunc(v) == v && math.Abs(v) < 1e7 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// notification is an alarm's state change to announce to its actions.
type notification struct {
	topics  []string
	subject string
	message string
	// functions are the Lambda functions among the actions, invoked
	// with event.
	functions []string
	// policies are the scaling policies among the actions, run with
	// alarm and reasonData.
	policies          []string
	alarm, reasonData string
	alarmARN          string
	event             []byte
}

// transition moves a to state, records it in its history and returns
// the notification its actions get (nil if none). The caller holds s.mu.
func (s *Service) transition(a *alarm, state, reason, data string, now time.Time) *notification {
	old, oldReason, oldData, oldUpdated := a.State, a.StateReason, a.StateReasonData, a.StateUpdated
	a.State, a.StateReason, a.StateReasonData = state, reason, data
	a.StateUpdated, a.StateTransitioned = now.UnixMilli(), now.UnixMilli()
	hist, _ := json.Marshal(map[string]any{
		"version":  "1.0",
		"oldState": map[string]any{"stateValue": old, "stateReason": oldReason},
		"newState": map[string]any{"stateValue": state, "stateReason": reason},
	})
	a.addHistory(now, "StateUpdate", fmt.Sprintf("Alarm updated from %s to %s", old, state), string(hist))
	if !a.ActionsEnabled {
		return nil
	}
	var actions []string
	switch state {
	case stateOK:
		actions = a.OKActions
	case stateAlarm:
		actions = a.AlarmActions
	default:
		actions = a.InsufficientDataActions
	}
	var topics, functions, policies []string
	for _, arn := range actions {
		switch {
		case strings.HasPrefix(arn, "arn:aws:sns:"):
			topics = append(topics, arn)
		case strings.HasPrefix(arn, "arn:aws:lambda:"):
			functions = append(functions, arn)
		case strings.HasPrefix(arn, "arn:aws:autoscaling:") && strings.Contains(arn, ":scalingPolicy:"):
			policies = append(policies, arn)
		}
	}
	if len(topics) == 0 && len(functions) == 0 && len(policies) == 0 {
		return nil
	}
	note := &notification{topics: topics, functions: functions, policies: policies, alarm: a.Name, reasonData: a.StateReasonData,
		alarmARN: s.alarmARN(a.Name)}
	if len(functions) > 0 {
		note.event = s.lambdaEvent(a, alarmState{old, oldReason, oldData, oldUpdated}, now)
	}
	if len(topics) == 0 {
		return note
	}
	region := regionNames[s.region]
	if region == "" {
		region = s.region
	}
	var dimsOut []map[string]string
	for _, d := range a.Dims {
		dimsOut = append(dimsOut, map[string]string{"value": d.Value, "name": d.Name})
	}
	trigger := map[string]any{
		"MetricName": a.MetricName, "Namespace": a.Namespace, "StatisticType": "Statistic",
		"Statistic": strings.ToUpper(a.Statistic), "Unit": nilIfEmpty(a.Unit), "Dimensions": orEmptyMaps(dimsOut),
		"Period": a.Period, "EvaluationPeriods": a.EvaluationPeriods, "ComparisonOperator": a.ComparisonOperator,
		"Threshold": a.Threshold, "TreatMissingData": a.TreatMissingData, "EvaluateLowSampleCountPercentile": a.EvaluateLowSampleCount,
	}
	if len(a.Metrics) > 0 {
		for _, k := range []string{"MetricName", "Namespace", "StatisticType", "Statistic", "Unit", "Dimensions"} {
			delete(trigger, k)
		}
		qs := make([]json.RawMessage, 0, len(a.Metrics))
		for i := range a.Metrics {
			qs = append(qs, jsoncodec.Marshal(nil, &a.Metrics[i]))
		}
		trigger["Metrics"] = qs
	} else if a.ExtendedStatistic != "" {
		trigger["StatisticType"] = "ExtendedStatistic"
		trigger["ExtendedStatistic"] = a.ExtendedStatistic
		delete(trigger, "Statistic")
	}
	if a.DatapointsToAlarm != 0 {
		trigger["DatapointsToAlarm"] = a.DatapointsToAlarm
	}
	body := map[string]any{
		"AlarmName": a.Name, "AlarmDescription": a.Description, "AWSAccountId": s.account,
		"AlarmConfigurationUpdatedTimestamp": time.UnixMilli(a.ConfigUpdated).UTC().Format("2006-01-02T15:04:05.000+0000"),
		"NewStateValue":                      state, "NewStateReason": reason,
		"StateChangeTime": now.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"Region":          region, "AlarmArn": s.alarmARN(a.Name), "OldStateValue": old,
		"OKActions": orEmpty(a.OKActions), "AlarmActions": orEmpty(a.AlarmActions),
		"InsufficientDataActions": orEmpty(a.InsufficientDataActions),
		"Trigger":                 trigger,
	}
	if a.Rule != "" {
		delete(body, "Trigger")
		body["AlarmRule"] = a.Rule
	}
	msg, _ := json.Marshal(body)
	note.subject, note.message = fmt.Sprintf("%s: %q in %s", state, a.Name, region), string(msg)
	return note
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmptyMaps(m []map[string]string) []map[string]string {
	if m == nil {
		return []map[string]string{}
	}
	return m
}

// regionNames are the names alarm notifications give regions.
var regionNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
	"us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
	"eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
}

// notify publishes a notification to its topics, outside s.mu.
func (s *Service) notify(ctx context.Context, n *notification) {
	if n == nil {
		return
	}
	if s.notifier == nil {
		n.topics = nil
	}
	for _, t := range n.topics {
		if err := s.notifier.Publish(ctx, t, n.subject, n.message); err != nil {
			s.log.Warn("cloudwatch: alarm action failed", "topic", t, "err", err)
		}
	}
	if s.scaling != nil {
		for _, p := range n.policies {
			if err := s.scaling.ExecutePolicy(ctx, p, n.alarm, n.reasonData); err != nil {
				s.log.Warn("cloudwatch: alarm action failed", "policy", p, "err", err)
			}
		}
	}
	if s.fns == nil {
		return
	}
	for _, f := range n.functions {
		if err := s.fns.InvokeAlarmAction(ctx, f, n.alarmARN, n.event); err != nil {
			s.log.Warn("cloudwatch: alarm action failed", "function", f, "err", err)
		}
	}
}
