package elbv2

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// healthTick is how often Run looks for health checks that are due on
// the clock (a fake clock moves between ticks).
const healthTick = 100 * time.Millisecond

// Target health states and reason codes, as the TargetHealth API
// reference names them.
const (
	stateInitial     = "initial"
	stateHealthy     = "healthy"
	stateUnhealthy   = "unhealthy"
	stateUnused      = "unused"
	stateUnavailable = "unavailable"
)

type healthKey struct {
	tg string
	t  target
}

// targetState is what the health checks of one target found so far.
type targetState struct {
	state     string
	reason    string
	desc      string
	successes int32
	failures  int32
	// due is when the next check is made; running is set while one is.
	due     time.Time
	running bool
}

// targetHealthLocked is a target's health as DescribeTargetHealth
// reports it.
func (s *Service) targetHealthLocked(tg *targetGroup, t target) *TargetHealth {
	now := s.now().UnixMilli()
	if slices.ContainsFunc(tg.Draining, func(d drainingTarget) bool { return d.Target == t && d.Until > now }) {
		return &TargetHealth{State: ptr("draining"), Reason: ptr("Target.DeregistrationInProgress"), Description: ptr("Target deregistration is in progress")}
	}
	if !slices.Contains(tg.Targets, t) {
		return &TargetHealth{State: ptr(stateUnused), Reason: ptr("Target.NotRegistered"), Description: ptr("Target is not registered to the target group")}
	}
	if !s.tgInUseLocked(tg.ARN) {
		return &TargetHealth{State: ptr(stateUnused), Reason: ptr("Target.NotInUse"), Description: ptr("Target group is not configured to receive traffic from the load balancer")}
	}
	if !tg.Health.Enabled {
		return &TargetHealth{State: ptr(stateUnavailable), Reason: ptr("Target.HealthCheckDisabled"), Description: ptr("Health checks are disabled")}
	}
	if tg.TargetType == "lambda" {
		// Health checks of Lambda targets invoke the function; virga
		// reports the function healthy while it exists.
		if s.functions != nil && s.functions.FunctionExists(t.ID) {
			return &TargetHealth{State: ptr(stateHealthy)}
		}
		return &TargetHealth{State: ptr(stateUnhealthy), Reason: ptr("Target.FailedHealthChecks"), Description: ptr("Health checks failed")}
	}
	st := s.health[healthKey{tg.ARN, t}]
	if st == nil || st.state == stateInitial || st.state == "" {
		return &TargetHealth{State: ptr(stateInitial), Reason: ptr("Elb.InitialHealthChecking"), Description: ptr("Initial health checks in progress")}
	}
	h := &TargetHealth{State: ptr(st.state)}
	if st.reason != "" {
		h.Reason, h.Description = ptr(st.reason), ptr(st.desc)
	}
	return h
}

// healthyTargetsLocked returns the targets requests go to: the healthy
// ones, or all of them when none is healthy (a load balancer fails open).
func (s *Service) healthyTargetsLocked(tg *targetGroup) []target {
	if tg.TargetType == "lambda" || !tg.Health.Enabled {
		return tg.Targets
	}
	var out []target
	for _, t := range tg.Targets {
		if st := s.health[healthKey{tg.ARN, t}]; st != nil && st.state == stateHealthy {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return tg.Targets
	}
	return out
}

// checkHealth starts the health checks that are due.
func (s *Service) checkHealth(ctx context.Context) {
	now := s.now()
	type job struct {
		key healthKey
		hc  healthCheck
	}
	var jobs []job
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	for _, tg := range s.tgs {
		if tg.TargetType == "lambda" || !tg.Health.Enabled || !s.tgInUseLocked(tg.ARN) {
			continue
		}
		for _, t := range tg.Targets {
			k := healthKey{tg.ARN, t}
			st := s.health[k]
			if st == nil {
				// The first check is made at once.
				st = &targetState{state: stateInitial, due: now}
				s.health[k] = st
			}
			if st.running || now.Before(st.due) {
				continue
			}
			st.running = true
			st.due = now.Add(time.Duration(tg.Health.IntervalSeconds) * time.Second)
			jobs = append(jobs, job{k, tg.Health})
		}
	}
	// Added under s.mu, which Close takes before it waits: a check is
	// counted before Close can wait for it, or never starts.
	s.checks.Add(len(jobs))
	s.mu.Unlock()
	for _, j := range jobs {
		go func() {
			defer s.checks.Done()
			s.runCheck(ctx, j.key, j.hc)
		}()
	}
}

// runCheck makes one health check and records its outcome.
func (s *Service) runCheck(ctx context.Context, k healthKey, hc healthCheck) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.closing, cancel)()
	ok, reason, desc := s.probe(ctx, k.t, hc)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.health[k]
	if st == nil {
		return // deregistered meanwhile
	}
	st.running = false
	if ok {
		st.successes++
		st.failures = 0
		// A newly registered target is healthy once it passes one check;
		// HealthyThresholdCount is what an unhealthy one needs.
		if st.state == stateInitial || st.state != stateHealthy && st.successes >= hc.HealthyThreshold {
			st.state, st.reason, st.desc = stateHealthy, "", ""
		}
		return
	}
	st.failures++
	st.successes = 0
	if st.state == stateUnhealthy {
		st.reason, st.desc = reason, desc
		return
	}
	if st.failures >= hc.UnhealthyThreshold {
		st.state, st.reason, st.desc = stateUnhealthy, reason, desc
	}
}

// probe makes one health check: a TCP connection, or an HTTP(S) GET.
func (s *Service) probe(ctx context.Context, t target, hc healthCheck) (ok bool, reason, desc string) {
	port := hc.Port
	if port == "traffic-port" || port == "" {
		port = strconv.Itoa(int(t.Port))
	}
	if net.ParseIP(t.ID) == nil {
		// Instance ids name no address virga can reach.
		return false, "Target.FailedHealthChecks", "Health checks failed"
	}
	cctx, cancel := context.WithTimeout(ctx, time.Duration(hc.TimeoutSeconds)*time.Second)
	defer cancel()
	if hc.Protocol == "TCP" {
		// A TCP check passes when the connection is established
		// ("the load balancer ... opens a TCP connection").
		var d net.Dialer
		c, err := d.DialContext(cctx, "tcp", net.JoinHostPort(t.ID, port))
		if err != nil {
			if cctx.Err() != nil && ctx.Err() == nil {
				return false, "Target.Timeout", "Request timed out"
			}
			return false, "Target.FailedHealthChecks", "Health checks failed"
		}
		c.Close()
		return true, "", ""
	}
	scheme := "http"
	if hc.Protocol == "HTTPS" {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, scheme+"://"+net.JoinHostPort(t.ID, port)+hc.Path, nil)
	if err != nil {
		return false, "Target.FailedHealthChecks", "Health checks failed"
	}
	req.Header.Set("User-Agent", "ELB-HealthChecker/2.0")
	res, err := s.transport.RoundTrip(req)
	if err != nil {
		if cctx.Err() != nil {
			return false, "Target.Timeout", "Request timed out"
		}
		return false, "Target.FailedHealthChecks", "Health checks failed"
	}
	res.Body.Close()
	if !matches(hc.Matcher, res.StatusCode) {
		return false, "Target.ResponseCodeMismatch", fmt.Sprintf("Health checks failed with these codes: [%d]", res.StatusCode)
	}
	return true, "", ""
}
