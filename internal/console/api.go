package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxListed bounds how many resources of one kind a view lists (and
// the overview counts), so that a view stays quick to load and read.
const maxListed = 1000

// view answers one console API request from its query parameters.
type view func(ctx context.Context, s Service, q url.Values) (any, error)

// routes registers the assets and every API view.
func (c *Console) routes() {
	c.mux.HandleFunc("GET "+Path, c.serveAsset)
	c.mux.HandleFunc("GET "+Path+"api/overview", c.overview)
	s := c.opts.Services
	c.handle("lambda/functions", s.Lambda, listFunctions)
	c.handle("lambda/function", s.Lambda, c.getFunction(s.Logs))
	c.handle("dynamodb/tables", s.DynamoDB, listTables)
	c.handle("dynamodb/table", s.DynamoDB, describeTable)
	c.handle("dynamodb/items", s.DynamoDB, scanItems)
	c.handle("sqs/queues", s.SQS, listQueues)
	c.handle("sns/topics", s.SNS, listTopics)
	c.handle("events/rules", s.Events, listRules)
	c.handle("states/machines", s.StepFunctions, listStateMachines)
	c.handle("states/execution", s.StepFunctions, describeExecution)
	c.handle("cloudformation/stacks", s.CloudFormation, listStacks)
	c.handle("cloudformation/stack", s.CloudFormation, describeStack)
	c.handle("logs/groups", s.Logs, listLogGroups)
	c.handle("logs/streams", s.Logs, listLogStreams)
	c.handle("logs/events", s.Logs, logEvents)
	c.handle("xray/traces", s.XRay, c.listTraces)
	c.handle("xray/trace", s.XRay, getTrace)
	c.handle("ecs/clusters", s.ECS, listClusters)
	c.handle("ecs/cluster", s.ECS, describeCluster)
	c.handle("elbv2/balancers", s.ELBv2, listBalancers)
}

// handle serves GET Path+"api/"+name with v reading s; without s (the
// service is not running) the view is not found.
func (c *Console) handle(name string, s Service, v view) {
	c.mux.HandleFunc("GET "+Path+"api/"+name, func(w http.ResponseWriter, r *http.Request) {
		if s == nil {
			http.NotFound(w, r)
			return
		}
		out, err := v(r.Context(), readOnly{s}, r.URL.Query())
		if err != nil {
			if e, ok := err.(missingParam); ok {
				badRequest(w, e.Error())
				return
			}
			writeError(w, err)
			return
		}
		writeJSON(w, out)
	})
}

// readOnly lets through only operations that read, so that nothing the
// console does can change a resource (SQS's ReceiveMessage, which
// changes a message's visibility, is not among them).
type readOnly struct{ s Service }

func (r readOnly) Call(ctx context.Context, op string, in map[string]any) (map[string]any, error) {
	if !reads(op) {
		return nil, fmt.Errorf("console: %s is not a read", op)
	}
	if in == nil {
		in = map[string]any{}
	}
	return r.s.Call(ctx, op, in)
}

func reads(op string) bool {
	if op == "ReceiveMessage" {
		return false
	}
	for _, p := range []string{"List", "Describe", "Get", "Scan", "BatchGet", "Filter"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// missingParam is a console API request without a parameter its view
// needs.
type missingParam string

func (m missingParam) Error() string { return "the query parameter " + string(m) + " is required" }

func param(q url.Values, name string) (string, error) {
	v := q.Get(name)
	if v == "" {
		return "", missingParam(name)
	}
	return v, nil
}

// pager names how an operation pages: the member holding the page's
// resources and the input and output members carrying the position.
type pager struct {
	op, list, in, out string
}

// all reads every page of p (up to maxListed resources).
func all(ctx context.Context, s Service, p pager, in map[string]any) ([]any, error) {
	items, _, err := upTo(ctx, s, p, in, maxListed)
	return items, err
}

// upTo lists at most n items of p; more tells that there may be others
// (with n = 0 nothing is called, and there may be).
func upTo(ctx context.Context, s Service, p pager, in map[string]any, n int) (items []any, more bool, err error) {
	if n <= 0 {
		return nil, true, nil
	}
	if in == nil {
		in = map[string]any{}
	}
	for {
		out, err := s.Call(ctx, p.op, in)
		if err != nil {
			return nil, false, err
		}
		page, _ := out[p.list].([]any)
		items = append(items, page...)
		next, _ := out[p.out].(string)
		if next == "" {
			break
		}
		if len(items) >= n {
			more = true
			break
		}
		in[p.in] = next
	}
	if len(items) > n {
		items, more = items[:n], true
	}
	return items, more, nil
}

// budget bounds a view that lists resources with the resources under
// them (topics with their subscriptions, buses with their rules and
// those with their targets): it lists at most maxListed entries in all,
// each resource counting as one, and so makes at most maxListed calls
// for the resources under others.
type budget struct {
	left      int
	truncated bool
}

func newBudget() *budget { return &budget{left: maxListed} }

// take counts one entry; false when none is left.
func (b *budget) take() bool {
	if b.left <= 0 {
		b.truncated = true
		return false
	}
	b.left--
	return true
}

// list lists what is left of the budget of p's items and counts them.
func (b *budget) list(ctx context.Context, s Service, p pager, in map[string]any) ([]any, error) {
	items, more, err := upTo(ctx, s, p, in, b.left)
	if err != nil {
		return nil, err
	}
	b.left -= len(items)
	b.truncated = b.truncated || more
	return items, nil
}

var (
	functionsPager   = pager{"ListFunctions", "Functions", "Marker", "NextMarker"}
	tablesPager      = pager{"ListTables", "TableNames", "ExclusiveStartTableName", "LastEvaluatedTableName"}
	queuesPager      = pager{"ListQueues", "QueueUrls", "NextToken", "NextToken"}
	topicsPager      = pager{"ListTopics", "Topics", "NextToken", "NextToken"}
	busesPager       = pager{"ListEventBuses", "EventBuses", "NextToken", "NextToken"}
	rulesPager       = pager{"ListRules", "Rules", "NextToken", "NextToken"}
	machinesPager    = pager{"ListStateMachines", "stateMachines", "nextToken", "nextToken"}
	stacksPager      = pager{"DescribeStacks", "Stacks", "NextToken", "NextToken"}
	logGroupsPager   = pager{"DescribeLogGroups", "logGroups", "nextToken", "nextToken"}
	clustersPager    = pager{"ListClusters", "clusterArns", "nextToken", "nextToken"}
	balancersPager   = pager{"DescribeLoadBalancers", "LoadBalancers", "Marker", "NextMarker"}
	targetGroupPager = pager{"DescribeTargetGroups", "TargetGroups", "Marker", "NextMarker"}
)

// list is a view's list of resources; Truncated tells that the view
// stopped at its bound and there may be more than it lists.
type list struct {
	Items     []any `json:"items"`
	Truncated bool  `json:"truncated,omitempty"`
}

func listOf(items []any, err error) (any, error) {
	if items == nil {
		items = []any{}
	}
	return list{Items: items}, err
}

func listFunctions(ctx context.Context, s Service, q url.Values) (any, error) {
	return listOf(all(ctx, s, functionsPager, nil))
}

// functionView is a function with its most recent invocations and
// log streams (Lambda writes each execution environment's logs to a
// stream of /aws/lambda/NAME, or of the function's LoggingConfig
// group).
type functionView struct {
	Function    map[string]any `json:"function"`
	LogGroup    string         `json:"logGroup"`
	LogStreams  []any          `json:"logStreams"`
	Invocations []invocation   `json:"invocations"`
}

func (c *Console) getFunction(logs Service) view {
	return func(ctx context.Context, s Service, q url.Values) (any, error) {
		name, err := param(q, "name")
		if err != nil {
			return nil, err
		}
		out, err := s.Call(ctx, "GetFunction", map[string]any{"FunctionName": name})
		if err != nil {
			return nil, err
		}
		v := functionView{Function: out, LogStreams: []any{}, Invocations: []invocation{}}
		cfg, _ := out["Configuration"].(map[string]any)
		fn, _ := cfg["FunctionName"].(string)
		v.LogGroup = "/aws/lambda/" + fn
		format := "Text"
		if lc, ok := cfg["LoggingConfig"].(map[string]any); ok {
			if g, _ := lc["LogGroup"].(string); g != "" {
				v.LogGroup = g
			}
			if f, _ := lc["LogFormat"].(string); f != "" {
				format = f
			}
		}
		if logs != nil {
			v.Invocations = invocations(ctx, readOnly{logs}, v.LogGroup, format, c.opts.Clock.Now())
			streams, err := readOnly{logs}.Call(ctx, "DescribeLogStreams", map[string]any{
				"logGroupName": v.LogGroup, "orderBy": "LastEventTime", "descending": true, "limit": 10})
			if err == nil {
				if ss, ok := streams["logStreams"].([]any); ok {
					v.LogStreams = ss
				}
			}
		}
		return v, nil
	}
}

func listTables(ctx context.Context, s Service, q url.Values) (any, error) {
	return listOf(all(ctx, s, tablesPager, nil))
}

func describeTable(ctx context.Context, s Service, q url.Values) (any, error) {
	name, err := param(q, "name")
	if err != nil {
		return nil, err
	}
	return s.Call(ctx, "DescribeTable", map[string]any{"TableName": name})
}

// defaultPage and maxPage bound a page of a table's items (Scan's Limit
// is at least 1).
const (
	defaultPage = 25
	maxPage     = 100
)

// itemsPage is one page of a table's items. Next, when set, is the
// page's LastEvaluatedKey as JSON, which start takes back.
type itemsPage struct {
	Items        []any  `json:"items"`
	Count        int64  `json:"count"`
	ScannedCount int64  `json:"scannedCount"`
	Next         string `json:"next,omitempty"`
}

// scanItems reads a page of a table's items with Scan, as a client of
// DynamoDB would.
func scanItems(ctx context.Context, s Service, q url.Values) (any, error) {
	name, err := param(q, "name")
	if err != nil {
		return nil, err
	}
	limit := defaultPage
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			return nil, missingParam(fmt.Sprintf("limit (1 to %d)", maxPage))
		}
		limit = n
	}
	in := map[string]any{"TableName": name, "Limit": limit}
	if start := q.Get("start"); start != "" {
		var key map[string]any
		if err := json.Unmarshal([]byte(start), &key); err != nil {
			return nil, missingParam("start (a LastEvaluatedKey as JSON)")
		}
		in["ExclusiveStartKey"] = key
	}
	out, err := s.Call(ctx, "Scan", in)
	if err != nil {
		return nil, err
	}
	p := itemsPage{Count: integer(out["Count"]), ScannedCount: integer(out["ScannedCount"])}
	p.Items, _ = out["Items"].([]any)
	if p.Items == nil {
		p.Items = []any{}
	}
	if k, ok := out["LastEvaluatedKey"].(map[string]any); ok && len(k) > 0 {
		b, _ := json.Marshal(k)
		p.Next = string(b)
	}
	return p, nil
}

// queueView is a queue and its attributes. The console shows counts of
// messages, never the messages: SQS has no way to look at a message
// without receiving it, which hides it from the queue's consumers.
type queueView struct {
	QueueURL   string `json:"queueUrl"`
	Attributes any    `json:"attributes"`
}

func listQueues(ctx context.Context, s Service, q url.Values) (any, error) {
	urls, err := all(ctx, s, queuesPager, map[string]any{"MaxResults": maxListed})
	if err != nil {
		return nil, err
	}
	var items []any
	for _, u := range urls {
		url, _ := u.(string)
		out, err := s.Call(ctx, "GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []any{"All"}})
		if err != nil {
			continue // deleted since it was listed
		}
		items = append(items, queueView{QueueURL: url, Attributes: out["Attributes"]})
	}
	return listOf(items, nil)
}

// topicView is a topic and its subscriptions.
type topicView struct {
	TopicARN      string `json:"topicArn"`
	Subscriptions []any  `json:"subscriptions"`
}

func listTopics(ctx context.Context, s Service, q url.Values) (any, error) {
	b := newBudget()
	topics, more, err := upTo(ctx, s, topicsPager, nil, maxListed)
	if err != nil {
		return nil, err
	}
	b.truncated = more
	var items []any
	for _, t := range topics {
		if !b.take() {
			break
		}
		arn, _ := t.(map[string]any)["TopicArn"].(string)
		subs, err := b.list(ctx, s, pager{"ListSubscriptionsByTopic", "Subscriptions", "NextToken", "NextToken"},
			map[string]any{"TopicArn": arn})
		if err != nil {
			continue
		}
		if subs == nil {
			subs = []any{}
		}
		items = append(items, topicView{TopicARN: arn, Subscriptions: subs})
	}
	return b.listOf(items), nil
}

// listOf is a view's list of items, truncated if b ran out.
func (b *budget) listOf(items []any) list {
	if items == nil {
		items = []any{}
	}
	return list{Items: items, Truncated: b.truncated}
}

// ruleView is an EventBridge rule with its targets.
type ruleView struct {
	Rule    any   `json:"rule"`
	Targets []any `json:"targets"`
}

// busView is an event bus with its rules.
type busView struct {
	Name  string     `json:"name"`
	ARN   string     `json:"arn"`
	Rules []ruleView `json:"rules"`
}

func listRules(ctx context.Context, s Service, q url.Values) (any, error) {
	b := newBudget()
	buses, more, err := upTo(ctx, s, busesPager, nil, maxListed)
	if err != nil {
		return nil, err
	}
	b.truncated = more
	var items []any
	for _, x := range buses {
		if !b.take() {
			break
		}
		bus, _ := x.(map[string]any)
		name, _ := bus["Name"].(string)
		arn, _ := bus["Arn"].(string)
		bv := busView{Name: name, ARN: arn, Rules: []ruleView{}}
		rules, err := b.list(ctx, s, rulesPager, map[string]any{"EventBusName": name})
		if err != nil {
			continue
		}
		for _, r := range rules {
			rn, _ := r.(map[string]any)["Name"].(string)
			targets, err := b.list(ctx, s, pager{"ListTargetsByRule", "Targets", "NextToken", "NextToken"},
				map[string]any{"Rule": rn, "EventBusName": name})
			if err != nil || targets == nil {
				targets = []any{}
			}
			bv.Rules = append(bv.Rules, ruleView{Rule: r, Targets: targets})
		}
		items = append(items, bv)
	}
	return b.listOf(items), nil
}

// recentExecutions is how many of a state machine's executions its
// view lists, newest first.
const recentExecutions = 20

// machineView is a state machine with its most recent executions.
type machineView struct {
	StateMachine any   `json:"stateMachine"`
	Executions   []any `json:"executions"`
}

func listStateMachines(ctx context.Context, s Service, q url.Values) (any, error) {
	machines, err := all(ctx, s, machinesPager, nil)
	if err != nil {
		return nil, err
	}
	var items []any
	for _, m := range machines {
		arn, _ := m.(map[string]any)["stateMachineArn"].(string)
		out, err := s.Call(ctx, "ListExecutions", map[string]any{"stateMachineArn": arn, "maxResults": recentExecutions})
		if err != nil {
			continue
		}
		execs, _ := out["executions"].([]any)
		if execs == nil {
			execs = []any{}
		}
		items = append(items, machineView{StateMachine: m, Executions: execs})
	}
	return listOf(items, nil)
}

// executionView is an execution with its history.
type executionView struct {
	Execution map[string]any `json:"execution"`
	Events    []any          `json:"events"`
}

func describeExecution(ctx context.Context, s Service, q url.Values) (any, error) {
	arn, err := param(q, "arn")
	if err != nil {
		return nil, err
	}
	exec, err := s.Call(ctx, "DescribeExecution", map[string]any{"executionArn": arn})
	if err != nil {
		return nil, err
	}
	events, err := all(ctx, s, pager{"GetExecutionHistory", "events", "nextToken", "nextToken"},
		map[string]any{"executionArn": arn})
	if err != nil {
		return nil, err
	}
	if events == nil {
		events = []any{}
	}
	return executionView{Execution: exec, Events: events}, nil
}

func listStacks(ctx context.Context, s Service, q url.Values) (any, error) {
	return listOf(all(ctx, s, stacksPager, nil))
}

// stackView is a stack with its resources and events, newest first.
type stackView struct {
	Stack     any   `json:"stack"`
	Resources []any `json:"resources"`
	Events    []any `json:"events"`
}

func describeStack(ctx context.Context, s Service, q url.Values) (any, error) {
	name, err := param(q, "name")
	if err != nil {
		return nil, err
	}
	out, err := s.Call(ctx, "DescribeStacks", map[string]any{"StackName": name})
	if err != nil {
		return nil, err
	}
	stacks, _ := out["Stacks"].([]any)
	if len(stacks) == 0 {
		return nil, fmt.Errorf("DescribeStacks %s returned no stack", name)
	}
	v := stackView{Stack: stacks[0], Resources: []any{}, Events: []any{}}
	if res, err := s.Call(ctx, "DescribeStackResources", map[string]any{"StackName": name}); err == nil {
		if rs, ok := res["StackResources"].([]any); ok {
			v.Resources = rs
		}
	}
	events, err := all(ctx, s, pager{"DescribeStackEvents", "StackEvents", "NextToken", "NextToken"},
		map[string]any{"StackName": name})
	if err != nil {
		return nil, err
	}
	if events != nil {
		v.Events = events
	}
	return v, nil
}

func listLogGroups(ctx context.Context, s Service, q url.Values) (any, error) {
	return listOf(all(ctx, s, logGroupsPager, nil))
}

// recentStreams is how many of a group's streams its view lists, the
// most recently written first.
const recentStreams = 50

func listLogStreams(ctx context.Context, s Service, q url.Values) (any, error) {
	group, err := param(q, "group")
	if err != nil {
		return nil, err
	}
	out, err := s.Call(ctx, "DescribeLogStreams", map[string]any{"logGroupName": group,
		"orderBy": "LastEventTime", "descending": true, "limit": recentStreams})
	if err != nil {
		return nil, err
	}
	streams, _ := out["logStreams"].([]any)
	return listOf(streams, nil)
}

// tailEvents is how many of a stream's last events a tail starts with.
const tailEvents = 200

// eventsPage is a stream's events and the token that reads the ones
// written after them (GetLogEvents' nextForwardToken): a tail polls
// with it.
type eventsPage struct {
	Events []any  `json:"events"`
	Next   string `json:"next"`
}

// logEvents reads a stream's last events, or with token those written
// after an earlier page.
func logEvents(ctx context.Context, s Service, q url.Values) (any, error) {
	group, err := param(q, "group")
	if err != nil {
		return nil, err
	}
	stream, err := param(q, "stream")
	if err != nil {
		return nil, err
	}
	in := map[string]any{"logGroupName": group, "logStreamName": stream, "limit": tailEvents}
	if t := q.Get("token"); t != "" {
		in["nextToken"] = t
		in["startFromHead"] = true
	}
	out, err := s.Call(ctx, "GetLogEvents", in)
	if err != nil {
		return nil, err
	}
	p := eventsPage{}
	p.Events, _ = out["events"].([]any)
	if p.Events == nil {
		p.Events = []any{}
	}
	p.Next, _ = out["nextForwardToken"].(string)
	return p, nil
}

// integer reads a number of an in-process call's output.
func integer(v any) int64 {
	n, _ := v.(json.Number)
	i, _ := n.Int64()
	return i
}
