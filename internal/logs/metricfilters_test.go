package logs

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newFilter(t *testing.T, pattern, value string, def *float64, dims map[string]string) *metricFilter {
	t.Helper()
	p, err := ParseFilterPattern(pattern)
	if err != nil {
		t.Fatalf("%q: %v", pattern, err)
	}
	f := &metricFilter{Name: "f", Pattern: pattern, MetricName: "M", Namespace: "App", Value: value, Default: def, Dimensions: dims, parsed: p}
	if err := validateTransformation(f); err != nil {
		t.Fatalf("%q %q: %v", pattern, value, err)
	}
	f.sortDimensions()
	return f
}

// A filter's datapoint takes its value and dimensions from the matched
// event's fields; events without them publish nothing.
func TestMetricFilterValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, value string
		dims           map[string]string
		msg            string
		want           float64
		wantDims       [][2]string
		none           bool
	}{
		{pattern: "ERROR", value: "1", msg: "an ERROR", want: 1},
		{pattern: "ERROR", value: "2.5", msg: "ERROR x", want: 2.5},
		{pattern: "ERROR", value: "1", msg: "fine", none: true},
		{pattern: `{ $.latency = * }`, value: "$.latency", msg: `{"latency":42.5}`, want: 42.5},
		{pattern: `{ $.latency = * }`, value: "$.latency", msg: `{"latency":"17"}`, want: 17},
		{pattern: `{ $.latency = * }`, value: "$.latency", msg: `{"latency":"slow"}`, none: true},
		{pattern: `{ $.latency = * }`, value: "$.latency", msg: `{"latency":null}`, none: true},
		{pattern: `{ $.r.ms > 0 }`, value: "$.r.ms", msg: `{"r":{"ms":8}}`, want: 8},
		{pattern: `{ $.a[1] = * }`, value: "$.a[1]", msg: `{"a":[1,9]}`, want: 9},
		{pattern: `{ $.latency = * }`, value: "$.latency", dims: map[string]string{"Type": "$.type", "Code": "$.code"},
			msg: `{"latency":3,"type":"GET","code":200}`, want: 3, wantDims: [][2]string{{"Code", "200"}, {"Type", "GET"}}},
		{pattern: `{ $.latency = * }`, value: "1", dims: map[string]string{"Type": "$.type"}, msg: `{"latency":3}`, none: true},
		{pattern: `[ip, user, status=4*, bytes]`, value: "$bytes", msg: `1.2.3.4 bob 404 2048`, want: 2048},
		{pattern: `[ip, user, status, bytes]`, value: "$bytes", dims: map[string]string{"Status": "$status"},
			msg: `1.2.3.4 bob 500 10`, want: 10, wantDims: [][2]string{{"Status", "500"}}},
		{pattern: `[ip, user, status, bytes]`, value: "$bytes", msg: `1.2.3.4 bob 500 -`, none: true},
		{pattern: `[ip, ..., bytes]`, value: "$bytes", msg: `1.2.3.4 a b c 7`, want: 7},
	}
	for _, c := range cases {
		f := newFilter(t, c.pattern, c.value, nil, c.dims)
		ps := filterMetrics([]*metricFilter{f}, []Event{{Timestamp: 60_000, Message: c.msg}})
		if c.none {
			if len(ps) != 0 {
				t.Errorf("%q %q on %q: %+v, want none", c.pattern, c.value, c.msg, ps)
			}
			continue
		}
		if len(ps) != 1 || ps[0].Value != c.want || ps[0].Unit != "None" || !ps[0].Timestamp.Equal(time.UnixMilli(60_000)) {
			t.Errorf("%q %q on %q: %+v, want %v", c.pattern, c.value, c.msg, ps, c.want)
			continue
		}
		if len(ps[0].Dimensions) != len(c.wantDims) {
			t.Errorf("%q on %q: dimensions %v, want %v", c.pattern, c.msg, ps[0].Dimensions, c.wantDims)
			continue
		}
		for i := range c.wantDims {
			if ps[0].Dimensions[i] != c.wantDims[i] {
				t.Errorf("%q on %q: dimensions %v, want %v", c.pattern, c.msg, ps[0].Dimensions, c.wantDims)
			}
		}
	}
}

