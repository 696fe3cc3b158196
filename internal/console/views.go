package console

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// defaultTraceWindow and maxTraceWindow are how far back, in minutes,
// the traces view looks (X-Ray's GetTraceSummaries takes at most 24
// hours at a time).
const (
	defaultTraceWindow = 60
	maxTraceWindow     = 24 * 60
)

// listTraces lists the summaries of the traces that ended in the last
// minutes (default 60).
func (c *Console) listTraces(ctx context.Context, s Service, q url.Values) (any, error) {
	window := defaultTraceWindow
	if m := q.Get("minutes"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > maxTraceWindow {
			return nil, missingParam("minutes (1 to 1440)")
		}
		window = n
	}
	end := c.opts.Clock.Now()
	start := end.Add(-time.Duration(window) * time.Minute)
	return listOf(all(ctx, s, pager{"GetTraceSummaries", "TraceSummaries", "NextToken", "NextToken"},
		map[string]any{"StartTime": float64(start.UnixMilli()) / 1000, "EndTime": float64(end.UnixMilli()) / 1000}))
}

// span is one segment or subsegment of a trace, placed on its
// timeline: Depth is how many spans enclose it.
type span struct {
	ID         string  `json:"id"`
	ParentID   string  `json:"parentId,omitempty"`
	Name       string  `json:"name"`
	Origin     string  `json:"origin,omitempty"`
	Namespace  string  `json:"namespace,omitempty"`
	Start      float64 `json:"start"`
	End        float64 `json:"end,omitempty"`
	Depth      int     `json:"depth"`
	Error      bool    `json:"error,omitempty"`
	Fault      bool    `json:"fault,omitempty"`
	Throttle   bool    `json:"throttle,omitempty"`
	InProgress bool    `json:"inProgress,omitempty"`
}

