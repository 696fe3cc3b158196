package attr

import (
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Number limits, from "Data types" in the DynamoDB developer guide: "A Number
// can have up to 38 digits of precision ... Positive range: 1E-130 to
// 9.9999999999999999999999999999999999999E+125".
const (
	MaxNumberDigits   = 38   // significant digits, after trimming leading and trailing zeros
	MaxNumberExponent = 125  // largest adjusted exponent (scientific notation)
	MinNumberExponent = -130 // smallest adjusted exponent
)

// exponentLimit bounds exponents before any arithmetic on them: no string an
// expression or item can carry has this many digits, so a larger exponent is
// out of range whatever digits precede it.
const exponentLimit = 1 << 40

// arith computes sums exactly: two numbers in range differ by at most
// 125+130+38 digit positions, so 300 digits of precision never rounds.
var arith = apd.Context{Precision: 300, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Rounding: apd.RoundHalfEven}

// Number is a DynamoDB number: an exact decimal that is finite, within
// DynamoDB's range, reduced (its coefficient has no trailing zeros) and never
// negative zero. The zero Number is 0.
type Number struct {
	d apd.Decimal
}

// ParseNumber reads a number as DynamoDB does: an optional sign, digits with
// an optional decimal point (".5" and "5." are numbers), and an optional
// exponent ("1e2", "1E+2", "1e-2"). Whitespace, "NaN", "Infinity" and hex are
// not numbers. Out-of-range or over-precise numbers return ErrNumberOverflow,
// ErrNumberUnderflow or ErrNumberPrecision; anything else that is not a number
// returns an *Error quoting s.
func ParseNumber(s string) (Number, error) {
	var n Number
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := s[intStart:i]
	fracDigits := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracDigits = s[fracStart:i]
	}
	if intDigits == "" && fracDigits == "" {
		return n, errNotNumber(s)
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		expStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		e, ok := parseExponent(s[expStart:i], expNeg)
		if !ok {
			return n, errNotNumber(s)
		}
		exp = e
	}
	if i != len(s) {
		return n, errNotNumber(s)
	}

	// All digits, without leading zeros; the decimal point sits len(fracDigits)
	// places from the right, shifted by exp.
	all := strings.TrimLeft(intDigits+fracDigits, "0")
	if all == "" {
		// Zero is zero whatever exponent it is written with: DynamoDB
		// stores "0e1000" and "0e-1000" as 0.
		return n, nil
	}
	adjusted, over, under := adjust(len(all), len(fracDigits), exp)
	if err := rangeError(s, adjusted, over, under, exp); err != nil {
		return n, err
	}
	sig := strings.TrimRight(all, "0")
	if len(sig) > MaxNumberDigits {
		return n, ErrNumberPrecision
	}
	if _, ok := n.d.Coeff.SetString(sig, 10); !ok {
		return n, errNotNumber(s)
	}
	n.d.Exponent = int32(adjusted - int64(len(sig)-1))
	n.d.Negative = neg
	return n, nil
}

// rangeError returns the error for a number whose first significant digit
// is at 10^adjusted (over and under: beyond computing), or nil when it is in
// range. The error carries the older validation layer's wording too, which
// reads the number as Java's BigDecimal does: an exponent beyond a 32-bit
// integer cannot be converted, and the digit count minus the scale is
// computed in 32 bits, so 1e2147483647 wraps round to an underflow.
func rangeError(s string, adjusted int64, over, under bool, exp int64) *Error {
	var e *Error
	switch {
	case over || adjusted > MaxNumberExponent:
		e = &Error{Message: ErrNumberOverflow.Message}
	case under || adjusted < MinNumberExponent:
		e = &Error{Message: ErrNumberUnderflow.Message}
	default:
		return nil
	}
	switch {
	case exp > math.MaxInt32 || exp < math.MinInt32 || over || under:
		e.Older = errNotNumber(s).Message
	default:
		wrapped := int64(int32(adjusted+1)) - 1
		if wrapped > MaxNumberExponent {
			e.Older = ErrNumberOverflow.Message
		} else if wrapped < MinNumberExponent {
			e.Older = ErrNumberUnderflow.Message
		}
	}
	if e.Older == "" || e.Older == e.Message {
		// Both layers agree: return the package's own value, which callers
		// may compare by identity.
		if e.Message == ErrNumberOverflow.Message {
			return ErrNumberOverflow
		}
		return ErrNumberUnderflow
	}
	return e
}

// adjust returns the exponent of the first significant digit of a number
// with n digits (from the first non-zero one), frac of them after the
// decimal point, times 10^exp; over and under report exponents too large to
// compute with.
func adjust(n, frac int, exp int64) (adjusted int64, over, under bool) {
	if exp > exponentLimit {
		return 0, true, false
	}
	if exp < -exponentLimit {
		return 0, false, true
	}
	return int64(n) - 1 - int64(frac) + exp, false, false
}

