package partiql

import (
	"errors"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// CheckParams applies DynamoDB's rule that a request carries exactly one
// parameter per ? of its statement.
func CheckParams(st Statement, params []attr.Value) error {
	if st.Params() != len(params) {
		return errorf(msgParameterCount)
	}
	return nil
}

// Value evaluates a constant: a literal, a parameter, or a tuple, list or
// set of constants. params are the request's parameters in order. Errors
// name where in the value they are, from "root" (root.a, root[1]), as
// DynamoDB does.
func Value(e Expr, params []attr.Value) (attr.Value, error) {
	return value(e, params, "root")
}

// Item evaluates an INSERT's item. DynamoDB names a value's place from the
// attribute down: a bad number in {'n': 1e126} is "under root", in
// {'m': {'x': 1e126}} "under root.x".
func Item(e Expr, params []attr.Value) (attr.Value, error) {
	if t, ok := e.(*Tuple); ok {
		return tuple(t, params, "root", true)
	}
	return value(e, params, "root")
}

// IsConstant reports whether e is a value rather than a path or a condition.
func IsConstant(e Expr) bool {
	switch e := e.(type) {
	case *Literal:
		return e.Kind != LitMissing
	case *Param, *Tuple, *List, *Bag:
		return true
	}
	return false
}

func value(e Expr, params []attr.Value, where string) (attr.Value, error) {
	switch e := e.(type) {
	case *Literal:
		switch e.Kind {
		case LitString:
			return attr.S(e.Text), nil
		case LitNumber:
			return numberLiteral(e.Text, where)
		case LitTrue:
			return attr.Bool(true), nil
		case LitFalse:
			return attr.Bool(false), nil
		case LitNull:
			return attr.Null(), nil
		}
		return attr.Value{}, errorf("Unsupported data type: MISSING under key %s", where)
	case *Param:
		if e.Index >= len(params) {
			return attr.Value{}, errorf(msgParameterCount)
		}
		return params[e.Index], nil
	case *Tuple:
		return tuple(e, params, where, false)
	case *List:
		l := make([]attr.Value, len(e.Elems))
		for i, el := range e.Elems {
			v, err := value(el, params, where+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return attr.Value{}, err
			}
			l[i] = v
		}
		return attr.L(l...), nil
	case *Bag:
		return bag(e, params, where)
	case *Call:
		return attr.Value{}, at(e.Pos, "Unsupported data type: %s under key %s", e.Name, where)
	}
	return attr.Value{}, errorf("Unsupported data type: %s under key %s", exprKind(e), where)
}

// tuple evaluates {key: value, ...}; top is set for an INSERT's item,
// whose attribute names are left out of places.
func tuple(e *Tuple, params []attr.Value, where string, top bool) (attr.Value, error) {
	m := make(map[string]attr.Value, len(e.Fields))
	for _, f := range e.Fields {
		k, err := value(f.Key, params, where)
		if err != nil {
			return attr.Value{}, err
		}
		if k.Type() != attr.TypeS {
			return attr.Value{}, errorf("Tuple keys must be of type String. Actual type: %s under %s", typeName(k), where)
		}
		if _, dup := m[k.S()]; dup {
			return attr.Value{}, errorf("Duplicate keys in tuple. Key: %s under %s", k.S(), where)
		}
		place := where + "." + k.S()
		if top {
			place = where
		}
		v, err := value(f.Value, params, place)
		if err != nil {
			return attr.Value{}, err
		}
		m[k.S()] = v
	}
	return attr.M(m), nil
}

// bag evaluates a set literal: non-empty, of strings or of numbers (or of
// binaries from parameters), without repeats.
func bag(e *Bag, params []attr.Value, where string) (attr.Value, error) {
	if len(e.Elems) == 0 {
		return attr.Value{}, errorf(msgEmptyBag)
	}
	members := make([]attr.Value, len(e.Elems))
	for i, el := range e.Elems {
		v, err := value(el, params, where)
		if err != nil {
			return attr.Value{}, err
		}
		if !v.Type().IsScalar() || i > 0 && v.Type() != members[0].Type() {
			return attr.Value{}, errorf(msgBagType)
		}
		members[i] = v
	}
	set := attr.Set(members[0].Type().SetType(), members)
	if err := attr.Validate(set); err != nil {
		if errors.Is(err, attr.ErrNumberSetDup) || strings.Contains(err.Error(), "contains duplicates") {
			texts := make([]string, len(members))
			for i, m := range members {
				texts[i] = memberText(m)
			}
			return attr.Value{}, errorf("One or more parameter values were invalid: Input collection [%s] contains duplicates.", strings.Join(texts, ", "))
		}
		return attr.Value{}, err
	}
	return set, nil
}

func memberText(v attr.Value) string {
	switch v.Type() {
	case attr.TypeS:
		return v.S()
	case attr.TypeN:
		return v.N().String()
	}
	return string(v.B())
}

// numberLiteral reads a number written in a statement. An exponent, or a
// scale (digits after the point less the exponent), beyond a 32-bit integer
// cannot be converted at all and is a syntax error without detail; a number
// outside DynamoDB's range is refused with the path of the value.
func numberLiteral(text, where string) (attr.Value, error) {
	digits := strings.TrimLeft(text, "+-")
	mant, exp, hasExp := strings.Cut(strings.ToLower(digits), "e")
	var e int64
	if hasExp {
		var err error
		if e, err = strconv.ParseInt(exp, 10, 32); err != nil {
			return attr.Value{}, notWellFormed("")
		}
	}
	frac := 0
	if _, f, ok := strings.Cut(mant, "."); ok {
		frac = len(f)
	}
	if scale := int64(frac) - e; scale > 1<<31-1 || scale < -(1<<31) {
		return attr.Value{}, notWellFormed("")
	}
	n, err := attr.ParseNumber(text)
	if err != nil {
		var ae *attr.Error
		if errors.As(err, &ae) && (ae == attr.ErrNumberOverflow || ae == attr.ErrNumberUnderflow || ae == attr.ErrNumberPrecision) {
			return attr.Value{}, errorf("%s under %s", ae.Message, where)
		}
		return attr.Value{}, notWellFormed("")
	}
	return attr.N(n), nil
}

// typeName is a value's type as DynamoDB names it in tuple messages.
func typeName(v attr.Value) string {
	switch v.Type() {
	case attr.TypeN:
		return "DECIMAL"
	case attr.TypeBOOL:
		return "BOOL"
	case attr.TypeNULL:
		return "NULL"
	case attr.TypeL:
		return "LIST"
	case attr.TypeM:
		return "STRUCT"
	case attr.TypeSS, attr.TypeNS, attr.TypeBS:
		return "BAG"
	case attr.TypeB:
		return "BLOB"
	}
	return "STRING"
}

// exprKind names an expression that is not a value, for messages.
func exprKind(e Expr) string {
	switch e := e.(type) {
	case *Path:
		return "PATH"
	case *Binary:
		return e.Op
	case *Not:
		return "NOT"
	case *Between:
		return "BETWEEN"
	case *In:
		return "IN"
	case *Is:
		return "IS"
	case *Literal:
		return "MISSING"
	}
	return "EXPRESSION"
}
