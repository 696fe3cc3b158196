package stepfunctions

import (
	"encoding/json"
	"testing"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

// TestRecase turns Step Functions' PascalCase parameters into ECS's
// members and ECS's answer back, with its timestamps in milliseconds.
func TestRecase(t *testing.T) {
	in := map[string]any{"Cluster": "c", "NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"Subnets": []any{"s-1"}}},
		"Overrides": map[string]any{"ContainerOverrides": []any{map[string]any{"Name": "app", "Environment": []any{map[string]any{"Name": "K", "Value": "V"}}}}}}
	if got, want := asl.Encode(recase(in, false)), `{"cluster":"c","networkConfiguration":{"awsvpcConfiguration":{"subnets":["s-1"]}},"overrides":{"containerOverrides":[{"environment":[{"name":"K","value":"V"}],"name":"app"}]}}`; got != want {
		t.Errorf("down:\n got %s\nwant %s", got, want)
	}
	out := map[string]any{"tasks": []any{map[string]any{"taskArn": "a", "stoppedAt": json.Number("1700000000.5"), "containers": []any{map[string]any{"exitCode": json.Number("0")}}}}, "failures": []any{}}
	if got, want := asl.Encode(recase(out, true)), `{"Failures":[],"Tasks":[{"Containers":[{"ExitCode":0}],"StoppedAt":1700000000500,"TaskArn":"a"}]}`; got != want {
		t.Errorf("up:\n got %s\nwant %s", got, want)
	}
}
