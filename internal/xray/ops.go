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
		{Name: "GetSamplingStatisticSummaries", HTTP: "POST /SamplingStatisticSummaries", Handler: awsproto.Handle(s.getSamplingStatisticSummaries)},

		{Name: "CreateGroup", HTTP: "POST /CreateGroup", Handler: awsproto.Handle(s.createGroup)},
		{Name: "GetGroup", HTTP: "POST /GetGroup", Handler: awsproto.Handle(s.getGroup)},
		{Name: "GetGroups", HTTP: "POST /Groups", Handler: awsproto.Handle(s.getGroups)},
		{Name: "UpdateGroup", HTTP: "POST /UpdateGroup", Handler: awsproto.Handle(s.updateGroup)},
		{Name: "DeleteGroup", HTTP: "POST /DeleteGroup", Handler: awsproto.Handle(s.deleteGroup)},

		{Name: "GetEncryptionConfig", HTTP: "POST /EncryptionConfig", Handler: awsproto.Handle(s.getEncryptionConfig)},
		{Name: "PutEncryptionConfig", HTTP: "POST /PutEncryptionConfig", Handler: awsproto.Handle(s.putEncryptionConfig)},
	}
}
