package keys

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/cockroachdb/apd/v3"
)

// Tags open every element. Their order is the order of the types.
const (
	tagBytes   = 0x01
	tagString  = 0x02
	tagInt     = 0x10
	tagUint    = 0x11
	tagDecNeg  = 0x20
	tagDecZero = 0x21
	tagDecPos  = 0x22
)

// Bytes of the []byte and string payloads: 0x00 is written as
// escape+escapedZero, and escape+terminator ends the element.
const (
	escape      = 0x00
	escapedZero = 0xFF
	terminator  = 0x01
)

// ErrMalformed is returned, wrapped with details, by Decode for input that no
// call to Append could have produced.
var ErrMalformed = errors.New("keys: malformed encoding")

// ErrUnsupported is returned, wrapped with details, by Append and
// AppendDecimal for values they cannot encode.
var ErrUnsupported = errors.New("keys: unsupported value")

// Append appends the encoding of the tuple vals to dst and returns the
// extended slice. Each value must be a string, []byte, int, int64, uint64
// or finite *apd.Decimal; anything else returns an error wrapping
// ErrUnsupported, and dst's contents past its length are unspecified.
func Append(dst []byte, vals ...any) ([]byte, error) {
	for _, v := range vals {
		switch v := v.(type) {
		case string:
			dst = AppendString(dst, v)
		case []byte:
			dst = AppendBytes(dst, v)
		case int:
			dst = AppendInt(dst, int64(v))
		case int64:
			dst = AppendInt(dst, v)
		case uint64:
			dst = AppendUint(dst, v)
		case *apd.Decimal:
			var err error
			if dst, err = AppendDecimal(dst, v); err != nil {
				return dst, err
			}
		default:
			return dst, fmt.Errorf("%w: type %T", ErrUnsupported, v)
		}
	}
	return dst, nil
}

// AppendString appends the encoding of s to dst.
func AppendString(dst []byte, s string) []byte {
	dst = AppendStringPrefix(dst, s)
	return append(dst, escape, terminator)
}

// AppendBytes appends the encoding of b to dst. Nil and empty slices encode
// identically.
func AppendBytes(dst, b []byte) []byte {
	dst = AppendBytesPrefix(dst, b)
	return append(dst, escape, terminator)
}

// AppendStringPrefix appends the encoding of s without its terminator: the
// result is a byte prefix of the encoding of every string that begins with
// s, and of no other. [p, PrefixEnd(p)) therefore scans for a string prefix,
// as DynamoDB's begins_with needs.
func AppendStringPrefix(dst []byte, s string) []byte {
	dst = append(dst, tagString)
	for i := 0; i < len(s); i++ {
		if s[i] == escape {
			dst = append(dst, escape, escapedZero)
		} else {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// AppendBytesPrefix is AppendStringPrefix for []byte.
func AppendBytesPrefix(dst, b []byte) []byte {
	dst = append(dst, tagBytes)
	for _, c := range b {
		if c == escape {
			dst = append(dst, escape, escapedZero)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// AppendInt appends the encoding of v to dst.
func AppendInt(dst []byte, v int64) []byte {
	return appendSigned(append(dst, tagInt), v)
}

// AppendUint appends the encoding of v to dst.
func AppendUint(dst []byte, v uint64) []byte {
	return appendUnsigned(append(dst, tagUint), v)
}

// PrefixEnd returns the smallest key greater than every key that begins with
// prefix, for use as the exclusive upper bound of a prefix scan. It returns
// nil, meaning no upper bound, when there is none (prefix is empty or all
// 0xFF).
func PrefixEnd(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xFF {
			end := make([]byte, i+1)
			copy(end, prefix)
			end[i]++
			return end
		}
	}
	return nil
}

// appendUnsigned writes 0x80+n and v's n significant bytes.
func appendUnsigned(dst []byte, v uint64) []byte {
	n := (bits.Len64(v) + 7) / 8
	dst = append(dst, byte(0x80+n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

// appendSigned writes v as described in the package documentation.
func appendSigned(dst []byte, v int64) []byte {
	if v >= 0 {
		return appendUnsigned(dst, uint64(v))
	}
	n := max((bits.Len64(uint64(^v))+7)/8, 1)
	dst = append(dst, byte(0x80-n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(uint64(v)>>(8*i)))
	}
	return dst
}
