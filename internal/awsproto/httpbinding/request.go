package httpbinding

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/virga/virga/internal/awsproto/shape"
)

// BindError is a URI label, query parameter or header whose value does
// not convert to its member's type.
type BindError struct {
	// Where is "label", "query" or "header"; Name is its name.
	Where, Name string
	// Value is the offending text.
	Value string
	// Kind is the member's type.
	Kind shape.Kind
}

func (e *BindError) Error() string {
	return fmt.Sprintf("Value '%s' for %s '%s' cannot be converted to %s", e.Value, e.Where, e.Name, e.Kind)
}

// DecodeRequest fills in the members of v, the input struct (addressable),
// that travel outside the body: URI labels from params (as Router.Match
// returned them), query parameters and headers from r. A blob, string,
// document or stream payload is set to the raw body.
//
// It returns where the protocol is to decode the body: v itself when v
// has body members, the payload structure when v has one and the body is
// not empty, or an invalid Value when there is nothing to decode.
func DecodeRequest(r *http.Request, body []byte, params map[string]string, v reflect.Value) (reflect.Value, error) {
	p := PlanOf(v.Type())
	for _, f := range p.Labels {
		s, ok := params[f.LocName]
		if !ok {
			continue
		}
		if err := setText(v.Field(f.Index), f, s, shape.ISO8601); err != nil {
			return reflect.Value{}, &BindError{Where: "label", Name: f.LocName, Value: s, Kind: f.Shape.Kind}
		}
	}
	if len(p.Query) > 0 || p.QueryMap != nil {
		query, _ := url.ParseQuery(r.URL.RawQuery) // a malformed pair is dropped, as AWS does
		if err := decodeQuery(v, p, query); err != nil {
			return reflect.Value{}, err
		}
	}
	for _, f := range p.Headers {
		vs, ok := r.Header[http.CanonicalHeaderKey(f.LocName)]
		if !ok {
			continue
		}
		if err := decodeHeader(v.Field(f.Index), f, strings.Join(vs, ", ")); err != nil {
			return reflect.Value{}, err
		}
	}
	for _, f := range p.HeaderMaps {
		decodeHeaderMap(v.Field(f.Index), f, r.Header)
	}
	if f := p.Payload; f != nil {
		fv := v.Field(f.Index)
		switch f.Shape.Kind {
		case shape.Stream:
			fv.Set(reflect.ValueOf(io.NopCloser(bytes.NewReader(body))))
		case shape.Structure:
			if len(body) > 0 {
				return shape.Settable(fv), nil
			}
		default: // blob, string, document
			if len(body) > 0 {
				t := shape.Settable(fv)
				if t.Kind() == reflect.String {
					t.SetString(string(body))
				} else {
					t.SetBytes(bytes.Clone(body))
				}
			}
		}
		return reflect.Value{}, nil
	}
	if p.HasBody {
		return v, nil
	}
	return reflect.Value{}, nil
}

// setText assigns the text form of a scalar to the member value fv.
func setText(fv reflect.Value, f *shape.Field, s, defaultFormat string) error {
	format := defaultFormat
	if f.TimestampFormat != "" {
		format = f.TimestampFormat
	}
	// Assign into a fresh value, so a failed conversion leaves fv as it was.
	nv := reflect.New(fv.Type()).Elem()
	if err := shape.SetText(shape.Settable(nv), f.Shape, s, format); err != nil {
		return err
	}
	fv.Set(nv)
	return nil
}

func decodeQuery(v reflect.Value, p *Plan, query url.Values) error {
	for _, f := range p.Query {
		vs, ok := query[f.LocName]
		if !ok || len(vs) == 0 {
			continue
		}
		fv := v.Field(f.Index)
		if f.Shape.Kind != shape.List {
			if err := setText(fv, f, vs[0], shape.ISO8601); err != nil {
				return &BindError{Where: "query", Name: f.LocName, Value: vs[0], Kind: f.Shape.Kind}
			}
			continue
		}
		list, err := textList(fv.Type(), f, vs, shape.ISO8601)
		if err != nil {
			return &BindError{Where: "query", Name: f.LocName, Value: err.Error(), Kind: f.Shape.Elem.Kind}
		}
		fv.Set(list)
	}
	if f := p.QueryMap; f != nil && len(query) > 0 {
		// Smithy: servers put every query parameter in the map, including
		// those bound to members of their own.
		fv := v.Field(f.Index)
		m := reflect.MakeMapWithSize(fv.Type(), len(query))
		list := f.Shape.Elem.Kind == shape.List
		for k, vs := range query {
			if len(vs) == 0 {
				continue
			}
			ev := reflect.New(fv.Type().Elem()).Elem()
			t := shape.Settable(ev)
			if list {
				s := reflect.MakeSlice(t.Type(), len(vs), len(vs))
				for i, x := range vs {
					shape.Settable(s.Index(i)).SetString(x)
				}
				t.Set(s)
			} else {
				t.SetString(vs[0])
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(fv.Type().Key()), ev)
		}
		fv.Set(m)
	}
	return nil
}

