package elbv2

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// Target group limits, from the CreateTargetGroup API reference.
const maxTargetGroupName = 32

// tgAttributeDefaults are a target group's attributes by target type, as
// DescribeTargetGroupAttributes lists them before any change.
var tgAttributeDefaults = map[string][][2]string{
	"instance": {
		{"deregistration_delay.timeout_seconds", "300"},
		{"stickiness.enabled", "false"},
		{"stickiness.type", "lb_cookie"},
		{"stickiness.lb_cookie.duration_seconds", "86400"},
		{"slow_start.duration_seconds", "0"},
		{"load_balancing.algorithm.type", "round_robin"},
		{"load_balancing.cross_zone.enabled", "use_load_balancer_configuration"},
	},
	"lambda": {
		{"lambda.multi_value_headers.enabled", "false"},
	},
	// A Network Load Balancer's target groups ("Target group attributes"
	// of the Network Load Balancers guide).
	"network": {
		{"deregistration_delay.timeout_seconds", "300"},
		{"deregistration_delay.connection_termination.enabled", "false"},
		{"stickiness.enabled", "false"},
		{"stickiness.type", "source_ip"},
		{"proxy_protocol_v2.enabled", "false"},
		{"load_balancing.cross_zone.enabled", "use_load_balancer_configuration"},
		{"target_health_state.unhealthy.connection_termination.enabled", "true"},
	},
}

// attributeDefaults is the attribute list of a target group.
func attributeDefaults(tg *targetGroup) [][2]string {
	switch {
	case tg.TargetType == "lambda":
		return tgAttributeDefaults["lambda"]
	case isNetworkProtocol(tg.Protocol):
		defs := slices.Clone(tgAttributeDefaults["network"])
		// Client IP preservation is on for instance targets and for
		// UDP and TCP_UDP target groups, off for ip targets over TCP
		// and TLS.
		preserve := tg.TargetType == "instance" || tg.Protocol == "UDP" || tg.Protocol == "TCP_UDP"
		return append(defs, [2]string{"preserve_client_ip.enabled", strconv.FormatBool(preserve)})
	}
	return tgAttributeDefaults["instance"]
}

// Network Load Balancer target groups' health check defaults ("Health
// check settings" of the Network Load Balancers guide): a TCP check every
// 30 seconds, 5 successes to be healthy and 2 failures to be unhealthy;
// an HTTP check times out after 6 seconds, TCP and HTTPS ones after 10;
// HTTP checks succeed on codes 200-399, and a matcher may name codes
// from 200 to 599.
const (
	nlbHealthInterval    = 30
	nlbHealthTimeout     = 10
	nlbHTTPHealthTimeout = 6
	nlbHealthyCount      = 5
	nlbUnhealthyCount    = 2
	nlbDefaultMatcher    = "200-399"
)

