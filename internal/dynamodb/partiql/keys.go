package partiql

// Keys is what a WHERE clause says about a table's (or an index's) key
// attributes.
type Keys struct {
	// Equal holds, for each key attribute, the values it is compared
	// equal to in the clause's top-level AND terms (key = value or value =
	// key), in written order.
	Equal map[string][]Expr
	// Rest is the clause without those equalities (nil when nothing is
	// left): the condition a write must also satisfy.
	Rest Expr
	// Partitions are the partition key values a read is limited to: one
	// from hash = v, several from hash IN [...] or from an OR of hash = v
	// terms. Nil when the read is not limited to some partitions.
	Partitions []Expr
	// Range is the first condition on the sort key usable to narrow a
	// partition (=, <, <=, >, >=, BETWEEN, begins_with), when Partitions is
	// set.
	Range *RangeCond
}

// RangeCond is a sort key condition: Name Op Values, with Op one of = < <=
// > >= BETWEEN BEGINS_WITH and the sort key written first.
type RangeCond struct {
	Name   string
	Op     string
	Values []Expr
}

// KeysOf analyses a WHERE clause for a key schema (hash and range names;
// rng empty for a hash-only schema). where may be nil.
func KeysOf(where Expr, hash, rng string) *Keys {
	k := &Keys{Equal: map[string][]Expr{}}
	if where == nil {
		return k
	}
	names := map[string]bool{hash: true}
	if rng != "" {
		names[rng] = true
	}
	k.Rest = k.split(where, names)
	terms := conjuncts(where)
	for _, t := range terms {
		if vs := partitionsOf(t, hash); vs != nil {
			k.Partitions = vs
			break
		}
	}
	if k.Partitions == nil || rng == "" {
		return k
	}
	for _, t := range terms {
		if rc := rangeCondOf(t, rng); rc != nil {
			k.Range = rc
			break
		}
	}
	return k
}

// split removes key equalities from the AND terms of e, recording them.
func (k *Keys) split(e Expr, names map[string]bool) Expr {
	if b, ok := e.(*Binary); ok && b.Op == "AND" {
		l := k.split(b.L, names)
		r := k.split(b.R, names)
		switch {
		case l == nil:
			return r
		case r == nil:
			return l
		}
		return &Binary{Op: "AND", Text: b.Text, L: l, R: r, Pos: b.Pos}
	}
	if name, v, ok := keyEquality(e, names); ok {
		k.Equal[name] = append(k.Equal[name], v)
		return nil
	}
	return e
}

// keyEquality matches name = constant or constant = name for one of names.
func keyEquality(e Expr, names map[string]bool) (string, Expr, bool) {
	b, ok := e.(*Binary)
	if !ok || b.Op != "=" {
		return "", nil, false
	}
	for _, side := range [][2]Expr{{b.L, b.R}, {b.R, b.L}} {
		if n, ok := topName(side[0]); ok && names[n] && IsConstant(side[1]) {
			return n, side[1], true
		}
	}
	return "", nil, false
}

// topName returns the attribute a one-element path names.
func topName(e Expr) (string, bool) {
	p, ok := e.(*Path)
	if !ok || len(p.Elems) != 1 {
		return "", false
	}
	return p.Elems[0].Name, true
}

// conjuncts flattens the top-level AND terms of e.
func conjuncts(e Expr) []Expr {
	if b, ok := e.(*Binary); ok && b.Op == "AND" {
		return append(conjuncts(b.L), conjuncts(b.R)...)
	}
	return []Expr{e}
}

// partitionsOf returns the partition key values one AND term limits a read
// to: hash = v, hash IN [v, ...], or an OR of such terms.
func partitionsOf(e Expr, hash string) []Expr {
	names := map[string]bool{hash: true}
	switch e := e.(type) {
	case *Binary:
		if e.Op == "OR" {
			l := partitionsOf(e.L, hash)
			r := partitionsOf(e.R, hash)
			if l == nil || r == nil {
				return nil
			}
			return append(append([]Expr(nil), l...), r...)
		}
		if _, v, ok := keyEquality(e, names); ok {
			return []Expr{v}
		}
	case *In:
		if n, ok := topName(e.X); !ok || n != hash {
			return nil
		}
		if e.List == nil {
			return []Expr{e.Seq} // a parameter holding the list
		}
		for _, v := range e.List {
			if !IsConstant(v) {
				return nil
			}
		}
		return e.List
	}
	return nil
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// rangeCondOf matches a sort key condition a query can use.
func rangeCondOf(e Expr, rng string) *RangeCond {
	switch e := e.(type) {
	case *Binary:
		op, ok := flipped[e.Op]
		if !ok {
			return nil
		}
		if n, ok := topName(e.L); ok && n == rng && IsConstant(e.R) {
			return &RangeCond{Name: rng, Op: e.Op, Values: []Expr{e.R}}
		}
		if n, ok := topName(e.R); ok && n == rng && IsConstant(e.L) {
			return &RangeCond{Name: rng, Op: op, Values: []Expr{e.L}}
		}
	case *Between:
		if n, ok := topName(e.X); ok && n == rng && IsConstant(e.Lo) && IsConstant(e.Hi) {
			return &RangeCond{Name: rng, Op: "BETWEEN", Values: []Expr{e.Lo, e.Hi}}
		}
	case *Call:
		if e.Name == "begins_with" && len(e.Args) == 2 {
			if n, ok := topName(e.Args[0]); ok && n == rng && IsConstant(e.Args[1]) {
				return &RangeCond{Name: rng, Op: "BEGINS_WITH", Values: []Expr{e.Args[1]}}
			}
		}
	}
	return nil
}

// Paths lists every document path an expression reads, in written order.
func Paths(e Expr) []*Path {
	var out []*Path
	var walk func(Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case *Path:
			out = append(out, e)
		case *Binary:
			walk(e.L)
			walk(e.R)
		case *Not:
			walk(e.X)
		case *Between:
			walk(e.X)
			walk(e.Lo)
			walk(e.Hi)
		case *In:
			walk(e.X)
			for _, v := range e.List {
				walk(v)
			}
		case *Is:
			walk(e.X)
		case *Call:
			for _, a := range e.Args {
				walk(a)
			}
		}
	}
	if e != nil {
		walk(e)
	}
	return out
}
