package elbv2

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the load balancer
// (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID),
// target group (targetgroup/NAME/ID), listener (listener/app/…) or
// listener rule (listener-rule/app/…) a call acts on, by the ARN it is
// given, for IAM authorization. The Describe operations support no
// resource-level permissions and are authorized on "*", as is
// CreateLoadBalancer and CreateTargetGroup, whose ARN is not known before
// the call.
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if strings.HasPrefix(c.Op.Name, "Describe") {
		return nil
	}
	if arns := awsproto.InputStrings(in, "ResourceArns"); len(arns) > 0 {
		return arns
	}
	for _, f := range []string{"RuleArn", "ListenerArn", "TargetGroupArn", "LoadBalancerArn"} {
		if arn := awsproto.InputString(in, f); arn != "" {
			return []string{arn}
		}
	}
	if c.Op.Name == "SetRulePriorities" {
		if r, ok := in.(*SetRulePrioritiesInput); ok {
			var out []string
			for _, p := range r.RulePriorities {
				if p.RuleArn != nil {
					out = append(out, *p.RuleArn)
				}
			}
			return out
		}
	}
	return nil
}
