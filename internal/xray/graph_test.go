package xray

import (
	"testing"
)

func TestGraph(t *testing.T) {
	const id = "1-581cf771-a006649127e371903a2de979"
	recs := []*segmentRecord{
		{ID: "1", Doc: `{"name":"api","origin":"AWS::ApiGateway::Stage","id":"0000000000000001","trace_id":"` + id + `","start_time":10,"end_time":11,
			"subsegments":[{"name":"fn","id":"0000000000000002","namespace":"remote","start_time":10.1,"end_time":10.9}]}`},
		{ID: "3", Doc: `{"name":"fn","origin":"AWS::Lambda","id":"0000000000000003","parent_id":"0000000000000002","trace_id":"` + id + `","start_time":10.1,"end_time":10.9,"error":true,
			"subsegments":[{"name":"S3","id":"0000000000000004","namespace":"aws","start_time":10.2,"end_time":10.3,"fault":true},
			               {"name":"S3","id":"0000000000000005","namespace":"aws","start_time":10.4,"end_time":10.5},
			               {"name":"local work","id":"0000000000000006","start_time":10.5,"end_time":10.6}]}`},
	}
	g := newGraph()
	g.add(newTrace(id, recs))
	svcs := g.services("000000000000")
	if len(svcs) != 3 {
		t.Fatalf("services = %d; want api, fn, S3", len(svcs))
	}
	api, fn, s3 := svcs[0], svcs[1], svcs[2]
	if *api.Name != "api" || !*api.Root || *api.Type != "AWS::ApiGateway::Stage" || len(api.Edges) != 1 || *api.Edges[0].ReferenceId != *fn.ReferenceId {
		t.Errorf("api = %+v", api)
	}
	if *fn.Root || *fn.SummaryStatistics.ErrorStatistics.TotalCount != 1 || len(fn.Edges) != 1 {
		t.Errorf("fn = %+v", fn)
	}
	e := fn.Edges[0]
	if *e.ReferenceId != *s3.ReferenceId || *e.SummaryStatistics.TotalCount != 2 || *e.SummaryStatistics.FaultStatistics.TotalCount != 1 || *e.SummaryStatistics.OkCount != 1 {
		t.Errorf("fn -> S3 edge = %+v", e.SummaryStatistics)
	}
	if *s3.Type != "AWS::S3" || *s3.SummaryStatistics.TotalCount != 2 {
		t.Errorf("S3 = %+v", s3)
	}
	f := newTrace(id, recs).facts()
	if f.duration != 1 || f.responseTime != 1 || !f.error || !f.fault || len(f.services) != 3 {
		t.Errorf("facts = %+v", f)
	}
}

// TestGraphLooseSubsegments: subsegments a function's SDK sends on their
// own, under the function segment Lambda wrote, add its downstream calls.
func TestGraphLooseSubsegments(t *testing.T) {
	const id = "1-581cf771-a006649127e371903a2de979"
	recs := []*segmentRecord{
		{ID: "1", Doc: `{"name":"fn","origin":"AWS::Lambda::Function","id":"0000000000000001","trace_id":"` + id + `","start_time":10,"end_time":11,
			"subsegments":[{"name":"Invocation","id":"0000000000000002","start_time":10,"end_time":10.9}]}`},
		{ID: "3", Doc: `{"type":"subsegment","name":"handler","id":"0000000000000003","parent_id":"0000000000000001","trace_id":"` + id + `","start_time":10.1,"end_time":10.8,
			"subsegments":[{"name":"DynamoDB","id":"0000000000000004","namespace":"aws","start_time":10.2,"end_time":10.3}]}`},
		{ID: "5", Doc: `{"type":"subsegment","name":"SQS","namespace":"aws","id":"0000000000000005","parent_id":"0000000000000003","trace_id":"` + id + `","start_time":10.4,"end_time":10.5}`},
	}
	g := newGraph()
	g.add(newTrace(id, recs))
	svcs := g.services("000000000000")
	if len(svcs) != 3 || *svcs[0].Name != "fn" || len(svcs[0].Edges) != 2 {
		t.Fatalf("services = %d, fn's edges = %d; want fn -> DynamoDB, SQS", len(svcs), len(svcs[0].Edges))
	}
	if *svcs[1].Type != "AWS::DynamoDB" || *svcs[2].Type != "AWS::SQS" {
		t.Errorf("inferred = %s, %s", *svcs[1].Type, *svcs[2].Type)
	}
}
