package cloudwatch

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newTestService(t *testing.T, clk clock.Clock) *Service {
	t.Helper()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := New(Deps{Store: st, Clock: clk, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t *testing.T, s *Service, name string, v float64, at time.Time) {
	t.Helper()
	_, err := s.putMetricData(context.Background(), &PutMetricDataInput{Namespace: ptr("ns"),
		MetricData: []MetricDatum{{MetricName: ptr(name), Value: ptr(v), Timestamp: ptr(at)}}})
	if err != nil {
		t.Fatal(err)
	}
}

// Datapoints are kept for 15 days: the sweep drops older ones, and the
// metrics left with none.
func TestRetention(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	s := newTestService(t, clk)
	put(t, s, "old", 1, t0.Add(-time.Hour))
	put(t, s, "kept", 2, t0.Add(-time.Hour))
	clk.Set(t0.Add(10 * 24 * time.Hour))
	put(t, s, "kept", 3, clk.Now())

	clk.Set(t0.Add(Retention + time.Minute))
	if err := s.sweep(clk.Now()); err != nil {
		t.Fatal(err)
	}
	out, err := s.listMetrics(context.Background(), &ListMetricsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metrics) != 1 || *out.Metrics[0].MetricName != "kept" {
		t.Fatalf("metrics after the sweep: %+v", out.Metrics)
	}
	stats, err := s.getMetricStatistics(context.Background(), &GetMetricStatisticsInput{Namespace: ptr("ns"), MetricName: ptr("kept"),
		StartTime: ptr(t0.Add(-2 * time.Hour)), EndTime: ptr(clk.Now()), Period: ptr[int32](86400), Statistics: []Statistic{"Sum"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Datapoints) != 1 || *stats.Datapoints[0].Sum != 3 {
		t.Errorf("datapoints after the sweep: %+v", stats.Datapoints)
	}
}

// Timestamps more than two weeks old or two hours ahead are refused.
func TestPutMetricDataTimestamps(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	s := newTestService(t, clock.NewFake(t0))
	for _, at := range []time.Time{t0.Add(-15 * 24 * time.Hour), t0.Add(3 * time.Hour)} {
		_, err := s.putMetricData(context.Background(), &PutMetricDataInput{Namespace: ptr("ns"),
			MetricData: []MetricDatum{{MetricName: ptr("m"), Value: ptr(1.0), Timestamp: ptr(at)}}})
		if err == nil {
			t.Errorf("timestamp %v accepted", at)
		}
	}
}

// The aggregator sums each metric per minute and writes on Flush.
func TestAggregator(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 30, 0, time.UTC)
	clk := clock.NewFake(t0)
	s := newTestService(t, clk)
	a := NewAggregator(s)
	d := [][2]string{{"FunctionName", "f"}}
	for _, v := range []float64{1, 2, 3} {
		a.Add(Sample{Namespace: "AWS/Lambda", Name: "Duration", Dimensions: d, Unit: "Milliseconds", Value: v})
	}
	clk.Set(t0.Add(time.Minute))
	a.Add(Sample{Namespace: "AWS/Lambda", Name: "Duration", Dimensions: d, Unit: "Milliseconds", Value: 10})
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	stats, err := s.getMetricStatistics(context.Background(), &GetMetricStatisticsInput{Namespace: ptr("AWS/Lambda"), MetricName: ptr("Duration"),
		Dimensions: []Dimension{{Name: ptr("FunctionName"), Value: ptr("f")}},
		StartTime:  ptr(t0.Add(-time.Minute)), EndTime: ptr(t0.Add(2 * time.Minute)), Period: ptr[int32](60),
		Statistics: []Statistic{"SampleCount", "Sum", "Maximum"}, ExtendedStatistics: []string{"p50"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Datapoints) != 2 {
		t.Fatalf("datapoints %+v", stats.Datapoints)
	}
	first := stats.Datapoints[0]
	if !first.Timestamp.Equal(t0.Truncate(time.Minute)) {
		first = stats.Datapoints[1]
	}
	if *first.SampleCount != 3 || *first.Sum != 6 || *first.Maximum != 3 || first.ExtendedStatistics["p50"] != 2 || *first.Unit != "Milliseconds" {
		t.Errorf("first minute %+v", first)
	}
}

// Counts are numbers of observations: a NaN, infinite or negative count
// is refused, as values outside CloudWatch's range are, rather than
// acknowledged and then lost.
func TestPutMetricDataRefusesInvalidCounts(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	s := newTestService(t, clock.NewFake(t0))
	for _, c := range []float64{math.NaN(), math.Inf(1), -1, math.Ldexp(1, 400)} {
		_, err := s.putMetricData(context.Background(), &PutMetricDataInput{Namespace: ptr("ns"),
			MetricData: []MetricDatum{{MetricName: ptr("m"), Values: []float64{1, 2}, Counts: []float64{1, c}, Timestamp: ptr(t0)}}})
		if !errors.Is(err, ErrInvalidParameterValue) {
			t.Errorf("count %v: err = %v, want InvalidParameterValue", c, err)
		}
	}
	out, err := s.listMetrics(context.Background(), &ListMetricsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metrics) != 0 {
		t.Fatalf("a refused datum created metrics: %+v", out.Metrics)
	}
}

// The points FILL and TIME_SERIES add fall on the metric's own periods:
// those that start at the request's StartTime rounded down to the
// minute, not at multiples of the period since the epoch.
func TestMathGridFollowsStartTime(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	s := newTestService(t, clock.NewFake(t0))
	start := t0.Add(-time.Hour + 2*time.Minute + 13*time.Second) // 11:02:13, a 300-second period from 11:02
	put(t, s, "m", 5, start.Add(time.Minute))
	stat := &MetricStat{Metric: &Metric{Namespace: ptr("ns"), MetricName: ptr("m")}, Period: ptr[int32](300), Stat: ptr("Sum")}
	out, err := s.getMetricData(context.Background(), &GetMetricDataInput{StartTime: ptr(start), EndTime: ptr(start.Add(15*time.Minute - 13*time.Second)),
		ScanBy: ptr(ScanBy("TimestampAscending")),
		MetricDataQueries: []MetricDataQuery{
			{Id: ptr("m1"), MetricStat: stat, ReturnData: ptr(false)},
			{Id: ptr("e1"), Expression: ptr("FILL(m1, 0)")},
			{Id: ptr("e2"), Expression: ptr("TIME_SERIES(1)"), Period: ptr[int32](300)},
			{Id: ptr("e3"), Expression: ptr("MINUTE(m1)")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{start.Truncate(time.Minute), start.Truncate(time.Minute).Add(5 * time.Minute), start.Truncate(time.Minute).Add(10 * time.Minute)}
	for _, r := range out.MetricDataResults {
		if len(r.Timestamps) != len(want) {
			t.Errorf("%s: timestamps %v, want %v", *r.Id, r.Timestamps, want)
			continue
		}
		for i := range want {
			if !r.Timestamps[i].Equal(want[i]) {
				t.Errorf("%s: timestamps %v, want %v", *r.Id, r.Timestamps, want)
				break
			}
		}
		if *r.Id == "e1" && r.Values[0] != 5 {
			t.Errorf("e1: values %v, want 5 first", r.Values)
		}
	}
}

// A period of 5, 10, 20 or 30 seconds rounds the start time down to
// that division of the minute: a query at 01:05:23 with a 10-second
// period starts at 01:05:20.
func TestAlignStartHighResolution(t *testing.T) {
	at := time.Date(2024, 6, 1, 1, 5, 23, 400e6, time.UTC)
	for _, tc := range []struct {
		period int32
		want   time.Time
	}{
		{1, time.Date(2024, 6, 1, 1, 5, 23, 0, time.UTC)},
		{5, time.Date(2024, 6, 1, 1, 5, 20, 0, time.UTC)},
		{10, time.Date(2024, 6, 1, 1, 5, 20, 0, time.UTC)},
		{20, time.Date(2024, 6, 1, 1, 5, 20, 0, time.UTC)},
		{30, time.Date(2024, 6, 1, 1, 5, 0, 0, time.UTC)},
		{60, time.Date(2024, 6, 1, 1, 5, 0, 0, time.UTC)},
		{300, time.Date(2024, 6, 1, 1, 5, 0, 0, time.UTC)},
	} {
		if got := alignStart(at, tc.period); !got.Equal(tc.want) {
			t.Errorf("period %d: %v, want %v", tc.period, got, tc.want)
		}
	}
}

// SEARCH finds only metrics that reported data within the past two
// weeks, as ListMetrics lists them, though their older datapoints are
// kept for 15 days.
func TestSearchFindsRecentMetrics(t *testing.T) {
	t0 := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	s := newTestService(t, clk)
	put(t, s, "stale", 1, t0.Add(-time.Hour))
	clk.Set(t0.Add(14*24*time.Hour - 2*time.Hour))
	put(t, s, "fresh", 2, clk.Now().Add(-time.Hour))
	clk.Set(t0.Add(14 * 24 * time.Hour))
	out, err := s.getMetricData(context.Background(), &GetMetricDataInput{StartTime: ptr(t0.Add(-2 * time.Hour)), EndTime: ptr(clk.Now()),
		MetricDataQueries: []MetricDataQuery{{Id: ptr("e1"), Expression: ptr("SEARCH('{ns} MetricName=\"stale\" OR MetricName=\"fresh\"', 'Sum', 3600)")}}})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, r := range out.MetricDataResults {
		labels = append(labels, *r.Label)
	}
	if len(labels) != 1 || labels[0] != "fresh" {
		t.Errorf("SEARCH found %q, want only fresh", labels)
	}
}
