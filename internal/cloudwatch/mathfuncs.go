package cloudwatch

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// The functions of metric math, as the CloudWatch User Guide's table
// ("Functions supported for metric math") gives them with their
// argument and return types. Messages for wrong arguments are virga's
// own (AWS does not document its wording).

// mathCall is a call of a function.
type mathCall struct {
	name string
	args []mathNode
}

// mathKeywords are the bare words functions take as arguments.
var mathKeywords = map[string]bool{
	"REPEAT": true, "LINEAR": true,
	"AVG": true, "MIN": true, "MAX": true, "SUM": true,
	"ASC": true, "DESC": true,
}

type mathFunc func(env *mathEnv, c mathCall) (mathValue, error)

// mathFuncs is filled in init: the functions refer to evaluation,
// which refers back to the table.
var mathFuncs map[string]mathFunc

func init() {
	mathFuncs = map[string]mathFunc{
		"ABS":             pointwise(math.Abs),
		"CEIL":            pointwise(math.Ceil),
		"FLOOR":           pointwise(math.Floor),
		"LOG":             pointwise(math.Log),
		"LOG10":           pointwise(math.Log10),
		"AVG":             reduction(reduceAvg, true),
		"SUM":             reduction(reduceSum, true),
		"MIN":             reduction(reduceMin, false),
		"MAX":             reduction(reduceMax, false),
		"STDDEV":          reduction(reduceStddev, false),
		"DATAPOINT_COUNT": reduction(reduceCount, false),
		"DIFF":            sequential(func(v, pv float64, _, _ int64) float64 { return v - pv }),
		"DIFF_TIME":       sequential(func(_, _ float64, t, pt int64) float64 { return float64(t-pt) / 1000 }),
		"RATE":            sequential(func(v, pv float64, t, pt int64) float64 { return (v - pv) / (float64(t-pt) / 1000) }),
		"RUNNING_SUM":     perSeries(runningSum),
		"FILL":            fill,
		"FIRST":           firstLast(true),
		"LAST":            firstLast(false),
		"IF":              ifFunc,
		"METRICS":         metricsFunc,
		"METRIC_COUNT":    metricCount,
		"PERIOD":          periodFunc,
		"REMOVE_EMPTY":    removeEmpty,
		"SLICE":           slice,
		"SORT":            sortFunc,
		"TIME_SERIES":     timeSeries,
		"SEARCH":          searchFunc,
		"MINUTE":          clockFunc(func(t time.Time) float64 { return float64(t.Minute()) }),
		"HOUR":            clockFunc(func(t time.Time) float64 { return float64(t.Hour()) }),
		// DAY is the day of the week, Monday 1 to Sunday 7 (AWS's
		// example IF(DAY(m1)<6,m1) keeps Monday to Friday).
		"DAY": clockFunc(func(t time.Time) float64 {
			if t.Weekday() == time.Sunday {
				return 7
			}
			return float64(t.Weekday())
		}),
		"DATE":                   clockFunc(func(t time.Time) float64 { return float64(t.Day()) }),
		"MONTH":                  clockFunc(func(t time.Time) float64 { return float64(t.Month()) }),
		"YEAR":                   clockFunc(func(t time.Time) float64 { return float64(t.Year()) }),
		"EPOCH":                  clockFunc(func(t time.Time) float64 { return float64(t.Unix()) }),
		"INSIGHT_RULE_METRIC":    refused("INSIGHT_RULE_METRIC needs Contributor Insights rules, which this CloudWatch does not have"),
		"ANOMALY_DETECTION_BAND": refused("ANOMALY_DETECTION_BAND needs anomaly detection models, which this CloudWatch does not have"),
		"SERVICE_QUOTA":          refused("SERVICE_QUOTA needs Service Quotas, which this CloudWatch does not have"),
	}
}

func (c mathCall) eval(env *mathEnv) (mathValue, error) {
	return mathFuncs[c.name](env, c)
}

// argErr is the error for arguments a function does not take.
func (c mathCall) argErr(got ...mathValue) error {
	kinds := ""
	for i, v := range got {
		if i > 0 {
			kinds += ", "
		}
		kinds += v.kind.String()
	}
	return fmt.Errorf("invalid arguments for function %s: (%s)", c.name, kinds) // unsourced message
}

