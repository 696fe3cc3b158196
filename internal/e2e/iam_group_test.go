package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/virga/virga/internal/e2e"
)

// TestIAMGroups walks a group's life: members and policies in, the
// deletes IAM refuses while they are there, and the policy's entities
// naming the group.
func TestIAMGroups(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()

	made, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")})
	if err != nil {
		t.Fatal(err)
	}
	if g := made.Group; aws.ToString(g.Arn) != "arn:aws:iam::000000000000:group/eng/devs" || aws.ToString(g.Path) != "/eng/" ||
		len(aws.ToString(g.GroupId)) < 16 || g.CreateDate == nil {
		t.Errorf("CreateGroup = %+v", g)
	}
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("DEVS")})
	wantIAMError(t, "CreateGroup twice", err, "EntityAlreadyExists", "Group with name DEVS already exists.")
	_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nope")})
	wantIAMError(t, "GetGroup missing", err, "NoSuchEntity", "The group with name nope cannot be found.")

	for _, u := range []string{"carol", "alice", "bob"} {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("zed")})
	wantIAMError(t, "AddUserToGroup missing user", err, "NoSuchEntity", "The user with name zed cannot be found.")

	// GetGroup pages its users in name order.
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		out, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Group.GroupName) != "devs" {
			t.Errorf("GetGroup group = %+v", out.Group)
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
		if pages > 3 {
			t.Fatal("GetGroup pages do not end")
		}
	}
	if got := fmtList(names); got != "alice,bob,carol" {
		t.Errorf("GetGroup users = %s", got)
	}

	if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	forBob, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("bob")})
	if err != nil || len(forBob.Groups) != 2 || aws.ToString(forBob.Groups[0].GroupName) != "devs" {
		t.Errorf("ListGroupsForUser = %+v, %v", forBob, err)
	}
	listed, err := c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/eng/")})
	if err != nil || len(listed.Groups) != 1 || aws.ToString(listed.Groups[0].GroupName) != "devs" {
		t.Errorf("ListGroups /eng/ = %+v, %v", listed, err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
	wantIAMError(t, "DeleteUser in groups", err, "DeleteConflict", "Cannot delete entity, must remove user from all groups first.")

	// Policies.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("list"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("list")})
	if err != nil || decoded(t, got.PolicyDocument) != doc || aws.ToString(got.GroupName) != "devs" {
		t.Errorf("GetGroupPolicy = %+v, %v", got, err)
	}
	inline, err := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")})
	if err != nil || fmtList(inline.PolicyNames) != "list" {
		t.Errorf("ListGroupPolicies = %+v, %v", inline, err)
	}
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("shared"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	arn := pol.Policy.Arn
	if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	attached, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")})
	if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyName) != "shared" {
		t.Errorf("ListAttachedGroupPolicies = %+v, %v", attached, err)
	}
	gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 1 {
		t.Errorf("GetPolicy attachment count = %+v, %v", gp, err)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn})
	if err != nil || len(ents.PolicyGroups) != 1 || aws.ToString(ents.PolicyGroups[0].GroupName) != "devs" {
		t.Errorf("ListEntitiesForPolicy = %+v, %v", ents, err)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	wantIAMError(t, "DeletePolicy attached to a group", err, "DeleteConflict", "Cannot delete a policy attached to entities.")

	// DeleteGroup refuses while the group holds anything.
	del := func() error {
		_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
		return err
	}
	wantIAMError(t, "DeleteGroup with members", del(), "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	for _, u := range []string{"alice", "bob", "carol"} {
		if _, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	// Removing a user who is not in the group is not an error.
	if _, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("bob")}); err != nil {
		t.Errorf("RemoveUserFromGroup of a non-member: %v", err)
	}
	wantIAMError(t, "DeleteGroup with a managed policy", del(), "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	if _, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	wantIAMError(t, "DeleteGroup with an inline policy", del(), "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("list")}); err != nil {
		t.Fatal(err)
	}

	// UpdateGroup renames and moves it.
	if _, err := c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("builders"), NewPath: aws.String("/")}); err != nil {
		t.Fatal(err)
	}
	renamed, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("builders")})
	if err != nil || aws.ToString(renamed.Group.Arn) != "arn:aws:iam::000000000000:group/builders" ||
		aws.ToString(renamed.Group.GroupId) != aws.ToString(made.Group.GroupId) {
		t.Errorf("renamed group = %+v, %v", renamed, err)
	}
	if _, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")}); err == nil {
		t.Error("the old group name still answers")
	}
	if _, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("builders")}); err != nil {
		t.Fatal(err)
	}
}

