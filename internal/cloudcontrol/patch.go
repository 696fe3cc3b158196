package cloudcontrol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// A patch is a JSON Patch document (RFC 6902): a list of operations,
// each with "op" (add, remove, replace, move, copy or test), a "path"
// (a JSON Pointer, RFC 6901), and "value" or "from" as the op needs.
// UpdateResource's PatchDocument is one, applied to the resource's
// properties.
type patchOp struct {
	Op    string
	Path  []string
	From  []string
	Value any
}

// parsePatch reads a JSON Patch document, refusing one that is not a
// list of well-formed operations.
func parsePatch(doc string) ([]patchOp, error) {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var raw []map[string]any
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the patch document is not a JSON array of operations: %v", err)
	}
	if d.More() {
		return nil, fmt.Errorf("the patch document has text after its array")
	}
	ops := make([]patchOp, 0, len(raw))
	for i, r := range raw {
		if r == nil {
			return nil, fmt.Errorf("operation %d is not an object", i)
		}
		op, _ := r["op"].(string)
		var o patchOp
		o.Op = op
		var err error
		path, ok := r["path"].(string)
		if !ok {
			return nil, fmt.Errorf("operation %d has no path", i)
		}
		if o.Path, err = parsePointer(path); err != nil {
			return nil, fmt.Errorf("operation %d: %v", i, err)
		}
		switch op {
		case "add", "replace", "test":
			v, ok := r["value"]
			if !ok {
				return nil, fmt.Errorf("operation %d (%s) has no value", i, op)
			}
			o.Value = v
		case "remove":
		case "move", "copy":
			from, ok := r["from"].(string)
			if !ok {
				return nil, fmt.Errorf("operation %d (%s) has no from", i, op)
			}
			if o.From, err = parsePointer(from); err != nil {
				return nil, fmt.Errorf("operation %d: %v", i, err)
			}
			if op == "move" && isPrefix(o.From, o.Path) && len(o.From) < len(o.Path) {
				return nil, fmt.Errorf("operation %d moves %s into itself", i, from)
			}
		default:
			return nil, fmt.Errorf("operation %d has an unknown op %q", i, op)
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// parsePointer splits a JSON Pointer into its reference tokens,
// unescaping ~1 to / and ~0 to ~.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return []string{}, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("path %q does not start with /", p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || (t[j+1] != '0' && t[j+1] != '1')) {
				return nil, fmt.Errorf("path %q has a ~ not followed by 0 or 1", p)
			}
		}
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

