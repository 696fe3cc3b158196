package rpcv2cbor

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

// TestDecodeRFCExamples decodes RFC 8949 Appendix A's examples into the
// generic values awsJson carries.
func TestDecodeRFCExamples(t *testing.T) {
	n := func(s string) any { return json.Number(s) }
	tests := []struct {
		hex  string
		want any
	}{
		{"00", n("0")},
		{"01", n("1")},
		{"0a", n("10")},
		{"17", n("23")},
		{"1818", n("24")},
		{"1819", n("25")},
		{"1864", n("100")},
		{"1903e8", n("1000")},
		{"1a000f4240", n("1000000")},
		{"1b000000e8d4a51000", n("1000000000000")},
		{"1bffffffffffffffff", n("18446744073709551615")},
		{"3bffffffffffffffff", n("-18446744073709551616")},
		{"3b7fffffffffffffff", n("-9223372036854775808")},
		{"20", n("-1")},
		{"29", n("-10")},
		{"3863", n("-100")},
		{"3903e7", n("-1000")},
		{"f90000", n("0")},
		{"f98000", n("-0")},
		{"f93c00", n("1")},
		{"fb3ff199999999999a", n("1.1")},
		{"f93e00", n("1.5")},
		{"f97bff", n("65504")},
		{"fa47c35000", n("100000")},
		{"fa7f7fffff", n("3.4028234663852886e+38")},
		{"fb7e37e43c8800759c", n("1e+300")},
		{"f90001", n("5.960464477539063e-08")},
		{"f90400", n("0.00006103515625")},
		{"f9c400", n("-4")},
		{"fbc010666666666666", n("-4.1")},
		{"f97c00", "Infinity"},
		{"f97e00", "NaN"},
		{"f9fc00", "-Infinity"},
		{"fa7f800000", "Infinity"},
		{"fa7fc00000", "NaN"},
		{"faff800000", "-Infinity"},
		{"fb7ff0000000000000", "Infinity"},
		{"fb7ff8000000000000", "NaN"},
		{"fbfff0000000000000", "-Infinity"},
		{"f4", false},
		{"f5", true},
		{"f6", nil},
		{"f7", nil},
		{"c11a514b67b0", n("1363896240")},
		{"c1fb41d452d9ec200000", n("1363896240.5")},
		{"40", ""},
		{"4401020304", "AQIDBA=="},
		{"60", ""},
		{"6161", "a"},
		{"6449455446", "IETF"},
		{"62225c", "\"\\"},
		{"62c3bc", "\u00fc"},
		{"63e6b0b4", "\u6c34"},
		{"64f0908591", "\U00010151"},
		{"80", []any{}},
		{"83010203", []any{n("1"), n("2"), n("3")}},
		{"8301820203820405", []any{n("1"), []any{n("2"), n("3")}, []any{n("4"), n("5")}}},
		{"a0", map[string]any{}},
		{"a26161016162820203", map[string]any{"a": n("1"), "b": []any{n("2"), n("3")}}},
		{"826161a161626163", []any{"a", map[string]any{"b": "c"}}},
		{"a56161614161626142616361436164614461656145", map[string]any{"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}},
		{"5f42010243030405ff", "AQIDBAU="},
		{"7f657374726561646d696e67ff", "streaming"},
		{"9fff", []any{}},
		{"9f018202039f0405ffff", []any{n("1"), []any{n("2"), n("3")}, []any{n("4"), n("5")}}},
		{"9f01820203820405ff", []any{n("1"), []any{n("2"), n("3")}, []any{n("4"), n("5")}}},
		{"83018202039f0405ff", []any{n("1"), []any{n("2"), n("3")}, []any{n("4"), n("5")}}},
		{"83019f0203ff820405", []any{n("1"), []any{n("2"), n("3")}, []any{n("4"), n("5")}}},
		{"bf61610161629f0203ffff", map[string]any{"a": n("1"), "b": []any{n("2"), n("3")}}},
		{"826161bf61626163ff", []any{"a", map[string]any{"b": "c"}}},
		{"bf6346756ef563416d7421ff", map[string]any{"Fun": true, "Amt": n("-2")}},
	}
	for _, tt := range tests {
		data, _ := hex.DecodeString(tt.hex)
		got, err := Decode(data)
		if err != nil {
			t.Errorf("Decode(%s): %v", tt.hex, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Decode(%s) = %#v, want %#v", tt.hex, got, tt.want)
		}
	}
}

// TestDecodeMalformed checks that ill-formed items and items outside
// Smithy's data model are errors, never panics.
func TestDecodeMalformed(t *testing.T) {
	for _, h := range []string{
		"",                   // no item
		"0001",               // two items
		"18",                 // argument missing
		"1c",                 // reserved additional information
		"1f",                 // indefinite integer
		"ff",                 // lone break
		"62",                 // string shorter than its length
		"5f4101",             // indefinite string without break
		"5f6161ff",           // text chunk in a byte string
		"7f7f6161ffff",       // nested indefinite chunk
		"9f01",               // indefinite array without break
		"a10101",             // integer map key
		"a1410101",           // byte string map key
		"a1f97e0001",         // NaN map key
		"bf616101",           // indefinite map without break
		"c16161",             // tag 1 of a string
		"f8ff",               // unassigned simple value
		"62c328",             // invalid UTF-8
		"9b00000000ffffffff", // array longer than the data
		"bb00000000ffffffff", // map longer than the data
	} {
		data, _ := hex.DecodeString(h)
		_, err := Decode(data)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("Decode(%s) error = %v, want a *DecodeError", h, err)
		}
	}
	deep := make([]byte, MaxDepth+2)
	for i := range deep {
		deep[i] = 0x81
	}
	deep[len(deep)-1] = 0x00
	if _, err := Decode(deep); err == nil {
		t.Errorf("Decode of %d nested arrays succeeded", MaxDepth+1)
	}
}

// TestAppendRFCExamples encodes scalars as RFC 8949 Appendix A lists them
// (the preferred, shortest, serialization; floats always as doubles).
func TestAppendRFCExamples(t *testing.T) {
	tests := []struct {
		got  []byte
		want string
	}{
		{AppendInt(nil, 0), "00"},
		{AppendInt(nil, 23), "17"},
		{AppendInt(nil, 24), "1818"},
		{AppendInt(nil, 100), "1864"},
		{AppendInt(nil, 1000), "1903e8"},
		{AppendInt(nil, 1000000), "1a000f4240"},
		{AppendInt(nil, 1000000000000), "1b000000e8d4a51000"},
		{AppendInt(nil, -1), "20"},
		{AppendInt(nil, -100), "3863"},
		{AppendInt(nil, -1000), "3903e7"},
		{AppendInt(nil, -9223372036854775808), "3b7fffffffffffffff"},
		{AppendFloat(nil, 1.1), "fb3ff199999999999a"},
		{AppendFloat(nil, 100000.0), "fa47c35000"},
		{AppendFloat(nil, 3.4028234663852886e+38), "fa7f7fffff"},
		{AppendFloat(nil, math.Inf(1)), "fa7f800000"},
		{AppendFloat(nil, 1.0e+300), "fb7e37e43c8800759c"},
		{AppendFloat(nil, -4.1), "fbc010666666666666"},
		{AppendBool(nil, false), "f4"},
		{AppendBool(nil, true), "f5"},
		{AppendTime(nil, time.Unix(1363896240, 0)), "c11a514b67b0"},
		{AppendTime(nil, time.UnixMilli(1363896240500)), "c1fb41d452d9ec200000"},
		{AppendBytes(nil, nil), "40"},
		{AppendBytes(nil, []byte{1, 2, 3, 4}), "4401020304"},
		{AppendText(nil, ""), "60"},
		{AppendText(nil, "IETF"), "6449455446"},
		{AppendText(nil, "\u6c34"), "63e6b0b4"},
		{AppendMapHead(nil, 0), "a0"},
		{AppendMapHead(nil, 24), "b818"},
	}
	for i, tt := range tests {
		if got := hex.EncodeToString(tt.got); got != tt.want {
			t.Errorf("case %d: got %s, want %s", i, got, tt.want)
		}
	}
}
