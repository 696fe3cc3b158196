package logs

import (
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Metric filters, as CloudWatch Logs' guide "Creating metrics from log
// events using filters" describes them: each event ingested into a log
// group is matched against the group's metric filters, and every match
// publishes one datapoint to the filter's CloudWatch metric, timestamped
// with the event's timestamp. Its value is metricValue: a number ("1"
// counts events), or a field of the matched event, "$.field" for a JSON
// pattern and "$name" for a named field of a space-delimited pattern
// (an event whose field is missing or not a number publishes nothing).
// Dimensions (at most three, JSON and space-delimited patterns only)
// take their values from fields in the same way. defaultValue is
// published when a batch of ingested events has none that matches.
//
// Filters are stored under
//
//	("logs", "metricfilter", group, filter) → metricFilter (JSON)
//
// and held in memory, parsed, per group (Service.mfs, guarded by
// Service.mu, each group's slice replaced, never changed in place, so
// that Append can read it after releasing the lock).

// Limits of metric filters.
const (
	// "The maximum number of metric filters that can be associated with
	// a log group is 100." (PutMetricFilter)
	maxMetricFilters = 100
	// "One metric filter can include as many as three dimensions."
	// (MetricTransformation)
	maxFilterDimensions = 3
	// maxMetricFiltersList is DescribeMetricFilters' default limit (50).
	maxMetricFiltersList = 50
)

// MetricPoint is one datapoint a metric filter publishes.
type MetricPoint struct {
	Namespace, Name string
	// Dimensions are name, value pairs.
	Dimensions [][2]string
	Unit       string
	Value      float64
	Timestamp  time.Time
}

// Metrics receives what metric filters and the embedded metric format
// (emf.go) publish; the app routes it to CloudWatch. It must not block: it is called on every ingestion into a
// group with metric filters.
type Metrics interface {
	PutFilterMetrics(points []MetricPoint)
}

// metricFilter is a stored metric filter.
type metricFilter struct {
	Name          string            `json:"name"`
	Pattern       string            `json:"pattern"`
	MetricName    string            `json:"metricName"`
	Namespace     string            `json:"namespace"`
	Value         string            `json:"value"`
	Default       *float64          `json:"default,omitempty"`
	Dimensions    map[string]string `json:"dimensions,omitempty"`
	Unit          string            `json:"unit,omitempty"`
	Created       int64             `json:"created"`
	OnTransformed bool              `json:"onTransformed,omitempty"`
	parsed        *FilterPattern
	dimOrder      []string // dimension names, sorted
}

func metricFiltersPrefix(g string) []byte { return keys.AppendString(base("metricfilter"), g) }

func metricFilterKey(g, name string) []byte { return keys.AppendString(metricFiltersPrefix(g), name) }

// loadMetricFilters reads the stored filters into memory.
func (s *Service) loadMetricFilters() error {
	s.mfs = map[string][]*metricFilter{}
	return loadFilters(s.store, "metricfilter", func(g string, f *metricFilter) (err error) {
		if f.parsed, err = ParseFilterPattern(f.Pattern); err != nil {
			return nil // stored by an older parser; nothing matches it now
		}
		f.sortDimensions()
		s.mfs[g] = append(s.mfs[g], f)
		return nil
	})
}

// loadFilters decodes every record stored under ("logs", kind, group,
// name) into a new T and hands it with its group to add. A key that does
// not decode is skipped; a value that does not is an error.
func loadFilters[T any](st store.Reader, kind string, add func(group string, v *T) error) error {
	p := base(kind)
	it, err := st.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		vals, err := keys.Decode(it.Key())
		if err != nil || len(vals) < 4 {
			continue
		}
		g, _ := vals[2].(string)
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			return err
		}
		if err := add(g, v); err != nil {
			return err
		}
	}
	return it.Error()
}

func (f *metricFilter) sortDimensions() {
	f.dimOrder = f.dimOrder[:0]
	for k := range f.Dimensions {
		f.dimOrder = append(f.dimOrder, k)
	}
	sort.Strings(f.dimOrder)
}

// dropMetricFilters deletes a group's metric filters in b. The caller
// holds s.mu.
func (s *Service) dropMetricFilters(b store.Batch, g string) {
	p := metricFiltersPrefix(g)
	b.DeleteRange(p, keys.PrefixEnd(p))
	delete(s.mfs, g)
}

