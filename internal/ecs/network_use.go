package ecs

import "slices"

// UsesNetwork reports whether a task that has not stopped, or a service
// not deleted, is placed by its awsvpc configuration in the subnet or
// security group with the id, which EC2 then refuses to delete (see
// ec2.Service.RegisterUser).
func (s *Service) UsesNetwork(id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	uses := func(nc *NetworkConfiguration) bool {
		if nc == nil || nc.AwsvpcConfiguration == nil {
			return false
		}
		return slices.Contains(nc.AwsvpcConfiguration.Subnets, id) || slices.Contains(nc.AwsvpcConfiguration.SecurityGroups, id)
	}
	for _, t := range s.tasks {
		if deref(t.T.LastStatus) != statusStopped && uses(t.Network) {
			return true, nil
		}
	}
	for _, svc := range s.services {
		if deref(svc.D.Status) != statusInactive && uses(svc.D.NetworkConfiguration) {
			return true, nil
		}
	}
	return false, nil
}