func (s *Service) createTargetGroup(ctx context.Context, in *CreateTargetGroupInput) (*CreateTargetGroupOutput, error) {
	name := deref(in.Name)
	if len(name) > maxTargetGroupName {
		return nil, validation("Target group name '%s' cannot be longer than '%d' characters", name, maxTargetGroupName)
	}
	if !lbNameRE.MatchString(name) {
		return nil, validation("Target group name '%s' can only contain characters that are alphanumeric characters or hyphens(-)", name)
	}
	tt := deref(in.TargetType)
	if tt == "" {
		tt = "instance"
	}
	tg := &targetGroup{Name: name, TargetType: tt, VpcID: deref(in.VpcId), Created: s.now().UnixMilli()}
	switch tt {
	case "instance", "ip":
		tg.Protocol = deref(in.Protocol)
		if tg.Protocol == "" || in.Port == nil || tg.VpcID == "" {
			return nil, validation("A protocol, a port and a VPC ID must be specified for target groups of type '%s'", tt)
		}
		switch {
		case tg.Protocol == "HTTP" || tg.Protocol == "HTTPS":
			tg.ProtocolVersion = deref(in.ProtocolVersion)
			if tg.ProtocolVersion == "" {
				tg.ProtocolVersion = "HTTP1"
			}
			tg.Health = healthCheck{Enabled: true, Protocol: tg.Protocol, Port: "traffic-port", Path: "/",
				IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 5, UnhealthyThreshold: 2, Matcher: "200"}
		case isNetworkProtocol(tg.Protocol):
			if in.ProtocolVersion != nil {
				return nil, validation("A protocol version cannot be specified for target groups with protocol '%s'", tg.Protocol)
			}
			tg.Health = healthCheck{Enabled: true, Protocol: "TCP", Port: "traffic-port",
				IntervalSeconds: nlbHealthInterval, TimeoutSeconds: nlbHealthTimeout,
				HealthyThreshold: nlbHealthyCount, UnhealthyThreshold: nlbUnhealthyCount}
			if p := deref(in.HealthCheckProtocol); p == "HTTP" || p == "HTTPS" {
				tg.Health.Path, tg.Health.Matcher = "/", nlbDefaultMatcher
				if p == "HTTP" {
					tg.Health.TimeoutSeconds = nlbHTTPHealthTimeout
				}
			}
		default:
			return nil, ErrUnsupportedProtocol.WithMessage(fmt.Sprintf("Protocol '%s' is not supported by virga: use HTTP or HTTPS (Application Load Balancers), TCP, TLS, UDP or TCP_UDP (Network Load Balancers)", tg.Protocol))
		}
		tg.Port = *in.Port
		tg.IPAddressType = deref(in.IpAddressType)
		if tg.IPAddressType == "" {
			tg.IPAddressType = "ipv4"
		}
	case "lambda":
		if in.Protocol != nil || in.Port != nil || in.VpcId != nil {
			return nil, validation("A protocol, a port and a VPC ID cannot be specified for target groups of type 'lambda'")
		}
		// Health checks of Lambda targets are off unless enabled.
		tg.Health = healthCheck{Enabled: false, Path: "/", IntervalSeconds: 35, TimeoutSeconds: 30,
			HealthyThreshold: 5, UnhealthyThreshold: 2, Matcher: "200"}
	default:
		return nil, validation("Target type '%s' is not supported by virga: use instance, ip or lambda", tt)
	}
	if err := applyHealth(&tg.Health, in.HealthCheckEnabled, in.HealthCheckProtocol, in.HealthCheckPort, in.HealthCheckPath,
		in.HealthCheckIntervalSeconds, in.HealthCheckTimeoutSeconds, in.HealthyThresholdCount, in.UnhealthyThresholdCount, in.Matcher, tg); err != nil {
		return nil, err
	}
	tags, err := newTags(ctx, in.Tags)
	if err != nil {
		return nil, err
	}
	tg.Tags = tags
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.tgs {
		if old.Name == name {
			if old.TargetType == tg.TargetType && old.Protocol == tg.Protocol && old.Port == tg.Port && old.Health == tg.Health {
				return &CreateTargetGroupOutput{TargetGroups: []TargetGroup{s.tgShapeLocked(old)}}, nil
			}
			return nil, ErrDuplicateTargetGroupName.WithMessage(fmt.Sprintf("A target group with the same name '%s' exists, but with different settings", name))
		}
	}
	tg.ARN = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", s.region, s.account, name, s.ids.Hex(8))
	if err := s.commit(write{kindTG, tg.ARN, tg}); err != nil {
		return nil, err
	}
	s.tgs[tg.ARN] = tg
	return &CreateTargetGroupOutput{TargetGroups: []TargetGroup{s.tgShapeLocked(tg)}}, nil
}

