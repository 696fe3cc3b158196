package keys

import (
	"fmt"
	"math"

	"github.com/cockroachdb/apd/v3"
)

// AppendDecimal appends the encoding of d to dst. Numerically equal values
// encode identically whatever their representation (1, 1.0, 10E-1; 0 and
// -0). It returns an error wrapping ErrUnsupported if d is nil, infinite or
// NaN, or if stripping its coefficient's trailing zeros would push its
// exponent past math.MaxInt32.
func AppendDecimal(dst []byte, d *apd.Decimal) ([]byte, error) {
	if d == nil {
		return dst, fmt.Errorf("%w: nil *apd.Decimal", ErrUnsupported)
	}
	if d.Form != apd.Finite {
		return dst, fmt.Errorf("%w: decimal %s is not finite", ErrUnsupported, d)
	}
	if d.Coeff.Sign() < 0 {
		return dst, fmt.Errorf("%w: decimal with a negative coefficient", ErrUnsupported)
	}
	digits := d.Coeff.Append(nil, 10)
	end := len(digits)
	for end > 0 && digits[end-1] == '0' {
		end--
	}
	if end == 0 {
		return append(dst, tagDecZero), nil
	}
	trailing := len(digits) - end
	digits = digits[:end]
	if int64(d.Exponent)+int64(trailing) > math.MaxInt32 {
		// Normalized, the exponent would not fit apd's int32, so Decode
		// could not return the value.
		return dst, fmt.Errorf("%w: decimal exponent out of range", ErrUnsupported)
	}
	// d = 0.d1...dn × 10^(e+1) where e is the exponent of the first digit.
	e := int64(d.Exponent) + int64(trailing) + int64(len(digits)) - 1

	if !d.Negative {
		dst = append(dst, tagDecPos)
		return appendMagnitude(dst, e, digits), nil
	}
	dst = append(dst, tagDecNeg)
	start := len(dst)
	dst = appendMagnitude(dst, e, digits)
	for i := start; i < len(dst); i++ {
		dst[i] = ^dst[i]
	}
	return dst, nil
}

// appendMagnitude writes the payload of a positive decimal: its exponent e,
// then its ASCII digits (no leading or trailing zeros) in pairs.
func appendMagnitude(dst []byte, e int64, digits []byte) []byte {
	dst = appendSigned(dst, e)
	for i := 0; i < len(digits); i += 2 {
		p := (digits[i] - '0') * 10
		if i+1 < len(digits) {
			p += digits[i+1] - '0'
		}
		if i+2 < len(digits) {
			dst = append(dst, 2*p+1)
		} else {
			dst = append(dst, 2*p)
		}
	}
	return dst
}

// decodeDecimal decodes the payload of a nonzero decimal from b, undoing the
// complement of negative ones, and returns it and the rest of b.
func decodeDecimal(b []byte, negative bool) (*apd.Decimal, []byte, error) {
	flip := byte(0)
	if negative {
		flip = 0xFF
	}
	e, b, err := decodeSigned(b, flip)
	if err != nil {
		return nil, nil, err
	}
	var digits []byte
	for done := false; !done; {
		if len(b) == 0 {
			return nil, nil, fmt.Errorf("%w: decimal digits not terminated", ErrMalformed)
		}
		c := b[0] ^ flip
		b = b[1:]
		done = c&1 == 0
		p := c >> 1
		switch {
		case p > 99:
			return nil, nil, fmt.Errorf("%w: decimal digit pair %d", ErrMalformed, p)
		case len(digits) == 0 && p < 10:
			return nil, nil, fmt.Errorf("%w: decimal with a leading zero", ErrMalformed)
		case done && p == 0:
			return nil, nil, fmt.Errorf("%w: decimal with a trailing zero", ErrMalformed)
		}
		digits = append(digits, '0'+p/10)
		if !done || p%10 != 0 {
			digits = append(digits, '0'+p%10)
		}
	}
	exp := e - int64(len(digits)) + 1
	if exp < math.MinInt32 || exp > math.MaxInt32 {
		return nil, nil, fmt.Errorf("%w: decimal exponent %d out of range", ErrMalformed, exp)
	}
	d := &apd.Decimal{Negative: negative, Exponent: int32(exp)}
	if _, ok := d.Coeff.SetString(string(digits), 10); !ok {
		return nil, nil, fmt.Errorf("%w: decimal digits %q", ErrMalformed, digits)
	}
	return d, b, nil
}