// textList converts the text items of a list member. An item that does not
// convert is returned as the error's text.
func textList(lt reflect.Type, f *shape.Field, items []string, defaultFormat string) (reflect.Value, error) {
	format := defaultFormat
	if f.TimestampFormat != "" {
		format = f.TimestampFormat
	}
	list := reflect.MakeSlice(lt, len(items), len(items))
	for i, s := range items {
		if err := shape.SetText(shape.Settable(list.Index(i)), f.Shape.Elem, s, format); err != nil {
			return reflect.Value{}, fmt.Errorf("%s", s)
		}
	}
	return list, nil
}

func decodeHeader(fv reflect.Value, f *shape.Field, s string) error {
	if f.Shape.Kind != shape.List {
		if s == "" && f.Shape.Kind != shape.String {
			return nil // an empty header is an absent one, unless it is a string
		}
		if f.Shape.Kind != shape.String && f.Shape.Kind != shape.Blob {
			s = strings.TrimSpace(s)
		}
		if err := setText(fv, f, s, shape.RFC822); err != nil {
			return &BindError{Where: "header", Name: f.LocName, Value: s, Kind: f.Shape.Kind}
		}
		return nil
	}
	format := shape.RFC822
	if f.TimestampFormat != "" {
		format = f.TimestampFormat
	}
	items := SplitHeaderList(s)
	if f.Shape.Elem.Kind == shape.Timestamp && format == shape.RFC822 {
		items = joinHTTPDates(items)
	}
	list, err := textList(fv.Type(), f, items, shape.RFC822)
	if err != nil {
		return &BindError{Where: "header", Name: f.LocName, Value: err.Error(), Kind: f.Shape.Elem.Kind}
	}
	fv.Set(list)
	return nil
}

// decodeHeaderMap collects the headers that start with the member's prefix
// (all headers for an empty prefix) into a map keyed by the rest of the
// name, in lower case.
func decodeHeaderMap(fv reflect.Value, f *shape.Field, h http.Header) {
	prefix := strings.ToLower(f.LocName)
	var m reflect.Value
	for k, vs := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, prefix) || len(lk) == len(prefix) {
			continue
		}
		if !m.IsValid() {
			m = reflect.MakeMap(fv.Type())
		}
		ev := reflect.New(fv.Type().Elem()).Elem()
		shape.Settable(ev).SetString(strings.Join(vs, ", "))
		m.SetMapIndex(reflect.ValueOf(lk[len(prefix):]).Convert(fv.Type().Key()), ev)
	}
	if m.IsValid() {
		fv.Set(m)
	}
}

// SplitHeaderList splits a header carrying a list: items are separated by
// commas; an item in double quotes may contain commas, and backslash
// escapes the next character inside quotes. Whitespace around items is
// dropped. An empty header is an empty list.
func SplitHeaderList(s string) []string {
	items := []string{}
	if strings.TrimSpace(s) == "" {
		return items
	}
	var b strings.Builder
	inQuotes, quoted := false, false
	flush := func() {
		item := b.String()
		if !quoted {
			item = strings.TrimSpace(item)
		}
		items = append(items, item)
		b.Reset()
		quoted = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuotes && c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case inQuotes && c == '"':
			inQuotes = false
		case !inQuotes && c == '"' && strings.TrimSpace(b.String()) == "":
			b.Reset()
			inQuotes, quoted = true, true
		case !inQuotes && c == ',':
			flush()
		case quoted && !inQuotes && (c == ' ' || c == '\t'):
			// whitespace after a closing quote
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return items
}

// joinHTTPDates rejoins the halves of HTTP dates, which contain a comma
// of their own ("Mon, 16 Dec 2019 23:48:18 GMT").
func joinHTTPDates(items []string) []string {
	out := items[:0:0]
	for i := 0; i < len(items); i++ {
		if i+1 < len(items) && len(items[i]) == 3 {
			out = append(out, items[i]+", "+items[i+1])
			i++
			continue
		}
		out = append(out, items[i])
	}
	return out
}