// applyHealth sets the health check settings given for the target
// group. A Network Load Balancer's target group is checked over TCP,
// HTTP or HTTPS; an Application Load Balancer's over HTTP or HTTPS.
func applyHealth(h *healthCheck, enabled *bool, protocol, port, path *string, interval, timeout, healthy, unhealthy *int32, m *Matcher, tg *targetGroup) error {
	targetType := tg.TargetType
	network := isNetworkProtocol(tg.Protocol)
	if enabled != nil {
		if !*enabled && targetType != "lambda" {
			return validation("Health check enabled must be true for target groups with target type '%s'", targetType)
		}
		h.Enabled = *enabled
	}
	if protocol != nil {
		switch {
		case *protocol == "HTTP" || *protocol == "HTTPS":
			if network && h.Protocol == "TCP" {
				// A TCP check has no path nor matcher: an HTTP one
				// starts from NLB's defaults.
				h.Path, h.Matcher = "/", nlbDefaultMatcher
			}
		case *protocol == "TCP" && network:
			h.Path, h.Matcher = "", ""
		case *protocol == "TCP":
			return validation("Health check protocol 'TCP' is not supported for target groups with the '%s' protocol", tg.Protocol)
		default:
			return validation("Health check protocol '%s' must be one of [HTTP, HTTPS, TCP]", *protocol)
		}
		h.Protocol = *protocol
	}
	if port != nil {
		if *port != "traffic-port" {
			if n, err := strconv.Atoi(*port); err != nil || n < 1 || n > 65535 {
				return validation("Health check port '%s' must be 'traffic-port' or a port between 1 and 65535", *port)
			}
		}
		h.Port = *port
	}
	if path != nil && h.Protocol == "TCP" {
		return validation("A health check path cannot be specified for TCP health checks")
	}
	if m != nil && m.HttpCode != nil && h.Protocol == "TCP" {
		return validation("A health check matcher cannot be specified for TCP health checks")
	}
	if path != nil {
		if !strings.HasPrefix(*path, "/") {
			return validation("Health check path must begin with a '/' character")
		}
		h.Path = *path
	}
	if interval != nil {
		h.IntervalSeconds = *interval
	}
	if timeout != nil {
		h.TimeoutSeconds = *timeout
	}
	if healthy != nil {
		h.HealthyThreshold = *healthy
	}
	if unhealthy != nil {
		h.UnhealthyThreshold = *unhealthy
	}
	if m != nil && m.HttpCode != nil {
		if _, err := parseMatcher(*m.HttpCode, network); err != nil {
			return err
		}
		h.Matcher = *m.HttpCode
	}
	if h.TimeoutSeconds >= h.IntervalSeconds {
		return validation("Health check timeout '%d' must be smaller than the interval '%d'", h.TimeoutSeconds, h.IntervalSeconds)
	}
	return nil
}

// parseMatcher parses a success code matcher: codes ("200,202") and
// ranges ("200-299") between 200 and 499, or 599 for a Network Load
// Balancer's target group.
func parseMatcher(m string, network bool) ([][2]int, error) {
	highest := 499
	if network {
		highest = 599
	}
	var out [][2]int
	for _, part := range strings.Split(m, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 200 || b > highest || a > b {
			return nil, validation("Health check matcher HTTP code '%s' must be within '200-%d' inclusive", m, highest)
		}
		out = append(out, [2]int{a, b})
	}
	return out, nil
}

func matches(m string, code int) bool {
	rs, err := parseMatcher(m, true)
	if err != nil {
		return false
	}
	for _, r := range rs {
		if code >= r[0] && code <= r[1] {
			return true
		}
	}
	return false
}

func (s *Service) tgShapeLocked(tg *targetGroup) TargetGroup {
	out := TargetGroup{
		TargetGroupArn: ptr(tg.ARN), TargetGroupName: ptr(tg.Name), TargetType: ptr(tg.TargetType),
		HealthCheckEnabled:         ptr(tg.Health.Enabled),
		HealthCheckIntervalSeconds: ptr(tg.Health.IntervalSeconds), HealthCheckTimeoutSeconds: ptr(tg.Health.TimeoutSeconds),
		HealthyThresholdCount: ptr(tg.Health.HealthyThreshold), UnhealthyThresholdCount: ptr(tg.Health.UnhealthyThreshold),
		LoadBalancerArns: s.tgLoadBalancersLocked(tg.ARN),
	}
	// A TCP health check has no path nor matcher.
	if tg.Health.Protocol != "TCP" {
		out.HealthCheckPath, out.Matcher = ptr(tg.Health.Path), &Matcher{HttpCode: ptr(tg.Health.Matcher)}
	}
	if tg.TargetType != "lambda" {
		out.Protocol, out.Port, out.VpcId = ptr(tg.Protocol), ptr(tg.Port), ptr(tg.VpcID)
		out.HealthCheckProtocol, out.HealthCheckPort = ptr(tg.Health.Protocol), ptr(tg.Health.Port)
		out.IpAddressType = ptr(tg.IPAddressType)
		if tg.ProtocolVersion != "" {
			out.ProtocolVersion = ptr(tg.ProtocolVersion)
		}
	}
	return out
}

