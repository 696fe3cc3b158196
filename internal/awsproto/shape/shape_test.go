package shape

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// tagged exercises every key of the aws tag.
type tagged struct {
	Plain      *string
	Renamed    *string           `aws:"name=wireName"`
	Hdr        *string           `aws:"loc=header,locname=X-Amz-Thing"`
	Hdrs       map[string]string `aws:"loc=headers,locname=X-Amz-Meta-"`
	Label      *string           `aws:"loc=uri,required"`
	Label2     *string           `aws:"loc=uri,locname=FunctionName"`
	Q          *int32            `aws:"loc=query,locname=max-items,min=1,max=1000"`
	QM         map[string]string `aws:"loc=querymap"`
	Body       []byte            `aws:"loc=payload"`
	Code       *int32            `aws:"loc=status"`
	Explicit   *string           `aws:"loc=body,name=explicit"`
	Req        *string           `aws:"required, min=3 ,max=255"`
	Frac       *float64          `aws:"min=-1.5,max=2.25"`
	When       *time.Time        `aws:"ts=unixTimestamp"`
	Flat       []string          `aws:"flat,member=Item"`
	DefList    []int64
	Dict       map[string]*int32 `aws:"flat,key=K,value=V"`
	DefMap     map[string]string
	Attr       *string `aws:"attr,name=xsi:type"`
	NS         *string `aws:"xmlns=http://example.com/doc/2006-03-01/"`
	EqInValue  *string `aws:"locname=a=b"`
	Pat        *string `aws:"min=1" pattern:"[a-z]+"`
	Skipped    *string `aws:"-"`
	unexported *string //nolint:unused // proves unexported fields are skipped
	Last       *bool   `aws:""`
}

func TestOfTags(t *testing.T) {
	t.Parallel()
	st := Of(reflect.TypeFor[*tagged]())
	if st.Kind != Structure || st.Go != reflect.TypeFor[tagged]() {
		t.Fatalf("Of(*tagged) = kind %v, Go %v", st.Kind, st.Go)
	}
	byGo := map[string]*Field{}
	var order []string
	for _, f := range st.Fields {
		byGo[f.GoName] = f
		order = append(order, f.GoName)
	}
	wantOrder := "Plain Renamed Hdr Hdrs Label Label2 Q QM Body Code Explicit Req Frac When Flat DefList Dict DefMap Attr NS EqInValue Pat Last"
	if got := strings.Join(order, " "); got != wantOrder {
		t.Fatalf("fields = %s\nwant      %s", got, wantOrder)
	}
	f64 := func(v float64) *float64 { return &v }
	tests := []struct {
		goName string
		want   Field // only the descriptive members are compared
	}{
		{"Plain", Field{Name: "Plain", Loc: Body}},
		{"Renamed", Field{Name: "wireName"}},
		{"Hdr", Field{Name: "Hdr", Loc: Header, LocName: "X-Amz-Thing"}},
		{"Hdrs", Field{Name: "Hdrs", Loc: Headers, LocName: "X-Amz-Meta-", KeyName: "key", ValueName: "value"}},
		{"Label", Field{Name: "Label", Loc: URI, LocName: "Label", Required: true}}, // URI label defaults to the member name
		{"Label2", Field{Name: "Label2", Loc: URI, LocName: "FunctionName"}},
		{"Q", Field{Name: "Q", Loc: Query, LocName: "max-items", Min: f64(1), Max: f64(1000)}},
		{"QM", Field{Name: "QM", Loc: QueryMap, KeyName: "key", ValueName: "value"}},
		{"Body", Field{Name: "Body", Loc: Payload}},
		{"Code", Field{Name: "Code", Loc: Status}},
		{"Explicit", Field{Name: "explicit", Loc: Body}},
		{"Req", Field{Name: "Req", Required: true, Min: f64(3), Max: f64(255)}},
		{"Frac", Field{Name: "Frac", Min: f64(-1.5), Max: f64(2.25)}},
		{"When", Field{Name: "When", TimestampFormat: UnixTimestamp}},
		{"Flat", Field{Name: "Flat", Flattened: true, MemberName: "Item"}},
		{"DefList", Field{Name: "DefList", MemberName: "member"}},
		{"Dict", Field{Name: "Dict", Flattened: true, KeyName: "K", ValueName: "V"}},
		{"DefMap", Field{Name: "DefMap", KeyName: "key", ValueName: "value"}},
		{"Attr", Field{Name: "xsi:type", XMLAttribute: true}},
		{"NS", Field{Name: "NS", XMLNamespace: "http://example.com/doc/2006-03-01/"}},
		{"EqInValue", Field{Name: "EqInValue", LocName: "a=b"}},
		{"Pat", Field{Name: "Pat", Min: f64(1), PatternText: "[a-z]+"}},
		{"Last", Field{Name: "Last"}},
	}
	for _, tt := range tests {
		t.Run(tt.goName, func(t *testing.T) {
			f := byGo[tt.goName]
			if f == nil {
				t.Fatalf("no field %s", tt.goName)
			}
			got := describe(f)
			if want := describe(&tt.want); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if sf, _ := st.Go.FieldByName(tt.goName); f.Index != sf.Index[0] || f.Type != sf.Type {
				t.Errorf("Index, Type = %d, %v; want %d, %v", f.Index, f.Type, sf.Index[0], sf.Type)
			}
			if f.Shape != Of(f.Type) {
				t.Errorf("Shape is not Of(Type)")
			}
		})
	}

	// FieldByName finds body members by wire name only.
	for name, want := range map[string]string{"Plain": "Plain", "wireName": "Renamed", "explicit": "Explicit", "xsi:type": "Attr"} {
		if f := st.FieldByName(name); f == nil || f.GoName != want {
			t.Errorf("FieldByName(%q) = %v, want %s", name, f, want)
		}
	}
	for _, name := range []string{"Renamed", "Hdr", "Label", "Q", "QM", "Body", "Code", "Skipped", "unexported", "Nope"} {
		if f := st.FieldByName(name); f != nil {
			t.Errorf("FieldByName(%q) = %s, want nil", name, f.GoName)
		}
	}
}

