package apigateway

import (
	"strings"
)

// A request reaches the method of the most specific resource whose path
// template matches its path and that has the request's method or ANY.
// Specificity is decided segment by segment from the left: a literal path
// part beats a {variable}, which beats a {greedy+} one. When the most
// specific resource has no method for the request, matching goes on with
// the next most specific resource, as AWS does: with /users/me (PATCH)
// and /users/{id} (GET), GET /users/me reaches /users/{id}.
//
// A {greedy+} variable matches one or more whole segments, so /{proxy+}
// does not match "/". Path parameters are given as they were sent,
// percent-encoding and all, as REST APIs pass them on.

// routeNode is one resource of a deployment's match tree.
type routeNode struct {
	res      *resource
	template string // the resource's path, "/users/{id}"
	literals map[string]*routeNode
	variable *routeNode // the {name} child, if any
	greedy   *routeNode // the {name+} child, if any
	param    string     // this node's variable name, when it is one
}

// routeMatch is a request's resource, method and path parameters.
type routeMatch struct {
	node   *routeNode
	method *method
	params map[string]string
}

// buildRoutes compiles an API's resource tree for matching.
func buildRoutes(a *restAPI) *routeNode {
	root := a.Resources[a.RootID]
	if root == nil {
		return nil
	}
	var build func(r *resource) *routeNode
	build = func(r *resource) *routeNode {
		n := &routeNode{res: r, template: a.path(r), literals: map[string]*routeNode{}}
		if isVariable(r.PathPart) {
			n.param = strings.TrimSuffix(strings.Trim(r.PathPart, "{}"), "+")
		}
		for _, c := range a.children(r.ID) {
			child := build(c)
			switch {
			case isGreedy(c.PathPart):
				n.greedy = child
			case isVariable(c.PathPart):
				n.variable = child
			default:
				n.literals[c.PathPart] = child
			}
		}
		return n
	}
	return build(root)
}

// splitRequestPath splits a request path below the stage ("/users/42/")
// into its segments (["users", "42"]); a trailing slash is ignored.
func splitRequestPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the resource and method for a request's method and path
// segments (escaped, as sent).
func (n *routeNode) match(httpMethod string, segs []string) (routeMatch, bool) {
	var params []string // name, value pairs, innermost last
	var walk func(n *routeNode, segs []string) (routeMatch, bool)
	walk = func(n *routeNode, segs []string) (routeMatch, bool) {
		if len(segs) == 0 {
			if m := n.methodFor(httpMethod); m != nil {
				return routeMatch{node: n, method: m, params: pairs(params)}, true
			}
			return routeMatch{}, false
		}
		seg := segs[0]
		if c := n.literals[seg]; c != nil {
			if m, ok := walk(c, segs[1:]); ok {
				return m, true
			}
		}
		if c := n.variable; c != nil && seg != "" {
			params = append(params, c.param, seg)
			if m, ok := walk(c, segs[1:]); ok {
				return m, true
			}
			params = params[:len(params)-2]
		}
		if c := n.greedy; c != nil {
			if m := c.methodFor(httpMethod); m != nil {
				params = append(params, c.param, strings.Join(segs, "/"))
				return routeMatch{node: c, method: m, params: pairs(params)}, true
			}
		}
		return routeMatch{}, false
	}
	if n == nil {
		return routeMatch{}, false
	}
	return walk(n, segs)
}

// methodFor is the resource's method for a request: its own, or ANY.
func (n *routeNode) methodFor(httpMethod string) *method {
	if m := n.res.Methods[httpMethod]; m != nil {
		return m
	}
	return n.res.Methods["ANY"]
}

func pairs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// compile builds the deployment's match tree. A deployment never
// changes, so this runs once, when it is created or loaded.
func (d *deployment) compile() { d.routes = buildRoutes(d.API) }
