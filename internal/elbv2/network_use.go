package elbv2

import "slices"

// UsesNetwork reports whether a load balancer is in the subnet or has
// the security group with the id, which EC2 then refuses to delete (see
// ec2.Service.RegisterUser).
func (s *Service) UsesNetwork(id string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, lb := range s.lbs {
		if slices.Contains(lb.Subnets, id) || slices.Contains(lb.SecurityGroups, id) {
			return true, nil
		}
	}
	return false, nil
}
