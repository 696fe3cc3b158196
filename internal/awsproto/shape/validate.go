package shape

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Violation is one failed constraint, worded as AWS words it.
type Violation struct {
	// Path is the member's path as AWS prints it: lowerCamel member names,
	// list elements as "name.1.member" (1-based).
	Path string
	// Value is the offending value as AWS prints it ("null", "'abc'"); empty
	// leaves the value out ("Value at 'Limit' failed ..."), as AWS's newer
	// validation layer words some members.
	Value string
	// Constraint is the sentence after "failed to satisfy constraint: ".
	Constraint string
}

// Message renders violations in AWS's validation message format:
//
//	1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null
func Message(vs []Violation) string {
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		if v.Value == "" {
			fmt.Fprintf(&b, "Value at '%s' failed to satisfy constraint: %s", v.Path, v.Constraint)
		} else {
			fmt.Fprintf(&b, "Value %s at '%s' failed to satisfy constraint: %s", v.Value, v.Path, v.Constraint)
		}
	}
	return b.String()
}

// Validate checks the constraints of the structure v (a struct or a pointer
// to one) and returns every violation, in member order.
func Validate(v any) []Violation {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	var out []Violation
	validateStruct(rv, Of(rv.Type()), "", &out)
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func validateStruct(rv reflect.Value, t *Type, prefix string, out *[]Violation) {
	for _, f := range t.Fields {
		fv := rv.Field(f.Index)
		path := join(prefix, lowerFirst(f.Name))
		validateValue(fv, f, f.Shape, path, out)
	}
}

func isNil(fv reflect.Value) bool {
	switch fv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return fv.IsNil()
	}
	return false
}

// present reports whether a member value counts as given.
func present(fv reflect.Value) bool {
	switch fv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return !fv.IsNil()
	default:
		return !fv.IsZero()
	}
}

func validateValue(fv reflect.Value, f *Field, t *Type, path string, out *[]Violation) {
	// A list element or map value is there even when it is a zero value;
	// only a member can be absent.
	isMember := f != nil
	if isMember && !present(fv) || !isMember && isNil(fv) {
		if f != nil && f.Required {
			*out = append(*out, Violation{Path: path, Value: "null", Constraint: "Member must not be null"})
		}
		return
	}
	for fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface {
		fv = fv.Elem()
	}
	if f != nil {
		checkRange(fv, f, t, path, out)
	}
	if !t.constrained && (f == nil || f.Pattern == nil) {
		return
	}
	switch t.Kind {
	case String:
		if t.Enum != nil {
			s := fv.String()
			ok := false
			for _, e := range t.Enum {
				if e == s {
					ok = true
					break
				}
			}
			if !ok {
				*out = append(*out, Violation{Path: path, Value: quote(s),
					Constraint: EnumConstraint(t)})
			}
		}
		if f != nil && f.Pattern != nil && !f.Pattern.MatchString(fv.String()) {
			*out = append(*out, Violation{Path: path, Value: quote(fv.String()),
				Constraint: "Member must satisfy regular expression pattern: " + f.PatternText})
		}
	case Structure:
		validateStruct(fv, t, path, out)
	case List:
		for i := 0; i < fv.Len(); i++ {
			validateValue(fv.Index(i), nil, t.Elem, fmt.Sprintf("%s.%d.member", path, i+1), out)
		}
	case Map:
		iter := fv.MapRange()
		for iter.Next() {
			validateValue(iter.Value(), nil, t.Elem, path+"."+iter.Key().String()+".member", out)
		}
	}
}

// EnumConstraint is the constraint sentence for a value outside enum type
// t's values, listed in the order AWS lists them.
func EnumConstraint(t *Type) string {
	values := t.Enum
	if t.EnumInMessages != nil {
		values = t.EnumInMessages
	}
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// JavaString prints a request value (a shape struct, list, map or scalar)
// the way AWS's Java validation messages echo it: Shape(member=value, ...),
// {key=value, ...}, [a, b].
func JavaString(v any) string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return "null"
	}
	return javaString(rv, Of(rv.Type()))
}

