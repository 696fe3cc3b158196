package cloudwatch

import (
	"math"
	"testing"
)

func TestMath(t *testing.T) {
	env := func(id string) (mathValue, error) {
		switch id {
		case "errors":
			return mathValue{series: map[int64]float64{1: 1, 2: 0, 3: 5}}, nil
		case "invocations":
			return mathValue{series: map[int64]float64{1: 4, 2: 0, 4: 9}}, nil
		}
		return mathValue{scalar: true, n: 2}, nil
	}
	tests := []struct {
		expr string
		want map[int64]float64
		n    float64
	}{
		{"100*errors/invocations", map[int64]float64{1: 25}, 0}, // 2: 0/0 and 3, 4: one side only
		{"errors + 1", map[int64]float64{1: 2, 2: 1, 3: 6}, 0},
		{"-errors", map[int64]float64{1: -1, 2: 0, 3: -5}, 0},
		{"2^3^2", nil, 512},
		{"(1 + 2) * 3 - 4 / 2", nil, 7},
		{" 1.5*2 ", nil, 3},
	}
	for _, tt := range tests {
		n, _, err := parseMath(tt.expr)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		v, err := n.eval(env)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if tt.want == nil {
			if !v.scalar || v.n != tt.n {
				t.Errorf("%s = %+v, want %v", tt.expr, v, tt.n)
			}
			continue
		}
		if len(v.series) != len(tt.want) {
			t.Errorf("%s = %v, want %v", tt.expr, v.series, tt.want)
			continue
		}
		for ts, w := range tt.want {
			if math.Abs(v.series[ts]-w) > 1e-9 {
				t.Errorf("%s = %v, want %v", tt.expr, v.series, tt.want)
			}
		}
	}
	for _, bad := range []string{"", "1 +", "(1", "1)", "SUM(METRICS())", "a b", "1..2", "#", "e1 * * 2"} {
		if _, _, err := parseMath(bad); err == nil {
			t.Errorf("parseMath(%q) succeeded", bad)
		}
	}
}

func FuzzMath(f *testing.F) {
	for _, s := range []string{"100*errors/invocations", "-(-(-1))", "2^3^2", "a+b*c-d/e", "((((x))))", "FILL(m1, 0)", "1e5", ".5", "m1 /0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, refs, err := parseMath(s)
		if err != nil {
			return
		}
		v, err := n.eval(func(string) (mathValue, error) {
			return mathValue{series: map[int64]float64{1: 1, 2: 0}}, nil
		})
		if err != nil {
			t.Fatalf("eval(%q): %v", s, err)
		}
		for _, x := range v.series {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("eval(%q) gave %v", s, x)
			}
		}
		_ = refs
	})
}
