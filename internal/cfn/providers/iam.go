package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

// The IAM types make real IAM entities through virga's IAM service: a
// role with its inline and managed policies, a policy put on roles,
// users and groups, a managed policy with its versions and attachments,
// a user with its groups, a group, users' additions to a group and an
// instance profile. Their physical IDs are what CloudFormation's are: a
// role's, user's, group's and instance profile's name, a managed
// policy's ARN, an AWS::IAM::Policy's and a UserToGroupAddition's
// generated name.

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::IAM::Role",
		Required:     []string{"AssumeRolePolicyDocument"},
		Provider:     role{},
		Replace:      []string{"RoleName", "Path"},
		NameProperty: "RoleName",
		Attributes:   []string{"Arn", "RoleId"},
		// CloudFormation gives roles and users its stack's tags, but
		// not its aws:cloudformation: tags.
		Tags:          resource.TagList,
		StackTagsOnly: true,
	})
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::Policy",
		Required:   []string{"PolicyDocument", "PolicyName"},
		Provider:   inlinePolicy{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::IAM::ManagedPolicy",
		Required:     []string{"PolicyDocument"},
		Provider:     managedPolicy{},
		Replace:      []string{"ManagedPolicyName", "Description", "Path"},
		NameProperty: "ManagedPolicyName",
		Attributes: []string{"PolicyArn", "PolicyId", "DefaultVersionId", "AttachmentCount", "IsAttachable",
			"PermissionsBoundaryUsageCount", "CreateDate", "UpdateDate"},
	})
	resource.Register(&resource.Type{
		Name:          "AWS::IAM::User",
		Provider:      user{},
		Replace:       []string{"UserName", "Path"},
		NameProperty:  "UserName",
		Attributes:    []string{"Arn"},
		Tags:          resource.TagList,
		StackTagsOnly: true,
	})
	resource.Register(&resource.Type{
		Name:         "AWS::IAM::Group",
		Provider:     group{},
		Replace:      []string{"GroupName"},
		NameProperty: "GroupName",
		Attributes:   []string{"Arn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::UserToGroupAddition",
		Required:   []string{"GroupName", "Users"},
		Provider:   userToGroup{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::InstanceProfile",
		Required:   []string{"Roles"},
		Provider:   instanceProfile{},
		Replace:    []string{"InstanceProfileName", "Path"},
		Attributes: []string{"Arn"},
	})
}

var iamKinds = map[string]kind{"MaxSessionDuration": number}

// role is AWS::IAM::Role: CreateRole, then its Policies (PutRolePolicy)
// and ManagedPolicyArns (AttachRolePolicy).
type role struct{}

func (role) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, iamKinds)
	name := p.str("RoleName")
	if name == "" {
		name = physicalName(r, maxRoleName)
	}
	trust, err := jsonText(p["AssumeRolePolicyDocument"])
	if err != nil {
		return nil, err
	}
	in := p.pick(map[string]any{"RoleName": name, "AssumeRolePolicyDocument": trust},
		"Path", "Description", "MaxSessionDuration", "PermissionsBoundary")
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	out, err := call(ctx, r, "iam", "CreateRole", in)
	if err != nil {
		return nil, err
	}
	// A failure from here on leaves the role: the rollback deletes it.
	if err := syncPrincipal(ctx, r, "Role", name, p, nil); err != nil {
		return roleResult(name, out), err
	}
	return roleResult(name, out), nil
}

func roleResult(name string, out map[string]any) *resource.Result {
	role := props(asMap(out["Role"]))
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": role.str("Arn"), "RoleId": role.str("RoleId")}}
}

