package expr

import (
	"cmp"
	"slices"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// Update is a parsed UpdateExpression. It is immutable and safe for
// concurrent use.
type Update struct {
	actions []updateAction
	refs    Refs
	// legacy marks an update built from AttributeUpdates, whose type
	// errors DynamoDB words as ErrTypeMismatch.
	legacy bool
}

// ParseUpdate parses an UpdateExpression (SET, REMOVE, ADD and DELETE
// clauses). names and values are the request's ExpressionAttributeNames and
// ExpressionAttributeValues; either may be nil. Errors are *Error values with
// DynamoDB's "Invalid UpdateExpression: ..." messages.
func ParseUpdate(expr string, names map[string]string, values map[string]attr.Value) (*Update, error) {
	if err := KindUpdate.checkLength(expr); err != nil {
		return nil, err
	}
	if err := checkNames(names); err != nil {
		return nil, err
	}
	actions, clauses, p, err := parseUpdateTree(expr)
	if err != nil {
		return nil, KindUpdate.errorf(err.Error())
	}
	c := newChecker(KindUpdate, names, values)
	if err := c.update(actions, clauses, p); err != nil {
		return nil, err
	}
	return &Update{actions: actions, refs: c.refs}, nil
}

// Legacy returns a copy of u that reports a type error as the legacy
// AttributeUpdates parameter does (ErrTypeMismatch), for an update the
// service built from that parameter.
func (u *Update) Legacy() *Update {
	c := *u
	c.legacy = true
	return &c
}

// Refs returns the expression attribute names and values the update uses.
func (u *Update) Refs() Refs { return u.refs }

// Paths returns the document paths the update writes or removes, in written
// order. The service uses them to refuse updates of key attributes and to
// compute UPDATED_OLD and UPDATED_NEW with ProjectPaths.
func (u *Update) Paths() []Path {
	out := make([]Path, len(u.actions))
	for i, a := range u.actions {
		out[i] = a.path.path
	}
	return out
}

// Clauses returns the clause (SET, REMOVE, ADD or DELETE) of each path
// Paths returns, in the same order.
func (u *Update) Clauses() []string {
	out := make([]string, len(u.actions))
	for i, a := range u.actions {
		out[i] = a.clause
	}
	return out
}

// OnlyRemoves reports whether every action of the update takes something
// away (REMOVE, or DELETE from a set). DynamoDB does not create a missing
// item for such an update: there is nothing to remove from it.
func (u *Update) OnlyRemoves() bool {
	for _, a := range u.actions {
		if a.clause != "REMOVE" && a.clause != "DELETE" {
			return false
		}
	}
	return len(u.actions) > 0
}

// ReadPaths returns the document paths the update's SET values read.
func (u *Update) ReadPaths() []Path {
	var out []Path
	for _, a := range u.actions {
		if a.clause == "SET" {
			out = append(out, collectPaths(a.value)...)
		}
	}
	return out
}

// write is one change Apply makes: a new value at path, or a removal.
type write struct {
	path   Path
	value  attr.Value
	remove bool
}

// Apply applies the update to item and returns the new item and the paths it
// updated (Paths). item is the stored item, or nil when there is none; the
// caller adds the key attributes to the result of a new item. item is not
// modified.
//
// As in DynamoDB, every SET value is computed from the item as it was before
// the update; list indexes refer to the original list, a SET or ADD at an
// index past the end appends (several such appends go in index order), and a
// DELETE that empties a set removes the attribute. Errors are
// ErrMissingAttribute, ErrIncorrectOperandType (ErrTypeMismatch for a
// Legacy update), ErrInvalidDocumentPath, or a number overflow from
// arithmetic.
func (u *Update) Apply(item attr.Item) (attr.Item, []Path, error) {
	n, paths, err := u.apply(item)
	if err == ErrIncorrectOperandType && u.legacy {
		err = ErrTypeMismatch
	}
	return n, paths, err
}

func (u *Update) apply(item attr.Item) (attr.Item, []Path, error) {
	values := make([]attr.Value, len(u.actions))
	for i, a := range u.actions {
		if a.clause != "SET" {
			continue
		}
		v, err := setValue(a.value, item)
		if err != nil {
			return nil, nil, err
		}
		values[i] = v
	}
	writes := make([]write, 0, len(u.actions))
	for i, a := range u.actions {
		p := a.path.path
		if !parentExists(item, p) {
			return nil, nil, ErrInvalidDocumentPath
		}
		switch a.clause {
		case "SET":
			writes = append(writes, write{path: p, value: values[i]})
		case "REMOVE":
			writes = append(writes, write{path: p, remove: true})
		case "ADD":
			operand := a.value.(*opValue).v
			old, found := Lookup(item, p)
			if !found {
				writes = append(writes, write{path: p, value: operand})
				break
			}
			if old.Type() != operand.Type() {
				return nil, nil, ErrIncorrectOperandType
			}
			if old.Type() == attr.TypeN {
				sum, err := old.N().Add(operand.N())
				if err != nil {
					return nil, nil, fromAttr(err)
				}
				writes = append(writes, write{path: p, value: attr.N(sum)})
				break
			}
			writes = append(writes, write{path: p, value: attr.SetUnion(old, operand)})
		case "DELETE":
			operand := a.value.(*opValue).v
			old, found := Lookup(item, p)
			if !found {
				break
			}
			if old.Type() != operand.Type() {
				return nil, nil, ErrIncorrectOperandType
			}
			rest := attr.SetDifference(old, operand)
			writes = append(writes, write{path: p, value: rest, remove: rest.Len() == 0})
		}
	}
	out := item.Clone()
	if out == nil {
		out = attr.Item{}
	}
	applyWrites(out, item, writes)
	return out, u.Paths(), nil
}

// setValue computes a SET value from the original item.
func setValue(n any, item attr.Item) (attr.Value, error) {
	switch n := n.(type) {
	case *opValue:
		return n.v, nil
	case *opPath:
		v, ok := Lookup(item, n.p.path)
		if !ok {
			return attr.Value{}, ErrMissingAttribute
		}
		return v, nil
	case *opArith:
		l, err := setValue(n.l, item)
		if err != nil {
			return attr.Value{}, err
		}
		if l.Type() != attr.TypeN {
			return attr.Value{}, ErrIncorrectOperandType
		}
		r, err := setValue(n.r, item)
		if err != nil {
			return attr.Value{}, err
		}
		if r.Type() != attr.TypeN {
			return attr.Value{}, ErrIncorrectOperandType
		}
		var res attr.Number
		if n.minus {
			res, err = l.N().Sub(r.N())
		} else {
			res, err = l.N().Add(r.N())
		}
		if err != nil {
			return attr.Value{}, fromAttr(err)
		}
		return attr.N(res), nil
	case *opFunc:
		switch n.name {
		case "if_not_exists":
			if v, ok := Lookup(item, n.args[0].(*opPath).p.path); ok {
				return v, nil
			}
			return setValue(n.args[1], item)
		case "list_append":
			a, err := setValue(n.args[0], item)
			if err != nil {
				return attr.Value{}, err
			}
			if a.Type() != attr.TypeL {
				return attr.Value{}, ErrIncorrectOperandType
			}
			b, err := setValue(n.args[1], item)
			if err != nil {
				return attr.Value{}, err
			}
			if b.Type() != attr.TypeL {
				return attr.Value{}, ErrIncorrectOperandType
			}
			joined := make([]attr.Value, 0, a.Len()+b.Len())
			return attr.L(append(append(joined, a.L()...), b.L()...)...), nil
		}
	}
	return attr.Value{}, ErrIncorrectOperandType
}

// parentExists reports whether the container a path writes into exists in
// item with the right type: a map for a name, a list for an index.
func parentExists(item attr.Item, p Path) bool {
	if len(p) == 1 {
		return true
	}
	parent, ok := Lookup(item, p[:len(p)-1])
	if !ok {
		return false
	}
	if p[len(p)-1].IsIndex {
		return parent.Type() == attr.TypeL
	}
	return parent.Type() == attr.TypeM
}

// applyWrites makes the writes on out, a deep copy of orig. Values replace
// entries in place first; then values at list indexes past the original end
// are appended, in index order; then removals run deepest first and, within a
// list, from the highest index down, so every index means what it meant in
// orig.
func applyWrites(out, orig attr.Item, writes []write) {
	var appends, removes []write
	for _, w := range writes {
		last := w.path[len(w.path)-1]
		switch {
		case w.remove:
			removes = append(removes, w)
		case last.IsIndex && !indexExists(orig, w.path):
			appends = append(appends, w)
		default:
			modify(out, w.path, func(attr.Value, bool) (attr.Value, bool) { return w.value, true })
		}
	}
	slices.SortStableFunc(appends, func(a, b write) int {
		return cmp.Compare(a.path[len(a.path)-1].Index, b.path[len(b.path)-1].Index)
	})
	for _, w := range appends {
		modify(out, w.path, func(attr.Value, bool) (attr.Value, bool) { return w.value, true })
	}
	slices.SortStableFunc(removes, func(a, b write) int {
		if c := cmp.Compare(len(b.path), len(a.path)); c != 0 {
			return c
		}
		return cmp.Compare(b.path[len(b.path)-1].Index, a.path[len(a.path)-1].Index)
	})
	for _, w := range removes {
		modify(out, w.path, func(attr.Value, bool) (attr.Value, bool) { return attr.Value{}, false })
	}
}

func indexExists(item attr.Item, p Path) bool {
	parent, ok := Lookup(item, p[:len(p)-1])
	return ok && p[len(p)-1].Index < len(parent.L())
}

// modify replaces the value at path p in item with what change returns for
// the old value, or removes it when change returns false. A list index past
// the end appends; removing a missing entry does nothing. Containers on the
// way are updated in place (item is the caller's private copy), and a list
// that grows or shrinks is stored back into its parent.
func modify(item attr.Item, p Path, change func(old attr.Value, found bool) (attr.Value, bool)) {
	top := p[0].Name
	if len(p) == 1 {
		old, found := item[top]
		if v, keep := change(old, found); keep {
			item[top] = v
		} else {
			delete(item, top)
		}
		return
	}
	v, ok := item[top]
	if !ok {
		return
	}
	item[top] = modifyIn(v, p[1:], change)
}

func modifyIn(v attr.Value, rest Path, change func(attr.Value, bool) (attr.Value, bool)) attr.Value {
	e := rest[0]
	if e.IsIndex {
		if v.Type() != attr.TypeL {
			return v
		}
		list := v.L()
		if len(rest) > 1 {
			if e.Index < len(list) {
				list[e.Index] = modifyIn(list[e.Index], rest[1:], change)
			}
			return v
		}
		if e.Index < len(list) {
			if nv, keep := change(list[e.Index], true); keep {
				list[e.Index] = nv
				return v
			}
			return attr.L(append(list[:e.Index:e.Index], list[e.Index+1:]...)...)
		}
		if nv, keep := change(attr.Value{}, false); keep {
			return attr.L(append(list, nv)...)
		}
		return v
	}
	if v.Type() != attr.TypeM {
		return v
	}
	m := v.M()
	if len(rest) > 1 {
		if child, ok := m[e.Name]; ok {
			m[e.Name] = modifyIn(child, rest[1:], change)
		}
		return v
	}
	old, found := m[e.Name]
	if nv, keep := change(old, found); keep {
		m[e.Name] = nv
	} else {
		delete(m, e.Name)
	}
	return v
}
