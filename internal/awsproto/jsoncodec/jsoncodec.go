package jsoncodec

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto/shape"
)

// DecodeError is malformed JSON, or a member of the wrong type.
type DecodeError struct{ Message string }

func (e *DecodeError) Error() string { return e.Message }

// MaxDepth bounds nesting, so a hostile document cannot exhaust the stack.
const MaxDepth = 128

// Unmarshal decodes the JSON object data into v, a pointer to a shape
// struct. An empty document is an empty object.
func Unmarshal(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return &DecodeError{Message: "Unexpected end of input or malformed JSON: " + err.Error()}
	}
	if _, err := d.Token(); err != io.EOF {
		return &DecodeError{Message: "Unexpected content after the end of the JSON document"}
	}
	rv := reflect.ValueOf(v).Elem()
	return assign(rv, shape.Of(rv.Type()), nil, doc, 0)
}

// UnmarshalValue decodes an already parsed document (from encoding/json
// with UseNumber) into v.
func UnmarshalValue(doc any, v any) error {
	rv := reflect.ValueOf(v).Elem()
	return assign(rv, shape.Of(rv.Type()), nil, doc, 0)
}

func jsonKind(x any) string {
	switch x := x.(type) {
	case nil:
		return "NULL_VALUE"
	case bool:
		if x {
			return "TRUE_VALUE"
		}
		return "FALSE_VALUE"
	case json.Number:
		return "NUMBER_VALUE"
	case string:
		return "STRING_VALUE"
	}
	return "VALUE"
}

func mismatch(x any, t *shape.Type, v reflect.Value) error {
	switch x.(type) {
	case map[string]any:
		return &DecodeError{Message: "Start of structure or map found where not expected."}
	case []any:
		return &DecodeError{Message: "Start of list found where not expected."}
	}
	name := t.Kind.String()
	if t.Kind == shape.Integer && v.Type().Bits() <= 32 {
		name = "Integer"
	}
	return &DecodeError{Message: fmt.Sprintf("%s cannot be converted to %s", jsonKind(x), name)}
}

// assign stores the JSON value x in v (of shape t; f is the member, if v is
// one, for its timestamp format).
func assign(v reflect.Value, t *shape.Type, f *shape.Field, x any, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Message: "JSON document nested too deeply"}
	}
	if x == nil {
		return nil // null is the same as absent
	}
	if v.Kind() == reflect.Pointer {
		v = shape.Settable(v)
	}
	switch t.Kind {
	case shape.String:
		s, ok := x.(string)
		if !ok {
			return mismatch(x, t, v)
		}
		v.SetString(s)
	case shape.Boolean:
		b, ok := x.(bool)
		if !ok {
			return mismatch(x, t, v)
		}
		v.SetBool(b)
	case shape.Integer:
		n, ok := x.(json.Number)
		if !ok {
			return mismatch(x, t, v)
		}
		// AWS truncates a fractional number sent for an integer member.
		tooBig := &DecodeError{Message: "NUMBER_VALUE cannot be converted to Integer"}
		if v.Type().Bits() > 32 {
			tooBig.Message = "NUMBER_VALUE cannot be converted to Long"
		}
		if v.CanInt() {
			i, err := strconv.ParseInt(string(n), 10, v.Type().Bits())
			if err != nil {
				fv, ferr := n.Float64()
				if ferr != nil || math.Abs(fv) >= 1<<63 || v.OverflowInt(int64(fv)) {
					return tooBig
				}
				i = int64(fv)
			}
			v.SetInt(i)
		} else {
			u, err := strconv.ParseUint(string(n), 10, v.Type().Bits())
			if err != nil {
				return tooBig
			}
			v.SetUint(u)
		}
	case shape.Float:
		switch n := x.(type) {
		case json.Number:
			fv, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return &DecodeError{Message: "NUMBER_VALUE cannot be converted to Double"}
			}
			v.SetFloat(fv)
		case string: // NaN and the infinities travel as strings
			fv, err := strconv.ParseFloat(n, 64)
			if err != nil || !(math.IsNaN(fv) || math.IsInf(fv, 0)) {
				return mismatch(x, t, v)
			}
			v.SetFloat(fv)
		default:
			return mismatch(x, t, v)
		}
	case shape.Timestamp:
		format := shape.UnixTimestamp
		if f != nil && f.TimestampFormat != "" {
			format = f.TimestampFormat
		}
		var text string
		switch n := x.(type) {
		case json.Number:
			text = string(n)
			if format != shape.UnixTimestamp {
				format = shape.UnixTimestamp
			}
		case string:
			text = n
		default:
			return mismatch(x, t, v)
		}
		ts, err := shape.ParseTime(text, format)
		if err != nil {
			return &DecodeError{Message: fmt.Sprintf("%s cannot be converted to Timestamp", jsonKind(x))}
		}
		v.Set(reflect.ValueOf(ts))
	case shape.Blob:
		s, ok := x.(string)
		if !ok {
			return mismatch(x, t, v)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return &DecodeError{Message: "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))}
		}
		v.SetBytes(b)
	case shape.Document:
		raw, err := json.Marshal(x)
		if err != nil {
			return &DecodeError{Message: err.Error()}
		}
		v.SetBytes(raw)
	case shape.List:
		xs, ok := x.([]any)
		if !ok {
			return mismatch(x, t, v)
		}
		s := reflect.MakeSlice(v.Type(), len(xs), len(xs))
		for i, e := range xs {
			if e == nil {
				continue
			}
			if err := assign(s.Index(i), t.Elem, nil, e, depth+1); err != nil {
				return err
			}
		}
		v.Set(s)
	case shape.Map:
		m, ok := x.(map[string]any)
		if !ok {
			return mismatch(x, t, v)
		}
		mv := reflect.MakeMapWithSize(v.Type(), len(m))
		et := v.Type().Elem()
		for k, e := range m {
			if e == nil {
				continue
			}
			ev := reflect.New(et).Elem()
			if err := assign(ev, t.Elem, nil, e, depth+1); err != nil {
				return err
			}
			mv.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
		v.Set(mv)
	case shape.Structure:
		m, ok := x.(map[string]any)
		if !ok {
			return mismatch(x, t, v)
		}
		for k, e := range m {
			mf := t.FieldByName(k)
			if mf == nil || e == nil {
				continue // AWS ignores members it does not know
			}
			if err := assign(v.Field(mf.Index), mf.Shape, mf, e, depth+1); err != nil {
				return err
			}
		}
	default:
		return mismatch(x, t, v)
	}
	return nil
}

