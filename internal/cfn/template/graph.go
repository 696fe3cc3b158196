package template

import (
	"reflect"
	"slices"
)

// Graph is the dependency graph of the resources a stack creates: those
// whose Condition holds. A resource depends on the resources its
// DependsOn names and on those it refers to through Ref, Fn::GetAtt and
// Fn::Sub, following only the Fn::If branches its conditions select. A
// Graph is immutable.
type Graph struct {
	names      []string // in template order
	order      map[string]int
	deps       map[string][]string
	dependents map[string][]string
}

// Graph builds the dependency graph for the given condition values, as
// EvalConditions returns them. A resource that depends on one whose
// condition is false is an error, as it is in CloudFormation, and so is a
// cycle: "Circular dependency between resources: [A, B]".
func (t *Template) Graph(conds map[string]bool) (*Graph, error) {
	active := map[string]bool{}
	for _, name := range t.ResourceNames {
		r := t.Resources[name]
		if r.Condition == "" {
			active[name] = true
			continue
		}
		v, ok := conds[r.Condition]
		if !ok {
			return nil, t.locate(unresolvedConditions([]string{r.Condition}, "Resources"),
				childPath(childPath("/Resources", name), "Condition"))
		}
		active[name] = v
	}
	if conds == nil {
		conds = map[string]bool{}
	}
	g, err := t.buildGraph(active, conds)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// unresolvedConditions is the error for a condition name that the
// Conditions section does not declare. The wording is unconfirmed.
func unresolvedConditions(names []string, block string) *Error {
	return formatErr("Unresolved condition dependencies %s in the %s block of the template", bracketList(names), block)
}

// buildGraph collects the dependencies of the active resources. conds
// selects Fn::If branches; nil follows both, as validation does.
func (t *Template) buildGraph(active map[string]bool, conds map[string]bool) (*Graph, error) {
	g := &Graph{
		order:      map[string]int{},
		deps:       map[string][]string{},
		dependents: map[string][]string{},
	}
	for i, name := range t.ResourceNames {
		g.order[name] = i
		if active[name] {
			g.names = append(g.names, name)
		}
	}
	var unresolved []string
	var firstPath string
	for _, name := range g.names {
		r := t.Resources[name]
		path := childPath("/Resources", name)
		seen := map[string]bool{}
		add := func(dep, at string) {
			if _, declared := t.Resources[dep]; !declared || !active[dep] {
				if !slices.Contains(unresolved, dep) {
					unresolved = append(unresolved, dep)
				}
				if firstPath == "" {
					firstPath = at
				}
				return
			}
			if !seen[dep] {
				seen[dep] = true
				g.deps[name] = append(g.deps[name], dep)
			}
		}
		for _, d := range r.DependsOn {
			add(d, childPath(path, "DependsOn"))
		}
		w := &refWalker{conds: conds}
		for _, k := range sortedKeys(r.Raw) {
			switch k {
			case "Type", "Condition", "DependsOn":
				continue
			}
			w.walk(r.Raw[k], childPath(path, k))
		}
		t.sortRefs(w.refs)
		for _, ref := range w.refs {
			if ref.kind == refName && !t.isResourceName(ref.name) {
				continue // a parameter or pseudo parameter
			}
			add(ref.name, ref.path)
		}
		slices.SortFunc(g.deps[name], func(a, b string) int { return g.order[a] - g.order[b] })
	}
	if len(unresolved) > 0 {
		return nil, t.locate(unresolvedResources(unresolved, "Resources"), firstPath)
	}
	t.orderDeployments(g)
	for _, name := range g.names {
		for _, d := range g.deps[name] {
			g.dependents[d] = append(g.dependents[d], name)
		}
	}
	if cycle := g.cycle(); cycle != nil {
		return nil, t.locate(plainErr("Circular dependency between resources: %s", bracketList(cycle)),
			childPath("/Resources", cycle[0]))
	}
	return g, nil
}

// deploymentMembers maps each API Gateway deployment type to the type of
// the resources its snapshot holds and the property naming their API.
var deploymentMembers = map[string]struct{ member, api string }{
	"AWS::ApiGateway::Deployment":   {"AWS::ApiGateway::Method", "RestApiId"},
	"AWS::ApiGatewayV2::Deployment": {"AWS::ApiGatewayV2::Route", "ApiId"},
}

// orderDeployments makes an API Gateway deployment that depends on some
// of its API's methods (routes, for HTTP and WebSocket APIs) wait for all
// of them. A deployment snapshots the methods its API has when it is
// created, and CloudFormation's documentation asks templates to make it
// depend on them; many name only some, and deploy on AWS all the same,
// where the methods, waiting together for the roles and functions they
// refer to, are created side by side and done by the time the one named
// is. Created in waves, the others could come after the deployment and be
// missing from it. A deployment that names none of its API's methods is
// left alone: on AWS it is created before them and fails ("The REST API
// doesn't contain any methods"). A method that itself depends on a
// deployment is not waited for, so no cycle is made.
func (t *Template) orderDeployments(g *Graph) {
	reaches := map[string]bool{} // resource -> depends on a deployment, transitively
	var reachesDeployment func(string) bool
	reachesDeployment = func(n string) bool {
		if v, ok := reaches[n]; ok {
			return v
		}
		reaches[n] = false // cycles are reported later; stop here meanwhile
		for _, d := range g.deps[n] {
			if _, isDeployment := deploymentMembers[t.Resources[d].Type]; isDeployment || reachesDeployment(d) {
				reaches[n] = true
				break
			}
		}
		return reaches[n]
	}
	for _, d := range g.names {
		kind, ok := deploymentMembers[t.Resources[d].Type]
		if !ok {
			continue
		}
		api, ok := t.Resources[d].Properties[kind.api]
		if !ok {
			continue
		}
		named := false
		var others []string
		for _, m := range g.names {
			r := t.Resources[m]
			if r.Type != kind.member || !reflect.DeepEqual(r.Properties[kind.api], api) {
				continue
			}
			if slices.Contains(g.deps[d], m) {
				named = true
			} else if !reachesDeployment(m) {
				others = append(others, m)
			}
		}
		if !named || len(others) == 0 {
			continue
		}
		g.deps[d] = append(g.deps[d], others...)
		slices.SortFunc(g.deps[d], func(a, b string) int { return g.order[a] - g.order[b] })
	}
}

// isResourceName reports whether a Ref names a resource rather than a
// parameter or pseudo parameter. Unknown names count as resources, so
// that they are reported as unresolved.
func (t *Template) isResourceName(name string) bool {
	if isPseudo(name) {
		return false
	}
	_, isParam := t.Parameters[name]
	return !isParam
}

// cycle returns the resources that lie on a dependency cycle, in template
// order, or nil when there is none. It finds strongly connected
// components with Tarjan's algorithm.
func (g *Graph) cycle() []string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack, cyclic []string
	next := 0
	var visit func(n string)
	visit = func(n string) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		for _, d := range g.deps[n] {
			if _, seen := index[d]; !seen {
				visit(d)
				low[n] = min(low[n], low[d])
			} else if onStack[d] {
				low[n] = min(low[n], index[d])
			}
		}
		if low[n] != index[n] {
			return
		}
		var comp []string
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			comp = append(comp, top)
			if top == n {
				break
			}
		}
		if len(comp) > 1 || slices.Contains(g.deps[n], n) {
			cyclic = append(cyclic, comp...)
		}
	}
	for _, n := range g.names {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	if len(cyclic) == 0 {
		return nil
	}
	slices.SortFunc(cyclic, func(a, b string) int { return g.order[a] - g.order[b] })
	return cyclic
}