// syncPrincipal puts a role's or user's inline policies and attaches its
// managed policies, removing those only old has.
func syncPrincipal(ctx context.Context, r *resource.Request, kind, name string, p, old props) error {
	nameKey := kind + "Name"
	now := map[string]bool{}
	for _, e := range p.list("Policies") {
		pol := props(asMap(e))
		doc, err := jsonText(pol["PolicyDocument"])
		if err != nil {
			return err
		}
		now[pol.str("PolicyName")] = true
		if _, err := call(ctx, r, "iam", "Put"+kind+"Policy", map[string]any{nameKey: name,
			"PolicyName": pol.str("PolicyName"), "PolicyDocument": doc}); err != nil {
			return err
		}
	}
	for _, e := range old.list("Policies") {
		if n := props(asMap(e)).str("PolicyName"); !now[n] {
			_, err := call(ctx, r, "iam", "Delete"+kind+"Policy", map[string]any{nameKey: name, "PolicyName": n})
			if err := ignoreGone(err); err != nil {
				return err
			}
		}
	}
	arns, oldARNs := strs(p.list("ManagedPolicyArns")), strs(old.list("ManagedPolicyArns"))
	for _, arn := range arns {
		if !slices.Contains(oldARNs, arn) {
			if _, err := call(ctx, r, "iam", "Attach"+kind+"Policy", map[string]any{nameKey: name, "PolicyArn": arn}); err != nil {
				return err
			}
		}
	}
	for _, arn := range oldARNs {
		if !slices.Contains(arns, arn) {
			_, err := call(ctx, r, "iam", "Detach"+kind+"Policy", map[string]any{nameKey: name, "PolicyArn": arn})
			if err := ignoreGone(err); err != nil {
				return err
			}
		}
	}
	return nil
}

func strs(l []any) []string {
	var out []string
	for _, e := range l {
		if s, ok := text(e); ok {
			out = append(out, s)
		}
	}
	return out
}

func (role) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, iamKinds)
	name := r.PhysicalID
	if changed(old, p, "Description", "MaxSessionDuration") {
		in := map[string]any{"RoleName": name, "Description": p.str("Description")}
		if p.has("MaxSessionDuration") {
			in["MaxSessionDuration"] = p["MaxSessionDuration"]
		} else {
			in["MaxSessionDuration"] = 3600
		}
		if _, err := call(ctx, r, "iam", "UpdateRole", in); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "AssumeRolePolicyDocument") {
		trust, err := jsonText(p["AssumeRolePolicyDocument"])
		if err != nil {
			return nil, err
		}
		if _, err := call(ctx, r, "iam", "UpdateAssumeRolePolicy", map[string]any{"RoleName": name, "PolicyDocument": trust}); err != nil {
			return nil, err
		}
	}
	if err := syncBoundary(ctx, r, "Role", name, p, old); err != nil {
		return nil, err
	}
	if err := retagPrincipal(ctx, r, "Role", name, p, old); err != nil {
		return nil, err
	}
	if err := syncPrincipal(ctx, r, "Role", name, p, old); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "iam", "GetRole", map[string]any{"RoleName": name})
	if err != nil {
		return nil, err
	}
	return roleResult(name, out), nil
}

// Delete removes what the role still holds (its inline policies, its
// managed policies, its instance profiles), as CloudFormation does, then
// the role.
func (role) Delete(ctx context.Context, r *resource.Request) error {
	name := r.PhysicalID
	if err := emptyPrincipal(ctx, r, "Role", name); err != nil {
		return ignoreGone(err)
	}
	out, err := call(ctx, r, "iam", "ListInstanceProfilesForRole", map[string]any{"RoleName": name})
	if err != nil {
		return ignoreGone(err)
	}
	for _, e := range asList(out["InstanceProfiles"]) {
		profile := props(asMap(e)).str("InstanceProfileName")
		_, err := call(ctx, r, "iam", "RemoveRoleFromInstanceProfile", map[string]any{"InstanceProfileName": profile, "RoleName": name})
		if err := ignoreGone(err); err != nil {
			return err
		}
	}
	_, err = call(ctx, r, "iam", "DeleteRole", map[string]any{"RoleName": name})
	return ignoreGone(err)
}

// syncBoundary puts or deletes a role's or user's permissions boundary
// when the template changed it; IAM changes it in place.
func syncBoundary(ctx context.Context, r *resource.Request, kind, name string, p, old props) error {
	if !changed(old, p, "PermissionsBoundary") {
		return nil
	}
	if b := p.str("PermissionsBoundary"); b != "" {
		_, err := call(ctx, r, "iam", "Put"+kind+"PermissionsBoundary", map[string]any{kind + "Name": name, "PermissionsBoundary": b})
		return err
	}
	_, err := call(ctx, r, "iam", "Delete"+kind+"PermissionsBoundary", map[string]any{kind + "Name": name})
	return ignoreGone(err)
}

