package route53

// The operations' inputs and outputs come from AWS's model of Route 53.
//go:generate go run ../awsproto/shapegen -service route53 -version 2013-04-01 -package route53 -out zz_shapes.go -ops UpdateHostedZoneComment,CreateHealthCheck,DeleteHealthCheck,GetHealthCheck,GetHealthCheckCount,GetHealthCheckStatus,ListHealthChecks,UpdateHealthCheck,ChangeResourceRecordSets,ChangeTagsForResource,CreateHostedZone,DeleteHostedZone,GetChange,GetHostedZone,GetHostedZoneCount,ListHostedZones,ListHostedZonesByName,ListResourceRecordSets,ListTagsForResource,ListQueryLoggingConfigs
