package attr

// MaxItemSize is DynamoDB's item size limit: "The maximum item size in
// DynamoDB is 400 KB, which includes both attribute name binary length (UTF-8
// length) and attribute value lengths". An item of exactly this size is
// accepted; one byte more is refused.
const MaxItemSize = 400 * 1024

// Size returns the bytes an attribute named name with value v counts towards
// the item size: the UTF-8 length of the name plus ValueSize(v).
func Size(name string, v Value) int { return len(name) + ValueSize(v) }

// ItemSize returns the size of an item as DynamoDB computes it for the 400 KB
// limit and for capacity units: the sum of Size over its attributes.
func ItemSize(it Item) int {
	n := 0
	for name, v := range it {
		n += Size(name, v)
	}
	return n
}

// ValueSize returns the bytes a value counts, following "Item sizes and
// formats" in the DynamoDB developer guide:
//
//   - S: its UTF-8 bytes; B: its raw bytes; N: NumberSize.
//   - BOOL and NULL: 1 byte.
//   - L and M: 3 bytes of overhead plus, per element, 1 byte plus the
//     element's size (and, for a map, the UTF-8 length of its key).
//   - SS, NS, BS: the sum of the members' sizes.
func ValueSize(v Value) int {
	switch v.t {
	case TypeS:
		return len(v.s)
	case TypeB:
		return len(v.b)
	case TypeN:
		return NumberSize(v.n)
	case TypeBOOL, TypeNULL:
		return 1
	case TypeSS, TypeNS, TypeBS:
		n := 0
		for _, m := range v.list {
			n += ValueSize(m)
		}
		return n
	case TypeL:
		n := 3
		for _, e := range v.list {
			n += 1 + ValueSize(e)
		}
		return n
	case TypeM:
		n := 3
		for k, e := range v.m {
			n += 1 + len(k) + ValueSize(e)
		}
		return n
	}
	return 0
}

// NumberSize returns the bytes a number counts. DynamoDB stores a number as
// one exponent byte, its significant digits in base-100 pairs aligned on the
// decimal point (so "1.5" needs two pairs where "15" needs one), and one more
// byte when negative; zero is one byte. Measured sizes this reproduces:
// 0→1, 1→2, 12→2, 123→3, 100→2, 1010→3, 1.5→3, 3.14159→5, 123456→4,
// 100.5→4, 0.15→2, 1E125→2, -42→3, 38 digits→20.
func NumberSize(n Number) int {
	if n.IsZero() {
		return 1
	}
	hi := n.Exponent()        // power of ten of the first significant digit
	lo := hi - n.Digits() + 1 // power of ten of the last significant digit
	pairs := floorDiv2(hi) - floorDiv2(lo) + 1
	size := 1 + pairs
	if n.Sign() < 0 {
		size++
	}
	return size
}

func floorDiv2(x int) int {
	if x >= 0 {
		return x / 2
	}
	return -((-x + 1) / 2)
}
