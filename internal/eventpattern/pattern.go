package eventpattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Pattern is a compiled event pattern or filter policy. It is immutable and
// safe for concurrent use.
type Pattern struct {
	dialect Dialect
	root    *objectNode // nil for SNS's "{}", which matches everything
}

// objectNode is a pattern object: every field must match (AND), and every
// "$or" must have at least one matching branch.
type objectNode struct {
	fields []field
	ors    [][]*objectNode
	// absent is the node's verdict on an event that has no object where the
	// node applies: a missing field, a string, an empty array. It depends
	// only on the pattern, so it is worked out once, when compiling.
	absent bool
}

// field is one named member of a pattern object, holding either a value
// array (leaf) or a nested object (child).
type field struct {
	name  string
	leaf  *leafNode
	child *objectNode
}

// leafNode is a pattern's value array: the field matches when any entry
// matches (OR).
type leafNode struct {
	matchers    []matcher
	existsTrue  bool // {"exists": true} is among the entries
	existsFalse bool // {"exists": false} is among the entries
}

// Compile parses and validates a pattern written in dialect d. A pattern
// AWS would refuse yields an *Error whose Reason carries AWS's wording.
func Compile(pattern []byte, d Dialect) (*Pattern, error) {
	r, ok := rulesFor(d)
	if !ok {
		return nil, fmt.Errorf("eventpattern: unknown dialect %d", int(d))
	}
	c := &compiler{rules: r}
	if r.snsLimits && len(pattern) > snsMaxPolicyBytes {
		return nil, c.fail(reasonSNSTooLong)
	}
	doc, err := parseJSON(pattern)
	if err != nil {
		if r.snsLimits {
			return nil, c.fail(reasonSNSJSON)
		}
		return nil, c.fail(reasonEventBridgeJSON)
	}
	if doc.kind != jsonObject {
		return nil, c.fail(reasonNotObject)
	}
	if len(doc.members) == 0 && r.emptyMatchesAll {
		return &Pattern{dialect: d}, nil
	}
	if r.snsLimits {
		if err := c.checkSNSLimits(&doc); err != nil {
			return nil, err
		}
	}
	root, err := c.object(&doc, "")
	if err != nil {
		return nil, err
	}
	return &Pattern{dialect: d, root: root}, nil
}

// Dialect returns the dialect the pattern was compiled for.
func (p *Pattern) Dialect() Dialect { return p.dialect }

// Match reports whether event, a JSON document, matches the pattern. An
// event that is not a JSON object matches nothing, except that a pattern
// that matches everything (SNS's "{}") matches any event.
func (p *Pattern) Match(event []byte) bool {
	if p.root == nil {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		return false
	}
	return p.MatchValue(v)
}

// MatchValue is Match for an event that is already decoded, such as SNS
// message attributes presented as {"name": value}. v must be a
// map[string]any whose values are what encoding/json produces: nested
// maps, []any, string, bool, nil and numbers, preferably as json.Number so
// that no precision is lost (float64, float32, int, int32, int64, uint,
// uint32 and uint64 are accepted too). A String.Array attribute is a []any of its elements; Binary
// attributes, which SNS ignores, are left out. Values of other Go types
// are treated as absent.
func (p *Pattern) MatchValue(v any) bool {
	if p.root == nil {
		return true
	}
	obj, ok := v.(map[string]any)
	return ok && p.root.matchObject(obj)
}
