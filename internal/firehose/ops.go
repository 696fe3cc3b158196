package firehose

import "github.com/virga/virga/internal/awsproto"

// operations is Firehose's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateDeliveryStream", Handler: awsproto.Handle(s.createDeliveryStream)},
		{Name: "DescribeDeliveryStream", Handler: awsproto.Handle(s.describeDeliveryStream)},
		{Name: "ListDeliveryStreams", Handler: awsproto.Handle(s.listDeliveryStreams)},
		{Name: "DeleteDeliveryStream", Handler: awsproto.Handle(s.deleteDeliveryStream)},
		{Name: "UpdateDestination", Handler: awsproto.Handle(s.updateDestination)},
		{Name: "PutRecord", Handler: awsproto.Handle(s.putRecord)},
		{Name: "PutRecordBatch", Handler: awsproto.Handle(s.putRecordBatch)},
		{Name: "TagDeliveryStream", Handler: awsproto.Handle(s.tagDeliveryStream)},
		{Name: "UntagDeliveryStream", Handler: awsproto.Handle(s.untagDeliveryStream)},
		{Name: "ListTagsForDeliveryStream", Handler: awsproto.Handle(s.listTags)},
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