// fieldRef reports whether v refers to a field of the event ($.field or
// $name) rather than being a number.
func fieldRef(v string) bool { return strings.HasPrefix(v, "$") }

// checkFieldRef reports whether ref may be used with pattern p: $.field
// with a JSON pattern, $name with a space-delimited pattern that names
// the field.
func checkFieldRef(p *FilterPattern, ref string) bool {
	switch {
	case p.json != nil:
		if !strings.HasPrefix(ref, "$.") || len(ref) == 2 {
			return false
		}
		_, err := parseSelector(ref)
		return err == nil
	case p.delimited != nil:
		name := strings.TrimPrefix(ref, "$")
		for _, f := range p.delimited.fields {
			if !f.ellipsis && f.name == name {
				return true
			}
		}
	}
	return false
}

// matchedEvent is one event a pattern matched, with the means to read
// its fields.
type matchedEvent struct {
	doc    any               // the decoded JSON event, for JSON patterns
	fields map[string]string // the named fields, for space-delimited patterns
}

// matchEvent matches msg against p, decoding it once for both matching
// and the fields a metric filter reads.
func matchEvent(p *FilterPattern, msg string) (*matchedEvent, bool) {
	switch {
	case p.json != nil:
		var doc any
		if json.Unmarshal([]byte(msg), &doc) != nil || !p.json.eval(doc) {
			return nil, false
		}
		return &matchedEvent{doc: doc}, true
	case p.delimited != nil:
		f := p.delimited.extract(msg)
		if f == nil {
			return nil, false
		}
		return &matchedEvent{fields: f}, true
	}
	return &matchedEvent{}, p.Match(msg)
}

// field returns the value of a field reference in a matched event, as
// text.
func (m *matchedEvent) field(ref string) (string, bool) {
	if m.fields != nil {
		v, ok := m.fields[strings.TrimPrefix(ref, "$")]
		return v, ok
	}
	if m.doc == nil || !strings.HasPrefix(ref, "$.") {
		return "", false
	}
	path, err := parseSelector(ref)
	if err != nil {
		return "", false
	}
	v, ok := lookupJSON(m.doc, path)
	if !ok {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false // null, objects and arrays are no value
}

// errNoValue is an event that matched but has no usable value.
var errNoValue = errors.New("no value")

// metricValue is the value a filter publishes for a matched event.
func (f *metricFilter) metricValue(m *matchedEvent) (float64, error) {
	raw := f.Value
	if fieldRef(raw) {
		v, ok := m.field(raw)
		if !ok {
			return 0, errNoValue
		}
		raw = v
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil {
		return 0, errNoValue
	}
	return x, nil
}

// point is the datapoint a filter publishes for a matched event, if
// any.
func (f *metricFilter) point(m *matchedEvent, ts int64) (MetricPoint, bool) {
	v, err := f.metricValue(m)
	if err != nil {
		return MetricPoint{}, false
	}
	p := MetricPoint{Namespace: f.Namespace, Name: f.MetricName, Unit: f.unit(), Value: v, Timestamp: time.UnixMilli(ts).UTC()}
	for _, k := range f.dimOrder {
		dv, ok := m.field(f.Dimensions[k])
		if !ok || dv == "" {
			return MetricPoint{}, false
		}
		p.Dimensions = append(p.Dimensions, [2]string{k, dv})
	}
	return p, true
}

func (f *metricFilter) unit() string {
	if f.Unit == "" {
		return "None"
	}
	return f.Unit
}

// filterMetrics is what a group's metric filters publish for a batch of
// stored events.
func filterMetrics(filters []*metricFilter, events []Event) []MetricPoint {
	var out []MetricPoint
	for _, f := range filters {
		matched := false
		for _, e := range events {
			m, ok := matchEvent(f.parsed, e.Message)
			if !ok {
				continue
			}
			matched = true
			if p, ok := f.point(m, e.Timestamp); ok {
				out = append(out, p)
			}
		}
		if !matched && f.Default != nil && len(events) > 0 {
			out = append(out, MetricPoint{Namespace: f.Namespace, Name: f.MetricName, Unit: f.unit(),
				Value: *f.Default, Timestamp: time.UnixMilli(events[len(events)-1].Timestamp).UTC()})
		}
	}
	return out
}
