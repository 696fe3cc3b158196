package xray

// The operations' inputs and outputs come from AWS's model of X-Ray;
// its Service shape (a node of a service graph) is GraphService here, as
// Service is the package's own type.
//go:generate go run ../awsproto/shapegen -service xray -version 2016-04-12 -package xray -rename Service=GraphService -out zz_shapes.go -ops PutTraceSegments,BatchGetTraces,GetTraceSummaries,GetTraceGraph,GetServiceGraph,PutTelemetryRecords,GetSamplingRules,GetSamplingTargets,GetSamplingStatisticSummaries,CreateGroup,GetGroups,GetGroup,DeleteGroup,UpdateGroup,GetEncryptionConfig,PutEncryptionConfig,CreateSamplingRule,UpdateSamplingRule,DeleteSamplingRule,TagResource,UntagResource,ListTagsForResource
