package template

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortForms maps each CloudFormation short-form YAML tag to the key of
// its long form. !GetAtt is handled apart because its scalar form
// "Resource.Attribute" becomes a two-element list.
var shortForms = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!GetAtt":       "Fn::GetAtt",
	"!Sub":          "Fn::Sub",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!If":           "Fn::If",
	"!Equals":       "Fn::Equals",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!Not":          "Fn::Not",
	"!FindInMap":    "Fn::FindInMap",
	"!Base64":       "Fn::Base64",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Cidr":         "Fn::Cidr",
	"!Transform":    "Fn::Transform",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// yamlDecoder converts a yaml.Node tree to plain values, recording the
// position of every node under its JSON pointer.
type yamlDecoder struct {
	pos       map[string]Pos
	nodesLeft int
	// dups, when not nil, collects duplicate keys, the last value
	// winning, instead of refusing them.
	dups *[]string
}

// decodeYAML parses a YAML template into the same plain values decodeJSON
// produces, with CloudFormation's YAML 1.1 reading of plain scalars.
func decodeYAML(body []byte, dups *[]string) (any, map[string]Pos, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, nil, yamlSyntaxErr(body, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, map[string]Pos{}, nil
	}
	d := &yamlDecoder{pos: map[string]Pos{}, nodesLeft: maxNodes, dups: dups}
	v, err := d.value(doc.Content[0], "", 0)
	if err != nil {
		return nil, nil, err
	}
	return v, d.pos, nil
}

// yamlLine finds the line in yaml.v3's "yaml: line 12: ..." messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxErr renders a yaml.v3 error as CloudFormation's "YAML not
// well-formed". yaml.v3 reports the line but not the column.
func yamlSyntaxErr(body []byte, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		line = max(line, problemLine(body, m[2]))
		return &Error{
			Message: prefixFormat + "YAML not well-formed. " + position(line, 0),
			Detail:  m[2],
			Line:    line,
			located: true,
		}
	}
	return &Error{
		Message: prefixFormat + "YAML not well-formed.",
		Detail:  strings.TrimPrefix(msg, "yaml: "),
	}
}

// problemLine finds the line a YAML error is on. yaml.v3 reports the
// line where the enclosing block starts ("line 1: did not find expected
// key" for a bad key on line 40), so problemLine looks for the shortest
// run of leading lines that fails with the same message: the error is on
// its last line. A prefix that stops short of the error parses, or fails
// differently (at its end), so a binary search finds the run. It gives 0
// when the search finds nothing better.
func problemLine(body []byte, detail string) int {
	starts := newLineIndex(body)
	prefixFails := func(lines int) bool {
		end := len(body)
		if lines < len(starts) {
			end = starts[lines]
		}
		var n yaml.Node
		err := yaml.Unmarshal(body[:end], &n)
		return err != nil && strings.HasSuffix(err.Error(), ": "+detail)
	}
	lo, hi := 1, len(starts)
	if !prefixFails(hi) {
		return 0
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if prefixFails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// nodeErr is "YAML not well-formed" at a node, with virga's explanation.
func nodeErr(n *yaml.Node, detail string) *Error {
	return &Error{
		Message: prefixFormat + "YAML not well-formed. " + position(n.Line, n.Column),
		Detail:  detail,
		Line:    n.Line,
		Column:  n.Column,
		located: true,
	}
}

func (d *yamlDecoder) value(n *yaml.Node, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, nodeErr(n, "the template nests too deeply")
	}
	d.nodesLeft--
	if d.nodesLeft < 0 {
		return nil, nodeErr(n, "the template expands to too many values")
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, nodeErr(n, "an alias without an anchor")
		}
		v, err := d.value(n.Alias, path, depth+1)
		if err == nil {
			// Report the alias, not the anchor, as the value's position.
			d.pos[path] = Pos{n.Line, n.Column}
		}
		return v, err
	}
	d.pos[path] = Pos{n.Line, n.Column}
	if n.Style&yaml.TaggedStyle != 0 && strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return d.shortForm(n, path, depth)
	}
	switch n.Kind {
	case yaml.MappingNode:
		return d.mapping(n, path, depth)
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := d.value(c, indexPath(path, i), depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, nodeErr(n, "unexpected YAML node")
}

func (d *yamlDecoder) mapping(n *yaml.Node, path string, depth int) (any, error) {
	m := make(map[string]any, len(n.Content)/2)
	keys := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		key, err := mappingKey(kn)
		if err != nil {
			return nil, err
		}
		if first, dup := keys[key]; dup {
			if d.dups == nil {
				return nil, nodeErr(kn, "duplicate key "+quote(key)+" (first at "+where(Pos{first.Line, first.Column})+")")
			}
			*d.dups = append(*d.dups, duplicateNote(key, Pos{kn.Line, kn.Column}, Pos{first.Line, first.Column}))
		}
		keys[key] = kn
		v, err := d.value(vn, childPath(path, key), depth+1)
		if err != nil {
			return nil, err
		}
		// A map entry is located at its key, where a reader looks for it.
		d.pos[childPath(path, key)] = Pos{kn.Line, kn.Column}
		m[key] = v
	}
	return m, nil
}

