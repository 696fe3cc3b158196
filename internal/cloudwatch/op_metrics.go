package cloudwatch

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// dims turns a request's dimensions into a series' sorted ones.
func dims(ds []Dimension) []dim {
	out := make([]dim, 0, len(ds))
	for _, d := range ds {
		out = append(out, dim{Name: str(d.Name), Value: str(d.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func apiDims(ds []dim) []Dimension {
	out := make([]Dimension, 0, len(ds))
	for _, d := range ds {
		out = append(out, Dimension{Name: ptr(d.Name), Value: ptr(d.Value)})
	}
	return out
}

// groupDigits writes n with thousands separators, as CloudWatch's
// messages count datapoints ("16,666").
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func validValue(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) <= valueLimit
}

func (s *Service) putMetricData(_ context.Context, in *PutMetricDataInput) (*noOutput, error) {
	ns := str(in.Namespace)
	if strings.HasPrefix(ns, "AWS/") {
		return nil, ErrInvalidParameterValue.WithMessage("The value AWS/ for parameter Namespace is invalid.")
	}
	if len(in.MetricData) > maxMetricsPerPut {
		return nil, ErrInvalidParameterValue.Withf("The collection MetricData must not contain more than %d items.", maxMetricsPerPut)
	}
	now := s.clock.Now()
	ps := make([]seriesPoint, 0, len(in.MetricData))
	for i, d := range in.MetricData {
		member := fmt.Sprintf("MetricData.member.%d", i+1)
		if len(d.Dimensions) > 30 {
			return nil, ErrInvalidParameterValue.Withf("The collection %s.Dimensions must not contain more than 30 items.", member)
		}
		sets := 0
		for _, set := range []bool{d.Value != nil, d.StatisticValues != nil, d.Values != nil} {
			if set {
				sets++
			}
		}
		if sets > 1 {
			return nil, ErrInvalidCombination.Withf("The parameters %s.Value, %s.StatisticValues and %s.Values are mutually exclusive and you have specified more than one.", member, member, member)
		}
		if d.StorageResolution != nil && *d.StorageResolution != 1 && *d.StorageResolution != 60 {
			return nil, ErrInvalidParameterValue.Withf("The value %d for parameter %s.StorageResolution is invalid. Valid values are 1 and 60.", *d.StorageResolution, member)
		}
		at := now
		if d.Timestamp != nil {
			at = *d.Timestamp
			if at.Before(now.Add(-maxPastTimestamp)) || at.After(now.Add(maxFutureTimestamp)) {
				return nil, ErrInvalidParameterValue.Withf("The parameter %s.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", member)
			}
		}
		if d.StorageResolution == nil || *d.StorageResolution == 60 {
			at = at.Truncate(time.Second) // standard resolution keeps seconds, not their fractions
		}
		p := point{}
		if d.Unit != nil {
			p.Unit = string(*d.Unit)
		}
		switch {
		case d.StatisticValues != nil:
			sv := d.StatisticValues
			for _, v := range []float64{*sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum} {
				if !validValue(v) {
					return nil, ErrInvalidParameterValue.Withf("The value %s for parameter %s.StatisticValues is invalid.", strconv.FormatFloat(v, 'g', -1, 64), member)
				}
			}
			p.Count, p.Sum, p.Min, p.Max = *sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum
		case d.Values != nil:
			if len(d.Values) > maxValuesPerDatum {
				return nil, ErrInvalidParameterValue.Withf("The collection %s.Values must not contain more than %d items.", member, maxValuesPerDatum)
			}
			if d.Counts != nil && len(d.Counts) != len(d.Values) {
				return nil, ErrInvalidParameterValue.Withf("The parameters %s.Values and %s.Counts must be of the same size.", member, member)
			}
			p.Min, p.Max = math.Inf(1), math.Inf(-1)
			for j, v := range d.Values {
				if !validValue(v) {
					return nil, ErrInvalidParameterValue.Withf("The value %s for parameter %s.Values is invalid.", strconv.FormatFloat(v, 'g', -1, 64), member)
				}
				c := 1.0
				if d.Counts != nil {
					c = d.Counts[j]
				}
				// A count is a number of observations: never negative, and
				// within the range values have.
				if !validValue(c) || c < 0 {
					return nil, ErrInvalidParameterValue.Withf("The value %s for parameter %s.Counts is invalid.", strconv.FormatFloat(c, 'g', -1, 64), member)
				}
				p.Count += c
				p.Sum += v * c
				p.Min, p.Max = math.Min(p.Min, v), math.Max(p.Max, v)
				p.Values = append(p.Values, v)
				p.Counts = append(p.Counts, c)
			}
			if len(d.Values) == 0 {
				continue
			}
		default:
			v := 0.0
			if d.Value != nil {
				v = *d.Value
			}
			if !validValue(v) {
				return nil, ErrInvalidParameterValue.Withf("The value %s for parameter %s.Value is invalid.", strconv.FormatFloat(v, 'g', -1, 64), member)
			}
			p.Count, p.Sum, p.Min, p.Max, p.Values = 1, v, v, v, []float64{v}
		}
		ps = append(ps, seriesPoint{series: series{Namespace: ns, Name: str(d.MetricName), Dims: dims(d.Dimensions)}, at: at, point: p})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, s.record(ps)
}

// RecordPoints adds aggregated datapoints to metrics of AWS
// namespaces; the services' own metrics (AWS/Lambda) come in through it.
func (s *Service) RecordPoints(ps []Point) error {
	out := make([]seriesPoint, 0, len(ps))
	for _, p := range ps {
		ds := make([]dim, 0, len(p.Dimensions))
		for _, d := range p.Dimensions {
			ds = append(ds, dim{Name: d[0], Value: d[1]})
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
		out = append(out, seriesPoint{series: series{Namespace: p.Namespace, Name: p.Name, Dims: ds}, at: p.Time,
			point: point{Unit: p.Unit, Count: p.Count, Sum: p.Sum, Min: p.Min, Max: p.Max, Values: p.Values, Counts: p.Counts}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.record(out)
}

// Point is an aggregated datapoint of a service's own metric.
type Point struct {
	Namespace, Name string
	// Dimensions are name, value pairs.
	Dimensions [][2]string
	Time       time.Time
	Unit       string
	Count      float64
	Sum        float64
	Min, Max   float64
	// Values and Counts, when set, let percentiles be computed.
	Values, Counts []float64
}

func (s *Service) listMetrics(_ context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	after := ""
	if in.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || len(raw) == 0 {
			return nil, ErrInvalidNextToken
		}
		after = string(raw)
	}
	now := s.clock.Now()
	// "ListMetrics doesn't return information about metrics if those
	// metrics haven't reported data in the past two weeks."
	recent := now.Add(-14 * 24 * time.Hour)
	if in.RecentlyActive != nil && *in.RecentlyActive == "PT3H" {
		recent = now.Add(-3 * time.Hour)
	}
	s.mu.Lock()
	var ids []string
	for id, sr := range s.series {
		if id <= after && after != "" || sr.Last < recent.UnixMilli() {
			continue
		}
		if in.Namespace != nil && sr.Namespace != *in.Namespace || in.MetricName != nil && sr.Name != *in.MetricName {
			continue
		}
		if !matchesFilters(sr.Dims, in.Dimensions) {
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := &ListMetricsOutput{Metrics: []Metric{}}
	for i, id := range ids {
		if i == listMetricsPage {
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(ids[i-1])))
			break
		}
		sr := s.series[id]
		out.Metrics = append(out.Metrics, Metric{Namespace: ptr(sr.Namespace), MetricName: ptr(sr.Name), Dimensions: apiDims(sr.Dims)})
	}
	s.mu.Unlock()
	return out, nil
}

// matchesFilters reports whether a metric has every filtered dimension
// (with its value, when the filter gives one).
func matchesFilters(ds []dim, fs []DimensionFilter) bool {
	for _, f := range fs {
		found := false
		for _, d := range ds {
			if d.Name == str(f.Name) && (f.Value == nil || d.Value == *f.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

var standardStatistics = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}

func (s *Service) getMetricStatistics(_ context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, ErrMissingParameter.WithMessage("Must specify either Statistics or ExtendedStatistics.")
	}
	for _, e := range in.ExtendedStatistics {
		if _, ok := percentile(e); !ok {
			return nil, ErrInvalidParameterValue.Withf("The value %s for parameter ExtendedStatistics is not supported.", e)
		}
	}
	period := *in.Period
	if err := checkPeriod(period, "Period"); err != nil {
		return nil, err
	}
	start, end := alignStart(*in.StartTime, period), *in.EndTime
	if !end.After(start) {
		return nil, ErrInvalidParameterValue.WithMessage("The parameter StartTime must be less than the parameter EndTime.")
	}
	if n := int64(math.Ceil(end.Sub(start).Seconds() / float64(period))); n > maxDatapointsStats {
		return nil, ErrInvalidCombination.Withf("You have requested up to %s datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", groupDigits(n))
	}
	unit := ""
	if in.Unit != nil {
		unit = string(*in.Unit)
	}
	id := seriesID(str(in.Namespace), str(in.MetricName), dims(in.Dimensions))
	buckets, err := s.aggregate(id, start, end, period, unit)
	if err != nil {
		return nil, err
	}
	out := &GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []Datapoint{}}
	for _, k := range buckets {
		dp := Datapoint{Timestamp: ptr(k.start)}
		u := StandardUnit(k.unit)
		if u == "" {
			u = "None"
		}
		dp.Unit = &u
		for _, st := range in.Statistics {
			v, _ := k.stat(string(st))
			switch st {
			case "SampleCount":
				dp.SampleCount = ptr(v)
			case "Average":
				dp.Average = ptr(v)
			case "Sum":
				dp.Sum = ptr(v)
			case "Minimum":
				dp.Minimum = ptr(v)
			case "Maximum":
				dp.Maximum = ptr(v)
			}
		}
		for _, e := range in.ExtendedStatistics {
			if v, ok := k.stat(e); ok {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[e] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// checkPeriod checks a period: 1, 5, 10, 30 (high resolution) or a
// multiple of 60 seconds.
func checkPeriod(p int32, name string) error {
	switch {
	case p == 1 || p == 5 || p == 10 || p == 30 || p%60 == 0 && p > 0:
		return nil
	}
	return ErrInvalidParameterValue.Withf("The parameter %s must be a multiple of 60 or one of 1, 5, 10, 30.", name)
}

// maxDataQueries bounds GetMetricData: "as many as 500 different
// metrics in a single request".
const maxDataQueries = 500

// maxDataPoints is GetMetricData's page: up to 100,800 datapoints a call.
const maxDataPoints = 100800

func (s *Service) getMetricData(_ context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	if len(in.MetricDataQueries) > maxDataQueries {
		return nil, ErrValidation.Withf("The collection MetricDataQueries must not contain more than %d items.", maxDataQueries)
	}
	qs, err := s.newQuerySet(in.MetricDataQueries, "MetricDataQueries")
	if err != nil {
		return nil, err
	}
	if !in.EndTime.After(*in.StartTime) {
		return nil, ErrValidation.WithMessage("The parameter StartTime must be less than the parameter EndTime.")
	}
	compute := qs.evaluator(*in.StartTime, *in.EndTime)

	ascending := in.ScanBy != nil && *in.ScanBy == "TimestampAscending"
	// The next token is the index of the query to go on with, of the
	// series among those it returns and how many of its datapoints were
	// already returned.
	from, member, skip := 0, 0, 0
	if in.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err == nil {
			_, err = fmt.Sscanf(string(raw), "%d/%d/%d", &from, &member, &skip)
		}
		if err != nil || from < 0 || member < 0 || skip < 0 || from >= len(in.MetricDataQueries) {
			return nil, ErrInvalidNextToken
		}
	}
	budget := maxDataPoints
	if in.MaxDatapoints != nil && int(*in.MaxDatapoints) > 0 && int(*in.MaxDatapoints) < budget {
		budget = int(*in.MaxDatapoints)
	}
	out := &GetMetricDataOutput{MetricDataResults: []MetricDataResult{}, Messages: []MessageData{}}
	for qi := from; qi < len(in.MetricDataQueries) && out.NextToken == nil; qi++ {
		q := in.MetricDataQueries[qi]
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		v, err := compute(str(q.Id))
		if err != nil {
			return nil, err
		}
		all := resultSeries(q, v)
		for mi := 0; mi < len(all); mi++ {
			if qi == from && mi < member {
				continue
			}
			sr := all[mi]
			stamps := sortedStamps(sr.points)
			if !ascending {
				for i, j := 0, len(stamps)-1; i < j; i, j = i+1, j-1 {
					stamps[i], stamps[j] = stamps[j], stamps[i]
				}
			}
			label := sr.label
			r := MetricDataResult{Id: q.Id, Label: &label, Timestamps: []time.Time{}, Values: []float64{}, Messages: []MessageData{}}
			status := StatusCode("Complete")
			for n, ts := range stamps {
				if n < skip {
					continue
				}
				if budget == 0 {
					status = "PartialData"
					out.NextToken = ptr(base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d/%d/%d", qi, mi, n)))
					break
				}
				r.Timestamps = append(r.Timestamps, time.UnixMilli(ts).UTC())
				r.Values = append(r.Values, sr.points[ts])
				budget--
			}
			skip = 0
			r.StatusCode = &status
			out.MetricDataResults = append(out.MetricDataResults, r)
			if out.NextToken != nil {
				break
			}
		}
		member = 0
	}
	return out, nil
}

func isStandard(st string) bool {
	for _, s := range standardStatistics {
		if s == st {
			return true
		}
	}
	return false
}
