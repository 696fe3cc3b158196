package keys

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// FuzzDecode checks that Decode never panics, rejects only with
// ErrMalformed, and accepts only canonical encodings: whatever it decodes
// re-encodes to exactly its input.
func FuzzDecode(f *testing.F) {
	seeds := [][]any{
		{},
		{"", []byte{}},
		{"a\x00b", []byte{0, 0xFF, 1}},
		{int64(math.MinInt64), int64(-257), int64(-1), int64(0), int64(255), int64(math.MaxInt64)},
		{uint64(0), uint64(256), uint64(math.MaxUint64)},
		{apd.New(15, -1), apd.New(-15, -1), apd.New(0, 0), apd.New(1, 125), apd.New(-1, -130)},
		{"table", uint64(7), "pk", apd.New(12345678901234567, 3)},
	}
	for _, s := range seeds {
		b, err := Append(nil, s...)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range [][]byte{
		{0xFF}, {tagString}, {tagString, 0}, {tagInt, 0x79, 0xFF, 0}, {tagDecPos, 0x80, 0},
		{tagDecNeg, 0x7F}, {tagUint, 0x88, 1},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode(%x) error %v does not wrap ErrMalformed", data, err)
			}
			return
		}
		again, err := Append(nil, vals...)
		if err != nil {
			t.Fatalf("Append(Decode(%x) = %s): %v", data, show(vals), err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("Decode(%x) = %s, which encodes as %x", data, show(vals), again)
		}
	})
}

// FuzzRoundTrip checks that Decode(Append(x)) == x for tuples built from the
// fuzzer's values, with equal decimals decoding equal.
func FuzzRoundTrip(f *testing.F) {
	f.Add("", []byte{}, int64(0), uint64(0), "0")
	f.Add("a\x00", []byte{0, 0xFF}, int64(-256), uint64(256), "-1.50e-130")
	f.Add("\xff", []byte(nil), int64(math.MaxInt64), uint64(math.MaxUint64), "99999999999999999999999999999999999999e88")
	f.Fuzz(func(t *testing.T, s string, b []byte, i int64, u uint64, num string) {
		tup := []any{s, b, i, u}
		if d, _, err := apd.NewFromString(num); err == nil && d.Form == apd.Finite {
			tup = append(tup, d)
		}
		enc, err := Append(nil, tup...)
		if errors.Is(err, ErrUnsupported) {
			return // a decimal whose normalized exponent overflows
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Append(%s)): %v", show(tup), err)
		}
		if compareTuples(got, tup) != 0 {
			t.Fatalf("Decode(Append(%s)) = %s", show(tup), show(got))
		}
	})
}

// FuzzDecimalOrder checks that two decimals' encodings compare as the
// numbers do.
func FuzzDecimalOrder(f *testing.F) {
	f.Add("1", "1.0")
	f.Add("1.5", "10")
	f.Add("-1.5", "-1")
	f.Add("-0", "1e-130")
	f.Add("123.456e7", "1234.56e6")
	f.Fuzz(func(t *testing.T, a, b string) {
		da, _, err := apd.NewFromString(a)
		if err != nil || da.Form != apd.Finite {
			return
		}
		db, _, err := apd.NewFromString(b)
		if err != nil || db.Form != apd.Finite {
			return
		}
		ea, erra := AppendDecimal(nil, da)
		eb, errb := AppendDecimal(nil, db)
		if erra != nil || errb != nil {
			return // normalized exponent overflows
		}
		if got, want := sign(bytes.Compare(ea, eb)), da.Cmp(db); got != want {
			t.Fatalf("%s vs %s: encodings compare %d, numbers %d", da, db, got, want)
		}
	})
}
