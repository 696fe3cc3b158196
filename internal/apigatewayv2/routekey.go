package apigatewayv2

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// The grammar of an HTTP API route key:
//
//	routeKey = "$default" | method " " path
//	method   = "ANY" | "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
//	path     = "/" | ("/" segment)+
//	segment  = literal | "{" name "}" | "{" name "+}"   (the greedy one last)
//
// A literal is any text without braces or slashes; a name is letters,
// digits, "_", "-" and ".", and a name is used once per path. A request
// path matches a template when each literal equals its segment (both
// percent-decoded), each {name} has a non-empty segment, and a greedy
// {name+} has a non-empty rest of the path.

// defaultRouteKey is the catch-all route's key.
const defaultRouteKey = "$default"

// routeMethods are the methods a route key may name.
var routeMethods = map[string]bool{
	"ANY": true, "GET": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "HEAD": true, "OPTIONS": true,
}

// segKind is what a template segment matches, in the order of precedence
// when two routes match a path: a literal over a variable over a greedy
// variable.
type segKind uint8

const (
	segGreedy segKind = iota
	segParam
	segLiteral
)

// segment is one segment of a path template: a literal, or a variable's
// name.
type segment struct {
	kind segKind
	text string
}

// routeKey is a parsed route key.
type routeKey struct {
	isDefault bool
	method    string
	segs      []segment
}

// errRouteKey is the reason a route key is malformed; parseRouteKey wraps
// it with what is wrong.
var errRouteKey = errors.New("invalid route key")

// parseRouteKey parses an HTTP API route key.
func parseRouteKey(s string) (routeKey, error) {
	if s == defaultRouteKey {
		return routeKey{isDefault: true}, nil
	}
	method, path, ok := strings.Cut(s, " ")
	if !ok {
		return routeKey{}, fmt.Errorf("%w: a route key is $default or \"METHOD /path\"", errRouteKey)
	}
	if !routeMethods[method] {
		return routeKey{}, fmt.Errorf("%w: unsupported HTTP method %q; use one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", errRouteKey, method)
	}
	segs, err := parsePathTemplate(path)
	if err != nil {
		return routeKey{}, err
	}
	return routeKey{method: method, segs: segs}, nil
}

// parsePathTemplate parses a route key's path.
func parsePathTemplate(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("%w: the path %q does not start with /", errRouteKey, p)
	}
	if p == "/" {
		return nil, nil
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	names := map[string]bool{}
	for i, part := range parts {
		if !strings.ContainsAny(part, "{}") {
			if part == "" && i != len(parts)-1 {
				return nil, fmt.Errorf("%w: the path %q has an empty segment", errRouteKey, p)
			}
			lit, err := url.PathUnescape(part)
			if err != nil {
				return nil, fmt.Errorf("%w: the path segment %q is not percent-encoded correctly", errRouteKey, part)
			}
			segs = append(segs, segment{kind: segLiteral, text: lit})
			continue
		}
		if len(part) < 3 || part[0] != '{' || part[len(part)-1] != '}' || strings.ContainsAny(part[1:len(part)-1], "{}") {
			return nil, fmt.Errorf("%w: a path variable must be a whole segment, as in /{name}, not %q", errRouteKey, part)
		}
		name, kind := part[1:len(part)-1], segParam
		if n, ok := strings.CutSuffix(name, "+"); ok {
			name, kind = n, segGreedy
			if i != len(parts)-1 {
				return nil, fmt.Errorf("%w: the greedy path variable {%s+} must be the last segment", errRouteKey, name)
			}
		}
		if !validVariableName(name) {
			return nil, fmt.Errorf("%w: %q is not a valid path variable name", errRouteKey, name)
		}
		if names[name] {
			return nil, fmt.Errorf("%w: the path variable %q is used twice", errRouteKey, name)
		}
		names[name] = true
		segs = append(segs, segment{kind: kind, text: name})
	}
	return segs, nil
}

func validVariableName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// String returns the route key in its canonical form.
func (k routeKey) String() string {
	if k.isDefault {
		return defaultRouteKey
	}
	return k.method + " " + k.path()
}

