package iam

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the IAM entity a call acts on, for IAM authorization,
// as IAM's service authorization reference lists each action's resource
// type: the instance profile, group, role or user its
// InstanceProfileName, GroupName, RoleName or UserName names, in that
// order (AddUserToGroup acts on the group, AddRoleToInstanceProfile on
// the instance profile), with the entity's path read from its record;
// otherwise the policy its PolicyArn names, or the OpenID Connect
// provider its OpenIDConnectProviderArn or Url names. Listings act on
// "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	for _, f := range []struct{ field, kind, arnKind string }{
		{"InstanceProfileName", kindProfile, "instance-profile"},
		{"GroupName", kindGroup, "group"},
		{"RoleName", kindRole, "role"},
		{"UserName", kindUser, "user"},
	} {
		name := awsproto.InputString(in, f.field)
		if name == "" {
			continue
		}
		var rec struct{ Name, Path string }
		if ok, err := s.get(f.kind, name, &rec); err == nil && ok {
			return []string{s.arn(f.arnKind, rec.Path, rec.Name)}
		}
		return []string{s.arn(f.arnKind, "/", name)}
	}
	if arn := awsproto.InputString(in, "PolicyArn"); arn != "" {
		return []string{arn}
	}
	if arn := awsproto.InputString(in, "OpenIDConnectProviderArn"); arn != "" {
		return []string{arn}
	}
	if url, ok := strings.CutPrefix(awsproto.InputString(in, "Url"), "https://"); ok {
		return []string{s.oidcARN(strings.TrimSuffix(url, "/"))}
	}
	return nil
}
