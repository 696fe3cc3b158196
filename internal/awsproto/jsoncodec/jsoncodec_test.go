package jsoncodec

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto/shape"
)

type color string

func (color) Values() []string { return []string{"RED", "GREEN"} }

type inner struct {
	Name  *string
	N     *int32
	Tags  map[string]string
	Child *inner
	Items []inner
}

// rich covers every kind the JSON protocols carry.
type rich struct {
	S        *string `aws:"name=s"`
	B        *bool
	I32      *int32
	I64      *int64
	U16      *uint16
	F32      *float32
	F64      *float64
	T        *time.Time
	TISO     *time.Time `aws:"ts=iso8601"`
	TList    []time.Time
	Blob     []byte
	Blobs    [][]byte
	Doc      json.RawMessage
	Docs     []json.RawMessage
	Inner    *inner
	Inners   []inner
	InnerPtr []*inner
	ListMap  map[string][]string
	StructM  map[string]*inner
	Strings  []string
	Nested   [][]int64
	Enum     *color
	Enums    []color
	Header   *string `aws:"loc=header,locname=X-Header"`
	URI      *string `aws:"loc=uri,locname=Label"`
	Query    *string `aws:"loc=query,locname=q"`
}

func ptr[T any](v T) *T { return &v }

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ts := time.Date(2020, 1, 2, 3, 4, 5, 123e6, time.UTC)
	v := rich{
		S:        ptr("héllo \"quoted\"\n\u2028"),
		B:        ptr(false),
		I32:      ptr(int32(math.MinInt32)),
		I64:      ptr(int64(math.MaxInt64)),
		U16:      ptr(uint16(65535)),
		F32:      ptr(float32(0.5)),
		F64:      ptr(-1.25e-7),
		T:        &ts,
		TISO:     ptr(ts.Add(100 * time.Millisecond)),
		TList:    []time.Time{ts, ts.Truncate(time.Second)},
		Blob:     []byte{0, 1, 2, 0xff},
		Blobs:    [][]byte{[]byte("a"), {}},
		Doc:      json.RawMessage(`{"a":[1,2.5,"x",null,true],"b":{}}`),
		Docs:     []json.RawMessage{json.RawMessage(`1`), json.RawMessage(`"s"`)},
		Inner:    &inner{Name: ptr("n"), N: ptr(int32(0)), Tags: map[string]string{"k": "v", "": ""}, Child: &inner{Items: []inner{{Name: ptr("deep")}}}},
		Inners:   []inner{{}, {N: ptr(int32(1))}},
		InnerPtr: []*inner{{Name: ptr("p")}, nil},
		ListMap:  map[string][]string{"a": {"1", "2"}, "b": {}},
		StructM:  map[string]*inner{"x": {N: ptr(int32(-7))}},
		Strings:  []string{"", "a"},
		Nested:   [][]int64{{1, 2}, {}, {math.MinInt64}},
		Enum:     ptr(color("RED")),
		Enums:    []color{"GREEN", "unknown values are the validator's business"},
	}
	data := Marshal(nil, &v)
	if !json.Valid(data) {
		t.Fatalf("Marshal wrote invalid JSON: %s", data)
	}
	var got rich
	if err := Unmarshal(data, &got); err != nil {
		t.Fatalf("Unmarshal(%s): %v", data, err)
	}
	if !same(reflect.ValueOf(got), reflect.ValueOf(v)) {
		t.Fatalf("round trip changed the value:\n got  %s\n want %s", Marshal(nil, &got), data)
	}

	// The wire form, member by member (Marshal writes no whitespace).
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	wire := map[string]string{
		"s":        `"héllo \"quoted\"\n\u2028"`,
		"B":        `false`,
		"I32":      `-2147483648`,
		"I64":      `9223372036854775807`,
		"U16":      `65535`,
		"F32":      `0.5`,
		"F64":      `-1.25e-07`,
		"T":        `1577934245.123`, // epoch seconds by default
		"TISO":     `"2020-01-02T03:04:05.223Z"`,
		"TList":    `[1577934245.123,1577934245]`,
		"Blob":     `"AAEC/w=="`,
		"Blobs":    `["YQ==",""]`,
		"Doc":      `{"a":[1,2.5,"x",null,true],"b":{}}`,
		"Docs":     `[1,"s"]`,
		"Inners":   `[{},{"N":1}]`,
		"InnerPtr": `[{"Name":"p"},null]`,
		"Strings":  `["","a"]`,
		"Nested":   `[[1,2],[],[-9223372036854775808]]`,
		"Enum":     `"RED"`,
	}
	for k, want := range wire {
		if got := string(doc[k]); got != want {
			t.Errorf("member %s = %s, want %s", k, got, want)
		}
	}
	for _, k := range []string{"S", "Header", "URI", "Query", "X-Header", "Label", "q"} {
		if _, ok := doc[k]; ok {
			t.Errorf("member %s is in the body: %s", k, data)
		}
	}
	if !strings.HasPrefix(string(data), `{"s":`) || !strings.HasSuffix(string(data), `"Enums":["GREEN","unknown values are the validator's business"]}`) {
		t.Errorf("members are not in declaration order: %s", data)
	}
}

func TestMarshalEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil pointer", (*rich)(nil), `{}`},
		{"empty", &rich{}, `{}`},
		{"value, not pointer", rich{S: ptr("x")}, `{"s":"x"}`},
		{"non-body members left out", &rich{Header: ptr("h"), URI: ptr("u"), Query: ptr("q")}, `{}`},
		{"empty non-nil collections kept", &rich{Strings: []string{}, ListMap: map[string][]string{}, Blob: []byte{}}, `{"Blob":"","ListMap":{},"Strings":[]}`},
		{"nil map values are null", &rich{StructM: map[string]*inner{"a": nil}}, `{"StructM":{"a":null}}`},
		{"empty document is null", &rich{Doc: json.RawMessage{}}, `{"Doc":null}`},
		{"NaN", &rich{F64: ptr(math.NaN())}, `{"F64":"NaN"}`},
		{"Infinity", &rich{F64: ptr(math.Inf(1))}, `{"F64":"Infinity"}`},
		{"-Infinity", &rich{F32: ptr(float32(math.Inf(-1)))}, `{"F32":"-Infinity"}`},
		{"large float", &rich{F64: ptr(1e300)}, `{"F64":1e+300}`},
		{"whole double keeps a fraction", &rich{F64: ptr(1.0), F32: ptr(float32(0))}, `{"F32":0.0,"F64":1.0}`},
		{"negative whole double", &rich{F64: ptr(-3.0)}, `{"F64":-3.0}`},
		{"fractional double", &rich{F64: ptr(0.5)}, `{"F64":0.5}`},
		{"whole epoch seconds", &rich{T: ptr(time.Unix(1700000000, 0))}, `{"T":1700000000}`},
		{"negative epoch", &rich{T: ptr(time.Unix(-2, 5e8))}, `{"T":-1.500}`},
		{"iso8601 whole seconds", &rich{TISO: ptr(time.Unix(0, 0).In(time.FixedZone("X", 3600)))}, `{"TISO":"1970-01-01T00:00:00Z"}`},
		{"recursive", &rich{Inner: &inner{Child: &inner{Child: &inner{}}}}, `{"Inner":{"Child":{"Child":{}}}}`},
	}
	for _, tt := range tests {
		if got := string(Marshal(nil, tt.v)); got != tt.want {
			// Map and member order aside, compare exactly.
			t.Errorf("%s: Marshal = %s, want %s", tt.name, got, tt.want)
		}
	}
	// Marshal appends.
	if got := string(Marshal([]byte("x="), &rich{B: ptr(true)})); got != `x={"B":true}` {
		t.Errorf("Marshal does not append: %s", got)
	}
}

func TestUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     rich
	}{
		{"empty document", "", rich{}},
		{"whitespace document", " \n\t", rich{}},
		{"null document", "null", rich{}},
		{"empty object", "{}", rich{}},
		{"null members ignored", `{"s":null,"I32":null,"Inner":null,"Strings":null,"Doc":null}`, rich{}},
		{"unknown members ignored", `{"Unknown":{"deep":[1,{"x":[]}]},"S":"wrong case","X-Header":"h","Header":"h"}`, rich{}},
		{"trailing whitespace", "{\"B\":true}\n\n", rich{B: ptr(true)}},
		{"int32 bounds", `{"I32":-2147483648,"I64":-9223372036854775808}`, rich{I32: ptr(int32(math.MinInt32)), I64: ptr(int64(math.MinInt64))}},
		{"fraction truncated for integers", `{"I32":1.9,"I64":-2.9}`, rich{I32: ptr(int32(1)), I64: ptr(int64(-2))}},
		{"exponent for integers", `{"I32":1e3}`, rich{I32: ptr(int32(1000))}},
		{"unsigned", `{"U16":65535}`, rich{U16: ptr(uint16(65535))}},
		{"NaN string", `{"F64":"NaN"}`, rich{F64: ptr(math.NaN())}},
		{"Infinity strings", `{"F64":"Infinity","F32":"-Infinity"}`, rich{F64: ptr(math.Inf(1)), F32: ptr(float32(math.Inf(-1)))}},
		{"float number", `{"F64":-1.5e-3,"F32":3}`, rich{F64: ptr(-1.5e-3), F32: ptr(float32(3))}},
		{"epoch seconds", `{"T":1577934245.123}`, rich{T: ptr(time.Date(2020, 1, 2, 3, 4, 5, 123e6, time.UTC))}},
		{"epoch integer", `{"T":0}`, rich{T: ptr(time.Unix(0, 0))}},
		{"iso8601 member", `{"TISO":"2020-01-02T05:04:05.5+02:00"}`, rich{TISO: ptr(time.Date(2020, 1, 2, 3, 4, 5, 5e8, time.UTC))}},
		{"number for an iso8601 member is epoch seconds", `{"TISO":1577934245}`, rich{TISO: ptr(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))}},
		{"blob", `{"Blob":"aGk="}`, rich{Blob: []byte("hi")}},
		{"document kept", `{"Doc":[1, {"a" : "b"}]}`, rich{Doc: json.RawMessage(`[1,{"a":"b"}]`)}},
		{"document scalar", `{"Doc":"x"}`, rich{Doc: json.RawMessage(`"x"`)}},
		{"null list elements", `{"InnerPtr":[null,{}],"Inners":[null],"Strings":[null,"a"]}`,
			rich{InnerPtr: []*inner{nil, {}}, Inners: []inner{{}}, Strings: []string{"", "a"}}},
		{"null map values dropped", `{"StructM":{"a":null,"b":{}},"ListMap":{"x":null}}`,
			rich{StructM: map[string]*inner{"b": {}}, ListMap: map[string][]string{}}},
		{"nested", `{"Inner":{"Child":{"Items":[{"Name":"x","Tags":{"k":"v"}}]}},"Nested":[[1],[]]}`,
			rich{Inner: &inner{Child: &inner{Items: []inner{{Name: ptr("x"), Tags: map[string]string{"k": "v"}}}}}, Nested: [][]int64{{1}, {}}}},
		{"enum not checked", `{"Enum":"PURPLE"}`, rich{Enum: ptr(color("PURPLE"))}},
		{"duplicate member: last wins", `{"s":"a","s":"b"}`, rich{S: ptr("b")}},
		{"escapes", `{"s":"\u00e9\ud83d\ude00\n\"\\\/"}`, rich{S: ptr("é😀\n\"\\/")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got rich
			if err := Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if !same(reflect.ValueOf(got), reflect.ValueOf(tt.want)) {
				t.Errorf("Unmarshal(%s)\n got  %s\n want %s", tt.in, Marshal(nil, &got), Marshal(nil, &tt.want))
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"s":1}`, "NUMBER_VALUE cannot be converted to String"},
		{`{"s":true}`, "TRUE_VALUE cannot be converted to String"},
		{`{"s":false}`, "FALSE_VALUE cannot be converted to String"},
		{`{"s":{}}`, "Start of structure or map found where not expected."},
		{`{"s":[]}`, "Start of list found where not expected."},
		{`{"Enum":3}`, "NUMBER_VALUE cannot be converted to String"},
		{`{"B":"true"}`, "STRING_VALUE cannot be converted to Boolean"},
		{`{"B":1}`, "NUMBER_VALUE cannot be converted to Boolean"},
		{`{"I32":"1"}`, "STRING_VALUE cannot be converted to Integer"},
		{`{"I32":true}`, "TRUE_VALUE cannot be converted to Integer"},
		{`{"I32":{}}`, "Start of structure or map found where not expected."},
		{`{"I64":"1"}`, "STRING_VALUE cannot be converted to Long"},
		{`{"I64":[1]}`, "Start of list found where not expected."},
		{`{"I32":2147483648}`, "NUMBER_VALUE cannot be converted to Integer"},
		{`{"I32":-2147483649}`, "NUMBER_VALUE cannot be converted to Integer"},
		{`{"I32":1e10}`, "NUMBER_VALUE cannot be converted to Integer"},
		{`{"I64":9223372036854775808}`, "NUMBER_VALUE cannot be converted to Long"},
		{`{"I64":-9223372036854775809}`, "NUMBER_VALUE cannot be converted to Long"},
		{`{"I64":1e400}`, "NUMBER_VALUE cannot be converted to Long"},
		{`{"U16":65536}`, "NUMBER_VALUE cannot be converted to Integer"},
		{`{"U16":-1}`, "NUMBER_VALUE cannot be converted to Integer"},
		{`{"F64":"abc"}`, "STRING_VALUE cannot be converted to Double"},
		{`{"F64":"1.5"}`, "STRING_VALUE cannot be converted to Double"},
		{`{"F64":true}`, "TRUE_VALUE cannot be converted to Double"},
		{`{"F64":1e400}`, "NUMBER_VALUE cannot be converted to Double"},
		{`{"F64":{}}`, "Start of structure or map found where not expected."},
		{`{"T":true}`, "TRUE_VALUE cannot be converted to Timestamp"},
		{`{"T":"yesterday"}`, "STRING_VALUE cannot be converted to Timestamp"},
		{`{"TISO":"2020-01-02"}`, "STRING_VALUE cannot be converted to Timestamp"},
		{`{"T":[]}`, "Start of list found where not expected."},
		{`{"Blob":1}`, "NUMBER_VALUE cannot be converted to Blob"},
		{`{"Blob":"abc"}`, "Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
		{`{"Blob":{}}`, "Start of structure or map found where not expected."},
		{`{"Strings":"a"}`, "STRING_VALUE cannot be converted to List"},
		{`{"Strings":{}}`, "Start of structure or map found where not expected."},
		{`{"Strings":[1]}`, "NUMBER_VALUE cannot be converted to String"},
		{`{"ListMap":[]}`, "Start of list found where not expected."},
		{`{"ListMap":{"a":"b"}}`, "STRING_VALUE cannot be converted to List"},
		{`{"Inner":[]}`, "Start of list found where not expected."},
		{`{"Inner":"x"}`, "STRING_VALUE cannot be converted to Structure"},
		{`{"Inners":[{"N":"x"}]}`, "STRING_VALUE cannot be converted to Integer"},
		{`{"Inner":{"Child":{"Tags":{"k":1}}}}`, "NUMBER_VALUE cannot be converted to String"},
		{`[]`, "Start of list found where not expected."},
		{`"x"`, "STRING_VALUE cannot be converted to Structure"},
		{`1`, "NUMBER_VALUE cannot be converted to Structure"},
	}
	for _, tt := range tests {
		var v rich
		err := Unmarshal([]byte(tt.in), &v)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("Unmarshal(%s) = %v, want a *DecodeError", tt.in, err)
			continue
		}
		if de.Message != tt.want || err.Error() != tt.want {
			t.Errorf("Unmarshal(%s):\n got  %q\n want %q", tt.in, de.Message, tt.want)
		}
	}
}

func TestUnmarshalMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, prefix string }{
		{`{`, "Unexpected end of input or malformed JSON"},
		{`{"s":`, "Unexpected end of input or malformed JSON"},
		{`{"s":"x",}`, "Unexpected end of input or malformed JSON"},
		{`{'s':1}`, "Unexpected end of input or malformed JSON"},
		{`{"s":"a` + "\x00" + `"}`, "Unexpected end of input or malformed JSON"},
		{`{"I32":01}`, "Unexpected end of input or malformed JSON"},
		{`{"F64":NaN}`, "Unexpected end of input or malformed JSON"},
		{`}`, "Unexpected end of input or malformed JSON"},
		// Trailing content after the document.
		{`{} x`, "Unexpected content after the end of the JSON document"},
		{`{}{}`, "Unexpected content after the end of the JSON document"},
		{`{}]`, "Unexpected content after the end of the JSON document"},
		{`{} 1`, "Unexpected content after the end of the JSON document"},
		{`{"B":true}null`, "Unexpected content after the end of the JSON document"},
		{"{}\n{\"B\":true}", "Unexpected content after the end of the JSON document"},
	}
	for _, tt := range tests {
		var v rich
		err := Unmarshal([]byte(tt.in), &v)
		var de *DecodeError
		if !errors.As(err, &de) || !strings.HasPrefix(de.Message, tt.prefix) {
			t.Errorf("Unmarshal(%q) = %v, want a DecodeError starting %q", tt.in, err, tt.prefix)
		}
	}
}

// TestTimestampRange proves out-of-range epoch seconds are rejected rather
// than turned into a time that Marshal cannot write back.
func TestTimestampRange(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"T":1e300}`, `{"T":-1e300}`, `{"T":1e19}`, `{"TISO":-1e12}`, `{"TISO":1e12}`,
		`{"TISO":253402300800}`, `{"TISO":-62135596801}`,
		// Rounded to milliseconds, this is 10000-01-01T00:00:00Z.
		`{"TISO":253402300799.9996}`} {
		var v rich
		err := Unmarshal([]byte(in), &v)
		if err == nil {
			t.Errorf("Unmarshal(%s) accepted it; Marshal writes it back as %s", in, Marshal(nil, &v))
		}
	}
	// The whole range AWS's timestamps cover is accepted.
	for _, in := range []string{`{"T":-62135596800}`, `{"T":253402300799.999}`, `{"TISO":"0001-01-01T00:00:00Z"}`, `{"TISO":"9999-12-31T23:59:59.999Z"}`} {
		var v rich
		if err := Unmarshal([]byte(in), &v); err != nil {
			t.Errorf("Unmarshal(%s): %v", in, err)
		}
	}
}

