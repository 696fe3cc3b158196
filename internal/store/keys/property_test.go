package keys

import (
	"bytes"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// TestPropertyOrder checks on random pairs, per type and for mixed tuples,
// that the encodings compare as the values do, that equal values encode
// identically, and that every encoding decodes back to its value.
func TestPropertyOrder(t *testing.T) {
	t.Parallel()
	const iterations = 10000
	tests := []struct {
		name string
		pair func(g gen) (a, b []any)
	}{
		{"bytes", func(g gen) ([]any, []any) { return []any{g.bytes()}, []any{g.bytes()} }},
		{"string", func(g gen) ([]any, []any) { return []any{string(g.bytes())}, []any{string(g.bytes())} }},
		{"int64", func(g gen) ([]any, []any) { return []any{g.int64()}, []any{g.int64()} }},
		{"uint64", func(g gen) ([]any, []any) { return []any{g.uint64()}, []any{g.uint64()} }},
		{"decimal", func(g gen) ([]any, []any) { return []any{g.decimal()}, []any{g.decimal()} }},
		{"decimal near", func(g gen) ([]any, []any) {
			// Same exponent and a shared leading-digit run compare on deep digits.
			a := g.decimal()
			b := new(apd.Decimal).Set(a)
			b.Coeff.Mul(&b.Coeff, apd.NewBigInt(int64(1+g.r.IntN(1000))))
			b.Exponent -= int32(g.r.IntN(4))
			if g.r.IntN(2) == 0 {
				b.Coeff.Add(&b.Coeff, apd.NewBigInt(int64(g.r.IntN(3))))
			}
			return []any{a}, []any{b}
		}},
		{"tuple", func(g gen) ([]any, []any) { return g.tuple(), g.tuple() }},
		{"tuple near", func(g gen) ([]any, []any) { a := g.tuple(); return a, g.near(a) }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGen(uint64(i) + 1)
			for range iterations {
				a, b := tt.pair(g)
				ea, eb := mustAppend(t, a...), mustAppend(t, b...)
				if got, want := sign(bytes.Compare(ea, eb)), sign(compareTuples(a, b)); got != want {
					t.Fatalf("%s vs %s: encodings compare %d, values %d\n%x\n%x", show(a), show(b), got, want, ea, eb)
				}
				for _, tup := range [][]any{a, b} {
					enc := mustAppend(t, tup...)
					dec, err := Decode(enc)
					if err != nil {
						t.Fatalf("Decode(Append(%s)) = %v", show(tup), err)
					}
					if compareTuples(dec, normalizeInts(tup)) != 0 {
						t.Fatalf("Decode(Append(%s)) = %s", show(tup), show(dec))
					}
				}
			}
		})
	}
}

// TestPropertyPrefix checks on random tuples that the encoding of every
// prefix of a tuple is a byte prefix of the tuple's encoding and bounds it
// with PrefixEnd.
func TestPropertyPrefix(t *testing.T) {
	t.Parallel()
	g := newGen(99)
	for range 5000 {
		tup := g.tuple()
		full := mustAppend(t, tup...)
		for k := range len(tup) + 1 {
			p := mustAppend(t, tup[:k]...)
			if !bytes.HasPrefix(full, p) {
				t.Fatalf("encoding of %s (%x) does not start with that of its prefix %s (%x)",
					show(tup), full, show(tup[:k]), p)
			}
			if end := PrefixEnd(p); end != nil && bytes.Compare(full, end) >= 0 {
				t.Fatalf("encoding of %s (%x) is not below PrefixEnd(%x) = %x", show(tup), full, p, end)
			}
		}
	}
}

// TestPropertyDecimalRepresentations checks on random decimals that every
// representation of a value (more trailing zeros in the coefficient, -0)
// encodes identically.
func TestPropertyDecimalRepresentations(t *testing.T) {
	t.Parallel()
	g := newGen(7)
	ten := apd.NewBigInt(10)
	for range 5000 {
		d := g.decimal()
		want := mustAppend(t, d)
		other := new(apd.Decimal).Set(d)
		for range 1 + g.r.IntN(5) {
			if other.Exponent < -1<<31+10 {
				break
			}
			other.Coeff.Mul(&other.Coeff, ten)
			other.Exponent--
		}
		if other.IsZero() {
			other.Negative = !other.Negative
		}
		if got := mustAppend(t, other); !bytes.Equal(got, want) {
			t.Fatalf("%s encodes as %x but equal %s as %x", other, got, d, want)
		}
	}
}

// normalizeInts returns tup with int values as int64, as Decode returns them.
func normalizeInts(tup []any) []any {
	out := make([]any, len(tup))
	for i, v := range tup {
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		out[i] = v
	}
	return out
}
