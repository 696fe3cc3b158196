package cloudwatch

import "github.com/virga/virga/internal/awsproto"

// operations is CloudWatch's operation table. Its IAM actions are
// "cloudwatch:...", although the service signs as "monitoring".
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "PutMetricData", Action: "cloudwatch:PutMetricData", Handler: awsproto.Handle(s.putMetricData)},
		{Name: "ListMetrics", Action: "cloudwatch:ListMetrics", Handler: awsproto.Handle(s.listMetrics)},
		{Name: "GetMetricStatistics", Action: "cloudwatch:GetMetricStatistics", Handler: awsproto.Handle(s.getMetricStatistics)},
		{Name: "GetMetricData", Action: "cloudwatch:GetMetricData", Handler: awsproto.Handle(s.getMetricData)},
		{Name: "PutMetricAlarm", Action: "cloudwatch:PutMetricAlarm", Handler: awsproto.Handle(s.putMetricAlarm)},
		{Name: "PutCompositeAlarm", Action: "cloudwatch:PutCompositeAlarm", Handler: awsproto.Handle(s.putCompositeAlarm)},
		{Name: "DescribeAlarms", Action: "cloudwatch:DescribeAlarms", Handler: awsproto.Handle(s.describeAlarms)},
		{Name: "DescribeAlarmsForMetric", Action: "cloudwatch:DescribeAlarmsForMetric", Handler: awsproto.Handle(s.describeAlarmsForMetric)},
		{Name: "DeleteAlarms", Action: "cloudwatch:DeleteAlarms", Handler: awsproto.Handle(s.deleteAlarms)},
		{Name: "SetAlarmState", Action: "cloudwatch:SetAlarmState", Handler: awsproto.Handle(s.setAlarmState)},
		{Name: "EnableAlarmActions", Action: "cloudwatch:EnableAlarmActions", Handler: awsproto.Handle(s.enableAlarmActions)},
		{Name: "DisableAlarmActions", Action: "cloudwatch:DisableAlarmActions", Handler: awsproto.Handle(s.disableAlarmActions)},
		{Name: "DescribeAlarmHistory", Action: "cloudwatch:DescribeAlarmHistory", Handler: awsproto.Handle(s.describeAlarmHistory)},
		{Name: "PutDashboard", Action: "cloudwatch:PutDashboard", Handler: awsproto.Handle(s.putDashboard)},
		{Name: "GetDashboard", Action: "cloudwatch:GetDashboard", Handler: awsproto.Handle(s.getDashboard)},
		{Name: "ListDashboards", Action: "cloudwatch:ListDashboards", Handler: awsproto.Handle(s.listDashboards)},
		{Name: "DeleteDashboards", Action: "cloudwatch:DeleteDashboards", Handler: awsproto.Handle(s.deleteDashboards)},
		{Name: "TagResource", Action: "cloudwatch:TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Action: "cloudwatch:UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Action: "cloudwatch:ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}

// noOutput is the empty result of operations that return nothing.
type noOutput struct{}
