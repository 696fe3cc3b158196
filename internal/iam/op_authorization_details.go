package iam

import (
	"context"
	"maps"
	"slices"
)

// authorizationFilters are GetAccountAuthorizationDetails' Filter values.
var authorizationFilters = []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}

// authorizationItem is one entity GetAccountAuthorizationDetails
// answers; exactly one field is set.
type authorizationItem struct {
	user   *UserDetail
	group  *GroupDetail
	role   *RoleDetail
	policy *ManagedPolicyDetail
}

// inlineDetails are a principal's inline policies, by name.
func inlineDetails(p *principal) []PolicyDetail {
	out := []PolicyDetail{}
	for _, name := range slices.Sorted(maps.Keys(p.Inline)) {
		out = append(out, PolicyDetail{PolicyName: ptr(name), PolicyDocument: encodeDocument(p.Inline[name])})
	}
	return out
}

// getAccountAuthorizationDetails answers the account's users, groups,
// roles and managed policies (customer managed ones, and the AWS managed
// ones something is attached to) with their policies, in that order,
// each kind by name. Pages cut across kinds; the marker is the index of
// the next entity.
func (s *Service) getAccountAuthorizationDetails(ctx context.Context, in *GetAccountAuthorizationDetailsRequest) (*GetAccountAuthorizationDetailsResponse, error) {
	want := map[string]bool{}
	for _, f := range in.Filter {
		if !slices.Contains(authorizationFilters, f) {
			return nil, ErrValidation.Withf("1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [LocalManagedPolicy, Role, AWSManagedPolicy, User, Group]]", f)
		}
		want[f] = true
	}
	wanted := func(f string) bool { return len(want) == 0 || want[f] }
	items, err := s.authorizationItems(wanted)
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := pageAt(items, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &GetAccountAuthorizationDetailsResponse{UserDetailList: []UserDetail{}, GroupDetailList: []GroupDetail{},
		RoleDetailList: []RoleDetail{}, Policies: []ManagedPolicyDetail{}, IsTruncated: truncated, Marker: marker}
	for _, it := range items {
		switch {
		case it.user != nil:
			out.UserDetailList = append(out.UserDetailList, *it.user)
		case it.group != nil:
			out.GroupDetailList = append(out.GroupDetailList, *it.group)
		case it.role != nil:
			out.RoleDetailList = append(out.RoleDetailList, *it.role)
		default:
			out.Policies = append(out.Policies, *it.policy)
		}
	}
	return out, nil
}

// authorizationItems are the entities the filter wants, in answer order.
func (s *Service) authorizationItems(wanted func(string) bool) ([]authorizationItem, error) {
	var items []authorizationItem
	groups, err := all[groupRecord](s, kindGroup)
	if err != nil {
		return nil, err
	}
	if wanted("User") {
		err := each(s, kindUser, func(u *userRecord) error {
			base := s.userOut(u, true)
			d := &UserDetail{Path: base.Path, UserName: base.UserName, UserId: base.UserId, Arn: base.Arn, CreateDate: base.CreateDate,
				PermissionsBoundary: base.PermissionsBoundary, Tags: base.Tags, GroupList: []string{},
				UserPolicyList: inlineDetails(&u.principal), AttachedManagedPolicies: attachedUnder(&u.principal, nil)}
			for _, g := range groups {
				if g.hasMember(u.Name) {
					d.GroupList = append(d.GroupList, g.Name)
				}
			}
			items = append(items, authorizationItem{user: d})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if wanted("Group") {
		for _, g := range groups {
			base := s.groupOut(g)
			items = append(items, authorizationItem{group: &GroupDetail{Path: base.Path, GroupName: base.GroupName, GroupId: base.GroupId,
				Arn: base.Arn, CreateDate: base.CreateDate, GroupPolicyList: inlineDetails(&g.principal),
				AttachedManagedPolicies: attachedUnder(&g.principal, nil)}})
		}
	}
	if wanted("Role") {
		profiles, err := all[profileRecord](s, kindProfile) // read once, not per role
		if err != nil {
			return nil, err
		}
		err = each(s, kindRole, func(r *roleRecord) error {
			base := s.roleOut(r, true)
			d := &RoleDetail{Path: base.Path, RoleName: base.RoleName, RoleId: base.RoleId, Arn: base.Arn, CreateDate: base.CreateDate,
				AssumeRolePolicyDocument: base.AssumeRolePolicyDocument, PermissionsBoundary: base.PermissionsBoundary, Tags: base.Tags,
				RolePolicyList: inlineDetails(&r.principal), AttachedManagedPolicies: attachedUnder(&r.principal, nil),
				InstanceProfileList: []InstanceProfile{}, RoleLastUsed: &RoleLastUsed{}}
			for _, p := range profiles {
				if holdsRole(p, r.Name) {
					out, err := s.profileOut(p)
					if err != nil {
						return err
					}
					d.InstanceProfileList = append(d.InstanceProfileList, out)
				}
			}
			items = append(items, authorizationItem{role: d})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if !wanted("LocalManagedPolicy") && !wanted("AWSManagedPolicy") {
		return items, nil
	}
	a, err := s.attachments()
	if err != nil {
		return nil, err
	}
	if wanted("AWSManagedPolicy") {
		arns := a.arns()
		slices.Sort(arns)
		for _, arn := range arns {
			account, path, name, ok := parsePolicyARN(arn)
			if !ok || account != awsManagedAccount {
				continue
			}
			known, inCatalogue := awsPolicies[arn]
			if !inCatalogue {
				known = awsPolicy{Name: name, Path: path}
			}
			items = append(items, authorizationItem{policy: policyDetail(awsPolicyOut(&known, a.count(arn)), awsVersions(&known))})
		}
	}
	if wanted("LocalManagedPolicy") {
		err := each(s, kindPolicy, func(p *policyRecord) error {
			versions := []PolicyVersion{}
			for i := len(p.Versions) - 1; i >= 0; i-- {
				versions = append(versions, versionOut(&p.Versions[i], p.Versions[i].ID == p.Default))
			}
			out := s.policyOut(p, a.count(s.arn("policy", p.Path, p.Name)), true)
			items = append(items, authorizationItem{policy: policyDetail(out, versions)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}

// awsVersions are the versions of an AWS managed policy virga knows:
// its default one, when virga carries its document.
func awsVersions(p *awsPolicy) []PolicyVersion {
	if p.Document == "" {
		return []PolicyVersion{}
	}
	return []PolicyVersion{versionOut(&versionRecord{ID: p.Version, Document: p.Document, Created: p.Created}, true)}
}

// policyDetail is a managed policy as GetAccountAuthorizationDetails
// answers it.
func policyDetail(p Policy, versions []PolicyVersion) *ManagedPolicyDetail {
	return &ManagedPolicyDetail{PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path,
		DefaultVersionId: p.DefaultVersionId, AttachmentCount: p.AttachmentCount,
		PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount, IsAttachable: p.IsAttachable,
		Description: p.Description, CreateDate: p.CreateDate, UpdateDate: p.UpdateDate, PolicyVersionList: versions}
}