func isPrefix(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func pointerText(p []string) string {
	var b strings.Builder
	for _, t := range p {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// applyPatch applies ops to doc, all or nothing: doc is not changed; the
// result is a new document.
func applyPatch(doc map[string]any, ops []patchOp) (map[string]any, error) {
	var v any = resource.Clone(doc)
	var err error
	for i, o := range ops {
		switch o.Op {
		case "add":
			v, err = add(v, o.Path, resource.Clone(o.Value))
		case "remove":
			v, _, err = remove(v, o.Path)
		case "replace":
			if len(o.Path) == 0 { // the whole document
				v = resource.Clone(o.Value)
			} else if v, _, err = remove(v, o.Path); err == nil {
				v, err = add(v, o.Path, resource.Clone(o.Value))
			}
		case "move":
			var got any
			if v, got, err = remove(v, o.From); err == nil {
				v, err = add(v, o.Path, got)
			}
		case "copy":
			// Copies can double the document each; its size is bounded
			// before each one.
			var got any
			if got, err = get(v, o.From); err == nil {
				if values(v, maxValues)+values(got, maxValues) > maxValues {
					err = fmt.Errorf("the patched document would be too large")
				} else {
					v, err = add(v, o.Path, resource.Clone(got))
				}
			}
		case "test":
			var got any
			if got, err = get(v, o.Path); err == nil && !sameJSON(got, o.Value) {
				err = fmt.Errorf("the value at %s is not the one tested", pointerText(o.Path))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("operation %d (%s): %v", i, o.Op, err)
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the patched document is not an object")
	}
	return m, nil
}

// maxValues bounds the number of values (objects, arrays and scalars)
// in a patched document: a resource's model is at most 64 KiB of JSON
// (the API's ResourceModel), which holds fewer.
const maxValues = 1 << 16

// values counts the values in v, stopping past limit.
func values(v any, limit int) int {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if n += values(e, limit-n); n > limit {
				return n
			}
		}
	case []any:
		for _, e := range x {
			if n += values(e, limit-n); n > limit {
				return n
			}
		}
	}
	return n
}

// get is the value at path in v.
func get(v any, path []string) (any, error) {
	for i, t := range path {
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[t]
			if !ok {
				return nil, fmt.Errorf("%s does not exist", pointerText(path[:i+1]))
			}
			v = e
		case []any:
			n, err := index(t, len(x), false)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", pointerText(path[:i+1]), err)
			}
			v = x[n]
		default:
			return nil, fmt.Errorf("%s is not an object or array", pointerText(path[:i]))
		}
	}
	return v, nil
}

// index reads an array index token for an array of length n; "-" (the
// end) and n itself are allowed only where a value is added.
func index(t string, n int, adding bool) (int, error) {
	if adding && t == "-" {
		return n, nil
	}
	if t == "" || (len(t) > 1 && t[0] == '0') || strings.TrimLeft(t, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not an array index", t)
	}
	i, err := strconv.Atoi(t)
	if err != nil || i > n || (i == n && !adding) {
		return 0, fmt.Errorf("index %s is out of bounds", t)
	}
	return i, nil
}

// add sets the value at path, inserting into an array, and returns the
// document (a new root when path is the whole document).
func add(v any, path []string, val any) (any, error) { return put(v, path, val, true) }

// put sets the value at path: in an array, inserted before the element
// there (or at its end, "-") if insert, else in the element's place.
func put(v any, path []string, val any, insert bool) (any, error) {
	if len(path) == 0 {
		return val, nil
	}
	parent, err := get(v, path[:len(path)-1])
	if err != nil {
		return nil, err
	}
	last := path[len(path)-1]
	switch x := parent.(type) {
	case map[string]any:
		x[last] = val
		return v, nil
	case []any:
		i, err := index(last, len(x), insert)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", pointerText(path), err)
		}
		if !insert {
			x[i] = val
			return v, nil
		}
		return put(v, path[:len(path)-1], slices.Insert(x, i, val), false)
	}
	return nil, fmt.Errorf("%s is not an object or array", pointerText(path[:len(path)-1]))
}

// remove deletes the value at path, returning the document and the
// value removed.
func remove(v any, path []string) (any, any, error) {
	if len(path) == 0 {
		return nil, nil, fmt.Errorf("the whole document cannot be removed")
	}
	got, err := get(v, path)
	if err != nil {
		return nil, nil, err
	}
	parent, _ := get(v, path[:len(path)-1])
	switch x := parent.(type) {
	case map[string]any:
		delete(x, path[len(path)-1])
	case []any:
		i, _ := index(path[len(path)-1], len(x), false)
		v, err = put(v, path[:len(path)-1], slices.Delete(x, i, i+1), false)
	}
	return v, got, err
}

// sameJSON compares two JSON values as a test operation does: numbers by
// value, objects regardless of key order.
func sameJSON(a, b any) bool {
	switch a.(type) {
	case map[string]any, []any:
		return resource.Equal(a, b)
	}
	switch b.(type) {
	case map[string]any, []any:
		return false
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if bytes.Equal(ja, jb) {
		return true
	}
	na, aok := a.(json.Number)
	nb, bok := b.(json.Number)
	if aok && bok {
		fa, e1 := na.Float64()
		fb, e2 := nb.Float64()
		return e1 == nil && e2 == nil && fa == fb
	}
	return false
}