// describe prints the parsed traits of a field for comparison.
func describe(f *Field) string {
	fl := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("name=%q loc=%d locname=%q req=%v min=%s max=%s pattern=%q ts=%q flat=%v member=%q key=%q value=%q attr=%v xmlns=%q",
		f.Name, f.Loc, f.LocName, f.Required, fl(f.Min), fl(f.Max), f.PatternText, f.TimestampFormat,
		f.Flattened, f.MemberName, f.KeyName, f.ValueName, f.XMLAttribute, f.XMLNamespace)
}

type color string

func (color) Values() []string { return []string{"RED", "GREEN", "BLUE"} }

type notEnum string // a named string without Values

type byteList []byte // a named []byte is a list of integers, not a blob

type kinds struct {
	S     string
	PS    *string
	PPS   **string
	B     *bool
	I     int
	I8    *int8
	I16   *int16
	I32   *int32
	I64   *int64
	U     *uint
	U8    *uint8
	U16   *uint16
	U32   *uint32
	U64   *uint64
	F32   *float32
	F64   *float64
	T     *time.Time
	Blob  []byte
	Doc   json.RawMessage
	Strm  io.ReadCloser
	L     []string
	LP    []*int32
	M     map[string][]string
	MP    map[string]*kinds
	Enum  *color
	EnumL []color
	NE    *notEnum
	BL    byteList
	Inner *struct{ X *string }
}

func TestOfKinds(t *testing.T) {
	t.Parallel()
	st := Of(reflect.TypeFor[kinds]())
	want := map[string]Kind{
		"S": String, "PS": String, "PPS": String, "B": Boolean,
		"I": Integer, "I8": Integer, "I16": Integer, "I32": Integer, "I64": Integer,
		"U": Integer, "U8": Integer, "U16": Integer, "U32": Integer, "U64": Integer,
		"F32": Float, "F64": Float, "T": Timestamp, "Blob": Blob, "Doc": Document,
		"Strm": Stream, "L": List, "LP": List, "M": Map, "MP": Map, "Enum": String,
		"EnumL": List, "NE": String, "BL": List, "Inner": Structure,
	}
	if len(st.Fields) != len(want) {
		t.Fatalf("%d fields, want %d", len(st.Fields), len(want))
	}
	for _, f := range st.Fields {
		if f.Shape.Kind != want[f.GoName] {
			t.Errorf("%s: kind %v, want %v", f.GoName, f.Shape.Kind, want[f.GoName])
		}
		if f.Shape.Go.Kind() == reflect.Pointer {
			t.Errorf("%s: Shape.Go %v keeps a pointer", f.GoName, f.Shape.Go)
		}
	}
	field := func(name string) *Field {
		for _, f := range st.Fields {
			if f.GoName == name {
				return f
			}
		}
		t.Fatalf("no field %s", name)
		return nil
	}
	if got := field("Enum").Shape.Enum; !reflect.DeepEqual(got, []string{"RED", "GREEN", "BLUE"}) {
		t.Errorf("enum values = %v", got)
	}
	if got := field("EnumL").Shape.Elem.Enum; len(got) != 3 {
		t.Errorf("list-of-enum element values = %v", got)
	}
	if got := field("NE").Shape.Enum; got != nil {
		t.Errorf("a string without Values() has enum %v", got)
	}
	if l := field("L").Shape; l.ElemPtr || l.Elem.Kind != String {
		t.Errorf("[]string: ElemPtr %v, elem %v", l.ElemPtr, l.Elem.Kind)
	}
	if l := field("LP").Shape; !l.ElemPtr || l.Elem.Kind != Integer || l.Elem.Go != reflect.TypeFor[int32]() {
		t.Errorf("[]*int32: ElemPtr %v, elem %v %v", l.ElemPtr, l.Elem.Kind, l.Elem.Go)
	}
	if m := field("M").Shape; m.ElemPtr || m.Elem.Kind != List || m.Elem.Elem.Kind != String {
		t.Errorf("map[string][]string described as %+v", m)
	}
	if m := field("MP").Shape; !m.ElemPtr || m.Elem != st {
		t.Errorf("map[string]*kinds: ElemPtr %v, elem is the enclosing type: %v", m.ElemPtr, m.Elem == st)
	}
	if in := field("Inner").Shape; len(in.Fields) != 1 || in.FieldByName("X") == nil {
		t.Errorf("anonymous struct member described as %+v", in)
	}
	// Pointers are removed, and every spelling returns the cached description.
	if Of(reflect.TypeFor[**kinds]()) != st || Of(reflect.TypeFor[*kinds]()) != st {
		t.Error("Of(**kinds), Of(*kinds) and Of(kinds) differ")
	}
	if !Of(reflect.TypeFor[struct{}]()).IsEmptyStruct() || st.IsEmptyStruct() || Of(reflect.TypeFor[string]()).IsEmptyStruct() {
		t.Error("IsEmptyStruct is wrong")
	}
}

