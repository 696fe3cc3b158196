package xmlcodec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/virga/virga/internal/awsproto/shape"
)

// DecodeError is a document that is not well-formed XML, or a member whose
// text does not convert to its type.
type DecodeError struct{ Message string }

func (e *DecodeError) Error() string { return e.Message }

// MaxDepth bounds element nesting, so a hostile document cannot exhaust
// the stack.
const MaxDepth = 128

// Unmarshal decodes the XML document data into v, a pointer to a shape
// struct: the root element's children and attributes are v's body
// members, whatever the root is named. Elements and attributes v does not
// have are ignored. An empty document leaves v as it is.
//
// Members are read as WriteElement writes them: lists are wrapped in
// their member's element with each item in <member> (or the member=
// name) unless flattened, when each item is an element of the member's
// name; maps are <entry><key/><value/></entry> (or key=/value= names)
// unless flattened; timestamps are ISO 8601 unless ts= says otherwise;
// blobs are base64. It never panics, whatever data holds.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &DecodeError{Message: "xmlcodec: Unmarshal needs a non-nil pointer"}
	}
	rv = rv.Elem()
	d := xml.NewDecoder(bytes.NewReader(data))
	root, err := firstElement(d)
	if err != nil {
		return err
	}
	if root == nil {
		return nil // an empty document
	}
	t := shape.Of(rv.Type())
	if t.Kind != shape.Structure {
		return &DecodeError{Message: "xmlcodec: Unmarshal needs a structure"}
	}
	if err := decodeStruct(d, *root, rv, t, 1); err != nil {
		return err
	}
	// Only comments, processing instructions and white space may follow.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return malformed(err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return &DecodeError{Message: "Unexpected content after the root element"}
			}
		case xml.StartElement:
			return &DecodeError{Message: "Unexpected content after the root element"}
		}
	}
}

// firstElement returns the root element's start, or nil for a document
// with none.
func firstElement(d *xml.Decoder) (*xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, malformed(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return &tok, nil
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return nil, &DecodeError{Message: "Content is not allowed in prolog"}
			}
		}
	}
}

func malformed(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &DecodeError{Message: fmt.Sprintf("XML syntax error on line %d: %s", se.Line, se.Msg)}
	}
	if err == io.ErrUnexpectedEOF {
		return &DecodeError{Message: "Unexpected end of the XML document"}
	}
	return &DecodeError{Message: err.Error()}
}

// members indexes a structure's body members by element and attribute name.
type members struct {
	elems map[string]*shape.Field
	attrs map[string]*shape.Field
}

var index sync.Map // *shape.Type → *members; a cache of pure functions of types

func membersOf(t *shape.Type) *members {
	if m, ok := index.Load(t); ok {
		return m.(*members)
	}
	m := &members{elems: map[string]*shape.Field{}, attrs: map[string]*shape.Field{}}
	for _, f := range t.Fields {
		if f.Loc != shape.Body {
			continue
		}
		if f.XMLAttribute {
			m.attrs[localName(f.XMLName)] = f
		} else {
			m.elems[f.XMLName] = f
		}
	}
	v, _ := index.LoadOrStore(t, m)
	return v.(*members)
}

// localName drops a namespace prefix ("xsi:type" → "type").
func localName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// decodeStruct reads the attributes and children of start into v, a
// structure of shape t.
func decodeStruct(d *xml.Decoder, start xml.StartElement, v reflect.Value, t *shape.Type, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Message: "XML document nested too deeply"}
	}
	m := membersOf(t)
	for _, a := range start.Attr {
		f := m.attrs[a.Name.Local]
		if f == nil {
			continue
		}
		if err := setScalar(v.Field(f.Index), f.Shape, f, a.Value); err != nil {
			return err
		}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return malformed(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			f := m.elems[tok.Name.Local]
			if f == nil {
				if err := skip(d, depth+1); err != nil {
					return err
				}
				continue
			}
			if err := decodeMember(d, tok, v.Field(f.Index), f, depth+1); err != nil {
				return err
			}
		}
	}
}

// decodeMember reads the element start of member f into fv.
func decodeMember(d *xml.Decoder, start xml.StartElement, fv reflect.Value, f *shape.Field, depth int) error {
	switch f.Shape.Kind {
	case shape.List, shape.Map:
		fv = shape.Settable(fv)
	}
	switch f.Shape.Kind {
	case shape.List:
		if f.Flattened {
			return appendItem(d, start, fv, f.Shape, depth)
		}
		return decodeList(d, fv, f.Shape, f.MemberName, depth)
	case shape.Map:
		if f.Flattened {
			return decodeEntry(d, fv, f.Shape, f.KeyName, f.ValueName, depth)
		}
		return decodeMap(d, fv, f.Shape, f.KeyName, f.ValueName, depth)
	}
	return decodeValue(d, start, fv, f.Shape, f, depth)
}

