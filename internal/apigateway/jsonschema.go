package apigateway

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Models are JSON Schema draft 4 documents; a method's request validator
// checks a request body against its model (requestvalidation.go). This
// file is the validator: the draft's validation keywords (type, enum,
// the numeric, string, array and object constraints, allOf, anyOf,
// oneOf, not) and references to other models of the API. Keywords it
// does not know (format among them) constrain nothing, as the draft says
// of unknown keywords.

// schemaResolver finds the schema a $ref names.
type schemaResolver func(ref string) (any, bool)

// maxSchemaDepth bounds how deep references and nesting are followed,
// for schemas that refer to themselves.
const maxSchemaDepth = 64

// validJSON reports whether doc, a document decoded with UseNumber,
// satisfies schema.
func validJSON(schema, doc any, resolve schemaResolver) bool {
	return validAt(schema, doc, resolve, 0)
}

func validAt(schema, doc any, resolve schemaResolver, depth int) bool {
	if depth > maxSchemaDepth {
		return false
	}
	s, ok := schema.(map[string]any)
	if !ok {
		return true // an empty or malformed schema constrains nothing
	}
	if ref, ok := s["$ref"].(string); ok {
		target, ok := resolve(ref)
		if !ok {
			return false
		}
		return validAt(target, doc, resolve, depth+1)
	}
	if t, ok := s["type"]; ok && !typeMatches(t, doc) {
		return false
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, v := range e {
			if jsonEqual(v, doc) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for _, sub := range list(s["allOf"]) {
		if !validAt(sub, doc, resolve, depth+1) {
			return false
		}
	}
	if subs := list(s["anyOf"]); len(subs) > 0 {
		any := false
		for _, sub := range subs {
			if validAt(sub, doc, resolve, depth+1) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	if subs := list(s["oneOf"]); len(subs) > 0 {
		n := 0
		for _, sub := range subs {
			if validAt(sub, doc, resolve, depth+1) {
				n++
			}
		}
		if n != 1 {
			return false
		}
	}
	if not, ok := s["not"]; ok && validAt(not, doc, resolve, depth+1) {
		return false
	}
	switch v := doc.(type) {
	case json.Number:
		return validNumber(s, v)
	case string:
		return validString(s, v)
	case []any:
		return validArray(s, v, resolve, depth)
	case map[string]any:
		return validObject(s, v, resolve, depth)
	}
	return true
}

// typeMatches checks the type keyword: a name or a list of names.
func typeMatches(t, doc any) bool {
	names := []any{t}
	if l, ok := t.([]any); ok {
		names = l
	}
	for _, n := range names {
		name, _ := n.(string)
		switch v := doc.(type) {
		case nil:
			if name == "null" {
				return true
			}
		case bool:
			if name == "boolean" {
				return true
			}
		case string:
			if name == "string" {
				return true
			}
		case []any:
			if name == "array" {
				return true
			}
		case map[string]any:
			if name == "object" {
				return true
			}
		case json.Number:
			if name == "number" {
				return true
			}
			if name == "integer" {
				if r, ok := new(big.Rat).SetString(v.String()); ok && r.IsInt() {
					return true
				}
			}
		}
	}
	return false
}

func validNumber(s map[string]any, v json.Number) bool {
	x, err := v.Float64()
	if err != nil {
		return false
	}
	if m, ok := schemaNumber(s["multipleOf"]); ok && m > 0 {
		if q := x / m; math.Abs(q-math.Round(q)) > 1e-9 {
			return false
		}
	}
	if max, ok := schemaNumber(s["maximum"]); ok {
		if x > max || (s["exclusiveMaximum"] == true && x == max) {
			return false
		}
	}
	if min, ok := schemaNumber(s["minimum"]); ok {
		if x < min || (s["exclusiveMinimum"] == true && x == min) {
			return false
		}
	}
	return true
}

func validString(s map[string]any, v string) bool {
	n := utf8.RuneCountInString(v)
	if max, ok := schemaNumber(s["maxLength"]); ok && float64(n) > max {
		return false
	}
	if min, ok := schemaNumber(s["minLength"]); ok && float64(n) < min {
		return false
	}
	if p, ok := s["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		if err != nil || !re.MatchString(v) {
			return false
		}
	}
	return true
}

func validArray(s map[string]any, v []any, resolve schemaResolver, depth int) bool {
	if max, ok := schemaNumber(s["maxItems"]); ok && float64(len(v)) > max {
		return false
	}
	if min, ok := schemaNumber(s["minItems"]); ok && float64(len(v)) < min {
		return false
	}
	if s["uniqueItems"] == true {
		for i := range v {
			for j := i + 1; j < len(v); j++ {
				if jsonEqual(v[i], v[j]) {
					return false
				}
			}
		}
	}
	switch items := s["items"].(type) {
	case map[string]any:
		for _, e := range v {
			if !validAt(items, e, resolve, depth+1) {
				return false
			}
		}
	case []any:
		for i, e := range v {
			if i < len(items) {
				if !validAt(items[i], e, resolve, depth+1) {
					return false
				}
			} else if !validExtra(s["additionalItems"], e, resolve, depth) {
				return false
			}
		}
	}
	return true
}

func validObject(s map[string]any, v map[string]any, resolve schemaResolver, depth int) bool {
	if max, ok := schemaNumber(s["maxProperties"]); ok && float64(len(v)) > max {
		return false
	}
	if min, ok := schemaNumber(s["minProperties"]); ok && float64(len(v)) < min {
		return false
	}
	for _, r := range list(s["required"]) {
		if name, ok := r.(string); ok {
			if _, present := v[name]; !present {
				return false
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	patterns, _ := s["patternProperties"].(map[string]any)
	for name, value := range v {
		matched := false
		if sub, ok := props[name]; ok {
			matched = true
			if !validAt(sub, value, resolve, depth+1) {
				return false
			}
		}
		for p, sub := range patterns {
			re, err := regexp.Compile(p)
			if err != nil {
				return false
			}
			if re.MatchString(name) {
				matched = true
				if !validAt(sub, value, resolve, depth+1) {
					return false
				}
			}
		}
		if !matched && !validExtra(s["additionalProperties"], value, resolve, depth) {
			return false
		}
	}
	if deps, ok := s["dependencies"].(map[string]any); ok {
		for name, dep := range deps {
			if _, present := v[name]; !present {
				continue
			}
			if l, ok := dep.([]any); ok {
				for _, r := range l {
					if other, ok := r.(string); ok {
						if _, present := v[other]; !present {
							return false
						}
					}
				}
			} else if !validAt(dep, v, resolve, depth+1) {
				return false
			}
		}
	}
	return true
}

// validExtra checks a member that no other keyword names against
// additionalProperties or additionalItems: true or absent allows it,
// false refuses it, a schema constrains it.
func validExtra(rule, value any, resolve schemaResolver, depth int) bool {
	switch r := rule.(type) {
	case nil:
		return true
	case bool:
		return r
	}
	return validAt(rule, value, resolve, depth+1)
}

// schemaNumber reads a numeric keyword.
func schemaNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// jsonEqual compares two decoded JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number, float64, int, int64:
		fa, ok1 := schemaNumber(x)
		fb, ok2 := schemaNumber(b)
		return ok1 && ok2 && fa == fb
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// modelRef is the name of the model a $ref names: "#/definitions/Name",
// "#/components/schemas/Name", or an API Gateway model URL ending in
// "/models/Name".
func modelRef(ref string) string {
	for _, p := range []string{"#/definitions/", "#/components/schemas/"} {
		if name, ok := strings.CutPrefix(ref, p); ok {
			return name
		}
	}
	if i := strings.LastIndex(ref, "/models/"); i >= 0 {
		return ref[i+len("/models/"):]
	}
	return ""
}

// draft4Types are the primitive types JSON Schema draft 4 names.
var draft4Types = map[string]bool{"array": true, "boolean": true, "integer": true, "null": true,
	"number": true, "object": true, "string": true}

// validSchema reports whether s, a document decoded with UseNumber, is a
// JSON Schema draft 4 schema as API Gateway accepts a model's: an
// object whose keywords, where this validator reads them, have the form
// the draft's meta-schema gives them (a required list with at least one
// unique name, a type among the draft's, a non-empty enum, schemas
// where schemas go, non-negative integers for the length and count
// bounds, a positive multipleOf, patterns that compile). Keywords it
// does not know are allowed, as the draft allows them.
func validSchema(s any) bool { return validSchemaAt(s, 0) }

func validSchemaAt(schema any, depth int) bool {
	s, ok := schema.(map[string]any)
	if !ok || depth > maxSchemaDepth {
		return false
	}
	if ref, ok := s["$ref"]; ok {
		if _, ok := ref.(string); !ok {
			return false
		}
	}
	if t, ok := s["type"]; ok && !validTypeKeyword(t) {
		return false
	}
	if e, ok := s["enum"]; ok && !uniqueList(e, false) {
		return false
	}
	if r, ok := s["required"]; ok && !uniqueList(r, true) {
		return false
	}
	for _, k := range []string{"maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"} {
		if v, ok := s[k]; ok {
			n, isNumber := v.(json.Number)
			if i, err := n.Int64(); !isNumber || err != nil || i < 0 {
				return false
			}
		}
	}
	for _, k := range []string{"maximum", "minimum"} {
		if v, ok := s[k]; ok {
			if _, ok := v.(json.Number); !ok {
				return false
			}
		}
	}
	for _, k := range []string{"exclusiveMaximum", "exclusiveMinimum", "uniqueItems"} {
		if v, ok := s[k]; ok {
			if _, ok := v.(bool); !ok {
				return false
			}
		}
	}
	if v, ok := s["multipleOf"]; ok {
		if m, ok := schemaNumber(v); !ok || m <= 0 {
			return false
		}
	}
	if v, ok := s["pattern"]; ok {
		p, isString := v.(string)
		if _, err := regexp.Compile(p); !isString || err != nil {
			return false
		}
	}
	for _, k := range []string{"properties", "patternProperties", "definitions"} {
		if v, ok := s[k]; ok {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			for name, sub := range m {
				if k == "patternProperties" {
					if _, err := regexp.Compile(name); err != nil {
						return false
					}
				}
				if !validSchemaAt(sub, depth+1) {
					return false
				}
			}
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if v, ok := s[k]; ok {
			subs, ok := v.([]any)
			if !ok || len(subs) == 0 {
				return false
			}
			for _, sub := range subs {
				if !validSchemaAt(sub, depth+1) {
					return false
				}
			}
		}
	}
	if v, ok := s["not"]; ok && !validSchemaAt(v, depth+1) {
		return false
	}
	for _, k := range []string{"additionalProperties", "additionalItems"} {
		if v, ok := s[k]; ok {
			if _, isBool := v.(bool); !isBool && !validSchemaAt(v, depth+1) {
				return false
			}
		}
	}
	switch items := s["items"].(type) {
	case nil:
	case []any:
		for _, sub := range items {
			if !validSchemaAt(sub, depth+1) {
				return false
			}
		}
	default:
		if !validSchemaAt(items, depth+1) {
			return false
		}
	}
	if v, ok := s["dependencies"]; ok {
		deps, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, dep := range deps {
			if _, isList := dep.([]any); isList {
				if !uniqueList(dep, true) {
					return false
				}
			} else if !validSchemaAt(dep, depth+1) {
				return false
			}
		}
	}
	return true
}

// validTypeKeyword checks type: one of the draft's type names, or a
// non-empty list of distinct ones.
func validTypeKeyword(t any) bool {
	if name, ok := t.(string); ok {
		return draft4Types[name]
	}
	if !uniqueList(t, true) {
		return false
	}
	for _, n := range t.([]any) {
		if !draft4Types[n.(string)] {
			return false
		}
	}
	return true
}

// uniqueList reports whether v is a non-empty list of distinct values,
// all strings when strs is set.
func uniqueList(v any, strs bool) bool {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return false
	}
	for i, e := range l {
		if _, isString := e.(string); strs && !isString {
			return false
		}
		for _, f := range l[:i] {
			if jsonEqual(e, f) {
				return false
			}
		}
	}
	return true
}