// mappingKey is the text of a mapping key. Keys read like values, so an
// unquoted yes becomes "true", as it does when CloudFormation turns YAML
// into JSON.
func mappingKey(kn *yaml.Node) (string, error) {
	if kn.Kind == yaml.AliasNode && kn.Alias != nil {
		kn = kn.Alias
	}
	if kn.Kind != yaml.ScalarNode || (kn.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(kn.Tag, "!!")) {
		return "", nodeErr(kn, "a mapping key must be a plain string")
	}
	v, err := scalar(kn)
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(v), nil
	case json.Number:
		return string(v), nil
	default:
		return v.(string), nil
	}
}

// shortForm converts a node tagged with a CloudFormation short form, such
// as "!Ref Bucket", into its long form {"Ref": "Bucket"}.
func (d *yamlDecoder) shortForm(n *yaml.Node, path string, depth int) (any, error) {
	key, ok := shortForms[n.Tag]
	if !ok {
		// Virga's wording; CloudFormation's could not be confirmed.
		return nil, nodeErr(n, "unknown tag "+n.Tag)
	}
	inner := childPath(path, key)
	var arg any
	switch n.Kind {
	case yaml.ScalarNode:
		// A tagged scalar is text: "!Base64 true" encodes "true".
		arg = n.Value
		d.pos[inner] = Pos{n.Line, n.Column}
		if key == "Fn::GetAtt" {
			// "Resource.Attribute": the attribute may itself hold
			// dots, as in "Stack.Outputs.Name".
			resource, attr, found := strings.Cut(n.Value, ".")
			if found {
				arg = []any{resource, attr}
			} else {
				arg = []any{resource}
			}
		}
	default:
		// Decode the node without its tag, then wrap it.
		untagged := *n
		untagged.Tag = ""
		untagged.Style &^= yaml.TaggedStyle
		v, err := d.value(&untagged, inner, depth+1)
		if err != nil {
			return nil, err
		}
		arg = v
	}
	switch key {
	case "Ref", "Condition":
		if _, ok := arg.(string); !ok {
			return nil, nodeErr(n, n.Tag+" takes a single string")
		}
	}
	return map[string]any{key: arg}, nil
}

// YAML 1.1 plain scalar forms, the reading CloudFormation applies.
var (
	yamlNulls = map[string]bool{"": true, "~": true, "null": true, "Null": true, "NULL": true}
	yamlBools = map[string]bool{
		"true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false,
		"yes": true, "Yes": true, "YES": true, "no": false, "No": false, "NO": false,
		"on": true, "On": true, "ON": true, "off": false, "Off": false, "OFF": false,
	}
	yamlInt   = regexp.MustCompile(`^[-+]?(0|[1-9][0-9_]*)$`)
	yamlFloat = regexp.MustCompile(`^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$`)
	jsonNum   = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
)

// scalar reads a scalar node. Quoted and block scalars are strings. Plain
// scalars follow YAML 1.1 as CloudFormation does: yes/no/on/off are
// booleans, and decimal integers and floats are numbers. Dates and times
// stay strings (AWSTemplateFormatVersion: 2010-09-09 is text), and so do
// the YAML 1.1 forms that would change a value's spelling: octal 0755,
// hexadecimal 0x1F, sexagesimal 1:30, .inf and .nan.
func scalar(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		return taggedScalar(n)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	return plainScalar(n.Value), nil
}

func plainScalar(s string) any {
	if yamlNulls[s] {
		return nil
	}
	if b, ok := yamlBools[s]; ok {
		return b
	}
	if yamlInt.MatchString(s) || (yamlFloat.MatchString(s) && strings.ContainsAny(s, "0123456789")) {
		if num, ok := normalizeNumber(s); ok {
			return num
		}
	}
	return s
}

// normalizeNumber turns a YAML decimal into JSON number text: no
// underscores, no leading "+", and "1." or ".5" rewritten as 1 and 0.5.
func normalizeNumber(s string) (json.Number, bool) {
	s = strings.TrimPrefix(strings.ReplaceAll(s, "_", ""), "+")
	if jsonNum.MatchString(s) {
		return json.Number(s), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", false
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
}

// taggedScalar reads a scalar with an explicit standard tag such as !!str.
func taggedScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp", "!!binary":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		if b, ok := yamlBools[n.Value]; ok {
			return b, nil
		}
	case "!!int", "!!float":
		if num, ok := normalizeNumber(n.Value); ok {
			return num, nil
		}
	default:
		return nil, nodeErr(n, "unknown tag "+n.Tag)
	}
	return nil, nodeErr(n, "value "+quote(n.Value)+" does not match its tag "+n.ShortTag())
}