// path returns the key's path template ("/pets/{id}").
func (k routeKey) path() string {
	if k.isDefault {
		return ""
	}
	var b strings.Builder
	if len(k.segs) == 0 {
		b.WriteByte('/')
	}
	for _, s := range k.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(escapeLiteral(s.text))
		case segParam:
			b.WriteString("{" + s.text + "}")
		case segGreedy:
			b.WriteString("{" + s.text + "+}")
		}
	}
	return b.String()
}

// escapeLiteral writes a literal segment so that parsing reads it back.
func escapeLiteral(s string) string {
	if !strings.ContainsAny(s, "{}/%") {
		return s
	}
	r := strings.NewReplacer("%", "%25", "/", "%2F", "{", "%7B", "}", "%7D")
	return r.Replace(s)
}

// splitRequestPath splits an escaped request path into its segments: "/"
// has none, "/a/" has "a" and "".
func splitRequestPath(escaped string) []string {
	p := strings.TrimPrefix(escaped, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match matches the escaped request path segments against the template
// and returns the path variables, percent-decoded.
func matchPath(tmpl []segment, segs []string) (map[string]string, bool) {
	var params map[string]string
	set := func(name, raw string) bool {
		v, err := url.PathUnescape(raw)
		if err != nil || v == "" {
			return false
		}
		if params == nil {
			params = make(map[string]string, len(tmpl))
		}
		params[name] = v
		return true
	}
	for i, t := range tmpl {
		if t.kind == segGreedy {
			return params, i < len(segs) && set(t.text, strings.Join(segs[i:], "/"))
		}
		if i >= len(segs) {
			return nil, false
		}
		switch t.kind {
		case segLiteral:
			v, err := url.PathUnescape(segs[i])
			if err != nil || v != t.text {
				return nil, false
			}
		case segParam:
			if !set(t.text, segs[i]) {
				return nil, false
			}
		}
	}
	if len(segs) != len(tmpl) {
		return nil, false
	}
	return params, true
}

// routeTable is a deployment's routes, compiled for matching.
type routeTable struct {
	routes []tableRoute // in order of precedence, most specific first
	// fallback is the $default route, if there is one.
	fallback *routeRecord
}

type tableRoute struct {
	key   routeKey
	route *routeRecord
}

// newRouteTable compiles routes; a route whose key does not parse (none
// should: keys are checked when set) is left out.
func newRouteTable(routes map[string]*routeRecord) *routeTable {
	t := &routeTable{}
	for _, r := range routes {
		k, err := parseRouteKey(r.Key)
		if err != nil {
			continue
		}
		if k.isDefault {
			t.fallback = r
			continue
		}
		t.routes = append(t.routes, tableRoute{key: k, route: r})
	}
	sort.SliceStable(t.routes, func(i, j int) bool {
		a, b := t.routes[i].key, t.routes[j].key
		if c := comparePaths(a.segs, b.segs); c != 0 {
			return c > 0
		}
		if (a.method == "ANY") != (b.method == "ANY") {
			return b.method == "ANY"
		}
		return t.routes[i].route.Key < t.routes[j].route.Key
	})
	return t
}

// comparePaths orders two templates by precedence: at the first segment
// where they differ in kind, a literal beats a variable and a variable a
// greedy variable; otherwise the longer one wins. It returns > 0 when a
// comes first.
func comparePaths(a, b []segment) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].kind != b[i].kind {
			return int(a[i].kind) - int(b[i].kind)
		}
	}
	return len(a) - len(b)
}

// match finds the route a request's method and escaped path select, with
// its path variables: the most specific path, a route for the method over
// an ANY route, and the $default route when no other matches.
func (t *routeTable) match(method, escapedPath string) (*routeRecord, map[string]string) {
	segs := splitRequestPath(escapedPath)
	for _, r := range t.routes {
		if r.key.method != "ANY" && r.key.method != method {
			continue
		}
		if params, ok := matchPath(r.key.segs, segs); ok {
			return r.route, params
		}
	}
	return t.fallback, nil
}