// tgLoadBalancersLocked lists the load balancers whose listeners or rules
// forward to the target group.
func (s *Service) tgLoadBalancersLocked(arn string) []string {
	var out []string
	add := func(lb string) {
		if !slices.Contains(out, lb) {
			out = append(out, lb)
		}
	}
	for _, l := range s.listeners {
		if slices.Contains(targetGroupARNs(l.DefaultActions), arn) {
			add(l.LoadBalancer)
		}
	}
	for _, r := range s.rules {
		if l := s.listeners[r.Listener]; l != nil && slices.Contains(targetGroupARNs(r.Actions), arn) {
			add(l.LoadBalancer)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Service) tgLocked(arn string) (*targetGroup, error) {
	tg := s.tgs[arn]
	if tg == nil {
		return nil, ErrTargetGroupNotFound.WithMessage(fmt.Sprintf("Target groups '%s' not found", arn))
	}
	return tg, nil
}

func (s *Service) describeTargetGroups(ctx context.Context, in *DescribeTargetGroupsInput) (*DescribeTargetGroupsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*targetGroup
	switch {
	case len(in.TargetGroupArns) > 0:
		for _, arn := range in.TargetGroupArns {
			tg, err := s.tgLocked(arn)
			if err != nil {
				return nil, err
			}
			list = append(list, tg)
		}
	case len(in.Names) > 0:
		for _, n := range in.Names {
			var found *targetGroup
			for _, tg := range s.tgs {
				if tg.Name == n {
					found = tg
				}
			}
			if found == nil {
				return nil, ErrTargetGroupNotFound.WithMessage(fmt.Sprintf("Target groups '[%s]' not found", n))
			}
			list = append(list, found)
		}
	default:
		lbARN := deref(in.LoadBalancerArn)
		if lbARN != "" {
			if _, err := s.lbLocked(lbARN); err != nil {
				return nil, err
			}
		}
		for _, tg := range s.tgs {
			if lbARN == "" || slices.Contains(s.tgLoadBalancersLocked(tg.ARN), lbARN) {
				list = append(list, tg)
			}
		}
		slices.SortFunc(list, func(a, b *targetGroup) int { return strings.Compare(a.ARN, b.ARN) })
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	out := &DescribeTargetGroupsOutput{NextMarker: next}
	for _, tg := range page {
		out.TargetGroups = append(out.TargetGroups, s.tgShapeLocked(tg))
	}
	return out, nil
}

func (s *Service) modifyTargetGroup(ctx context.Context, in *ModifyTargetGroupInput) (*ModifyTargetGroupOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.tgLocked(deref(in.TargetGroupArn))
	if err != nil {
		return nil, err
	}
	next := *tg
	if err := applyHealth(&next.Health, in.HealthCheckEnabled, in.HealthCheckProtocol, in.HealthCheckPort, in.HealthCheckPath,
		in.HealthCheckIntervalSeconds, in.HealthCheckTimeoutSeconds, in.HealthyThresholdCount, in.UnhealthyThresholdCount, in.Matcher, tg); err != nil {
		return nil, err
	}
	if err := s.commit(write{kindTG, tg.ARN, &next}); err != nil {
		return nil, err
	}
	s.tgs[tg.ARN] = &next
	return &ModifyTargetGroupOutput{TargetGroups: []TargetGroup{s.tgShapeLocked(&next)}}, nil
}

func (s *Service) deleteTargetGroup(ctx context.Context, in *DeleteTargetGroupInput) (*DeleteTargetGroupOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := deref(in.TargetGroupArn)
	if s.tgs[arn] == nil {
		return &DeleteTargetGroupOutput{}, nil
	}
	if s.tgInUseLocked(arn) {
		return nil, ErrResourceInUse.WithMessage(fmt.Sprintf("Target group '%s' is currently in use by a listener or a rule", arn))
	}
	if err := s.commit(write{kindTG, arn, nil}); err != nil {
		return nil, err
	}
	delete(s.tgs, arn)
	delete(s.next, arn)
	for k := range s.health {
		if k.tg == arn {
			delete(s.health, k)
		}
	}
	return &DeleteTargetGroupOutput{}, nil
}

func (s *Service) tgInUseLocked(arn string) bool {
	for _, l := range s.listeners {
		if slices.Contains(targetGroupARNs(l.DefaultActions), arn) {
			return true
		}
	}
	for _, r := range s.rules {
		if slices.Contains(targetGroupARNs(r.Actions), arn) {
			return true
		}
	}
	return false
}

func (s *Service) tgAttributes(tg *targetGroup) []TargetGroupAttribute {
	defs := attributeDefaults(tg)
	out := make([]TargetGroupAttribute, 0, len(defs))
	for _, kv := range defs {
		v, ok := tg.Attributes[kv[0]]
		if !ok {
			v = kv[1]
		}
		out = append(out, TargetGroupAttribute{Key: ptr(kv[0]), Value: ptr(v)})
	}
	return out
}

func (s *Service) describeTargetGroupAttributes(ctx context.Context, in *DescribeTargetGroupAttributesInput) (*DescribeTargetGroupAttributesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	tg, err := s.tgLocked(deref(in.TargetGroupArn))
	if err != nil {
		return nil, err
	}
	return &DescribeTargetGroupAttributesOutput{Attributes: s.tgAttributes(tg)}, nil
}

func (s *Service) modifyTargetGroupAttributes(ctx context.Context, in *ModifyTargetGroupAttributesInput) (*ModifyTargetGroupAttributesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.tgLocked(deref(in.TargetGroupArn))
	if err != nil {
		return nil, err
	}
	next := *tg
	next.Attributes = map[string]string{}
	for k, v := range tg.Attributes {
		next.Attributes[k] = v
	}
	defs := attributeDefaults(tg)
	for _, a := range in.Attributes {
		k, v := deref(a.Key), deref(a.Value)
		if !slices.ContainsFunc(defs, func(kv [2]string) bool { return kv[0] == k }) {
			return nil, invalidConfig("The attribute '%s' is not supported for target groups with target type '%s'", k, tg.TargetType)
		}
		if err := checkAttribute(k, v); err != nil {
			return nil, err
		}
		next.Attributes[k] = v
	}
	if err := s.commit(write{kindTG, tg.ARN, &next}); err != nil {
		return nil, err
	}
	s.tgs[tg.ARN] = &next
	return &ModifyTargetGroupAttributesOutput{Attributes: s.tgAttributes(&next)}, nil
}

// checkTarget checks a target of the target group's type.
func checkTarget(tg *targetGroup, t TargetDescription) error {
	id := deref(t.Id)
	switch tg.TargetType {
	case "ip":
		if net.ParseIP(id) == nil {
			return ErrInvalidTarget.WithMessage(fmt.Sprintf("The IP address '%s' is not a valid IPv4 address", id))
		}
	case "instance":
		if !strings.HasPrefix(id, "i-") {
			return validation("Instance ID '%s' is not valid", id)
		}
	case "lambda":
		if !strings.HasPrefix(id, "arn:aws:lambda:") {
			return validation("'%s' is not a valid Lambda function ARN", id)
		}
		if t.Port != nil {
			return validation("A port cannot be specified for Lambda targets")
		}
	}
	return nil
}