type deep struct {
	Next *deep
	L    []*deep
	M    map[string]deep
	V    *int32
}

func nest(open, leaf, close string, n int) string {
	return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
}

func TestDepth(t *testing.T) {
	t.Parallel()
	ok := []string{
		nest(`{"Next":`, `{"V":1}`, `}`, MaxDepth-1),
		nest(`{"L":[`, `{}`, `]}`, MaxDepth/2-1),
		// Nesting inside a document or an unknown member is not the shape's.
		`{"X":` + nest(`[`, `1`, `]`, 2*MaxDepth) + `}`,
	}
	for _, in := range ok {
		var v deep
		if err := Unmarshal([]byte(in), &v); err != nil {
			t.Errorf("Unmarshal of a document %d bytes deep: %v", len(in), err)
		}
	}
	tooDeep := []string{
		nest(`{"Next":`, `{}`, `}`, MaxDepth+1),
		nest(`{"L":[`, `{}`, `]}`, MaxDepth),
		nest(`{"M":{"k":`, `{}`, `}}`, MaxDepth),
	}
	for _, in := range tooDeep {
		var v deep
		err := Unmarshal([]byte(in), &v)
		var de *DecodeError
		if !errors.As(err, &de) || de.Message != "JSON document nested too deeply" {
			t.Errorf("Unmarshal of %d levels = %v, want the nesting error", strings.Count(in, "{"), err)
		}
	}
	// A hostile document is refused without exhausting the stack, whatever
	// member it hides in.
	for _, in := range []string{
		nest(`[`, ``, `]`, 1_000_000),
		nest(`{"Next":`, `{}`, `}`, 100_000),
		`{"Unknown":` + nest(`[`, ``, `]`, 1_000_000) + `}`,
		nest(`[`, ``, ``, 1_000_000),
	} {
		var v deep
		if err := Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("a document %d bytes deep was accepted", len(in))
		}
	}
	var r rich
	if err := Unmarshal([]byte(`{"Doc":`+nest(`[`, ``, `]`, 1_000_000)+`}`), &r); err == nil {
		t.Error("a document member 1,000,000 deep was accepted")
	}
}

