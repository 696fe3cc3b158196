package cloudtrail

// The operations' inputs and outputs come from AWS's model of CloudTrail.
//go:generate go run ../awsproto/shapegen -service cloudtrail -version 2013-11-01 -package cloudtrail -out zz_shapes.go -ops CreateTrail,GetTrail,DescribeTrails,ListTrails,UpdateTrail,DeleteTrail,StartLogging,StopLogging,GetTrailStatus,PutEventSelectors,GetEventSelectors,AddTags,RemoveTags,ListTags,LookupEvents,ListPublicKeys
