package cloudcontrol

import "github.com/virga/virga/internal/awsproto"

// operations is the Cloud Control API's operation table. Its IAM actions
// are in CloudFormation's namespace ("cloudformation:CreateResource"),
// as AWS's service authorization reference lists them.
func (s *Service) operations() []awsproto.Operation {
	ops := []awsproto.Operation{
		{Name: "CreateResource", Handler: awsproto.Handle(s.createResource)},
		{Name: "GetResource", Handler: awsproto.Handle(s.getResource)},
		{Name: "ListResources", Handler: awsproto.Handle(s.listResources)},
		{Name: "UpdateResource", Handler: awsproto.Handle(s.updateResource)},
		{Name: "DeleteResource", Handler: awsproto.Handle(s.deleteResource)},
		{Name: "GetResourceRequestStatus", Handler: awsproto.Handle(s.getResourceRequestStatus)},
		{Name: "ListResourceRequests", Handler: awsproto.Handle(s.listResourceRequests)},
		{Name: "CancelResourceRequest", Handler: awsproto.Handle(s.cancelResourceRequest)},
	}
	for i := range ops {
		ops[i].Action = "cloudformation:" + ops[i].Name
	}
	return ops
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
