package keys

import (
	"fmt"

	"github.com/cockroachdb/apd/v3"
)

// Decode decodes a tuple encoded by Append. It returns string, []byte,
// int64 (also for values appended as int), uint64 and *apd.Decimal values.
// Decimals come back normalized, without trailing zeros in the
// coefficient: 1.50 decodes as 15E-1. Decoded []byte values do not alias b.
// Input that Append cannot produce, including prefix encodings from
// AppendStringPrefix, returns an error wrapping ErrMalformed.
func Decode(b []byte) ([]any, error) {
	var vals []any
	total := len(b)
	for len(b) > 0 {
		v, rest, err := decodeOne(b)
		if err != nil {
			return nil, fmt.Errorf("element %d at offset %d: %w", len(vals), total-len(b), err)
		}
		vals = append(vals, v)
		b = rest
	}
	return vals, nil
}

// decodeOne decodes the element at the start of b and returns it and the
// rest of b.
func decodeOne(b []byte) (any, []byte, error) {
	tag, b := b[0], b[1:]
	var (
		v   any
		err error
	)
	switch tag {
	case tagBytes:
		v, b, err = decodeEscaped(b)
	case tagString:
		var s []byte
		s, b, err = decodeEscaped(b)
		v = string(s)
	case tagInt:
		v, b, err = decodeSigned(b, 0)
	case tagUint:
		v, b, err = decodeUnsigned(b, 0)
	case tagDecZero:
		v = new(apd.Decimal)
	case tagDecPos, tagDecNeg:
		v, b, err = decodeDecimal(b, tag == tagDecNeg)
	default:
		err = fmt.Errorf("%w: unknown tag 0x%02x", ErrMalformed, tag)
	}
	if err != nil {
		return nil, nil, err
	}
	return v, b, nil
}

// decodeEscaped decodes an escaped, terminated []byte or string payload.
// The result is never nil.
func decodeEscaped(b []byte) ([]byte, []byte, error) {
	out := []byte{}
	for i := 0; i < len(b); i++ {
		if b[i] != escape {
			out = append(out, b[i])
			continue
		}
		if i+1 == len(b) {
			break
		}
		switch b[i+1] {
		case terminator:
			return out, b[i+2:], nil
		case escapedZero:
			out = append(out, 0)
			i++
		default:
			return nil, nil, fmt.Errorf("%w: byte 0x%02x after 0x00", ErrMalformed, b[i+1])
		}
	}
	return nil, nil, fmt.Errorf("%w: unterminated string or bytes", ErrMalformed)
}

// decodeUnsigned decodes 0x80+n and n significant bytes, each XORed with
// flip first.
func decodeUnsigned(b []byte, flip byte) (uint64, []byte, error) {
	if len(b) == 0 {
		return 0, nil, fmt.Errorf("%w: missing integer", ErrMalformed)
	}
	n := int(b[0]^flip) - 0x80
	if n < 0 || n > 8 {
		return 0, nil, fmt.Errorf("%w: integer length byte 0x%02x", ErrMalformed, b[0]^flip)
	}
	b = b[1:]
	if len(b) < n {
		return 0, nil, fmt.Errorf("%w: truncated integer", ErrMalformed)
	}
	if n > 0 && b[0]^flip == 0 {
		return 0, nil, fmt.Errorf("%w: integer with a leading zero byte", ErrMalformed)
	}
	var v uint64
	for _, c := range b[:n] {
		v = v<<8 | uint64(c^flip)
	}
	return v, b[n:], nil
}

// decodeSigned decodes a signed integer written by appendSigned, each byte
// XORed with flip first.
func decodeSigned(b []byte, flip byte) (int64, []byte, error) {
	if len(b) == 0 {
		return 0, nil, fmt.Errorf("%w: missing integer", ErrMalformed)
	}
	if b[0]^flip >= 0x80 {
		u, rest, err := decodeUnsigned(b, flip)
		if err != nil {
			return 0, nil, err
		}
		if u > 1<<63-1 {
			return 0, nil, fmt.Errorf("%w: integer overflows int64", ErrMalformed)
		}
		return int64(u), rest, nil
	}
	n := 0x80 - int(b[0]^flip)
	if n > 8 {
		return 0, nil, fmt.Errorf("%w: integer length byte 0x%02x", ErrMalformed, b[0]^flip)
	}
	b = b[1:]
	if len(b) < n {
		return 0, nil, fmt.Errorf("%w: truncated integer", ErrMalformed)
	}
	if n > 1 && b[0]^flip == 0xFF {
		return 0, nil, fmt.Errorf("%w: negative integer with a redundant 0xFF byte", ErrMalformed)
	}
	v := ^uint64(0) // sign-extend: the bytes not written are all 0xFF.
	for _, c := range b[:n] {
		v = v<<8 | uint64(c^flip)
	}
	if int64(v) >= 0 {
		// Only n == 8 can reach here, with a top byte below 0x80.
		return 0, nil, fmt.Errorf("%w: negative integer with a non-negative value", ErrMalformed)
	}
	return int64(v), b[n:], nil
}
