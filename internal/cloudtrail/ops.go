package cloudtrail

import "github.com/virga/virga/internal/awsproto"

// operations is CloudTrail's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateTrail", Handler: awsproto.Handle(s.createTrail)},
		{Name: "GetTrail", Handler: awsproto.Handle(s.getTrail)},
		{Name: "DescribeTrails", Handler: awsproto.Handle(s.describeTrails)},
		{Name: "ListTrails", Handler: awsproto.Handle(s.listTrails)},
		{Name: "UpdateTrail", Handler: awsproto.Handle(s.updateTrail)},
		{Name: "DeleteTrail", Handler: awsproto.Handle(s.deleteTrail)},
		{Name: "StartLogging", Handler: awsproto.Handle(s.startLogging)},
		{Name: "StopLogging", Handler: awsproto.Handle(s.stopLogging)},
		{Name: "GetTrailStatus", Handler: awsproto.Handle(s.getTrailStatus)},
		{Name: "PutEventSelectors", Handler: awsproto.Handle(s.putEventSelectors)},
		{Name: "GetEventSelectors", Handler: awsproto.Handle(s.getEventSelectors)},
		{Name: "AddTags", Handler: awsproto.Handle(s.addTags)},
		{Name: "RemoveTags", Handler: awsproto.Handle(s.removeTags)},
		{Name: "ListTags", Handler: awsproto.Handle(s.listTags)},
		{Name: "LookupEvents", Handler: awsproto.Handle(s.lookupEvents)},
		{Name: "ListPublicKeys", Handler: awsproto.Handle(s.listPublicKeys)},
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
