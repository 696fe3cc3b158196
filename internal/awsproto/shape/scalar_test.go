package shape

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	base := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	ms := func(n int) time.Time { return base.Add(time.Duration(n) * time.Millisecond) }
	tests := []struct {
		in, format string
		want       time.Time
	}{
		{"2020-01-02T03:04:05Z", ISO8601, base},
		{"2020-01-02T03:04:05.123Z", ISO8601, ms(123)},
		{"2020-01-02T03:04:05.1Z", ISO8601, ms(100)},
		{"2020-01-02T03:04:05.123456789Z", ISO8601, base.Add(123456789)},
		{"2020-01-02T05:04:05+02:00", ISO8601, base},
		{"2020-01-01T23:34:05.250-03:30", ISO8601, ms(250)},
		{" 2020-01-02T03:04:05Z\n", ISO8601, base},
		{"1577934245", UnixTimestamp, base},
		{"1577934245.123", UnixTimestamp, ms(123)},
		{"1577934245.1", UnixTimestamp, ms(100)},
		{"1577934245.9999", UnixTimestamp, ms(1000)}, // rounded to milliseconds
		{"1.577934245123e9", UnixTimestamp, ms(123)},
		{"0", UnixTimestamp, time.Unix(0, 0)},
		{"-1.5", UnixTimestamp, time.Unix(-2, 5e8)},
		{"-0.001", UnixTimestamp, time.Unix(0, -1e6)},
		{"-62135596800", UnixTimestamp, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"253402300799.999", UnixTimestamp, time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)},
		{"Thu, 02 Jan 2020 03:04:05 GMT", RFC822, base},
		{"Thu, 02 Jan 2020 03:04:05 UTC", RFC822, base},
		{"Thu, 02 Jan 2020 05:04:05 +0200", RFC822, base},
		// Without a format, all three are tried.
		{"2020-01-02T03:04:05.123Z", "", ms(123)},
		{"1577934245.123", "", ms(123)},
		{"Thu, 02 Jan 2020 03:04:05 GMT", "", base},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, tt.format)
		if err != nil {
			t.Errorf("ParseTime(%q, %q): %v", tt.in, tt.format, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q, %q) = %v, want %v in UTC", tt.in, tt.format, got, tt.want.UTC())
		}
	}
	bad := []struct{ in, format string }{
		{"", ISO8601}, {"2020-01-02", ISO8601}, {"2020-01-02 03:04:05Z", ISO8601}, {"1577934245", ISO8601},
		{"", UnixTimestamp}, {"NaN", UnixTimestamp}, {"Infinity", UnixTimestamp}, {"-Inf", UnixTimestamp},
		{"1e400", UnixTimestamp}, {"1e300", UnixTimestamp}, {"-1e300", UnixTimestamp}, {"1e19", UnixTimestamp},
		// Outside years 0001-9999, which ISO 8601 and RFC 822 cannot write.
		{"253402300800", UnixTimestamp}, {"-62135596801", UnixTimestamp}, {"253402300799.9996", UnixTimestamp}, {"12abc", UnixTimestamp}, {"2020-01-02T03:04:05Z", UnixTimestamp},
		{"Thu, 02 Jan 2020", RFC822}, {"2020-01-02T03:04:05Z", RFC822},
		{"garbage", ""}, {"", ""},
	}
	for _, tt := range bad {
		if got, err := ParseTime(tt.in, tt.format); err == nil {
			t.Errorf("ParseTime(%q, %q) = %v, want an error", tt.in, tt.format, got)
		}
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	base := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	east := time.FixedZone("X", 2*3600)
	tests := []struct {
		t      time.Time
		format string
		want   string
	}{
		{base, ISO8601, "2020-01-02T03:04:05Z"},
		{base, "", "2020-01-02T03:04:05Z"}, // ISO 8601 is the default
		{base.Add(123 * time.Millisecond), ISO8601, "2020-01-02T03:04:05.123Z"},
		{base.Add(100 * time.Millisecond), ISO8601, "2020-01-02T03:04:05.100Z"},
		{base.Add(123456789), ISO8601, "2020-01-02T03:04:05.123Z"}, // truncated to milliseconds
		{base.In(east), ISO8601, "2020-01-02T03:04:05Z"},
		{base, UnixTimestamp, "1577934245"},
		{base.Add(123 * time.Millisecond), UnixTimestamp, "1577934245.123"},
		{base.Add(5 * time.Millisecond), UnixTimestamp, "1577934245.005"},
		{base.Add(999999999), UnixTimestamp, "1577934245.999"},
		{base.Add(400 * time.Microsecond), UnixTimestamp, "1577934245"},
		{time.Unix(-2, 5e8), UnixTimestamp, "-1.500"},
		{time.Unix(0, 0), UnixTimestamp, "0"},
		{base, RFC822, "Thu, 02 Jan 2020 03:04:05 GMT"},
		{base.In(east).Add(999 * time.Millisecond), RFC822, "Thu, 02 Jan 2020 03:04:05 GMT"},
		{time.Date(2020, 1, 9, 3, 4, 5, 0, time.UTC), RFC822, "Thu, 09 Jan 2020 03:04:05 GMT"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.t, tt.format); got != tt.want {
			t.Errorf("FormatTime(%v, %q) = %q, want %q", tt.t, tt.format, got, tt.want)
		}
	}
}

