package expr

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// KeyOp is the operator of one key condition.
type KeyOp uint8

// The key condition operators, named as the legacy ComparisonOperator.
const (
	KeyEQ KeyOp = iota + 1
	KeyLT
	KeyLE
	KeyGT
	KeyGE
	KeyBetween
	KeyBeginsWith
)

var keyOpNames = [...]string{KeyEQ: "EQ", KeyLT: "LT", KeyLE: "LE", KeyGT: "GT", KeyGE: "GE", KeyBetween: "BETWEEN", KeyBeginsWith: "BEGINS_WITH"}

func (o KeyOp) String() string {
	if int(o) < len(keyOpNames) {
		return keyOpNames[o]
	}
	return ""
}

// KeyTerm is one condition on a key attribute: Name Op Values. Values has two
// elements for KeyBetween and one otherwise. A condition written value first
// (":v < sk") is stored attribute first (sk > :v).
type KeyTerm struct {
	Name   string
	Op     KeyOp
	Values []attr.Value
}

// Match reports whether a key value satisfies the term.
func (t KeyTerm) Match(v attr.Value) bool {
	switch t.Op {
	case KeyEQ:
		return attr.Equal(v, t.Values[0])
	case KeyBeginsWith:
		p := t.Values[0]
		switch {
		case v.Type() == attr.TypeS && p.Type() == attr.TypeS:
			return strings.HasPrefix(v.S(), p.S())
		case v.Type() == attr.TypeB && p.Type() == attr.TypeB:
			return bytes.HasPrefix(v.B(), p.B())
		}
		return false
	case KeyBetween:
		lo, ok1 := attr.Compare(v, t.Values[0])
		hi, ok2 := attr.Compare(v, t.Values[1])
		return ok1 && ok2 && lo >= 0 && hi <= 0
	}
	c, ok := attr.Compare(v, t.Values[0])
	if !ok {
		return false
	}
	switch t.Op {
	case KeyLT:
		return c < 0
	case KeyLE:
		return c <= 0
	case KeyGT:
		return c > 0
	case KeyGE:
		return c >= 0
	}
	return false
}

// KeyCondition is a parsed KeyConditionExpression: one or more conditions on
// distinct top-level attributes joined by AND. It is immutable and safe for
// concurrent use.
type KeyCondition struct {
	terms []KeyTerm
	refs  Refs
}

// ParseKeyCondition parses a KeyConditionExpression. It applies the condition
// grammar and DynamoDB's rules for key conditions (only =, <, <=, >, >=,
// BETWEEN and begins_with, joined by AND, each on one top-level attribute
// compared with values); Resolve then checks it against a key schema. Errors
// are *Error values with DynamoDB's messages.
func ParseKeyCondition(expr string, names map[string]string, values map[string]attr.Value) (*KeyCondition, error) {
	root, c, err := parseChecked(KindKeyCondition, expr, names, values)
	if err != nil {
		return nil, err
	}
	k := &KeyCondition{refs: c.refs}
	if msg := k.collect(root); msg != "" {
		return nil, KindKeyCondition.errorf(msg)
	}
	return k, nil
}

// Refs returns the expression attribute names and values the key condition
// uses.
func (k *KeyCondition) Refs() Refs { return k.refs }

// Terms returns the conditions in written order.
func (k *KeyCondition) Terms() []KeyTerm { return k.terms }

const invalidKeyOperator = "Invalid operator used in KeyConditionExpression: "

// collect turns the condition tree into terms, returning DynamoDB's message
// for the first structure a key condition cannot have.
func (k *KeyCondition) collect(n any) string {
	switch n := n.(type) {
	case *condAnd:
		if msg := k.collect(n.l); msg != "" {
			return msg
		}
		return k.collect(n.r)
	case *condOr:
		return invalidKeyOperator + "OR"
	case *condNot:
		return invalidKeyOperator + "NOT"
	case *condIn:
		return invalidKeyOperator + "IN"
	case *condCompare:
		if n.op == tNe {
			return invalidKeyOperator + "<>"
		}
		return k.term(compareKeyOps[n.op], n.l, n.r)
	case *condBetween:
		if _, ok := n.x.(*opPath); !ok {
			return "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"
		}
		return k.term(KeyBetween, n.x, n.lo, n.hi)
	case *condFunc:
		switch n.f.name {
		case "begins_with":
			if _, ok := n.f.args[0].(*opPath); !ok {
				return "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"
			}
			return k.term(KeyBeginsWith, n.f.args...)
		case "size":
			return "KeyConditionExpressions cannot contain nested operations"
		}
		return invalidKeyOperator + n.f.name
	}
	return "Invalid condition in KeyConditionExpression: No key attribute specified"
}

var compareKeyOps = map[tokKind]KeyOp{tEq: KeyEQ, tLt: KeyLT, tLe: KeyLE, tGt: KeyGT, tGe: KeyGE}

