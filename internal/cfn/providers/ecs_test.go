package providers_test

import (
	"fmt"
	"testing"
)

func TestECSResources(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	cl := s.create("AWS::ECS::Cluster", "Cluster", map[string]any{"ClusterName": "prov",
		"ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "enabled"}},
		"Tags":            []any{map[string]any{"Key": "a", "Value": "1"}}})
	if cl.ref() != "prov" || cl.attr("Arn") != "arn:aws:ecs:us-east-1:"+testAccount+":cluster/prov" {
		t.Fatalf("cluster Ref %s, attributes %v", cl.ref(), cl.result.Attributes)
	}
	out := s.call("ecs", "DescribeClusters", map[string]any{"clusters": []any{"prov"}, "include": []any{"TAGS"}})
	c := out["clusters"].([]any)[0].(map[string]any)
	if fmt.Sprint(c["settings"]) != "[map[name:containerInsights value:enabled]]" || len(c["tags"].([]any)) != 1 {
		t.Fatalf("cluster %v", c)
	}

	td := s.create("AWS::ECS::TaskDefinition", "Def", map[string]any{
		"Memory": num("512"),
		"ContainerDefinitions": []any{map[string]any{"Name": "app", "Image": "nginx", "Essential": "false", "MemoryReservation": "64",
			"DockerLabels": map[string]any{"Com.Example": "x"},
			"Environment":  []any{map[string]any{"Name": "A", "Value": "1"}}}},
	})
	if !generated(td.ref()[len("arn:aws:ecs:us-east-1:"+testAccount+":task-definition/"):len(td.ref())-2], "Def") || td.attr("TaskDefinitionArn") != td.ref() {
		t.Fatalf("task definition Ref %s", td.ref())
	}
	def := s.call("ecs", "DescribeTaskDefinition", map[string]any{"taskDefinition": td.ref()})["taskDefinition"].(map[string]any)
	cd := def["containerDefinitions"].([]any)[0].(map[string]any)
	if def["memory"] != "512" || cd["essential"] != false || fmt.Sprint(cd["memoryReservation"]) != "64" ||
		fmt.Sprint(cd["dockerLabels"]) != "map[Com.Example:x]" {
		t.Fatalf("task definition %v", def)
	}
	td.checkReplacement(map[string]map[string]any{"Memory": {"Memory": "1024"}}, "Memory")

	svc := s.create("AWS::ECS::Service", "Svc", map[string]any{"Cluster": "prov", "TaskDefinition": td.ref(), "ServiceName": "svc",
		"PlacementStrategies": []any{map[string]any{"Type": "spread", "Field": "attribute:ecs.availability-zone"}}})
	if svc.ref() != "arn:aws:ecs:us-east-1:"+testAccount+":service/prov/svc" || svc.attr("Name") != "svc" {
		t.Fatalf("service Ref %s, attributes %v", svc.ref(), svc.result.Attributes)
	}
	describe := func() map[string]any {
		return s.call("ecs", "DescribeServices", map[string]any{"cluster": "prov", "services": []any{"svc"}})["services"].([]any)[0].(map[string]any)
	}
	if d := describe(); fmt.Sprint(d["desiredCount"]) != "1" || len(d["placementStrategy"].([]any)) != 1 {
		t.Fatalf("service %v", d)
	}
	svc.update(map[string]any{"Cluster": "prov", "TaskDefinition": td.ref(), "ServiceName": "svc", "DesiredCount": "0"})
	if d := describe(); fmt.Sprint(d["desiredCount"]) != "0" {
		t.Fatalf("after the update %v", d)
	}
	svc.delete()
	if d := describe(); d["status"] != "INACTIVE" {
		t.Fatalf("after delete %v", d)
	}
	td.delete()
	cl.delete()
	if code := s.callErr("ecs", "ListServices", map[string]any{"cluster": "prov"}); code != "ClusterNotFoundException" {
		t.Fatalf("cluster after delete: %q", code)
	}
}
