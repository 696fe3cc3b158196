package cloudwatch

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

// Timestamps of the test series are minutes: 1 is 00:01 on 2024-01-01
// (a Monday), UTC.
var testEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

func at(min int) int64 { return testEpoch + int64(min)*60000 }

// pts builds points from minute: value pairs.
func pts(kv ...float64) map[int64]float64 {
	out := map[int64]float64{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[at(int(kv[i]))] = kv[i+1]
	}
	return out
}

// testEnv has the metrics m1, m2, m3 (period 60) and errors_a,
// errors_b, and the expression e1 (= m1 * 2), over minutes 0 to 4.
func testEnv() *mathEnv {
	metrics := []struct {
		id string
		s  map[int64]float64
	}{
		{"m1", pts(0, 30, 1, 20, 2, 0, 3, 0)},
		{"m2", pts(0, 20, 2, 20, 4, 30)},
		{"m3", pts(0, 0, 1, 0, 2, 20, 4, 20)},
		{"errors_a", pts(0, 1, 1, 2)},
		{"errors_b", pts(1, 5)},
		{"nodata", pts()},
	}
	env := &mathEnv{start: at(0), end: at(5), period: 60}
	env.ref = func(id string) (mathValue, error) {
		for _, m := range metrics {
			if m.id == id {
				return seriesValue(mathSeries{label: m.id, period: 60, points: m.s}), nil
			}
		}
		if id == "e1" {
			n, _, _ := parseMath("m1*2")
			return n.eval(env)
		}
		return mathValue{}, fmt.Errorf("no query %s", id)
	}
	env.metrics = func(filter string) ([]mathSeries, error) {
		var out []mathSeries
		for _, m := range metrics {
			if strings.Contains(m.id, filter) {
				out = append(out, mathSeries{label: m.id, period: 60, points: m.s})
			}
		}
		return out, nil
	}
	env.periodOf = func(id string) (int32, bool) {
		if strings.HasPrefix(id, "m") {
			return 60, true
		}
		return 0, false
	}
	env.search = func(q, stat string, period int32) ([]mathSeries, error) {
		if _, err := parseSearch(q); err != nil {
			return nil, err
		}
		return []mathSeries{{label: "found", period: period, points: pts(0, 1)}}, nil
	}
	return env
}

