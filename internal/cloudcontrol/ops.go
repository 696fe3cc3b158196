package cloudcontrol

import "github.com/virga/virga/internal/awsproto"

// operations is the Cloud Control API's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "GetResource", Handler: awsproto.Handle(s.getResource)},
		{Name: "ListResources", Handler: awsproto.Handle(s.listResources)},
		{Name: "CreateResource", Handler: awsproto.Handle(s.createResource)},
		{Name: "UpdateResource", Handler: awsproto.Handle(s.updateResource)},
		{Name: "DeleteResource", Handler: awsproto.Handle(s.deleteResource)},
		{Name: "GetResourceRequestStatus", Handler: awsproto.Handle(s.getResourceRequestStatus)},
		{Name: "ListResourceRequests", Handler: awsproto.Handle(s.listResourceRequests)},
		{Name: "CancelResourceRequest", Handler: awsproto.Handle(s.cancelResourceRequest)},
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
