package insights

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scalarFunc computes a function of evaluated arguments; raw gives the
// unevaluated ones to the few that need them (ispresent).
type scalarFunc struct {
	min, max int // max < 0: any number
	fn       func(args []Value, r *Row) Value
}

var scalars map[string]scalarFunc

type aggSpec struct {
	min, max int
	star     bool // count(*)
}

// aggregations are stats' functions.
var aggregations = map[string]aggSpec{
	"count":          {0, 1, true},
	"count_distinct": {1, 1, false},
	"sum":            {1, 1, false},
	"avg":            {1, 1, false},
	"min":            {1, 1, false},
	"max":            {1, 1, false},
	"stddev":         {1, 1, false},
	"pct":            {2, 2, false},
	"percentile":     {2, 2, false},
	"earliest":       {1, 1, false},
	"latest":         {1, 1, false},
}

func arity(c *Call) (int, int) {
	if c.Agg {
		a := aggregations[c.Name]
		return a.min, a.max
	}
	s := scalars[c.Name]
	return s.min, s.max
}

func init() {
	scalars = map[string]scalarFunc{
		// Numeric.
		"abs":   num1(math.Abs),
		"ceil":  num1(math.Ceil),
		"floor": num1(math.Floor),
		"log":   num1(math.Log),
		"sqrt":  num1(math.Sqrt),
		"round": {1, 2, func(a []Value, _ *Row) Value {
			x, ok := a[0].number()
			if !ok {
				return Value{}
			}
			p := 0.0
			if len(a) == 2 {
				p, _ = a[1].number()
			}
			m := math.Pow(10, p)
			return Num(math.Round(x*m) / m)
		}},
		"greatest": {1, -1, func(a []Value, _ *Row) Value { return extreme(a, 1) }},
		"least":    {1, -1, func(a []Value, _ *Row) Value { return extreme(a, -1) }},
		"tonumber": {1, 1, func(a []Value, _ *Row) Value {
			if f, ok := a[0].number(); ok {
				return Num(f)
			}
			return Value{}
		}},
		// General.
		"ispresent": {1, 1, func(a []Value, _ *Row) Value { return Boolean(!a[0].IsNull()) }},
		"coalesce": {1, -1, func(a []Value, _ *Row) Value {
			for _, v := range a {
				if !v.IsNull() {
					return v
				}
			}
			return Value{}
		}},
		// Strings.
		"isempty": {1, 1, func(a []Value, _ *Row) Value {
			s, _ := a[0].text()
			return Boolean(s == "")
		}},
		"isblank": {1, 1, func(a []Value, _ *Row) Value {
			s, _ := a[0].text()
			return Boolean(strings.TrimSpace(s) == "")
		}},
		"concat": {1, -1, func(a []Value, _ *Row) Value {
			var b strings.Builder
			for _, v := range a {
				s, _ := v.text()
				b.WriteString(s)
			}
			return Str(b.String())
		}},
		"ltrim":   trimFunc(strings.TrimLeftFunc, strings.TrimLeft),
		"rtrim":   trimFunc(strings.TrimRightFunc, strings.TrimRight),
		"trim":    trimFunc(strings.TrimFunc, strings.Trim),
		"strlen":  str1(func(s string) Value { return Num(float64(utf8.RuneCountInString(s))) }),
		"toupper": str1(func(s string) Value { return Str(strings.ToUpper(s)) }),
		"tolower": str1(func(s string) Value { return Str(strings.ToLower(s)) }),
		"substr": {2, 3, func(a []Value, _ *Row) Value {
			s, ok := a[0].text()
			start, ok2 := a[1].number()
			if !ok || !ok2 {
				return Value{}
			}
			rs := []rune(s)
			i := clamp(int(start), 0, len(rs))
			j := len(rs)
			if len(a) == 3 {
				n, ok := a[2].number()
				if !ok {
					return Value{}
				}
				j = clamp(i+int(n), i, len(rs))
			}
			return Str(string(rs[i:j]))
		}},
		"replace": {3, 3, func(a []Value, _ *Row) Value {
			s, ok := a[0].text()
			if !ok {
				return Value{}
			}
			old, _ := a[1].text()
			nw, _ := a[2].text()
			if old == "" {
				return Str(s)
			}
			return Str(strings.ReplaceAll(s, old, nw))
		}},
		"strcontains": {2, 2, func(a []Value, _ *Row) Value {
			s, ok := a[0].text()
			sub, ok2 := a[1].text()
			if !ok || !ok2 {
				return Value{}
			}
			return Num(b2f(strings.Contains(s, sub)))
		}},
		// Date and time.
		"bin": {1, 1, func(a []Value, r *Row) Value {
			return floorTime(r.Get("@timestamp"), a[0])
		}},
		"datefloor": {2, 2, func(a []Value, _ *Row) Value { return floorTime(a[0], a[1]) }},
		"dateceil": {2, 2, func(a []Value, _ *Row) Value {
			t, ok := timeOf(a[0])
			p, ok2 := a[1].number()
			if !ok || !ok2 || p <= 0 {
				return Value{}
			}
			period := int64(p)
			return TimeMs(-floorDiv(-t, period) * period)
		}},
		"frommillis": {1, 1, func(a []Value, _ *Row) Value {
			f, ok := a[0].number()
			if !ok {
				return Value{}
			}
			return TimeMs(int64(f))
		}},
		"tomillis": {1, 1, func(a []Value, _ *Row) Value {
			t, ok := timeOf(a[0])
			if !ok {
				return Value{}
			}
			return Num(float64(t))
		}},
	}
}