func checkRange(fv reflect.Value, f *Field, t *Type, path string, out *[]Violation) {
	if f.Min == nil && f.Max == nil {
		return
	}
	var n float64
	what := "length"
	switch t.Kind {
	case String:
		n = float64(utf8.RuneCountInString(fv.String()))
	case Blob, List, Map:
		n = float64(fv.Len())
	case Integer:
		what = "value"
		if fv.CanInt() {
			n = float64(fv.Int())
		} else {
			n = float64(fv.Uint())
		}
	case Float:
		what = "value"
		n = fv.Float()
	default:
		return
	}
	if f.Min != nil && n < *f.Min {
		*out = append(*out, Violation{Path: path, Value: render(fv, t),
			Constraint: fmt.Sprintf("Member must have %s greater than or equal to %s", what, num(*f.Min))})
	}
	if f.Max != nil && n > *f.Max {
		*out = append(*out, Violation{Path: path, Value: render(fv, t),
			Constraint: fmt.Sprintf("Member must have %s less than or equal to %s", what, num(*f.Max))})
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func quote(s string) string { return "'" + s + "'" }

// render prints a value the way AWS's validation messages print it.
func render(fv reflect.Value, t *Type) string {
	switch t.Kind {
	case String:
		return quote(fv.String())
	case Integer:
		if fv.CanInt() {
			return quote(strconv.FormatInt(fv.Int(), 10))
		}
		return quote(strconv.FormatUint(fv.Uint(), 10))
	case Float:
		return quote(num(fv.Float()))
	case Timestamp:
		return quote(fv.Interface().(time.Time).UTC().Format(time.RFC3339))
	case Blob:
		return "'java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(fv.Len()) + " cap=" + strconv.Itoa(fv.Len()) + "]'"
	case List:
		parts := make([]string, fv.Len())
		for i := range parts {
			e := fv.Index(i)
			for e.Kind() == reflect.Pointer {
				e = e.Elem()
			}
			parts[i] = javaString(e, t.Elem)
		}
		return "'[" + strings.Join(parts, ", ") + "]'"
	default:
		return quote(javaString(fv, t))
	}
}

// javaString prints a value the way AWS's (Java) validation messages
// print request values: a structure as Shape(member=value, ...) with its
// members in lower camel case and absent ones left out, a map as
// {key=value, ...}, a list as [a, b]; never Go's pointers.
func javaString(v reflect.Value, t *Type) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "null"
		}
		v = v.Elem()
	}
	var b strings.Builder
	switch t.Kind {
	case Structure:
		b.WriteString(v.Type().Name())
		b.WriteByte('(')
		first := true
		for _, f := range t.Fields {
			fv := v.Field(f.Index)
			if isNil(fv) {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(lowerFirst(f.Name) + "=" + javaString(fv, f.Shape))
		}
		b.WriteByte(')')
	case Map:
		b.WriteByte('{')
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k.String() + "=" + javaString(v.MapIndex(k), t.Elem))
		}
		b.WriteByte('}')
	case List:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(javaString(v.Index(i), t.Elem))
		}
		b.WriteByte(']')
	default:
		return strings.Trim(render(v, t), "'")
	}
	return b.String()
}

// OnLists reports violations by the elements of a top-level list of in
// on the list itself, as some AWS services' validation does: "Value
// '[mips]' at 'architectures' failed to satisfy constraint: Member must
// satisfy constraint: [Member must satisfy enum value set: [...]]". The
// path becomes the list's, the value the whole list as JavaString prints
// it, and the constraint word(list, constraint)'s; a list word declines
// (ok false) keeps its elements' violations as they are. A list is
// reported once, for its first bad element.
func OnLists(in any, vs []Violation, word func(list, constraint string) (string, bool)) []Violation {
	rv := reflect.ValueOf(in)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	var out []Violation
	seen := map[string]bool{}
	for _, v := range vs {
		list, rest, _ := strings.Cut(v.Path, ".")
		if !listElement.MatchString(rest) || rv.Kind() != reflect.Struct {
			out = append(out, v)
			continue
		}
		c, ok := word(list, v.Constraint)
		if !ok {
			out = append(out, v)
			continue
		}
		if seen[list] {
			continue
		}
		seen[list] = true
		value := "null"
		for _, f := range Of(rv.Type()).Fields {
			if lowerFirst(f.Name) == list {
				value = JavaString(rv.Field(f.Index).Interface())
			}
		}
		out = append(out, Violation{Path: list, Value: quote(value), Constraint: c})
	}
	return out
}

// listElement matches the rest of the path Validate gives an element of a
// top-level list, after the list's name ("1.member").
var listElement = regexp.MustCompile(`^[0-9]+\.member$`)
