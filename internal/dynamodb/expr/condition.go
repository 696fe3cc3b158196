package expr

import "github.com/virga/virga/internal/dynamodb/attr"

// Condition is a parsed ConditionExpression or FilterExpression, ready to be
// evaluated against items. It is immutable and safe for concurrent use.
type Condition struct {
	root  any
	refs  Refs
	paths []Path
}

// ParseCondition parses a ConditionExpression. names are the request's
// ExpressionAttributeNames ("#n" to name) and values its
// ExpressionAttributeValues (":v" to value); either may be nil. Errors are
// *Error values with DynamoDB's "Invalid ConditionExpression: ..." messages.
func ParseCondition(expr string, names map[string]string, values map[string]attr.Value) (*Condition, error) {
	return parseCondition(KindCondition, expr, names, values)
}

// ParseFilter parses a FilterExpression: the grammar of ParseCondition, with
// errors reported as "Invalid FilterExpression: ...".
func ParseFilter(expr string, names map[string]string, values map[string]attr.Value) (*Condition, error) {
	return parseCondition(KindFilter, expr, names, values)
}

func parseCondition(kind Kind, src string, names map[string]string, values map[string]attr.Value) (*Condition, error) {
	root, c, err := parseChecked(kind, src, names, values)
	if err != nil {
		return nil, err
	}
	return &Condition{root: root, refs: c.refs, paths: collectPaths(root)}, nil
}

// parseChecked parses and checks a condition-grammar expression.
func parseChecked(kind Kind, src string, names map[string]string, values map[string]attr.Value) (any, *checker, error) {
	if err := kind.checkLength(src); err != nil {
		return nil, nil, err
	}
	if err := checkNames(names); err != nil {
		return nil, nil, err
	}
	root, p, err := parseConditionTree(src)
	if err != nil {
		return nil, nil, kind.errorf(err.Error())
	}
	c := newChecker(kind, names, values)
	if err := c.condition(root, p); err != nil {
		return nil, nil, err
	}
	return root, c, nil
}

// Refs returns the expression attribute names and values the condition uses.
func (c *Condition) Refs() Refs { return c.refs }

// Paths returns every document path the condition reads, in written order.
// The service uses it for rules on key attributes (a filter may not name a
// primary key attribute in Query; key attributes are scalars).
func (c *Condition) Paths() []Path { return c.paths }

// collectPaths lists the resolved paths under n in written order.
func collectPaths(n any) []Path {
	var out []Path
	walk(n, func(n any) bool {
		if op, ok := n.(*opPath); ok {
			out = append(out, op.p.path)
		}
		return true
	})
	return out
}
