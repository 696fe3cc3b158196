package cloudwatch

import (
	"fmt"
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
	return qs, nil
}

// evaluator returns a function giving each query's time series over
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
		var v mathValue
		if n := qs.exprs[id]; n != nil {
			var err error
			if v, err = n.eval(compute); err != nil {
				return mathValue{}, err
			}
			if v.scalar {
				return mathValue{}, ErrValidation.Withf("The expression of %s must give a time series.", id)
			}
		} else {
			ms := qs.queries[i].MetricStat
			unit := ""
			if ms.Unit != nil {
				unit = string(*ms.Unit)
			}
			m := ms.Metric
			buckets, err := qs.s.aggregate(seriesID(str(m.Namespace), str(m.MetricName), dims(m.Dimensions)),
				alignStart(start, *ms.Period), end, *ms.Period, unit)
			if err != nil {
				return mathValue{}, err
			}
			v.series = make(map[int64]float64, len(buckets))
			for _, k := range buckets {
				if x, ok := k.stat(*ms.Stat); ok {
					v.series[k.start.UnixMilli()] = x
				}
			}
		}
		computed[id] = v
		return v, nil
	}
	return compute
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
