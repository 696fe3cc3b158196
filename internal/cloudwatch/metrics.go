package cloudwatch

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

// Retention is how long CloudWatch keeps datapoints here: 15 days, the
// time AWS keeps its finest (one-minute) resolution.
const Retention = 15 * 24 * time.Hour

// Limits of PutMetricData, as its API reference states them.
const (
	maxMetricsPerPut   = 1000    // "no more than 1000 different metrics"
	maxValuesPerDatum  = 150     // "up to 150 values per metric"
	maxPutPayload      = 1 << 20 // "limited to 1 MB in size for HTTP POST requests"
	maxPastTimestamp   = 14 * 24 * time.Hour
	maxFutureTimestamp = 2 * time.Hour
	maxSeries          = 100_000 // virga's own bound on distinct metrics
	listMetricsPage    = 500     // ListMetrics returns up to 500 results a call
	maxDatapointsStats = 1440    // GetMetricStatistics' limit on datapoints
)

// valueLimit bounds a metric value: "Values must be in the range of
// -2^360 to 2^360."
var valueLimit = math.Ldexp(1, 360)

// dim is one dimension of a metric.
type dim struct {
	Name  string `json:"n"`
	Value string `json:"v"`
}

// series is one metric: a namespace, a name and a set of dimensions.
type series struct {
	Namespace string `json:"ns"`
	Name      string `json:"name"`
	Dims      []dim  `json:"dims,omitempty"` // sorted by name
	// Last is when a datapoint was last put (epoch ms): ListMetrics shows
	// metrics with datapoints in the retention period.
	Last int64 `json:"last"`
}

// id is the series' identity, used in store keys and in memory.
func (s *series) id() string { return seriesID(s.Namespace, s.Name, s.Dims) }

func seriesID(ns, name string, dims []dim) string {
	var b strings.Builder
	b.WriteString(ns)
	b.WriteByte(0)
	b.WriteString(name)
	for _, d := range dims {
		b.WriteByte(0)
		b.WriteString(d.Name)
		b.WriteByte(0)
		b.WriteString(d.Value)
	}
	return b.String()
}

// point is what one MetricDatum (or one minute of Lambda's own metrics)
// adds to a series: a statistic set and, when the datum gave them,
// values with their counts for percentiles.
type point struct {
	Unit   string    `json:"u,omitempty"`
	Count  float64   `json:"n"`
	Sum    float64   `json:"s"`
	Min    float64   `json:"lo"`
	Max    float64   `json:"hi"`
	Values []float64 `json:"v,omitempty"`
	Counts []float64 `json:"c,omitempty"`
}

func seriesKey(id string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "cloudwatch"), "series"), id)
}

func pointPrefix(id string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "cloudwatch"), "point"), id)
}

func pointKey(id string, ts time.Time, seq uint64) []byte {
	return keys.AppendUint(keys.AppendInt(pointPrefix(id), ts.UnixMilli()), seq)
}

// record adds points to their series in one batch. The caller holds
// s.mu.
func (s *Service) record(ps []seriesPoint) error {
	// Every point is encoded before the index changes: a value JSON
	// cannot hold fails the call rather than being stored as nothing.
	raws := make([][]byte, len(ps))
	for i, p := range ps {
		raw, err := json.Marshal(p.point)
		if err != nil {
			return err
		}
		raws[i] = raw
	}
	b := s.store.NewBatch()
	defer b.Close()
	for i, p := range ps {
		id := p.series.id()
		cur := s.series[id]
		if cur == nil {
			if len(s.series) >= maxSeries {
				continue
			}
			cur = &series{Namespace: p.series.Namespace, Name: p.series.Name, Dims: p.series.Dims}
			s.series[id] = cur
		}
		if ms := p.at.UnixMilli(); ms > cur.Last {
			cur.Last = ms
			sraw, _ := json.Marshal(cur)
			b.Set(seriesKey(id), sraw)
		}
		s.seq++
		b.Set(pointKey(id, p.at, s.seq), raws[i])
	}
	return b.Commit()
}

type seriesPoint struct {
	series series
	at     time.Time
	point  point
}

// points calls f with the points of a series in [start, end), in time
// order.
func (s *Service) points(id string, start, end time.Time, f func(time.Time, *point)) error {
	prefix := pointPrefix(id)
	it, err := s.store.NewIter(keys.AppendInt(append([]byte(nil), prefix...), start.UnixMilli()),
		keys.AppendInt(append([]byte(nil), prefix...), end.UnixMilli()))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		vals, err := keys.Decode(it.Key()[len(prefix):])
		if err != nil || len(vals) < 1 {
			continue
		}
		ms, _ := vals[0].(int64)
		var p point
		if json.Unmarshal(it.Value(), &p) != nil {
			continue
		}
		f(time.UnixMilli(ms).UTC(), &p)
	}
	return it.Error()
}

