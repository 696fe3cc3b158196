package elbv2

// The operations' inputs and outputs come from AWS's model of Elastic Load
// Balancing v2 (the awsQuery model Debian's python3-botocore ships). Enum
// members are plain strings, checked here with the service's own errors.
//go:generate go run ../awsproto/shapegen -service elbv2 -version 2015-12-01 -package elbv2 -out zz_shapes.go -no-enums -ops CreateLoadBalancer,DescribeLoadBalancers,DeleteLoadBalancer,DescribeLoadBalancerAttributes,ModifyLoadBalancerAttributes,CreateTargetGroup,DescribeTargetGroups,ModifyTargetGroup,DeleteTargetGroup,DescribeTargetGroupAttributes,ModifyTargetGroupAttributes,RegisterTargets,DeregisterTargets,DescribeTargetHealth,CreateListener,DescribeListeners,ModifyListener,DeleteListener,CreateRule,DescribeRules,ModifyRule,DeleteRule,SetRulePriorities,AddTags,RemoveTags,DescribeTags,SetSecurityGroups,SetSubnets,SetIpAddressType,AddListenerCertificates,RemoveListenerCertificates,DescribeListenerCertificates,DescribeSSLPolicies,DescribeAccountLimits
