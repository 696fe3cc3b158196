// Package openapi reads OpenAPI and Swagger documents as API Gateway's
// importers need them: JSON or YAML decoded into plain maps, lists and
// scalars, local $ref pointers followed, and small readers for the values
// the extensions hold. What the documents mean is each importer's
// business (internal/apigateway for REST APIs, internal/apigatewayv2 for
// HTTP APIs).
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxDepth bounds a document's nesting, and maxRefs chains of $ref, which
// could otherwise loop.
const (
	maxDepth = 64
	maxRefs  = 16
)

// Decode parses a JSON or YAML document into maps with string keys, lists
// and scalars (JSON numbers stay json.Number).
func Decode(body []byte) (map[string]any, error) {
	var v any
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
	} else if err := yaml.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	m, ok := normalize(v, 0).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not an object")
	}
	return m, nil
}

// normalize turns YAML's maps with non-string keys (status codes written
// as numbers) into maps with string keys, and cuts nesting at maxDepth.
func normalize(v any, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e, depth+1)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = normalize(e, depth+1)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = normalize(e, depth+1)
		}
		return t
	}
	return v
}

// Resolve follows a {"$ref": "#/a/b"} within root to what it points at;
// anything else is returned as it is, and a chain too long is nil.
func Resolve(root map[string]any, v any) any {
	for range maxRefs {
		ref := Str(Obj(v)["$ref"])
		if !strings.HasPrefix(ref, "#/") {
			return v
		}
		var cur any = root
		for _, seg := range strings.Split(ref[2:], "/") {
			seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
			cur = Obj(cur)[seg]
		}
		v = cur
	}
	return nil
}

// Obj is v as an object, nil if it is not one.
func Obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// List is v as a list, nil if it is not one.
func List(v any) []any {
	l, _ := v.([]any)
	return l
}

// Str renders a scalar as a string ("" for anything else).
func Str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case int:
		return strconv.Itoa(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// Int reads a whole number written as a number or a string.
func Int(v any) (int64, bool) {
	n, err := strconv.ParseInt(Str(v), 10, 64)
	return n, err == nil
}

// StringMap reads an object of scalars; nil when it is empty or not one.
func StringMap(v any) map[string]string {
	m := Obj(v)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		out[k] = Str(e)
	}
	return out
}

// Strings reads a list of scalars, or one scalar as a list of one.
func Strings(v any) []string {
	if s := Str(v); s != "" {
		return []string{s}
	}
	var out []string
	for _, e := range List(v) {
		out = append(out, Str(e))
	}
	return out
}

// Encode writes a document as API Gateway's exports do: indented JSON,
// or YAML.
func Encode(doc map[string]any, asYAML bool) ([]byte, error) {
	if asYAML {
		return yaml.Marshal(doc)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// AnyList is a list of strings as a document holds it, for a writer.
func AnyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// AnyMap is a map of strings as a document holds it, for a writer.
func AnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
