package route53

import "github.com/virga/virga/internal/awsproto"

// operations is Route 53's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "ChangeResourceRecordSets", HTTP: "POST /2013-04-01/hostedzone/{Id}/rrset/", Handler: awsproto.Handle(s.changeResourceRecordSets)},
		{Name: "ChangeTagsForResource", HTTP: "POST /2013-04-01/tags/{ResourceType}/{ResourceId}", Handler: awsproto.Handle(s.changeTagsForResource)},
		{Name: "CreateHealthCheck", HTTP: "POST /2013-04-01/healthcheck", Status: 201, Handler: awsproto.Handle(s.createHealthCheck)},
		{Name: "DeleteHealthCheck", HTTP: "DELETE /2013-04-01/healthcheck/{HealthCheckId}", Handler: awsproto.Handle(s.deleteHealthCheck)},
		{Name: "GetHealthCheck", HTTP: "GET /2013-04-01/healthcheck/{HealthCheckId}", Handler: awsproto.Handle(s.getHealthCheck)},
		{Name: "GetHealthCheckCount", HTTP: "GET /2013-04-01/healthcheckcount", Handler: awsproto.Handle(s.getHealthCheckCount)},
		{Name: "GetHealthCheckStatus", HTTP: "GET /2013-04-01/healthcheck/{HealthCheckId}/status", Handler: awsproto.Handle(s.getHealthCheckStatus)},
		{Name: "ListHealthChecks", HTTP: "GET /2013-04-01/healthcheck", Handler: awsproto.Handle(s.listHealthChecks)},
		{Name: "UpdateHealthCheck", HTTP: "POST /2013-04-01/healthcheck/{HealthCheckId}", Handler: awsproto.Handle(s.updateHealthCheck)},
		{Name: "CreateHostedZone", HTTP: "POST /2013-04-01/hostedzone", Status: 201, Handler: awsproto.Handle(s.createHostedZone)},
		{Name: "DeleteHostedZone", HTTP: "DELETE /2013-04-01/hostedzone/{Id}", Handler: awsproto.Handle(s.deleteHostedZone)},
		{Name: "GetChange", HTTP: "GET /2013-04-01/change/{Id}", Handler: awsproto.Handle(s.getChange)},
		{Name: "GetHostedZone", HTTP: "GET /2013-04-01/hostedzone/{Id}", Handler: awsproto.Handle(s.getHostedZone)},
		{Name: "GetHostedZoneCount", HTTP: "GET /2013-04-01/hostedzonecount", Handler: awsproto.Handle(s.getHostedZoneCount)},
		{Name: "ListHostedZones", HTTP: "GET /2013-04-01/hostedzone", Handler: awsproto.Handle(s.listHostedZones)},
		{Name: "ListHostedZonesByName", HTTP: "GET /2013-04-01/hostedzonesbyname", Handler: awsproto.Handle(s.listHostedZonesByName)},
		{Name: "ListQueryLoggingConfigs", HTTP: "GET /2013-04-01/queryloggingconfig", Handler: awsproto.Handle(s.listQueryLoggingConfigs)},
		{Name: "ListResourceRecordSets", HTTP: "GET /2013-04-01/hostedzone/{Id}/rrset", Handler: awsproto.Handle(s.listResourceRecordSets)},
		{Name: "ListTagsForResource", HTTP: "GET /2013-04-01/tags/{ResourceType}/{ResourceId}", Handler: awsproto.Handle(s.listTagsForResource)},
		{Name: "UpdateHostedZoneComment", HTTP: "POST /2013-04-01/hostedzone/{Id}", Handler: awsproto.Handle(s.updateHostedZoneComment)},
	}
}
