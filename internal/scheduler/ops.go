package scheduler

import "github.com/virga/virga/internal/awsproto"

// operations is Scheduler's operation table, with each operation's REST
// binding from AWS's model. Every operation answers 200.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateSchedule", HTTP: "POST /schedules/{Name}", Handler: awsproto.Handle(s.createSchedule)},
		{Name: "GetSchedule", HTTP: "GET /schedules/{Name}", Handler: awsproto.Handle(s.getSchedule)},
		{Name: "UpdateSchedule", HTTP: "PUT /schedules/{Name}", Handler: awsproto.Handle(s.updateSchedule)},
		{Name: "DeleteSchedule", HTTP: "DELETE /schedules/{Name}", Handler: awsproto.Handle(s.deleteSchedule)},
		{Name: "ListSchedules", HTTP: "GET /schedules", Handler: awsproto.Handle(s.listSchedules)},

		{Name: "CreateScheduleGroup", HTTP: "POST /schedule-groups/{Name}", Handler: awsproto.Handle(s.createScheduleGroup)},
		{Name: "GetScheduleGroup", HTTP: "GET /schedule-groups/{Name}", Handler: awsproto.Handle(s.getScheduleGroup)},
		{Name: "DeleteScheduleGroup", HTTP: "DELETE /schedule-groups/{Name}", Handler: awsproto.Handle(s.deleteScheduleGroup)},
		{Name: "ListScheduleGroups", HTTP: "GET /schedule-groups", Handler: awsproto.Handle(s.listScheduleGroups)},

		{Name: "TagResource", HTTP: "POST /tags/{ResourceArn}", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", HTTP: "DELETE /tags/{ResourceArn}", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", HTTP: "GET /tags/{ResourceArn}", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}
