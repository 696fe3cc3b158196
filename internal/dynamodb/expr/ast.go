package expr

import (
	"strconv"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// PathElem is one step of a document path: a map key (or top-level attribute
// name) or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a resolved document path such as a.b[2].c. Its first element is
// always a name.
type Path []PathElem

// String renders the path as DynamoDB does in error messages: [a, b, [2], c].
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.IsIndex {
			b.WriteString("[" + strconv.Itoa(e.Index) + "]")
		} else {
			b.WriteString(e.Name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Top returns the top-level attribute name the path starts with.
func (p Path) Top() string { return p[0].Name }

// Nested reports whether the path goes below a top-level attribute.
func (p Path) Nested() bool { return len(p) > 1 }

// Lookup returns the value at path p in item, and whether it exists.
func Lookup(item attr.Item, p Path) (attr.Value, bool) {
	if len(p) == 0 {
		return attr.Value{}, false
	}
	v, ok := item[p[0].Name]
	if !ok {
		return attr.Value{}, false
	}
	for _, e := range p[1:] {
		if e.IsIndex {
			l := v.L()
			if v.Type() != attr.TypeL || e.Index >= len(l) {
				return attr.Value{}, false
			}
			v = l[e.Index]
			continue
		}
		if v.Type() != attr.TypeM {
			return attr.Value{}, false
		}
		if v, ok = v.M()[e.Name]; !ok {
			return attr.Value{}, false
		}
	}
	return v, true
}

// Refs lists the expression attribute names and values an expression uses,
// each once, in order of first use.
type Refs struct {
	Names  []string
	Values []string
}

// pathNode is a document path as written; check resolves it into path.
type pathNode struct {
	elems []pathElemNode
	path  Path // set by check once every name is defined
}

// pathElemNode is one element as written: a bare name, a #placeholder or an
// index.
type pathElemNode struct {
	text    string // identifier or #placeholder as written
	isName  bool   // text is a #placeholder
	index   int
	isIndex bool
}

// Operands. Functions are operands until context makes a boolean function a
// condition (condFunc).
type (
	opPath  struct{ p *pathNode }
	opValue struct {
		ref string     // :placeholder
		v   attr.Value // set by check
	}
	opFunc struct {
		name string
		args []any // operands
	}
	// opArith is SET a = x + y or x - y (update expressions only).
	opArith struct {
		minus bool
		l, r  any
	}
)

// Conditions.
type (
	condAnd     struct{ l, r any }
	condOr      struct{ l, r any }
	condNot     struct{ x any }
	condCompare struct {
		op   tokKind // tEq, tNe, tLt, tLe, tGt, tGe
		l, r any
	}
	condBetween struct{ x, lo, hi any }
	condIn      struct {
		x    any
		list []any
	}
	condFunc struct{ f *opFunc } // a boolean function used as a condition
)

func isCond(n any) bool {
	switch n.(type) {
	case *condAnd, *condOr, *condNot, *condCompare, *condBetween, *condIn, *condFunc:
		return true
	}
	return false
}

var compareText = map[tokKind]string{tEq: "=", tNe: "<>", tLt: "<", tLe: "<=", tGt: ">", tGe: ">="}
