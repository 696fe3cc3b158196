package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
)

// Limits on what Parse accepts. CloudFormation itself caps a template body
// at 1 MB (51,200 bytes when passed inline); these guard the parser against
// hostile input within that size.
const (
	// maxDepth bounds how deeply maps and lists may nest. Real templates
	// stay below 30 levels; the bound keeps recursion in evaluation safe.
	maxDepth = 500
	// maxNodes bounds the values a YAML document may expand to through
	// its aliases, so that a small document cannot grow exponentially
	// ("billion laughs"). A 1 MB template holds far fewer values.
	maxNodes = 500_000
)

// Parse reads a template body in JSON or YAML and returns it with its
// short-form YAML tags turned into the long form. A body whose first
// non-blank character is "{" is read as JSON, anything else as YAML (the
// rule CloudFormation's error messages suggest; unconfirmed). Parse checks syntax and the shape of what it
// types (a DependsOn must be a string or a list of strings, for example);
// references, cycles and parameter rules are Validate's business.
func Parse(body []byte) (*Template, error) {
	return parse(body, nil)
}

// ParseKeepingLastKey is Parse for templates written for the SAM CLI,
// whose YAML and JSON readers accept a key given twice in one mapping and
// keep its last value; sam deploy then uploads the template without the
// duplicate. It does the same, and returns a note for each such key.
// CloudFormation refuses these templates, as Parse does.
func ParseKeepingLastKey(body []byte) (*Template, []string, error) {
	var dups []string
	t, err := parse(body, &dups)
	return t, dups, err
}

// ParseSnippet reads a JSON or YAML document that is part of a template
// rather than a template (what AWS::Include brings in, an OpenAPI
// definition), short-form tags turned into the long form as Parse turns
// them.
func ParseSnippet(body []byte) (any, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if isJSON(body) {
		v, _, err := decodeJSON(body, nil)
		return v, err
	}
	v, _, err := decodeYAML(body, nil)
	return v, err
}

// parse is Parse; dups, when not nil, collects duplicate keys instead of
// refusing them.
func parse(body []byte, dups *[]string) (*Template, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var (
		tree any
		pos  map[string]Pos
		err  error
		kind Format
	)
	if isJSON(body) {
		kind = FormatJSON
		tree, pos, err = decodeJSON(body, dups)
	} else {
		kind = FormatYAML
		tree, pos, err = decodeYAML(body, dups)
	}
	if err != nil {
		return nil, err
	}
	m, ok := tree.(map[string]any)
	if !ok {
		// AWS's answer to a body that is a bare string (a file name
		// passed as --template-body, for example) is "unsupported
		// structure"; virga gives it for any body that is not a mapping.
		return nil, formatErr("unsupported structure.")
	}
	t, err := fromTree(m, pos)
	if err != nil {
		return nil, err
	}
	t.Format = kind
	return t, nil
}

// Format says which syntax a template was parsed from.
type Format int

// The formats Parse reads. FormatNone is a template built by FromTree.
const (
	FormatNone Format = iota
	FormatJSON
	FormatYAML
)