// render writes a value for comparison: a scalar as its number, a
// series as minute:value pairs in time order, an array as its members
// in brackets, each with its label.
func render(v mathValue) string {
	series := func(s mathSeries) string {
		var parts []string
		for _, ts := range sortedStamps(s.points) {
			parts = append(parts, fmt.Sprintf("%d:%g", (ts-testEpoch)/60000, s.points[ts]))
		}
		return strings.Join(parts, " ")
	}
	switch v.kind {
	case kScalar:
		return fmt.Sprintf("%g", v.n)
	case kSeries:
		return series(v.ts)
	}
	var parts []string
	for _, s := range v.arr {
		parts = append(parts, s.label+"{"+series(s)+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func TestMathFunctions(t *testing.T) {
	tests := []struct{ expr, want string }{
		// Arithmetic: a timestamp missing from one series counts as 0; a
		// division by zero drops the point.
		{"m1 + m2", "0:50 1:20 2:20 3:0 4:30"},
		{"100*m2/m1", "0:66.66666666666667 1:0"},
		{"-m1", "0:-30 1:-20 2:-0 3:-0"},
		{"2^3^2", "512"},
		{"(1 + 2) * 3 - 4 / 2", "7"},
		{"METRICS(\"errors\")*10", "[errors_a{0:10 1:20}, errors_b{1:50}]"},
		{"10-METRICS(\"errors\")", "[errors_a{0:9 1:8}, errors_b{1:5}]"},
		{"-[m1, m2]", "[m1{0:-30 1:-20 2:-0 3:-0}, m2{0:-20 2:-20 4:-30}]"},
		{"[m1, m2] - m3", "[m1{0:30 1:20 2:-20 3:0 4:-20}, m2{0:20 1:0 2:0 4:10}]"},
		// The User Guide's comparison examples: metric1 [30, 20, 0, 0],
		// metric2 [20, -, 20, -].
		{"m1 < m2", "0:0 1:0 2:1 3:0 4:1"},
		{"m1 >= 30", "0:1 1:0 2:0 3:0"},
		{"m1 > 15 AND m2 > 15", "0:1 1:0 2:0 3:0 4:0"},
		{"m1 > 25 || m2 > 25", "0:1 1:0 2:0 3:0 4:1"},
		{"m1 == 0", "0:0 1:0 2:1 3:1"},
		{"m1 != 0 && 1", "0:1 1:1 2:0 3:0"},
		{"2 <= 3", "1"},
		{"ABS(m3 - m1)", "0:30 1:20 2:20 3:0 4:20"},
		{"ABS(-METRICS(\"errors_b\"))", "[errors_b{1:5}]"},
		{"CEIL(m1/7)", "0:5 1:3 2:0 3:0"},
		{"FLOOR(m1/7)", "0:4 1:2 2:0 3:0"},
		{"LOG(m2)", fmt.Sprintf("0:%g 2:%g 4:%g", math.Log(20), math.Log(20), math.Log(30))},
		{"LOG10(m1)", fmt.Sprintf("0:%g 1:%g", math.Log10(30), math.Log10(20))}, // LOG10(0) dropped
		// AVG, SUM, MIN, MAX, STDDEV, DATAPOINT_COUNT: scalar of a series,
		// series of an array.
		{"AVG(m1)", "12.5"},
		{"m1 - AVG(m1)", "0:17.5 1:7.5 2:-12.5 3:-12.5"},
		{"AVG([m1, m2])", "0:25 1:10 2:10 3:0 4:15"},
		{"SUM(m2)", "70"},
		{"SUM(METRICS(\"errors\"))", "0:1 1:7"},
		{"MIN(m1)", "0"},
		{"MAX(m1)", "30"},
		{"MAX([m1, m3])", "0:30 1:20 2:20 3:0 4:20"},
		{"MIN([m1, m2])", "0:20 1:20 2:0 3:0 4:30"},
		{"STDDEV(m2)", "4.714045207910316"},
		{"STDDEV([m1, m2])", "0:5 1:0 2:10 3:0 4:0"},
		{"DATAPOINT_COUNT(m2)", "3"},
		{"m1 * 0 + DATAPOINT_COUNT(m1)", "0:4 1:4 2:4 3:4"},
		{"DATAPOINT_COUNT([m1, m2])", "0:2 1:1 2:2 3:1 4:1"},
		{"METRIC_COUNT(METRICS()) * m2", "0:120 2:120 4:180"},
		{"AVG(nodata) + m1", ""},
		// DIFF, DIFF_TIME, RATE, RUNNING_SUM.
		{"DIFF(m2)", "2:0 4:10"},
		{"DIFF_TIME(m2)", "2:120 4:120"},
		{"RATE(m2)", "2:0 4:0.08333333333333333"},
		{"RATE(METRICS(\"errors_a\"))", "[errors_a{1:0.016666666666666666}]"},
		{"RUNNING_SUM(m2)", "0:20 2:40 4:70"},
		{"RUNNING_SUM([m2, m3])", "[m2{0:20 2:40 4:70}, m3{0:0 1:0 2:20 4:40}]"},
		// FILL over the request's range, minutes 0 to 4.
		{"FILL(m2, 0)", "0:20 1:0 2:20 3:0 4:30"},
		{"FILL(m2, MIN(m1))", "0:20 1:0 2:20 3:0 4:30"},
		{"FILL(m2, REPEAT)", "0:20 1:20 2:20 3:20 4:30"},
		{"FILL(m2, LINEAR)", "0:20 1:20 2:20 3:25 4:30"},
		{"FILL(METRICS(\"errors_b\"), REPEAT)", "[errors_b{0:5 1:5 2:5 3:5 4:5}]"},
		{"FILL(METRICS(\"errors\"), m1)", "[errors_a{0:1 1:2 2:0 3:0}, errors_b{0:30 1:5 2:0 3:0}]"},
		{"FILL(nodata, 7)", "0:7 1:7 2:7 3:7 4:7"},
		{"FILL(nodata, LINEAR)", ""},
		// FIRST, LAST, SORT, SLICE, REMOVE_EMPTY.
		{"FIRST(METRICS(\"m\"))", "0:30 1:20 2:0 3:0"},
		{"LAST([m1, m3])", "0:0 1:0 2:20 4:20"},
		{"SORT(METRICS(\"m\"), SUM, DESC)", "[m2{0:20 2:20 4:30}, m1{0:30 1:20 2:0 3:0}, m3{0:0 1:0 2:20 4:20}]"},
		{"SORT([m1, m2, m3], MAX, ASC, 2)", "[m3{0:0 1:0 2:20 4:20}, m1{0:30 1:20 2:0 3:0}]"},
		{"SORT([m1, nodata], AVG, ASC)", "[m1{0:30 1:20 2:0 3:0}, nodata{}]"},
		{"SLICE([m1, m2, m3], 1)", "[m2{0:20 2:20 4:30}, m3{0:0 1:0 2:20 4:20}]"},
		{"SLICE([m1, m2, m3], 0, 1)", "[m1{0:30 1:20 2:0 3:0}]"},
		{"SLICE([m1, m2], 5, 9)", "[]"},
		{"REMOVE_EMPTY([m1, nodata, m2])", "[m1{0:30 1:20 2:0 3:0}, m2{0:20 2:20 4:30}]"},
		{"IF(FIRST(SORT(METRICS(\"m\"), AVG, DESC)) > 20, 1, 0)", "0:0 2:0 4:1"},
		// IF, with the User Guide's tables: metric1 [1, 1, 0, 0, -],
		// metric2 [30, -, 0, 0, 30], metric3 [0, 0, 20, -, 20] are ifc, ift, iff.
		{"IF(ifc, ift, iff)", "0:30 1:0 2:20"},
		{"IF(ifc, 5, iff)", "0:5 1:5 2:20"},
		{"IF(ifc, ift, 5)", "0:30 1:0 2:5 3:5"},
		{"IF(ifc, ift)", "0:30 1:0"},
		{"IF(1, m1, m2)", "0:30 1:20 2:0 3:0"},
		{"IF(0, m1, m2)", "0:20 2:20 4:30"},
		{"IF(0, m1)", ""},
		{"IF(m1 > 10, 1, 0)", "0:1 1:1 2:0 3:0"},
		{"IF(m1 < 25, m1)", "1:20 2:0 3:0"},
		// PERIOD, TIME_SERIES and the clock functions.
		{"m1 / PERIOD(m1)", "0:0.5 1:0.3333333333333333 2:0 3:0"},
		{"TIME_SERIES(3)", "0:3 1:3 2:3 3:3 4:3"},
		{"TIME_SERIES(MAX(m1))", "0:30 1:30 2:30 3:30 4:30"},
		{"MINUTE(m1)", "0:0 1:1 2:2 3:3 4:4"},
		{"HOUR(m1)", "0:0 1:0 2:0 3:0 4:0"},
		{"DAY(m1)", "0:1 1:1 2:1 3:1 4:1"},
		{"DATE(m1)", "0:1 1:1 2:1 3:1 4:1"},
		{"MONTH(m1)", "0:1 1:1 2:1 3:1 4:1"},
		{"YEAR(m1)", "0:2024 1:2024 2:2024 3:2024 4:2024"},
		{"EPOCH(m1) - 1704067200", "0:0 1:60 2:120 3:180 4:240"},
		{"IF(DAY(m1) < 6, m1)", "0:30 1:20 2:0 3:0 4:0"}, // true where m1 has no point: 0,
		{"SEARCH('{NS,Dim} MetricName=\"x\"', 'Sum', 300)", "[found{0:1}]"},
		{"SUM(SEARCH('x', 'Sum'))", "0:1"},
	}
	for _, tt := range tests {
		n, _, err := parseMath(tt.expr)
		if err != nil {
			t.Errorf("parseMath(%s): %v", tt.expr, err)
			continue
		}
		env := testEnv()
		ref := env.ref
		env.ref = func(id string) (mathValue, error) {
			switch id {
			case "ifc":
				return seriesValue(mathSeries{points: pts(0, 1, 1, 1, 2, 0, 3, 0)}), nil
			case "ift":
				return seriesValue(mathSeries{points: pts(0, 30, 2, 0, 3, 0, 4, 30)}), nil
			case "iff":
				return seriesValue(mathSeries{points: pts(0, 0, 1, 0, 2, 20, 4, 20)}), nil
			}
			return ref(id)
		}
		v, err := n.eval(env)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := render(v); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
}

func TestMathErrors(t *testing.T) {
	for _, bad := range []string{"", "1 +", "(1", "1)", "a b", "1..2", "#", "e1 * * 2", "[]", "[m1", "SUM(m1", "sum(m1)",
		"NOPE(m1)", "FILL(m1, NOPE)", "SORT([m1], MEDIAN, ASC)", "SORT([m1], AVG, UP)", "Errors + 1", "'open", "m1 < m2 < m3", "1 AND", "SUM(m1,)"} {
		if _, _, err := parseMath(bad); err == nil {
			t.Errorf("parseMath(%q) succeeded", bad)
		}
	}
	// Well formed, but wrong arguments or types.
	for _, bad := range []string{
		"ABS(1)", "ABS(m1, m2)", "FILL(m1)", "FILL(m1, m2)", "FILL(m1, [m1])", "FILL(m1, AVG)", "FIRST(m1)",
		"SORT(m1, AVG, ASC)", "SLICE(m1, 1)", "SLICE([m1], m1)",
		"METRICS(m1)", "METRICS('a', 'b')", "PERIOD(e1)", "PERIOD(2)", "TIME_SERIES(m1)", "MINUTE(3)",
		"MINUTE(METRICS())", "IF([m1], 1, 0)", "IF(1, 2, 3)", "REMOVE_EMPTY(m1)", "METRIC_COUNT(m1)",
		"[m1, m2] + [m1]", "[m1, 2]", "REPEAT", "'str'", "INSIGHT_RULE_METRIC('rule', 'Sum')",
		"ANOMALY_DETECTION_BAND(m1)", "SERVICE_QUOTA(m1)", "SEARCH('', 'Sum', 60)", "SEARCH('x', 'Median', 60)",
		"SEARCH('x')", "SEARCH('{NS', 'Sum', 60)", "SEARCH('x', 'Sum', 0.5)", "missing + 1",
	} {
		n, _, err := parseMath(bad)
		if err != nil {
			t.Errorf("parseMath(%q): %v", bad, err)
			continue
		}
		env := testEnv()
		env.search = func(q, stat string, period int32) ([]mathSeries, error) {
			return (&Service{}).search(q, stat, time.Time{}, time.Time{}, period)
		}
		if v, err := n.eval(env); err == nil {
			t.Errorf("%s = %s, want an error", bad, render(v))
		}
	}
}

func TestSearchMatch(t *testing.T) {
	lambda := func(fn, name string) *series {
		return &series{Namespace: "AWS/Lambda", Name: name, Dims: []dim{{Name: "FunctionName", Value: fn}}}
	}
	all := []*series{
		lambda("ProjectA-api", "Errors"),
		lambda("ProjectB-worker", "Invocations"),
		lambda("other", "Invocations"),
		{Namespace: "AWS/Lambda", Name: "Errors"},
		{Namespace: "Custom/App", Name: "CustomCount1", Dims: []dim{{Name: "Stage", Value: "prod"}}},
		{Namespace: "Custom/App", Name: "Network-Errors-2"},
	}
	tests := []struct {
		query string
		want  []int
	}{
		{`{AWS/Lambda,FunctionName} MetricName="Errors"`, []int{0}},
		{`{AWS/Lambda} Errors`, []int{3}},
		{`{AWS/Lambda,FunctionName}`, []int{0, 1, 2}},
		{`{AWS/Lambda,FunctionName} MetricName="Errors" OR (MetricName="Invocations" AND (ProjectA OR ProjectB))`, []int{0, 1}},
		{`MetricName="Invocations" NOT other`, []int{1}},
		{`NOT Namespace=AWS`, []int{4, 5}},
		{`count`, []int{4}},
		{`COUNT`, []int{4}},
		{`couNT`, nil},
		{`CustomCount`, []int{4}},
		{`customcount1`, []int{4}},
		{`"CustomCount1"`, []int{4}},
		{`"Custom"`, nil},
		{`network/errors`, []int{5}},
		{`"Network-Errors-2"`, []int{5}},
		{`"Network_Errors_2"`, nil},
		{`Stage=prod`, []int{4}},
		{`Stage="pro"`, nil},
		{`{"Custom/App", Stage}, "CustomCount1"`, []int{4}},
		{`Errors AND Invocations`, nil},
		{`project`, []int{0, 1}},
	}
	for _, tt := range tests {
		q, err := parseSearch(tt.query)
		if err != nil {
			t.Errorf("parseSearch(%s): %v", tt.query, err)
			continue
		}
		var got []int
		for i, sr := range all {
			if q.match(sr) {
				got = append(got, i)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s matched %v, want %v", tt.query, got, tt.want)
		}
	}
	for _, bad := range []string{"", "   ", "{}", "{NS", "(a", "a)", `"open`, "x=", "NOT", "a OR", strings.Repeat("x", 1025)} {
		if _, err := parseSearch(bad); err == nil {
			t.Errorf("parseSearch(%q) succeeded", bad)
		}
	}
	toks := searchTokens("Project2-trial333")
	sort.Strings(toks)
	if fmt.Sprint(toks) != "[2 333 project trial]" {
		t.Errorf("tokens %v", toks)
	}
}

func FuzzMath(f *testing.F) {
	for _, s := range []string{"100*errors/invocations", "-(-(-1))", "2^3^2", "a+b*c-d/e", "((((x))))", "FILL(m1, 0)", "1e5", ".5", "m1 /0",
		"IF(m1 > 10, 1, 0)", "SUM(METRICS(\"errors\"))", "SORT(METRICS(), AVG, DESC, 2)", "SLICE([m1, m2], 1)", "FILL(METRICS(), LINEAR)",
		"m1 >= 3 AND m2 != 1 || m3 == 0", "TIME_SERIES(AVG(m1))", "RATE(m1) + DIFF(m1) - DIFF_TIME(m1)", "DAY(m1) < 6",
		"SEARCH('{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\" NOT (a OR b)', 'Average', 300)", "METRICS(“4xx”)",
		"REMOVE_EMPTY(METRICS())", "PERIOD(m1)", "STDDEV([m1, m2])"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, _, err := parseMath(s)
		if err != nil {
			return
		}
		env := testEnv()
		env.ref = func(id string) (mathValue, error) {
			return seriesValue(mathSeries{period: 60, points: pts(0, 1, 1, 0, 3, -2)}), nil
		}
		v, err := n.eval(env)
		if err != nil {
			return
		}
		all := append([]mathSeries{v.ts}, v.arr...)
		for _, sr := range all {
			for _, x := range sr.points {
				if !finite(x) {
					t.Fatalf("eval(%q) gave %v", s, x)
				}
			}
		}
	})
}

// An array literal holds at most maxArraySeries time series, however it
// is made up.
func TestMathArrayBound(t *testing.T) {
	env := testEnv()
	all, _ := env.metrics("")
	per := len(all)
	expr := func(copies int) string {
		return "[" + strings.TrimSuffix(strings.Repeat("METRICS(), ", copies), ", ") + "]"
	}
	within := maxArraySeries / per
	n, _, err := parseMath(expr(within))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := n.eval(env); err != nil || len(v.arr) != within*per {
		t.Fatalf("%d series: %v", within*per, err)
	}
	n, _, err = parseMath(expr(within + 1))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := n.eval(env); err == nil {
		t.Errorf("an array of %d series was made", len(v.arr))
	}
}
