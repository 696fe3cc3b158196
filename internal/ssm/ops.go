package ssm

import "github.com/virga/virga/internal/awsproto"

// operations is Parameter Store's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "PutParameter", Handler: awsproto.Handle(s.putParameter)},
		{Name: "GetParameter", Handler: awsproto.Handle(s.getParameter)},
		{Name: "GetParameters", Handler: awsproto.Handle(s.getParameters)},
		{Name: "GetParametersByPath", Handler: awsproto.Handle(s.getParametersByPath)},
		{Name: "GetParameterHistory", Handler: awsproto.Handle(s.getParameterHistory)},
		{Name: "DescribeParameters", Handler: awsproto.Handle(s.describeParameters)},
		{Name: "DeleteParameter", Handler: awsproto.Handle(s.deleteParameter)},
		{Name: "DeleteParameters", Handler: awsproto.Handle(s.deleteParameters)},
		{Name: "LabelParameterVersion", Handler: awsproto.Handle(s.labelParameterVersion)},
		{Name: "UnlabelParameterVersion", Handler: awsproto.Handle(s.unlabelParameterVersion)},
		{Name: "AddTagsToResource", Handler: awsproto.Handle(s.addTagsToResource)},
		{Name: "RemoveTagsFromResource", Handler: awsproto.Handle(s.removeTagsFromResource)},
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
