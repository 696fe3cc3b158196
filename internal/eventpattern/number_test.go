package eventpattern

import "testing"

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		ok     bool
		neg    bool
		digits string
		exp    int64
		scale  int64
	}{
		{"0", true, false, "", 0, 0},
		{"-0", true, false, "", 0, 0},
		{"0.000", true, false, "", 0, 0},
		{"5", true, false, "5", 1, 0},
		{"300", true, false, "3", 3, 0},
		{"300.0", true, false, "3", 3, 0},
		{"3e2", true, false, "3", 3, 0},
		{"3.018e2", true, false, "3018", 3, 1},
		{"-123.45", true, true, "12345", 3, 2},
		{"0.05", true, false, "5", -1, 2},
		{"1E-7", true, false, "1", -6, 7},
		{"1e+21", true, false, "1", 22, 0},
		{"+7", true, false, "7", 1, 0},
		{"007", true, false, "7", 1, 0},
		{"1e99999999999999999999", true, false, "1", 1 + maxExponent, 0},
		{"", false, false, "", 0, 0},
		{"-", false, false, "", 0, 0},
		{".5", false, false, "", 0, 0},
		{"5.", false, false, "", 0, 0},
		{"1e", false, false, "", 0, 0},
		{"1e+", false, false, "", 0, 0},
		{"0x10", false, false, "", 0, 0},
		{"1 ", false, false, "", 0, 0},
		{"NaN", false, false, "", 0, 0},
	}
	for _, tc := range cases {
		d, ok := parseDecimal(tc.in)
		if ok != tc.ok {
			t.Errorf("parseDecimal(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if d.neg != tc.neg || d.digits != tc.digits || d.exp != tc.exp {
			t.Errorf("parseDecimal(%q) = %+v, want neg=%v digits=%q exp=%d", tc.in, d, tc.neg, tc.digits, tc.exp)
		}
		if got := d.scale(); got != tc.scale {
			t.Errorf("parseDecimal(%q).scale() = %d, want %d", tc.in, got, tc.scale)
		}
	}
}

func TestDecimalCmp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"0", "-0", 0},
		{"0", "1", -1},
		{"0", "-1", 1},
		{"-1", "0", -1},
		{"1", "0", 1},
		{"300", "3e2", 0},
		{"0.1", "0.10", 0},
		{"0.12", "0.123", -1},
		{"0.2", "0.19", 1},
		{"-0.2", "-0.19", -1},
		{"-5", "3", -1},
		{"5", "-3", 1},
		{"99", "100", -1},
		{"1e-999999999", "0", 1},
		{"1e999999999", "5e9", 1},
		{"-1e999999999", "-5e9", -1},
		{"0.30000000000000004", "0.3", 1},
	}
	for _, tc := range cases {
		a, b := mustDecimal(tc.a), mustDecimal(tc.b)
		if got := a.cmp(b); got != tc.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := b.cmp(a); got != -tc.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestNumericDomain(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dom           numericDomain
		n             string
		representable bool
		reason        string
	}{
		{eventBridgeNumbers, "5e9", true, ""},
		{eventBridgeNumbers, "-5000000000.000000", true, ""},
		{eventBridgeNumbers, "5000000000.000001", false, eventBridgeNumbers.rangeReason},
		{eventBridgeNumbers, "0.000001", true, ""},
		{eventBridgeNumbers, "0.0000001", false, eventBridgeNumbers.scaleReason},
		{eventBridgeNumbers, "0", true, ""},
		{snsNumbers, "1e9", true, ""},
		{snsNumbers, "-1000000000.5", false, snsNumbers.rangeReason},
		{snsNumbers, "0.123456789", true, ""},
	}
	for _, tc := range cases {
		d := mustDecimal(tc.n)
		if got := tc.dom.representable(d); got != tc.representable {
			t.Errorf("representable(%s) = %v, want %v", tc.n, got, tc.representable)
		}
		if got := tc.dom.check(d); got != tc.reason {
			t.Errorf("check(%s) = %q, want %q", tc.n, got, tc.reason)
		}
	}
}
