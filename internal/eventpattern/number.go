package eventpattern

import "strings"

// decimal is an exact decimal number, ±0.digits × 10^exp. Numbers are kept
// this way, not as float64, so that 0.1 + 0.2 style rounding never decides a
// match, and so that comparing 1e-999999999 with 5e9 costs nothing: a
// comparison looks at signs, exponents and digit strings, never at an
// expanded value.
type decimal struct {
	neg    bool
	digits string // significant digits, no leading or trailing zeros; "" is zero
	exp    int64
}

// maxExponent caps parsed exponents. Digits cannot outnumber the bytes of
// the text, so capping far beyond any text's length changes no comparison
// that could be written down.
const maxExponent = 1 << 40

// parseDecimal parses a JSON number. It also accepts leading zeros and a
// leading '+', which SNS Number attributes may carry.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	if intPart == "" {
		return decimal{}, false
	}
	var frac string
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fracStart:i]
		if frac == "" {
			return decimal{}, false
		}
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			negExp = s[i] == '-'
			i++
		}
		expStart := i
		for i < len(s) && isDigit(s[i]) {
			exp = min(exp*10+int64(s[i]-'0'), maxExponent)
			i++
		}
		if i == expStart {
			return decimal{}, false
		}
		if negExp {
			exp = -exp
		}
	}
	if i != len(s) {
		return decimal{}, false
	}

	all := intPart + frac
	lead := 0
	for lead < len(all) && all[lead] == '0' {
		lead++
	}
	trail := len(all)
	for trail > lead && all[trail-1] == '0' {
		trail--
	}
	if lead == trail {
		return decimal{}, true // zero, and -0 is zero
	}
	d.digits = all[lead:trail]
	d.exp = int64(len(intPart)-lead) + exp
	return d, true
}

// mustDecimal parses a constant.
func mustDecimal(s string) decimal {
	d, ok := parseDecimal(s)
	if !ok {
		panic("eventpattern: bad decimal constant " + s)
	}
	return d
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// cmp returns -1, 0 or +1 as d is less than, equal to or greater than e.
func (d decimal) cmp(e decimal) int {
	switch {
	case d.digits == "" && e.digits == "":
		return 0
	case d.digits == "":
		if e.neg {
			return 1
		}
		return -1
	case e.digits == "":
		if d.neg {
			return -1
		}
		return 1
	case d.neg != e.neg:
		if d.neg {
			return -1
		}
		return 1
	}
	c := d.cmpAbs(e)
	if d.neg {
		return -c
	}
	return c
}

// cmpAbs compares magnitudes of two non-zero numbers.
func (d decimal) cmpAbs(e decimal) int {
	if d.exp != e.exp {
		if d.exp < e.exp {
			return -1
		}
		return 1
	}
	// Both are 0.digits with a leading non-zero digit: digit strings order
	// like the numbers, a prefix being the smaller.
	return strings.Compare(d.digits, e.digits)
}

// scale is the number of digits right of the decimal point once trailing
// zeros are dropped: 1.50 has scale 1, 1.5e2 has scale 0.
func (d decimal) scale() int64 {
	if s := int64(len(d.digits)) - d.exp; s > 0 {
		return s
	}
	return 0
}

// numericDomain is the set of numbers a dialect compares numerically.
type numericDomain struct {
	limit       decimal // magnitudes up to limit, inclusive
	maxScale    int64   // 0: no limit on decimals
	rangeReason string  // AWS's reason for an operand beyond limit
	scaleReason string  // AWS's reason for an operand with too many decimals
}

// contains reports whether d is inside the domain's range.
func (dom numericDomain) contains(d decimal) bool {
	return d.digits == "" || d.cmpAbs(dom.limit) <= 0
}

// representable reports whether d is inside the range and has no more
// decimals than the domain keeps.
func (dom numericDomain) representable(d decimal) bool {
	return dom.contains(d) && (dom.maxScale == 0 || d.scale() <= dom.maxScale)
}

// check returns AWS's reason for rejecting d as a pattern operand, or "".
func (dom numericDomain) check(d decimal) string {
	if dom.maxScale > 0 && d.scale() > dom.maxScale {
		return dom.scaleReason
	}
	if !dom.contains(d) {
		return dom.rangeReason
	}
	return ""
}
