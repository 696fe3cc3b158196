package shape

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// Kind is the AWS type of a member.
type Kind int

// The member kinds, as the AWS type system names them.
const (
	Invalid Kind = iota
	String
	Boolean
	Integer // any Go integer type
	Float   // float32 or float64
	Timestamp
	Blob
	List
	Map
	Structure
	Document // raw JSON, json.RawMessage
	Stream   // io.ReadCloser: a streaming payload
)

// Location is where a REST protocol binds a member.
type Location int

// The member locations.
const (
	Body Location = iota
	Header
	Headers // a map of headers sharing the LocName prefix
	URI
	Query
	QueryMap // a map of all query parameters not bound elsewhere
	Payload  // the whole body
	Status   // the HTTP status code
)

// Field describes one member of a structure.
type Field struct {
	// GoName is the struct field's name; Index is its reflect index.
	GoName string
	Index  int
	// Name is the member name on the wire. XMLName is its name in XML
	// documents and awsQuery parameters, where AWS's models may name it
	// differently (SQS's "Attributes" travel as "Attribute.N" in awsQuery
	// and as "Attributes" in awsJson); it defaults to Name.
	Name    string
	XMLName string
	// Loc and LocName say where REST protocols bind the member.
	Loc     Location
	LocName string
	// Required, Min, Max, Pattern are AWS's constraints.
	Required bool
	Min, Max *float64
	Pattern  *regexp.Regexp
	// PatternText is Pattern's source as AWS prints it in messages.
	PatternText string
	// TimestampFormat overrides the protocol's default for timestamps.
	TimestampFormat string
	// Flattened, MemberName, KeyName, ValueName shape XML and query lists
	// and maps.
	Flattened                      bool
	MemberName, KeyName, ValueName string
	XMLAttribute                   bool
	XMLNamespace                   string
	// Type is the field's Go type and Shape the type it describes
	// (pointers removed).
	Type  reflect.Type
	Shape *Type
}

// EnumMessageOrderer is implemented by enum types whose service lists the
// allowed values in its validation messages in an order of its own (the
// order of a Java set, not the model's): DynamoDB says [B, N, S] for
// ScalarAttributeType, whose model order is S, N, B. Generated enum types
// get the method from a hand-written file beside them.
type EnumMessageOrderer interface {
	ValuesInMessages() []string
}

// Type describes a Go type as an AWS shape.
type Type struct {
	Kind Kind
	Go   reflect.Type // with pointers removed
	// Enum lists the allowed values of an enum string type.
	Enum []string
	// EnumInMessages is the order AWS lists an enum's values in when it
	// reports a value outside them; nil means Enum's order.
	EnumInMessages []string
	// Fields are a structure's members in declaration order.
	Fields []*Field
	// Elem is a list's element or a map's value.
	Elem *Type
	// ElemPtr reports whether list elements or map values are pointers.
	ElemPtr bool
	// byName finds a structure's body field by wire name.
	byName map[string]*Field
	// constrained reports whether validation has anything to check in a
	// value of this type (a constraint or an enum, here or below), so
	// that Validate can skip the rest, such as DynamoDB's items.
	constrained bool
}

// FieldByName returns the structure member with the given wire name.
func (t *Type) FieldByName(name string) *Field { return t.byName[name] }

var (
	cache sync.Map // reflect.Type → *Type; a cache of pure functions of types

	timeType     = reflect.TypeFor[time.Time]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	bytesType    = reflect.TypeFor[[]byte]()
	readerType   = reflect.TypeFor[io.ReadCloser]()
	enumerType   = reflect.TypeFor[interface{ Values() []string }]()
	enumOrderer  = reflect.TypeFor[EnumMessageOrderer]()
	buildingLock sync.Mutex
)

// Of returns the description of t (pointers are removed). It panics on a
// type that cannot be an AWS shape or a malformed tag: shapes are declared
// in code, so that is a programming error found by the first test.
func Of(t reflect.Type) *Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v, ok := cache.Load(t); ok {
		return v.(*Type)
	}
	buildingLock.Lock()
	defer buildingLock.Unlock()
	building := map[reflect.Type]*Type{}
	st := build(t, building)
	markConstrained(building)
	for k, v := range building {
		cache.LoadOrStore(k, v)
	}
	return st
}

func build(t reflect.Type, building map[reflect.Type]*Type) *Type {
	if v, ok := cache.Load(t); ok {
		return v.(*Type)
	}
	if st, ok := building[t]; ok {
		return st // recursive shapes
	}
	st := &Type{Go: t}
	building[t] = st
	switch {
	case t == timeType:
		st.Kind = Timestamp
	case t == rawType:
		st.Kind = Document
	case t == bytesType:
		st.Kind = Blob
	case t == readerType:
		st.Kind = Stream
	default:
		switch t.Kind() {
		case reflect.String:
			st.Kind = String
			if t.Implements(enumerType) {
				st.Enum = reflect.Zero(t).Interface().(interface{ Values() []string }).Values()
			}
			if t.Implements(enumOrderer) {
				st.EnumInMessages = reflect.Zero(t).Interface().(EnumMessageOrderer).ValuesInMessages()
			}
		case reflect.Bool:
			st.Kind = Boolean
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			st.Kind = Integer
		case reflect.Float32, reflect.Float64:
			st.Kind = Float
		case reflect.Slice:
			st.Kind = List
			e := t.Elem()
			st.ElemPtr = e.Kind() == reflect.Pointer
			st.Elem = build(deref(e), building)
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				panic(fmt.Sprintf("shape: map key of %v must be a string", t))
			}
			st.Kind = Map
			e := t.Elem()
			st.ElemPtr = e.Kind() == reflect.Pointer
			st.Elem = build(deref(e), building)
		case reflect.Struct:
			st.Kind = Structure
			buildStruct(st, t, building)
		default:
			panic(fmt.Sprintf("shape: %v cannot be an AWS shape", t))
		}
	}
	return st
}

