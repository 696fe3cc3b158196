package keys

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// TestOrderTable checks hand-picked sequences that must encode in strictly
// increasing order.
func TestOrderTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sorted [][]any // strictly increasing
	}{
		{"bytes", [][]any{
			{[]byte{}}, {[]byte{0}}, {[]byte{0, 0}}, {[]byte{0, 1}}, {[]byte{0, 0xFF}},
			{[]byte{1}}, {[]byte{0xFF}}, {[]byte{0xFF, 0}}, {[]byte{0xFF, 0xFF}},
		}},
		{"strings", [][]any{
			{""}, {"\x00"}, {"\x00\x00"}, {"\x00\x01"}, {"\x01"}, {"a"}, {"a\x00"}, {"a\x00b"}, {"a\x01"},
			{"aa"}, {"b"}, {"\xff"}, {"\xff\xff"},
		}},
		{"int64", [][]any{
			{int64(math.MinInt64)}, {int64(math.MinInt64 + 1)}, {int64(-1 << 32)}, {int64(-257)}, {int64(-256)},
			{int64(-255)}, {int64(-2)}, {int64(-1)}, {0}, {1}, {255}, {256}, {int64(1 << 32)},
			{int64(math.MaxInt64 - 1)}, {int64(math.MaxInt64)},
		}},
		{"uint64", [][]any{
			{uint64(0)}, {uint64(1)}, {uint64(255)}, {uint64(256)}, {uint64(math.MaxInt64)},
			{uint64(math.MaxInt64 + 1)}, {uint64(math.MaxUint64)},
		}},
		{"decimals", [][]any{
			{dec(t, "-1e126")}, {dec(t, "-99999999999999999999999999999999999999e88")}, {dec(t, "-1e2")},
			{dec(t, "-10.5")}, {dec(t, "-10")}, {dec(t, "-9.99")}, {dec(t, "-1.51")}, {dec(t, "-1.5")},
			{dec(t, "-1.05")}, {dec(t, "-1")}, {dec(t, "-0.5")}, {dec(t, "-1e-130")}, {dec(t, "0")},
			{dec(t, "1e-130")}, {dec(t, "0.001")}, {dec(t, "0.01")}, {dec(t, "0.5")}, {dec(t, "1")},
			{dec(t, "1.000000000000000000000000000000000001")}, {dec(t, "1.05")}, {dec(t, "1.5")},
			{dec(t, "1.51")}, {dec(t, "9.99")}, {dec(t, "10")}, {dec(t, "10.5")}, {dec(t, "1e2")},
			{dec(t, "99999999999999999999999999999999999999e88")}, {dec(t, "1e126")},
		}},
		{"types", [][]any{
			{[]byte("z")}, {""}, {int64(math.MinInt64)}, {int64(math.MaxInt64)}, {uint64(0)},
			{dec(t, "-1e100")},
		}},
		{"tuples", [][]any{
			{}, {"a"}, {"a", int64(-1)}, {"a", 0}, {"a", 0, ""}, {"a", 0, "x"}, {"a", 1},
			{"a\x00"}, {"a\x00", dec(t, "0")}, {"b"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := 1; i < len(tt.sorted); i++ {
				a, b := mustAppend(t, tt.sorted[i-1]...), mustAppend(t, tt.sorted[i]...)
				if bytes.Compare(a, b) >= 0 {
					t.Errorf("%s = %x does not sort before %s = %x", show(tt.sorted[i-1]), a, show(tt.sorted[i]), b)
				}
			}
		})
	}
}

// TestDecimalRepresentations checks that numerically equal decimals encode
// identically, so that DynamoDB keys 1 and 1.0 address the same item.
func TestDecimalRepresentations(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"1", "1.0", "10e-1", "0.1e1", "1.00000000000000000000000000000000000000000"},
		{"0", "-0", "0e10", "0.000", "-0e-5"},
		{"-12.5", "-125e-1", "-12.50", "-0.0125e3"},
		{"1e125", "10e124", "0.001e128"},
		{"123456789012345678901234567890123456780", "12345678901234567890123456789012345678e1"},
	}
	for _, group := range tests {
		t.Run(group[0], func(t *testing.T) {
			t.Parallel()
			want := mustAppend(t, dec(t, group[0]))
			for _, s := range group[1:] {
				if got := mustAppend(t, dec(t, s)); !bytes.Equal(got, want) {
					t.Errorf("%s encodes as %x, %s as %x", s, got, group[0], want)
				}
			}
		})
	}
}