// decodeValue reads the element start as a value of shape t (a scalar,
// structure, or unflattened list or map) into v.
func decodeValue(d *xml.Decoder, start xml.StartElement, v reflect.Value, t *shape.Type, f *shape.Field, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Message: "XML document nested too deeply"}
	}
	switch t.Kind {
	case shape.Structure:
		return decodeStruct(d, start, shape.Settable(v), t, depth)
	case shape.List:
		return decodeList(d, shape.Settable(v), t, "member", depth)
	case shape.Map:
		return decodeMap(d, shape.Settable(v), t, "key", "value", depth)
	}
	text, err := charData(d, depth)
	if err != nil {
		return err
	}
	return setScalar(v, t, f, text)
}

// setScalar converts the text of a scalar into v.
func setScalar(v reflect.Value, t *shape.Type, f *shape.Field, text string) error {
	if t.Kind == shape.Document {
		shape.Settable(v).SetBytes([]byte(text))
		return nil
	}
	if text == "" && t.Kind != shape.String && t.Kind != shape.Blob {
		return &DecodeError{Message: fmt.Sprintf("An empty element cannot be converted to %s", t.Kind)}
	}
	format := shape.ISO8601
	if f != nil && f.TimestampFormat != "" {
		format = f.TimestampFormat
	}
	if t.Kind != shape.String {
		text = strings.TrimSpace(text)
	}
	nv := reflect.New(v.Type()).Elem()
	if err := shape.SetText(shape.Settable(nv), t, text, format); err != nil {
		return &DecodeError{Message: fmt.Sprintf("'%s' cannot be converted to %s", text, t.Kind)}
	}
	v.Set(nv)
	return nil
}

// decodeList reads the items of a wrapped list (elements named member)
// and appends them to v.
func decodeList(d *xml.Decoder, v reflect.Value, t *shape.Type, member string, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Message: "XML document nested too deeply"}
	}
	if v.IsNil() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // an empty list is present
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return malformed(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if tok.Name.Local != member {
				if err := skip(d, depth+1); err != nil {
					return err
				}
				continue
			}
			if err := appendItem(d, tok, v, t, depth+1); err != nil {
				return err
			}
		}
	}
}

// appendItem reads the element start as one item of list v.
func appendItem(d *xml.Decoder, start xml.StartElement, v reflect.Value, t *shape.Type, depth int) error {
	ev := reflect.New(v.Type().Elem()).Elem()
	if err := decodeValue(d, start, ev, t.Elem, nil, depth); err != nil {
		return err
	}
	v.Set(reflect.Append(v, ev))
	return nil
}

// decodeMap reads the <entry> elements of a wrapped map into v.
func decodeMap(d *xml.Decoder, v reflect.Value, t *shape.Type, key, value string, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Message: "XML document nested too deeply"}
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return malformed(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if tok.Name.Local != "entry" {
				if err := skip(d, depth+1); err != nil {
					return err
				}
				continue
			}
			if err := decodeEntry(d, v, t, key, value, depth+1); err != nil {
				return err
			}
		}
	}
}

// decodeEntry reads the key and value children of an entry element (whose
// start has been read) into the map v.
func decodeEntry(d *xml.Decoder, v reflect.Value, t *shape.Type, key, value string, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Message: "XML document nested too deeply"}
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	var k *string
	ev := reflect.New(v.Type().Elem()).Elem()
	for {
		tok, err := d.Token()
		if err != nil {
			return malformed(err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			if k == nil {
				return &DecodeError{Message: "A map entry has no " + key}
			}
			v.SetMapIndex(reflect.ValueOf(*k).Convert(v.Type().Key()), ev)
			return nil
		case xml.StartElement:
			switch tok.Name.Local {
			case key:
				s, err := charData(d, depth+1)
				if err != nil {
					return err
				}
				k = &s
			case value:
				if err := decodeValue(d, tok, ev, t.Elem, nil, depth+1); err != nil {
					return err
				}
			default:
				if err := skip(d, depth+1); err != nil {
					return err
				}
			}
		}
	}
}

// charData returns the text of an element whose start has been read, up
// to its end. Nested elements are an error: a scalar has none.
func charData(d *xml.Decoder, depth int) (string, error) {
	var b []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return "", malformed(err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			b = append(b, tok...)
		case xml.EndElement:
			return string(b), nil
		case xml.StartElement:
			if err := skip(d, depth+1); err != nil {
				return "", err
			}
			return "", &DecodeError{Message: "Unexpected element <" + tok.Name.Local + "> in a scalar value"}
		}
	}
}

// skip consumes the rest of an element whose start has been read.
func skip(d *xml.Decoder, depth int) error {
	for n := 1; n > 0; {
		if depth+n > MaxDepth {
			return &DecodeError{Message: "XML document nested too deeply"}
		}
		tok, err := d.Token()
		if err != nil {
			return malformed(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			n++
		case xml.EndElement:
			n--
		}
	}
	return nil
}
