package insights

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is what a value holds.
type Kind uint8

// The kinds of values.
const (
	Null Kind = iota
	String
	Number
	Time // epoch milliseconds in N
	Bool
)

// Value is a field's or an expression's value. A missing field is Null.
type Value struct {
	Kind Kind
	S    string
	N    float64
}

// Str, Num, TimeMs and Boolean make values.
func Str(s string) Value     { return Value{Kind: String, S: s} }
func Num(n float64) Value    { return Value{Kind: Number, N: n} }
func TimeMs(ms int64) Value  { return Value{Kind: Time, N: float64(ms)} }
func Boolean(b bool) Value   { return Value{Kind: Bool, N: b2f(b)} }
func (v Value) IsNull() bool { return v.Kind == Null }
func (v Value) truthy() bool { return v.Kind == Bool && v.N != 0 || v.Kind == Number && v.N != 0 }
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TimeLayout is how Logs Insights writes timestamps in query results.
const TimeLayout = "2006-01-02 15:04:05.000"

// String renders a value as results carry it.
func (v Value) String() string {
	switch v.Kind {
	case String:
		return v.S
	case Number:
		return formatNumber(v.N)
	case Time:
		return time.UnixMilli(int64(v.N)).UTC().Format(TimeLayout)
	case Bool:
		if v.N != 0 {
			return "1"
		}
		return "0"
	}
	return ""
}

func formatNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// number reads a value as a number: numbers and times as they are,
// strings that spell a number.
func (v Value) number() (float64, bool) {
	switch v.Kind {
	case Number, Time, Bool:
		return v.N, true
	case String:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
		return f, err == nil
	}
	return 0, false
}

// text reads a value as a string.
func (v Value) text() (string, bool) {
	if v.Kind == Null {
		return "", false
	}
	return v.String(), true
}

// compare orders two non-null values: numerically when both read as
// numbers, as strings otherwise.
func compare(a, b Value) int {
	if a.Kind == Time && b.Kind == String {
		if t, ok := parseTime(b.S); ok {
			b = TimeMs(t)
		}
	}
	if b.Kind == Time && a.Kind == String {
		if t, ok := parseTime(a.S); ok {
			a = TimeMs(t)
		}
	}
	an, aok := a.number()
	bn, bok := b.number()
	if aok && bok && (a.Kind != String || b.Kind != String) {
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	}
	if aok && bok {
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	}
	return strings.Compare(a.String(), b.String())
}

func parseTime(s string) (int64, bool) {
	for _, layout := range []string{TimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}
