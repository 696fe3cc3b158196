package cloudwatch

import "github.com/virga/virga/internal/awsproto"

// operations is CloudWatch's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "PutMetricData", Handler: awsproto.Handle(s.putMetricData)},
		{Name: "ListMetrics", Handler: awsproto.Handle(s.listMetrics)},
		{Name: "GetMetricStatistics", Handler: awsproto.Handle(s.getMetricStatistics)},
		{Name: "GetMetricData", Handler: awsproto.Handle(s.getMetricData)},
		{Name: "PutMetricAlarm", Handler: awsproto.Handle(s.putMetricAlarm)},
		{Name: "DescribeAlarms", Handler: awsproto.Handle(s.describeAlarms)},
		{Name: "DescribeAlarmsForMetric", Handler: awsproto.Handle(s.describeAlarmsForMetric)},
		{Name: "DeleteAlarms", Handler: awsproto.Handle(s.deleteAlarms)},
		{Name: "SetAlarmState", Handler: awsproto.Handle(s.setAlarmState)},
		{Name: "EnableAlarmActions", Handler: awsproto.Handle(s.enableAlarmActions)},
		{Name: "DisableAlarmActions", Handler: awsproto.Handle(s.disableAlarmActions)},
		{Name: "DescribeAlarmHistory", Handler: awsproto.Handle(s.describeAlarmHistory)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}

// noOutput is the empty result of operations that return nothing.
type noOutput struct{}