func TestUnmarshalValueAndMarshalValue(t *testing.T) {
	t.Parallel()
	var v rich
	doc := map[string]any{"s": "x", "I32": json.Number("5"), "Strings": []any{"a"}}
	if err := UnmarshalValue(doc, &v); err != nil {
		t.Fatal(err)
	}
	if *v.S != "x" || *v.I32 != 5 || len(v.Strings) != 1 {
		t.Fatalf("UnmarshalValue = %s", Marshal(nil, &v))
	}
	if err := UnmarshalValue(map[string]any{"I32": 5.0}, &v); err == nil {
		t.Error("UnmarshalValue accepted a float64 (not UseNumber) for an integer")
	}
	st := shape.Of(reflect.TypeFor[rich]())
	f := st.FieldByName("TISO")
	ts := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := string(MarshalValue(nil, reflect.ValueOf(ts), f.Shape, f)); got != `"2020-01-02T03:04:05Z"` {
		t.Errorf("MarshalValue with ts=iso8601 = %s", got)
	}
	if got := string(MarshalValue(nil, reflect.ValueOf(ts), f.Shape, nil)); got != `1577934245` {
		t.Errorf("MarshalValue without a member = %s", got)
	}
	if got := string(MarshalValue(nil, reflect.ValueOf([]string{"a", "b"}), shape.Of(reflect.TypeFor[[]string]()), nil)); got != `["a","b"]` {
		t.Errorf("MarshalValue of a list = %s", got)
	}
}

