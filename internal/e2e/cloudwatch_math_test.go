package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/virga/virga/internal/e2e"
)

// GetMetricData evaluates metric math functions over what PutMetricData
// stored: scalars inside series, arrays returned member by member,
// SEARCH, IF with comparisons, FILL.
func TestCloudWatchMetricMathFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(env.Config)
	now := time.Now().UTC().Truncate(time.Minute)
	start := now.Add(-5 * time.Minute)
	// Requests: api 10, 20, -, 40 over minutes 0..3; worker 1, 1, 1, 1.
	var data []cwtypes.MetricDatum
	for i, v := range []float64{10, 20, -1, 40} {
		if v >= 0 {
			data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Requests"), Value: aws.Float64(v), Timestamp: aws.Time(start.Add(time.Duration(i) * time.Minute)),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("api")}}})
		}
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Requests"), Value: aws.Float64(1), Timestamp: aws.Time(start.Add(time.Duration(i) * time.Minute)),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("worker")}}})
	}
	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Shop"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	metric := func(id, service string, ret bool) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(ret), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("Shop"), MetricName: aws.String("Requests"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String(service)}}},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}
	}
	expr := func(id, e, label string) cwtypes.MetricDataQuery {
		q := cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(e)}
		if label != "" {
			q.Label = aws.String(label)
		}
		return q
	}
	out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(start.Add(4 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			metric("m_api", "api", false),
			metric("m_worker", "worker", false),
			expr("total", "SUM(METRICS())", "total"),
			expr("centered", "m_api - AVG(m_api)", ""),
			expr("filled", "FILL(m_api, LINEAR)", "filled"),
			expr("busy", "IF(m_api > 15, 1, 0)", "busy"),
			expr("scaled", "METRICS() * 2", "x2"),
			expr("found", "SEARCH('{Shop,Service} MetricName=\"Requests\" NOT worker', 'Sum', 60)", ""),
			expr("rate", "RATE(m_worker)", ""),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range out.MetricDataResults {
		var vals []string
		for i, v := range r.Values {
			vals = append(vals, fmt.Sprintf("%d:%g", int(r.Timestamps[i].Sub(start)/time.Minute), v))
		}
		if r.StatusCode != cwtypes.StatusCodeComplete {
			t.Errorf("%s: status %s", aws.ToString(r.Id), r.StatusCode)
		}
		id := aws.ToString(r.Id)
		got[id] = append(got[id], aws.ToString(r.Label)+"="+strings.Join(vals, " "))
	}
	want := map[string][]string{
		"total":    {"total=0:11 1:21 2:1 3:41"},
		"centered": {"centered=0:-13.333333333333332 1:-3.333333333333332 3:16.666666666666668"},
		"filled":   {"filled=0:10 1:20 2:30 3:40"},
		"busy":     {"busy=0:0 1:1 3:1"},
		"scaled":   {"x2 Requests=0:20 1:40 3:80", "x2 Requests=0:2 1:2 2:2 3:2"},
		"found":    {"api Requests=0:10 1:20 3:40"},
		"rate":     {"rate=1:0 2:0 3:0"},
	}
	for id, w := range want {
		if fmt.Sprint(got[id]) != fmt.Sprint(w) {
			t.Errorf("%s = %q, want %q", id, got[id], w)
		}
	}

	// A scalar cannot be a result; functions check their arguments.
	for _, bad := range []string{"AVG(m_api)", "FILL(m_api)", "INSIGHT_RULE_METRIC('rule', 'Sum')", "sum(m_api)", "FIRST(m_api)"} {
		_, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(start), EndTime: aws.Time(now),
			MetricDataQueries: []cwtypes.MetricDataQuery{metric("m_api", "api", false), expr("e", bad, "")},
		})
		expectAPIError(t, err, "ValidationError", 400)
	}
}

// An alarm on IF(m1 > 10, 1, 0) goes to ALARM when the metric passes 10.
func TestCloudWatchMetricMathAlarm(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(5 * time.Second))
	cw := cloudwatch.NewFromConfig(env.Config)
	queries := []cwtypes.MetricDataQuery{
		{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("App"), MetricName: aws.String("Queue")}, Period: aws.Int32(60), Stat: aws.String("Maximum")}},
		{Id: aws.String("e1"), Expression: aws.String("IF(m1 > 10, 1, 0)"), Label: aws.String("queue over 10")},
	}
	put := func(name string, qs []cwtypes.MetricDataQuery) error {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Metrics: qs, EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		})
		return err
	}
	if err := put("queue-deep", queries); err != nil {
		t.Fatal(err)
	}
	// SEARCH and arrays cannot be alarmed on; nor can wrong arguments.
	for _, bad := range []string{"SEARCH('{App} Queue', 'Maximum', 60)", "FILL(m1)", "[m1, m1 * 2]", "AVG(m1)"} {
		qs := []cwtypes.MetricDataQuery{queries[0], {Id: aws.String("e1"), Expression: aws.String(bad)}}
		expectAPIError(t, put("bad", qs), "ValidationError", 400)
	}

	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Queue"), Value: aws.Float64(12)}}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(base.Add(65 * time.Second))
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"queue-deep"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.MetricAlarms) == 1 && out.MetricAlarms[0].StateValue == cwtypes.StateValueAlarm {
			if r := aws.ToString(out.MetricAlarms[0].StateReason); !strings.Contains(r, "[1.0 (") {
				t.Errorf("reason %q", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alarm %+v, want ALARM", out.MetricAlarms)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
