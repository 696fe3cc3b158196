package expr

import (
	"bytes"
	"strings"
	"unicode/utf16"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// Eval evaluates the condition against item. A nil item is an item that does
// not exist: every path is missing, so attribute_not_exists is true and
// comparisons are false. Comparisons between values of different types are
// false, never errors, as in DynamoDB; the error result is reserved for
// failures DynamoDB reports at evaluation time and is nil today.
func (c *Condition) Eval(item attr.Item) (bool, error) {
	return evalCond(c.root, item), nil
}

func evalCond(n any, item attr.Item) bool {
	switch n := n.(type) {
	case *condAnd:
		return evalCond(n.l, item) && evalCond(n.r, item)
	case *condOr:
		return evalCond(n.l, item) || evalCond(n.r, item)
	case *condNot:
		return !evalCond(n.x, item)
	case *condCompare:
		l, lok := operandValue(n.l, item)
		r, rok := operandValue(n.r, item)
		return compareValues(n.op, l, lok, r, rok)
	case *condBetween:
		x, ok := operandValue(n.x, item)
		lo, okLo := operandValue(n.lo, item)
		hi, okHi := operandValue(n.hi, item)
		if !ok || !okLo || !okHi {
			return false
		}
		c1, ok1 := attr.Compare(x, lo)
		c2, ok2 := attr.Compare(x, hi)
		return ok1 && ok2 && c1 >= 0 && c2 <= 0
	case *condIn:
		x, ok := operandValue(n.x, item)
		if !ok {
			return false
		}
		for _, o := range n.list {
			if v, ok := operandValue(o, item); ok && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case *condFunc:
		return evalFunc(n.f, item)
	}
	return false
}

// compareValues applies a comparator. A missing operand equals nothing, so
// "=" is false and "<>" true; ordering needs two values of one scalar type.
func compareValues(op tokKind, l attr.Value, lok bool, r attr.Value, rok bool) bool {
	switch op {
	case tEq:
		return lok && rok && attr.Equal(l, r)
	case tNe:
		return !(lok && rok && attr.Equal(l, r))
	}
	if !lok || !rok {
		return false
	}
	cmp, ok := attr.Compare(l, r)
	if !ok {
		return false
	}
	switch op {
	case tLt:
		return cmp < 0
	case tLe:
		return cmp <= 0
	case tGt:
		return cmp > 0
	case tGe:
		return cmp >= 0
	}
	return false
}

// operandValue resolves an operand against item.
func operandValue(op any, item attr.Item) (attr.Value, bool) {
	switch op := op.(type) {
	case *opPath:
		return Lookup(item, op.p.path)
	case *opValue:
		return op.v, true
	case *opFunc:
		if op.name == "size" {
			v, ok := operandValue(op.args[0], item)
			if !ok {
				return attr.Value{}, false
			}
			return valueSize(v)
		}
	}
	return attr.Value{}, false
}

// valueSize is the size() function: a string's length in UTF-16 code units
// (as DynamoDB counts it), a binary's bytes, the elements of a set, list or
// map. Numbers, booleans and nulls have no size.
func valueSize(v attr.Value) (attr.Value, bool) {
	switch v.Type() {
	case attr.TypeS:
		return attr.NInt(int64(utf16Len(v.S()))), true
	case attr.TypeB:
		return attr.NInt(int64(len(v.B()))), true
	case attr.TypeSS, attr.TypeNS, attr.TypeBS, attr.TypeL, attr.TypeM:
		return attr.NInt(int64(v.Len())), true
	}
	return attr.Value{}, false
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}

func evalFunc(f *opFunc, item attr.Item) bool {
	switch f.name {
	case "attribute_exists":
		_, ok := operandValue(f.args[0], item)
		return ok
	case "attribute_not_exists":
		_, ok := operandValue(f.args[0], item)
		return !ok
	case "attribute_type":
		v, ok := operandValue(f.args[0], item)
		t, tok := operandValue(f.args[1], item)
		return ok && tok && v.Type().String() == t.S()
	case "begins_with":
		v, ok := operandValue(f.args[0], item)
		prefix, pok := operandValue(f.args[1], item)
		if !ok || !pok || v.Type() != prefix.Type() {
			return false
		}
		switch v.Type() {
		case attr.TypeS:
			return strings.HasPrefix(v.S(), prefix.S())
		case attr.TypeB:
			return bytes.HasPrefix(v.B(), prefix.B())
		}
		return false
	case "contains":
		v, ok := operandValue(f.args[0], item)
		x, xok := operandValue(f.args[1], item)
		if !ok || !xok {
			return false
		}
		switch v.Type() {
		case attr.TypeS:
			return x.Type() == attr.TypeS && strings.Contains(v.S(), x.S())
		case attr.TypeB:
			return x.Type() == attr.TypeB && bytes.Contains(v.B(), x.B())
		case attr.TypeSS, attr.TypeNS, attr.TypeBS:
			return attr.SetContains(v, x)
		case attr.TypeL:
			for _, e := range v.L() {
				if attr.Equal(e, x) {
					return true
				}
			}
		}
		return false
	}
	return false
}
