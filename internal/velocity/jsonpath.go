package velocity

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONPath evaluates the JSONPath expressions mapping templates pass to
// $input.path and $input.json on a value decoded by ParseJSON: $ (the
// whole value), .name, ['name'], [n] (negative from the end), [*] and .*
// (every element), and ..name (every name at any depth). A path that
// selects nothing is nil; a path through a wildcard or ..name selects a
// *List.
func JSONPath(v any, path string) (any, error) {
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "$") {
		return nil, fmt.Errorf("JSONPath %q does not start with $", path)
	}
	cur := []any{v}
	multi := false
	rest := path[1:]
	for rest != "" {
		var next []any
		switch {
		case strings.HasPrefix(rest, ".."):
			rest = rest[2:]
			name, r := pathName(rest)
			if name == "" {
				return nil, fmt.Errorf("JSONPath %q: a name must follow ..", path)
			}
			rest = r
			for _, c := range cur {
				descend(c, name, &next)
			}
			multi = true
		case strings.HasPrefix(rest, ".*") || strings.HasPrefix(rest, "[*]"):
			if rest[0] == '.' {
				rest = rest[2:]
			} else {
				rest = rest[3:]
			}
			for _, c := range cur {
				next = append(next, children(c)...)
			}
			multi = true
		case rest[0] == '.':
			name, r := pathName(rest[1:])
			if name == "" {
				return nil, fmt.Errorf("JSONPath %q: a name must follow .", path)
			}
			rest = r
			for _, c := range cur {
				if m, ok := c.(*Map); ok {
					if x, ok := m.Get(name); ok {
						next = append(next, x)
					}
				}
			}
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("JSONPath %q: [ without ]", path)
			}
			sel := strings.TrimSpace(rest[1:end])
			rest = rest[end+1:]
			if len(sel) >= 2 && (sel[0] == '\'' || sel[0] == '"') && sel[len(sel)-1] == sel[0] {
				name := sel[1 : len(sel)-1]
				for _, c := range cur {
					if m, ok := c.(*Map); ok {
						if x, ok := m.Get(name); ok {
							next = append(next, x)
						}
					}
				}
				break
			}
			i, err := strconv.Atoi(sel)
			if err != nil {
				return nil, fmt.Errorf("JSONPath %q: unsupported selector [%s]", path, sel)
			}
			for _, c := range cur {
				if l, ok := c.(*List); ok {
					j := i
					if j < 0 {
						j += len(l.Items)
					}
					if j >= 0 && j < len(l.Items) {
						next = append(next, l.Items[j])
					}
				}
			}
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q", path, rest[0])
		}
		cur = next
	}
	if multi {
		return NewList(cur...), nil
	}
	if len(cur) == 0 {
		return nil, nil
	}
	return cur[0], nil
}

// pathName reads a member name up to the next '.' or '['.
func pathName(s string) (string, string) {
	i := strings.IndexAny(s, ".[")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

func children(v any) []any {
	switch v := v.(type) {
	case *Map:
		out := make([]any, 0, v.Len())
		for _, k := range v.Keys() {
			x, _ := v.Get(k)
			out = append(out, x)
		}
		return out
	case *List:
		return v.Items
	}
	return nil
}

func descend(v any, name string, out *[]any) {
	if m, ok := v.(*Map); ok {
		if x, ok := m.Get(name); ok {
			*out = append(*out, x)
		}
	}
	for _, c := range children(v) {
		descend(c, name, out)
	}
}
