package apigateway

import (
	"strconv"
	"strings"
)

// API Gateway's Update operations take JSON Patch operations (RFC 6902)
// whose paths name the members they change: "/name", "/variables/env",
// "/binaryMediaTypes/image~1png" ("~1" stands for "/" and "~0" for "~"
// inside a segment). Each Update handler switches on the operation and
// the parsed path; this file parses and checks them.

// patch is one parsed patch operation.
type patch struct {
	op    string   // add, remove, replace, move or copy
	path  string   // as the client sent it, for messages
	segs  []string // the path's segments, unescaped
	value *string
	from  string
}

// parsePatches checks and parses an Update call's operations.
func parsePatches(ops []PatchOperation) ([]patch, error) {
	out := make([]patch, 0, len(ops))
	for _, o := range ops {
		var p patch
		if o.Op != nil {
			p.op = string(*o.Op)
		}
		if o.Path != nil {
			p.path = *o.Path
		}
		p.value = o.Value
		if o.From != nil {
			p.from = *o.From
		}
		switch p.op {
		case "add", "remove", "replace", "move", "copy":
		default: // "test" included, which API Gateway does not support
			return nil, badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'|'move'|'copy'")
		}
		segs, ok := splitPatchPath(p.path)
		if !ok {
			return nil, badRequest("Invalid patch path %s", p.path)
		}
		p.segs = segs
		out = append(out, p)
	}
	return out, nil
}

// splitPatchPath splits a JSON Pointer ("/a/b~1c") into its unescaped
// segments (["a", "b/c"]). It reports false for a path that does not start
// with "/" or holds a "~" not followed by "0" or "1".
func splitPatchPath(path string) ([]string, bool) {
	if !strings.HasPrefix(path, "/") {
		return nil, false
	}
	raw := strings.Split(path[1:], "/")
	segs := make([]string, len(raw))
	for i, r := range raw {
		var b strings.Builder
		for j := 0; j < len(r); j++ {
			if r[j] != '~' {
				b.WriteByte(r[j])
				continue
			}
			if j+1 >= len(r) {
				return nil, false
			}
			switch r[j+1] {
			case '0':
				b.WriteByte('~')
			case '1':
				b.WriteByte('/')
			default:
				return nil, false
			}
			j++
		}
		segs[i] = b.String()
	}
	return segs, true
}

// is reports whether the patch's path is exactly the given segments.
func (p patch) is(segs ...string) bool {
	if len(p.segs) != len(segs) {
		return false
	}
	for i := range segs {
		if p.segs[i] != segs[i] {
			return false
		}
	}
	return true
}

// under reports whether the path is prefix followed by exactly one more
// segment, and returns that segment ("/variables/env" under "variables"
// is "env").
func (p patch) under(prefix string) (string, bool) {
	if len(p.segs) != 2 || p.segs[0] != prefix || p.segs[1] == "" {
		return "", false
	}
	return p.segs[1], true
}

// str is the patch's value, "" when it has none.
func (p patch) str() string {
	if p.value == nil {
		return ""
	}
	return *p.value
}

// invalid is the error for a path the entity has no member at, or an
// operation the member does not support.
func (p patch) invalid() error {
	if p.op == "replace" || p.op == "add" || p.op == "remove" {
		return badRequest("Invalid patch path %s", p.path)
	}
	return badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
}

// boolValue parses the value of a boolean member, as "true" or "false".
func (p patch) boolValue() (bool, error) {
	b, err := strconv.ParseBool(strings.ToLower(p.str()))
	if err != nil {
		return false, badRequest("Invalid value specified for %s: %q; expected a boolean", p.path, p.str())
	}
	return b, nil
}

// intValue parses the value of an integer member.
func (p patch) intValue() (int32, error) {
	n, err := strconv.ParseInt(p.str(), 10, 32)
	if err != nil {
		return 0, badRequest("Invalid value specified for %s: %q; expected an integer", p.path, p.str())
	}
	return int32(n), nil
}

// applyMapPatch applies an add, replace or remove of one entry of a
// string map.
func applyMapPatch(m *map[string]string, p patch, key string) error {
	switch p.op {
	case "add", "replace":
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[key] = p.str()
	case "remove":
		delete(*m, key)
		if len(*m) == 0 {
			*m = nil
		}
	default:
		return p.invalid()
	}
	return nil
}

// applyListPatch applies an add or remove of one value of a string list
// whose path names the value ("/binaryMediaTypes/image~1png"), or a
// replace of one value by the patch's value.
func applyListPatch(list *[]string, p patch, item string) error {
	i := indexOf(*list, item)
	switch p.op {
	case "add":
		if i < 0 {
			*list = append(*list, item)
		}
	case "remove":
		if i >= 0 {
			*list = append((*list)[:i], (*list)[i+1:]...)
		}
	case "replace":
		if i < 0 {
			return badRequest("Invalid patch path %s", p.path)
		}
		// AWS moves the replaced value to the end of the list.
		*list = append((*list)[:i], (*list)[i+1:]...)
		*list = append(*list, p.str())
	default:
		return p.invalid()
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
