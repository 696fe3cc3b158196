package lambda

import "slices"

// UsesNetwork reports whether a version of a function is placed, by its
// VpcConfig, in the subnet or security group with the id, which EC2
// then refuses to delete (see ec2.Service.RegisterUser).
func (s *Service) UsesNetwork(id string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.functions {
		for _, v := range append([]*version{f.Latest}, f.Versions...) {
			if vc := v.Config.VpcConfig; vc != nil && (slices.Contains(vc.SubnetIds, id) || slices.Contains(vc.SecurityGroupIds, id)) {
				return true, nil
			}
		}
	}
	return false, nil
}
