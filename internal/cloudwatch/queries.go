package cloudwatch

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// querySet is a checked list of MetricDataQuery, as GetMetricData and
// metric math alarms take them.
type querySet struct {
	s       *Service
	queries []MetricDataQuery
	byID    map[string]int
	exprs   map[string]mathNode
}

// newQuerySet checks queries; member names the list in messages
// ("MetricDataQueries", "Metrics").
func (s *Service) newQuerySet(queries []MetricDataQuery, member string) (*querySet, error) {
	qs := &querySet{s: s, queries: queries, byID: map[string]int{}, exprs: map[string]mathNode{}}
	for i, q := range queries {
		id := str(q.Id)
		if _, dup := qs.byID[id]; dup {
			return nil, ErrValidation.Withf("The value %s for parameter %s.member.%d.Id is already used.", id, member, i+1)
		}
		qs.byID[id] = i
		if (q.Expression == nil) == (q.MetricStat == nil) {
			return nil, ErrValidation.Withf("Exactly one element of the metricStat or the expression must be specified in %s.member.%d.", member, i+1)
		}
		if q.Expression != nil {
			n, _, err := parseMath(*q.Expression)
			if err != nil {
				return nil, ErrValidation.Withf("Error in expression '%s': %s", id, err.Error())
			}
			if member == "Metrics" && calls(n, "SEARCH") {
				// "You can't create an alarm based on a SEARCH expression."
				return nil, ErrValidation.Withf("Error in expression '%s': an alarm cannot be based on a SEARCH expression", id) // unsourced message
			}
			qs.exprs[id] = n
			continue
		}
		if err := checkPeriod(*q.MetricStat.Period, fmt.Sprintf("%s.member.%d.MetricStat.Period", member, i+1)); err != nil {
			return nil, ErrValidation.WithMessage(apierr.As(err).Message)
		}
		if st := *q.MetricStat.Stat; !isStandard(st) {
			if _, ok := percentile(st); !ok {
				return nil, ErrValidation.Withf("The value %s for parameter %s.member.%d.MetricStat.Stat is not supported.", st, member, i+1)
			}
		}
	}
	if member == "Metrics" {
		// PutMetricAlarm: "as many as 20 MetricDataQuery structures ... as
		// many as 10 structures that contain a MetricStat parameter ...
		// and as many as 10 structures that contain the Expression
		// parameter" (MetricDataQuery).
		stats := 0
		for _, q := range queries {
			if q.MetricStat != nil {
				stats++
			}
		}
		if len(queries) > maxAlarmQueries || stats > maxAlarmQueries/2 || len(queries)-stats > maxAlarmQueries/2 {
			return nil, ErrValidation.Withf("The collection Metrics must not contain more than %d items, of which at most %d metrics and %d expressions.", maxAlarmQueries, maxAlarmQueries/2, maxAlarmQueries/2) // unsourced message
		}
	}
	return qs, nil
}

// maxAlarmQueries bounds the Metrics of a metric math alarm.
const maxAlarmQueries = 20

// calls reports whether an expression calls the function name.
func calls(n mathNode, name string) bool {
	switch n := n.(type) {
	case mathCall:
		if n.name == name {
			return true
		}
		for _, a := range n.args {
			if calls(a, name) {
				return true
			}
		}
	case mathArray:
		for _, a := range n {
			if calls(a, name) {
				return true
			}
		}
	case mathBinary:
		return calls(n.l, name) || calls(n.r, name)
	case mathNeg:
		return calls(n.x, name)
	}
	return false
}

// check evaluates the returned query of an alarm over an empty range,
// which finds wrong arguments and results that are not one time series
// before the alarm is kept.
func (qs *querySet) check() error {
	id, _, err := qs.returned()
	if err != nil {
		return err
	}
	at := time.Unix(0, 0)
	v, err := qs.evaluator(at, at)(id)
	if err != nil {
		return err
	}
	if v.kind == kArray && len(v.arr) != 1 {
		// An empty range may give an array of no series; METRICS() with
		// several metrics gives several.
		if n := len(v.arr); n > 1 || calls(qs.exprs[id], "METRICS") || calls(qs.exprs[id], "SEARCH") {
			_, err = single(mathValue{kind: kArray, arr: make([]mathSeries, max(n, 2))})
			return err
		}
	}
	return nil
}

