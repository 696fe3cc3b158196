package apigatewayv2

import (
	"strconv"

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

// accessLogValue is $context.NAME in an access log line: the request's
// own values and its response's; "" (written as "-") for the rest.
func (s *Service) accessLogValue(inv *invocation, res *response, name string, latencyMs int64) string {
	switch name {
	case "requestId", "extendedRequestId":
		return inv.requestID
	case "apiId":
		return inv.api.ID
	case "accountId":
		return s.account
	case "stage":
		return inv.stage.Name
	case "routeKey":
		if inv.route != nil {
			return inv.route.Key
		}
	case "httpMethod":
		return inv.r.Method
	case "path":
		return decodedPath(inv.rawPath)
	case "protocol":
		return inv.r.Proto
	case "domainName":
		return domainName(inv.r)
	case "domainPrefix":
		return inv.api.ID
	case "identity.sourceIp":
		return sourceIP(inv.r)
	case "identity.userAgent":
		return inv.r.UserAgent()
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
	case "error.message":
		if res.gateway {
			return gatewayMessages[res.status]
		}
	}
	return ""
}