// markConstrained computes Type.constrained for newly built types, to a
// fixed point so that recursive types are right.
func markConstrained(built map[reflect.Type]*Type) {
	for changed := true; changed; {
		changed = false
		for _, t := range built {
			if t.constrained {
				continue
			}
			c := t.Enum != nil
			if t.Elem != nil && t.Elem.constrained {
				c = true
			}
			for _, f := range t.Fields {
				if f.Required || f.Min != nil || f.Max != nil || f.Pattern != nil || f.Shape.constrained {
					c = true
				}
			}
			if c {
				t.constrained, changed = true, true
			}
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func buildStruct(st *Type, t reflect.Type, building map[reflect.Type]*Type) {
	st.byName = map[string]*Field{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Tag.Get("aws") == "-" {
			continue
		}
		f := &Field{GoName: sf.Name, Index: i, Name: sf.Name, Type: sf.Type}
		parseTag(f, sf, t)
		if f.XMLName == "" {
			f.XMLName = f.Name
		}
		if p := sf.Tag.Get("pattern"); p != "" {
			re, err := regexp.Compile("^(?:" + goPattern(p) + ")$")
			if err != nil {
				panic(fmt.Sprintf("shape: %v.%s: pattern: %v", t, sf.Name, err))
			}
			f.Pattern, f.PatternText = re, p
		}
		f.Shape = build(deref(sf.Type), building)
		if f.Shape.Kind == List && f.MemberName == "" {
			f.MemberName = "member"
		}
		if f.Shape.Kind == Map {
			if f.KeyName == "" {
				f.KeyName = "key"
			}
			if f.ValueName == "" {
				f.ValueName = "value"
			}
		}
		if f.Loc == URI && f.LocName == "" {
			f.LocName = f.Name
		}
		st.Fields = append(st.Fields, f)
		if f.Loc == Body {
			st.byName[f.Name] = f
		}
	}
}

var (
	javaEscape    = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)
	surrogatePair = regexp.MustCompile(`\\u([dD][89abAB][0-9A-Fa-f]{2})\\u([dD][c-fC-F][0-9A-Fa-f]{2})`)
)

// goPattern translates the Java regular expressions of AWS's models to Go's
// syntax: \uXXXX escapes become \x{XXXX}; a UTF-16 surrogate pair
// \uD800\uDC00 becomes the one code point it encodes; the models' idiom for
// the supplementary planes, \u10000-\u10FFFF, keeps the meaning it is meant
// to have; and Java's \p{Print} (printable ASCII) becomes its range.
func goPattern(p string) string {
	p = strings.ReplaceAll(p, `\u10000-\u10FFFF`, `\x{10000}-\x{10FFFF}`)
	p = surrogatePair.ReplaceAllStringFunc(p, func(m string) string {
		hi, _ := strconv.ParseUint(m[2:6], 16, 32)
		lo, _ := strconv.ParseUint(m[8:12], 16, 32)
		return fmt.Sprintf(`\x{%X}`, utf16.DecodeRune(rune(hi), rune(lo)))
	})
	p = javaEscape.ReplaceAllString(p, `\x{$1}`)
	// \p{Print} is a range inside a character class and a class outside one.
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && strings.HasPrefix(p[i:], `\p{Print}`):
			if inClass {
				b.WriteString(`\x20-\x7E`)
			} else {
				b.WriteString(`[\x20-\x7E]`)
			}
			i += len(`\p{Print}`) - 1
		case p[i] == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		default:
			if p[i] == '[' {
				inClass = true
			} else if p[i] == ']' {
				inClass = false
			}
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

func parseTag(f *Field, sf reflect.StructField, t reflect.Type) {
	tag := sf.Tag.Get("aws")
	if tag == "" {
		return
	}
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "":
		case "name":
			f.Name = v
		case "xmlname":
			f.XMLName = v
		case "loc":
			loc, ok := map[string]Location{"body": Body, "header": Header, "headers": Headers,
				"uri": URI, "query": Query, "querymap": QueryMap, "payload": Payload, "status": Status}[v]
			if !ok {
				panic(fmt.Sprintf("shape: %v.%s: unknown location %q", t, sf.Name, v))
			}
			f.Loc = loc
		case "locname":
			f.LocName = v
		case "required":
			f.Required = true
		case "min", "max":
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				panic(fmt.Sprintf("shape: %v.%s: %s=%q", t, sf.Name, k, v))
			}
			if k == "min" {
				f.Min = &n
			} else {
				f.Max = &n
			}
		case "ts":
			f.TimestampFormat = v
		case "flat":
			f.Flattened = true
		case "member":
			f.MemberName = v
		case "key":
			f.KeyName = v
		case "value":
			f.ValueName = v
		case "attr":
			f.XMLAttribute = true
		case "xmlns":
			f.XMLNamespace = v
		default:
			panic(fmt.Sprintf("shape: %v.%s: unknown tag %q", t, sf.Name, k))
		}
	}
}

// IsEmptyStruct reports whether t is a structure without members, such as
// the output of an operation that returns nothing.
func (t *Type) IsEmptyStruct() bool { return t.Kind == Structure && len(t.Fields) == 0 }
