package xray

import "github.com/virga/virga/internal/awsproto"

// operations is X-Ray's operation table, with each operation's REST
// binding from AWS's model. Every operation answers 200.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "PutTraceSegments", HTTP: "POST /TraceSegments", Handler: awsproto.Handle(s.putTraceSegments)},
		{Name: "BatchGetTraces", HTTP: "POST /Traces", Handler: awsproto.Handle(s.batchGetTraces)},
		{Name: "GetTraceSummaries", HTTP: "POST /TraceSummaries", Handler: awsproto.Handle(s.getTraceSummaries)},
		{Name: "GetTraceGraph", HTTP: "POST /TraceGraph", Handler: awsproto.Handle(s.getTraceGraph)},
		{Name: "GetServiceGraph", HTTP: "POST /ServiceGraph", Handler: awsproto.Handle(s.getServiceGraph)},
		{Name: "PutTelemetryRecords", HTTP: "POST /TelemetryRecords", Handler: awsproto.Handle(s.putTelemetryRecords)},

		{Name: "GetSamplingRules", HTTP: "POST /GetSamplingRules", Handler: awsproto.Handle(s.getSamplingRules)},
		{Name: "GetSamplingTargets", HTTP: "POST /SamplingTargets", Handler: awsproto.Handle(s.getSamplingTargets)},
		{Name: "CreateSamplingRule", HTTP: "POST /CreateSamplingRule", Handler: awsproto.Handle(s.createSamplingRule)},
		{Name: "UpdateSamplingRule", HTTP: "POST /UpdateSamplingRule", Handler: awsproto.Handle(s.updateSamplingRule)},
		{Name: "DeleteSamplingRule", HTTP: "POST /DeleteSamplingRule", Handler: awsproto.Handle(s.deleteSamplingRule)},
		{Name: "GetSamplingStatisticSummaries", HTTP: "POST /SamplingStatisticSummaries", Handler: awsproto.Handle(s.getSamplingStatisticSummaries)},

		{Name: "CreateGroup", HTTP: "POST /CreateGroup", Handler: awsproto.Handle(s.createGroup)},
		{Name: "GetGroup", HTTP: "POST /GetGroup", Handler: awsproto.Handle(s.getGroup)},
		{Name: "GetGroups", HTTP: "POST /Groups", Handler: awsproto.Handle(s.getGroups)},
		{Name: "UpdateGroup", HTTP: "POST /UpdateGroup", Handler: awsproto.Handle(s.updateGroup)},
		{Name: "DeleteGroup", HTTP: "POST /DeleteGroup", Handler: awsproto.Handle(s.deleteGroup)},

		{Name: "TagResource", HTTP: "POST /TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", HTTP: "POST /UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", HTTP: "POST /ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},

		{Name: "GetEncryptionConfig", HTTP: "POST /EncryptionConfig", Handler: awsproto.Handle(s.getEncryptionConfig)},
		{Name: "PutEncryptionConfig", HTTP: "POST /PutEncryptionConfig", Handler: awsproto.Handle(s.putEncryptionConfig)},
	}
}
