// Package langext is CloudFormation's AWS::LanguageExtensions transform:
// it expands Fn::ForEach loops and resolves the DeletionPolicy and
// UpdateReplacePolicy attributes that name a parameter.
//
// A loop is a key "Fn::ForEach::NAME" in the Resources, Conditions or
// Outputs section, or in any map below them (a resource's Properties),
// whose value is [IDENTIFIER, COLLECTION, {OUTPUT_KEY: FRAGMENT, ...}].
// COLLECTION is a list of strings or a Ref to a parameter holding a
// comma-delimited list. For each of its values the output keys and
// fragments are copied into the map that holds the loop, with
// ${IDENTIFIER} replaced by the value in every string, &{IDENTIFIER} by
// the value without its non-alphanumeric characters (for logical IDs),
// and {"Ref": IDENTIFIER} by the value; loops nest. Fn::Length,
// Fn::ToJsonString and Fn::FindInMap's DefaultValue, which the transform
// also brings, are evaluated with the template's other functions
// (package template).
//
// What it must not do: evaluate anything else. Not supported: a
// COLLECTION given by another intrinsic function than Ref (Fn::GetAZs,
// Fn::FindInMap, Fn::Split), loops in other sections.
package langext

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Name is the transform's name.
const Name = "AWS::LanguageExtensions"

// loopPrefix starts the key of a loop.
const loopPrefix = "Fn::ForEach::"

// maxDepth bounds the nesting of maps and lists the transform walks.
const maxDepth = 200

// Error is a template the transform cannot process, worded as
// CloudFormation words its transform failures.
type Error struct{ msg string }

func (e *Error) Error() string { return "Transform " + Name + " failed with: " + e.msg }

func errorf(format string, args ...any) error { return &Error{fmt.Sprintf(format, args...)} }

// Transform expands tree's loops, in place, and returns it. params are
// the values the operation gives the template's parameters; one not
// given takes its Default.
func Transform(tree map[string]any, params map[string]string) (map[string]any, error) {
	x := expander{params: map[string]string{}}
	decls, _ := tree["Parameters"].(map[string]any)
	for name, d := range decls {
		if def, ok := asMap(d)["Default"]; ok {
			x.params[name] = fmt.Sprint(def)
		}
	}
	maps.Copy(x.params, params)
	for _, section := range []string{"Conditions", "Resources", "Outputs"} {
		m, ok := tree[section].(map[string]any)
		if !ok {
			continue
		}
		if err := x.expand(m, 0); err != nil {
			return nil, err
		}
	}
	if res, ok := tree["Resources"].(map[string]any); ok {
		for id, r := range res {
			r := asMap(r)
			for _, attr := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				ref, ok := asMap(r[attr])["Ref"].(string)
				if !ok || len(asMap(r[attr])) != 1 {
					continue
				}
				v, ok := x.params[ref]
				if !ok {
					return nil, errorf("%s of resource %s names %s, which is not a parameter", attr, id, ref)
				}
				r[attr] = v
			}
		}
	}
	return tree, nil
}

type expander struct {
	params map[string]string
}

// expand expands the loops of m and of every map below it.
func (x *expander) expand(m map[string]any, depth int) error {
	if depth > maxDepth {
		return errorf("the template nests too deeply")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !strings.HasPrefix(k, loopPrefix) {
			continue
		}
		out, err := x.loop(k, m[k])
		if err != nil {
			return err
		}
		delete(m, k)
		for _, ok := range slices.Sorted(maps.Keys(out)) {
			if _, dup := m[ok]; dup {
				return errorf("%s makes the key %s, which is already defined", k, ok)
			}
			m[ok] = out[ok]
		}
	}
	for _, v := range m {
		if err := x.walk(v, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (x *expander) walk(v any, depth int) error {
	switch v := v.(type) {
	case map[string]any:
		return x.expand(v, depth)
	case []any:
		if depth > maxDepth {
			return errorf("the template nests too deeply")
		}
		for _, e := range v {
			if err := x.walk(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// loop is one loop's output: its keys and fragments for every value of
// its collection.
func (x *expander) loop(key string, v any) (map[string]any, error) {
	args, ok := v.([]any)
	if !ok || len(args) != 3 {
		return nil, errorf("%s must be a list of an identifier, a collection and an output map", key)
	}
	id, ok := args[0].(string)
	if !ok || id == "" {
		return nil, errorf("the identifier of %s must be a string", key)
	}
	values, err := x.collection(key, args[1])
	if err != nil {
		return nil, err
	}
	body, ok := args[2].(map[string]any)
	if !ok {
		return nil, errorf("the output of %s must be a map", key)
	}
	out := map[string]any{}
	for _, value := range values {
		// One iteration's output, its own loops (named alike in every
		// iteration) expanded before it joins the others'.
		one := map[string]any{}
		for _, ok := range slices.Sorted(maps.Keys(body)) {
			one[replace(ok, id, value)] = substitute(body[ok], id, value, 0)
		}
		if err := x.expand(one, 1); err != nil {
			return nil, err
		}
		for _, name := range slices.Sorted(maps.Keys(one)) {
			if _, dup := out[name]; dup {
				return nil, errorf("%s makes the key %s twice", key, name)
			}
			out[name] = one[name]
		}
	}
	return out, nil
}

// collection is the values a loop iterates over.
func (x *expander) collection(key string, v any) ([]string, error) {
	switch c := v.(type) {
	case []any:
		out := make([]string, 0, len(c))
		for _, e := range c {
			s, ok := e.(string)
			if !ok {
				return nil, errorf("the collection of %s must be a list of strings", key)
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		if ref, ok := c["Ref"].(string); ok && len(c) == 1 {
			p, ok := x.params[ref]
			if !ok {
				return nil, errorf("the collection of %s names %s, which is not a parameter", key, ref)
			}
			if p == "" {
				return nil, nil
			}
			parts := strings.Split(p, ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			return parts, nil
		}
	}
	return nil, errorf("the collection of %s must be a list of strings or a Ref to a parameter", key)
}

// substitute copies v with the identifier replaced by value.
func substitute(v any, id, value string, depth int) any {
	if depth > maxDepth {
		return v
	}
	switch v := v.(type) {
	case string:
		return replace(v, id, value)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = substitute(e, id, value, depth+1)
		}
		return out
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 && ref == id {
			return value
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[replace(k, id, value)] = substitute(e, id, value, depth+1)
		}
		return out
	}
	return v
}

// replace replaces ${id} with value and &{id} with value's letters and
// digits in s.
func replace(s, id, value string) string {
	s = strings.ReplaceAll(s, "${"+id+"}", value)
	return strings.ReplaceAll(s, "&{"+id+"}", alphanumeric(value))
}

func alphanumeric(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
