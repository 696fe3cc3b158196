package elbv2

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/vpcref"
)

// Limits and defaults of Application and Network Load Balancers.
const (
	maxLoadBalancerName = 32 // "This name must be unique ... can have a maximum of 32 characters"
	defaultIdleTimeout  = 60 // idle_timeout.timeout_seconds
	maxPageSize         = 400
)

var lbNameRE = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$`)

// hostedZones are the Route 53 hosted zones of Application Load
// Balancers by region, as AWS's endpoint documentation lists them.
var hostedZones = map[string]string{
	"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2",
	"us-west-1": "Z368ELLRRE2KJ0", "us-west-2": "Z1H1FL5HABSF5",
	"eu-west-1": "Z32O12XQLNTSW2", "eu-central-1": "Z215JYRZR1TBD5",
}

// nlbHostedZones are the Route 53 hosted zones of Network Load Balancers
// by region, as AWS's endpoint documentation lists them.
var nlbHostedZones = map[string]string{
	"us-east-1": "Z26RNL4JYFTOTI", "us-east-2": "ZLMOA37VPKANP",
	"us-west-1": "Z24FKFUX50B4VW", "us-west-2": "Z18D5FSROUN65G",
	"eu-west-1": "Z2IFOLAFXWLO4F", "eu-central-1": "Z3F0SRJ5LGBH90",
}

// nlbAttributeDefaults are a Network Load Balancer's attributes as
// DescribeLoadBalancerAttributes lists them before any change
// ("Load balancer attributes" of the Network Load Balancers guide:
// cross-zone load balancing is off by default).
var nlbAttributeDefaults = [][2]string{
	{"access_logs.s3.enabled", "false"},
	{"access_logs.s3.bucket", ""},
	{"access_logs.s3.prefix", ""},
	{"deletion_protection.enabled", "false"},
	{"load_balancing.cross_zone.enabled", "false"},
	{"dns_record.client_routing_policy", "any_availability_zone"},
	{"zonal_shift.config.enabled", "false"},
}

// attributeDefaultsOf is the attribute list of the load balancer's type.
func attributeDefaultsOf(lb *loadBalancer) [][2]string {
	if lb.isNetwork() {
		return nlbAttributeDefaults
	}
	return lbAttributeDefaults
}

// lbAttributeDefaults are an Application Load Balancer's attributes as
// DescribeLoadBalancerAttributes lists them before any change.
var lbAttributeDefaults = [][2]string{
	{"access_logs.s3.enabled", "false"},
	{"access_logs.s3.bucket", ""},
	{"access_logs.s3.prefix", ""},
	{"deletion_protection.enabled", "false"},
	{"idle_timeout.timeout_seconds", strconv.Itoa(defaultIdleTimeout)},
	{"routing.http.desync_mitigation_mode", "defensive"},
	{"routing.http.drop_invalid_header_fields.enabled", "false"},
	{"routing.http.preserve_host_header.enabled", "false"},
	{"routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "false"},
	{"routing.http.xff_client_port.enabled", "false"},
	{"routing.http.xff_header_processing.mode", "append"},
	{"routing.http2.enabled", "true"},
	{"waf.fail_open.enabled", "false"},
	{"client_keep_alive.seconds", "3600"},
}

// lbARN is a load balancer's ARN: loadbalancer/app/NAME/ID for an
// Application Load Balancer, loadbalancer/net/NAME/ID for a Network one.
func (s *Service) lbARN(typ, name, id string) string {
	kind := "app"
	if typ == "network" {
		kind = "net"
	}
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%s", s.region, s.account, kind, name, id)
}

func (s *Service) createLoadBalancer(ctx context.Context, in *CreateLoadBalancerInput) (*CreateLoadBalancerOutput, error) {
	name := deref(in.Name)
	switch {
	case len(name) > maxLoadBalancerName:
		return nil, validation("The load balancer name '%s' cannot be longer than '%d' characters", name, maxLoadBalancerName)
	case !lbNameRE.MatchString(name) || strings.HasPrefix(strings.ToLower(name), "internal-"):
		return nil, validation("The load balancer name '%s' is not valid: it may hold only alphanumeric characters and hyphens, must not begin or end with a hyphen, and must not begin with 'internal-'", name)
	}
	typ := deref(in.Type)
	if typ == "" {
		typ = "application"
	}
	switch typ {
	case "application", "network":
	case "gateway":
		return nil, validation("Load balancer type '%s' is not supported by virga: only 'application' and 'network' load balancers are", typ)
	default:
		return nil, validation("Load balancer type '%s' must be one of [application, network, gateway]", typ)
	}
	scheme := deref(in.Scheme)
	if scheme == "" {
		scheme = "internet-facing"
	}
	if scheme != "internet-facing" && scheme != "internal" {
		return nil, validation("Scheme '%s' must be one of [internet-facing, internal]", scheme)
	}
	ipType := deref(in.IpAddressType)
	if ipType == "" {
		ipType = "ipv4"
	}
	tags, err := newTags(ctx, in.Tags)
	if err != nil {
		return nil, err
	}
	subnets := slices.Clone(in.Subnets)
	for _, m := range in.SubnetMappings {
		subnets = append(subnets, deref(m.SubnetId))
	}
	if err := s.checkNetwork(subnets, in.SecurityGroups); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lb := range s.lbs {
		if lb.Name == name {
			// CreateLoadBalancer is idempotent: the same name with the
			// same settings answers the existing load balancer.
			if lb.Scheme == scheme && lb.Type == typ {
				return &CreateLoadBalancerOutput{LoadBalancers: []LoadBalancer{s.lbShape(lb)}}, nil
			}
			return nil, ErrDuplicateLoadBalancerName.WithMessage(fmt.Sprintf("A load balancer with the same name '%s' exists, but with different settings", name))
		}
	}
	id := s.ids.Hex(8)
	dns := strings.ToLower(fmt.Sprintf("%s%s-%s.%s%s", dnsPrefix(scheme), name, dnsID(id), s.region, HostSuffix))
	if typ == "network" {
		// AWS names a Network Load Balancer NAME-ID.elb.REGION.amazonaws.com,
		// internal or not; it is reached on its listeners' ports.
		dns = strings.ToLower(fmt.Sprintf("%s-%s.elb.%s.amazonaws.com", name, id, s.region))
	}
	lb := &loadBalancer{
		ARN: s.lbARN(typ, name, id), Name: name, ID: id, Scheme: scheme, Type: typ, IPAddressType: ipType,
		DNSName:        dns,
		Subnets:        subnets,
		SecurityGroups: slices.Clone(in.SecurityGroups),
		Created:        s.now().UnixMilli(),
		Tags:           tags,
	}
	if err := s.commit(write{kindLB, lb.ARN, lb}); err != nil {
		return nil, err
	}
	s.lbs[lb.ARN] = lb
	out := s.lbShape(lb)
	// A new load balancer is provisioning; virga's is active from the
	// next Describe on.
	out.State = &LoadBalancerState{Code: ptr("provisioning")}
	return &CreateLoadBalancerOutput{LoadBalancers: []LoadBalancer{out}}, nil
}

// checkNetwork refuses subnets and security groups EC2 does not keep,
// subnets of two VPCs, a security group outside the subnets' VPC, and two subnets in one
// availability zone.
func (s *Service) checkNetwork(subnets, groups []string) error {
	placed, err := vpcref.Check(s.subnets, subnets, groups)
	var missing *vpcref.NotFoundError
	switch {
	case errors.As(err, &missing) && missing.Group:
		return ErrInvalidSecurityGroup.WithMessage(missing.Error())
	case errors.As(err, &missing):
		return ErrSubnetNotFound.WithMessage(missing.Error())
	case err != nil:
		return err
	}
	// The code is ELBv2's for subnets of two VPCs; the message's
	// wording unconfirmed.
	if sn, ok := placed.ForeignSubnet(); ok {
		return invalidConfig("Subnet '%s' does not belong to VPC '%s'", sn.ID, placed.VpcID())
	}
	if g, ok := placed.ForeignGroup(); ok {
		return invalidConfig("Security group '%s' does not belong to VPC '%s'", g.ID, placed.VpcID())
	}
	zones := map[string]bool{}
	for _, sn := range placed.Subnets {
		if sn.Zone != "" && zones[sn.Zone] {
			return invalidConfig("A load balancer cannot be attached to multiple subnets in the same Availability Zone")
		}
		zones[sn.Zone] = true
	}
	return nil
}

// dnsPrefix is "internal-" for an internal load balancer, whose DNS
// name AWS starts so.
func dnsPrefix(scheme string) string {
	if scheme == "internal" {
		return "internal-"
	}
	return ""
}

// dnsID is the decimal number in a load balancer's DNS name, made from
// its id.
func dnsID(id string) string {
	n, _ := strconv.ParseUint(id[:8], 16, 64)
	return strconv.FormatUint(n%10_000_000_000, 10)
}

func (s *Service) lbShape(lb *loadBalancer) LoadBalancer {
	zones := hostedZones
	if lb.isNetwork() {
		zones = nlbHostedZones
	}
	zone := zones[s.region]
	if zone == "" {
		zone = zones["us-east-1"]
	}
	out := LoadBalancer{
		LoadBalancerArn: ptr(lb.ARN), DNSName: ptr(lb.DNSName), CanonicalHostedZoneId: ptr(zone),
		CreatedTime: ptr(time.UnixMilli(lb.Created).UTC()), LoadBalancerName: ptr(lb.Name), Scheme: ptr(lb.Scheme),
		VpcId: ptr("vpc-00000000"), State: &LoadBalancerState{Code: ptr("active")}, Type: ptr(lb.Type),
		SecurityGroups: lb.SecurityGroups, IpAddressType: ptr(lb.IPAddressType),
	}
	for i, sn := range lb.Subnets {
		zone := s.region + string(rune('a'+i%6))
		if s.subnets != nil {
			if vpc, z, ok, err := s.subnets.Subnet(sn); err == nil && ok {
				zone, out.VpcId = z, ptr(vpc)
			}
		}
		out.AvailabilityZones = append(out.AvailabilityZones, AvailabilityZone{ZoneName: ptr(zone), SubnetId: ptr(sn)})
	}
	return out
}

func (s *Service) describeLoadBalancers(ctx context.Context, in *DescribeLoadBalancersInput) (*DescribeLoadBalancersOutput, error) {
	if len(in.LoadBalancerArns) > 0 && len(in.Names) > 0 {
		return nil, validation("Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*loadBalancer
	switch {
	case len(in.LoadBalancerArns) > 0:
		for _, arn := range in.LoadBalancerArns {
			lb := s.lbs[arn]
			if lb == nil {
				return nil, ErrLoadBalancerNotFound.WithMessage(fmt.Sprintf("Load balancers '[%s]' not found", arn))
			}
			list = append(list, lb)
		}
	case len(in.Names) > 0:
		var missing []string
		for _, n := range in.Names {
			var found *loadBalancer
			for _, lb := range s.lbs {
				if lb.Name == n {
					found = lb
				}
			}
			if found == nil {
				missing = append(missing, n)
				continue
			}
			list = append(list, found)
		}
		if len(missing) > 0 {
			return nil, ErrLoadBalancerNotFound.WithMessage(fmt.Sprintf("Load balancers '[%s]' not found", strings.Join(missing, ", ")))
		}
	default:
		for _, lb := range s.lbs {
			list = append(list, lb)
		}
		slices.SortFunc(list, func(a, b *loadBalancer) int {
			if a.Created != b.Created {
				return int(a.Created - b.Created)
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	out := &DescribeLoadBalancersOutput{NextMarker: next}
	for _, lb := range page {
		out.LoadBalancers = append(out.LoadBalancers, s.lbShape(lb))
	}
	return out, nil
}

// paginate returns the page of list the marker starts (an index into the
// list, as virga writes it) and the marker of the next page.
func paginate[T any](list []T, marker *string, pageSize *int32) ([]T, *string, error) {
	start := 0
	if m := deref(marker); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(list) {
			return nil, nil, validation("The marker '%s' is not valid", m)
		}
		start = n
	}
	size := maxPageSize
	if pageSize != nil {
		size = int(*pageSize)
	}
	end := min(start+size, len(list))
	var next *string
	if end < len(list) {
		next = ptr(strconv.Itoa(end))
	}
	return list[start:end], next, nil
}

func (s *Service) lbLocked(arn string) (*loadBalancer, error) {
	lb := s.lbs[arn]
	if lb == nil {
		return nil, ErrLoadBalancerNotFound.WithMessage(fmt.Sprintf("Load balancer '%s' not found", arn))
	}
	return lb, nil
}

func (s *Service) deleteLoadBalancer(ctx context.Context, in *DeleteLoadBalancerInput) (*DeleteLoadBalancerOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.lbs[deref(in.LoadBalancerArn)]
	if lb == nil {
		// Deleting a load balancer that does not exist succeeds.
		return &DeleteLoadBalancerOutput{}, nil
	}
	if lb.Attributes["deletion_protection.enabled"] == "true" {
		return nil, ErrOperationNotPermitted.WithMessage(fmt.Sprintf("Load balancer '%s' cannot be deleted because deletion protection is enabled", lb.ARN))
	}
	// Its listeners and their rules go with it.
	ws := []write{{kindLB, lb.ARN, nil}}
	var gone []string
	for _, l := range s.listeners {
		if l.LoadBalancer != lb.ARN {
			continue
		}
		gone = append(gone, l.ARN)
		ws = append(ws, write{kindListener, l.ARN, nil})
		for _, r := range s.rules {
			if r.Listener == l.ARN {
				ws = append(ws, write{kindRule, r.ARN, nil})
			}
		}
	}
	if err := s.commit(ws...); err != nil {
		return nil, err
	}
	for _, w := range ws[1:] {
		if w.kind == kindRule {
			delete(s.rules, w.arn)
		}
	}
	for _, arn := range gone {
		s.unbindLocked(arn)
		delete(s.listeners, arn)
	}
	delete(s.lbs, lb.ARN)
	return &DeleteLoadBalancerOutput{}, nil
}

func (s *Service) lbAttributes(lb *loadBalancer) []LoadBalancerAttribute {
	defs := attributeDefaultsOf(lb)
	out := make([]LoadBalancerAttribute, 0, len(defs))
	for _, kv := range defs {
		v, ok := lb.Attributes[kv[0]]
		if !ok {
			v = kv[1]
		}
		out = append(out, LoadBalancerAttribute{Key: ptr(kv[0]), Value: ptr(v)})
	}
	return out
}

func (s *Service) describeLoadBalancerAttributes(ctx context.Context, in *DescribeLoadBalancerAttributesInput) (*DescribeLoadBalancerAttributesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lb, err := s.lbLocked(deref(in.LoadBalancerArn))
	if err != nil {
		return nil, err
	}
	return &DescribeLoadBalancerAttributesOutput{Attributes: s.lbAttributes(lb)}, nil
}

func (s *Service) modifyLoadBalancerAttributes(ctx context.Context, in *ModifyLoadBalancerAttributesInput) (*ModifyLoadBalancerAttributesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb, err := s.updateLB(deref(in.LoadBalancerArn), func(next *loadBalancer) error {
		next.Attributes = maps.Clone(next.Attributes)
		if next.Attributes == nil {
			next.Attributes = map[string]string{}
		}
		for _, a := range in.Attributes {
			k, v := deref(a.Key), deref(a.Value)
			if !slices.ContainsFunc(attributeDefaultsOf(next), func(kv [2]string) bool { return kv[0] == k }) {
				return validation("Load balancer attribute key '%s' is not recognized", k)
			}
			if err := checkAttribute(k, v); err != nil {
				return err
			}
			next.Attributes[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ModifyLoadBalancerAttributesOutput{Attributes: s.lbAttributes(lb)}, nil
}

// checkAttribute checks the values of the attributes virga acts on.
func checkAttribute(k, v string) error {
	switch {
	case k == "load_balancing.cross_zone.enabled" && v == "use_load_balancer_configuration":
		// A target group's setting that defers to its load balancer's.
	case strings.HasSuffix(k, ".enabled"):
		if v != "true" && v != "false" {
			return validation("Attribute '%s' must be 'true' or 'false'", k)
		}
	case k == "idle_timeout.timeout_seconds":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 4000 {
			return validation("Attribute '%s' must be an integer between 1 and 4000", k)
		}
	case k == "deregistration_delay.timeout_seconds":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3600 {
			return validation("Attribute '%s' must be an integer between 0 and 3600", k)
		}
	}
	return nil
}
