package applicationautoscaling

import "github.com/virga/virga/internal/awsproto"

// operations is Application Auto Scaling's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "RegisterScalableTarget", Handler: awsproto.Handle(s.registerScalableTarget)},
		{Name: "DescribeScalableTargets", Handler: awsproto.Handle(s.describeScalableTargets)},
		{Name: "DeregisterScalableTarget", Handler: awsproto.Handle(s.deregisterScalableTarget)},
		{Name: "PutScalingPolicy", Handler: awsproto.Handle(s.putScalingPolicy)},
		{Name: "DescribeScalingPolicies", Handler: awsproto.Handle(s.describeScalingPolicies)},
		{Name: "DeleteScalingPolicy", Handler: awsproto.Handle(s.deleteScalingPolicy)},
		{Name: "PutScheduledAction", Handler: awsproto.Handle(s.putScheduledAction)},
		{Name: "DescribeScheduledActions", Handler: awsproto.Handle(s.describeScheduledActions)},
		{Name: "DeleteScheduledAction", Handler: awsproto.Handle(s.deleteScheduledAction)},
		{Name: "DescribeScalingActivities", Handler: awsproto.Handle(s.describeScalingActivities)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}
