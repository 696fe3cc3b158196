package asl

import (
	"fmt"
	"strconv"
	"strings"
)

// A Path is a parsed JSONPath as the States Language uses it: "$" and
// then any of .name, ['name'], [index], [*], .*, [start:end] and ..name.
// A reference path ("$.a.b[0]", which names one node) has no wildcard,
// slice or deep scan; ResultPath and a Choice rule's Variable must be
// reference paths.
type Path struct {
	src     string
	context bool // "$$": the context object
	steps   []step
}

type stepKind int

const (
	stepField stepKind = iota
	stepIndex
	stepWildcard
	stepSlice
	stepDeep // ..name
)

type step struct {
	kind       stepKind
	name       string
	index      int
	start, end *int
}

// String is the path as written.
func (p *Path) String() string { return p.src }

// IsReference reports whether p names at most one node.
func (p *Path) IsReference() bool {
	for _, s := range p.steps {
		if s.kind != stepField && s.kind != stepIndex {
			return false
		}
	}
	return true
}

// ParsePath parses a JSONPath that starts with "$" (or "$$" for the
// context object).
func ParsePath(src string) (*Path, error) {
	p := &Path{src: src}
	s := src
	switch {
	case strings.HasPrefix(s, "$$"):
		p.context, s = true, s[2:]
	case strings.HasPrefix(s, "$"):
		s = s[1:]
	default:
		return nil, fmt.Errorf("a path must start with '$'")
	}
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, ".."):
			name, rest := fieldName(s[2:])
			if name == "" {
				return nil, fmt.Errorf("a deep scan needs a field name")
			}
			p.steps = append(p.steps, step{kind: stepDeep, name: name})
			s = rest
		case strings.HasPrefix(s, ".["):
			// A dot before a bracket adds nothing: $.[0] is $[0], as
			// Step Functions' JSONPath (Jayway's) reads it.
			s = s[1:]
		case s[0] == '.':
			if strings.HasPrefix(s, ".*") {
				p.steps = append(p.steps, step{kind: stepWildcard})
				s = s[2:]
				continue
			}
			name, rest := fieldName(s[1:])
			if name == "" {
				return nil, fmt.Errorf("expected a field name after '.'")
			}
			p.steps = append(p.steps, step{kind: stepField, name: name})
			s = rest
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed '['")
			}
			in := strings.TrimSpace(s[1:end])
			if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') {
				// A quoted name may contain ']': find its closing quote.
				q := in[0]
				close := strings.IndexByte(s[2:], q)
				if close < 0 {
					return nil, fmt.Errorf("unclosed quote")
				}
				name := s[2 : 2+close]
				rest := strings.TrimLeft(s[2+close+1:], " ")
				if !strings.HasPrefix(rest, "]") {
					return nil, fmt.Errorf("expected ']' after a quoted name")
				}
				p.steps = append(p.steps, step{kind: stepField, name: name})
				s = rest[1:]
				continue
			}
			switch {
			case in == "*":
				p.steps = append(p.steps, step{kind: stepWildcard})
			case strings.Contains(in, ":"):
				a, b, _ := strings.Cut(in, ":")
				st := step{kind: stepSlice}
				if a = strings.TrimSpace(a); a != "" {
					n, err := strconv.Atoi(a)
					if err != nil {
						return nil, fmt.Errorf("bad slice start %q", a)
					}
					st.start = &n
				}
				if b = strings.TrimSpace(b); b != "" {
					n, err := strconv.Atoi(b)
					if err != nil {
						return nil, fmt.Errorf("bad slice end %q", b)
					}
					st.end = &n
				}
				p.steps = append(p.steps, st)
			default:
				n, err := strconv.Atoi(in)
				if err != nil {
					return nil, fmt.Errorf("bad index %q", in)
				}
				p.steps = append(p.steps, step{kind: stepIndex, index: n})
			}
			s = s[end+1:]
		default:
			return nil, fmt.Errorf("unexpected %q", s[:1])
		}
	}
	return p, nil
}

