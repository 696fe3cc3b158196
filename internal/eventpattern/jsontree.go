package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// jsonKind is the type of a JSON value.
type jsonKind uint8

const (
	jsonObject jsonKind = iota
	jsonArray
	jsonString
	jsonNumber
	jsonBool
	jsonNull
)

// jsonNode is a pattern's JSON value with object members kept in document
// order and duplicates kept. Patterns are parsed into this form rather than
// map[string]any because AWS reports the first problem in document order
// and rejects some repeated keys, and a map loses both.
type jsonNode struct {
	kind    jsonKind
	text    string // a string's value or a number's literal text
	boolean bool
	members []jsonMember // for objects
	elems   []jsonNode   // for arrays
}

// jsonMember is one "key": value pair of an object.
type jsonMember struct {
	key   string
	value jsonNode
}

var errBadJSON = errors.New("not a single well-formed JSON value")

// parseJSON parses data, which must hold exactly one JSON value nested at
// most maxNesting deep.
func parseJSON(data []byte) (jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return jsonNode{}, errBadJSON
	}
	n, err := readJSON(dec, tok, 0)
	if err != nil {
		return jsonNode{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsonNode{}, errBadJSON
	}
	return n, nil
}

// readJSON reads the value that starts with tok.
func readJSON(dec *json.Decoder, tok json.Token, depth int) (jsonNode, error) {
	switch t := tok.(type) {
	case string:
		return jsonNode{kind: jsonString, text: t}, nil
	case json.Number:
		return jsonNode{kind: jsonNumber, text: string(t)}, nil
	case bool:
		return jsonNode{kind: jsonBool, boolean: t}, nil
	case nil:
		return jsonNode{kind: jsonNull}, nil
	case json.Delim:
		if depth >= maxNesting {
			return jsonNode{}, errBadJSON
		}
		if t == '{' {
			return readObject(dec, depth+1)
		}
		return readArray(dec, depth+1)
	}
	return jsonNode{}, errBadJSON
}

func readObject(dec *json.Decoder, depth int) (jsonNode, error) {
	n := jsonNode{kind: jsonObject}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonNode{}, errBadJSON
		}
		key, ok := tok.(string)
		if !ok {
			return jsonNode{}, errBadJSON
		}
		if tok, err = dec.Token(); err != nil {
			return jsonNode{}, errBadJSON
		}
		value, err := readJSON(dec, tok, depth)
		if err != nil {
			return jsonNode{}, err
		}
		n.members = append(n.members, jsonMember{key: key, value: value})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return jsonNode{}, errBadJSON
	}
	return n, nil
}

func readArray(dec *json.Decoder, depth int) (jsonNode, error) {
	n := jsonNode{kind: jsonArray}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonNode{}, errBadJSON
		}
		elem, err := readJSON(dec, tok, depth)
		if err != nil {
			return jsonNode{}, err
		}
		n.elems = append(n.elems, elem)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return jsonNode{}, errBadJSON
	}
	return n, nil
}

// tokenText is how AWS's parser shows the token at which a value starts in
// its messages ("Invalid member in numeric match: ...").
func (n *jsonNode) tokenText() string {
	switch n.kind {
	case jsonObject:
		return "{"
	case jsonArray:
		return "["
	case jsonBool:
		if n.boolean {
			return "true"
		}
		return "false"
	case jsonNull:
		return "null"
	}
	return n.text
}
