package cloudwatch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Metric math ("Metric math syntax and functions", CloudWatch User
// Guide). An Expression of GetMetricData or of a metric math alarm is
// numbers, the Ids of other queries, the operators + - * / ^ and unary
// minus, the comparison operators == != < <= > >=, the logical
// operators AND (&&) and OR (||), parentheses, arrays [a, b, ...] and
// the functions of funcs (mathfuncs.go), written in uppercase.
//
// A value is a scalar (S), a time series (TS) or an array of time
// series (TS[]). As AWS documents: in arithmetic and comparisons
// between two time series a timestamp missing from one of them counts
// as 0; a point whose value is not finite (a division by zero, LOG of
// 0) is dropped; an array combined with a scalar or a time series
// applies the operation to each of its members. Comparisons and logical
// operators give 1 (true) or 0 (false).
//
// Precedence, loosest first: OR, AND, comparisons, + -, * /, ^ (right
// associative), unary minus. (AWS does not document precedence; this is
// the usual one.)

// mathKind is the type of a mathValue.
type mathKind int

const (
	kScalar mathKind = iota
	kSeries
	kArray
)

func (k mathKind) String() string {
	return [...]string{"S", "TS", "TS[]"}[k]
}

// mathSeries is one time series: its points by timestamp (epoch ms), its
// period in seconds (0 when unknown) and the label it is returned with.
type mathSeries struct {
	label  string
	period int32
	points map[int64]float64
}

// mathValue is a scalar, a time series or an array of time series.
type mathValue struct {
	kind mathKind
	n    float64
	ts   mathSeries
	arr  []mathSeries
}

func scalarValue(n float64) mathValue    { return mathValue{kind: kScalar, n: n} }
func seriesValue(s mathSeries) mathValue { return mathValue{kind: kSeries, ts: s} }

// mathEnv is what an expression is evaluated against.
type mathEnv struct {
	// ref gives the value of another query of the request.
	ref func(id string) (mathValue, error)
	// metrics gives the request's MetricStat queries whose Id contains
	// filter, in request order (METRICS()).
	metrics func(filter string) ([]mathSeries, error)
	// periodOf gives the period of a MetricStat query, false for an
	// expression (PERIOD()).
	periodOf func(id string) (int32, bool)
	// search runs a SEARCH expression.
	search func(query, stat string, period int32) ([]mathSeries, error)
	// start and end bound the request (epoch ms, end exclusive); period
	// is the expression's period in seconds, for functions that make
	// points where there were none (TIME_SERIES, FILL, MINUTE, ...).
	start, end int64
	period     int32
}

// mathNode is a parsed expression.
type mathNode interface {
	eval(env *mathEnv) (mathValue, error)
}

type mathNum float64

func (n mathNum) eval(*mathEnv) (mathValue, error) { return scalarValue(float64(n)), nil }

type mathRef string

func (r mathRef) eval(env *mathEnv) (mathValue, error) { return env.ref(string(r)) }

// mathString is a quoted string: the argument of METRICS and SEARCH.
type mathString string

func (s mathString) eval(*mathEnv) (mathValue, error) {
	return mathValue{}, fmt.Errorf("a string may only be an argument of METRICS or SEARCH") // unsourced message
}

// mathKeyword is a bare uppercase word given as an argument: REPEAT,
// LINEAR (FILL), AVG, MIN, MAX, SUM (SORT's function), ASC, DESC.
type mathKeyword string

func (k mathKeyword) eval(*mathEnv) (mathValue, error) {
	return mathValue{}, fmt.Errorf("%s is not a value", string(k)) // unsourced message
}

type mathNeg struct{ x mathNode }

func (u mathNeg) eval(env *mathEnv) (mathValue, error) {
	return mathBinary{op: "*", l: mathNum(-1), r: u.x}.eval(env)
}

// mathArray is an array literal [a, b, ...] of time series or arrays.
type mathArray []mathNode

// maxArraySeries bounds an array literal's time series. AWS documents no
// bound of its own on arrays; this is the bound it documents on the
// metrics of a GetMetricData call (500) and on a search's series (500),
// which keeps what one expression computes (each series up to 100,800
// points) bounded.
const maxArraySeries = 500

func (a mathArray) eval(env *mathEnv) (mathValue, error) {
	out := mathValue{kind: kArray, arr: []mathSeries{}}
	for _, n := range a {
		v, err := n.eval(env)
		if err != nil {
			return mathValue{}, err
		}
		switch v.kind {
		case kSeries:
			out.arr = append(out.arr, v.ts)
		case kArray:
			out.arr = append(out.arr, v.arr...)
		default:
			return mathValue{}, fmt.Errorf("an array may hold only time series") // unsourced message
		}
		if len(out.arr) > maxArraySeries {
			return mathValue{}, fmt.Errorf("an array may hold at most %d time series", maxArraySeries) // unsourced message
		}
	}
	return out, nil
}

type mathBinary struct {
	op   string
	l, r mathNode
}

func truth(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func applyOp(op string, a, b float64) float64 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "^":
		return math.Pow(a, b)
	case "==":
		return truth(a == b)
	case "!=":
		return truth(a != b)
	case "<":
		return truth(a < b)
	case "<=":
		return truth(a <= b)
	case ">":
		return truth(a > b)
	case ">=":
		return truth(a >= b)
	case "AND":
		return truth(a != 0 && b != 0)
	case "OR":
		return truth(a != 0 || b != 0)
	}
	return math.NaN()
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// combine applies op to two time series, a missing point counting as 0.
func combine(op string, l, r mathSeries) mathSeries {
	out := mathSeries{label: l.label, period: l.period, points: make(map[int64]float64, len(l.points))}
	if out.period == 0 {
		out.period = r.period
	}
	for ts, v := range l.points {
		if x := applyOp(op, v, r.points[ts]); finite(x) {
			out.points[ts] = x
		}
	}
	for ts, w := range r.points {
		if _, ok := l.points[ts]; ok {
			continue
		}
		if x := applyOp(op, 0, w); finite(x) {
			out.points[ts] = x
		}
	}
	return out
}

// mapSeries applies f to each point of s, dropping results that are not
// finite.
func mapSeries(s mathSeries, f func(float64) float64) mathSeries {
	out := mathSeries{label: s.label, period: s.period, points: make(map[int64]float64, len(s.points))}
	for ts, v := range s.points {
		if x := f(v); finite(x) {
			out.points[ts] = x
		}
	}
	return out
}

// binaryValues applies op to two values of any kinds but two arrays.
func binaryValues(op string, l, r mathValue) (mathValue, error) {
	switch {
	case l.kind == kScalar && r.kind == kScalar:
		// A scalar that is not a number (a division by zero, AVG of no
		// datapoints) drops the points computed from it.
		return scalarValue(applyOp(op, l.n, r.n)), nil
	case l.kind == kArray && r.kind == kArray:
		return mathValue{}, fmt.Errorf("the operator %s cannot combine two arrays of time series", op) // unsourced message
	case l.kind == kArray || r.kind == kArray:
		arr, other, left := l.arr, r, true
		if r.kind == kArray {
			arr, other, left = r.arr, l, false
		}
		out := mathValue{kind: kArray, arr: make([]mathSeries, len(arr))}
		for i, s := range arr {
			var v mathValue
			if left {
				v, _ = binaryValues(op, seriesValue(s), other)
			} else {
				v, _ = binaryValues(op, other, seriesValue(s))
			}
			v.ts.label = s.label
			out.arr[i] = v.ts
		}
		return out, nil
	case l.kind == kScalar:
		return seriesValue(mapSeries(r.ts, func(v float64) float64 { return applyOp(op, l.n, v) })), nil
	case r.kind == kScalar:
		return seriesValue(mapSeries(l.ts, func(v float64) float64 { return applyOp(op, v, r.n) })), nil
	}
	return seriesValue(combine(op, l.ts, r.ts)), nil
}

func (e mathBinary) eval(env *mathEnv) (mathValue, error) {
	l, err := e.l.eval(env)
	if err != nil {
		return mathValue{}, err
	}
	r, err := e.r.eval(env)
	if err != nil {
		return mathValue{}, err
	}
	return binaryValues(e.op, l, r)
}

// maxExpressionDepth bounds nesting of parentheses, arrays, calls and
// operators.
const maxExpressionDepth = 64

type mathParser struct {
	s     string
	pos   int
	depth int
	refs  []string
}

// parseMath parses an expression and returns it with the ids it uses.
func parseMath(s string) (mathNode, []string, error) {
	p := &mathParser{s: s}
	n, err := p.or()
	if err != nil {
		return nil, nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, nil, fmt.Errorf("unexpected %q at position %d", p.s[p.pos:], p.pos+1)
	}
	return n, p.refs, nil
}

func (p *mathParser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *mathParser) peek() byte {
	p.space()
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// accept consumes the first of ops found at the position (words only
// when a word ends there) and returns it in its canonical form.
func (p *mathParser) accept(ops ...string) string {
	p.space()
	for _, op := range ops {
		if !strings.HasPrefix(p.s[p.pos:], op) {
			continue
		}
		if end := p.pos + len(op); op[0] >= 'A' && op[0] <= 'Z' && end < len(p.s) && isIDByte(p.s[end]) {
			continue
		}
		p.pos += len(op)
		switch op {
		case "&&":
			return "AND"
		case "||":
			return "OR"
		}
		return op
	}
	return ""
}

func (p *mathParser) enter() error {
	p.depth++
	if p.depth > maxExpressionDepth {
		return fmt.Errorf("expression nested too deeply")
	}
	return nil
}

func (p *mathParser) or() (mathNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for op := p.accept("OR", "||"); op != ""; op = p.accept("OR", "||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = mathBinary{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *mathParser) and() (mathNode, error) {
	l, err := p.comparison()
	if err != nil {
		return nil, err
	}
	for op := p.accept("AND", "&&"); op != ""; op = p.accept("AND", "&&") {
		r, err := p.comparison()
		if err != nil {
			return nil, err
		}
		l = mathBinary{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *mathParser) comparison() (mathNode, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	if op := p.accept("==", "!=", "<=", ">=", "<", ">"); op != "" {
		r, err := p.sum()
		if err != nil {
			return nil, err
		}
		return mathBinary{op: op, l: l, r: r}, nil
	}
	return l, nil
}

func (p *mathParser) sum() (mathNode, error) {
	l, err := p.product()
	if err != nil {
		return nil, err
	}
	for op := p.accept("+", "-"); op != ""; op = p.accept("+", "-") {
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		l = mathBinary{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *mathParser) product() (mathNode, error) {
	l, err := p.power()
	if err != nil {
		return nil, err
	}
	for op := p.accept("*", "/"); op != ""; op = p.accept("*", "/") {
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		l = mathBinary{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *mathParser) power() (mathNode, error) {
	base, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.accept("^") != "" {
		if err := p.enter(); err != nil {
			return nil, err
		}
		exp, err := p.power() // right-associative
		p.depth--
		if err != nil {
			return nil, err
		}
		return mathBinary{op: "^", l: base, r: exp}, nil
	}
	return base, nil
}

func (p *mathParser) unary() (mathNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	switch c := p.peek(); {
	case c == '-':
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return mathNeg{x}, nil
	case c == '(':
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing ) at position %d", p.pos+1)
		}
		p.pos++
		return x, nil
	case c == '[':
		p.pos++
		args, err := p.list(']')
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("an array must hold at least one time series") // unsourced message
		}
		return mathArray(args), nil
	case c == '"' || c == '\'' || c == 0xe2: // " ' or a typographic quote
		return p.str()
	case c >= '0' && c <= '9' || c == '.':
		start := p.pos
		for p.pos < len(p.s) && (p.s[p.pos] >= '0' && p.s[p.pos] <= '9' || p.s[p.pos] == '.') {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.s[start:p.pos], 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", p.s[start:p.pos])
		}
		return mathNum(f), nil
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		start := p.pos
		for p.pos < len(p.s) && isIDByte(p.s[p.pos]) {
			p.pos++
		}
		name := p.s[start:p.pos]
		if p.peek() == '(' {
			p.pos++
			if _, ok := mathFuncs[name]; !ok {
				if _, ok := mathFuncs[strings.ToUpper(name)]; ok {
					// "All functions must be written in uppercase letters."
					return nil, fmt.Errorf("the function %s must be written in uppercase letters", name) // unsourced message
				}
				return nil, fmt.Errorf("unknown function %s", name) // unsourced message
			}
			args, err := p.list(')')
			if err != nil {
				return nil, err
			}
			return mathCall{name: name, args: args}, nil
		}
		if mathKeywords[name] {
			return mathKeyword(name), nil
		}
		if c >= 'A' && c <= 'Z' {
			// Ids "must start with a lowercase letter"; uppercase words
			// are functions and their keywords.
			return nil, fmt.Errorf("unknown name %s at position %d", name, start+1) // unsourced message
		}
		p.refs = append(p.refs, name)
		return mathRef(name), nil
	case c == 0:
		return nil, fmt.Errorf("unexpected end of the expression")
	default:
		return nil, fmt.Errorf("unexpected %q at position %d", c, p.pos+1)
	}
}

// list parses comma-separated expressions up to close (already past the
// opening bracket).
func (p *mathParser) list(close byte) ([]mathNode, error) {
	var out []mathNode
	if p.peek() == close {
		p.pos++
		return out, nil
	}
	for {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		switch p.peek() {
		case ',':
			p.pos++
		case close:
			p.pos++
			return out, nil
		case 0:
			return nil, fmt.Errorf("missing %c at position %d", close, p.pos+1)
		default:
			return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.pos:], p.pos+1)
		}
	}
}

// Typographic double quotes, which AWS's own examples use in METRICS(“4xx”).
const (
	leftQuote  = "\u201c"
	rightQuote = "\u201d"
)

// str parses a quoted string: '...' or "..." (or “...”), with \ escaping
// the next character.
func (p *mathParser) str() (mathNode, error) {
	start := p.pos
	closing := string(p.s[p.pos])
	switch {
	case strings.HasPrefix(p.s[p.pos:], leftQuote):
		closing = rightQuote
		p.pos += len(leftQuote)
	case closing == "'" || closing == `"`:
		p.pos++
	default:
		return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.pos:], p.pos+1)
	}
	var b strings.Builder
	for p.pos < len(p.s) {
		if strings.HasPrefix(p.s[p.pos:], closing) {
			p.pos += len(closing)
			return mathString(b.String()), nil
		}
		if p.s[p.pos] == '\\' && p.pos+1 < len(p.s) {
			// Kept with its backslash: SEARCH reads the escapes itself.
			b.WriteByte(p.s[p.pos])
			p.pos++
		}
		b.WriteByte(p.s[p.pos])
		p.pos++
	}
	return nil, fmt.Errorf("unterminated string at position %d", start+1)
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
