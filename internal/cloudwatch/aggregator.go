package cloudwatch

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"
)

// Sample is one observation of a service's own metric, such as one
// invocation's Duration.
type Sample struct {
	Namespace, Name string
	// Dimensions are name, value pairs.
	Dimensions [][2]string
	Unit       string
	Value      float64
}

// maxAggregatedValues bounds the values an Aggregator keeps per metric
// and minute for percentiles; past it the minute answers the five
// statistics only.
const maxAggregatedValues = 1000

// FlushInterval is how often an Aggregator writes what it gathered.
const FlushInterval = time.Second

// Aggregator gathers samples of services' own metrics in memory, one
// statistic set per metric and minute, and writes them to CloudWatch
// every FlushInterval, so that the code that observes them (an
// invocation) only takes a short lock and never waits for the store.
type Aggregator struct {
	cw *Service

	mu sync.Mutex
	// pending holds, by minute (Unix ms) and by series (its namespace,
	// name, unit and dimensions joined with NULs), what was gathered
	// since the last flush. key is the buffer series ids are built in:
	// looking one up allocates nothing.
	pending map[int64]map[string]*pendingPoint
	key     []byte
}

// pendingPoint is a series' statistics for a minute, and the series.
type pendingPoint struct {
	point
	dims [][2]string // namespace and name first, then the dimensions
}

// NewAggregator returns an aggregator writing to s.
func NewAggregator(s *Service) *Aggregator {
	return &Aggregator{cw: s, pending: map[int64]map[string]*pendingPoint{}}
}

// Add records samples observed at the current time of the service's
// clock.
func (a *Aggregator) Add(samples ...Sample) {
	a.AddAt(a.cw.clock.Now(), samples...)
}

// AddAt records samples observed at a given time, such as log events'
// own timestamps.
func (a *Aggregator) AddAt(at time.Time, samples ...Sample) {
	minute := at.Truncate(time.Minute).UnixMilli()
	a.mu.Lock()
	defer a.mu.Unlock()
	series := a.pending[minute]
	if series == nil {
		series = map[string]*pendingPoint{}
		a.pending[minute] = series
	}
	for _, sm := range samples {
		b := append(a.key[:0], sm.Namespace...)
		b = append(append(b, 0), sm.Name...)
		b = append(append(b, 0), sm.Unit...)
		for _, d := range sm.Dimensions {
			b = append(append(b, 0), d[0]...)
			b = append(append(b, 0), d[1]...)
		}
		a.key = b
		p := series[string(b)]
		if p == nil {
			p = &pendingPoint{point: point{Unit: sm.Unit, Min: math.Inf(1), Max: math.Inf(-1)},
				dims: append([][2]string{{sm.Namespace, sm.Name}}, sm.Dimensions...)}
			series[string(b)] = p
		}
		p.Count++
		p.Sum += sm.Value
		p.Min, p.Max = math.Min(p.Min, sm.Value), math.Max(p.Max, sm.Value)
		if p.Values != nil || p.Count == 1 {
			if len(p.Values) < maxAggregatedValues {
				p.Values = append(p.Values, sm.Value)
			} else {
				p.Values = nil // too many to keep: no percentiles for this minute
			}
		}
	}
}

// Flush writes what was gathered.
func (a *Aggregator) Flush() error {
	a.mu.Lock()
	pending := a.pending
	a.pending = map[int64]map[string]*pendingPoint{}
	a.mu.Unlock()
	var ps []Point
	for minute, series := range pending {
		for _, p := range series {
			d := p.dims
			ps = append(ps, Point{Namespace: d[0][0], Name: d[0][1], Dimensions: d[1:], Time: time.UnixMilli(minute).UTC(),
				Unit: p.Unit, Count: p.Count, Sum: p.Sum, Min: p.Min, Max: p.Max, Values: p.Values})
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return a.cw.RecordPoints(ps)
}

// Run flushes every FlushInterval until ctx ends, and once more then.
func (a *Aggregator) Run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := a.Flush(); err != nil {
				log.Error("cloudwatch: writing metrics", "err", err)
			}
			return
		case <-tick.C:
			if err := a.Flush(); err != nil {
				log.Error("cloudwatch: writing metrics", "err", err)
			}
		}
	}
}