// evaluator returns a function giving each query's value over
// [start, end), computed once; expressions are computed from the queries
// they name.
func (qs *querySet) evaluator(start, end time.Time) func(id string) (mathValue, error) {
	computed := map[string]mathValue{}
	visiting := map[string]bool{}
	var compute func(id string) (mathValue, error)
	compute = func(id string) (mathValue, error) {
		if v, ok := computed[id]; ok {
			return v, nil
		}
		i, ok := qs.byID[id]
		if !ok {
			return mathValue{}, ErrValidation.Withf("The expression refers to %s, which is not the Id of a query of this request.", id)
		}
		if visiting[id] {
			return mathValue{}, ErrValidation.Withf("The expression of %s refers to itself.", id)
		}
		visiting[id] = true
		defer delete(visiting, id)
		q := qs.queries[i]
		var v mathValue
		if n := qs.exprs[id]; n != nil {
			env := qs.env(compute, start, end, q)
			var err error
			if v, err = n.eval(env); err != nil {
				if apierr.As(err) != nil {
					return mathValue{}, err
				}
				return mathValue{}, ErrValidation.Withf("Error in expression '%s': %s", id, err.Error())
			}
			if v.kind == kScalar {
				return mathValue{}, ErrValidation.Withf("The expression of %s must give a time series.", id)
			}
		} else {
			ms := q.MetricStat
			unit := ""
			if ms.Unit != nil {
				unit = string(*ms.Unit)
			}
			m := ms.Metric
			label := str(q.Label)
			if label == "" {
				label = str(m.MetricName)
			}
			ts, err := qs.s.statSeries(seriesID(str(m.Namespace), str(m.MetricName), dims(m.Dimensions)), *ms.Stat, start, end, *ms.Period, unit)
			if err != nil {
				return mathValue{}, err
			}
			ts.label = label
			v = seriesValue(ts)
		}
		computed[id] = v
		return v, nil
	}
	return compute
}

// statSeries is one statistic of a stored metric per period.
func (s *Service) statSeries(id, stat string, start, end time.Time, period int32, unit string) (mathSeries, error) {
	buckets, err := s.aggregate(id, alignStart(start, period), end, period, unit)
	if err != nil {
		return mathSeries{}, err
	}
	out := mathSeries{period: period, points: make(map[int64]float64, len(buckets))}
	for _, k := range buckets {
		if x, ok := k.stat(stat); ok {
			out.points[k.start.UnixMilli()] = x
		}
	}
	return out, nil
}

// env is what the expression of query q is evaluated against.
func (qs *querySet) env(compute func(string) (mathValue, error), start, end time.Time, q MetricDataQuery) *mathEnv {
	period := int32(0)
	if q.Period != nil {
		period = *q.Period
	}
	for _, o := range qs.queries {
		if period == 0 && o.MetricStat != nil {
			period = *o.MetricStat.Period
		}
	}
	return &mathEnv{
		ref: compute,
		metrics: func(filter string) ([]mathSeries, error) {
			out := []mathSeries{}
			for _, o := range qs.queries {
				if o.MetricStat == nil || !strings.Contains(str(o.Id), filter) {
					continue
				}
				v, err := compute(str(o.Id))
				if err != nil {
					return nil, err
				}
				out = append(out, v.ts)
			}
			return out, nil
		},
		periodOf: func(id string) (int32, bool) {
			if i, ok := qs.byID[id]; ok && qs.queries[i].MetricStat != nil {
				return *qs.queries[i].MetricStat.Period, true
			}
			return 0, false
		},
		search: func(query, stat string, period int32) ([]mathSeries, error) {
			return qs.s.search(query, stat, start, end, period)
		},
		start:  start.UnixMilli(),
		end:    end.UnixMilli(),
		period: period,
	}
}

