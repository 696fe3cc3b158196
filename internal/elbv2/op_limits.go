package elbv2

import (
	"context"
	"strconv"
)

// Quotas virga does not otherwise enforce, with the names and default
// values DescribeAccountLimits reports for them ("Quotas for your
// Application Load Balancers" and "... Network Load Balancers").
const (
	maxApplicationLoadBalancers = 50
	maxNetworkLoadBalancers     = 50
	maxTargetGroups             = 3000
	maxTargetGroupsPerALB       = 100
	maxTargetsPerALB            = 1000
	maxTargetsPerNLB            = 3000
	maxTargetsPerAZPerNLB       = 500
)

// accountLimits are the quotas DescribeAccountLimits reports: AWS's
// defaults, which virga's accounts keep.
var accountLimits = []struct {
	name string
	max  int
}{
	{"application-load-balancers", maxApplicationLoadBalancers},
	{"target-groups", maxTargetGroups},
	{"targets-per-application-load-balancer", maxTargetsPerALB},
	{"listeners-per-application-load-balancer", maxListenersPerLB},
	{"rules-per-application-load-balancer", maxRulesPerLB},
	{"network-load-balancers", maxNetworkLoadBalancers},
	{"targets-per-network-load-balancer", maxTargetsPerNLB},
	{"targets-per-availability-zone-per-network-load-balancer", maxTargetsPerAZPerNLB},
	{"listeners-per-network-load-balancer", maxListenersPerLB},
	{"condition-values-per-alb-rule", maxConditionValues},
	{"condition-wildcards-per-alb-rule", maxWildcards},
	{"target-groups-per-application-load-balancer", maxTargetGroupsPerALB},
	{"target-groups-per-action-on-application-load-balancer", maxForwardTargetGroups},
	{"target-groups-per-action-on-network-load-balancer", 1},
	{"certificates-per-application-load-balancer", maxCertificatesPerLB},
	{"certificates-per-network-load-balancer", maxCertificatesPerLB},
	{"targets-per-target-group", maxTargetsPerGroup},
}

func (s *Service) describeAccountLimits(ctx context.Context, in *DescribeAccountLimitsInput) (*DescribeAccountLimitsOutput, error) {
	list := make([]Limit, 0, len(accountLimits))
	for _, l := range accountLimits {
		list = append(list, Limit{Name: ptr(l.name), Max: ptr(strconv.Itoa(l.max))})
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	return &DescribeAccountLimitsOutput{Limits: append([]Limit{}, page...), NextMarker: next}, nil
}
