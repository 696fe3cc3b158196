package providers_test

import (
	"testing"
	"time"
)

func TestPipe(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	src := s.create("AWS::SQS::Queue", "Src", map[string]any{})
	dst := s.create("AWS::SQS::Queue", "Dst", map[string]any{})
	props := map[string]any{
		"RoleArn": testRole, "Source": src.attr("Arn"), "Target": dst.attr("Arn"),
		"SourceParameters": map[string]any{
			"SqsQueueParameters": map[string]any{"BatchSize": "5"},
			"FilterCriteria":     map[string]any{"Filters": []any{map[string]any{"Pattern": `{"body":{"kind":["order"]}}`}}},
		},
		"TargetParameters": map[string]any{"InputTemplate": `{"id": <$.messageId>}`},
		"Tags":             map[string]any{"team": "core"},
	}
	p := s.create("AWS::Pipes::Pipe", "Pipe", props)
	name := p.ref()
	if !generated(name, "Pipe") || p.attr("Arn") != "arn:aws:pipes:us-east-1:"+testAccount+":pipe/"+name ||
		p.attr("CurrentState") != "RUNNING" {
		t.Errorf("pipe Ref %s, attributes %v", name, p.result.Attributes)
	}
	if _, err := time.Parse(time.RFC3339Nano, p.attr("CreationTime")); err != nil {
		t.Errorf("CreationTime %q: %v", p.attr("CreationTime"), err)
	}
	d := s.call("pipes", "DescribePipe", map[string]any{"Name": name})
	if str(d, "SourceParameters", "SqsQueueParameters", "BatchSize") != "5" || str(d, "Tags", "team") != "core" {
		t.Errorf("DescribePipe: %v", d)
	}
	p.checkReplacement(map[string]map[string]any{"Name": {"Name": "x"}, "Source": {"Source": dst.attr("Arn")},
		"Target": {"Target": src.attr("Arn")}, "DesiredState": {"DesiredState": "STOPPED"}}, "Name", "Source")

	p.update(with(props, map[string]any{"DesiredState": "STOPPED", "Tags": map[string]any{"env": "dev"}}))
	d = s.call("pipes", "DescribePipe", map[string]any{"Name": name})
	if str(d, "CurrentState") != "STOPPED" || str(d, "TargetParameters", "InputTemplate") != `{"id": <$.messageId>}` {
		t.Errorf("DescribePipe after the update: %v", d)
	}
	tags := s.call("pipes", "ListTagsForResource", map[string]any{"resourceArn": p.attr("Arn")})
	if str(tags, "tags", "env") != "dev" || str(tags, "tags", "team") != "" {
		t.Errorf("tags after the update: %v", tags)
	}
	p.delete()
	if code := s.callErr("pipes", "DescribePipe", map[string]any{"Name": name}); code != "NotFoundException" {
		t.Errorf("DescribePipe after the delete: %s", code)
	}
}
