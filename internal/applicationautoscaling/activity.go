package applicationautoscaling

import (
	"context"
	"strconv"

	"github.com/virga/virga/internal/store"
)

// scale changes a target's resource's capacity to to and records
// the scaling activity, successful or failed, with its cause. The caller
// holds s.mu.
func (s *Service) scale(ctx context.Context, c capacity, to int32, cause string) {
	start := s.clock.Now()
	a := ScalingActivity{ActivityId: ptr(s.ids.UUID()), ServiceNamespace: ptr(ServiceNamespace(c.k.Namespace)),
		ResourceId: ptr(c.k.ResourceID), ScalableDimension: ptr(ScalableDimension(c.k.Dimension)),
		Description: ptr(describeChange(c.k, to)), Cause: ptr(cause), StartTime: ptr(start),
		StatusCode:    ptr(ScalingActivityStatusCode("Successful")),
		StatusMessage: ptr("Successfully set " + what(c.k) + " to " + itoa(to) + ". Change successfully fulfilled by " + c.k.Namespace + "."),
	}
	if err := c.set(ctx, to); err != nil {
		a.StatusCode = ptr(ScalingActivityStatusCode("Failed"))
		a.StatusMessage = ptr("Failed to set " + what(c.k) + " to " + itoa(to) + ". Reason: " + err.Error())
	}
	a.EndTime = ptr(s.clock.Now())
	_ = s.commit(func(b store.Batch) error { return put(b, c.k.activity(s.account, start), &a) })
}

// what names the capacity a dimension scales, as activities word it.
func what(k targetKey) string {
	switch k.Dimension {
	case "dynamodb:table:ReadCapacityUnits", "dynamodb:index:ReadCapacityUnits":
		return "read capacity units"
	case "dynamodb:table:WriteCapacityUnits", "dynamodb:index:WriteCapacityUnits":
		return "write capacity units"
	case "ecs:service:DesiredCount":
		return "desired count"
	case "lambda:function:ProvisionedConcurrency":
		return "provisioned concurrency"
	}
	return "capacity"
}

func describeChange(k targetKey, to int32) string {
	return "Setting " + what(k) + " to " + itoa(to) + "."
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func (s *Service) describeScalingActivities(ctx context.Context, in *DescribeScalingActivitiesRequest) (*DescribeScalingActivitiesResponse, error) {
	ns := string(deref(in.ServiceNamespace))
	all, ks, err := scanAll[ScalingActivity](s.store, under(s.account, "a", ns, deref(in.ResourceId), ""))
	if err != nil {
		return nil, err
	}
	all, ks = filter(all, ks, func(a *ScalingActivity) bool {
		return in.ScalableDimension == nil || *in.ScalableDimension == *a.ScalableDimension
	})
	items, next, err := page(all, ks, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []ScalingActivity{}
	}
	return &DescribeScalingActivitiesResponse{ScalingActivities: items, NextToken: next}, nil
}
