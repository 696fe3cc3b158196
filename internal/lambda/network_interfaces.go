package lambda

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/virga/virga/internal/vpcref"
)

// NetworkInterfaces returns the Hyperplane ENIs the functions' VpcConfigs
// have on AWS: one per subnet and set of security groups, whichever
// functions (and versions) share it, described after the first of them
// in name order ("AWS Lambda VPC ENI-NAME-UUID"). EC2 lists them (see
// ec2.Service.RegisterInterfaces).
func (s *Service) NetworkInterfaces() ([]vpcref.Interface, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.functions))
	for name := range s.functions {
		names = append(names, name)
	}
	slices.Sort(names)
	seen := map[string]bool{}
	var out []vpcref.Interface
	for _, name := range names {
		f := s.functions[name]
		for _, v := range append([]*version{f.Latest}, f.Versions...) {
			vc := v.Config.VpcConfig
			if vc == nil {
				continue
			}
			groups := slices.Sorted(slices.Values(vc.SecurityGroupIds))
			for _, sn := range vc.SubnetIds {
				key := sn + "|" + strings.Join(groups, ",")
				if seen[key] {
					continue
				}
				seen[key] = true
				sum := sha256.Sum256([]byte(key))
				h := hex.EncodeToString(sum[:16])
				uuid := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
				out = append(out, vpcref.Interface{Subnet: sn, Groups: groups, Type: "lambda",
					Description: "AWS Lambda VPC ENI-" + name + "-" + uuid})
			}
		}
	}
	return out, nil
}