// Marshal appends the JSON encoding of v, a shape struct or a pointer to
// one, to dst. Only body members are written; nil members are left out.
func Marshal(dst []byte, v any) []byte {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return append(dst, "{}"...)
		}
		rv = rv.Elem()
	}
	return appendValue(dst, rv, shape.Of(rv.Type()), nil)
}

// MarshalValue appends the JSON encoding of any shape value (a struct,
// list, map or scalar) with the given member's formats.
func MarshalValue(dst []byte, rv reflect.Value, t *shape.Type, f *shape.Field) []byte {
	return appendValue(dst, rv, t, f)
}

func appendValue(dst []byte, v reflect.Value, t *shape.Type, f *shape.Field) []byte {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(dst, "null"...)
		}
		v = v.Elem()
	}
	switch t.Kind {
	case shape.String:
		return AppendString(dst, v.String())
	case shape.Boolean:
		return strconv.AppendBool(dst, v.Bool())
	case shape.Integer:
		if v.CanInt() {
			return strconv.AppendInt(dst, v.Int(), 10)
		}
		return strconv.AppendUint(dst, v.Uint(), 10)
	case shape.Float:
		fv := v.Float()
		if math.IsNaN(fv) || math.IsInf(fv, 0) {
			return AppendString(dst, shape.FormatFloat(fv))
		}
		return appendDouble(dst, fv)
	case shape.Timestamp:
		format := shape.UnixTimestamp
		if f != nil && f.TimestampFormat != "" {
			format = f.TimestampFormat
		}
		s := shape.FormatTime(v.Interface().(time.Time), format)
		if format == shape.UnixTimestamp {
			return append(dst, s...)
		}
		return AppendString(dst, s)
	case shape.Blob:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, v.Bytes())
		return append(dst, '"')
	case shape.Document:
		if v.Len() == 0 {
			return append(dst, "null"...)
		}
		return append(dst, v.Bytes()...)
	case shape.List:
		dst = append(dst, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, v.Index(i), t.Elem, nil)
		}
		return append(dst, ']')
	case shape.Map:
		dst = append(dst, '{')
		iter := v.MapRange()
		first := true
		for iter.Next() {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendString(dst, iter.Key().String())
			dst = append(dst, ':')
			dst = appendValue(dst, iter.Value(), t.Elem, nil)
		}
		return append(dst, '}')
	case shape.Structure:
		dst = append(dst, '{')
		first := true
		for _, mf := range t.Fields {
			if mf.Loc != shape.Body {
				continue
			}
			fv := v.Field(mf.Index)
			if omit(fv) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendString(dst, mf.Name)
			dst = append(dst, ':')
			dst = appendValue(dst, fv, mf.Shape, mf)
		}
		return append(dst, '}')
	}
	return append(dst, "null"...)
}

// omit reports whether a member is absent and left out of the document.
func omit(fv reflect.Value) bool {
	switch fv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return fv.IsNil()
	}
	return false
}

const hex = "0123456789abcdef"

// safe marks the ASCII bytes a JSON string carries as they are.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendDouble appends a finite double as AWS's JSON services write one: in
// its shortest form, with a fraction even when it is whole (1.0, not 1), as
// a Java double prints. The aws CLI shows the number as it came
// ("CapacityUnits": 1.0), and so do clients that keep the JSON's types.
func appendDouble(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
	if bytes.IndexAny(dst[start:], ".e") < 0 {
		dst = append(dst, ".0"...)
	}
	return dst
}

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
// Runs of safe ASCII are copied in one go: escaping is a hot path of
// every response.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