// same is reflect.DeepEqual with NaN equal to NaN, times compared as
// instants and documents compared as JSON values. A null list element
// decodes to a nil slice or map that Marshal writes as empty, so elements
// compare nil and empty as equal.
func same(a, b reflect.Value) bool { return sameValue(a, b, false) }

func sameValue(a, b reflect.Value, elem bool) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Type() {
	case reflect.TypeFor[time.Time]():
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	case reflect.TypeFor[json.RawMessage]():
		if a.IsNil() != b.IsNil() {
			return false
		}
		var x, y any
		ex, ey := json.Unmarshal(a.Bytes(), &x), json.Unmarshal(b.Bytes(), &y)
		if ex != nil || ey != nil {
			return bytes.Equal(a.Bytes(), b.Bytes())
		}
		return reflect.DeepEqual(x, y)
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem(), false)
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i), false) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() && !elem || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i), true) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() && !elem || a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !sameValue(a.MapIndex(k), bv, true) {
				return false
			}
		}
		return true
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func TestAppendString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain ascii ~", `"plain ascii ~"`},
		{`"quoted"`, `"\"quoted\""`},
		{`back\slash`, `"back\\slash"`},
		{"/", `"/"`},
		{"\n\r\t", `"\n\r\t"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\b\f", `"\u0008\u000c"`},
		{"\x7f", "\"\x7f\""},
		{"<>&", `"<>&"`},
		{"é日本😀", `"é日本😀"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"a\u2028b", `"a\u2028b"`},
		{"\xff", `"\ufffd"`},
		{"a\xc3", `"a\ufffd"`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`}, // an encoded surrogate
		{"\xf4\x90\x80\x80", `"\ufffd\ufffd\ufffd\ufffd"`},
		{"\ufffd", "\"\ufffd\""},
		{"x\xffy\"z", `"x\ufffdy\"z"`},
	}
	for _, tt := range tests {
		got := string(AppendString(nil, tt.in))
		if got != tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		checkString(t, tt.in, []byte(got))
	}
	if got := string(AppendString([]byte("prefix:"), "x")); got != `prefix:"x"` {
		t.Errorf("AppendString does not append: %s", got)
	}
}

// checkString asserts out is a JSON string that encoding/json decodes to s
// with each invalid byte replaced by U+FFFD, and that it holds no raw control
// characters or line separators.
func checkString(t *testing.T, s string, out []byte) {
	t.Helper()
	if !json.Valid(out) || !utf8.Valid(out) {
		t.Fatalf("AppendString(%q) = %q is not valid JSON in UTF-8", s, out)
	}
	var got string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("AppendString(%q) = %q: %v", s, out, err)
	}
	if want := string([]rune(s)); got != want {
		t.Errorf("AppendString(%q) decodes to %q, want %q", s, got, want)
	}
	for _, c := range out {
		if c < 0x20 {
			t.Errorf("AppendString(%q) = %q holds control byte %#x", s, out, c)
		}
	}
	if bytes.ContainsRune(out, '\u2028') || bytes.ContainsRune(out, '\u2029') {
		t.Errorf("AppendString(%q) = %q holds a raw line separator", s, out)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f\x7f", "\u2028", "\xff\xfe", "\xed\xa0\x80", "😀", "\xf0\x9f\x98"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkString(t, s, AppendString(nil, s))
	})
}

// FuzzUnmarshal proves Unmarshal never panics, and that what it accepts
// Marshal writes back as JSON that decodes to the same value.
func FuzzUnmarshal(f *testing.F) {
	seeds := []string{
		``, `{}`, `null`, `[]`, `"x"`, `1`, `{"s":"x"}`, `{"s":1}`,
		`{"B":true,"I32":-2147483648,"I64":9223372036854775807,"U16":1,"F32":1.5,"F64":-0}`,
		`{"F64":"NaN","F32":"Infinity"}`, `{"F64":"-Infinity"}`, `{"F64":1e308}`, `{"F32":1e39}`,
		`{"I32":1.9}`, `{"I32":2147483648}`, `{"I64":-1e18}`, `{"U16":65536}`,
		`{"T":1577934245.123,"TISO":"2020-01-02T03:04:05.123+02:00","TList":[0,-1.5,1e9]}`,
		`{"TISO":1577934245}`, `{"T":"1577934245"}`, `{"T":9999999999999.999}`, `{"T":1e300}`, `{"TISO":-1e12}`, `{"TISO":253402300799.9996}`,
		`{"Blob":"AAEC/w==","Blobs":["",null,"YQ=="]}`, `{"Blob":"abc"}`,
		`{"Doc":{"a":[1,2.50,"\u003c",null,true]},"Docs":[1,"s",null,{}]}`,
		`{"Inner":{"Name":"n","N":0,"Tags":{"":"","k":"v"},"Child":{"Items":[{},null,{"Child":{}}]}}}`,
		`{"Inners":[{},{"N":1}],"InnerPtr":[null,{"Name":"p"}]}`,
		`{"ListMap":{"a":["1",null],"b":[]},"StructM":{"x":{"N":-7},"y":null}}`,
		`{"Strings":["","a\u2028\ud800"],"Nested":[[1,2],[],[-9223372036854775808]]}`,
		`{"Enum":"RED","Enums":["GREEN","x"]}`, `{"Unknown":{"deep":[[[[]]]]},"Header":"h"}`,
		"{\"s\":\"\xff\xfe\"}", `{"s":"a"} `, `{"s":"a"} x`, `{"Inner":` + nest(`{"Child":`, `{}`, `}`, MaxDepth) + `}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v rich
		if err := Unmarshal(data, &v); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Unmarshal returned %T %v, want a *DecodeError", err, err)
			}
			return
		}
		out := Marshal(nil, &v)
		if !json.Valid(out) {
			t.Fatalf("Marshal wrote invalid JSON %q from %q", out, data)
		}
		var again rich
		if err := Unmarshal(out, &again); err != nil {
			t.Fatalf("Unmarshal(Marshal(Unmarshal(%q))) = Unmarshal(%q): %v", data, out, err)
		}
		if !same(reflect.ValueOf(again), reflect.ValueOf(v)) {
			t.Fatalf("round trip of %q changed the value:\n first  %s\n second %s", data, out, Marshal(nil, &again))
		}
	})
}
