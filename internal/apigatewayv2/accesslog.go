package apigatewayv2

import (
	"strconv"
	"time"

	"github.com/virga/virga/internal/accesslog"
)

// writeAccessLog writes the access log line of a request its stage logs
// (AccessLogSettings with a log group's ARN and a format), once the
// response is sent. Requests that reach no stage log nothing, as on
// AWS. A line that cannot be written is logged and dropped: access
// logging never fails a request.
func (s *Service) writeAccessLog(inv *invocation, res *response) {
	if s.accessLogs == nil || inv.stage == nil || inv.stage.AccessLog == nil {
		return
	}
	settings := inv.stage.AccessLog
	group, ok := accesslog.GroupName(deref(settings.DestinationArn, ""))
	if !ok || deref(settings.Format, "") == "" {
		return
	}
	now := s.clock.Now()
	line := accesslog.Render(deref(settings.Format, ""), func(name string) string {
		return s.accessLogValue(inv, res, name, now.Sub(inv.received).Milliseconds())
	})
	if err := s.accessLogs.Write(group, accesslog.Stream(inv.api.ID, inv.stage.Name), now, line); err != nil {
		s.log.Warn("apigatewayv2: access log", "api", inv.api.ID, "stage", inv.stage.Name, "group", group, "err", err)
	}
}

// integrationCall is an integration's call of its backend: whether it
// happened, how long it took, and the backend's status (0 when it gave
// none; for a Lambda proxy integration, the function's statusCode), with
// Lambda's own status for a Lambda proxy integration.
type integrationCall struct {
	done         bool
	latency      time.Duration
	status       int
	lambdaStatus int
	// err is why the integration failed before its backend answered
	// ($context.integrationErrorMessage); "" when it did not.
	err string
}

// integrationDone notes that the backend, called at start, answered.
func (s *Service) integrationDone(inv *invocation, start time.Time, status int) {
	inv.integration = integrationCall{done: true, latency: s.clock.Now().Sub(start), status: status}
}

// accessLogValue is $context.NAME in an access log line: the request's
// own values (those an identity source may use too, and more) and its
// response's; "" (written as "-") for the rest.
func (s *Service) accessLogValue(inv *invocation, res *response, name string, latencyMs int64) string {
	switch name {
	case "extendedRequestId":
		return inv.requestID
	case "routeKey":
		if inv.route != nil { // not yet chosen when no route matched
			return inv.route.Key
		}
	case "protocol":
		return inv.r.Proto
	case "domainPrefix":
		return domainPrefix(inv.r, inv.api.ID)
	case "identity.sourceIp":
		return sourceIP(inv.r) // also for answers given before inv.sourceIP is set
	case "requestTime":
		return accesslog.RequestTime(inv.received)
	case "requestTimeEpoch":
		return strconv.FormatInt(inv.received.UnixMilli(), 10)
	case "status":
		return strconv.Itoa(res.status)
	case "responseLength":
		return strconv.Itoa(len(res.body))
	case "responseLatency":
		return strconv.FormatInt(latencyMs, 10)
	case "integration.latency", "integrationLatency":
		if inv.integration.done {
			return strconv.FormatInt(inv.integration.latency.Milliseconds(), 10)
		}
	case "integration.status":
		if inv.integration.status != 0 {
			return strconv.Itoa(inv.integration.status)
		}
	case "integrationStatus", "integration.integrationStatus":
		if inv.integration.lambdaStatus != 0 {
			return strconv.Itoa(inv.integration.lambdaStatus)
		}
		if inv.integration.status != 0 {
			return strconv.Itoa(inv.integration.status)
		}
	case "integrationErrorMessage", "integration.error":
		return inv.integration.err
	case "error.message":
		if res.gateway {
			return gatewayMessages[res.status]
		}
	default:
		return s.contextVariable(inv, name)
	}
	return ""
}