// TestRoundTripTable checks that edge values decode to what was encoded.
func TestRoundTripTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []any
		want []any // nil means in
	}{
		{"empty tuple", []any{}, nil},
		{"empty string and bytes", []any{"", []byte{}}, nil},
		{"nil bytes decode empty", []any{[]byte(nil)}, []any{[]byte{}}},
		{"zero bytes", []any{"\x00\x00", []byte{0, 0xFF, 0, 1}}, nil},
		{"int becomes int64", []any{7, -7}, []any{int64(7), int64(-7)}},
		{"int64 edges", []any{int64(math.MinInt64), int64(-1), int64(0), int64(math.MaxInt64)}, nil},
		{"uint64 edges", []any{uint64(0), uint64(math.MaxUint64)}, nil},
		{"decimals normalized", []any{dec(t, "1.50"), dec(t, "-0"), dec(t, "100")},
			[]any{apd.New(15, -1), apd.New(0, 0), apd.New(1, 2)}},
		{"dynamodb limits", []any{
			dec(t, "9.9999999999999999999999999999999999999e125"), dec(t, "-1e-130"),
			dec(t, "12345678901234567890123456789012345678"),
		}, nil},
		{"exponent edges", []any{apd.New(7, math.MinInt32), apd.New(7, math.MaxInt32)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			if want == nil {
				want = tt.in
			}
			got, err := Decode(mustAppend(t, tt.in...))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameTuple(got, want) {
				t.Errorf("Decode(Append(%s)) = %s, want %s", show(tt.in), show(got), show(want))
			}
		})
	}
}

// sameTuple reports whether a and b hold equal values of the same types;
// decimals must also have the same representation.
func sameTuple(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch av := a[i].(type) {
		case []byte:
			bv, ok := b[i].([]byte)
			if !ok || !bytes.Equal(av, bv) || bv == nil {
				return false
			}
		case *apd.Decimal:
			bv, ok := b[i].(*apd.Decimal)
			if !ok || av.Cmp(bv) != 0 || av.Exponent != bv.Exponent || av.Negative != bv.Negative {
				return false
			}
		default:
			if a[i] != b[i] {
				return false
			}
		}
	}
	return true
}

func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want []byte
	}{
		{nil, nil},
		{[]byte{}, nil},
		{[]byte{0xFF, 0xFF}, nil},
		{[]byte{0}, []byte{1}},
		{[]byte{'a', 'b'}, []byte{'a', 'c'}},
		{[]byte{'a', 0xFF}, []byte{'b'}},
		{[]byte{'a', 0xFE, 0xFF, 0xFF}, []byte{'a', 0xFF}},
	}
	for _, tt := range tests {
		in := bytes.Clone(tt.in)
		got := PrefixEnd(in)
		if !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", tt.in, got, tt.want)
		}
		if !bytes.Equal(in, tt.in) {
			t.Errorf("PrefixEnd modified its argument: %x, was %x", in, tt.in)
		}
	}
}

