package cloudwatch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Metric math, the arithmetic part: an Expression of GetMetricData is
// numbers, the Ids of other queries (metrics or expressions), the
// operators + - * / ^ and unary minus, and parentheses. A time series
// combined with a number applies the operation to each value; two time
// series are combined where both have a value at the same timestamp.
// Results that are not finite (a division by zero) are left out.
// Functions (SUM, METRICS, FILL, RATE, ...) are not supported.

// mathNode is a parsed expression.
type mathNode interface {
	eval(env func(id string) (mathValue, error)) (mathValue, error)
}

// mathValue is a number or a time series (timestamps in epoch ms).
type mathValue struct {
	scalar bool
	n      float64
	series map[int64]float64
}

type mathNum float64

func (n mathNum) eval(func(string) (mathValue, error)) (mathValue, error) {
	return mathValue{scalar: true, n: float64(n)}, nil
}

type mathRef string

func (r mathRef) eval(env func(string) (mathValue, error)) (mathValue, error) { return env(string(r)) }

type mathNeg struct{ x mathNode }

func (u mathNeg) eval(env func(string) (mathValue, error)) (mathValue, error) {
	return mathBinary{op: '*', l: mathNum(-1), r: u.x}.eval(env)
}

type mathBinary struct {
	op   byte
	l, r mathNode
}

func applyOp(op byte, a, b float64) float64 {
	switch op {
	case '+':
		return a + b
	case '-':
		return a - b
	case '*':
		return a * b
	case '/':
		return a / b
	}
	return math.Pow(a, b)
}

func (e mathBinary) eval(env func(string) (mathValue, error)) (mathValue, error) {
	l, err := e.l.eval(env)
	if err != nil {
		return mathValue{}, err
	}
	r, err := e.r.eval(env)
	if err != nil {
		return mathValue{}, err
	}
	if l.scalar && r.scalar {
		return mathValue{scalar: true, n: applyOp(e.op, l.n, r.n)}, nil
	}
	out := mathValue{series: map[int64]float64{}}
	switch {
	case l.scalar:
		for ts, v := range r.series {
			out.series[ts] = applyOp(e.op, l.n, v)
		}
	case r.scalar:
		for ts, v := range l.series {
			out.series[ts] = applyOp(e.op, v, r.n)
		}
	default:
		for ts, v := range l.series {
			if w, ok := r.series[ts]; ok {
				out.series[ts] = applyOp(e.op, v, w)
			}
		}
	}
	for ts, v := range out.series {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(out.series, ts)
		}
	}
	return out, nil
}

// maxExpressionDepth bounds nesting of parentheses and operators.
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
	n, err := p.sum()
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
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
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

func (p *mathParser) sum() (mathNode, error) {
	l, err := p.product()
	if err != nil {
		return nil, err
	}
	for c := p.peek(); c == '+' || c == '-'; c = p.peek() {
		p.pos++
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		l = mathBinary{op: c, l: l, r: r}
	}
	return l, nil
}

func (p *mathParser) product() (mathNode, error) {
	l, err := p.power()
	if err != nil {
		return nil, err
	}
	for c := p.peek(); c == '*' || c == '/'; c = p.peek() {
		p.pos++
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		l = mathBinary{op: c, l: l, r: r}
	}
	return l, nil
}

func (p *mathParser) power() (mathNode, error) {
	base, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.peek() == '^' {
		p.pos++
		exp, err := p.power() // right-associative
		if err != nil {
			return nil, err
		}
		return mathBinary{op: '^', l: base, r: exp}, nil
	}
	return base, nil
}

func (p *mathParser) unary() (mathNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExpressionDepth {
		return nil, fmt.Errorf("expression nested too deeply")
	}
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
		x, err := p.sum()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing ) at position %d", p.pos+1)
		}
		p.pos++
		return x, nil
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
			return nil, fmt.Errorf("the function %s is not supported; expressions may use numbers, query ids, + - * / ^ and parentheses", strings.ToUpper(name))
		}
		p.refs = append(p.refs, name)
		return mathRef(name), nil
	case c == 0:
		return nil, fmt.Errorf("unexpected end of the expression")
	default:
		return nil, fmt.Errorf("unexpected %q at position %d", c, p.pos+1)
	}
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
