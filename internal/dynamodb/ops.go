package dynamodb

import "github.com/virga/virga/internal/awsproto"

// operations is DynamoDB's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateTable", Handler: awsproto.Handle(s.createTable)},
		{Name: "DeleteTable", Handler: awsproto.Handle(s.deleteTable)},
		{Name: "DescribeEndpoints", Handler: awsproto.Handle(s.describeEndpoints)},
		{Name: "DescribeLimits", Handler: awsproto.Handle(s.describeLimits)},
		{Name: "DescribeTable", Handler: awsproto.Handle(s.describeTable)},
		{Name: "DescribeTimeToLive", Handler: awsproto.Handle(s.describeTimeToLive)},
		{Name: "ListTables", Handler: awsproto.Handle(s.listTables)},
		{Name: "ListTagsOfResource", Handler: awsproto.Handle(s.listTagsOfResource)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "UpdateTimeToLive", Handler: awsproto.Handle(s.updateTimeToLive)},
	}
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}