// evalArgs evaluates all arguments, checking how many there are.
func (c mathCall) evalArgs(env *mathEnv, min, max int) ([]mathValue, error) {
	if len(c.args) < min || len(c.args) > max {
		return nil, fmt.Errorf("function %s takes %s, not %d", c.name, argCount(min, max), len(c.args)) // unsourced message
	}
	out := make([]mathValue, len(c.args))
	for i, a := range c.args {
		v, err := a.eval(env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func argCount(min, max int) string {
	switch {
	case min == max && min == 1:
		return "1 argument"
	case min == max:
		return fmt.Sprintf("%d arguments", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

func refused(msg string) mathFunc {
	return func(*mathEnv, mathCall) (mathValue, error) { return mathValue{}, fmt.Errorf("%s", msg) }
}

// eachSeries applies f to a time series, or to each member of an array.
func eachSeries(c mathCall, v mathValue, f func(mathSeries) mathSeries) (mathValue, error) {
	switch v.kind {
	case kSeries:
		return seriesValue(f(v.ts)), nil
	case kArray:
		out := mathValue{kind: kArray, arr: make([]mathSeries, len(v.arr))}
		for i, s := range v.arr {
			out.arr[i] = f(s)
		}
		return out, nil
	}
	return mathValue{}, c.argErr(v)
}

// pointwise is a TS | TS[] → TS | TS[] function of each value.
func pointwise(f func(float64) float64) mathFunc {
	return func(env *mathEnv, c mathCall) (mathValue, error) {
		args, err := c.evalArgs(env, 1, 1)
		if err != nil {
			return mathValue{}, err
		}
		return eachSeries(c, args[0], func(s mathSeries) mathSeries { return mapSeries(s, f) })
	}
}

func perSeries(f func(mathSeries) mathSeries) mathFunc {
	return func(env *mathEnv, c mathCall) (mathValue, error) {
		args, err := c.evalArgs(env, 1, 1)
		if err != nil {
			return mathValue{}, err
		}
		return eachSeries(c, args[0], f)
	}
}

// sortedStamps returns the timestamps of a series in time order.
func sortedStamps(points map[int64]float64) []int64 {
	out := make([]int64, 0, len(points))
	for ts := range points {
		out = append(out, ts)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// sequential makes DIFF, DIFF_TIME and RATE: each point but the first
// gets f of its value and timestamp and the preceding ones.
func sequential(f func(v, pv float64, t, pt int64) float64) mathFunc {
	return perSeries(func(s mathSeries) mathSeries {
		out := mathSeries{label: s.label, period: s.period, points: map[int64]float64{}}
		stamps := sortedStamps(s.points)
		for i := 1; i < len(stamps); i++ {
			t, pt := stamps[i], stamps[i-1]
			if x := f(s.points[t], s.points[pt], t, pt); finite(x) {
				out.points[t] = x
			}
		}
		return out
	})
}

func runningSum(s mathSeries) mathSeries {
	out := mathSeries{label: s.label, period: s.period, points: make(map[int64]float64, len(s.points))}
	total := 0.0
	for _, ts := range sortedStamps(s.points) {
		total += s.points[ts]
		out.points[ts] = total
	}
	return out
}

// A reducer combines values: of a whole time series into a scalar, or
// of the members of an array at one timestamp.
type reducer func(vs []float64) float64

func reduceSum(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return t
}

func reduceAvg(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	return reduceSum(vs) / float64(len(vs))
}

func reduceMin(vs []float64) float64 {
	m := math.Inf(1)
	for _, v := range vs {
		m = math.Min(m, v)
	}
	return m
}

func reduceMax(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

// reduceStddev is the population standard deviation (AWS does not say
// which it computes).
func reduceStddev(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	avg := reduceAvg(vs)
	sq := 0.0
	for _, v := range vs {
		sq += (v - avg) * (v - avg)
	}
	return math.Sqrt(sq / float64(len(vs)))
}

func reduceCount(vs []float64) float64 { return float64(len(vs)) }

// reduction makes AVG, SUM, MIN, MAX, STDDEV and DATAPOINT_COUNT: TS → S
// over all the series' points, TS[] → TS over the members at each
// timestamp. zeroMissing counts a member missing a timestamp as 0 (AWS
// documents it for AVG; the sum is the same either way); the others
// reduce the values present.
func reduction(f reducer, zeroMissing bool) mathFunc {
	return func(env *mathEnv, c mathCall) (mathValue, error) {
		args, err := c.evalArgs(env, 1, 1)
		if err != nil {
			return mathValue{}, err
		}
		v := args[0]
		switch v.kind {
		case kSeries:
			vs := make([]float64, 0, len(v.ts.points))
			for _, ts := range sortedStamps(v.ts.points) {
				vs = append(vs, v.ts.points[ts])
			}
			// A series without datapoints has no average, minimum or
			// maximum: the scalar is not a number, and the points computed
			// from it are dropped. (AWS does not document this case.)
			return scalarValue(f(vs)), nil
		case kArray:
			out := mathSeries{points: map[int64]float64{}}
			stamps := map[int64]bool{}
			for _, s := range v.arr {
				if out.period == 0 {
					out.period = s.period
				}
				for ts := range s.points {
					stamps[ts] = true
				}
			}
			vs := make([]float64, 0, len(v.arr))
			for ts := range stamps {
				vs = vs[:0]
				for _, s := range v.arr {
					if x, ok := s.points[ts]; ok {
						vs = append(vs, x)
					} else if zeroMissing {
						vs = append(vs, 0)
					}
				}
				if x := f(vs); finite(x) {
					out.points[ts] = x
				}
			}
			return seriesValue(out), nil
		}
		return mathValue{}, c.argErr(v)
	}
}

// grid returns the timestamps of the request's range at a period: the
// starts of the periods a metric's datapoints are aggregated into, from
// the request's StartTime rounded down as CloudWatch rounds it
// (alignStart), so that the points FILL, TIME_SERIES and the clock
// functions make fall on a metric's own timestamps.
func grid(env *mathEnv, period int32) []int64 {
	if period <= 0 {
		period = env.period
	}
	if period <= 0 {
		period = 60
	}
	step := int64(period) * 1000
	first := alignStart(time.UnixMilli(env.start), period).UnixMilli()
	var out []int64
	for ts := first; ts < env.end && len(out) < maxDataPoints; ts += step {
		out = append(out, ts)
	}
	return out
}

// fill: FILL(TS | TS[], S | TS | REPEAT | LINEAR) gives a value to every
// period of the request's range that has none. A number or a time
// series gives the value (a series only where it has one); REPEAT
// repeats the last value before the gap and LINEAR interpolates between
// the values on each side of it. Before the first value both take the
// first value, after the last one LINEAR repeats the last (AWS does not
// document the ends of the range).
func fill(env *mathEnv, c mathCall) (mathValue, error) {
	if len(c.args) != 2 {
		return mathValue{}, fmt.Errorf("function FILL takes 2 arguments, not %d", len(c.args)) // unsourced message
	}
	target, err := c.args[0].eval(env)
	if err != nil {
		return mathValue{}, err
	}
	var with mathValue
	mode, _ := c.args[1].(mathKeyword)
	switch mode {
	case "":
		if with, err = c.args[1].eval(env); err != nil {
			return mathValue{}, err
		}
		// FILL(TS, S) and FILL(TS[], TS | S), as the User Guide's table
		// gives the argument types.
		if with.kind == kArray || with.kind == kSeries && target.kind != kArray {
			return mathValue{}, c.argErr(target, with)
		}
	case "REPEAT", "LINEAR":
	default:
		return mathValue{}, fmt.Errorf("FILL takes a number, a time series, REPEAT or LINEAR, not %s", mode) // unsourced message
	}
	if target.kind == kScalar {
		return mathValue{}, c.argErr(target)
	}
	return eachSeries(c, target, func(s mathSeries) mathSeries {
		out := mathSeries{label: s.label, period: s.period, points: make(map[int64]float64, len(s.points))}
		for ts, v := range s.points {
			out.points[ts] = v
		}
		stamps := sortedStamps(s.points)
		for _, ts := range grid(env, s.period) {
			if _, ok := s.points[ts]; ok {
				continue
			}
			switch {
			case mode == "" && with.kind == kScalar:
				if finite(with.n) {
					out.points[ts] = with.n
				}
			case mode == "" && with.kind == kSeries:
				if v, ok := with.ts.points[ts]; ok {
					out.points[ts] = v
				}
			case len(stamps) == 0:
			default:
				i := sort.Search(len(stamps), func(i int) bool { return stamps[i] > ts })
				switch {
				case i == 0:
					out.points[ts] = s.points[stamps[0]]
				case i == len(stamps) || mode == "REPEAT":
					out.points[ts] = s.points[stamps[i-1]]
				default:
					t0, t1 := stamps[i-1], stamps[i]
					v0, v1 := s.points[t0], s.points[t1]
					out.points[ts] = v0 + (v1-v0)*float64(ts-t0)/float64(t1-t0)
				}
			}
		}
		return out
	})
}

func firstLast(first bool) mathFunc {
	return func(env *mathEnv, c mathCall) (mathValue, error) {
		args, err := c.evalArgs(env, 1, 1)
		if err != nil {
			return mathValue{}, err
		}
		v := args[0]
		if v.kind != kArray {
			return mathValue{}, c.argErr(v)
		}
		if len(v.arr) == 0 {
			return seriesValue(mathSeries{points: map[int64]float64{}}), nil
		}
		if first {
			return seriesValue(v.arr[0]), nil
		}
		return seriesValue(v.arr[len(v.arr)-1]), nil
	}
}

// ifFunc: IF(condition, trueValue[, falseValue]), as the User Guide's
// "Using IF expressions" gives it. A condition is true when not 0.
//
// With a time series condition, each of its points gives a point: the
// true value's (0 when it is a series without that point), or the false
// value's (dropped when it is a series without that point, or omitted).
// With a scalar condition the result is the true or the false value (an
// empty time series when false and omitted).
func ifFunc(env *mathEnv, c mathCall) (mathValue, error) {
	args, err := c.evalArgs(env, 2, 3)
	if err != nil {
		return mathValue{}, err
	}
	cond, tv := args[0], args[1]
	var fv *mathValue
	if len(args) == 3 {
		fv = &args[2]
	}
	for _, v := range args {
		if v.kind == kArray {
			return mathValue{}, c.argErr(args...)
		}
	}
	if cond.kind == kScalar {
		if tv.kind == kScalar && (fv == nil || fv.kind == kScalar) {
			return mathValue{}, c.argErr(args...)
		}
		if cond.n != 0 {
			return tv, nil
		}
		if fv == nil {
			return seriesValue(mathSeries{period: tv.ts.period, points: map[int64]float64{}}), nil
		}
		return *fv, nil
	}
	out := mathSeries{period: cond.ts.period, points: make(map[int64]float64, len(cond.ts.points))}
	for ts, x := range cond.ts.points {
		if x != 0 {
			if tv.kind == kScalar {
				if finite(tv.n) {
					out.points[ts] = tv.n
				}
			} else {
				out.points[ts] = tv.ts.points[ts] // 0 when missing
			}
			continue
		}
		switch {
		case fv == nil:
		case fv.kind == kScalar:
			if finite(fv.n) {
				out.points[ts] = fv.n
			}
		default:
			if v, ok := fv.ts.points[ts]; ok {
				out.points[ts] = v
			}
		}
	}
	return seriesValue(out), nil
}

// metricsFunc: METRICS() is every MetricStat query of the request,
// METRICS("s") those whose Id contains s.
func metricsFunc(env *mathEnv, c mathCall) (mathValue, error) {
	filter := ""
	switch len(c.args) {
	case 0:
	case 1:
		s, ok := c.args[0].(mathString)
		if !ok {
			return mathValue{}, fmt.Errorf("METRICS takes a string or nothing") // unsourced message
		}
		filter = string(s)
	default:
		return mathValue{}, fmt.Errorf("function METRICS takes 0 to 1 arguments, not %d", len(c.args)) // unsourced message
	}
	arr, err := env.metrics(filter)
	if err != nil {
		return mathValue{}, err
	}
	return mathValue{kind: kArray, arr: arr}, nil
}

func metricCount(env *mathEnv, c mathCall) (mathValue, error) {
	args, err := c.evalArgs(env, 1, 1)
	if err != nil {
		return mathValue{}, err
	}
	if args[0].kind != kArray {
		return mathValue{}, c.argErr(args...)
	}
	return scalarValue(float64(len(args[0].arr))), nil
}

// periodFunc: PERIOD(m1) is the period of a metric in seconds; "Valid
// input is metrics, not the results of other expressions."
func periodFunc(env *mathEnv, c mathCall) (mathValue, error) {
	if len(c.args) != 1 {
		return mathValue{}, fmt.Errorf("function PERIOD takes 1 argument, not %d", len(c.args)) // unsourced message
	}
	if r, ok := c.args[0].(mathRef); ok {
		if p, ok := env.periodOf(string(r)); ok {
			return scalarValue(float64(p)), nil
		}
		if _, err := env.ref(string(r)); err != nil {
			return mathValue{}, err
		}
	}
	return mathValue{}, fmt.Errorf("PERIOD takes the Id of a metric, not an expression") // unsourced message
}

func removeEmpty(env *mathEnv, c mathCall) (mathValue, error) {
	args, err := c.evalArgs(env, 1, 1)
	if err != nil {
		return mathValue{}, err
	}
	if args[0].kind != kArray {
		return mathValue{}, c.argErr(args...)
	}
	out := mathValue{kind: kArray, arr: []mathSeries{}}
	for _, s := range args[0].arr {
		if len(s.points) > 0 {
			out.arr = append(out.arr, s)
		}
	}
	return out, nil
}

// index turns a scalar argument into an array index within [0, n].
func index(v float64, n int) int {
	if math.IsNaN(v) {
		return 0
	}
	i := int(math.Max(-1, math.Min(math.Floor(v), float64(n+1))))
	if i < 0 {
		i = 0
	}
	if i > n {
		i = n
	}
	return i
}

// slice: SLICE(TS[], start[, end]), zero-based, end exclusive.
func slice(env *mathEnv, c mathCall) (mathValue, error) {
	args, err := c.evalArgs(env, 2, 3)
	if err != nil {
		return mathValue{}, err
	}
	if args[0].kind != kArray || args[1].kind != kScalar || len(args) == 3 && args[2].kind != kScalar {
		return mathValue{}, c.argErr(args...)
	}
	arr := args[0].arr
	from, to := index(args[1].n, len(arr)), len(arr)
	if len(args) == 3 {
		to = index(args[2].n, len(arr))
	}
	if to < from {
		to = from
	}
	return mathValue{kind: kArray, arr: append([]mathSeries{}, arr[from:to]...)}, nil
}

// sortFunc: SORT(TS[], AVG | MIN | MAX | SUM, ASC | DESC[, limit]).
// Series without datapoints sort last (AWS does not say where).
func sortFunc(env *mathEnv, c mathCall) (mathValue, error) {
	if len(c.args) < 3 || len(c.args) > 4 {
		return mathValue{}, fmt.Errorf("function SORT takes 3 to 4 arguments, not %d", len(c.args)) // unsourced message
	}
	arrV, err := c.args[0].eval(env)
	if err != nil {
		return mathValue{}, err
	}
	fn, _ := c.args[1].(mathKeyword)
	order, _ := c.args[2].(mathKeyword)
	var f reducer
	switch fn {
	case "AVG":
		f = reduceAvg
	case "MIN":
		f = reduceMin
	case "MAX":
		f = reduceMax
	case "SUM":
		f = reduceSum
	default:
		return mathValue{}, fmt.Errorf("SORT sorts by AVG, MIN, MAX or SUM") // unsourced message
	}
	if order != "ASC" && order != "DESC" {
		return mathValue{}, fmt.Errorf("SORT's order is ASC or DESC") // unsourced message
	}
	if arrV.kind != kArray {
		return mathValue{}, c.argErr(arrV)
	}
	limit := len(arrV.arr)
	if len(c.args) == 4 {
		l, err := c.args[3].eval(env)
		if err != nil {
			return mathValue{}, err
		}
		if l.kind != kScalar {
			return mathValue{}, c.argErr(arrV, l)
		}
		limit = index(l.n, len(arrV.arr))
	}
	type keyed struct {
		s   mathSeries
		key float64
		ok  bool
	}
	ks := make([]keyed, len(arrV.arr))
	for i, s := range arrV.arr {
		vs := make([]float64, 0, len(s.points))
		for _, ts := range sortedStamps(s.points) {
			vs = append(vs, s.points[ts])
		}
		k := f(vs)
		ks[i] = keyed{s: s, key: k, ok: len(vs) > 0 && finite(k)}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		if ks[i].ok != ks[j].ok {
			return ks[i].ok
		}
		if order == "DESC" {
			return ks[i].key > ks[j].key
		}
		return ks[i].key < ks[j].key
	})
	out := mathValue{kind: kArray, arr: make([]mathSeries, 0, limit)}
	for _, k := range ks[:limit] {
		out.arr = append(out.arr, k.s)
	}
	return out, nil
}

// timeSeries: TIME_SERIES(S) is a point of that value at every period of
// the request's range.
func timeSeries(env *mathEnv, c mathCall) (mathValue, error) {
	args, err := c.evalArgs(env, 1, 1)
	if err != nil {
		return mathValue{}, err
	}
	if args[0].kind != kScalar {
		return mathValue{}, c.argErr(args...)
	}
	out := mathSeries{period: env.period, points: map[int64]float64{}}
	for _, ts := range grid(env, env.period) {
		if finite(args[0].n) {
			out.points[ts] = args[0].n
		}
	}
	return seriesValue(out), nil
}

// clockFunc makes MINUTE, HOUR, DAY, DATE, MONTH, YEAR and EPOCH: a point
// at every period of the request's range at the series' period, valued
// from its timestamp (UTC).
func clockFunc(f func(time.Time) float64) mathFunc {
	return func(env *mathEnv, c mathCall) (mathValue, error) {
		args, err := c.evalArgs(env, 1, 1)
		if err != nil {
			return mathValue{}, err
		}
		if args[0].kind != kSeries {
			return mathValue{}, c.argErr(args...)
		}
		s := args[0].ts
		out := mathSeries{label: s.label, period: s.period, points: map[int64]float64{}}
		for _, ts := range grid(env, s.period) {
			out.points[ts] = f(time.UnixMilli(ts).UTC())
		}
		return seriesValue(out), nil
	}
}

// searchFunc: SEARCH('{schema} terms', 'Statistic'[, Period]) (search.go).
func searchFunc(env *mathEnv, c mathCall) (mathValue, error) {
	if len(c.args) < 2 || len(c.args) > 3 {
		return mathValue{}, fmt.Errorf("function SEARCH takes 2 to 3 arguments, not %d", len(c.args)) // unsourced message
	}
	q, ok1 := c.args[0].(mathString)
	st, ok2 := c.args[1].(mathString)
	if !ok1 || !ok2 {
		return mathValue{}, fmt.Errorf("SEARCH takes a quoted search expression and a quoted statistic") // unsourced message
	}
	period := env.period
	if len(c.args) == 3 {
		p, err := c.args[2].eval(env)
		if err != nil {
			return mathValue{}, err
		}
		if p.kind != kScalar || p.n < 1 || p.n != math.Trunc(p.n) || p.n > math.MaxInt32 {
			return mathValue{}, fmt.Errorf("SEARCH's period must be a whole number of seconds") // unsourced message
		}
		period = int32(p.n)
	}
	if period <= 0 {
		return mathValue{}, fmt.Errorf("SEARCH needs a period: give it as its third argument or as the query's Period") // unsourced message
	}
	arr, err := env.search(string(q), string(st), period)
	if err != nil {
		return mathValue{}, err
	}
	return mathValue{kind: kArray, arr: arr}, nil
}
