package cloudwatch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2024, 6, 3, 17, 43, 0, 0, time.UTC)
	w := func(v float64, ok bool) window { return window{start: t0, value: v, ok: ok} }
	tests := []struct {
		name    string
		a       alarm
		ws      []window
		state   string
		reasons string
	}{
		{"breach", alarm{ComparisonOperator: "GreaterThanThreshold", Threshold: 0, EvaluationPeriods: 1, State: "OK"},
			[]window{w(1234, true)}, stateAlarm,
			"Threshold Crossed: 1 out of the last 1 datapoints [1234.0 (03/06/24 17:43:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition)."},
		{"ok", alarm{ComparisonOperator: "LessThanThreshold", Threshold: 1, EvaluationPeriods: 1, State: "ALARM"},
			[]window{w(2, true)}, stateOK, "was not less than the threshold (1.0)"},
		{"2 of 3", alarm{ComparisonOperator: "GreaterThanOrEqualToThreshold", Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2},
			[]window{w(5, true), w(1, true), w(6, true)}, stateAlarm, "2 out of the last 3 datapoints"},
		{"1 of 3 not enough", alarm{ComparisonOperator: "GreaterThanThreshold", Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2},
			[]window{w(6, true), w(1, false), w(1, true)}, stateOK, ""},
		{"missing", alarm{ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 2}, []window{w(0, false), w(0, false)}, stateInsufficient, "Insufficient Data"},
		{"ignore", alarm{ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 1, TreatMissingData: "ignore"}, []window{w(0, false)}, "", ""},
		// AWS's words for alarms whose every datapoint was missing.
		{"breaching", alarm{ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 1, TreatMissingData: "breaching"}, []window{w(0, false)}, stateAlarm,
			"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching]."},
		{"notBreaching", alarm{ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 1, TreatMissingData: "notBreaching"}, []window{w(0, false)}, stateOK,
			"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."},
		{"notBreaching, 3 periods", alarm{ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 3, TreatMissingData: "notBreaching"},
			[]window{w(0, false), w(0, false), w(0, false)}, stateOK,
			"Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching]."},
		{"breaching, some present", alarm{ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 2, TreatMissingData: "breaching"},
			[]window{w(0, false), w(1, true)}, stateAlarm, "2 out of the last 2 datapoints"},
	}
	for _, tt := range tests {
		state, reason, _ := decide(&tt.a, tt.ws, t0)
		if state != tt.state || !strings.Contains(reason, tt.reasons) {
			t.Errorf("%s: %q %q, want %q with %q", tt.name, state, reason, tt.state, tt.reasons)
		}
	}
}

func TestBucketStatistics(t *testing.T) {
	var k bucket
	k.add(&point{Count: 3, Sum: 6, Min: 1, Max: 3, Values: []float64{1, 2, 3}, Counts: []float64{1, 1, 1}})
	k.add(&point{Count: 2, Sum: 20, Min: 10, Max: 10, Values: []float64{10}, Counts: []float64{2}})
	for stat, want := range map[string]float64{"SampleCount": 5, "Sum": 26, "Average": 5.2, "Minimum": 1, "Maximum": 10,
		"p50": 3, "p10": 1, "p100": 10, "p99.9": 10, "p0": 1} {
		if got, ok := k.stat(stat); !ok || got != want {
			t.Errorf("%s = %v %v, want %v", stat, got, ok, want)
		}
	}
	k.add(&point{Count: 1, Sum: 1, Min: 1, Max: 1}) // a statistic set: no percentiles
	if _, ok := k.stat("p50"); ok {
		t.Error("p50 of a bucket with a statistic set answered")
	}
}

func FuzzPercentile(f *testing.F) {
	for _, s := range []string{"p0", "p50", "p99.9", "p99.99", "p99.999", "p100", "p100.1", "p", "p-1", "p+1", "p1.", "pNaN", "pInf", "tm99", "p1e2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := percentile(s)
		if ok && (v < 0 || v > 100) {
			t.Fatalf("percentile(%q) = %v", s, v)
		}
	})
}

func TestPercentileNames(t *testing.T) {
	for s, ok := range map[string]bool{"p0": true, "p99.9": true, "p99.99": true, "p100": true,
		"p99.999": false, "p100.1": false, "p": false, "p-1": false, "p1.": false, "pNaN": false, "p1e2": false, "p.5": false, "tm99": false} {
		if _, got := percentile(s); got != ok {
			t.Errorf("percentile(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

type notes struct{ got []string }

func (n *notes) Publish(_ context.Context, topic, subject, message string) error {
	n.got = append(n.got, message)
	return nil
}

// A metric math alarm evaluates the query that returns data.
func TestMetricMathAlarm(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0.Add(5 * time.Second))
	s := newTestService(t, clk)
	n := &notes{}
	s.notifier = n
	put(t, s, "errors", 2, clk.Now())
	put(t, s, "invocations", 10, clk.Now())
	stat := func(id, name string) MetricDataQuery {
		return MetricDataQuery{Id: ptr(id), ReturnData: ptr(false), MetricStat: &MetricStat{
			Metric: &Metric{Namespace: ptr("ns"), MetricName: ptr(name)}, Period: ptr[int32](60), Stat: ptr("Sum")}}
	}
	_, err := s.putMetricAlarm(context.Background(), &PutMetricAlarmInput{
		AlarmName: ptr("error-rate"), EvaluationPeriods: ptr[int32](1), Threshold: ptr(10.0),
		ComparisonOperator: ptr(ComparisonOperator("GreaterThanThreshold")), AlarmActions: []string{"arn:aws:sns:us-east-1:000000000000:t"},
		Metrics: []MetricDataQuery{stat("e", "errors"), stat("i", "invocations"), {Id: ptr("rate"), Expression: ptr("100*e/i"), Label: ptr("Error rate")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(65 * time.Second))
	s.EvaluateAlarms(context.Background(), clk.Now())
	out, _ := s.describeAlarms(context.Background(), &DescribeAlarmsInput{})
	if len(out.MetricAlarms) != 1 || *out.MetricAlarms[0].StateValue != stateAlarm || len(out.MetricAlarms[0].Metrics) != 3 || out.MetricAlarms[0].MetricName != nil {
		t.Fatalf("alarm %+v", out.MetricAlarms)
	}
	if !strings.Contains(*out.MetricAlarms[0].StateReason, "[20.0 (01/06/24 12:00:00)]") {
		t.Errorf("reason %q", *out.MetricAlarms[0].StateReason)
	}
	if len(n.got) != 1 || !strings.Contains(n.got[0], `"Expression":"100*e/i"`) {
		t.Errorf("notifications %q", n.got)
	}
	for _, bad := range []*PutMetricAlarmInput{
		{AlarmName: ptr("x"), EvaluationPeriods: ptr[int32](1), Threshold: ptr(1.0), ComparisonOperator: ptr(ComparisonOperator("GreaterThanThreshold")),
			Metrics: []MetricDataQuery{{Id: ptr("a"), Expression: ptr("b*2")}, {Id: ptr("b"), Expression: ptr("a*2")}}},
		{AlarmName: ptr("y"), EvaluationPeriods: ptr[int32](1), Threshold: ptr(1.0), ComparisonOperator: ptr(ComparisonOperator("GreaterThanThreshold")),
			MetricName: ptr("m"), Metrics: []MetricDataQuery{stat("e", "errors")}},
	} {
		if _, err := s.putMetricAlarm(context.Background(), bad); err == nil {
			t.Errorf("PutMetricAlarm %s accepted", *bad.AlarmName)
		}
	}
}
