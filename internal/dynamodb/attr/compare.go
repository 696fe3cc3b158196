package attr

import (
	"bytes"
	"strings"
)

// Compare orders two values as DynamoDB's <, <=, > and >= do: numbers
// numerically, strings by their UTF-8 bytes, binaries by unsigned bytes. ok
// is false when the values are not both of the same scalar type (S, N or B),
// in which case DynamoDB's ordering comparisons are false.
func Compare(a, b Value) (cmp int, ok bool) {
	if a.t != b.t {
		return 0, false
	}
	switch a.t {
	case TypeS:
		return strings.Compare(a.s, b.s), true
	case TypeN:
		return a.n.Cmp(b.n), true
	case TypeB:
		return bytes.Compare(a.b, b.b), true
	}
	return 0, false
}

// Equal reports whether a and b are equal as DynamoDB's = sees them: the same
// type and the same value, numbers numerically, sets regardless of member
// order, maps and lists deeply (lists in order). Two zero Values are not
// equal: a missing attribute equals nothing.
func Equal(a, b Value) bool {
	if a.t != b.t || a.t == TypeInvalid {
		return false
	}
	switch a.t {
	case TypeS, TypeN, TypeB:
		return scalarEqual(a, b)
	case TypeBOOL:
		return a.bo == b.bo
	case TypeNULL:
		return true
	case TypeL:
		if len(a.list) != len(b.list) {
			return false
		}
		for i := range a.list {
			if !Equal(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	case TypeM:
		if len(a.m) != len(b.m) {
			return false
		}
		for k, av := range a.m {
			bv, ok := b.m[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	case TypeSS, TypeNS, TypeBS:
		if len(a.list) != len(b.list) {
			return false
		}
		if len(a.list) <= 8 {
			for _, m := range a.list {
				if !SetContains(b, m) {
					return false
				}
			}
			return true
		}
		keys := make(map[string]struct{}, len(b.list))
		for _, m := range b.list {
			keys[memberKey(m)] = struct{}{}
		}
		for _, m := range a.list {
			if _, ok := keys[memberKey(m)]; !ok {
				return false
			}
		}
		return true
	}
	return false
}

// scalarEqual compares two S, N or B values of the same type.
func scalarEqual(a, b Value) bool {
	switch a.t {
	case TypeS:
		return a.s == b.s
	case TypeN:
		return a.n.Cmp(b.n) == 0
	case TypeB:
		return bytes.Equal(a.b, b.b)
	}
	return false
}
