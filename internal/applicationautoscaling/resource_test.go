package applicationautoscaling

import (
	"strings"
	"testing"
)

func TestCheckTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ns, dim, id string
		ok          bool
	}{
		{"dynamodb", "dynamodb:table:ReadCapacityUnits", "table/orders", true},
		{"dynamodb", "dynamodb:index:WriteCapacityUnits", "table/orders/index/byUser", true},
		{"dynamodb", "dynamodb:index:WriteCapacityUnits", "table/orders", false},
		{"dynamodb", "dynamodb:table:ReadCapacityUnits", "table/orders/index/byUser", false},
		{"dynamodb", "dynamodb:table:ReadCapacityUnits", "orders", false},
		{"dynamodb", "ecs:service:DesiredCount", "table/orders", false},
		{"lambda", "lambda:function:ProvisionedConcurrency", "function:f:live", true},
		{"lambda", "lambda:function:ProvisionedConcurrency", "function:f", false},
		{"ecs", "ecs:service:DesiredCount", "service/default/web", true},
		{"ecs", "ecs:service:DesiredCount", "service/web", false},
		{"rds", "rds:cluster:ReadReplicaCount", "cluster:my-db", true},
		{"custom-resource", "custom-resource:ResourceType:Property", "https://example.com/x", true},
	} {
		err := checkTarget(targetKey{tc.ns, tc.id, tc.dim})
		if (err == nil) != tc.ok {
			t.Errorf("checkTarget(%s, %s, %s) = %v, want ok %v", tc.ns, tc.dim, tc.id, err, tc.ok)
		}
	}
}

// FuzzResourceID checks resource IDs and, for those accepted, splits
// them as scaling and alarms do: nothing may panic, and the parts put
// back together are the resource ID.
func FuzzResourceID(f *testing.F) {
	for ns, dims := range dimensions {
		for dim := range dims {
			for _, id := range []string{"table/t", "table/t/index/i", "function:f:1", "service/c/s", "table//index/", "function::", "service//", ""} {
				f.Add(ns, dim, id)
			}
		}
	}
	f.Fuzz(func(t *testing.T, ns, dim, id string) {
		k := targetKey{ns, id, dim}
		if checkTarget(k) != nil {
			return
		}
		c := capacity{k: k}
		if !c.scaled() {
			return
		}
		switch ns {
		case "dynamodb":
			table, index, _ := c.dynamoDB()
			back := "table/" + table
			if index != "" {
				back += "/index/" + index
			}
			if back != id {
				t.Errorf("%q split into table %q, index %q", id, table, index)
			}
			_ = dynamoDBDims(k, "")
		case "lambda":
			fn, q := c.lambda()
			if "function:"+fn+":"+q != id {
				t.Errorf("%q split into %q, %q", id, fn, q)
			}
			_ = lambdaDims(k, "")
		case "ecs":
			cluster, svc := c.ecs()
			if strings.Join([]string{"service", cluster, svc}, "/") != id {
				t.Errorf("%q split into %q, %q", id, cluster, svc)
			}
			_ = ecsDims(k, "")
		}
	})
}
