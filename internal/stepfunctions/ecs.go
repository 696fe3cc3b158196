package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/stepfunctions/asl"
)

// ecsPoll is how often a .sync ECS task asks ECS whether its task has
// stopped.
const ecsPoll = 100 * time.Millisecond

// runECSTask is the optimized integration ecs:runTask. Its parameters
// are RunTask's in PascalCase (Cluster, TaskDefinition, LaunchType,
// NetworkConfiguration, Overrides, ...), as Step Functions takes every
// integration's, and its result is RunTask's response in PascalCase
// ({Tasks, Failures}). With .sync or .waitForTaskToken a non-empty
// Failures fails the task with AmazonECS.Unknown; .sync then waits for
// the tasks to stop: its output is the stopped task's description, and
// an essential container that exited with a code other than 0 (or never
// ran) fails the task with States.TaskFailed and that description as
// the cause. A .sync task that stops waiting (its execution was
// stopped, or it timed out) stops the ECS tasks.
func (x *execEnv) runECSTask(ctx context.Context, c *asl.TaskCall, pattern string) (any, error) {
	if x.s.call == nil {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "No service integrations in this virga"}
	}
	params, ok := c.Input.(map[string]any)
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "The parameters of " + c.Resource + " must be a JSON object"}
	}
	out, err := x.s.call(ctx, "ecs", "RunTask", recase(params, false).(map[string]any))
	if err != nil {
		return nil, ecsError(err)
	}
	resp := recase(out, true)
	if pattern == "" {
		return resp, nil
	}
	failures, _ := out["failures"].([]any)
	tasks, _ := out["tasks"].([]any)
	if len(failures) > 0 || len(tasks) == 0 {
		return nil, &asl.Failure{Name: "AmazonECS.Unknown", Cause: asl.Encode(resp)}
	}
	if pattern != "sync" {
		return resp, nil
	}
	c.Submitted(resp)
	var arns []string
	cluster := ""
	for _, t := range tasks {
		m, _ := t.(map[string]any)
		arn, _ := m["taskArn"].(string)
		cluster, _ = m["clusterArn"].(string)
		arns = append(arns, arn)
	}
	stopped, err := x.waitECSTasks(ctx, cluster, arns)
	if err != nil {
		if ctx.Err() != nil && x.s.base.Err() == nil {
			// The execution stopped or the task timed out: its ECS tasks
			// stop too. (When virga stops, ECS stops them itself.)
			for _, arn := range arns {
				x.s.call(context.Background(), "ecs", "StopTask", map[string]any{"cluster": cluster, "task": arn})
			}
		}
		return nil, err
	}
	var result any = recase(stopped[0], true)
	if len(stopped) > 1 {
		all := make([]any, len(stopped))
		for i, t := range stopped {
			all[i] = recase(t, true)
		}
		result = all
	}
	for _, t := range stopped {
		if !x.essentialsSucceeded(ctx, t) {
			return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: asl.Encode(result)}
		}
	}
	return result, nil
}

// waitECSTasks polls DescribeTasks until every task is STOPPED and
// returns their descriptions.
func (x *execEnv) waitECSTasks(ctx context.Context, cluster string, arns []string) ([]map[string]any, error) {
	list := make([]any, len(arns))
	for i, a := range arns {
		list[i] = a
	}
	for {
		out, err := x.s.call(ctx, "ecs", "DescribeTasks", map[string]any{"cluster": cluster, "tasks": list})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, ecsError(err)
		}
		tasks, _ := out["tasks"].([]any)
		var stopped []map[string]any
		for _, t := range tasks {
			if m, ok := t.(map[string]any); ok && m["lastStatus"] == "STOPPED" {
				stopped = append(stopped, m)
			}
		}
		if len(stopped) == len(arns) {
			return stopped, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(ecsPoll):
		}
	}
}

// essentialsSucceeded answers whether every essential container of a
// stopped task (all of them unless its task definition says otherwise)
// exited with code 0.
func (x *execEnv) essentialsSucceeded(ctx context.Context, task map[string]any) bool {
	essential := map[string]bool{}
	if def, _ := task["taskDefinitionArn"].(string); def != "" {
		if out, err := x.s.call(ctx, "ecs", "DescribeTaskDefinition", map[string]any{"taskDefinition": def}); err == nil {
			td, _ := out["taskDefinition"].(map[string]any)
			defs, _ := td["containerDefinitions"].([]any)
			for _, d := range defs {
				m, _ := d.(map[string]any)
				name, _ := m["name"].(string)
				e, set := m["essential"].(bool)
				essential[name] = e || !set
			}
		}
	}
	containers, _ := task["containers"].([]any)
	for _, c := range containers {
		m, _ := c.(map[string]any)
		name, _ := m["name"].(string)
		if e, known := essential[name]; known && !e {
			continue
		}
		code, ok := m["exitCode"].(json.Number)
		if !ok || code.String() != "0" {
			return false
		}
	}
	return true
}

// ecsError names an ECS error as Step Functions does: ECS.<Code>.
func ecsError(err error) error {
	if ae := apierr.As(err); ae != nil {
		return &asl.Failure{Name: "ECS." + ae.Code, Cause: ae.Message + " (Service: AmazonECS, Status Code: " + fmt.Sprint(ae.Status) + ", Error Code: " + ae.Code + ")"}
	}
	return &asl.Failure{Name: "ECS.SdkClientException", Cause: err.Error()}
}

// recase turns a document's member names from Step Functions'
// PascalCase to ECS's camelCase (up false) or back (up true). Going up,
// a timestamp (a member ending in "At", which ECS gives in epoch
// seconds) becomes epoch milliseconds, as Step Functions reports them.
func recase(v any, up bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			name := recaseName(k, up)
			if n, ok := e.(json.Number); ok && up && strings.HasSuffix(k, "At") {
				if f, err := strconv.ParseFloat(n.String(), 64); err == nil {
					e = json.Number(strconv.FormatInt(int64(math.Round(f*1000)), 10))
				}
			}
			out[name] = recase(e, up)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = recase(e, up)
		}
		return out
	}
	return v
}

func recaseName(k string, up bool) string {
	r, n := utf8.DecodeRuneInString(k)
	if n == 0 {
		return k
	}
	if up {
		return string(unicode.ToUpper(r)) + k[n:]
	}
	return string(unicode.ToLower(r)) + k[n:]
}