// sweep deletes datapoints older than Retention, and series with none
// left.
func (s *Service) sweep(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cutoff := now.Add(-Retention)
	b := s.store.NewBatch()
	defer b.Close()
	for id, sr := range s.series {
		prefix := pointPrefix(id)
		b.DeleteRange(prefix, keys.AppendInt(append([]byte(nil), prefix...), cutoff.UnixMilli()))
		if sr.Last < cutoff.UnixMilli() {
			b.Delete(seriesKey(id))
			delete(s.series, id)
		}
	}
	return b.Commit()
}

// loadSeries reads the series index.
func (s *Service) loadSeries() error {
	prefix := keys.AppendString(keys.AppendString(nil, "cloudwatch"), "series")
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var sr series
		if json.Unmarshal(it.Value(), &sr) == nil {
			s.series[sr.id()] = &sr
		}
	}
	return it.Error()
}

// bucket is the aggregate of the points of one period.
type bucket struct {
	start  time.Time
	unit   string
	units  int // distinct units seen
	count  float64
	sum    float64
	min    float64
	max    float64
	values []float64
	counts []float64
	exact  bool // every point carried its values
}

func (k *bucket) add(p *point) {
	if k.count == 0 {
		k.min, k.max, k.exact = p.Min, p.Max, true
	}
	if p.Unit != k.unit {
		k.units++
		k.unit = p.Unit
	}
	k.count += p.Count
	k.sum += p.Sum
	k.min = math.Min(k.min, p.Min)
	k.max = math.Max(k.max, p.Max)
	if len(p.Values) == 0 {
		k.exact = false
	}
	k.values = append(k.values, p.Values...)
	for i := range p.Values {
		c := 1.0
		if i < len(p.Counts) {
			c = p.Counts[i]
		}
		k.counts = append(k.counts, c)
	}
}

// stat returns one statistic of the bucket: SampleCount, Average, Sum,
// Minimum, Maximum, or a percentile pNN(.NN). ok is false when the
// bucket cannot answer it (a percentile of points that gave only
// statistic sets).
func (k *bucket) stat(name string) (float64, bool) {
	switch name {
	case "SampleCount":
		return k.count, true
	case "Average":
		if k.count == 0 {
			return 0, false
		}
		return k.sum / k.count, true
	case "Sum":
		return k.sum, true
	case "Minimum":
		return k.min, true
	case "Maximum":
		return k.max, true
	}
	pct, ok := percentile(name)
	if !ok || !k.exact || len(k.values) == 0 {
		return 0, false
	}
	return k.percentile(pct), true
}

// percentile returns the nearest-rank percentile of the bucket's values.
func (k *bucket) percentile(pct float64) float64 {
	idx := make([]int, len(k.values))
	total := 0.0
	for i := range idx {
		idx[i] = i
		total += k.counts[i]
	}
	sort.Slice(idx, func(a, b int) bool { return k.values[idx[a]] < k.values[idx[b]] })
	rank := math.Ceil(pct / 100 * total)
	seen := 0.0
	for _, i := range idx {
		seen += k.counts[i]
		if seen >= rank {
			return k.values[i]
		}
	}
	return k.values[idx[len(idx)-1]]
}

// percentile parses an extended statistic "p0.0" to "p100" (at most two
// decimals).
func percentile(s string) (float64, bool) {
	if len(s) < 2 || s[0] != 'p' {
		return 0, false
	}
	num := s[1:]
	dot := strings.IndexByte(num, '.')
	for i, c := range num {
		if (c < '0' || c > '9') && i != dot {
			return 0, false
		}
	}
	if dot == 0 || dot == len(num)-1 || dot > 0 && len(num)-dot-1 > 2 {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f > 100 {
		return 0, false
	}
	return f, true
}

// aggregate groups a series' points in [start, end) into periods of
// period seconds starting at start, keeping those of unit (all when
// empty). Buckets come in time order.
func (s *Service) aggregate(id string, start, end time.Time, period int32, unit string) ([]*bucket, error) {
	byStart := map[int64]*bucket{}
	var order []*bucket
	p := time.Duration(period) * time.Second
	err := s.points(id, start, end, func(at time.Time, pt *point) {
		if unit != "" && pt.Unit != unit && !(unit == "None" && pt.Unit == "") {
			return
		}
		bs := start.Add(at.Sub(start) / p * p)
		k := byStart[bs.UnixMilli()]
		if k == nil {
			k = &bucket{start: bs}
			byStart[bs.UnixMilli()] = k
			order = append(order, k)
		}
		k.add(pt)
	})
	return order, err
}

// alignStart rounds a query's start time down as CloudWatch does: to the
// minute, or for a period of 5, 10, 20 or 30 seconds to that division of
// the minute ("rounded down to the nearest time that corresponds to even
// 5-, 10-, 20-, or 30-second divisions of a minute"), or to the second
// for other high-resolution periods.
func alignStart(t time.Time, period int32) time.Time {
	if period < 60 {
		if period > 0 && 60%period == 0 {
			// Truncate counts from the zero time, a whole minute.
			return t.Truncate(time.Duration(period) * time.Second)
		}
		return t.Truncate(time.Second)
	}
	return t.Truncate(time.Minute)
}
