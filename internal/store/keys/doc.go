// Package keys encodes tuples of values into byte strings whose bytewise
// order is the tuples' order, so that services can lay out their data in the
// store's sorted key space and scan it by range.
//
// # Guarantees
//
//   - Order: bytes.Compare(Append(nil, a...), Append(nil, b...)) has the sign
//     of comparing tuples a and b element by element, where a tuple that is a
//     prefix of another sorts first.
//   - Prefix: the encoding of a tuple's prefix is a byte prefix of the
//     tuple's encoding, so [p, PrefixEnd(p)) scans every key that begins with
//     the encoded tuple p.
//   - Canonical: equal values encode identically. In particular decimals are
//     normalized, so 1, 1.0, 10e-1 and -0 vs 0 do not make distinct keys,
//     just as DynamoDB treats them as one number.
//   - Non-empty: every encoded element is at least one byte, so only the
//     empty tuple encodes as the empty key, which the store rejects.
//   - Strict decoding: Decode accepts exactly the encodings Append produces
//     and returns an error, never panics, on anything else.
//
// # Types and their order
//
// Values of different types order by type: []byte < string < int64 <
// uint64 < decimal. Within a type, order is the natural one: bytewise for
// []byte and string, numeric for the rest. int is encoded as int64; int64
// and uint64 are distinct types and do not interleave.
//
// # Wire format
//
// Each element is one tag byte followed by a self-delimiting payload:
//
//	0x01 []byte     payload with 0x00 escaped as 0x00 0xFF, then 0x00 0x01
//	0x02 string     same as []byte
//	0x10 int64      signed length-prefixed integer (below)
//	0x11 uint64     0x80+n, then the n significant bytes, big-endian
//	0x20 decimal<0  bitwise complement of the positive payload of |x|
//	0x21 decimal=0  no payload
//	0x22 decimal>0  signed integer E, then the digits in pairs (below)
//
// A signed integer v >= 0 is 0x80+n followed by v's n significant bytes
// (n = 0 for zero); v < 0 is 0x80-n followed by the low n bytes of v, where
// n >= 1 is the fewest bytes that hold ^v. Longer magnitudes thus sort
// further from zero.
//
// A positive decimal is written as 0.d1d2...dn × 10^(E+1), with d1 != 0 and
// dn != 0. E goes first, so magnitude decides order before digits do. The
// digits follow two per byte: the pair value p (0..99; a lone last digit d
// counts as d0) is stored as 2p+1, except the last pair, stored as 2p. The
// low bit thus marks the end, and a number whose digits are a prefix of
// another's sorts first, as it must, since its missing digits are zeros.
// Negative decimals complement the whole payload, reversing the order.
//
// Decimals must be finite: DynamoDB numbers are, and no order between NaN
// and numbers would be right for every caller.
package keys
