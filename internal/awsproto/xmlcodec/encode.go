package xmlcodec

import (
	"bytes"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto/shape"
)

// Escape writes s to b as XML character data or an attribute value: &, <,
// > and " are escaped, tab, newline and carriage return become character
// references (which attribute values need to keep them), and other
// control characters and invalid UTF-8 become U+FFFD. Apostrophes stay as they are, as in
// AWS's responses.
func Escape(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"':
			esc = "&quot;"
		case c == '\r':
			esc = "&#xD;"
		case c == '\n':
			esc = "&#xA;" // kept as is in attribute values too
		case c == '\t':
			esc = "&#x9;"
		case c < 0x20:
			esc = "\uFFFD"
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			b.WriteString(s[start:i])
			b.WriteString(esc)
			start = i + width
		}
		i += width
	}
	b.WriteString(s[start:])
}

// WriteMembers writes the body members of the struct v (or pointer to
// one) as a sequence of elements, without an enclosing element.
func WriteMembers(b *bytes.Buffer, v any) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	writeFields(b, rv, shape.Of(rv.Type()))
}

// WriteElement writes v as the element <name>…</name>.
func WriteElement(b *bytes.Buffer, name string, rv reflect.Value, t *shape.Type, f *shape.Field) {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	switch t.Kind {
	case shape.List:
		member := "member"
		flat := false
		if f != nil {
			member, flat = f.MemberName, f.Flattened
		}
		if flat {
			for i := 0; i < rv.Len(); i++ {
				WriteElement(b, name, rv.Index(i), t.Elem, nil)
			}
			return
		}
		open(b, name, rv, t)
		for i := 0; i < rv.Len(); i++ {
			WriteElement(b, member, rv.Index(i), t.Elem, nil)
		}
		closeTag(b, name)
	case shape.Map:
		key, value, flat := "key", "value", false
		if f != nil {
			key, value, flat = f.KeyName, f.ValueName, f.Flattened
		}
		if !flat {
			open(b, name, rv, t)
		}
		iter := rv.MapRange()
		for iter.Next() {
			entry := "entry"
			if flat {
				entry = name
			}
			b.WriteByte('<')
			b.WriteString(entry)
			b.WriteByte('>')
			b.WriteByte('<')
			b.WriteString(key)
			b.WriteByte('>')
			Escape(b, iter.Key().String())
			closeTag(b, key)
			WriteElement(b, value, iter.Value(), t.Elem, nil)
			closeTag(b, entry)
		}
		if !flat {
			closeTag(b, name)
		}
	case shape.Structure:
		open(b, name, rv, t)
		writeFields(b, rv, t)
		closeTag(b, name)
	default:
		b.WriteByte('<')
		b.WriteString(name)
		if f != nil && f.XMLNamespace != "" {
			b.WriteString(` xmlns="`)
			Escape(b, f.XMLNamespace)
			b.WriteByte('"')
		}
		b.WriteByte('>')
		Escape(b, scalarText(rv, t, f))
		closeTag(b, name)
	}
}

func scalarText(rv reflect.Value, t *shape.Type, f *shape.Field) string {
	if t.Kind == shape.Timestamp {
		format := shape.ISO8601
		if f != nil && f.TimestampFormat != "" {
			format = f.TimestampFormat
		}
		return shape.FormatTime(rv.Interface().(time.Time), format)
	}
	if t.Kind == shape.Float {
		return shape.FormatFloat(rv.Float())
	}
	if t.Kind == shape.Document {
		return string(rv.Bytes())
	}
	return shape.Text(rv, t, "")
}

// open writes a start tag with the struct's XML attributes, if any.
func open(b *bytes.Buffer, name string, rv reflect.Value, t *shape.Type) {
	b.WriteByte('<')
	b.WriteString(name)
	if t.Kind == shape.Structure {
		for _, f := range t.Fields {
			if !f.XMLAttribute {
				continue
			}
			fv := rv.Field(f.Index)
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Pointer {
				continue
			}
			if prefix, _, ok := strings.Cut(f.XMLName, ":"); ok && f.XMLNamespace != "" {
				// A prefixed attribute (S3's xsi:type) needs its
				// prefix declared, or XML parsers reject the document.
				b.WriteString(` xmlns:`)
				b.WriteString(prefix)
				b.WriteString(`="`)
				Escape(b, f.XMLNamespace)
				b.WriteByte('"')
			}
			b.WriteByte(' ')
			b.WriteString(f.XMLName)
			b.WriteString(`="`)
			Escape(b, scalarText(fv, f.Shape, f))
			b.WriteByte('"')
		}
	}
	b.WriteByte('>')
}

func closeTag(b *bytes.Buffer, name string) {
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

func writeFields(b *bytes.Buffer, rv reflect.Value, t *shape.Type) {
	for _, f := range t.Fields {
		if f.Loc != shape.Body || f.XMLAttribute {
			continue
		}
		fv := rv.Field(f.Index)
		switch fv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			if fv.IsNil() {
				continue
			}
		}
		WriteElement(b, f.XMLName, fv, f.Shape, f)
	}
}
