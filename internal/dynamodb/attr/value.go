package attr

// Type is one of DynamoDB's ten attribute types. The zero Type is invalid and
// marks a zero Value, which stands for "no value".
type Type uint8

// The attribute types, named as on the wire.
const (
	TypeInvalid Type = iota
	TypeS
	TypeN
	TypeB
	TypeSS
	TypeNS
	TypeBS
	TypeM
	TypeL
	TypeNULL
	TypeBOOL
)

var typeNames = [...]string{
	TypeInvalid: "",
	TypeS:       "S",
	TypeN:       "N",
	TypeB:       "B",
	TypeSS:      "SS",
	TypeNS:      "NS",
	TypeBS:      "BS",
	TypeM:       "M",
	TypeL:       "L",
	TypeNULL:    "NULL",
	TypeBOOL:    "BOOL",
}

// String returns the wire name of t ("S", "NS", "BOOL", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return ""
}

// LongName returns the name DynamoDB uses for t in update-expression operand
// errors ("STRING", "NUMBER", "BINARY", "BOOLEAN", "NULL", "LIST", "MAP").
func (t Type) LongName() string {
	switch t {
	case TypeS:
		return "STRING"
	case TypeN:
		return "NUMBER"
	case TypeB:
		return "BINARY"
	case TypeBOOL:
		return "BOOLEAN"
	case TypeNULL:
		return "NULL"
	case TypeL:
		return "LIST"
	case TypeM:
		return "MAP"
	case TypeSS:
		return "STRING_SET"
	case TypeNS:
		return "NUMBER_SET"
	case TypeBS:
		return "BINARY_SET"
	}
	return ""
}

// ParseType returns the Type named name (a wire name such as "SS").
func ParseType(name string) (Type, bool) {
	for t, n := range typeNames {
		if n != "" && n == name {
			return Type(t), true
		}
	}
	return TypeInvalid, false
}

// IsSet reports whether t is SS, NS or BS.
func (t Type) IsSet() bool { return t == TypeSS || t == TypeNS || t == TypeBS }

// IsScalar reports whether t is S, N or B, the types keys may have and the
// only types with an order.
func (t Type) IsScalar() bool { return t == TypeS || t == TypeN || t == TypeB }

// MemberType returns the type of the members of a set type (S for SS, ...),
// and TypeInvalid for other types.
func (t Type) MemberType() Type {
	switch t {
	case TypeSS:
		return TypeS
	case TypeNS:
		return TypeN
	case TypeBS:
		return TypeB
	}
	return TypeInvalid
}

// SetType returns the set type whose members have type t (SS for S, ...), and
// TypeInvalid for other types.
func (t Type) SetType() Type {
	switch t {
	case TypeS:
		return TypeSS
	case TypeN:
		return TypeNS
	case TypeB:
		return TypeBS
	}
	return TypeInvalid
}

// Value is one attribute value. Build it with the constructors (S, N, B, SS,
// NS, BS, M, L, Null, Bool); the zero Value has TypeInvalid and means "no
// value". A Value is immutable: constructors keep the slices and maps they
// are given, and accessors return them without copying, so neither side may
// modify them afterwards.
type Value struct {
	t    Type
	bo   bool
	s    string           // S
	b    []byte           // B
	n    Number           // N
	list []Value          // L, and the members of SS, NS and BS in insertion order
	m    map[string]Value // M
}

// Item is a DynamoDB item: attribute names to values.
type Item map[string]Value

// S returns a string value.
func S(s string) Value { return Value{t: TypeS, s: s} }

// N returns a number value.
func N(n Number) Value { return Value{t: TypeN, n: n} }

// NInt returns the number value equal to i.
func NInt(i int64) Value { return N(NumberFromInt(i)) }

// MustN returns the number value written s, and panics if s is not a valid
// DynamoDB number. It is meant for constants and tests.
func MustN(s string) Value { return N(MustParseNumber(s)) }

// B returns a binary value holding b (not copied).
func B(b []byte) Value { return Value{t: TypeB, b: b} }

// Bool returns a BOOL value.
func Bool(b bool) Value { return Value{t: TypeBOOL, bo: b} }

// Null returns the NULL value.
func Null() Value { return Value{t: TypeNULL, bo: true} }

// L returns a list value holding vs (not copied).
func L(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{t: TypeL, list: vs}
}

// M returns a map value holding m (not copied).
func M(m map[string]Value) Value {
	if m == nil {
		m = map[string]Value{}
	}
	return Value{t: TypeM, m: m}
}

// SS returns a string set with members ss in this order.
func SS(ss ...string) Value {
	members := make([]Value, len(ss))
	for i, s := range ss {
		members[i] = S(s)
	}
	return Value{t: TypeSS, list: members}
}

// NS returns a number set with members ns in this order.
func NS(ns ...Number) Value {
	members := make([]Value, len(ns))
	for i, n := range ns {
		members[i] = N(n)
	}
	return Value{t: TypeNS, list: members}
}

// BS returns a binary set with members bs in this order.
func BS(bs ...[]byte) Value {
	members := make([]Value, len(bs))
	for i, b := range bs {
		members[i] = B(b)
	}
	return Value{t: TypeBS, list: members}
}

