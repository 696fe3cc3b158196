package iam

import (
	"context"

	"github.com/virga/virga/internal/awsproto/apierr"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// managedPolicy finds the managed policy an ARN names: one of the
// account's (rec) or one of AWS's (aws).
func (s *Service) managedPolicy(arn string) (rec *policyRecord, aws *awsPolicy, err error) {
	account, path, name, ok := parsePolicyARN(arn)
	if !ok {
		return nil, nil, ErrInvalidInput.Withf("ARN %s is not valid.", arn)
	}
	if account == awsManagedAccount {
		if p, ok := awsPolicies[arn]; ok {
			return nil, &p, nil
		}
		// AWS manages over a thousand policies and adds more each
		// month; one outside the catalogue is taken to exist, without
		// a document, so that templates attaching it deploy here as
		// they do on AWS.
		return nil, &awsPolicy{Name: name, Path: path}, nil
	}
	if account != s.account {
		return nil, nil, noSuchPolicy(arn)
	}
	var p policyRecord
	found, err := s.get(kindPolicy, name, &p)
	if err != nil {
		return nil, nil, err
	}
	if !found || p.Path != path || p.Name != name {
		return nil, nil, noSuchPolicy(arn)
	}
	return &p, nil, nil
}

// attachments are the roles and users each managed policy is attached
// to, by ARN. IAM accounts are small; counting on demand keeps the
// records free of counters that could drift.
type attachments struct {
	roles  map[string][]*roleRecord
	users  map[string][]*userRecord
	groups map[string][]*groupRecord
}

func (a attachments) count(arn string) int32 {
	return int32(len(a.roles[arn]) + len(a.users[arn]) + len(a.groups[arn]))
}

// arns are the policies attached to anything, each once.
func (a attachments) arns() []string {
	seen := map[string]bool{}
	var out []string
	for arn := range a.roles {
		seen[arn] = true
		out = append(out, arn)
	}
	for arn := range a.users {
		if !seen[arn] {
			seen[arn] = true
			out = append(out, arn)
		}
	}
	for arn := range a.groups {
		if !seen[arn] {
			out = append(out, arn)
		}
	}
	return out
}

func (s *Service) attachments() (attachments, error) {
	a := attachments{roles: map[string][]*roleRecord{}, users: map[string][]*userRecord{}, groups: map[string][]*groupRecord{}}
	err := each(s, kindRole, func(r *roleRecord) error {
		for _, arn := range r.Attached {
			a.roles[arn] = append(a.roles[arn], r)
		}
		return nil
	})
	if err != nil {
		return a, err
	}
	err = each(s, kindUser, func(u *userRecord) error {
		for _, arn := range u.Attached {
			a.users[arn] = append(a.users[arn], u)
		}
		return nil
	})
	if err != nil {
		return a, err
	}
	err = each(s, kindGroup, func(g *groupRecord) error {
		for _, arn := range g.Attached {
			a.groups[arn] = append(a.groups[arn], g)
		}
		return nil
	})
	return a, err
}

func (s *Service) policyOut(p *policyRecord, count int32, full bool) Policy {
	out := Policy{
		PolicyName:                    ptr(p.Name),
		PolicyId:                      ptr(p.ID),
		Arn:                           ptr(s.arn("policy", p.Path, p.Name)),
		Path:                          ptr(p.Path),
		DefaultVersionId:              ptr(p.Default),
		AttachmentCount:               ptr(count),
		PermissionsBoundaryUsageCount: ptr(int32(0)),
		IsAttachable:                  ptr(true),
		CreateDate:                    ptr(p.Created),
		UpdateDate:                    ptr(p.Updated),
	}
	if full {
		if p.Description != "" {
			out.Description = ptr(p.Description)
		}
		out.Tags = tagsOut(p.Tags)
	}
	return out
}

func awsPolicyOut(p *awsPolicy, count int32) Policy {
	out := Policy{
		PolicyName:                    ptr(p.Name),
		Arn:                           ptr(p.arn()),
		Path:                          ptr(p.Path),
		AttachmentCount:               ptr(count),
		PermissionsBoundaryUsageCount: ptr(int32(0)),
		IsAttachable:                  ptr(true),
	}
	if p.Document != "" {
		out.DefaultVersionId = ptr(p.Version)
		out.CreateDate = ptr(p.Created)
		out.UpdateDate = ptr(p.Created)
	}
	return out
}

func (s *Service) createPolicy(ctx context.Context, in *CreatePolicyRequest) (*CreatePolicyResponse, error) {
	if err := checkPolicyDocument(*in.PolicyDocument, true); err != nil {
		return nil, err
	}
	if err := checkManagedPolicySize(*in.PolicyDocument); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTagsPerEntity {
		return nil, tooManyTags()
	}
	now := s.clock.Now().UTC().Truncate(1e9)
	p := &policyRecord{
		Name: *in.PolicyName, Path: pathOr(in.Path), ID: s.ids.UniqueID(policyPrefix),
		Description: deref(in.Description), Created: now, Updated: now,
		Default: "v1", NextVersion: 2,
		Versions: []versionRecord{{ID: "v1", Document: *in.PolicyDocument, Created: now}},
		Tags:     mergeTags(nil, in.Tags),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var have policyRecord
	if ok, err := s.get(kindPolicy, p.Name, &have); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrEntityAlreadyExists.Withf("A policy called %s already exists. Duplicate names are not allowed.", p.Name)
	}
	if err := s.commit(new(change).put(kindPolicy, p.Name, p)); err != nil {
		return nil, err
	}
	out := s.policyOut(p, 0, true)
	return &CreatePolicyResponse{Policy: &out}, nil
}

func (s *Service) getPolicy(ctx context.Context, in *GetPolicyRequest) (*GetPolicyResponse, error) {
	rec, aws, err := s.managedPolicy(*in.PolicyArn)
	if err != nil {
		return nil, err
	}
	a, err := s.attachments()
	if err != nil {
		return nil, err
	}
	var out Policy
	if aws != nil {
		out = awsPolicyOut(aws, a.count(*in.PolicyArn))
	} else {
		out = s.policyOut(rec, a.count(*in.PolicyArn), true)
	}
	return &GetPolicyResponse{Policy: &out}, nil
}

func (s *Service) deletePolicy(ctx context.Context, in *DeletePolicyRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, aws, err := s.managedPolicy(*in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if aws != nil {
		return nil, ErrUnmodifiableEntity.Withf("Policy %s is managed by AWS and cannot be deleted.", *in.PolicyArn)
	}
	a, err := s.attachments()
	if err != nil {
		return nil, err
	}
	if a.count(*in.PolicyArn) > 0 {
		return nil, ErrDeleteConflict.WithMessage("Cannot delete a policy attached to entities.")
	}
	if len(rec.Versions) > 1 {
		return nil, ErrDeleteConflict.WithMessage("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	return nil, s.commit(new(change).del(kindPolicy, rec.Name))
}

func (s *Service) listPolicies(ctx context.Context, in *ListPoliciesRequest) (*ListPoliciesResponse, error) {
	scope := "All"
	if in.Scope != nil {
		scope = *in.Scope
	}
	switch scope {
	case "All", "AWS", "Local":
	default:
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	a, err := s.attachments()
	if err != nil {
		return nil, err
	}
	onlyAttached := in.OnlyAttached != nil && *in.OnlyAttached
	var list []Policy
	keep := func(p Policy) {
		if hasPathPrefix(*p.Path, in.PathPrefix) && (!onlyAttached || *p.AttachmentCount > 0) {
			list = append(list, p)
		}
	}
	if scope != "Local" {
		for _, p := range awsPolicies {
			keep(awsPolicyOut(&p, a.count(p.arn())))
		}
		// AWS managed policies outside the catalogue that something
		// is attached to.
		for _, arn := range a.arns() {
			if _, known := awsPolicies[arn]; known {
				continue
			}
			if account, path, name, ok := parsePolicyARN(arn); ok && account == awsManagedAccount {
				keep(awsPolicyOut(&awsPolicy{Name: name, Path: path}, a.count(arn)))
			}
		}
	}
	if scope != "AWS" {
		policies, err := all[policyRecord](s, kindPolicy)
		if err != nil {
			return nil, err
		}
		for _, p := range policies {
			keep(s.policyOut(p, a.count(s.arn("policy", p.Path, p.Name)), false))
		}
	}
	sort.Slice(list, func(i, j int) bool { return *list[i].Arn < *list[j].Arn })
	got, truncated, marker := page(list, func(p Policy) string { return *p.Arn }, in.Marker, in.MaxItems)
	if got == nil {
		got = []Policy{}
	}
	return &ListPoliciesResponse{Policies: got, IsTruncated: truncated, Marker: marker}, nil
}

// updatePolicyWith applies f to a customer managed policy and stores it.
func (s *Service) updatePolicyWith(arn string, f func(*policyRecord) error) (*policyRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, aws, err := s.managedPolicy(arn)
	if err != nil {
		return nil, err
	}
	if aws != nil {
		return nil, ErrUnmodifiableEntity.Withf("Policy %s is managed by AWS and cannot be changed.", arn)
	}
	if err := f(rec); err != nil {
		return nil, err
	}
	return rec, s.commit(new(change).put(kindPolicy, rec.Name, rec))
}

func versionOut(v *versionRecord, isDefault bool) PolicyVersion {
	return PolicyVersion{Document: encodeDocument(v.Document), VersionId: ptr(v.ID), IsDefaultVersion: ptr(isDefault), CreateDate: ptr(v.Created)}
}

func (s *Service) createPolicyVersion(ctx context.Context, in *CreatePolicyVersionRequest) (*CreatePolicyVersionResponse, error) {
	if err := checkPolicyDocument(*in.PolicyDocument, true); err != nil {
		return nil, err
	}
	if err := checkManagedPolicySize(*in.PolicyDocument); err != nil {
		return nil, err
	}
	var made versionRecord
	setDefault := in.SetAsDefault != nil && *in.SetAsDefault
	_, err := s.updatePolicyWith(*in.PolicyArn, func(p *policyRecord) error {
		if len(p.Versions) >= maxPolicyVersions {
			return ErrLimitExceeded.WithMessage("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
		}
		now := s.clock.Now().UTC().Truncate(1e9)
		made = versionRecord{ID: "v" + strconv.Itoa(p.NextVersion), Document: *in.PolicyDocument, Created: now}
		p.NextVersion++
		p.Versions = append(p.Versions, made)
		if setDefault {
			p.Default = made.ID
			p.Updated = now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := versionOut(&made, setDefault)
	out.Document = nil
	return &CreatePolicyVersionResponse{PolicyVersion: &out}, nil
}

func noSuchVersion(arn, id string) error {
	return ErrNoSuchEntity.Withf("Policy %s version %s does not exist or is not attachable.", arn, id)
}

func (s *Service) getPolicyVersion(ctx context.Context, in *GetPolicyVersionRequest) (*GetPolicyVersionResponse, error) {
	rec, aws, err := s.managedPolicy(*in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if aws != nil {
		if aws.Document == "" {
			return nil, errNoAWSDocument(aws)
		}
		if *in.VersionId != aws.Version {
			return nil, noSuchVersion(*in.PolicyArn, *in.VersionId)
		}
		v := versionRecord{ID: aws.Version, Document: aws.Document, Created: aws.Created}
		out := versionOut(&v, true)
		return &GetPolicyVersionResponse{PolicyVersion: &out}, nil
	}
	for i := range rec.Versions {
		if rec.Versions[i].ID == *in.VersionId {
			out := versionOut(&rec.Versions[i], rec.Default == *in.VersionId)
			return &GetPolicyVersionResponse{PolicyVersion: &out}, nil
		}
	}
	return nil, noSuchVersion(*in.PolicyArn, *in.VersionId)
}

func (s *Service) listPolicyVersions(ctx context.Context, in *ListPolicyVersionsRequest) (*ListPolicyVersionsResponse, error) {
	rec, aws, err := s.managedPolicy(*in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var versions []PolicyVersion
	if aws != nil {
		if aws.Document == "" {
			return nil, errNoAWSDocument(aws)
		}
		versions = []PolicyVersion{{VersionId: ptr(aws.Version), IsDefaultVersion: ptr(true), CreateDate: ptr(aws.Created)}}
	} else {
		for i := len(rec.Versions) - 1; i >= 0; i-- {
			v := versionOut(&rec.Versions[i], rec.Versions[i].ID == rec.Default)
			v.Document = nil
			versions = append(versions, v)
		}
	}
	got, truncated, marker := page(versions, versionKey, nil, in.MaxItems)
	if in.Marker != nil {
		got, truncated, marker = pageAfter(versions, *in.Marker, in.MaxItems)
	}
	return &ListPolicyVersionsResponse{Versions: got, IsTruncated: truncated, Marker: marker}, nil
}

// versionKey is a version's marker: its id.
func versionKey(v PolicyVersion) string { return *v.VersionId }

// pageAfter pages versions, which are listed newest first, by version id.
func pageAfter(versions []PolicyVersion, marker string, maxItems *int32) ([]PolicyVersion, *bool, *string) {
	i := slices.IndexFunc(versions, func(v PolicyVersion) bool { return *v.VersionId == marker })
	rest := versions[i+1:]
	return page(rest, versionKey, nil, maxItems)
}

func (s *Service) deletePolicyVersion(ctx context.Context, in *DeletePolicyVersionRequest) (*noOutput, error) {
	_, err := s.updatePolicyWith(*in.PolicyArn, func(p *policyRecord) error {
		i := slices.IndexFunc(p.Versions, func(v versionRecord) bool { return v.ID == *in.VersionId })
		if i < 0 {
			return noSuchVersion(*in.PolicyArn, *in.VersionId)
		}
		if p.Default == *in.VersionId {
			return ErrDeleteConflict.WithMessage("Cannot delete the default version of a policy.")
		}
		p.Versions = slices.Delete(p.Versions, i, i+1)
		return nil
	})
	return nil, err
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, in *SetDefaultPolicyVersionRequest) (*noOutput, error) {
	_, err := s.updatePolicyWith(*in.PolicyArn, func(p *policyRecord) error {
		if !slices.ContainsFunc(p.Versions, func(v versionRecord) bool { return v.ID == *in.VersionId }) {
			return noSuchVersion(*in.PolicyArn, *in.VersionId)
		}
		p.Default = *in.VersionId
		p.Updated = s.clock.Now().UTC().Truncate(1e9)
		return nil
	})
	return nil, err
}

// attachable checks that arn names a managed policy that can be attached.
func (s *Service) attachable(arn string) error {
	_, _, err := s.managedPolicy(arn)
	if e := apierr.As(err); e != nil {
		return notAttachable(arn)
	}
	return err
}

func (p *principal) attach(arn string) {
	if !slices.Contains(p.Attached, arn) {
		p.Attached = append(p.Attached, arn)
	}
}

func (p *principal) detach(arn string) error {
	i := slices.Index(p.Attached, arn)
	if i < 0 {
		return noSuchPolicy(arn)
	}
	p.Attached = slices.Delete(p.Attached, i, i+1)
	return nil
}

func (s *Service) attachRolePolicy(ctx context.Context, in *AttachRolePolicyRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		if err := s.attachable(*in.PolicyArn); err != nil {
			return err
		}
		r.attach(*in.PolicyArn)
		return nil
	})
	return nil, err
}

func (s *Service) detachRolePolicy(ctx context.Context, in *DetachRolePolicyRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error { return r.detach(*in.PolicyArn) })
	return nil, err
}

func (s *Service) attachUserPolicy(ctx context.Context, in *AttachUserPolicyRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if err := s.attachable(*in.PolicyArn); err != nil {
			return err
		}
		u.attach(*in.PolicyArn)
		return nil
	})
	return nil, err
}

func (s *Service) detachUserPolicy(ctx context.Context, in *DetachUserPolicyRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error { return u.detach(*in.PolicyArn) })
	return nil, err
}

// attachedUnder is a principal's managed policies under a path prefix
// (all of them for a nil prefix), in attachment order.
func attachedUnder(p *principal, prefix *string) []AttachedPolicy {
	list := []AttachedPolicy{}
	for _, arn := range p.Attached {
		_, path, name, _ := parsePolicyARN(arn)
		if hasPathPrefix(path, prefix) {
			list = append(list, AttachedPolicy{PolicyName: ptr(name), PolicyArn: ptr(arn)})
		}
	}
	return list
}

// attachedOut lists a principal's managed policies under a path prefix.
func attachedOut(p *principal, prefix, marker *string, maxItems *int32) ([]AttachedPolicy, *bool, *string) {
	list := attachedUnder(p, prefix)
	got, truncated, next := page(list, func(a AttachedPolicy) string { return *a.PolicyArn }, nil, maxItems)
	if marker != nil && *marker != "" {
		i := slices.IndexFunc(list, func(a AttachedPolicy) bool { return *a.PolicyArn == *marker })
		got, truncated, next = page(list[i+1:], func(a AttachedPolicy) string { return *a.PolicyArn }, nil, maxItems)
	}
	if got == nil {
		got = []AttachedPolicy{}
	}
	return got, truncated, next
}

func (s *Service) listAttachedRolePolicies(ctx context.Context, in *ListAttachedRolePoliciesRequest) (*ListAttachedRolePoliciesResponse, error) {
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := attachedOut(&r.principal, in.PathPrefix, in.Marker, in.MaxItems)
	return &ListAttachedRolePoliciesResponse{AttachedPolicies: got, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) listAttachedUserPolicies(ctx context.Context, in *ListAttachedUserPoliciesRequest) (*ListAttachedUserPoliciesResponse, error) {
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := attachedOut(&u.principal, in.PathPrefix, in.Marker, in.MaxItems)
	return &ListAttachedUserPoliciesResponse{AttachedPolicies: got, IsTruncated: truncated, Marker: marker}, nil
}

// entity is one line of ListEntitiesForPolicy: a group, user or role the
// policy is attached to. Pages follow kind (groups, users, roles, as
// the response lists them) and then name; the marker is the key of the
// last entity answered.
type entity struct {
	key   string
	group *PolicyGroup
	user  *PolicyUser
	role  *PolicyRole
}

func (s *Service) listEntitiesForPolicy(ctx context.Context, in *ListEntitiesForPolicyRequest) (*ListEntitiesForPolicyResponse, error) {
	filter := deref(in.EntityFilter)
	switch filter {
	case "", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, LocalManagedPolicy, Group, AWSManagedPolicy]", filter)
	}
	if _, _, err := s.managedPolicy(*in.PolicyArn); err != nil {
		return nil, err
	}
	a, err := s.attachments()
	if err != nil {
		return nil, err
	}
	arn := *in.PolicyArn
	var list []entity
	if filter == "" || filter == "Group" {
		for _, g := range a.groups[arn] {
			if hasPathPrefix(g.Path, in.PathPrefix) {
				list = append(list, entity{key: "1/" + strings.ToLower(g.Name), group: &PolicyGroup{GroupName: ptr(g.Name), GroupId: ptr(g.ID)}})
			}
		}
	}
	if filter == "" || filter == "User" {
		for _, u := range a.users[arn] {
			if hasPathPrefix(u.Path, in.PathPrefix) {
				list = append(list, entity{key: "2/" + strings.ToLower(u.Name), user: &PolicyUser{UserName: ptr(u.Name), UserId: ptr(u.ID)}})
			}
		}
	}
	if filter == "" || filter == "Role" {
		for _, r := range a.roles[arn] {
			if hasPathPrefix(r.Path, in.PathPrefix) {
				list = append(list, entity{key: "3/" + strings.ToLower(r.Name), role: &PolicyRole{RoleName: ptr(r.Name), RoleId: ptr(r.ID)}})
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	got, truncated, marker := page(list, func(e entity) string { return e.key }, in.Marker, in.MaxItems)
	out := &ListEntitiesForPolicyResponse{PolicyGroups: []PolicyGroup{}, PolicyUsers: []PolicyUser{}, PolicyRoles: []PolicyRole{},
		IsTruncated: truncated, Marker: marker}
	for _, e := range got {
		switch {
		case e.group != nil:
			out.PolicyGroups = append(out.PolicyGroups, *e.group)
		case e.user != nil:
			out.PolicyUsers = append(out.PolicyUsers, *e.user)
		default:
			out.PolicyRoles = append(out.PolicyRoles, *e.role)
		}
	}
	return out, nil
}

func (s *Service) tagPolicy(ctx context.Context, in *TagPolicyRequest) (*noOutput, error) {
	_, err := s.updatePolicyWith(*in.PolicyArn, func(p *policyRecord) error {
		tags := mergeTags(append([]tagRecord(nil), p.Tags...), in.Tags)
		if len(tags) > maxTagsPerEntity {
			return tooManyTags()
		}
		p.Tags = tags
		return nil
	})
	return nil, err
}

func (s *Service) untagPolicy(ctx context.Context, in *UntagPolicyRequest) (*noOutput, error) {
	_, err := s.updatePolicyWith(*in.PolicyArn, func(p *policyRecord) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
	return nil, err
}

func (s *Service) listPolicyTags(ctx context.Context, in *ListPolicyTagsRequest) (*ListPolicyTagsResponse, error) {
	rec, aws, err := s.managedPolicy(*in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var have []tagRecord
	if aws == nil {
		have = rec.Tags
	}
	got, truncated, marker := pageTags(have, in.Marker, in.MaxItems)
	return &ListPolicyTagsResponse{Tags: got, IsTruncated: truncated, Marker: marker}, nil
}

func errNoAWSDocument(p *awsPolicy) error {
	return apierr.ErrNotImplemented.Withf("virga does not carry the document of the AWS managed policy %s.", p.Name)
}
