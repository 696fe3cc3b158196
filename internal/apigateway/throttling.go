package apigateway

import (
	"github.com/virga/virga/internal/throttle"
)

// API Gateway throttles a REST API's requests with token buckets (package
// throttle) at each level AWS documents, in its order:
//
//  1. per client: a method that requires an API key is throttled per key
//     by the usage plan that lets the key call the stage, first by the
//     plan's throttle for the method (apiStages[].throttle, keyed
//     "/{resourcePath}/{httpMethod}"), then by the plan's own throttle;
//  2. per method: the stage's method settings, the method's own
//     ("{resourcePath}/{httpMethod}") over the stage's "*/*", each method
//     with a bucket of its own, as AWS applies stage throttling "at the
//     API method level";
//  3. the account: 10,000 requests a second, burst 5,000, shared with
//     HTTP and WebSocket APIs.
//
// A request over any of them is answered 429 {"message":"Too Many
// Requests"} (gateway response THROTTLED). A request that passes them
// all counts against its key's quota (usage.go), and one over the quota
// is answered 429 {"message":"Limit Exceeded"} (QUOTA_EXCEEDED). A
// throttle setting that is absent takes the account's value for it,
// as AWS's defaults do; a negative one throttles nothing at its level.

// API Gateway's answers to throttled requests.
var (
	errThrottled     = &gatewayError{429, "TooManyRequestsException", `{"message":"Too Many Requests"}`, "THROTTLED"}
	errQuotaExceeded = &gatewayError{429, "LimitExceededException", `{"message":"Limit Exceeded"}`, "QUOTA_EXCEEDED"}
)

// limits are the throttle settings of a level, with the account's
// values for the ones it does not set.
func limits(rate *float64, burst *int32) throttle.Limits {
	l := throttle.Limits{Rate: throttle.AccountRate, Burst: throttle.AccountBurst}
	if rate != nil {
		l.Rate = *rate
	}
	if burst != nil {
		l.Burst = int64(*burst)
	}
	return l
}

// throttleRequest applies every level of throttling to a request that
// has passed its authorization, then its key's quota.
func (s *Service) throttleRequest(req *request) *gatewayError {
	now := req.started
	m := req.match
	if p := req.plan; p != nil {
		if th, ok := p.methodThrottle(req.apiID, req.stage, m.node.template, m.method.HTTPMethod); ok {
			k := "m\x00" + p.ID + "\x00" + req.apiKeyID + "\x00" + req.apiID + "\x00" + req.stage + "\x00" + m.node.template + "\x00" + m.method.HTTPMethod
			if !s.buckets.Allow(k, limits(th.RateLimit, th.BurstLimit), now) {
				return errThrottled
			}
		}
		if th := p.Throttle; th != nil {
			if !s.buckets.Allow("k\x00"+p.ID+"\x00"+req.apiKeyID, limits(th.RateLimit, th.BurstLimit), now) {
				return errThrottled
			}
		}
	}
	if req.methodSettings != nil {
		if l, ok := stageMethodLimits(req.methodSettings, m.node.template, m.method.HTTPMethod); ok {
			k := "s\x00" + req.apiID + "\x00" + req.stage + "\x00" + m.node.template + "\x00" + m.method.HTTPMethod
			if !s.buckets.Allow(k, l, now) {
				return errThrottled
			}
		}
	}
	if !s.accountBucket.Allow(now) {
		return errThrottled
	}
	if p := req.plan; p != nil && p.Quota != nil {
		if !s.usage.take(p, req.apiKeyID, now) {
			return errQuotaExceeded
		}
	}
	return nil
}

// methodThrottle is the plan's throttle for one method of a stage, if it
// sets one.
func (p *usagePlanRecord) methodThrottle(apiID, stage, resourcePath, verb string) (ThrottleSettings, bool) {
	for _, as := range p.APIStages {
		if len(as.Throttle) == 0 || deref(as.ApiId) != apiID || deref(as.Stage) != stage {
			continue
		}
		th, ok := as.Throttle[resourcePath+"/"+verb]
		return th, ok
	}
	return ThrottleSettings{}, false
}

// stageMethodLimits are the throttle limits a stage's method settings
// give a method: each of the method's own settings, else the stage's
// "*/*" one. It reports false when neither sets a throttle.
func stageMethodLimits(settings map[string]MethodSetting, resourcePath, verb string) (throttle.Limits, bool) {
	all, hasAll := methodSettingFor(settings, "*", "*")
	own, hasOwn := methodSettingFor(settings, resourcePath, verb)
	var rate *float64
	var burst *int32
	if hasAll {
		rate, burst = all.ThrottlingRateLimit, all.ThrottlingBurstLimit
	}
	if hasOwn {
		if own.ThrottlingRateLimit != nil {
			rate = own.ThrottlingRateLimit
		}
		if own.ThrottlingBurstLimit != nil {
			burst = own.ThrottlingBurstLimit
		}
	}
	if rate == nil && burst == nil {
		return throttle.Limits{}, false
	}
	return limits(rate, burst), true
}