// retagPrincipal untags a role or user of the tags only old has and
// tags it with those p adds or changes.
func retagPrincipal(ctx context.Context, r *resource.Request, kind, name string, p, old props) error {
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "iam", "Untag"+kind, map[string]any{kind + "Name": name, "TagKeys": anyStrings(removed)}); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "iam", "Tag"+kind, map[string]any{kind + "Name": name, "Tags": tagList(set)}); err != nil {
			return err
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// emptyPrincipal deletes a role's or user's inline policies and detaches
// its managed policies.
func emptyPrincipal(ctx context.Context, r *resource.Request, kind, name string) error {
	nameKey := kind + "Name"
	out, err := call(ctx, r, "iam", "List"+kind+"Policies", map[string]any{nameKey: name})
	if err != nil {
		return err
	}
	for _, n := range strs(asList(out["PolicyNames"])) {
		if _, err := call(ctx, r, "iam", "Delete"+kind+"Policy", map[string]any{nameKey: name, "PolicyName": n}); ignoreGone(err) != nil {
			return err
		}
	}
	out, err = call(ctx, r, "iam", "ListAttached"+kind+"Policies", map[string]any{nameKey: name})
	if err != nil {
		return err
	}
	for _, e := range asList(out["AttachedPolicies"]) {
		arn := props(asMap(e)).str("PolicyArn")
		if _, err := call(ctx, r, "iam", "Detach"+kind+"Policy", map[string]any{nameKey: name, "PolicyArn": arn}); ignoreGone(err) != nil {
			return err
		}
	}
	return nil
}

// inlinePolicy is AWS::IAM::Policy: the same inline policy put on each
// of its roles, users and groups. Its physical ID and Ref are a generated name,
// as AWS CloudFormation's.
type inlinePolicy struct{}

func (inlinePolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	id := physicalName(r, maxPolicyName)
	if err := putInline(ctx, r, props(r.Properties), nil); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

// putInline puts p's policy on its roles, users and groups, and deletes old's
// from those p no longer names (or all of old's when the name changed).
func putInline(ctx context.Context, r *resource.Request, p, old props) error {
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return err
	}
	name := p.str("PolicyName")
	for _, kind := range principalKinds {
		targets := strs(p.list(kind + "s"))
		for _, t := range targets {
			if _, err := call(ctx, r, "iam", "Put"+kind+"Policy", map[string]any{kind + "Name": t, "PolicyName": name, "PolicyDocument": doc}); err != nil {
				return err
			}
		}
		if old == nil {
			continue
		}
		for _, t := range strs(old.list(kind + "s")) {
			if old.str("PolicyName") != name || !slices.Contains(targets, t) {
				_, err := call(ctx, r, "iam", "Delete"+kind+"Policy", map[string]any{kind + "Name": t, "PolicyName": old.str("PolicyName")})
				if err := ignoreGone(err); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (inlinePolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := putInline(ctx, r, props(r.Properties), props(r.OldProperties)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (inlinePolicy) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	for _, kind := range principalKinds {
		for _, t := range strs(p.list(kind + "s")) {
			_, err := call(ctx, r, "iam", "Delete"+kind+"Policy", map[string]any{kind + "Name": t, "PolicyName": p.str("PolicyName")})
			if err := ignoreGone(err); err != nil {
				return err
			}
		}
	}
	return nil
}

// managedPolicy is AWS::IAM::ManagedPolicy: CreatePolicy and its
// attachments to Roles, Users and Groups. Its physical ID and Ref are its
// ARN. A change of its document makes a new default version, deleting
// the oldest other version first when the policy has IAM's five.
type managedPolicy struct{}

func (managedPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("ManagedPolicyName")
	if name == "" {
		name = physicalName(r, maxPolicyName)
	}
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "iam", "CreatePolicy", p.pick(map[string]any{"PolicyName": name, "PolicyDocument": doc}, "Path", "Description"))
	if err != nil {
		return nil, err
	}
	arn := props(asMap(out["Policy"])).str("Arn")
	// A failure from here on leaves the policy: the rollback deletes it.
	if err := attachManaged(ctx, r, arn, p, nil); err != nil {
		return &resource.Result{PhysicalID: arn}, err
	}
	res, err := managedResult(ctx, r, arn)
	if err != nil {
		return &resource.Result{PhysicalID: arn}, err
	}
	return res, nil
}

// attachManaged attaches a policy to p's roles, users and groups and detaches it
// from those only old names.
func attachManaged(ctx context.Context, r *resource.Request, arn string, p, old props) error {
	for _, kind := range principalKinds {
		now, before := strs(p.list(kind+"s")), strs(old.list(kind+"s"))
		for _, t := range now {
			if !slices.Contains(before, t) {
				if _, err := call(ctx, r, "iam", "Attach"+kind+"Policy", map[string]any{kind + "Name": t, "PolicyArn": arn}); err != nil {
					return err
				}
			}
		}
		for _, t := range before {
			if !slices.Contains(now, t) {
				_, err := call(ctx, r, "iam", "Detach"+kind+"Policy", map[string]any{kind + "Name": t, "PolicyArn": arn})
				if err := ignoreGone(err); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func managedResult(ctx context.Context, r *resource.Request, arn string) (*resource.Result, error) {
	out, err := call(ctx, r, "iam", "GetPolicy", map[string]any{"PolicyArn": arn})
	if err != nil {
		return nil, err
	}
	pol := asMap(out["Policy"])
	attrs := map[string]any{"PolicyArn": arn}
	for _, k := range []string{"PolicyId", "DefaultVersionId", "AttachmentCount", "IsAttachable", "PermissionsBoundaryUsageCount"} {
		attrs[k] = pol[k]
	}
	for _, k := range []string{"CreateDate", "UpdateDate"} {
		attrs[k] = isoTime(pol[k])
	}
	return &resource.Result{PhysicalID: arn, Attributes: attrs}, nil
}

func (managedPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	arn := r.PhysicalID
	if changed(old, p, "PolicyDocument") {
		doc, err := jsonText(p["PolicyDocument"])
		if err != nil {
			return nil, err
		}
		if err := makeRoomForVersion(ctx, r, arn); err != nil {
			return nil, err
		}
		if _, err := call(ctx, r, "iam", "CreatePolicyVersion", map[string]any{"PolicyArn": arn, "PolicyDocument": doc, "SetAsDefault": true}); err != nil {
			return nil, err
		}
	}
	if err := attachManaged(ctx, r, arn, p, old); err != nil {
		return nil, err
	}
	return managedResult(ctx, r, arn)
}

// makeRoomForVersion deletes the oldest non-default version of a policy
// that has IAM's five, so that another can be made.
func makeRoomForVersion(ctx context.Context, r *resource.Request, arn string) error {
	versions, err := nonDefaultVersions(ctx, r, arn)
	if err != nil || len(versions) < 4 {
		return err
	}
	_, err = call(ctx, r, "iam", "DeletePolicyVersion", map[string]any{"PolicyArn": arn, "VersionId": versions[len(versions)-1]})
	return err
}

// nonDefaultVersions lists a policy's other versions, newest first.
func nonDefaultVersions(ctx context.Context, r *resource.Request, arn string) ([]string, error) {
	out, err := call(ctx, r, "iam", "ListPolicyVersions", map[string]any{"PolicyArn": arn})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range asList(out["Versions"]) {
		v := asMap(e)
		if d, _ := v["IsDefaultVersion"].(bool); !d {
			ids = append(ids, props(v).str("VersionId"))
		}
	}
	return ids, nil
}

// Delete detaches the policy from what it is attached to and deletes its
// other versions, then the policy.
func (managedPolicy) Delete(ctx context.Context, r *resource.Request) error {
	arn := r.PhysicalID
	// Each round detaches the first page of what the policy is
	// attached to, until a page says there is no more.
	for {
		out, err := call(ctx, r, "iam", "ListEntitiesForPolicy", map[string]any{"PolicyArn": arn})
		if err != nil {
			return ignoreGone(err)
		}
		for _, kind := range principalKinds {
			for _, e := range asList(out["Policy"+kind+"s"]) {
				name := props(asMap(e)).str(kind + "Name")
				_, err := call(ctx, r, "iam", "Detach"+kind+"Policy", map[string]any{kind + "Name": name, "PolicyArn": arn})
				if err := ignoreGone(err); err != nil {
					return err
				}
			}
		}
		if more, _ := out["IsTruncated"].(bool); !more {
			break
		}
	}
	versions, err := nonDefaultVersions(ctx, r, arn)
	if err != nil {
		return ignoreGone(err)
	}
	for _, v := range versions {
		if _, err := call(ctx, r, "iam", "DeletePolicyVersion", map[string]any{"PolicyArn": arn, "VersionId": v}); ignoreGone(err) != nil {
			return err
		}
	}
	_, err = call(ctx, r, "iam", "DeletePolicy", map[string]any{"PolicyArn": arn})
	return ignoreGone(err)
}

// user is AWS::IAM::User: CreateUser, its Policies, ManagedPolicyArns,
// Groups and LoginProfile (Password, PasswordResetRequired).
type user struct{}

// syncLoginProfile creates, changes or deletes the user's login profile
// as LoginProfile went from old to p.
func syncLoginProfile(ctx context.Context, r *resource.Request, name string, p, old props) error {
	lp, was := p.obj("LoginProfile"), old.obj("LoginProfile")
	switch {
	case lp == nil && was == nil:
		return nil
	case lp == nil:
		_, err := call(ctx, r, "iam", "DeleteLoginProfile", map[string]any{"UserName": name})
		return ignoreGone(err)
	}
	in := map[string]any{"UserName": name, "Password": lp.str("Password"), "PasswordResetRequired": lp.flag("PasswordResetRequired")}
	op := "CreateLoginProfile"
	if was != nil {
		if !changed(was, lp, "Password", "PasswordResetRequired") {
			return nil
		}
		op = "UpdateLoginProfile"
	}
	_, err := call(ctx, r, "iam", op, in)
	return err
}

func (user) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("UserName")
	if name == "" {
		name = physicalName(r, maxUserName)
	}
	in := p.pick(map[string]any{"UserName": name}, "Path", "PermissionsBoundary")
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	out, err := call(ctx, r, "iam", "CreateUser", in)
	if err != nil {
		return nil, err
	}
	// A failure from here on leaves the user: the rollback deletes it.
	res := &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": props(asMap(out["User"])).str("Arn")}}
	if err := syncPrincipal(ctx, r, "User", name, p, nil); err != nil {
		return res, err
	}
	if err := syncMembership(ctx, r, strs(p.list("Groups")), nil, []string{name}, nil); err != nil {
		return res, err
	}
	if err := syncLoginProfile(ctx, r, name, p, nil); err != nil {
		return res, err
	}
	return res, nil
}

func (user) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	name := r.PhysicalID
	if err := syncPrincipal(ctx, r, "User", name, p, old); err != nil {
		return nil, err
	}
	if err := syncMembership(ctx, r, strs(p.list("Groups")), strs(old.list("Groups")), []string{name}, []string{name}); err != nil {
		return nil, err
	}
	if err := syncBoundary(ctx, r, "User", name, p, old); err != nil {
		return nil, err
	}
	if err := retagPrincipal(ctx, r, "User", name, p, old); err != nil {
		return nil, err
	}
	if err := syncLoginProfile(ctx, r, name, p, old); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

// Delete removes the user's policies, access keys, login profile and
// group memberships, then the user.
func (user) Delete(ctx context.Context, r *resource.Request) error {
	name := r.PhysicalID
	if err := emptyPrincipal(ctx, r, "User", name); err != nil {
		return ignoreGone(err)
	}
	groups, err := call(ctx, r, "iam", "ListGroupsForUser", map[string]any{"UserName": name})
	if err != nil {
		return ignoreGone(err)
	}
	for _, e := range asList(groups["Groups"]) {
		g := props(asMap(e)).str("GroupName")
		_, err := call(ctx, r, "iam", "RemoveUserFromGroup", map[string]any{"GroupName": g, "UserName": name})
		if err := ignoreGone(err); err != nil {
			return err
		}
	}
	out, err := call(ctx, r, "iam", "ListAccessKeys", map[string]any{"UserName": name})
	if err != nil {
		return ignoreGone(err)
	}
	for _, e := range asList(out["AccessKeyMetadata"]) {
		id := props(asMap(e)).str("AccessKeyId")
		if _, err := call(ctx, r, "iam", "DeleteAccessKey", map[string]any{"UserName": name, "AccessKeyId": id}); ignoreGone(err) != nil {
			return err
		}
	}
	if p := props(r.Properties); p.obj("LoginProfile") != nil {
		_, err := call(ctx, r, "iam", "DeleteLoginProfile", map[string]any{"UserName": name})
		if err := ignoreGone(err); err != nil {
			return err
		}
	}
	_, err = call(ctx, r, "iam", "DeleteUser", map[string]any{"UserName": name})
	return ignoreGone(err)
}

// principalKinds are the IAM entities policies are put on and attached
// to.
var principalKinds = []string{"Role", "User", "Group"}

// group is AWS::IAM::Group: CreateGroup, its Policies and
// ManagedPolicyArns. Its physical ID and Ref are its name; a change of
// Path moves it in place (UpdateGroup).
type group struct{}

func (group) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("GroupName")
	if name == "" {
		name = physicalName(r, maxGroupName)
	}
	out, err := call(ctx, r, "iam", "CreateGroup", p.pick(map[string]any{"GroupName": name}, "Path"))
	if err != nil {
		return nil, err
	}
	// A failure from here on leaves the group: the rollback deletes it.
	res := &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": props(asMap(out["Group"])).str("Arn")}}
	if err := syncPrincipal(ctx, r, "Group", name, p, nil); err != nil {
		return res, err
	}
	return res, nil
}

func (group) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	name := r.PhysicalID
	if changed(old, p, "Path") {
		path := p.str("Path")
		if path == "" {
			path = "/"
		}
		if _, err := call(ctx, r, "iam", "UpdateGroup", map[string]any{"GroupName": name, "NewPath": path}); err != nil {
			return nil, err
		}
	}
	if err := syncPrincipal(ctx, r, "Group", name, p, old); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "iam", "GetGroup", map[string]any{"GroupName": name})
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": props(asMap(out["Group"])).str("Arn")}}, nil
}

// Delete removes the group's members and policies, as CloudFormation
// does, then the group.
func (group) Delete(ctx context.Context, r *resource.Request) error {
	name := r.PhysicalID
	if err := emptyPrincipal(ctx, r, "Group", name); err != nil {
		return ignoreGone(err)
	}
	for {
		out, err := call(ctx, r, "iam", "GetGroup", map[string]any{"GroupName": name})
		if err != nil {
			return ignoreGone(err)
		}
		users := asList(out["Users"])
		if len(users) == 0 {
			break
		}
		for _, e := range users {
			u := props(asMap(e)).str("UserName")
			_, err := call(ctx, r, "iam", "RemoveUserFromGroup", map[string]any{"GroupName": name, "UserName": u})
			if err := ignoreGone(err); err != nil {
				return err
			}
		}
	}
	_, err := call(ctx, r, "iam", "DeleteGroup", map[string]any{"GroupName": name})
	return ignoreGone(err)
}

// syncMembership adds users to groups and removes the pairs only the
// old lists made.
func syncMembership(ctx context.Context, r *resource.Request, groups, oldGroups, users, oldUsers []string) error {
	for _, g := range oldGroups {
		for _, u := range oldUsers {
			if !slices.ContainsFunc(groups, eq(g)) || !slices.ContainsFunc(users, eq(u)) {
				_, err := call(ctx, r, "iam", "RemoveUserFromGroup", map[string]any{"GroupName": g, "UserName": u})
				if err := ignoreGone(err); err != nil {
					return err
				}
			}
		}
	}
	for _, g := range groups {
		for _, u := range users {
			if !slices.ContainsFunc(oldGroups, eq(g)) || !slices.ContainsFunc(oldUsers, eq(u)) {
				if _, err := call(ctx, r, "iam", "AddUserToGroup", map[string]any{"GroupName": g, "UserName": u}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// eq matches IAM names, which are unique whatever their case.
func eq(name string) func(string) bool {
	return func(n string) bool { return strings.EqualFold(n, name) }
}

// userToGroup is AWS::IAM::UserToGroupAddition: Users added to the group
// GroupName. Its physical ID and Ref are a generated name.
type userToGroup struct{}

func (userToGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	id := physicalName(r, maxPolicyName)
	if err := syncMembership(ctx, r, []string{p.str("GroupName")}, nil, strs(p.list("Users")), nil); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (userToGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	if err := syncMembership(ctx, r, []string{p.str("GroupName")}, []string{old.str("GroupName")},
		strs(p.list("Users")), strs(old.list("Users"))); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (userToGroup) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	return syncMembership(ctx, r, nil, []string{p.str("GroupName")}, nil, strs(p.list("Users")))
}

// instanceProfile is AWS::IAM::InstanceProfile: CreateInstanceProfile
// and its role. Its physical ID and Ref are its name.
type instanceProfile struct{}

func (instanceProfile) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("InstanceProfileName")
	if name == "" {
		name = physicalName(r, maxInstanceProfile)
	}
	out, err := call(ctx, r, "iam", "CreateInstanceProfile", p.pick(map[string]any{"InstanceProfileName": name}, "Path"))
	if err != nil {
		return nil, err
	}
	// A failure from here on leaves the profile: the rollback deletes it.
	res := &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": props(asMap(out["InstanceProfile"])).str("Arn")}}
	if err := profileRoles(ctx, r, name, p, nil); err != nil {
		return res, err
	}
	return res, nil
}

func profileRoles(ctx context.Context, r *resource.Request, name string, p, old props) error {
	now, before := strs(p.list("Roles")), strs(old.list("Roles"))
	for _, role := range before {
		if !slices.ContainsFunc(now, func(n string) bool { return strings.EqualFold(n, role) }) {
			_, err := call(ctx, r, "iam", "RemoveRoleFromInstanceProfile", map[string]any{"InstanceProfileName": name, "RoleName": role})
			if err := ignoreGone(err); err != nil {
				return err
			}
		}
	}
	for _, role := range now {
		if !slices.ContainsFunc(before, func(n string) bool { return strings.EqualFold(n, role) }) {
			if _, err := call(ctx, r, "iam", "AddRoleToInstanceProfile", map[string]any{"InstanceProfileName": name, "RoleName": role}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (instanceProfile) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := profileRoles(ctx, r, r.PhysicalID, props(r.Properties), props(r.OldProperties)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (instanceProfile) Delete(ctx context.Context, r *resource.Request) error {
	name := r.PhysicalID
	out, err := call(ctx, r, "iam", "GetInstanceProfile", map[string]any{"InstanceProfileName": name})
	if err != nil {
		return ignoreGone(err)
	}
	for _, e := range asList(asMap(out["InstanceProfile"])["Roles"]) {
		role := props(asMap(e)).str("RoleName")
		_, err := call(ctx, r, "iam", "RemoveRoleFromInstanceProfile", map[string]any{"InstanceProfileName": name, "RoleName": role})
		if err := ignoreGone(err); err != nil {
			return err
		}
	}
	_, err = call(ctx, r, "iam", "DeleteInstanceProfile", map[string]any{"InstanceProfileName": name})
	return ignoreGone(err)
}

// isoTime is a timestamp of an in-process output (epoch seconds) in
// ISO 8601, as CloudFormation gives IAM's dates.
func isoTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return time.Unix(int64(f), 0).UTC().Format(time.RFC3339)
		}
	case float64:
		return time.Unix(int64(t), 0).UTC().Format(time.RFC3339)
	case int64:
		return time.Unix(t, 0).UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}