type node struct {
	Name     *string
	Next     *node
	Children []node
	ByName   map[string]*node
	Other    *mutualA
}

type mutualA struct{ B *mutualB }
type mutualB struct {
	A  *mutualA
	As []*mutualA
}

func TestOfRecursive(t *testing.T) {
	t.Parallel()
	n := Of(reflect.TypeFor[node]())
	if n.FieldByName("Next").Shape != n {
		t.Error("node.Next is not node")
	}
	if n.FieldByName("Children").Shape.Elem != n {
		t.Error("node.Children's element is not node")
	}
	if n.FieldByName("ByName").Shape.Elem != n {
		t.Error("node.ByName's value is not node")
	}
	a := n.FieldByName("Other").Shape
	b := a.FieldByName("B").Shape
	if b.FieldByName("A").Shape != a || b.FieldByName("As").Shape.Elem != a {
		t.Error("mutualA → mutualB → mutualA is not a cycle")
	}
	if Of(reflect.TypeFor[mutualB]()) != b {
		t.Error("a type first described as a member is not cached")
	}
}

type concurrent1 struct {
	Self []*concurrent1
	X    *concurrent2
}
type concurrent2 struct{ Y map[string]concurrent1 }

func TestOfConcurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	got := make([]*Type, 16)
	for i := range got {
		wg.Go(func() { got[i] = Of(reflect.TypeFor[concurrent1]()) })
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatal("concurrent calls of Of returned different descriptions")
		}
	}
	if got[0].Fields[1].Shape.Fields[0].Shape.Elem != got[0] {
		t.Fatal("cycle through concurrent2 not closed")
	}
}

type (
	badIntKey  struct{ M map[int]string }
	badChan    struct{ C chan int }
	badFunc    struct{ F func() }
	badAny     struct{ A any }
	badComplex struct{ C *complex128 }
	badNested  struct{ L []struct{ C chan int } }
	badTagKey  struct {
		X *string `aws:"reqired"`
	}
	badLoc struct {
		X *string `aws:"loc=cookie"`
	}
	badMin struct {
		X *string `aws:"min=three"`
	}
	badMax struct {
		X *string `aws:"max="`
	}
	badPattern struct {
		X *string `pattern:"[a-z"`
	}
	badLookahead struct {
		X *string `pattern:"(?=a)a"`
	}
)

func TestOfPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[badIntKey](), "map key"},
		{reflect.TypeFor[map[int]string](), "map key"},
		{reflect.TypeFor[badChan](), "cannot be an AWS shape"},
		{reflect.TypeFor[badFunc](), "cannot be an AWS shape"},
		{reflect.TypeFor[badAny](), "cannot be an AWS shape"},
		{reflect.TypeFor[badComplex](), "cannot be an AWS shape"},
		{reflect.TypeFor[badNested](), "cannot be an AWS shape"},
		{reflect.TypeFor[badTagKey](), `unknown tag "reqired"`},
		{reflect.TypeFor[badLoc](), `unknown location "cookie"`},
		{reflect.TypeFor[badMin](), `min="three"`},
		{reflect.TypeFor[badMax](), `max=""`},
		{reflect.TypeFor[badPattern](), "pattern"},
		{reflect.TypeFor[badLookahead](), "pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			msg := panicOf(tt.typ)
			if msg == "" {
				t.Fatalf("Of(%v) did not panic", tt.typ)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("panic %q does not mention %q", msg, tt.want)
			}
			// A failed description is not cached half-built: it panics again.
			if panicOf(tt.typ) == "" {
				t.Errorf("second Of(%v) did not panic", tt.typ)
			}
		})
	}
	// The lock is released after a panic.
	if Of(reflect.TypeFor[struct{ OK *string }]()).Kind != Structure {
		t.Fatal("Of after a panic failed")
	}
}

