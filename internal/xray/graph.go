package xray

import (
	"math"
	"slices"
	"time"
)

// A service graph: each segment is a call to the service it names (name
// and origin); a subsegment in the "aws" or "remote" namespace is a call
// to a downstream service, which is the segment whose parent_id is the
// subsegment's id when that service sent one, or else a service X-Ray
// infers from the subsegment ("AWS::" and the subsegment's name for an AWS
// call, "remote" for another). Edges go from caller to callee.

type nodeKey struct{ name, typ string }

type stats struct {
	ok, errors, throttles, faults, total int64
	responseTime                         float64
}

func (s *stats) add(x *segment) {
	s.total++
	switch {
	case x.Fault:
		s.faults++
	case x.Throttle:
		s.throttles++
		s.errors++
	case x.Error:
		s.errors++
	default:
		s.ok++
	}
	if x.EndTime != nil {
		s.responseTime += x.duration()
	}
}

func (s *stats) service() *ServiceStatistics {
	return &ServiceStatistics{OkCount: ptr(s.ok), TotalCount: ptr(s.total), TotalResponseTime: ptr(round3(s.responseTime)),
		ErrorStatistics: &ErrorStatistics{ThrottleCount: ptr(s.throttles), OtherCount: ptr(s.errors - s.throttles), TotalCount: ptr(s.errors)},
		FaultStatistics: &FaultStatistics{OtherCount: ptr(s.faults), TotalCount: ptr(s.faults)}}
}

func (s *stats) edge() *EdgeStatistics {
	v := s.service()
	return &EdgeStatistics{OkCount: v.OkCount, TotalCount: v.TotalCount, TotalResponseTime: v.TotalResponseTime,
		ErrorStatistics: v.ErrorStatistics, FaultStatistics: v.FaultStatistics}
}

type graphNode struct {
	key        nodeKey
	ref        int32
	root       bool
	start, end float64
	stats      stats
	edges      map[nodeKey]*graphEdge
}

type graphEdge struct {
	to         nodeKey
	start, end float64
	stats      stats
}

// graph accumulates traces into services and edges.
type graph struct {
	nodes map[nodeKey]*graphNode
	order []nodeKey
}

func newGraph() *graph { return &graph{nodes: map[nodeKey]*graphNode{}} }

func (g *graph) node(k nodeKey, x *segment) *graphNode {
	n := g.nodes[k]
	if n == nil {
		n = &graphNode{key: k, ref: int32(len(g.order)), start: x.start(), end: x.end(), edges: map[nodeKey]*graphEdge{}}
		g.nodes[k] = n
		g.order = append(g.order, k)
	}
	n.start, n.end = math.Min(n.start, x.start()), math.Max(n.end, x.end())
	return n
}

func (n *graphNode) edge(to nodeKey, x *segment) {
	e := n.edges[to]
	if e == nil {
		e = &graphEdge{to: to, start: x.start(), end: x.end()}
		n.edges[to] = e
	}
	e.start, e.end = math.Min(e.start, x.start()), math.Max(e.end, x.end())
	e.stats.add(x)
}

func segmentNode(s *segment) nodeKey { return nodeKey{s.Name, s.Origin} }

func inferredNode(x *segment) nodeKey {
	if x.Namespace == "aws" {
		return nodeKey{x.Name, "AWS::" + x.Name}
	}
	return nodeKey{x.Name, "remote"}
}