// TestStringPrefix checks that a begins_with scan over
// [AppendStringPrefix(s), PrefixEnd(...)) holds exactly the strings that
// begin with s.
func TestStringPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		in     []string
		out    []string
	}{
		{"ab", []string{"ab", "abc", "ab\x00", "ab\xff", "ab\x00\x00"}, []string{"a", "aa", "ac", "b", "a\x00b", ""}},
		{"", []string{"", "a", "\x00", "\xff\xff"}, nil},
		{"a\x00", []string{"a\x00", "a\x00\x00", "a\x00b"}, []string{"a", "a\x01", "ab"}},
		{"\xff", []string{"\xff", "\xff\xff", "\xff\x00"}, []string{"\xfe", ""}},
	}
	for _, tt := range tests {
		lo := AppendStringPrefix(nil, tt.prefix)
		hi := PrefixEnd(lo)
		inRange := func(k []byte) bool {
			return bytes.Compare(k, lo) >= 0 && (hi == nil || bytes.Compare(k, hi) < 0)
		}
		for _, s := range tt.in {
			if k := AppendString(nil, s); !inRange(k) {
				t.Errorf("prefix %q: %q (%x) outside [%x, %x)", tt.prefix, s, k, lo, hi)
			}
			if k := AppendString(nil, s); !bytes.HasPrefix(k, lo) {
				t.Errorf("prefix %q: encoding of %q does not start with %x", tt.prefix, s, lo)
			}
		}
		for _, s := range tt.out {
			if k := AppendString(nil, s); inRange(k) {
				t.Errorf("prefix %q: %q (%x) inside [%x, %x)", tt.prefix, s, k, lo, hi)
			}
		}
		// Later tuple elements do not escape the range either.
		if k := mustAppend(t, tt.prefix+"z", uint64(math.MaxUint64)); !inRange(k) {
			t.Errorf("prefix %q: tuple key %x outside [%x, %x)", tt.prefix, k, lo, hi)
		}
	}
	if !bytes.Equal(AppendBytesPrefix(nil, []byte("a\x00")), append([]byte{tagBytes}, "a\x00\xff"...)) {
		t.Errorf("AppendBytesPrefix does not escape like AppendBytes")
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []byte
	}{
		{"unknown tag", []byte{0x03}},
		{"tag 0xff", []byte{0xFF}},
		{"unterminated string", []byte{tagString, 'a'}},
		{"string ends in escape", []byte{tagString, 'a', 0x00}},
		{"bad escape", []byte{tagString, 0x00, 0x02}},
		{"prefix encoding", AppendStringPrefix(nil, "ab")},
		{"missing int", []byte{tagInt}},
		{"int length too big", []byte{tagInt, 0x89}},
		{"negative int length too big", []byte{tagInt, 0x77}},
		{"truncated int", []byte{tagInt, 0x82, 0x01}},
		{"int leading zero", []byte{tagInt, 0x82, 0x00, 0x01}},
		{"negative int redundant 0xff", []byte{tagInt, 0x7E, 0xFF, 0x00}},
		{"int overflow", []byte{tagInt, 0x88, 0x80, 0, 0, 0, 0, 0, 0, 0}},
		{"negative int not negative", []byte{tagInt, 0x78, 0x7F, 0, 0, 0, 0, 0, 0, 0}},
		{"uint leading zero", []byte{tagUint, 0x81, 0x00}},
		{"uint below 0x80", []byte{tagUint, 0x7F, 0x01}},
		{"decimal without exponent", []byte{tagDecPos}},
		{"decimal without digits", []byte{tagDecPos, 0x80}},
		{"decimal unterminated digits", []byte{tagDecPos, 0x80, 0x15}},
		{"decimal leading zero", []byte{tagDecPos, 0x80, 2 * 5}},
		{"decimal trailing zero pair", []byte{tagDecPos, 0x80, 2*10 + 1, 0}},
		{"decimal pair over 99", []byte{tagDecPos, 0x80, 200}},
		{"negative decimal not complemented", []byte{tagDecNeg, 0x80, 20}},
		{"decimal exponent overflows int32", append(appendSigned([]byte{tagDecPos}, math.MaxInt32+1), 20)},
		{"valid then garbage", append(mustAppend(t, "a", 1), 0x00)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode(tt.in)
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode(%x) = %s, %v; want ErrMalformed", tt.in, show(got), err)
			}
		})
	}
}

func TestAppendUnsupported(t *testing.T) {
	t.Parallel()
	negCoeff := apd.New(1, 0)
	negCoeff.Coeff.SetInt64(-1)
	tests := []struct {
		name string
		v    any
	}{
		{"float64", 1.5},
		{"int32", int32(1)},
		{"nil", nil},
		{"nil decimal", (*apd.Decimal)(nil)},
		{"NaN", dec(t, "NaN")},
		{"infinity", dec(t, "-Infinity")},
		{"negative coefficient", negCoeff},
		{"exponent overflows when normalized", apd.New(10, math.MaxInt32)},
	}
	for _, tt := range tests {
		if _, err := Append(nil, "ok", tt.v); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: Append = %v, want ErrUnsupported", tt.name, err)
		}
	}
}
