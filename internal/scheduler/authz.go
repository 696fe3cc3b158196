package scheduler

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the schedule
// (arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME) or schedule
// group (schedule-group/NAME) a call acts on, for IAM authorization.
// Listings are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	name := awsproto.InputString(in, "Name")
	if name == "" {
		return nil
	}
	if strings.HasSuffix(c.Op.Name, "ScheduleGroup") {
		return []string{s.groupARN(name)}
	}
	if strings.HasSuffix(c.Op.Name, "Schedule") {
		group := awsproto.InputString(in, "GroupName")
		if group == "" {
			group = defaultGroup
		}
		return []string{s.scheduleARN(group, name)}
	}
	return nil
}