// traceView is a trace as a timeline: its spans in the order a
// timeline draws them, each after its parent, siblings by start time.
type traceView struct {
	ID    string  `json:"id"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Spans []span  `json:"spans"`
}

// document is the part of a segment document (X-Ray's segment
// document format) the timeline draws.
type document struct {
	ID          string     `json:"id"`
	ParentID    string     `json:"parent_id"`
	Name        string     `json:"name"`
	Origin      string     `json:"origin"`
	Namespace   string     `json:"namespace"`
	StartTime   float64    `json:"start_time"`
	EndTime     float64    `json:"end_time"`
	Error       bool       `json:"error"`
	Fault       bool       `json:"fault"`
	Throttle    bool       `json:"throttle"`
	InProgress  bool       `json:"in_progress"`
	Subsegments []document `json:"subsegments"`
}

func getTrace(ctx context.Context, s Service, q url.Values) (any, error) {
	id, err := param(q, "id")
	if err != nil {
		return nil, err
	}
	out, err := s.Call(ctx, "BatchGetTraces", map[string]any{"TraceIds": []any{id}})
	if err != nil {
		return nil, err
	}
	v := traceView{ID: id, Spans: []span{}}
	traces, _ := out["Traces"].([]any)
	if len(traces) == 0 {
		return v, nil
	}
	var docs []document
	segs, _ := traces[0].(map[string]any)["Segments"].([]any)
	for _, sg := range segs {
		text, _ := sg.(map[string]any)["Document"].(string)
		var d document
		if json.Unmarshal([]byte(text), &d) == nil && d.ID != "" {
			docs = append(docs, d)
		}
	}
	v.Spans = timeline(docs)
	for i, sp := range v.Spans {
		if i == 0 || sp.Start < v.Start {
			v.Start = sp.Start
		}
		if sp.End > v.End {
			v.End = sp.End
		}
	}
	return v, nil
}

// timeline flattens segments and their subsegments into spans, each
// after the span it is a child of (a subsegment's segment, or the
// span a segment's parent_id names), siblings by start time; a span
// whose parent is not in the trace is a root.
func timeline(docs []document) []span {
	var all []span
	var walk func(d document, parent string)
	walk = func(d document, parent string) {
		if d.ParentID != "" {
			parent = d.ParentID
		}
		all = append(all, span{ID: d.ID, ParentID: parent, Name: d.Name, Origin: d.Origin, Namespace: d.Namespace,
			Start: d.StartTime, End: d.EndTime, Error: d.Error, Fault: d.Fault, Throttle: d.Throttle, InProgress: d.InProgress})
		for _, sub := range d.Subsegments {
			sub.ParentID = ""
			walk(sub, d.ID)
		}
	}
	for _, d := range docs {
		walk(d, "")
	}
	known := map[string]bool{}
	for _, sp := range all {
		known[sp.ID] = true
	}
	children := map[string][]span{}
	for _, sp := range all {
		p := sp.ParentID
		if !known[p] {
			p = ""
		}
		children[p] = append(children[p], sp)
	}
	out := make([]span, 0, len(all))
	seen := map[string]bool{}
	var place func(parent string, depth int)
	place = func(parent string, depth int) {
		kids := children[parent]
		sort.SliceStable(kids, func(i, j int) bool { return kids[i].Start < kids[j].Start })
		for _, k := range kids {
			if seen[k.ID] { // a cycle of parent ids
				continue
			}
			seen[k.ID] = true
			k.Depth = depth
			out = append(out, k)
			place(k.ID, depth+1)
		}
	}
	place("", 0)
	// Spans whose parent ids make a cycle hang from none of the roots:
	// they are drawn last, the first of each as a root.
	for _, sp := range all {
		if !seen[sp.ID] {
			seen[sp.ID] = true
			sp.Depth = 0
			out = append(out, sp)
			place(sp.ID, 1)
		}
	}
	return out
}

// clusterView is an ECS cluster with its services and tasks.
type clusterView struct {
	Cluster  any   `json:"cluster"`
	Services []any `json:"services"`
	Tasks    []any `json:"tasks"`
}

func listClusters(ctx context.Context, s Service, q url.Values) (any, error) {
	arns, err := all(ctx, s, clustersPager, nil)
	if err != nil || len(arns) == 0 {
		return listOf(nil, err)
	}
	var items []any
	for _, batch := range batches(arns, 100) { // DescribeClusters takes up to 100 clusters
		out, err := s.Call(ctx, "DescribeClusters", map[string]any{"clusters": batch})
		if err != nil {
			return nil, err
		}
		cs, _ := out["clusters"].([]any)
		items = append(items, cs...)
	}
	return listOf(items, nil)
}

func describeCluster(ctx context.Context, s Service, q url.Values) (any, error) {
	name, err := param(q, "name")
	if err != nil {
		return nil, err
	}
	out, err := s.Call(ctx, "DescribeClusters", map[string]any{"clusters": []any{name}})
	if err != nil {
		return nil, err
	}
	v := clusterView{Services: []any{}, Tasks: []any{}}
	if cs, _ := out["clusters"].([]any); len(cs) > 0 {
		v.Cluster = cs[0]
	} else {
		failures, _ := out["failures"].([]any)
		return nil, notFound("cluster "+name, failures)
	}
	svcs, err := all(ctx, s, pager{"ListServices", "serviceArns", "nextToken", "nextToken"}, map[string]any{"cluster": name})
	if err != nil {
		return nil, err
	}
	for _, batch := range batches(svcs, 10) { // DescribeServices takes up to 10 services
		out, err := s.Call(ctx, "DescribeServices", map[string]any{"cluster": name, "services": batch})
		if err != nil {
			return nil, err
		}
		ss, _ := out["services"].([]any)
		v.Services = append(v.Services, ss...)
	}
	tasks, err := all(ctx, s, pager{"ListTasks", "taskArns", "nextToken", "nextToken"}, map[string]any{"cluster": name})
	if err != nil {
		return nil, err
	}
	for _, batch := range batches(tasks, 100) { // DescribeTasks takes up to 100 tasks
		out, err := s.Call(ctx, "DescribeTasks", map[string]any{"cluster": name, "tasks": batch})
		if err != nil {
			return nil, err
		}
		ts, _ := out["tasks"].([]any)
		v.Tasks = append(v.Tasks, ts...)
	}
	return v, nil
}

// balancerView is a load balancer with its listeners, each with its
// rules.
type balancerView struct {
	LoadBalancer any            `json:"loadBalancer"`
	Listeners    []listenerView `json:"listeners"`
}

type listenerView struct {
	Listener any   `json:"listener"`
	Rules    []any `json:"rules"`
}

// targetGroupView is a target group with its targets' health.
type targetGroupView struct {
	TargetGroup any   `json:"targetGroup"`
	Targets     []any `json:"targets"`
}

// balancersView is the load balancers and the target groups.
type balancersView struct {
	LoadBalancers []balancerView    `json:"loadBalancers"`
	TargetGroups  []targetGroupView `json:"targetGroups"`
}

func listBalancers(ctx context.Context, s Service, q url.Values) (any, error) {
	v := balancersView{LoadBalancers: []balancerView{}, TargetGroups: []targetGroupView{}}
	lbs, err := all(ctx, s, balancersPager, nil)
	if err != nil {
		return nil, err
	}
	for _, lb := range lbs {
		arn, _ := lb.(map[string]any)["LoadBalancerArn"].(string)
		bv := balancerView{LoadBalancer: lb, Listeners: []listenerView{}}
		listeners, err := all(ctx, s, pager{"DescribeListeners", "Listeners", "Marker", "NextMarker"},
			map[string]any{"LoadBalancerArn": arn})
		if err != nil {
			continue
		}
		for _, l := range listeners {
			larn, _ := l.(map[string]any)["ListenerArn"].(string)
			rules, err := all(ctx, s, pager{"DescribeRules", "Rules", "Marker", "NextMarker"},
				map[string]any{"ListenerArn": larn})
			if err != nil || rules == nil {
				rules = []any{}
			}
			bv.Listeners = append(bv.Listeners, listenerView{Listener: l, Rules: rules})
		}
		v.LoadBalancers = append(v.LoadBalancers, bv)
	}
	tgs, err := all(ctx, s, targetGroupPager, nil)
	if err != nil {
		return nil, err
	}
	for _, tg := range tgs {
		arn, _ := tg.(map[string]any)["TargetGroupArn"].(string)
		tv := targetGroupView{TargetGroup: tg, Targets: []any{}}
		if out, err := s.Call(ctx, "DescribeTargetHealth", map[string]any{"TargetGroupArn": arn}); err == nil {
			if th, ok := out["TargetHealthDescriptions"].([]any); ok {
				tv.Targets = th
			}
		}
		v.TargetGroups = append(v.TargetGroups, tv)
	}
	return v, nil
}

// batches cuts items into slices of at most n.
func batches(items []any, n int) [][]any {
	var out [][]any
	for len(items) > n {
		out = append(out, items[:n])
		items = items[n:]
	}
	if len(items) > 0 {
		out = append(out, items)
	}
	return out
}

// notFound is the error of a view whose resource a Describe call
// reported among its failures (ECS answers a missing cluster so).
func notFound(what string, failures []any) error {
	reason := "MISSING"
	if len(failures) > 0 {
		if r, _ := failures[0].(map[string]any)["reason"].(string); r != "" {
			reason = r
		}
	}
	return &apierr.Error{Code: "NotFound", Status: 404, Message: what + ": " + reason}
}
