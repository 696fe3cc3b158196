package velocity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// List is a mutable list, like Java's ArrayList.
type List struct{ Items []any }

// NewList returns a list of items.
func NewList(items ...any) *List { return &List{Items: items} }

// Map is a mutable map that keeps its keys in insertion order, like Java's
// LinkedHashMap.
type Map struct {
	keys []string
	m    map[string]any
}

// NewMap returns an empty map.
func NewMap() *Map { return &Map{m: map[string]any{}} }

// Get returns the value under k.
func (m *Map) Get(k string) (any, bool) {
	v, ok := m.m[k]
	return v, ok
}

// Put sets k to v and returns the previous value.
func (m *Map) Put(k string, v any) any {
	old, ok := m.m[k]
	if !ok {
		m.keys = append(m.keys, k)
	}
	m.m[k] = v
	return old
}

// Remove deletes k and returns its value.
func (m *Map) Remove(k string) any {
	old, ok := m.m[k]
	if !ok {
		return nil
	}
	delete(m.m, k)
	for i, x := range m.keys {
		if x == k {
			m.keys = append(m.keys[:i], m.keys[i+1:]...)
			break
		}
	}
	return old
}

// Keys returns the keys in insertion order.
func (m *Map) Keys() []string { return m.keys }

// Len is the number of keys.
func (m *Map) Len() int { return len(m.keys) }

// Object is a value the host provides, such as API Gateway's $input and
// $util.
type Object interface {
	// Property returns $obj.name, or false if there is none.
	Property(name string) (any, bool)
	// Method calls $obj.name(args...). It returns ErrNoMethod if the
	// object has no such method.
	Method(name string, args []any) (any, error)
}

// ErrNoMethod is returned by Object.Method for a method it does not have.
var ErrNoMethod = errors.New("velocity: no such method")

// entry is one of a map's entrySet().
type entry struct {
	key string
	val any
}

// ParseJSON decodes JSON text into template values: objects become *Map
// (in document order), arrays *List, integers int64 and other numbers
// float64.
func ParseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return nil, errors.New("velocity: data after the JSON value")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("velocity: JSON nested too deeply")
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap()
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				m.Put(k.(string), v)
			}
			_, err := dec.Token()
			return m, err
		case '[':
			l := NewList()
			for dec.More() {
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("velocity: unexpected %v", t)
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, err
		}
		return f, nil
	default:
		return t, nil // string, bool, nil
	}
}

// ToJSON renders a template value as JSON. A list or map inside itself
// renders as null there.
func ToJSON(v any) string {
	var b strings.Builder
	writeJSON(&b, v, nil)
	return b.String()
}

// within reports whether the list or map v is one of open, the
// containers being rendered around it: a template can put a list into
// itself ($l.add($l)), and rendering must not follow it forever.
func within(open []any, v any) bool {
	switch v.(type) {
	case *List, *Map:
		for _, o := range open {
			if o == v {
				return true
			}
		}
	}
	return false
}

// writeJSON writes v's JSON to b. It stops early once b holds more than
// maxOutput, which no template may write: nested references to one list
// can make a value whose text doubles with every level.
func writeJSON(b *strings.Builder, v any, open []any) {
	if b.Len() > maxOutput {
		return
	}
	if within(open, v) {
		b.WriteString("null")
		return
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		q, _ := json.Marshal(v)
		b.Write(q)
	case *Map:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(k)
			b.Write(q)
			b.WriteByte(':')
			writeJSON(b, v.m[k], append(open, v))
		}
		b.WriteByte('}')
	case *List:
		b.WriteByte('[')
		for i, x := range v.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x, append(open, v))
		}
		b.WriteByte(']')
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			b.WriteString("null")
			return
		}
		if v == math.Trunc(v) && math.Abs(v) < 1e21 {
			b.WriteString(strconv.FormatFloat(v, 'f', -1, 64)) // as JSON.stringify
			return
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case int64, bool:
		fmt.Fprint(b, v)
	default:
		q, _ := json.Marshal(String(v))
		b.Write(q)
	}
}

// String renders a value as a template renders it (Java's toString). A
// list or map inside itself renders as Java renders one: (this
// Collection), (this Map).
func String(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	var b strings.Builder
	writeString(&b, v, nil)
	return b.String()
}

// writeString writes v's text to b, stopping early as writeJSON does.
func writeString(b *strings.Builder, v any, open []any) {
	if b.Len() > maxOutput {
		return
	}
	switch v := v.(type) {
	case *List:
		if within(open, v) {
			b.WriteString("(this Collection)")
			return
		}
		b.WriteByte('[')
		for i, x := range v.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeString(b, x, append(open, v))
		}
		b.WriteByte(']')
	case *Map:
		if within(open, v) {
			b.WriteString("(this Map)")
			return
		}
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeString(b, v.m[k], append(open, v))
		}
		b.WriteByte('}')
	case entry:
		b.WriteString(v.key)
		b.WriteByte('=')
		writeString(b, v.val, open)
	default:
		b.WriteString(scalarString(v))
	}
}

// scalarString is the text of a value that holds no other values.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return javaDouble(v)
	case fmt.Stringer:
		return v.String()
	}
	return ""
}

// javaDouble formats a float as Java's Double.toString does for the usual
// magnitudes: at least one digit after the point, exponent form outside
// [1e-3, 1e7).
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.5E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	return mant + "E" + sign + strings.TrimLeft(exp[1:], "0")
}

// truthy is Velocity's condition: false for null and false only.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	}
	return true
}

// number returns v as a float and whether it is a number at all.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// equal is Velocity's ==: numbers by value, values of one type by value,
// others by their string forms.
func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			return x == y
		}
	}
	switch a := a.(type) {
	case string:
		if b, ok := b.(string); ok {
			return a == b
		}
	case bool:
		if b, ok := b.(bool); ok {
			return a == b
		}
	case *List, *Map:
		if a == b {
			return true
		}
	}
	return String(a) == String(b)
}

// compare orders two numbers or two strings; ok is false otherwise.
func compare(a, b any) (int, bool) {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	}
	return 0, false
}

// arith applies + - * / % to two numbers: integers stay integers (Java's
// division truncates); a float makes a float. A + with a string on either
// side joins the two as text, as Velocity 1.7 does ("$a" + "&"). Anything
// else, or a division by zero, is null.
func arith(op string, a, b any) any {
	_, as := a.(string)
	_, bs := b.(string)
	if op == "+" && (as || bs) {
		return String(a) + String(b)
	}
	x, xi := a.(int64)
	y, yi := b.(int64)
	if xi && yi {
		switch op {
		case "+":
			return x + y
		case "-":
			return x - y
		case "*":
			return x * y
		case "/":
			if y == 0 {
				return nil
			}
			return x / y
		case "%":
			if y == 0 {
				return nil
			}
			return x % y
		}
	}
	fx, ok1 := number(a)
	fy, ok2 := number(b)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case "+":
		return fx + fy
	case "-":
		return fx - fy
	case "*":
		return fx * fy
	case "/":
		if fy == 0 {
			return nil
		}
		return fx / fy
	case "%":
		if fy == 0 {
			return nil
		}
		return math.Mod(fx, fy)
	}
	return nil
}

// toInt converts a numeric argument to an int.
func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	case string:
		i, err := strconv.Atoi(v)
		return i, err == nil
	}
	return 0, false
}