// TestTimeRoundTrip proves ParseTime reads back what FormatTime writes, for
// every format, at the precision the format carries.
func TestTimeRoundTrip(t *testing.T) {
	t.Parallel()
	times := []time.Time{
		time.Unix(0, 0),
		time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2020, 1, 2, 3, 4, 5, 1e6, time.UTC),
		time.Date(2020, 1, 2, 3, 4, 5, 999e6, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 500e6, time.FixedZone("Y", -7*3600)),
		time.Date(1969, 12, 31, 23, 59, 59, 1e6, time.UTC),
		time.Date(1900, 6, 15, 12, 0, 0, 250e6, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC),
	}
	for _, format := range []string{ISO8601, UnixTimestamp, RFC822} {
		for _, tm := range times {
			want := tm
			if format == RFC822 {
				want = tm.Truncate(time.Second)
			}
			s := FormatTime(tm, format)
			got, err := ParseTime(s, format)
			if err != nil {
				t.Errorf("%s: ParseTime(%q): %v", format, s, err)
				continue
			}
			if !got.Equal(want) {
				t.Errorf("%s: %v → %q → %v", format, tm, s, got)
			}
			if again := FormatTime(got, format); again != s {
				t.Errorf("%s: %q re-formats as %q", format, s, again)
			}
		}
	}
}

func TestFormatFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    float64
		want string
	}{
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{0, "0"},
		{1.5, "1.5"},
		{-0.25, "-0.25"},
		{1e21, "1000000000000000000000"},
		{1e-7, "0.0000001"},
		{math.MaxFloat64, "17976931348623157" + strings.Repeat("0", 292)},
	}
	for _, tt := range tests {
		if got := FormatFloat(tt.f); got != tt.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// scalars holds one member of every scalar kind SetText and Text handle.
type scalars struct {
	S    string
	E    color
	B    bool
	I    int
	I8   int8
	I32  int32
	I64  int64
	U8   uint8
	U64  uint64
	F32  float32
	F64  float64
	T    time.Time
	Blob []byte
}

func TestSetTextRoundTrip(t *testing.T) {
	t.Parallel()
	ms := time.Date(2020, 1, 2, 3, 4, 5, 123e6, time.UTC)
	tests := []struct {
		field, in, ts string
		want          any
		text          string // Text's output; "" means in
	}{
		{"S", "hello, world", "", "hello, world", ""},
		{"S", "", "", "", ""},
		{"E", "RED", "", color("RED"), ""},
		{"B", "true", "", true, ""},
		{"B", "false", "", false, ""},
		{"I", "-42", "", -42, ""},
		{"I", " 7 ", "", 7, "7"},
		{"I8", "-128", "", int8(-128), ""},
		{"I32", "2147483647", "", int32(math.MaxInt32), ""},
		{"I64", "-9223372036854775808", "", int64(math.MinInt64), ""},
		{"U8", "255", "", uint8(255), ""},
		{"U64", "18446744073709551615", "", uint64(math.MaxUint64), ""},
		{"F64", "1.5", "", 1.5, ""},
		{"F64", "1e3", "", 1000.0, "1000"},
		{"F64", "NaN", "", math.NaN(), ""},
		{"F64", "Infinity", "", math.Inf(1), ""},
		{"F64", "-Infinity", "", math.Inf(-1), ""},
		{"F32", "0.5", "", float32(0.5), ""},
		{"T", "2020-01-02T03:04:05.123Z", ISO8601, ms, ""},
		{"T", "2020-01-02T05:04:05.123+02:00", ISO8601, ms, "2020-01-02T03:04:05.123Z"},
		{"T", "1577934245.123", UnixTimestamp, ms, ""},
		{"T", "1577934245", UnixTimestamp, ms.Truncate(time.Second), ""},
		{"T", "Thu, 02 Jan 2020 03:04:05 GMT", RFC822, ms.Truncate(time.Second), ""},
		{"T", "1577934245.123", "", ms, "2020-01-02T03:04:05.123Z"},
		{"Blob", "aGVsbG8=", "", []byte("hello"), ""},
		{"Blob", "", "", []byte{}, ""},
	}
	st := Of(reflect.TypeFor[scalars]())
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.in, func(t *testing.T) {
			var s scalars
			rv := reflect.ValueOf(&s).Elem()
			sf, _ := rv.Type().FieldByName(tt.field)
			f := st.Fields[sf.Index[0]]
			v := rv.Field(f.Index)
			if err := SetText(v, f.Shape, tt.in, tt.ts); err != nil {
				t.Fatalf("SetText: %v", err)
			}
			if got := v.Interface(); !sameScalar(got, tt.want) {
				t.Errorf("SetText(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			wantText := tt.text
			if wantText == "" {
				wantText = tt.in
			}
			text := Text(v, f.Shape, tt.ts)
			if text != wantText {
				t.Errorf("Text = %q, want %q", text, wantText)
			}
			again := reflect.New(v.Type()).Elem()
			if err := SetText(again, f.Shape, text, tt.ts); err != nil || !sameScalar(again.Interface(), v.Interface()) {
				t.Errorf("SetText(Text(v)) = %#v, %v; want %#v", again.Interface(), err, v.Interface())
			}
		})
	}
}

func sameScalar(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b := b.(float64)
		return a == b || math.IsNaN(a) && math.IsNaN(b)
	case time.Time:
		return a.Equal(b.(time.Time))
	}
	return reflect.DeepEqual(a, b)
}

