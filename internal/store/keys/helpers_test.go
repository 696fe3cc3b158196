package keys

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// dec parses a decimal literal or fails the test.
func dec(t testing.TB, s string) *apd.Decimal {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatalf("parsing decimal %q: %v", s, err)
	}
	return d
}

// mustAppend encodes a tuple or fails the test.
func mustAppend(t testing.TB, vals ...any) []byte {
	t.Helper()
	b, err := Append(nil, vals...)
	if err != nil {
		t.Fatalf("Append(%s): %v", show(vals), err)
	}
	return b
}

// typeRank is the documented order of types.
func typeRank(v any) int {
	switch v.(type) {
	case []byte:
		return 0
	case string:
		return 1
	case int64, int:
		return 2
	case uint64:
		return 3
	case *apd.Decimal:
		return 4
	}
	panic(fmt.Sprintf("typeRank: unexpected %T", v))
}

// compareValues is the reference order of single values.
func compareValues(a, b any) int {
	if c := cmp.Compare(typeRank(a), typeRank(b)); c != 0 {
		return c
	}
	switch a := a.(type) {
	case []byte:
		return bytes.Compare(a, b.([]byte))
	case string:
		return strings.Compare(a, b.(string))
	case int64:
		return cmp.Compare(a, b.(int64))
	case uint64:
		return cmp.Compare(a, b.(uint64))
	case *apd.Decimal:
		return a.Cmp(b.(*apd.Decimal))
	}
	panic("unreachable")
}

// compareTuples is the reference tuple order: element by element, a prefix
// first.
func compareTuples(a, b []any) int {
	for i := range min(len(a), len(b)) {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// sign maps a comparison result to -1, 0 or 1.
func sign(c int) int { return cmp.Compare(c, 0) }

// show prints a tuple readably, decimals included.
func show(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case *apd.Decimal:
			parts[i] = "dec(" + v.String() + ")"
		default:
			parts[i] = fmt.Sprintf("%T(%q)", v, fmt.Sprint(v))
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// gen produces random values biased toward the edges of each encoding:
// 0x00 and 0xFF bytes, integer byte-length boundaries, decimal signs,
// exponents and digit counts.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) gen { return gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func (g gen) bytes() []byte {
	b := make([]byte, g.r.IntN(6))
	alphabet := []byte{0x00, 0x01, 0x02, 0xFE, 0xFF, 'a', 'b'}
	for i := range b {
		if g.r.IntN(4) == 0 {
			b[i] = byte(g.r.UintN(256))
		} else {
			b[i] = alphabet[g.r.IntN(len(alphabet))]
		}
	}
	return b
}

func (g gen) int64() int64 {
	switch g.r.IntN(4) {
	case 0:
		return int64(g.r.IntN(600)) - 300
	case 1:
		v := int64(1) << g.r.IntN(63)
		return v + int64(g.r.IntN(3)) - 1 - 2*v*int64(g.r.IntN(2))
	case 2:
		return []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}[g.r.IntN(7)]
	default:
		return int64(g.r.Uint64())
	}
}

func (g gen) uint64() uint64 {
	switch g.r.IntN(3) {
	case 0:
		return uint64(g.r.IntN(600))
	case 1:
		return uint64(1)<<g.r.IntN(64) + uint64(g.r.IntN(3)) - 1
	default:
		return g.r.Uint64()
	}
}

// decimal returns a finite decimal: usually within DynamoDB's limits (38
// significant digits, exponent -130..+125), sometimes far outside them, in
// a random one of its representations (trailing zeros, -0).
func (g gen) decimal() *apd.Decimal {
	if g.r.IntN(10) == 0 {
		d := apd.New(0, int32(g.r.IntN(20)-10))
		d.Negative = g.r.IntN(2) == 0
		return d
	}
	n := 1 + g.r.IntN(38)
	if g.r.IntN(20) == 0 {
		n = 39 + g.r.IntN(60)
	}
	digits := make([]byte, n)
	for i := range digits {
		digits[i] = byte('0' + g.r.IntN(10))
		if g.r.IntN(3) == 0 {
			digits[i] = "019"[g.r.IntN(3)]
		}
	}
	digits[0] = byte('1' + g.r.IntN(9))
	var exp int64
	switch g.r.IntN(10) {
	case 0:
		exp = int64(g.r.Int32())
	case 1, 2:
		exp = int64(g.r.IntN(7)) - 3 - int64(n) + 1
	default:
		exp = int64(g.r.IntN(256)) - 130 - int64(n) + 1 // scientific -130..125
	}
	trailing := 0
	if g.r.IntN(4) == 0 {
		trailing = g.r.IntN(4)
	}
	exp -= int64(trailing)
	if exp < math.MinInt32 || exp > math.MaxInt32-100 {
		exp = 0
	}
	d := &apd.Decimal{Negative: g.r.IntN(2) == 0, Exponent: int32(exp)}
	d.Coeff.SetString(string(digits)+strings.Repeat("0", trailing), 10)
	return d
}

// value returns a random value of a random type.
func (g gen) value() any {
	switch g.r.IntN(5) {
	case 0:
		return g.bytes()
	case 1:
		return string(g.bytes())
	case 2:
		return g.int64()
	case 3:
		return g.uint64()
	default:
		return g.decimal()
	}
}

// tuple returns a random tuple of 0..4 values.
func (g gen) tuple() []any {
	t := make([]any, g.r.IntN(5))
	for i := range t {
		t[i] = g.value()
	}
	return t
}

// sameType returns a random value of v's type.
func (g gen) sameType(v any) any {
	switch v.(type) {
	case []byte:
		return g.bytes()
	case string:
		return string(g.bytes())
	case int64:
		return g.int64()
	case uint64:
		return g.uint64()
	default:
		return g.decimal()
	}
}

// near returns a tuple that shares a random prefix with t and then differs
// from it in one same-typed element or in its tail, so that comparisons of
// t and the result reach past the first element.
func (g gen) near(t []any) []any {
	k := g.r.IntN(len(t) + 1)
	out := append([]any{}, t[:k]...)
	if k < len(t) && g.r.IntN(2) == 0 {
		out = append(out, g.sameType(t[k]))
	}
	for range g.r.IntN(3) {
		out = append(out, g.value())
	}
	return out
}
