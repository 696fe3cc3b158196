package cloudwatch

import (
	"context"
	"log/slog"
	"math"
	"strings"
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

	mu      sync.Mutex
	pending map[aggKey]*point
	dims    map[aggKey][][2]string
}

type aggKey struct {
	id     string
	minute int64
}

// NewAggregator returns an aggregator writing to s.
func NewAggregator(s *Service) *Aggregator {
	return &Aggregator{cw: s, pending: map[aggKey]*point{}, dims: map[aggKey][][2]string{}}
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
	for _, sm := range samples {
		var b strings.Builder
		b.WriteString(sm.Namespace)
		b.WriteByte(0)
		b.WriteString(sm.Name)
		b.WriteByte(0)
		b.WriteString(sm.Unit)
		for _, d := range sm.Dimensions {
			b.WriteByte(0)
			b.WriteString(d[0])
			b.WriteByte(0)
			b.WriteString(d[1])
		}
		k := aggKey{id: b.String(), minute: minute}
		p := a.pending[k]
		if p == nil {
			p = &point{Unit: sm.Unit, Min: math.Inf(1), Max: math.Inf(-1)}
			a.pending[k] = p
			a.dims[k] = append([][2]string{{sm.Namespace, sm.Name}}, sm.Dimensions...)
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
	pending, dims := a.pending, a.dims
	a.pending, a.dims = map[aggKey]*point{}, map[aggKey][][2]string{}
	a.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	ps := make([]Point, 0, len(pending))
	for k, p := range pending {
		d := dims[k]
		ps = append(ps, Point{Namespace: d[0][0], Name: d[0][1], Dimensions: d[1:], Time: time.UnixMilli(k.minute).UTC(),
			Unit: p.Unit, Count: p.Count, Sum: p.Sum, Min: p.Min, Max: p.Max, Values: p.Values})
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