func TestSetTextErrors(t *testing.T) {
	t.Parallel()
	st := Of(reflect.TypeFor[scalars]())
	tests := []struct {
		field, in, ts string
		kind          string
	}{
		{"B", "True", "", "Boolean"},
		{"B", "1", "", "Boolean"},
		{"I", "1.5", "", "Long"},
		{"I", "", "", "Long"},
		{"I8", "128", "", "Long"},
		{"I32", "2147483648", "", "Long"},
		{"U8", "-1", "", "Long"},
		{"U64", "18446744073709551616", "", "Long"},
		{"F64", "one", "", "Double"},
		{"F32", "1e39", "", "Double"},
		{"T", "yesterday", ISO8601, "Timestamp"},
		{"T", "1577934245", ISO8601, "Timestamp"},
		{"Blob", "not base64!", "", "Blob"},
	}
	for _, tt := range tests {
		var s scalars
		rv := reflect.ValueOf(&s).Elem()
		sf, _ := rv.Type().FieldByName(tt.field)
		f := st.Fields[sf.Index[0]]
		err := SetText(rv.Field(f.Index), f.Shape, tt.in, tt.ts)
		var te *TypeError
		if !errors.As(err, &te) {
			t.Errorf("SetText(%s, %q) = %v, want a *TypeError", tt.field, tt.in, err)
			continue
		}
		if te.Value != tt.in || te.Kind.String() != tt.kind || !strings.Contains(err.Error(), tt.kind) || !strings.HasPrefix(err.Error(), tt.in) {
			t.Errorf("SetText(%s, %q): %+v %q", tt.field, tt.in, te, err)
		}
	}
	// Kinds without a text form.
	var l struct{ L []string }
	lv := reflect.ValueOf(&l).Elem().Field(0)
	if err := SetText(lv, Of(lv.Type()), "x", ""); err == nil {
		t.Error("SetText on a list succeeded")
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := map[Kind]string{Invalid: "Invalid", String: "String", Boolean: "Boolean", Integer: "Long",
		Float: "Double", Timestamp: "Timestamp", Blob: "Blob", List: "List", Map: "Map",
		Structure: "Structure", Document: "Document", Stream: "Stream", Kind(99): "Invalid"}
	for k, w := range want {
		if k.String() != w {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), w)
		}
	}
}

func TestSettable(t *testing.T) {
	t.Parallel()
	var s struct {
		P  *string
		PP **int32
		V  bool
	}
	rv := reflect.ValueOf(&s).Elem()
	Settable(rv.Field(0)).SetString("x")
	Settable(rv.Field(1)).SetInt(7)
	Settable(rv.Field(2)).SetBool(true)
	if s.P == nil || *s.P != "x" || s.PP == nil || **s.PP != 7 || !s.V {
		t.Fatalf("Settable did not allocate: %+v", s)
	}
	p := s.P
	Settable(rv.Field(0)).SetString("y")
	if s.P != p || *p != "y" {
		t.Error("Settable reallocated a non-nil pointer")
	}
}
