package console

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

// paged answers a List operation of n items, 100 to a page, as the
// services page them.
func paged(in map[string]any, list string, n int, item func(i int) any) map[string]any {
	start, _ := strconv.Atoi(fmt.Sprint(in["NextToken"]))
	out := map[string]any{}
	var page []any
	for i := start; i < n && i < start+100; i++ {
		page = append(page, item(i))
	}
	out[list] = page
	if start+100 < n {
		out["NextToken"] = strconv.Itoa(start + 100)
	}
	return out
}

// A view of resources with the resources under them lists at most
// maxListed entries in all, and says when it stopped short.
func TestViewBudget(t *testing.T) {
	t.Parallel()
	calls := 0
	s := serviceFunc(func(_ context.Context, op string, in map[string]any) (map[string]any, error) {
		calls++
		switch op {
		case "ListTopics":
			return paged(in, "Topics", 50, func(i int) any { return map[string]any{"TopicArn": fmt.Sprint("t", i)} }), nil
		case "ListSubscriptionsByTopic":
			return paged(in, "Subscriptions", 300, func(i int) any { return map[string]any{"SubscriptionArn": fmt.Sprint(in["TopicArn"], i)} }), nil
		case "ListEventBuses":
			return paged(in, "EventBuses", 3, func(i int) any { return map[string]any{"Name": fmt.Sprint("b", i)} }), nil
		case "ListRules":
			return paged(in, "Rules", 400, func(i int) any { return map[string]any{"Name": fmt.Sprint("r", i)} }), nil
		case "ListTargetsByRule":
			return paged(in, "Targets", 5, func(i int) any { return map[string]any{"Id": fmt.Sprint(i)} }), nil
		}
		return nil, fmt.Errorf("unexpected %s", op)
	})
	out, err := listTopics(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := out.(list)
	entries := 0
	for _, it := range l.Items {
		entries += 1 + len(it.(topicView).Subscriptions)
	}
	if entries > maxListed || !l.Truncated || calls > 20 {
		t.Errorf("topics view: %d entries, truncated %v, %d calls", entries, l.Truncated, calls)
	}

	calls = 0
	out, err = listRules(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	l = out.(list)
	entries = 0
	for _, it := range l.Items {
		entries++
		for _, r := range it.(busView).Rules {
			entries += 1 + len(r.Targets)
		}
	}
	if entries > maxListed || !l.Truncated || calls > maxListed+10 {
		t.Errorf("rules view: %d entries, truncated %v, %d calls", entries, l.Truncated, calls)
	}

	// A view within its bound is not truncated.
	small := serviceFunc(func(_ context.Context, op string, in map[string]any) (map[string]any, error) {
		if op == "ListTopics" {
			return paged(in, "Topics", 3, func(i int) any { return map[string]any{"TopicArn": fmt.Sprint("t", i)} }), nil
		}
		return paged(in, "Subscriptions", 2, func(i int) any { return map[string]any{} }), nil
	})
	if out, _ := listTopics(context.Background(), small, nil); out.(list).Truncated || len(out.(list).Items) != 3 {
		t.Errorf("small topics view: %+v", out)
	}
}
