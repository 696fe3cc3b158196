package elbv2

import "github.com/virga/virga/internal/awsproto"

// operations is the service's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateLoadBalancer", Handler: awsproto.Handle(s.createLoadBalancer)},
		{Name: "DescribeLoadBalancers", Handler: awsproto.Handle(s.describeLoadBalancers)},
		{Name: "DeleteLoadBalancer", Handler: awsproto.Handle(s.deleteLoadBalancer)},
		{Name: "DescribeLoadBalancerAttributes", Handler: awsproto.Handle(s.describeLoadBalancerAttributes)},
		{Name: "ModifyLoadBalancerAttributes", Handler: awsproto.Handle(s.modifyLoadBalancerAttributes)},
		{Name: "CreateTargetGroup", Handler: awsproto.Handle(s.createTargetGroup)},
		{Name: "DescribeTargetGroups", Handler: awsproto.Handle(s.describeTargetGroups)},
		{Name: "ModifyTargetGroup", Handler: awsproto.Handle(s.modifyTargetGroup)},
		{Name: "DeleteTargetGroup", Handler: awsproto.Handle(s.deleteTargetGroup)},
		{Name: "DescribeTargetGroupAttributes", Handler: awsproto.Handle(s.describeTargetGroupAttributes)},
		{Name: "ModifyTargetGroupAttributes", Handler: awsproto.Handle(s.modifyTargetGroupAttributes)},
		{Name: "RegisterTargets", Handler: awsproto.Handle(s.registerTargets)},
		{Name: "DeregisterTargets", Handler: awsproto.Handle(s.deregisterTargets)},
		{Name: "DescribeTargetHealth", Handler: awsproto.Handle(s.describeTargetHealth)},
		{Name: "CreateListener", Handler: awsproto.Handle(s.createListener)},
		{Name: "DescribeListeners", Handler: awsproto.Handle(s.describeListeners)},
		{Name: "ModifyListener", Handler: awsproto.Handle(s.modifyListener)},
		{Name: "DeleteListener", Handler: awsproto.Handle(s.deleteListener)},
		{Name: "CreateRule", Handler: awsproto.Handle(s.createRule)},
		{Name: "DescribeRules", Handler: awsproto.Handle(s.describeRules)},
		{Name: "ModifyRule", Handler: awsproto.Handle(s.modifyRule)},
		{Name: "DeleteRule", Handler: awsproto.Handle(s.deleteRule)},
		{Name: "SetRulePriorities", Handler: awsproto.Handle(s.setRulePriorities)},
		{Name: "AddTags", Handler: awsproto.Handle(s.addTags)},
		{Name: "RemoveTags", Handler: awsproto.Handle(s.removeTags)},
		{Name: "DescribeTags", Handler: awsproto.Handle(s.describeTags)},
		{Name: "SetSecurityGroups", Handler: awsproto.Handle(s.setSecurityGroups)},
		{Name: "SetSubnets", Handler: awsproto.Handle(s.setSubnets)},
		{Name: "SetIpAddressType", Handler: awsproto.Handle(s.setIPAddressType)},
		{Name: "AddListenerCertificates", Handler: awsproto.Handle(s.addListenerCertificates)},
		{Name: "RemoveListenerCertificates", Handler: awsproto.Handle(s.removeListenerCertificates)},
		{Name: "DescribeListenerCertificates", Handler: awsproto.Handle(s.describeListenerCertificates)},
		{Name: "DescribeSSLPolicies", Handler: awsproto.Handle(s.describeSSLPolicies)},
		{Name: "DescribeAccountLimits", Handler: awsproto.Handle(s.describeAccountLimits)},
	}
}
