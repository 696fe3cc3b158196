package applicationautoscaling

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// A scalable resource is reached through the service that owns it,
// in process: DynamoDB tables and their global secondary indexes
// (provisioned read or write capacity), Lambda aliases and versions
// (provisioned concurrency) and ECS services (desired count). Targets
// of other namespaces are recorded and their policies and scheduled
// actions kept, but nothing scales them.

// dimensions lists each namespace's scalable dimensions and the form of
// their resource IDs, as the RegisterScalableTarget reference gives
// them.
var dimensions = map[string]map[string]func(string) bool{
	"dynamodb": {
		"dynamodb:table:ReadCapacityUnits":  isTable,
		"dynamodb:table:WriteCapacityUnits": isTable,
		"dynamodb:index:ReadCapacityUnits":  isIndex,
		"dynamodb:index:WriteCapacityUnits": isIndex,
	},
	"lambda": {"lambda:function:ProvisionedConcurrency": func(id string) bool {
		parts := strings.Split(id, ":")
		return len(parts) == 3 && parts[0] == "function" && parts[1] != "" && parts[2] != ""
	}},
	"ecs": {"ecs:service:DesiredCount": func(id string) bool {
		parts := strings.Split(id, "/")
		return len(parts) == 3 && parts[0] == "service" && parts[1] != "" && parts[2] != ""
	}},
}

func isTable(id string) bool {
	name, ok := strings.CutPrefix(id, "table/")
	return ok && name != "" && !strings.Contains(name, "/")
}

func isIndex(id string) bool {
	parts := strings.Split(id, "/")
	return len(parts) == 4 && parts[0] == "table" && parts[1] != "" && parts[2] == "index" && parts[3] != ""
}

// checkTarget refuses a namespace, dimension and resource ID that do not
// go together: the dimension must begin with the namespace (but for
// custom resources), and for the namespaces virga scales the resource
// ID must have its namespace's form.
func checkTarget(k targetKey) error {
	unsupported := invalid("Unsupported service namespace, resource type or scalable dimension")
	ns, _, _ := strings.Cut(k.Dimension, ":")
	if ns != k.Namespace {
		return unsupported
	}
	if dims, ok := dimensions[k.Namespace]; ok {
		match, ok := dims[k.Dimension]
		if !ok || !match(k.ResourceID) {
			return unsupported
		}
	}
	return nil
}

// capacity reads and sets a scalable resource's current capacity.
type capacity struct {
	s *Service
	k targetKey
}

// scaled reports whether virga scales the target's resource.
func (c capacity) scaled() bool { _, ok := dimensions[c.k.Namespace]; return ok }

