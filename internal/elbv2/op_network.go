package elbv2

import (
	"context"
	"slices"
)

// ipAddressTypes are the load balancer IP address types of ELB's API.
var ipAddressTypes = []string{"ipv4", "dualstack", "dualstack-without-public-ipv4"}

// updateLB applies f to a copy of the load balancer arn names, checks
// and stores it. s.mu is held.
func (s *Service) updateLB(arn string, f func(lb *loadBalancer) error) (*loadBalancer, error) {
	lb, err := s.lbLocked(arn)
	if err != nil {
		return nil, err
	}
	next := *lb
	if err := f(&next); err != nil {
		return nil, err
	}
	if err := s.commit(write{kindLB, lb.ARN, &next}); err != nil {
		return nil, err
	}
	s.lbs[lb.ARN] = &next
	return &next, nil
}

// setSecurityGroups replaces a load balancer's security groups. A
// Network Load Balancer created without security groups cannot be
// given any.
func (s *Service) setSecurityGroups(_ context.Context, in *SetSecurityGroupsInput) (*SetSecurityGroupsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb, err := s.updateLB(deref(in.LoadBalancerArn), func(lb *loadBalancer) error {
		// Wording unconfirmed: the code is ELB's for this case.
		if lb.isNetwork() && len(lb.SecurityGroups) == 0 {
			return invalidConfig("You cannot set security groups on a Network Load Balancer which was created with no security groups")
		}
		if !lb.isNetwork() && len(in.SecurityGroups) == 0 {
			return validation("An Application Load Balancer must have at least one security group")
		}
		if err := s.checkNetwork(lb.Subnets, in.SecurityGroups); err != nil {
			return err
		}
		lb.SecurityGroups = slices.Clone(in.SecurityGroups)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SetSecurityGroupsOutput{SecurityGroupIds: slices.Clone(lb.SecurityGroups)}, nil
}

// setSubnets replaces a load balancer's subnets, and with them its
// availability zones.
func (s *Service) setSubnets(_ context.Context, in *SetSubnetsInput) (*SetSubnetsOutput, error) {
	subnets := slices.Clone(in.Subnets)
	for _, m := range in.SubnetMappings {
		subnets = append(subnets, deref(m.SubnetId))
	}
	if len(subnets) == 0 {
		return nil, validation("At least one subnet must be specified")
	}
	if t := deref(in.IpAddressType); t != "" && !slices.Contains(ipAddressTypes, t) {
		return nil, validation("IP address type '%s' must be one of %v", t, ipAddressTypes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb, err := s.updateLB(deref(in.LoadBalancerArn), func(lb *loadBalancer) error {
		if err := s.checkNetwork(subnets, lb.SecurityGroups); err != nil {
			return err
		}
		lb.Subnets = subnets
		if in.IpAddressType != nil {
			lb.IPAddressType = *in.IpAddressType
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	shape := s.lbShape(lb)
	return &SetSubnetsOutput{AvailabilityZones: shape.AvailabilityZones, IpAddressType: shape.IpAddressType}, nil
}

// setIPAddressType sets the IP address type clients reach a load
// balancer by (virga listens as it always does).
func (s *Service) setIPAddressType(_ context.Context, in *SetIpAddressTypeInput) (*SetIpAddressTypeOutput, error) {
	t := deref(in.IpAddressType)
	if !slices.Contains(ipAddressTypes, t) {
		return nil, validation("IP address type '%s' must be one of %v", t, ipAddressTypes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb, err := s.updateLB(deref(in.LoadBalancerArn), func(lb *loadBalancer) error {
		// Only an internet-facing Application Load Balancer can go
		// without public IPv4 addresses.
		if t == "dualstack-without-public-ipv4" && (lb.isNetwork() || lb.Scheme != "internet-facing") {
			return validation("IP address type '%s' is supported only by internet-facing Application Load Balancers", t)
		}
		lb.IPAddressType = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SetIpAddressTypeOutput{IpAddressType: ptr(lb.IPAddressType)}, nil
}