// TestIAMEntitiesForPolicyPages pages a policy's groups, users and roles.
func TestIAMEntitiesForPolicyPages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	arn := pol.Policy.Arn
	for _, n := range []string{"g1", "g2"} {
		if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(n), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"u1", "u2"} {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(n), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var marker *string
	for pages := 0; ; pages++ {
		out, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.PolicyGroups) + len(out.PolicyUsers) + len(out.PolicyRoles); n > 2 {
			t.Errorf("page %d has %d entities", pages, n)
		}
		for _, g := range out.PolicyGroups {
			seen = append(seen, aws.ToString(g.GroupName))
		}
		for _, u := range out.PolicyUsers {
			seen = append(seen, aws.ToString(u.UserName))
		}
		for _, r := range out.PolicyRoles {
			seen = append(seen, aws.ToString(r.RoleName))
		}
		if !out.IsTruncated {
			break
		}
		if out.Marker == nil {
			t.Fatal("truncated page without a marker")
		}
		marker = out.Marker
		if pages > 5 {
			t.Fatal("pages do not end")
		}
	}
	if got := fmtList(seen); got != "g1,g2,u1,u2,r1" {
		t.Errorf("entities = %s", got)
	}
	only, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: types.EntityTypeGroup})
	if err != nil || len(only.PolicyGroups) != 2 || len(only.PolicyUsers) != 0 || len(only.PolicyRoles) != 0 {
		t.Errorf("EntityFilter Group = %+v, %v", only, err)
	}
}

// TestIAMTagsAndBoundaries tags users and policies and puts and removes
// permissions boundaries in place.
func TestIAMTagsAndBoundaries(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("u"), Tags: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("u"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	ut, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("u")})
	if err != nil || len(ut.Tags) != 1 || aws.ToString(ut.Tags[0].Key) != "team" {
		t.Errorf("ListUserTags = %+v, %v", ut, err)
	}
	_, err = c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("nope"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantIAMError(t, "TagUser missing", err, "NoSuchEntity", "The user with name nope cannot be found.")

	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("b"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: pol.Policy.Arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	pt, err := c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: pol.Policy.Arn})
	if err != nil || len(pt.Tags) != 1 || aws.ToString(pt.Tags[0].Value) != "v" {
		t.Errorf("ListPolicyTags = %+v, %v", pt, err)
	}
	if _, err := c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: pol.Policy.Arn, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: pol.Policy.Arn})
	if err != nil || len(gp.Policy.Tags) != 0 {
		t.Errorf("GetPolicy tags after untag = %+v, %v", gp, err)
	}

	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil || role.Role.PermissionsBoundary == nil || aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(pol.Policy.Arn) {
		t.Errorf("role boundary = %+v, %v", role, err)
	}
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"),
		PermissionsBoundary: aws.String("arn:aws:iam::000000000000:policy/missing")})
	wantIAMError(t, "PutRolePermissionsBoundary missing policy", err, "InvalidInput", "ARN arn:aws:iam::000000000000:policy/missing is not valid.")
	if _, err := c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
	role, _ = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	if role.Role.PermissionsBoundary != nil {
		t.Errorf("role boundary after delete = %+v", role.Role.PermissionsBoundary)
	}
	if _, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})
	if err != nil || u.User.PermissionsBoundary == nil {
		t.Errorf("user boundary = %+v, %v", u, err)
	}
	if _, err := c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	u, _ = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})
	if u.User.PermissionsBoundary != nil {
		t.Errorf("user boundary after delete = %+v", u.User.PermissionsBoundary)
	}
}

func fmtList(l []string) string { return strings.Join(l, ",") }
