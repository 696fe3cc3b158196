package route53

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// arnPrefix begins Route 53's ARNs, which name no region or account:
// "arn:aws:route53:::hostedzone/Z1", "arn:aws:route53:::change/C1",
// "arn:aws:route53:::healthcheck/ID".
const arnPrefix = "arn:aws:route53:::"

// resources names the hosted zone, change or health check a call acts
// on, for IAM authorization. Calls on no one resource (CreateHostedZone,
// the listings of zones) act on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	switch c.Op.Name {
	case "GetChange":
		if id := awsproto.InputString(in, "Id"); id != "" {
			return []string{arnPrefix + "change/" + strings.TrimPrefix(id, "/change/")}
		}
	case "ChangeTagsForResource", "ListTagsForResource":
		typ, id := awsproto.InputString(in, "ResourceType"), awsproto.InputString(in, "ResourceId")
		if typ != "" && id != "" {
			return []string{arnPrefix + typ + "/" + id}
		}
	case "ChangeResourceRecordSets", "ListResourceRecordSets":
		if id := awsproto.InputString(in, "HostedZoneId"); id != "" {
			return []string{arnPrefix + "hostedzone/" + zoneID(id)}
		}
	case "GetHealthCheck", "GetHealthCheckStatus", "DeleteHealthCheck", "UpdateHealthCheck":
		if id := awsproto.InputString(in, "HealthCheckId"); id != "" {
			return []string{arnPrefix + "healthcheck/" + id}
		}
	case "GetHostedZone", "DeleteHostedZone", "UpdateHostedZoneComment":
		if id := awsproto.InputString(in, "Id"); id != "" {
			return []string{arnPrefix + "hostedzone/" + zoneID(id)}
		}
	}
	return nil
}
