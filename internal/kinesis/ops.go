package kinesis

import "github.com/virga/virga/internal/awsproto"

// operations is Kinesis' operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateStream", Handler: awsproto.Handle(s.createStream)},
		{Name: "DeleteStream", Handler: awsproto.Handle(s.deleteStream)},
		{Name: "DescribeStream", Handler: awsproto.Handle(s.describeStream)},
		{Name: "DescribeStreamSummary", Handler: awsproto.Handle(s.describeStreamSummary)},
		{Name: "ListStreams", Handler: awsproto.Handle(s.listStreams)},
		{Name: "ListShards", Handler: awsproto.Handle(s.listShards)},
		{Name: "IncreaseStreamRetentionPeriod", Handler: awsproto.Handle(s.increaseRetention)},
		{Name: "DecreaseStreamRetentionPeriod", Handler: awsproto.Handle(s.decreaseRetention)},
		{Name: "AddTagsToStream", Handler: awsproto.Handle(s.addTags)},
		{Name: "ListTagsForStream", Handler: awsproto.Handle(s.listTags)},
		{Name: "RemoveTagsFromStream", Handler: awsproto.Handle(s.removeTags)},
		{Name: "PutRecord", Handler: awsproto.Handle(s.putRecord)},
		{Name: "PutRecords", Handler: awsproto.Handle(s.putRecords)},
		{Name: "GetShardIterator", Handler: awsproto.Handle(s.getShardIterator)},
		{Name: "GetRecords", Handler: awsproto.Handle(s.getRecords)},
		{Name: "SplitShard", Handler: awsproto.Handle(s.splitShard)},
		{Name: "MergeShards", Handler: awsproto.Handle(s.mergeShards)},
		{Name: "UpdateShardCount", Handler: awsproto.Handle(s.updateShardCount)},
		{Name: "UpdateStreamMode", Handler: awsproto.Handle(s.updateStreamMode)},
		{Name: "RegisterStreamConsumer", Handler: awsproto.Handle(s.registerStreamConsumer)},
		{Name: "DescribeStreamConsumer", Handler: awsproto.Handle(s.describeStreamConsumer)},
		{Name: "ListStreamConsumers", Handler: awsproto.Handle(s.listStreamConsumers)},
		{Name: "DeregisterStreamConsumer", Handler: awsproto.Handle(s.deregisterStreamConsumer)},
		{Name: "EnableEnhancedMonitoring", Handler: awsproto.Handle(s.enableEnhancedMonitoring)},
		{Name: "DisableEnhancedMonitoring", Handler: awsproto.Handle(s.disableEnhancedMonitoring)},
		{Name: "StartStreamEncryption", Handler: awsproto.Handle(s.startStreamEncryption)},
		{Name: "StopStreamEncryption", Handler: awsproto.Handle(s.stopStreamEncryption)},
		{Name: "DescribeLimits", Handler: awsproto.Handle(s.describeLimits)},
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