// Set returns a set of type t (SS, NS or BS) holding members, which must all
// have t's member type; it returns the zero Value otherwise. members is kept,
// not copied.
func Set(t Type, members []Value) Value {
	mt := t.MemberType()
	if mt == TypeInvalid {
		return Value{}
	}
	for _, m := range members {
		if m.t != mt {
			return Value{}
		}
	}
	return Value{t: t, list: members}
}

// Type returns the type of v; TypeInvalid for the zero Value.
func (v Value) Type() Type { return v.t }

// IsValid reports whether v holds a value (is not the zero Value).
func (v Value) IsValid() bool { return v.t != TypeInvalid }

// S returns the string of an S value ("" for other types).
func (v Value) S() string { return v.s }

// N returns the number of an N value (zero for other types).
func (v Value) N() Number { return v.n }

// B returns the bytes of a B value (nil for other types). They must not be
// modified.
func (v Value) B() []byte { return v.b }

// Bool returns the boolean of a BOOL value (false for other types).
func (v Value) Bool() bool { return v.t == TypeBOOL && v.bo }

// L returns the elements of an L value (nil for other types). They must not
// be modified.
func (v Value) L() []Value {
	if v.t != TypeL {
		return nil
	}
	return v.list
}

// M returns the entries of an M value (nil for other types). They must not be
// modified.
func (v Value) M() map[string]Value { return v.m }

// Members returns the members of a set value in insertion order (nil for
// other types). They must not be modified.
func (v Value) Members() []Value {
	if !v.t.IsSet() {
		return nil
	}
	return v.list
}

// Strings returns the members of an SS value.
func (v Value) Strings() []string {
	if v.t != TypeSS {
		return nil
	}
	out := make([]string, len(v.list))
	for i, m := range v.list {
		out[i] = m.s
	}
	return out
}

// Numbers returns the members of an NS value.
func (v Value) Numbers() []Number {
	if v.t != TypeNS {
		return nil
	}
	out := make([]Number, len(v.list))
	for i, m := range v.list {
		out[i] = m.n
	}
	return out
}

// Binaries returns the members of a BS value. They must not be modified.
func (v Value) Binaries() [][]byte {
	if v.t != TypeBS {
		return nil
	}
	out := make([][]byte, len(v.list))
	for i, m := range v.list {
		out[i] = m.b
	}
	return out
}

// Len returns the number of elements of a list, map or set, and 0 otherwise.
func (v Value) Len() int {
	switch v.t {
	case TypeL, TypeSS, TypeNS, TypeBS:
		return len(v.list)
	case TypeM:
		return len(v.m)
	}
	return 0
}

// Clone returns a deep copy of v: lists, maps and byte slices are copied, so
// the copy may be changed through new constructors without touching v.
func (v Value) Clone() Value {
	switch v.t {
	case TypeB:
		if v.b != nil {
			v.b = append([]byte{}, v.b...)
		}
	case TypeL, TypeSS, TypeNS, TypeBS:
		list := make([]Value, len(v.list))
		for i, e := range v.list {
			list[i] = e.Clone()
		}
		v.list = list
	case TypeM:
		m := make(map[string]Value, len(v.m))
		for k, e := range v.m {
			m[k] = e.Clone()
		}
		v.m = m
	}
	return v
}

// Clone returns a deep copy of the item; a nil item clones to nil.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = v.Clone()
	}
	return out
}

// memberKey returns a string identifying a scalar value within its type: the
// string, the bytes, or the canonical number text.
func memberKey(v Value) string {
	switch v.t {
	case TypeS:
		return v.s
	case TypeB:
		return string(v.b)
	case TypeN:
		return v.n.String()
	}
	return ""
}

// SetUnion returns the members of a followed by the members of b that a does
// not contain. a and b must be sets of the same type.
func SetUnion(a, b Value) Value {
	seen := make(map[string]struct{}, len(a.list)+len(b.list))
	members := make([]Value, 0, len(a.list)+len(b.list))
	for _, m := range a.list {
		seen[memberKey(m)] = struct{}{}
		members = append(members, m)
	}
	for _, m := range b.list {
		k := memberKey(m)
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		members = append(members, m)
	}
	return Value{t: a.t, list: members}
}

// SetDifference returns the members of a that b does not contain, in a's
// order; the result may be empty. a and b must be sets of the same type.
func SetDifference(a, b Value) Value {
	drop := make(map[string]struct{}, len(b.list))
	for _, m := range b.list {
		drop[memberKey(m)] = struct{}{}
	}
	members := make([]Value, 0, len(a.list))
	for _, m := range a.list {
		if _, ok := drop[memberKey(m)]; !ok {
			members = append(members, m)
		}
	}
	return Value{t: a.t, list: members}
}

// SetContains reports whether set s has a member equal to m.
func SetContains(s, m Value) bool {
	if s.t.MemberType() != m.t || m.t == TypeInvalid {
		return false
	}
	for _, e := range s.list {
		if scalarEqual(e, m) {
			return true
		}
	}
	return false
}