// isJSON reports whether a body starts, after blanks, with "{".
func isJSON(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// lineIndex converts byte offsets to 1-based lines and columns.
type lineIndex []int

func newLineIndex(body []byte) lineIndex {
	starts := lineIndex{0}
	for i, c := range body {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func (li lineIndex) pos(offset int64) Pos {
	line := sort.Search(len(li), func(i int) bool { return int64(li[i]) > offset }) - 1
	if line < 0 {
		line = 0
	}
	return Pos{Line: line + 1, Column: int(offset-int64(li[line])) + 1}
}

// jsonDecoder walks a JSON body token by token so that every value keeps
// its position and duplicate keys can be refused.
type jsonDecoder struct {
	body  []byte
	dec   *json.Decoder
	lines lineIndex
	pos   map[string]Pos
	// dups, when not nil, collects duplicate keys, the last value
	// winning, instead of refusing them.
	dups *[]string
}

// decodeJSON parses a JSON template into plain values: objects become
// map[string]any, arrays []any, numbers json.Number.
func decodeJSON(body []byte, dups *[]string) (any, map[string]Pos, error) {
	d := &jsonDecoder{
		body:  body,
		dec:   json.NewDecoder(bytes.NewReader(body)),
		lines: newLineIndex(body),
		pos:   map[string]Pos{},
		dups:  dups,
	}
	d.dec.UseNumber()
	v, err := d.value("", 0)
	if err != nil {
		return nil, nil, err
	}
	at := d.start()
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, nil, d.wellFormedErr(at, "unexpected content after the template")
	}
	return v, d.pos, nil
}

// start is the offset where the next token begins: the decoder's offset
// past blanks and the separators ":" and ",".
func (d *jsonDecoder) start() int64 {
	off := d.dec.InputOffset()
	for off < int64(len(d.body)) {
		switch d.body[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

func (d *jsonDecoder) value(path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.wellFormedErr(d.start(), "the template nests too deeply")
	}
	at := d.start()
	d.pos[path] = d.lines.pos(at)
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntaxErr(err, "")
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			return d.object(path, depth)
		case '[':
			return d.array(path, depth)
		}
		return nil, d.wellFormedErr(at, "unexpected "+string(tok))
	default:
		return tok, nil // string, json.Number, bool or nil
	}
}

func (d *jsonDecoder) object(path string, depth int) (any, error) {
	m := map[string]any{}
	keyAt := map[string]Pos{}
	for d.dec.More() {
		at := d.start()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, d.syntaxErr(err, "")
		}
		key, ok := tok.(string)
		if !ok {
			return nil, d.wellFormedErr(at, "an object key must be a string")
		}
		if first, dup := keyAt[key]; dup {
			if d.dups == nil {
				return nil, d.wellFormedErr(at, "duplicate key "+quote(key)+" (first at "+where(first)+")")
			}
			*d.dups = append(*d.dups, duplicateNote(key, d.lines.pos(at), first))
		}
		keyAt[key] = d.lines.pos(at)
		v, err := d.value(childPath(path, key), depth+1)
		if err != nil {
			return nil, err
		}
		// A member is located at its key, where a reader looks for it.
		d.pos[childPath(path, key)] = keyAt[key]
		m[key] = v
	}
	if _, err := d.dec.Token(); err != nil { // the closing brace
		return nil, d.syntaxErr(err, "")
	}
	return m, nil
}

func (d *jsonDecoder) array(path string, depth int) (any, error) {
	l := []any{}
	for i := 0; d.dec.More(); i++ {
		v, err := d.value(indexPath(path, i), depth+1)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	if _, err := d.dec.Token(); err != nil { // the closing bracket
		return nil, d.syntaxErr(err, "")
	}
	return l, nil
}

// syntaxErr turns a decoder error into CloudFormation's "JSON not
// well-formed" with the position the decoder stopped at.
func (d *jsonDecoder) syntaxErr(err error, detail string) *Error {
	off := d.dec.InputOffset()
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = se.Offset
		if detail == "" {
			detail = se.Error()
		}
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(d.body))
		if detail == "" {
			detail = "unexpected end of the template"
		}
	case err != nil && detail == "":
		detail = err.Error()
	}
	return d.wellFormedErr(off, detail)
}

func (d *jsonDecoder) wellFormedErr(off int64, detail string) *Error {
	p := d.lines.pos(min(off, int64(len(d.body))))
	return &Error{
		Message: prefixFormat + "JSON not well-formed. " + position(p.Line, p.Column),
		Detail:  detail,
		Line:    p.Line,
		Column:  p.Column,
		located: true,
	}
}

// duplicateNote says which value of a duplicate key is kept.
func duplicateNote(key string, at, first Pos) string {
	return where(at) + ": key " + quote(key) + " is given again (first at " + where(first) + "); the last value is kept"
}

// quote renders a key for a message, in double quotes.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