// parseExponent parses exponent digits as a 64-bit integer; digits that do
// not fit make the whole string something DynamoDB cannot convert.
func parseExponent(digits string, neg bool) (int64, bool) {
	if digits == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		d := uint64(digits[i] - '0')
		if v > (1<<63)/10 {
			return 0, false
		}
		v = v*10 + d
		if v > 1<<63 {
			return 0, false
		}
	}
	if !neg && v == 1<<63 {
		return 0, false
	}
	if neg {
		return -int64(v), true // v == 1<<63 wraps to math.MinInt64, as intended
	}
	return int64(v), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// MustParseNumber is ParseNumber for literals known to be valid; it panics
// otherwise. It is meant for constants and tests.
func MustParseNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic("attr: invalid number " + s + ": " + err.Error())
	}
	return n
}

// NumberFromInt returns the Number equal to i.
func NumberFromInt(i int64) Number {
	var n Number
	n.d.SetInt64(i)
	n.reduce()
	return n
}

// String returns the number as DynamoDB returns it: plain decimal notation,
// no exponent, no leading or trailing zeros, "0" for zero.
func (n Number) String() string {
	return string(n.Append(nil))
}

// Append appends the canonical text of n to dst.
func (n Number) Append(dst []byte) []byte {
	if n.d.IsZero() {
		return append(dst, '0')
	}
	if n.d.Negative {
		dst = append(dst, '-')
	}
	var scratch [40]byte
	digits := n.d.Coeff.Append(scratch[:0], 10)
	exp := int(n.d.Exponent)
	switch {
	case exp >= 0:
		dst = append(dst, digits...)
		for i := 0; i < exp; i++ {
			dst = append(dst, '0')
		}
	case -exp < len(digits):
		point := len(digits) + exp
		dst = append(dst, digits[:point]...)
		dst = append(dst, '.')
		dst = append(dst, digits[point:]...)
	default:
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-len(digits); i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	}
	return dst
}

// Cmp compares n and o numerically: -1 if n < o, 0 if equal, +1 if n > o.
func (n Number) Cmp(o Number) int { return n.d.Cmp(&o.d) }

// Sign returns -1, 0 or +1.
func (n Number) Sign() int { return n.d.Sign() }

// IsZero reports whether n is 0.
func (n Number) IsZero() bool { return n.d.IsZero() }

// Int64 returns n as an int64 when it is an integer that fits.
func (n Number) Int64() (int64, bool) {
	i, err := n.d.Int64()
	return i, err == nil
}

// Decimal returns a copy of n as an apd.Decimal.
func (n Number) Decimal() apd.Decimal {
	var d apd.Decimal
	d.Set(&n.d)
	return d
}

// Digits returns the number of significant digits (1 for zero).
func (n Number) Digits() int {
	if n.d.IsZero() {
		return 1
	}
	return int(n.d.NumDigits())
}

// Exponent returns the adjusted exponent: the power of ten of the first
// significant digit (0 for zero).
func (n Number) Exponent() int {
	if n.d.IsZero() {
		return 0
	}
	return int(n.d.Exponent) + n.Digits() - 1
}

// Add returns n+o, or the range and precision errors DynamoDB reports when
// the sum cannot be stored.
func (n Number) Add(o Number) (Number, error) {
	var r Number
	if _, err := arith.Add(&r.d, &n.d, &o.d); err != nil {
		return Number{}, ErrNumberOverflow
	}
	return r.checked()
}

// Sub returns n-o, or the range and precision errors DynamoDB reports when
// the difference cannot be stored.
func (n Number) Sub(o Number) (Number, error) {
	var r Number
	if _, err := arith.Sub(&r.d, &n.d, &o.d); err != nil {
		return Number{}, ErrNumberOverflow
	}
	return r.checked()
}

// checked reduces the result of arithmetic and applies DynamoDB's limits.
// A result with more significant digits than a number holds is refused
// as an overflow, which is how DynamoDB words it for arithmetic (1e50 - 1
// "overflows"), unlike a written number's ErrNumberPrecision.
func (n Number) checked() (Number, error) {
	n.reduce()
	if n.d.IsZero() {
		return n, nil
	}
	switch e := n.Exponent(); {
	case e > MaxNumberExponent:
		return Number{}, ErrNumberOverflow
	case e < MinNumberExponent:
		return Number{}, ErrNumberUnderflow
	}
	if n.Digits() > MaxNumberDigits {
		return Number{}, ErrNumberOverflow
	}
	return n, nil
}

// reduce strips trailing zeros from the coefficient and clears the sign and
// exponent of zero, so that equal numbers have equal representations.
func (n *Number) reduce() {
	if n.d.IsZero() {
		n.d = apd.Decimal{}
		return
	}
	n.d.Reduce(&n.d)
}