// panicOf returns Of's panic message, or "" if it returned.
func panicOf(t reflect.Type) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	Of(t)
	return ""
}

type (
	patJava struct {
		X *string `pattern:"\\u0041\\u00e9+"`
	}
	patRange struct {
		X *string `pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	}
	patAstral struct {
		X *string `pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
	}
	patSurr struct {
		X *string `pattern:"[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*"`
	}
	patPrint struct {
		X *string `pattern:"\\p{Print}+"`
	}
	patAnchored struct {
		X *string `pattern:"^[^\\$]+$"`
	}
	patPartial struct {
		X *string `pattern:"[0-9]{12}"`
	}
	patAlt struct {
		X *string `pattern:"a|bc"`
	}
	patUnicode struct {
		X *string `pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"`
	}
	patWord struct {
		X *string `pattern:"[\\w+=,.@-]*"`
	}
)

// TestPattern proves goPattern gives Java patterns of AWS's models their
// Java meaning, and that patterns match the whole value.
func TestPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		typ        reflect.Type
		match, not []string
	}{
		{"java escapes", reflect.TypeFor[patJava](), []string{"Aé", "Aééé"}, []string{"A", "aé", `\u0041é`}},
		{"BMP range", reflect.TypeFor[patRange](), []string{"abc", "tab\there", "ÿ"}, []string{"", "Ā", "\x00", "😀"}},
		// \u10000-\u10FFFF: the models mean the supplementary planes.
		{"supplementary idiom", reflect.TypeFor[patAstral](), []string{"😀", "a😀b", "\U0010FFFF", "\u0085"}, []string{"", "\x00", "\uFFFE", "\x7f"}},
		// \uD800\uDC00-\uDBFF\uDFFF: a Java string's surrogate pairs for
		// U+10000 and U+10FFFF, also meaning the supplementary planes
		// (DynamoDB's AutoScalingRoleArn).
		{"surrogate pair idiom", reflect.TypeFor[patSurr](), []string{"", "arn:aws:iam::1", "😀", "a\r\nb"}, []string{"\x00", "\uFFFE", "\x7f\x01"}},
		// Java's POSIX class \p{Print} is ASCII 0x20-0x7E (DynamoDB's
		// AutoScalingPolicyName).
		{"posix print", reflect.TypeFor[patPrint](), []string{"my policy ~!", " "}, []string{"", "a\x01", "tab\t"}},
		{"already anchored", reflect.TypeFor[patAnchored](), []string{"abc"}, []string{"a$c", ""}},
		{"whole value", reflect.TypeFor[patPartial](), []string{"123456789012"}, []string{"1234567890123", "x123456789012"}},
		{"alternation anchored as a group", reflect.TypeFor[patAlt](), []string{"a", "bc"}, []string{"abc", "ac", "bcx"}},
		{"unicode classes", reflect.TypeFor[patUnicode](), []string{"Ünïcode 42 @x/y=z"}, []string{"tab\t", "#"}},
		{"word", reflect.TypeFor[patWord](), []string{"role+name=x,y.z@w-v"}, []string{"a b", "a/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st *Type
			if msg := func() (msg string) {
				defer func() {
					if r := recover(); r != nil {
						msg = fmt.Sprint(r)
					}
				}()
				st = Of(tt.typ)
				return ""
			}(); msg != "" {
				t.Fatalf("Of panicked: %s", msg)
			}
			f := st.Fields[0]
			if sf, _ := tt.typ.FieldByName("X"); f.PatternText != sf.Tag.Get("pattern") {
				t.Errorf("PatternText = %q, want the model's text %q", f.PatternText, sf.Tag.Get("pattern"))
			}
			for _, s := range tt.match {
				if !f.Pattern.MatchString(s) {
					t.Errorf("%s (Go %s) does not match %q", f.PatternText, f.Pattern, s)
				}
			}
			for _, s := range tt.not {
				if f.Pattern.MatchString(s) {
					t.Errorf("%s (Go %s) matches %q", f.PatternText, f.Pattern, s)
				}
			}
		})
	}
}
