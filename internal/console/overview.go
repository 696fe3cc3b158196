package console

import (
	"net/http"
	"net/url"
)

// count is how many resources of one kind a service has; More means
// there are more than maxListed.
type count struct {
	Kind  string `json:"kind"`
	View  string `json:"view"`
	Count int    `json:"count"`
	More  bool   `json:"more,omitempty"`
	Error string `json:"error,omitempty"`
}

// serviceCounts is one service's line of the overview.
type serviceCounts struct {
	Service string  `json:"service"`
	Counts  []count `json:"counts"`
}

// overviewView is every service the console reads, with its resource
// counts.
type overviewView struct {
	Services []serviceCounts `json:"services"`
}

// counted is one kind of resource the overview counts, and the view
// that lists it.
type counted struct {
	kind, view string
	p          pager
	in         map[string]any
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	s := c.opts.Services
	lines := []struct {
		name  string
		svc   Service
		kinds []counted
	}{
		{"Lambda", s.Lambda, []counted{{"functions", "lambda", functionsPager, nil}}},
		{"DynamoDB", s.DynamoDB, []counted{{"tables", "dynamodb", tablesPager, nil}}},
		{"SQS", s.SQS, []counted{{"queues", "sqs", queuesPager, map[string]any{"MaxResults": maxListed}}}},
		{"SNS", s.SNS, []counted{{"topics", "sns", topicsPager, nil}}},
		{"EventBridge", s.Events, []counted{{"event buses", "events", busesPager, nil}}},
		{"Step Functions", s.StepFunctions, []counted{{"state machines", "states", machinesPager, nil}}},
		{"CloudFormation", s.CloudFormation, []counted{{"stacks", "cloudformation", stacksPager, nil}}},
		{"CloudWatch Logs", s.Logs, []counted{{"log groups", "logs", logGroupsPager, nil}}},
		{"ECS", s.ECS, []counted{{"clusters", "ecs", clustersPager, nil}}},
		{"Elastic Load Balancing", s.ELBv2, []counted{{"load balancers", "elbv2", balancersPager, nil},
			{"target groups", "elbv2", targetGroupPager, nil}}},
	}
	out := overviewView{Services: []serviceCounts{}}
	for _, l := range lines {
		if l.svc == nil {
			continue
		}
		sc := serviceCounts{Service: l.name}
		for _, k := range l.kinds {
			n := count{Kind: k.kind, View: k.view}
			items, err := all(r.Context(), readOnly{l.svc}, k.p, copyInput(k.in))
			if err != nil {
				n.Error = err.Error()
			}
			n.Count, n.More = len(items), len(items) >= maxListed
			sc.Counts = append(sc.Counts, n)
		}
		out.Services = append(out.Services, sc)
	}
	if s.XRay != nil {
		n := count{Kind: "traces in the last hour", View: "xray"}
		v, err := c.listTraces(r.Context(), readOnly{s.XRay}, url.Values{})
		if err != nil {
			n.Error = err.Error()
		} else {
			n.Count = len(v.(list).Items)
			n.More = n.Count >= maxListed
		}
		out.Services = append(out.Services, serviceCounts{Service: "X-Ray", Counts: []count{n}})
	}
	writeJSON(w, out)
}

// copyInput keeps a shared input unchanged by all's paging.
func copyInput(in map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range in {
		out[k] = v
	}
	return out
}