// search runs a SEARCH expression over the stored metrics (search.go).
func (s *Service) search(query, stat string, start, end time.Time, period int32) ([]mathSeries, error) {
	q, err := parseSearch(query)
	if err != nil {
		return nil, err
	}
	if !isStandard(stat) {
		if _, ok := percentile(stat); !ok {
			return nil, fmt.Errorf("the statistic %s is not supported", stat) // unsourced message
		}
	}
	if err := checkPeriod(period, "period of SEARCH"); err != nil {
		return nil, fmt.Errorf("%s", apierr.As(err).Message)
	}
	// "A search expression can only find metrics that have reported
	// data within the past two weeks", as ListMetrics lists them.
	recent := s.clock.Now().Add(-14 * 24 * time.Hour).UnixMilli()
	s.mu.Lock()
	var found []*series
	for _, sr := range s.series {
		if sr.Last >= recent && q.match(sr) {
			c := *sr
			found = append(found, &c)
		}
	}
	s.mu.Unlock()
	sort.Slice(found, func(i, j int) bool { return found[i].id() < found[j].id() })
	if len(found) > maxSearchSeries {
		found = found[:maxSearchSeries]
	}
	out := make([]mathSeries, 0, len(found))
	for _, sr := range found {
		ts, err := s.statSeries(sr.id(), stat, start, end, period, "")
		if err != nil {
			return nil, err
		}
		ts.label = q.label(sr)
		out = append(out, ts)
	}
	return out, nil
}

// results expands a query's value into the series it returns with their
// labels: one for a time series, one a member for an array. A member's
// label is the expression's Label followed by the member's own, or the
// member's own without one (as the User Guide describes the legend of
// FILL(METRICS(), 0)).
func resultSeries(q MetricDataQuery, v mathValue) []mathSeries {
	if v.kind == kSeries {
		s := v.ts
		s.label = str(q.Label)
		if s.label == "" && q.MetricStat != nil {
			s.label = str(q.MetricStat.Metric.MetricName)
		} else if s.label == "" {
			s.label = str(q.Id)
		}
		return []mathSeries{s}
	}
	out := make([]mathSeries, len(v.arr))
	for i, s := range v.arr {
		if l := str(q.Label); l != "" {
			s.label = strings.TrimSpace(l + " " + s.label)
		}
		out[i] = s
	}
	return out
}

// single is the one time series of an alarm's returned expression.
func single(v mathValue) (mathSeries, error) {
	switch {
	case v.kind == kSeries:
		return v.ts, nil
	case v.kind == kArray && len(v.arr) == 1:
		return v.arr[0], nil
	}
	// "Any expression used in a PutMetricAlarm operation must return a
	// single time series."
	return mathSeries{}, ErrValidation.WithMessage("The expression of an alarm must return a single time series.") // unsourced message
}

// returned is the one query whose ReturnData is true (or unset), as a
// metric math alarm must have, and its period.
func (qs *querySet) returned() (string, int32, error) {
	id, period, n := "", int32(0), 0
	for _, q := range qs.queries {
		if q.ReturnData == nil || *q.ReturnData {
			n++
			id = str(q.Id)
			if q.MetricStat != nil {
				period = *q.MetricStat.Period
			} else if q.Period != nil {
				period = *q.Period
			}
		}
	}
	if n != 1 {
		return "", 0, ErrValidation.WithMessage("Exactly one element of the metrics list should return data.")
	}
	if period == 0 {
		for _, q := range qs.queries {
			if q.MetricStat != nil {
				period = *q.MetricStat.Period
				break
			}
		}
	}
	if period == 0 {
		return "", 0, ErrValidation.WithMessage("The expression that returns data needs a Period when no metric of the list has one.")
	}
	return id, period, nil
}