func num1(f func(float64) float64) scalarFunc {
	return scalarFunc{1, 1, func(a []Value, _ *Row) Value {
		x, ok := a[0].number()
		if !ok {
			return Value{}
		}
		return Num(f(x))
	}}
}

func str1(f func(string) Value) scalarFunc {
	return scalarFunc{1, 1, func(a []Value, _ *Row) Value {
		s, ok := a[0].text()
		if !ok {
			return Value{}
		}
		return f(s)
	}}
}

func trimFunc(space func(string, func(rune) bool) string, chars func(string, string) string) scalarFunc {
	return scalarFunc{1, 2, func(a []Value, _ *Row) Value {
		s, ok := a[0].text()
		if !ok {
			return Value{}
		}
		if len(a) == 2 {
			cut, _ := a[1].text()
			return Str(chars(s, cut))
		}
		return Str(space(s, unicode.IsSpace))
	}}
}

func extreme(a []Value, sign int) Value {
	var best Value
	for _, v := range a {
		if v.IsNull() {
			continue
		}
		if best.IsNull() || compare(v, best)*sign > 0 {
			best = v
		}
	}
	return best
}

func clamp(x, lo, hi int) int {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// timeOf reads a value as epoch milliseconds.
func timeOf(v Value) (int64, bool) {
	switch v.Kind {
	case Time, Number:
		return int64(v.N), true
	case String:
		return parseTime(v.S)
	}
	return 0, false
}

func floorTime(t, period Value) Value {
	ms, ok := timeOf(t)
	p, ok2 := period.number()
	if !ok || !ok2 || p <= 0 {
		return Value{}
	}
	return TimeMs(floorDiv(ms, int64(p)) * int64(p))
}

// acc accumulates one aggregation over one group.
type acc struct {
	n          int
	sum, sumsq float64
	nums       []float64
	best       Value
	distinct   map[string]struct{}
	at         int64 // earliest/latest: the timestamp of best
}

func (a *acc) add(c *Call, args []Value, ts int64) {
	switch c.Name {
	case "count":
		if c.Star || len(args) == 0 || !args[0].IsNull() {
			a.n++
		}
		return
	}
	v := args[0]
	if v.IsNull() {
		return
	}
	switch c.Name {
	case "count_distinct":
		if a.distinct == nil {
			a.distinct = map[string]struct{}{}
		}
		a.distinct[v.String()] = struct{}{}
	case "sum", "avg", "stddev", "pct", "percentile":
		f, ok := v.number()
		if !ok {
			return
		}
		a.n++
		a.sum += f
		a.sumsq += f * f
		if c.Name == "pct" || c.Name == "percentile" {
			a.nums = append(a.nums, f)
		}
	case "min", "max":
		sign := 1
		if c.Name == "min" {
			sign = -1
		}
		if a.n == 0 || compare(v, a.best)*sign > 0 {
			a.best = v
		}
		a.n++
	case "earliest", "latest":
		if a.n == 0 || (c.Name == "earliest" && ts < a.at) || (c.Name == "latest" && ts >= a.at) {
			a.best, a.at = v, ts
		}
		a.n++
	}
}

func (a *acc) result(c *Call, args []Value) Value {
	switch c.Name {
	case "count":
		return Num(float64(a.n))
	case "count_distinct":
		return Num(float64(len(a.distinct)))
	}
	if a.n == 0 {
		return Value{}
	}
	switch c.Name {
	case "sum":
		return Num(a.sum)
	case "avg":
		return Num(a.sum / float64(a.n))
	case "stddev":
		if a.n < 2 {
			return Num(0)
		}
		mean := a.sum / float64(a.n)
		v := (a.sumsq - float64(a.n)*mean*mean) / float64(a.n-1)
		return Num(math.Sqrt(math.Max(v, 0)))
	case "pct", "percentile":
		p, _ := args[1].number()
		sort.Float64s(a.nums)
		i := int(math.Ceil(p/100*float64(len(a.nums)))) - 1
		return Num(a.nums[clamp(i, 0, len(a.nums)-1)])
	case "earliest", "latest":
		// Logs Insights answers a timestamp here in epoch milliseconds.
		if a.best.Kind == Time {
			return Num(a.best.N)
		}
		return a.best
	}
	return a.best
}
