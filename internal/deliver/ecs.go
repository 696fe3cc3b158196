package deliver

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An EventBridge rule's or a Scheduler schedule's target whose ARN names
// an ECS cluster (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME) runs tasks:
// the app calls ECS's RunTask in process with the target's
// EcsParameters (Message.RunTask) on that cluster, and, when the
// target's input is a task overrides document
// ({"containerOverrides":[{"name":"app","command":[...]}], "cpu": ...}),
// with it as the request's overrides. An input that is anything else (the
// matched event itself, for a rule with no Input) runs the task as its
// task definition says.

// ECSRunTask is RunTask's request for a target's EcsParameters (the
// EventBridge or Scheduler shape, whose members are RunTask's in
// PascalCase, save TaskDefinitionArn and TaskCount), started by
// startedBy, without the cluster and the overrides.
func ECSRunTask(params any, startedBy string) map[string]any {
	b, _ := json.Marshal(params)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	in, _ := lowerKeys(m).(map[string]any)
	if in == nil {
		in = map[string]any{}
	}
	for from, to := range map[string]string{"taskDefinitionArn": "taskDefinition", "taskCount": "count"} {
		if v, ok := in[from]; ok {
			delete(in, from)
			in[to] = v
		}
	}
	if tags, ok := in["tags"].([]any); ok {
		in["tags"] = ecsTags(tags)
	}
	in["startedBy"] = startedBy
	return in
}

// ecsTags are RunTask's tags ({"key","value"} objects) for a target's:
// EventBridge's are {"Key","Value"} objects (lower-cased already), and
// Scheduler's maps of one tag key to its value each.
func ecsTags(tags []any) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		m, _ := t.(map[string]any)
		if _, ok := m["key"]; ok {
			out = append(out, m)
			continue
		}
		for k, v := range m {
			out = append(out, map[string]any{"key": k, "value": v})
		}
	}
	return out
}

// lowerKeys lower-cases the first letter of every object member name.
func lowerKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if k == "" {
				continue
			}
			r, n := utf8.DecodeRuneInString(k)
			out[string(unicode.ToLower(r))+k[n:]] = lowerKeys(e)
		}
		return out
	case []any:
		for i, e := range v {
			v[i] = lowerKeys(e)
		}
	}
	return v
}

// taskOverrideMembers are the members of ECS's TaskOverride.
var taskOverrideMembers = map[string]bool{"containerOverrides": true, "cpu": true, "ephemeralStorage": true,
	"executionRoleArn": true, "inferenceAcceleratorOverrides": true, "memory": true, "taskRoleArn": true}

// TaskOverrides returns an ECS target's input as RunTask's overrides:
// ok is false unless it is a JSON object all of whose members are
// TaskOverride's.
func TaskOverrides(input []byte) (overrides map[string]any, ok bool) {
	input = bytes.TrimSpace(input)
	if !bytes.HasPrefix(input, []byte("{")) {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(input))
	d.UseNumber()
	if d.Decode(&overrides) != nil || len(overrides) == 0 || d.Decode(new(json.RawMessage)) != io.EOF {
		return nil, false
	}
	for k := range overrides {
		if !taskOverrideMembers[k] {
			return nil, false
		}
	}
	return overrides, true
}

// ClusterARN reports whether arn names an ECS cluster.
func ClusterARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "ecs" && strings.HasPrefix(parts[5], "cluster/") && len(parts[5]) > len("cluster/")
}
