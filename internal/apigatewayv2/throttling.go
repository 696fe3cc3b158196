package apigatewayv2

import (
	"net/http"
	"time"

	"github.com/virga/virga/internal/throttle"
)

// HTTP APIs throttle requests with token buckets (package throttle): per
// route of a stage, with the route's RouteSettings over the stage's
// DefaultRouteSettings (each setting on its own; one left unset takes
// the account's value, as AWS's defaults do), each route with a bucket
// of its own; then the account's, which REST and WebSocket APIs share.
// A request over either is answered 429 {"message":"Too Many Requests"}.
// WebSocket APIs throttle the same way, per route: the handshake as the
// $connect route (429 on the upgrade, before $connect's integration
// runs), then each message as the route it selects, which is told
// {"message": "Too Many Requests", "connectionId": ..., "requestId": ...}
// on its connection and not sent to the integration.

// routeLimits are the throttle limits a stage gives one of its routes,
// and whether it sets any.
func routeLimits(st *stageRecord, routeKey string) (throttle.Limits, bool) {
	var rate *float64
	var burst *int32
	if d := st.DefaultRouteSettings; d != nil {
		rate, burst = d.ThrottlingRateLimit, d.ThrottlingBurstLimit
	}
	if rs, ok := st.RouteSettings[routeKey]; ok {
		if rs.ThrottlingRateLimit != nil {
			rate = rs.ThrottlingRateLimit
		}
		if rs.ThrottlingBurstLimit != nil {
			burst = rs.ThrottlingBurstLimit
		}
	}
	if rate == nil && burst == nil {
		return throttle.Limits{}, false
	}
	l := throttle.Limits{Rate: throttle.AccountRate, Burst: throttle.AccountBurst}
	if rate != nil {
		l.Rate = *rate
	}
	if burst != nil {
		l.Burst = int64(*burst)
	}
	return l, true
}

// allowRoute takes a token for a request to a route of a stage from the
// route's bucket, if the stage throttles it, and from the account's.
func (s *Service) allowRoute(apiID string, st *stageRecord, routeKey string, now time.Time) bool {
	if st.DefaultRouteSettings != nil || len(st.RouteSettings) > 0 {
		if l, ok := routeLimits(st, routeKey); ok && !s.buckets.Allow(apiID+"\x00"+st.Name+"\x00"+routeKey, l, now) {
			return false
		}
	}
	return s.accountBucket.Allow(now)
}

// throttledResponse is HTTP APIs' answer to a throttled request.
func throttledResponse() *response { return gatewayResponse(http.StatusTooManyRequests) }
