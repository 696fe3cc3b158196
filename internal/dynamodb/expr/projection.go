package expr

import (
	"sort"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// Projection is a parsed ProjectionExpression. It is immutable and safe for
// concurrent use.
type Projection struct {
	paths []Path
	refs  Refs
}

// ParseProjection parses a ProjectionExpression: document paths separated by
// commas. names is the request's ExpressionAttributeNames (may be nil);
// projections use no values. Errors are *Error values with DynamoDB's
// "Invalid ProjectionExpression: ..." messages.
func ParseProjection(expr string, names map[string]string) (*Projection, error) {
	if err := KindProjection.checkLength(expr); err != nil {
		return nil, err
	}
	if err := checkNames(names); err != nil {
		return nil, err
	}
	nodes, p, err := parseProjectionTree(expr)
	if err != nil {
		return nil, KindProjection.errorf(err.Error())
	}
	c := newChecker(KindProjection, names, nil)
	if err := c.projection(nodes, p); err != nil {
		return nil, err
	}
	paths := make([]Path, len(nodes))
	for i, n := range nodes {
		paths[i] = n.path
	}
	return &Projection{paths: paths, refs: c.refs}, nil
}

// Refs returns the expression attribute names the projection uses.
func (p *Projection) Refs() Refs { return p.refs }

// Paths returns the projected paths in written order.
func (p *Projection) Paths() []Path { return p.paths }

// Project returns the parts of item the projection names (see ProjectPaths).
func (p *Projection) Project(item attr.Item) attr.Item { return ProjectPaths(item, p.paths) }

// ProjectPaths returns the parts of item at paths, keeping their structure:
// a.b yields {a: {b: ...}}, and list elements come back as a list of the
// selected elements, compacted and in index order (a[2], a[0] on [x, y, z]
// yields [x, z]); paths into the same element merge. Paths that do not exist
// are left out. The paths must not overlap (as parsed expressions ensure).
// The result shares values with item.
func ProjectPaths(item attr.Item, paths []Path) attr.Item {
	root := &projNode{}
	for _, p := range paths {
		v, ok := Lookup(item, p)
		if !ok {
			continue
		}
		n := root
		for _, e := range p {
			n = n.child(e)
		}
		n.value, n.whole = v, true
	}
	out := attr.Item{}
	for name, n := range root.keys {
		out[name] = n.build()
	}
	return out
}

// projNode is one node of a projection being assembled: either a whole value
// or the selected children of a map or list.
type projNode struct {
	value   attr.Value
	whole   bool
	keys    map[string]*projNode
	indexes map[int]*projNode
}

func (n *projNode) child(e PathElem) *projNode {
	if e.IsIndex {
		if n.indexes == nil {
			n.indexes = map[int]*projNode{}
		}
		c, ok := n.indexes[e.Index]
		if !ok {
			c = &projNode{}
			n.indexes[e.Index] = c
		}
		return c
	}
	if n.keys == nil {
		n.keys = map[string]*projNode{}
	}
	c, ok := n.keys[e.Name]
	if !ok {
		c = &projNode{}
		n.keys[e.Name] = c
	}
	return c
}

func (n *projNode) build() attr.Value {
	if n.whole {
		return n.value
	}
	if n.indexes != nil {
		idx := make([]int, 0, len(n.indexes))
		for i := range n.indexes {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		list := make([]attr.Value, len(idx))
		for k, i := range idx {
			list[k] = n.indexes[i].build()
		}
		return attr.L(list...)
	}
	m := make(map[string]attr.Value, len(n.keys))
	for k, c := range n.keys {
		m[k] = c.build()
	}
	return attr.M(m)
}
