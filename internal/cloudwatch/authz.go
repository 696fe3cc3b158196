package cloudwatch

import "github.com/virga/virga/internal/awsproto"

// resources names the alarms a call acts on
// (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME), by AlarmName or
// AlarmNames, the dashboards (arn:aws:cloudwatch::ACCOUNT:dashboard/NAME)
// by DashboardName or DashboardNames, or the resource a tagging call
// names, for IAM authorization. Metric operations support no resource-level
// permissions and are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceARN"); arn != "" {
		return []string{arn}
	}
	names := awsproto.InputStrings(in, "AlarmNames")
	if name := awsproto.InputString(in, "AlarmName"); name != "" {
		names = append(names, name)
	}
	var out []string
	for _, name := range names {
		out = append(out, s.alarmARN(name))
	}
	dashboards := awsproto.InputStrings(in, "DashboardNames")
	if name := awsproto.InputString(in, "DashboardName"); name != "" {
		dashboards = append(dashboards, name)
	}
	for _, name := range dashboards {
		out = append(out, s.dashboardARN(name))
	}
	return out
}
