package stepfunctions

import (
	"strconv"

	"github.com/virga/virga/internal/awsproto"
)

// operations is Step Functions' operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateStateMachine", Handler: awsproto.Handle(s.createStateMachine)},
		{Name: "DescribeStateMachine", Handler: awsproto.Handle(s.describeStateMachine)},
		{Name: "DescribeStateMachineForExecution", Handler: awsproto.Handle(s.describeStateMachineForExecution)},
		{Name: "ListStateMachines", Handler: awsproto.Handle(s.listStateMachines)},
		{Name: "UpdateStateMachine", Handler: awsproto.Handle(s.updateStateMachine)},
		{Name: "DeleteStateMachine", Handler: awsproto.Handle(s.deleteStateMachine)},
		{Name: "PublishStateMachineVersion", Handler: awsproto.Handle(s.publishStateMachineVersion)},
		{Name: "ListStateMachineVersions", Handler: awsproto.Handle(s.listStateMachineVersions)},
		{Name: "DeleteStateMachineVersion", Handler: awsproto.Handle(s.deleteStateMachineVersion)},
		{Name: "CreateStateMachineAlias", Handler: awsproto.Handle(s.createStateMachineAlias)},
		{Name: "DescribeStateMachineAlias", Handler: awsproto.Handle(s.describeStateMachineAlias)},
		{Name: "UpdateStateMachineAlias", Handler: awsproto.Handle(s.updateStateMachineAlias)},
		{Name: "ListStateMachineAliases", Handler: awsproto.Handle(s.listStateMachineAliases)},
		{Name: "DeleteStateMachineAlias", Handler: awsproto.Handle(s.deleteStateMachineAlias)},
		{Name: "CreateActivity", Handler: awsproto.Handle(s.createActivity)},
		{Name: "DescribeActivity", Handler: awsproto.Handle(s.describeActivity)},
		{Name: "ListActivities", Handler: awsproto.Handle(s.listActivities)},
		{Name: "DeleteActivity", Handler: awsproto.Handle(s.deleteActivity)},
		{Name: "GetActivityTask", Handler: awsproto.Handle(s.getActivityTask)},
		{Name: "StartExecution", Handler: awsproto.Handle(s.startExecution)},
		{Name: "StartSyncExecution", Handler: awsproto.Handle(s.startSyncExecution)},
		{Name: "DescribeExecution", Handler: awsproto.Handle(s.describeExecution)},
		{Name: "ListExecutions", Handler: awsproto.Handle(s.listExecutions)},
		{Name: "StopExecution", Handler: awsproto.Handle(s.stopExecution)},
		{Name: "RedriveExecution", Handler: awsproto.Handle(s.redriveExecution)},
		{Name: "GetExecutionHistory", Handler: awsproto.Handle(s.getExecutionHistory)},
		{Name: "ListMapRuns", Handler: awsproto.Handle(s.listMapRuns)},
		{Name: "DescribeMapRun", Handler: awsproto.Handle(s.describeMapRun)},
		{Name: "UpdateMapRun", Handler: awsproto.Handle(s.updateMapRun)},
		{Name: "SendTaskSuccess", Handler: awsproto.Handle(s.sendTaskSuccess)},
		{Name: "SendTaskFailure", Handler: awsproto.Handle(s.sendTaskFailure)},
		{Name: "SendTaskHeartbeat", Handler: awsproto.Handle(s.sendTaskHeartbeat)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// page cuts a listing at maxResults (100 when absent or 0, as AWS
// documents) from the offset nextToken holds.
func page(n int, maxResults *int32, nextToken *string) (from, to int, next *string, err error) {
	limit := int(deref(maxResults))
	if limit <= 0 {
		limit = 100
	}
	if nextToken != nil {
		from, err = strconv.Atoi(*nextToken)
		if err != nil || from < 0 || from > n {
			return 0, 0, nil, ErrInvalidToken.WithMessage("Invalid Token: '" + *nextToken + "'")
		}
	}
	to = min(n, from+limit)
	if to < n {
		next = ptr(strconv.Itoa(to))
	}
	return from, to, next, nil
}