// flipped is the operator that keeps a comparison's meaning when its
// operands swap sides.
var flipped = map[KeyOp]KeyOp{KeyEQ: KeyEQ, KeyLT: KeyGT, KeyLE: KeyGE, KeyGT: KeyLT, KeyGE: KeyLE}

func (k *KeyCondition) term(op KeyOp, operands ...any) string {
	name, at := "", -1
	var values []attr.Value
	for i, o := range operands {
		switch o := o.(type) {
		case *opPath:
			if at >= 0 {
				return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
			}
			if o.p.path.Nested() {
				return "KeyConditionExpressions cannot have conditions on nested attributes"
			}
			name, at = o.p.path.Top(), i
		case *opFunc:
			return "KeyConditionExpressions cannot contain nested operations"
		case *opValue:
			values = append(values, o.v)
		}
	}
	if at < 0 {
		return "Invalid condition in KeyConditionExpression: No key attribute specified"
	}
	for _, t := range k.terms {
		if t.Name == name {
			return "KeyConditionExpressions must only contain one condition per key"
		}
	}
	if at > 0 {
		op = flipped[op]
	}
	k.terms = append(k.terms, KeyTerm{Name: name, Op: op, Values: values})
	return ""
}

// KeyAttr is one key attribute of the table or index being queried, with
// its declared type.
type KeyAttr struct {
	Name string
	Type attr.Type
}

// KeySchema names the key attributes of the table or index being queried,
// in key schema order. A table or a local index has one partition key
// attribute and at most one sort key attribute; a global index may have up
// to four of each (a multi-attribute key).
type KeySchema struct {
	Hash  []KeyAttr
	Range []KeyAttr
}

// multi reports whether the schema has a multi-attribute key.
func (s KeySchema) multi() bool { return len(s.Hash) > 1 || len(s.Range) > 1 }

// KeyQuery is a key condition checked against a key schema: the partition
// key values, and the sort key conditions if there are any. The sort key
// conditions name the leading sort key attributes, left to right: all but
// the last are equalities (RangeEQ), and the last (Range) may be any key
// condition.
type KeyQuery struct {
	Hash    []attr.Value
	RangeEQ []attr.Value
	Range   *KeyTerm
}

// Resolve checks the key condition against schema and returns the query it
// describes, or DynamoDB's error: too many conditions, a key schema element
// missing, values of the wrong type, or a partition key condition other than
// equality ("Query key condition not supported"). Of a multi-attribute
// sort key, the conditions must name its attributes from the first on
// without a gap, and only the last may be other than an equality.
func (k *KeyCondition) Resolve(schema KeySchema) (*KeyQuery, error) {
	keys := len(schema.Hash) + len(schema.Range)
	if len(k.terms) > keys {
		return nil, &Error{Message: "The number of query conditions (" + strconv.Itoa(len(k.terms)) + ") exceeds the number of key attributes defined in the schema (" + strconv.Itoa(keys) + ")"}
	}
	q := &KeyQuery{}
	for _, h := range schema.Hash {
		t := k.find(h.Name)
		if t == nil {
			return nil, &Error{Message: "Query condition missed key schema element: " + h.Name}
		}
		if !valuesHaveType(t.Values, h.Type) {
			return nil, errKeyType
		}
		if t.Op != KeyEQ {
			return nil, &Error{Message: "Query key condition not supported"}
		}
		q.Hash = append(q.Hash, t.Values[0])
	}
	ranges := len(k.terms) - len(schema.Hash)
	for i, r := range schema.Range[:ranges] {
		t := k.find(r.Name)
		if t == nil {
			return nil, &Error{Message: "Query condition missed key schema element: " + r.Name}
		}
		if schema.multi() && t.Op == KeyBeginsWith && r.Type == attr.TypeN {
			return nil, &Error{Message: "Invalid KeyConditionExpression: begins_with is not supported on key attribute " + r.Name + " of type N"}
		}
		if !valuesHaveType(t.Values, r.Type) {
			return nil, errKeyType
		}
		if i < ranges-1 {
			if t.Op != KeyEQ {
				return nil, &Error{Message: "Query key condition not supported: only the last sort key condition may be other than an equality; found " + t.Op.String() + " on " + t.Name}
			}
			q.RangeEQ = append(q.RangeEQ, t.Values[0])
			continue
		}
		q.Range = t
	}
	return q, nil
}

var errKeyType = &Error{Message: "One or more parameter values were invalid: Condition parameter type does not match schema type"}

func (k *KeyCondition) find(name string) *KeyTerm {
	for i := range k.terms {
		if k.terms[i].Name == name {
			return &k.terms[i]
		}
	}
	return nil
}

func valuesHaveType(vs []attr.Value, t attr.Type) bool {
	for _, v := range vs {
		if v.Type() != t {
			return false
		}
	}
	return true
}