// Resources lists the resources the stack creates, in template order.
func (g *Graph) Resources() []string {
	return slices.Clone(g.names)
}

// DependsOn lists the resources name depends on directly, in template
// order.
func (g *Graph) DependsOn(name string) []string {
	return slices.Clone(g.deps[name])
}

// Dependents lists the resources that depend directly on name, in
// template order.
func (g *Graph) Dependents(name string) []string {
	return slices.Clone(g.dependents[name])
}

// Waves orders the resources for creation: every resource of a wave
// depends only on resources of earlier waves, so the resources of one
// wave can be created in parallel. Each wave is in template order.
func (g *Graph) Waves() [][]string {
	return g.layers(g.deps, g.dependents)
}

// DeletionWaves orders the resources for deletion: no resource of a wave
// is depended on by a resource of a later wave, so a resource is deleted
// only after everything that depends on it.
func (g *Graph) DeletionWaves() [][]string {
	return g.layers(g.dependents, g.deps)
}

// layers peels off, wave by wave, the resources whose edges all lead to
// earlier waves; reverse holds the same edges the other way round. The
// graph has no cycle, so every resource is placed.
func (g *Graph) layers(edges, reverse map[string][]string) [][]string {
	remaining := make(map[string]int, len(g.names))
	for _, n := range g.names {
		remaining[n] = len(edges[n])
	}
	var waves [][]string
	placed := 0
	for placed < len(g.names) {
		var wave []string
		for _, n := range g.names {
			if c, ok := remaining[n]; ok && c == 0 {
				wave = append(wave, n)
			}
		}
		if len(wave) == 0 {
			break // unreachable: buildGraph refuses cycles
		}
		for _, n := range wave {
			delete(remaining, n)
			for _, m := range reverse[n] {
				remaining[m]--
			}
		}
		placed += len(wave)
		waves = append(waves, wave)
	}
	return waves
}
