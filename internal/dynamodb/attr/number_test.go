package attr

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

func TestParseNumberCanonical(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"+0", "0"},
		{"0.000", "0"},
		{"0e125", "0"},
		{"0e1000", "0"},
		{"-0.0e-1000", "0"},
		{"1", "1"},
		{"+5", "5"},
		{"+1.5", "1.5"},
		{"+1e2", "100"},
		{"0100", "100"},
		{"1.50", "1.5"},
		{"1e2", "100"},
		{"1E+2", "100"},
		{"1e-2", "0.01"},
		{".5", "0.5"},
		{"5.", "5"},
		{"-.5", "-0.5"},
		{"0042.1200", "42.12"},
		{"-1.23e3", "-1230"},
		{"12.345e1", "123.45"},
		{"0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
		{"-00001.23456789012345678901234567890123456780000", "-1.2345678901234567890123456789012345678"},
		{"0009.99999999999999999999999999999999999990000e125", strings.Repeat("9", 38) + strings.Repeat("0", 88)},
		{"-0009.99999999999999999999999999999999999990000e125", "-" + strings.Repeat("9", 38) + strings.Repeat("0", 88)},
		{"0001.000e-130", "0." + strings.Repeat("0", 129) + "1"},
		{"-0001.000e-130", "-0." + strings.Repeat("0", 129) + "1"},
		{"1E125", "1" + strings.Repeat("0", 125)},
		{strings.Repeat("1", 38) + strings.Repeat("0", 88), strings.Repeat("1", 38) + strings.Repeat("0", 88)},
	}
	for _, c := range cases {
		n, err := ParseNumber(c.in)
		if err != nil {
			t.Errorf("ParseNumber(%q): %v", c.in, err)
			continue
		}
		if got := n.String(); got != c.want {
			t.Errorf("ParseNumber(%q).String() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseNumberErrors(t *testing.T) {
	t.Parallel()
	notNumber := func(s string) string { return "The parameter cannot be converted to a numeric value: " + s }
	cases := []struct{ in, want string }{
		{"", notNumber("")},
		{"abc", notNumber("abc")},
		{"1.2.3", notNumber("1.2.3")},
		{" 1", notNumber(" 1")},
		{"1 ", notNumber("1 ")},
		{"0x10", notNumber("0x10")},
		{"1e", notNumber("1e")},
		{"e5", notNumber("e5")},
		{"+e2", notNumber("+e2")},
		{"1+2", notNumber("1+2")},
		{"-", notNumber("-")},
		{".", notNumber(".")},
		{"NaN", notNumber("NaN")},
		{"Infinity", notNumber("Infinity")},
		{"1e9223372036854775808", notNumber("1e9223372036854775808")},
		{"1e99999999999999999999", notNumber("1e99999999999999999999")},
		{"1e126", ErrNumberOverflow.Message},
		{"-1e126", ErrNumberOverflow.Message},
		{"1e99999999999", ErrNumberOverflow.Message},
		{"1e2147483648", ErrNumberOverflow.Message},
		{"1e2147483647", ErrNumberOverflow.Message},
		{"1e9223372036854775807", ErrNumberOverflow.Message},
		{"10e125", ErrNumberOverflow.Message},
		{"1e-131", ErrNumberUnderflow.Message},
		{"-1e-131", ErrNumberUnderflow.Message},
		{"0.1e-130", ErrNumberUnderflow.Message},
		{"1e-99999999999", ErrNumberUnderflow.Message},
		{"1e-2147483648", ErrNumberUnderflow.Message},
		{"1e-9223372036854775808", ErrNumberUnderflow.Message},
		{"123456789012345678901234567890123456789", ErrNumberPrecision.Message},
		{"-1.23456789012345678901234567890123456789", ErrNumberPrecision.Message},
		{"1234567890123456789012345678901234567890", ErrNumberPrecision.Message},
	}
	for _, c := range cases {
		_, err := ParseNumber(c.in)
		var ae *Error
		if !errors.As(err, &ae) || ae.Message != c.want {
			t.Errorf("ParseNumber(%q) error = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestNumberCompare(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"1", "1.0", 0},
		{"-0", "0", 0},
		{"2", "10", -1},
		{"-2", "-10", 1},
		{"0.001", "0.01", -1},
		{"1e125", "9.9e124", 1},
		{"-1e-130", "1e-130", -1},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345679", -1},
	}
	for _, c := range cases {
		if got := MustParseNumber(c.a).Cmp(MustParseNumber(c.b)); got != c.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestNumberArithmetic(t *testing.T) {
	t.Parallel()
	nines := strings.Repeat("9", 38)
	cases := []struct {
		a, op, b, want, err string
	}{
		{"1", "+", "2", "3", ""},
		{"0.1", "+", "0.2", "0.3", ""},
		{"1.5", "-", "1.5", "0", ""},
		{"-1", "+", "1", "0", ""},
		{"10", "-", "15", "-5", ""},
		{"1e125", "+", "1e125", "2" + strings.Repeat("0", 125), ""},
		{"9.9999999999999999999999999999999999999e125", "+", "1e125", "", ErrNumberOverflow.Message},
		{"-9.9999999999999999999999999999999999999e125", "-", "1e125", "", ErrNumberOverflow.Message},
		{"1e-130", "-", "1.1e-130", "", ErrNumberUnderflow.Message},
		{nines, "+", "1", "1" + strings.Repeat("0", 38), ""},
		{"1e37", "+", "0.1", "", ErrNumberOverflow.Message},
		{"1e125", "+", "1e-130", "", ErrNumberOverflow.Message},
		{"1e50", "-", "1", "", ErrNumberOverflow.Message},
		{"12345678901234567890123456789012345678", "-", "12345678901234567890123456789012345677", "1", ""},
	}
	for _, c := range cases {
		a, b := MustParseNumber(c.a), MustParseNumber(c.b)
		var got Number
		var err error
		if c.op == "+" {
			got, err = a.Add(b)
		} else {
			got, err = a.Sub(b)
		}
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s %s %s: err = %v, want %q", c.a, c.op, c.b, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("%s %s %s = %s, %v; want %s", c.a, c.op, c.b, got, err, c.want)
		}
	}
}

func TestNumberFromInt(t *testing.T) {
	t.Parallel()
	for _, i := range []int64{0, 1, -1, 10, 1000, -4500, 1 << 62} {
		n := NumberFromInt(i)
		if got, ok := n.Int64(); !ok || got != i {
			t.Errorf("NumberFromInt(%d).Int64() = %d, %v", i, got, ok)
		}
		if m := MustParseNumber(n.String()); m.Cmp(n) != 0 || m.String() != n.String() {
			t.Errorf("round trip of %d: %s", i, m)
		}
	}
}

// randomNumberText builds number literals of every shape DynamoDB accepts.
func randomNumberText(r *rand.Rand) string {
	var b strings.Builder
	switch r.Intn(3) {
	case 0:
		b.WriteByte('-')
	case 1:
		b.WriteByte('+')
	}
	digits := func(n int) {
		for i := 0; i < n; i++ {
			b.WriteByte(byte('0' + r.Intn(10)))
		}
	}
	digits(r.Intn(20))
	if r.Intn(2) == 0 {
		b.WriteByte('.')
		digits(1 + r.Intn(20))
	} else {
		digits(1)
	}
	if r.Intn(3) == 0 {
		b.WriteByte("eE"[r.Intn(2)])
		if r.Intn(2) == 0 {
			b.WriteByte("+-"[r.Intn(2)])
		}
		b.WriteString(string(rune('0' + r.Intn(10))))
		digits(r.Intn(3))
	}
	return b.String()
}

// TestNumberProperties checks, on random literals, that parsing agrees with
// apd's exact reading, that the canonical text round-trips, and that
// addition and subtraction agree with exact arithmetic when the result is in
// range.
func TestNumberProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	var parsed []Number
	for i := 0; i < 3000; i++ {
		s := randomNumberText(r)
		n, err := ParseNumber(s)
		exact, _, aerr := apd.NewFromString(s)
		if aerr != nil {
			t.Fatalf("apd cannot read %q: %v", s, aerr)
		}
		if err != nil {
			if !errors.Is(err, ErrNumberOverflow) && !errors.Is(err, ErrNumberUnderflow) && !errors.Is(err, ErrNumberPrecision) {
				t.Errorf("ParseNumber(%q) = %v", s, err)
			}
			continue
		}
		d := n.Decimal()
		if d.Cmp(exact) != 0 {
			t.Errorf("ParseNumber(%q) = %s, exact %s", s, n, exact)
		}
		text := n.String()
		back, err := ParseNumber(text)
		if err != nil || back.String() != text || back.Cmp(n) != 0 {
			t.Errorf("round trip %q -> %q -> %v, %v", s, text, back, err)
		}
		if strings.ContainsAny(text, "eE+") || (strings.Contains(text, ".") && strings.HasSuffix(text, "0")) {
			t.Errorf("%q is not canonical", text)
		}
		parsed = append(parsed, n)
	}
	for i := 0; i+1 < len(parsed); i++ {
		a, b := parsed[i], parsed[i+1]
		sum, err := a.Add(b)
		diff, err2 := sum.Sub(b)
		if err == nil && err2 == nil && diff.Cmp(a) != 0 {
			t.Errorf("(%s + %s) - %s = %s", a, b, b, diff)
		}
		if a.Cmp(b) != -b.Cmp(a) {
			t.Errorf("Cmp not antisymmetric for %s, %s", a, b)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1", "+5", ".5", "5.", "1.50", "0100", "1e2", "1E-130", "9.9999999999999999999999999999999999999E+125",
		"1e126", "1e-131", "abc", "", " 1", "1e", "NaN", "1e9223372036854775808", "0e1000", "123456789012345678901234567890123456789", "-.0e-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("ParseNumber(%q) returned %T", s, err)
			}
			return
		}
		text := n.String()
		back, err := ParseNumber(text)
		if err != nil || back.String() != text {
			t.Fatalf("round trip %q -> %q -> %v", s, text, err)
		}
		if n.Digits() > MaxNumberDigits || (!n.IsZero() && (n.Exponent() > MaxNumberExponent || n.Exponent() < MinNumberExponent)) {
			t.Fatalf("%q parsed out of range: %s", s, text)
		}
		if NumberSize(n) < 1 || NumberSize(n) > 22 {
			t.Fatalf("NumberSize(%s) = %d", text, NumberSize(n))
		}
	})
}
