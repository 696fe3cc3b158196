package logs

import "github.com/virga/virga/internal/awsproto"

// operations is CloudWatch Logs' operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateLogGroup", Handler: awsproto.Handle(s.createLogGroup)},
		{Name: "CreateLogStream", Handler: awsproto.Handle(s.createLogStream)},
		{Name: "DeleteLogGroup", Handler: awsproto.Handle(s.deleteLogGroup)},
		{Name: "DeleteLogStream", Handler: awsproto.Handle(s.deleteLogStream)},
		{Name: "DeleteRetentionPolicy", Handler: awsproto.Handle(s.deleteRetentionPolicy)},
		{Name: "DeleteSubscriptionFilter", Handler: awsproto.Handle(s.deleteSubscriptionFilter)},
		{Name: "DescribeLogGroups", Handler: awsproto.Handle(s.describeLogGroups)},
		{Name: "DescribeLogStreams", Handler: awsproto.Handle(s.describeLogStreams)},
		{Name: "DescribeSubscriptionFilters", Handler: awsproto.Handle(s.describeSubscriptionFilters)},
		{Name: "FilterLogEvents", Handler: awsproto.Handle(s.filterLogEvents)},
		{Name: "GetLogEvents", Handler: awsproto.Handle(s.getLogEvents)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
		{Name: "ListTagsLogGroup", Handler: awsproto.Handle(s.listTagsLogGroup)},
		{Name: "PutLogEvents", Handler: awsproto.Handle(s.putLogEvents)},
		{Name: "PutRetentionPolicy", Handler: awsproto.Handle(s.putRetentionPolicy)},
		{Name: "PutSubscriptionFilter", Handler: awsproto.Handle(s.putSubscriptionFilter)},
		{Name: "TagLogGroup", Handler: awsproto.Handle(s.tagLogGroup)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagLogGroup", Handler: awsproto.Handle(s.untagLogGroup)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},

		{Name: "StartQuery", Handler: awsproto.Handle(s.startQuery)},
		{Name: "GetQueryResults", Handler: awsproto.Handle(s.getQueryResults)},
		{Name: "StopQuery", Handler: awsproto.Handle(s.stopQuery)},
		{Name: "DescribeQueries", Handler: awsproto.Handle(s.describeQueries)},
		{Name: "GetLogRecord", Handler: awsproto.Handle(s.getLogRecord)},
		{Name: "PutQueryDefinition", Handler: awsproto.Handle(s.putQueryDefinition)},
		{Name: "DescribeQueryDefinitions", Handler: awsproto.Handle(s.describeQueryDefinitions)},
		{Name: "DeleteQueryDefinition", Handler: awsproto.Handle(s.deleteQueryDefinition)},

		{Name: "PutResourcePolicy", Handler: awsproto.Handle(s.putResourcePolicy)},
		{Name: "DescribeResourcePolicies", Handler: awsproto.Handle(s.describeResourcePolicies)},
		{Name: "DeleteResourcePolicy", Handler: awsproto.Handle(s.deleteResourcePolicy)},

		{Name: "PutMetricFilter", Handler: awsproto.Handle(s.putMetricFilter)},
		{Name: "DescribeMetricFilters", Handler: awsproto.Handle(s.describeMetricFilters)},
		{Name: "DeleteMetricFilter", Handler: awsproto.Handle(s.deleteMetricFilter)},
		{Name: "TestMetricFilter", Handler: awsproto.Handle(s.testMetricFilter)},
	}
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
