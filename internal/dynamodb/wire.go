package dynamodb

import (
	"github.com/virga/virga/internal/dynamodb/attr"
)

// Conversions between the wire's AttributeValue and the domain's
// attr.Value. Decoding checks what the JSON shape cannot: exactly one type
// per value, numbers, sets, nesting.

// fromWire converts one wire value.
func fromWire(av *AttributeValue) (attr.Value, error) {
	return fromWireDepth(av, 1)
}

func fromWireDepth(av *AttributeValue, depth int) (attr.Value, error) {
	if depth > attr.MaxDepth {
		return attr.Value{}, attr.ErrNestingDepth
	}
	n := 0
	var v attr.Value
	if av.S != nil {
		n++
		v = attr.S(*av.S)
	}
	if av.N != nil {
		n++
		num, err := attr.ParseNumber(*av.N)
		if err != nil {
			return attr.Value{}, err
		}
		v = attr.N(num)
	}
	if av.B != nil {
		n++
		v = attr.B(av.B)
	}
	if av.SS != nil {
		n++
		v = attr.SS(av.SS...)
	}
	if av.NS != nil {
		n++
		nums := make([]attr.Number, len(av.NS))
		for i, s := range av.NS {
			num, err := attr.ParseNumber(s)
			if err != nil {
				return attr.Value{}, err
			}
			nums[i] = num
		}
		v = attr.NS(nums...)
	}
	if av.BS != nil {
		n++
		v = attr.BS(av.BS...)
	}
	if av.M != nil {
		n++
		m := make(map[string]attr.Value, len(av.M))
		for k, e := range av.M {
			if err := attr.CheckName(k); err != nil {
				return attr.Value{}, err
			}
			ev, err := fromWireDepth(&e, depth+1)
			if err != nil {
				return attr.Value{}, err
			}
			m[k] = ev
		}
		v = attr.M(m)
	}
	if av.L != nil {
		n++
		l := make([]attr.Value, len(av.L))
		for i := range av.L {
			ev, err := fromWireDepth(&av.L[i], depth+1)
			if err != nil {
				return attr.Value{}, err
			}
			l[i] = ev
		}
		v = attr.L(l...)
	}
	if av.NULL != nil {
		n++
		if !*av.NULL {
			return attr.Value{}, badRequest("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
		v = attr.Null()
	}
	if av.BOOL != nil {
		n++
		v = attr.Bool(*av.BOOL)
	}
	switch {
	case n == 0:
		return attr.Value{}, badRequest("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	case n > 1:
		return attr.Value{}, badRequest("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	if v.Type().IsSet() {
		if err := attr.Validate(v); err != nil {
			return attr.Value{}, err
		}
	}
	return v, nil
}

// itemFromWire converts a wire item (or key, or values map).
func itemFromWire(m map[string]AttributeValue) (attr.Item, error) {
	if m == nil {
		return nil, nil
	}
	it := make(attr.Item, len(m))
	for k, av := range m {
		if err := attr.CheckName(k); err != nil {
			return nil, err
		}
		v, err := fromWire(&av)
		if err != nil {
			return nil, err
		}
		it[k] = v
	}
	return it, nil
}

// toWire converts a domain value for a response.
func toWire(v attr.Value) AttributeValue {
	var av AttributeValue
	switch v.Type() {
	case attr.TypeS:
		s := v.S()
		av.S = &s
	case attr.TypeN:
		s := v.N().String()
		av.N = &s
	case attr.TypeB:
		av.B = v.B()
		if av.B == nil {
			av.B = []byte{}
		}
	case attr.TypeSS:
		av.SS = v.Strings()
	case attr.TypeNS:
		nums := v.Numbers()
		av.NS = make([]string, len(nums))
		for i, n := range nums {
			av.NS[i] = n.String()
		}
	case attr.TypeBS:
		av.BS = v.Binaries()
	case attr.TypeM:
		av.M = make(map[string]AttributeValue, len(v.M()))
		for k, e := range v.M() {
			av.M[k] = toWire(e)
		}
	case attr.TypeL:
		av.L = make([]AttributeValue, len(v.L()))
		for i, e := range v.L() {
			av.L[i] = toWire(e)
		}
	case attr.TypeNULL:
		t := true
		av.NULL = &t
	case attr.TypeBOOL:
		b := v.Bool()
		av.BOOL = &b
	}
	return av
}

// itemToWire converts a domain item for a response; nil stays nil.
func itemToWire(it attr.Item) map[string]AttributeValue {
	if it == nil {
		return nil
	}
	m := make(map[string]AttributeValue, len(it))
	for k, v := range it {
		m[k] = toWire(v)
	}
	return m
}