// current returns the resource's capacity, or a ValidationException
// when the resource does not exist.
func (c capacity) current(ctx context.Context) (int32, error) {
	switch c.k.Namespace {
	case "dynamodb":
		table, index, read := c.dynamoDB()
		out, err := c.s.call(ctx, "dynamodb", "DescribeTable", map[string]any{"TableName": table})
		// A name DynamoDB refuses to look up (too short, a character
		// it does not allow) names no table either.
		if isCode(err, "ResourceNotFoundException") || isCode(err, "ValidationException") {
			return 0, invalid("DynamoDB table '%s' does not exist", table)
		}
		if err != nil {
			return 0, err
		}
		t, _ := out["Table"].(map[string]any)
		pt := t["ProvisionedThroughput"]
		if index != "" {
			pt = nil
			for _, g := range list(t["GlobalSecondaryIndexes"]) {
				if g["IndexName"] == index {
					pt = g["ProvisionedThroughput"]
				}
			}
			if pt == nil {
				return 0, invalid("DynamoDB index '%s' does not exist on table '%s'", index, table)
			}
		}
		m, _ := pt.(map[string]any)
		if read {
			return number(m["ReadCapacityUnits"]), nil
		}
		return number(m["WriteCapacityUnits"]), nil
	case "lambda":
		fn, q := c.lambda()
		if _, err := c.s.call(ctx, "lambda", "GetFunctionConfiguration", map[string]any{"FunctionName": fn, "Qualifier": q}); err != nil {
			if isCode(err, "ResourceNotFoundException") {
				return 0, invalid("Lambda function %s:%s does not exist", fn, q)
			}
			return 0, err
		}
		out, err := c.s.call(ctx, "lambda", "GetProvisionedConcurrencyConfig", map[string]any{"FunctionName": fn, "Qualifier": q})
		if isCode(err, "ProvisionedConcurrencyConfigNotFoundException") {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return number(out["RequestedProvisionedConcurrentExecutions"]), nil
	case "ecs":
		cluster, svc := c.ecs()
		out, err := c.s.call(ctx, "ecs", "DescribeServices", map[string]any{"cluster": cluster, "services": []any{svc}})
		if isCode(err, "ClusterNotFoundException") {
			return 0, invalid("ECS service doesn't exist: %s", c.k.ResourceID)
		}
		if err != nil {
			return 0, err
		}
		for _, s := range list(out["services"]) {
			if s["status"] != "INACTIVE" {
				return number(s["desiredCount"]), nil
			}
		}
		return 0, invalid("ECS service doesn't exist: %s", c.k.ResourceID)
	}
	return 0, nil
}

// set changes the resource's capacity to n.
func (c capacity) set(ctx context.Context, n int32) error {
	switch c.k.Namespace {
	case "dynamodb":
		table, index, read := c.dynamoDB()
		out, err := c.s.call(ctx, "dynamodb", "DescribeTable", map[string]any{"TableName": table})
		if err != nil {
			return err
		}
		t, _ := out["Table"].(map[string]any)
		pt, _ := t["ProvisionedThroughput"].(map[string]any)
		if index != "" {
			for _, g := range list(t["GlobalSecondaryIndexes"]) {
				if g["IndexName"] == index {
					pt, _ = g["ProvisionedThroughput"].(map[string]any)
				}
			}
		}
		want := map[string]any{"ReadCapacityUnits": number(pt["ReadCapacityUnits"]), "WriteCapacityUnits": number(pt["WriteCapacityUnits"])}
		if read {
			want["ReadCapacityUnits"] = n
		} else {
			want["WriteCapacityUnits"] = n
		}
		in := map[string]any{"TableName": table, "ProvisionedThroughput": want}
		if index != "" {
			in = map[string]any{"TableName": table, "GlobalSecondaryIndexUpdates": []any{
				map[string]any{"Update": map[string]any{"IndexName": index, "ProvisionedThroughput": want}}}}
		}
		_, err = c.s.call(ctx, "dynamodb", "UpdateTable", in)
		return err
	case "lambda":
		fn, q := c.lambda()
		if n == 0 {
			_, err := c.s.call(ctx, "lambda", "DeleteProvisionedConcurrencyConfig", map[string]any{"FunctionName": fn, "Qualifier": q})
			if isCode(err, "ProvisionedConcurrencyConfigNotFoundException") {
				return nil
			}
			return err
		}
		_, err := c.s.call(ctx, "lambda", "PutProvisionedConcurrencyConfig", map[string]any{"FunctionName": fn, "Qualifier": q,
			"ProvisionedConcurrentExecutions": n})
		return err
	case "ecs":
		cluster, svc := c.ecs()
		_, err := c.s.call(ctx, "ecs", "UpdateService", map[string]any{"cluster": cluster, "service": svc, "desiredCount": n})
		return err
	}
	return nil
}

// dynamoDB splits a table or index resource ID; read says whether the
// dimension is read capacity.
func (c capacity) dynamoDB() (table, index string, read bool) {
	parts := strings.Split(c.k.ResourceID, "/")
	table = parts[1]
	if len(parts) == 4 {
		index = parts[3]
	}
	return table, index, strings.HasSuffix(c.k.Dimension, ":ReadCapacityUnits")
}

func (c capacity) lambda() (function, qualifier string) {
	parts := strings.Split(c.k.ResourceID, ":")
	return parts[1], parts[2]
}

func (c capacity) ecs() (cluster, service string) {
	parts := strings.Split(c.k.ResourceID, "/")
	return parts[1], parts[2]
}

// clamp returns n moved inside [min, max].
func clamp(n, lo, hi int32) int32 { return max(lo, min(hi, n)) }

func isCode(err error, code string) bool {
	e := apierr.As(err)
	return e != nil && e.Code == code
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// number reads an integer of a service's output.
func number(v any) int32 {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int32(i)
	case float64:
		return int32(n)
	case int64:
		return int32(n)
	case int32:
		return n
	case int:
		return int32(n)
	}
	return 0
}

func (k targetKey) String() string {
	return fmt.Sprintf("%s|%s|%s", k.ResourceID, k.Dimension, k.Namespace)
}