// defaultValue is published once for a batch in which nothing matched.
func TestMetricFilterDefault(t *testing.T) {
	t.Parallel()
	zero := 0.0
	f := newFilter(t, "ERROR", "1", &zero, nil)
	ps := filterMetrics([]*metricFilter{f}, []Event{{Timestamp: 1, Message: "ok"}, {Timestamp: 2, Message: "fine"}})
	if len(ps) != 1 || ps[0].Value != 0 {
		t.Errorf("no match: %+v", ps)
	}
	ps = filterMetrics([]*metricFilter{f}, []Event{{Timestamp: 1, Message: "ok"}, {Timestamp: 2, Message: "ERROR"}})
	if len(ps) != 1 || ps[0].Value != 1 {
		t.Errorf("one match: %+v", ps)
	}
}

// What PutMetricFilter refuses in a transformation.
func TestMetricFilterValidation(t *testing.T) {
	t.Parallel()
	one := 1.0
	cases := []struct {
		pattern, value string
		def            *float64
		dims           map[string]string
	}{
		{"ERROR", "$.x", nil, nil},                         // a field of a pattern that has none
		{"ERROR", "many", nil, nil},                        // neither number nor field
		{`{ $.x = 1 }`, "$x", nil, nil},                    // a delimited reference with a JSON pattern
		{`[a, b]`, "$c", nil, nil},                         // a field the pattern does not name
		{"ERROR", "1", nil, map[string]string{"D": "$.x"}}, // dimensions with a term pattern
		{`{ $.x = 1 }`, "1", &one, map[string]string{"D": "$.x"}},
		{`{ $.x = 1 }`, "1", nil, map[string]string{"A": "$.a", "B": "$.b", "C": "$.c", "D": "$.d"}},
		{`{ $.x = 1 }`, "1", nil, map[string]string{"D": "literal"}},
	}
	for _, c := range cases {
		p, err := ParseFilterPattern(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		f := &metricFilter{Value: c.value, Default: c.def, Dimensions: c.dims, parsed: p}
		if err := validateTransformation(f); err == nil {
			t.Errorf("%q %q %v accepted", c.pattern, c.value, c.dims)
		}
	}
}

// Metric filters are read back from the store when the service starts,
// parsed and with their dimensions in order.
func TestMetricFiltersReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	open := func() (*Service, func()) {
		db, err := pebblestore.Open(pebblestore.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Deps{Store: db, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		return s, func() { db.Close() }
	}
	s, closeDB := open()
	if _, err := s.createLogGroup(ctx, &CreateLogGroupRequest{LogGroupName: ptr("/g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.putMetricFilter(ctx, &PutMetricFilterRequest{LogGroupName: ptr("/g"), FilterName: ptr("f"),
		FilterPattern: ptr(`[ip, user, status, bytes]`), MetricTransformations: []MetricTransformation{{
			MetricName: ptr("Bytes"), MetricNamespace: ptr("App"), MetricValue: ptr("$bytes"),
			Dimensions: map[string]string{"User": "$user", "Status": "$status"}}}}); err != nil {
		t.Fatal(err)
	}
	closeDB()

	s, closeDB = open()
	defer closeDB()
	fs := s.mfs["/g"]
	if len(fs) != 1 {
		t.Fatalf("after a restart /g has %d metric filters, want 1", len(fs))
	}
	ps := filterMetrics(fs, []Event{{Timestamp: 60_000, Message: "1.2.3.4 bob 500 10"}})
	if len(ps) != 1 || ps[0].Value != 10 || len(ps[0].Dimensions) != 2 ||
		ps[0].Dimensions[0] != [2]string{"Status", "500"} || ps[0].Dimensions[1] != [2]string{"User", "bob"} {
		t.Fatalf("the reloaded filter published %+v", ps)
	}
}