// fieldName reads a dot-notation name: up to the next '.' or '['.
func fieldName(s string) (name, rest string) {
	i := strings.IndexAny(s, ".[")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// canonical renders the path as Step Functions shows it in error
// causes: $['a']['b'][0].
func (p *Path) canonical() string {
	var b strings.Builder
	b.WriteString("$")
	if p.context {
		b.WriteString("$")
	}
	for _, s := range p.steps {
		switch s.kind {
		case stepField:
			b.WriteString("['" + s.name + "']")
		case stepIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case stepWildcard:
			b.WriteString("[*]")
		case stepSlice:
			b.WriteString("[")
			if s.start != nil {
				b.WriteString(strconv.Itoa(*s.start))
			}
			b.WriteString(":")
			if s.end != nil {
				b.WriteString(strconv.Itoa(*s.end))
			}
			b.WriteString("]")
		case stepDeep:
			b.WriteString("..['" + s.name + "']")
		}
	}
	return b.String()
}

// Get returns what the path selects in doc. A reference path returns the
// node itself; a path with wildcards, slices or deep scans returns the
// list of matches. ok is false when a reference path names nothing.
func (p *Path) Get(doc any) (v any, ok bool) {
	if p.IsReference() {
		cur := doc
		for _, s := range p.steps {
			switch s.kind {
			case stepField:
				m, isMap := cur.(map[string]any)
				if !isMap {
					return nil, false
				}
				if cur, ok = m[s.name]; !ok {
					return nil, false
				}
			case stepIndex:
				a, isArr := cur.([]any)
				i := s.index
				if !isArr {
					return nil, false
				}
				if i < 0 {
					i += len(a)
				}
				if i < 0 || i >= len(a) {
					return nil, false
				}
				cur = a[i]
			}
		}
		return cur, true
	}
	nodes := []any{doc}
	for _, s := range p.steps {
		var next []any
		for _, n := range nodes {
			next = appendMatches(next, n, s)
		}
		nodes = next
	}
	if nodes == nil {
		nodes = []any{}
	}
	return nodes, true
}

func appendMatches(out []any, n any, s step) []any {
	switch s.kind {
	case stepField:
		if m, ok := n.(map[string]any); ok {
			if v, ok := m[s.name]; ok {
				out = append(out, v)
			}
		}
	case stepIndex:
		if a, ok := n.([]any); ok {
			i := s.index
			if i < 0 {
				i += len(a)
			}
			if i >= 0 && i < len(a) {
				out = append(out, a[i])
			}
		}
	case stepWildcard:
		switch t := n.(type) {
		case []any:
			out = append(out, t...)
		case map[string]any:
			for _, k := range sortedKeys(t) {
				out = append(out, t[k])
			}
		}
	case stepSlice:
		if a, ok := n.([]any); ok {
			lo, hi := 0, len(a)
			if s.start != nil {
				lo = clampIndex(*s.start, len(a))
			}
			if s.end != nil {
				hi = clampIndex(*s.end, len(a))
			}
			for i := lo; i < hi; i++ {
				out = append(out, a[i])
			}
		}
	case stepDeep:
		switch t := n.(type) {
		case map[string]any:
			if v, ok := t[s.name]; ok {
				out = append(out, v)
			}
			for _, k := range sortedKeys(t) {
				out = appendMatches(out, t[k], s)
			}
		case []any:
			for _, v := range t {
				out = appendMatches(out, v, s)
			}
		}
	}
	return out
}

func clampIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return max(0, min(i, n))
}

// Set returns doc with v placed where the reference path p points,
// creating objects on the way as ResultPath does. It fails when a step
// meets a value that is not an object (or an array, for an index).
func (p *Path) Set(doc, v any) (any, error) {
	if len(p.steps) == 0 {
		return v, nil
	}
	return setAt(doc, p.steps, v)
}

func setAt(cur any, steps []step, v any) (any, error) {
	if len(steps) == 0 {
		return v, nil
	}
	s := steps[0]
	switch s.kind {
	case stepField:
		var m map[string]any
		switch t := cur.(type) {
		case map[string]any:
			m = make(map[string]any, len(t)+1)
			for k, x := range t {
				m[k] = x
			}
		case nil:
			m = map[string]any{}
		default:
			return nil, fmt.Errorf("cannot set field %q of a %s", s.name, typeName(cur))
		}
		child, err := setAt(m[s.name], steps[1:], v)
		if err != nil {
			return nil, err
		}
		m[s.name] = child
		return m, nil
	case stepIndex:
		a, ok := cur.([]any)
		if !ok || s.index < 0 || s.index >= len(a) {
			return nil, fmt.Errorf("cannot set index %d", s.index)
		}
		out := append([]any(nil), a...)
		child, err := setAt(out[s.index], steps[1:], v)
		if err != nil {
			return nil, err
		}
		out[s.index] = child
		return out, nil
	}
	return nil, fmt.Errorf("a result path must be a reference path")
}
