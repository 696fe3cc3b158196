package httpbinding

import (
	"fmt"
	"net/url"
	"strings"
)

// Result says how a request matched the router.
type Result int

// The outcomes of Router.Match.
const (
	// NotFound means no route has the request's path and query.
	NotFound Result = iota
	// MethodNotAllowed means a route has the path and query, but not for
	// the request's method.
	MethodNotAllowed
	// Matched means a route was found.
	Matched
)

// Router finds the route a request is bound to. Build it once with Add;
// Match is then safe for concurrent use.
type Router[T any] struct {
	routes []*route[T]
}

type segKind int

// Segment kinds, in the order of their precedence when routes conflict.
const (
	segGreedy segKind = iota
	segLabel
	segLiteral
)

type segment struct {
	kind segKind
	text string // the literal, or the label's name
}

type queryLiteral struct {
	key, value string
	hasValue   bool
}

type route[T any] struct {
	pattern string
	method  string
	segs    []segment
	query   []queryLiteral
	value   T
}

// Add compiles a binding, "METHOD /path/{Label}/{Greedy+}?k=v&flag", and
// routes requests matching it to v. It reports a malformed binding or one
// that duplicates an earlier route.
func (r *Router[T]) Add(binding string, v T) error {
	rt, err := compile[T](binding)
	if err != nil {
		return err
	}
	rt.value = v
	for _, o := range r.routes {
		if o.method == rt.method && sameShape(o, rt) {
			return fmt.Errorf("httpbinding: %q conflicts with %q", binding, o.pattern)
		}
	}
	r.routes = append(r.routes, rt)
	return nil
}

func compile[T any](binding string) (*route[T], error) {
	method, uri, ok := strings.Cut(strings.TrimSpace(binding), " ")
	if !ok || method == "" || method != strings.ToUpper(method) {
		return nil, fmt.Errorf("httpbinding: %q: want \"METHOD /path\"", binding)
	}
	uri = strings.TrimSpace(uri)
	path, rawQuery, _ := strings.Cut(uri, "?")
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("httpbinding: %q: path must start with /", binding)
	}
	rt := &route[T]{pattern: binding, method: method}
	labels := map[string]bool{}
	parts := splitPath(path)
	if n := len(parts); n > 0 && parts[n-1] == "" {
		parts = parts[:n-1] // the trailing slash is optional
	}
	for i, p := range parts {
		if !strings.ContainsAny(p, "{}") {
			lit, err := url.PathUnescape(p)
			if err != nil {
				return nil, fmt.Errorf("httpbinding: %q: %v", binding, err)
			}
			rt.segs = append(rt.segs, segment{kind: segLiteral, text: lit})
			continue
		}
		if len(p) < 3 || p[0] != '{' || p[len(p)-1] != '}' || strings.ContainsAny(p[1:len(p)-1], "{}") {
			return nil, fmt.Errorf("httpbinding: %q: a label must be a whole segment", binding)
		}
		name, kind := p[1:len(p)-1], segLabel
		if strings.HasSuffix(name, "+") {
			name, kind = name[:len(name)-1], segGreedy
			if i != len(parts)-1 {
				return nil, fmt.Errorf("httpbinding: %q: a greedy label must be the last segment", binding)
			}
		}
		if name == "" || labels[name] {
			return nil, fmt.Errorf("httpbinding: %q: empty or repeated label %q", binding, name)
		}
		labels[name] = true
		rt.segs = append(rt.segs, segment{kind: kind, text: name})
	}
	if rawQuery != "" {
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, hasValue := strings.Cut(kv, "=")
			k, err1 := url.QueryUnescape(k)
			v, err2 := url.QueryUnescape(v)
			if k == "" || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("httpbinding: %q: malformed query literal %q", binding, kv)
			}
			rt.query = append(rt.query, queryLiteral{key: k, value: v, hasValue: hasValue})
		}
	}
	return rt, nil
}

// sameShape reports whether two routes match exactly the same requests.
func sameShape[T any](a, b *route[T]) bool {
	if len(a.segs) != len(b.segs) || len(a.query) != len(b.query) {
		return false
	}
	for i := range a.segs {
		if a.segs[i].kind != b.segs[i].kind || (a.segs[i].kind == segLiteral && a.segs[i].text != b.segs[i].text) {
			return false
		}
	}
	for _, q := range a.query {
		found := false
		for _, o := range b.query {
			found = found || q == o
		}
		if !found {
			return false
		}
	}
	return true
}

// splitPath splits an escaped path into its segments: "/" is none, "/a/"
// is "a" and "".
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match finds the route for a request's method and URL, and returns its
// value with the URI labels, percent-decoded.
func (r *Router[T]) Match(method string, u *url.URL) (v T, params map[string]string, res Result) {
	segs := splitPath(u.EscapedPath())
	query, _ := url.ParseQuery(u.RawQuery) // what parses is all a route can need
	var best *route[T]
	var bestParams map[string]string
	for _, rt := range r.routes {
		if best != nil && !moreSpecific(rt, best) {
			continue
		}
		p, ok := rt.match(segs, query)
		if !ok {
			continue
		}
		if rt.method != method {
			res = MethodNotAllowed
			continue
		}
		best, bestParams = rt, p
	}
	if best == nil {
		return v, nil, res
	}
	return best.value, bestParams, Matched
}

// match matches the path segments and query against the route.
func (rt *route[T]) match(segs []string, query url.Values) (map[string]string, bool) {
	for _, q := range rt.query {
		vs, ok := query[q.key]
		if !ok || (q.hasValue && (len(vs) == 0 || vs[0] != q.value)) {
			return nil, false
		}
	}
	var params map[string]string
	set := func(name, raw string) bool {
		s, err := url.PathUnescape(raw)
		if err != nil || s == "" {
			return false
		}
		if params == nil {
			params = make(map[string]string, len(rt.segs))
		}
		params[name] = s
		return true
	}
	for i, sg := range rt.segs {
		if sg.kind == segGreedy {
			return params, i < len(segs) && set(sg.text, strings.Join(segs[i:], "/"))
		}
		if i >= len(segs) {
			return nil, false
		}
		switch sg.kind {
		case segLiteral:
			s, err := url.PathUnescape(segs[i])
			if err != nil || s != sg.text {
				return nil, false
			}
		case segLabel:
			if !set(sg.text, segs[i]) {
				return nil, false
			}
		}
	}
	rest := segs[len(rt.segs):]
	if len(rest) == 0 || (len(rest) == 1 && rest[0] == "") {
		return params, true
	}
	return nil, false
}

// moreSpecific reports whether a wins over b when both match.
func moreSpecific[T any](a, b *route[T]) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind > b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) > len(b.segs)
	}
	return len(a.query) > len(b.query)
}