// add puts a trace's services and calls into the graph.
func (g *graph) add(t *trace) {
	// Which segment owns each segment and subsegment id, to find callers.
	owner := map[string]*segment{}
	byParent := map[string][]*segment{}
	root := t.root()
	for _, s := range t.segs {
		if s == nil || s.isSubsegment() {
			continue
		}
		walk(s, func(x *segment) { owner[x.ID] = s })
		if s.ParentID != "" {
			byParent[s.ParentID] = append(byParent[s.ParentID], s)
		}
	}
	// Subsegments sent on their own (as an instrumented Lambda function's
	// SDK sends them) belong to the segment their parent_id leads to.
	var loose []*segment
	for _, s := range t.segs {
		if s != nil && s.isSubsegment() {
			loose = append(loose, s)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, x := range loose {
			if owner[x.ID] == nil && owner[x.ParentID] != nil {
				o := owner[x.ParentID]
				walk(x, func(y *segment) { owner[y.ID] = o })
				changed = true
			}
		}
	}
	for _, s := range callOrder(t.segs, owner) {
		n := g.node(segmentNode(s), s)
		n.stats.add(s)
		if s == root || s.ParentID == "" || owner[s.ParentID] == nil {
			n.root = true
		} else {
			g.node(segmentNode(owner[s.ParentID]), owner[s.ParentID]).edge(n.key, s)
		}
		g.downstream(n, s, s, byParent)
	}
	for _, x := range loose {
		if o := owner[x.ID]; o != nil {
			g.downstream(g.node(segmentNode(o), o), x, nil, byParent)
		}
	}
}

// downstream adds the calls that sub and its subsegments record to
// services no segment of the trace answers, as edges from n; skip is the
// segment itself, which is no call.
func (g *graph) downstream(n *graphNode, sub, skip *segment, byParent map[string][]*segment) {
	walk(sub, func(x *segment) {
		if x == skip || !inferredNamespace(x.Namespace) || len(byParent[x.ID]) > 0 {
			return
		}
		in := g.node(inferredNode(x), x)
		in.stats.add(x)
		n.edge(in.key, x)
	})
}

// callOrder is a trace's segments, callers before callees: by their
// depth in the chain of parents, then by start time.
func callOrder(segs []*segment, owner map[string]*segment) []*segment {
	depth := map[*segment]int{}
	var depthOf func(s *segment, seen int) int
	depthOf = func(s *segment, seen int) int {
		if d, ok := depth[s]; ok {
			return d
		}
		d := 0
		if p := owner[s.ParentID]; s.ParentID != "" && p != nil && p != s && seen < len(segs) {
			d = depthOf(p, seen+1) + 1
		}
		depth[s] = d
		return d
	}
	var out []*segment
	for _, s := range segs {
		if s != nil && !s.isSubsegment() {
			depthOf(s, 0)
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *segment) int {
		if depth[a] != depth[b] {
			return depth[a] - depth[b]
		}
		switch {
		case a.start() < b.start():
			return -1
		case a.start() > b.start():
			return 1
		}
		return 0
	})
	return out
}

func toTime(f float64) *time.Time {
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return &t
}

// services is the graph as the API returns it.
func (g *graph) services(account string) []GraphService {
	out := make([]GraphService, 0, len(g.order))
	for _, k := range g.order {
		n := g.nodes[k]
		s := GraphService{ReferenceId: ptr(n.ref), Name: ptr(k.name), Names: []string{k.name}, Root: ptr(n.root),
			AccountId: ptr(account), State: ptr("active"), StartTime: toTime(n.start), EndTime: toTime(n.end),
			SummaryStatistics: n.stats.service(), Edges: []Edge{}}
		if k.typ != "" {
			s.Type = ptr(k.typ)
		}
		targets := make([]nodeKey, 0, len(n.edges))
		for to := range n.edges {
			targets = append(targets, to)
		}
		slices.SortFunc(targets, func(a, b nodeKey) int { return int(g.nodes[a].ref - g.nodes[b].ref) })
		for _, to := range targets {
			e := n.edges[to]
			s.Edges = append(s.Edges, Edge{ReferenceId: ptr(g.nodes[to].ref), StartTime: toTime(e.start), EndTime: toTime(e.end),
				SummaryStatistics: e.stats.edge(), Aliases: []Alias{}})
		}
		out = append(out, s)
	}
	return out
}
