package providers_test

import (
	"regexp"
	"testing"
)

// The IAM types are recorded only (virga has no IAM): these tests check
// the names, ARNs and ids they give.

func TestRole(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	role := s.create("AWS::IAM::Role", "ExecRole", map[string]any{
		"Path":                     "/service-role/",
		"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17"},
	})
	name := role.ref()
	if !generated(name, "ExecRole") || role.attr("Arn") != "arn:aws:iam::"+testAccount+":role/service-role/"+name {
		t.Errorf("Ref %s, Arn %s", name, role.attr("Arn"))
	}
	id := role.attr("RoleId")
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}$`).MatchString(id) {
		t.Errorf("RoleId %q", id)
	}
	role.checkReplacement(map[string]map[string]any{
		"RoleName":                 {"RoleName": "x"},
		"Path":                     {"Path": "/"},
		"AssumeRolePolicyDocument": {"AssumeRolePolicyDocument": map[string]any{}},
	}, "RoleName", "Path")
	role.update(map[string]any{"Path": "/service-role/", "AssumeRolePolicyDocument": map[string]any{}, "Description": "d"})
	if role.attr("RoleId") != id {
		t.Errorf("an update changed the RoleId from %s to %s", id, role.attr("RoleId"))
	}
	role.delete()

	long := s.create("AWS::IAM::Role", "AVeryLongLogicalIdentifierForARoleThatGoesOnAndOnAndOn", map[string]any{})
	if len(long.ref()) != 64 {
		t.Errorf("a long generated role name: %q (%d)", long.ref(), len(long.ref()))
	}
	named := s.create("AWS::IAM::Role", "Named", map[string]any{"RoleName": "app"})
	if named.ref() != "app" || named.attr("Arn") != "arn:aws:iam::"+testAccount+":role/app" {
		t.Errorf("named role: %s %s", named.ref(), named.attr("Arn"))
	}
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{}}
	inline := s.create("AWS::IAM::Policy", "Inline", map[string]any{"PolicyName": "p", "PolicyDocument": doc, "Roles": []any{"app"}})
	if !generated(inline.ref(), "Inline") || inline.attr("Id") != inline.ref() {
		t.Errorf("policy Ref %s", inline.ref())
	}
	inline.checkReplacement(map[string]map[string]any{"PolicyName": {"PolicyName": "q"}})
	inline.update(map[string]any{"PolicyName": "q", "PolicyDocument": doc})
	inline.delete()

	managed := s.create("AWS::IAM::ManagedPolicy", "Managed", map[string]any{"PolicyDocument": doc, "Roles": []any{"app"}})
	if managed.ref() != "arn:aws:iam::"+testAccount+":policy/"+testStack+"-Managed-"+managed.ref()[len(managed.ref())-13:] ||
		managed.attr("PolicyArn") != managed.ref() || managed.attr("DefaultVersionId") != "v1" || managed.attr("AttachmentCount") != "1" ||
		!regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`).MatchString(managed.attr("PolicyId")) {
		t.Errorf("managed policy Ref %s, attributes %v", managed.ref(), managed.result.Attributes)
	}
	managed.checkReplacement(map[string]map[string]any{
		"ManagedPolicyName": {"ManagedPolicyName": "x"},
		"Description":       {"Description": "x"},
		"PolicyDocument":    {"PolicyDocument": map[string]any{}},
	}, "ManagedPolicyName", "Description")
	managed.update(map[string]any{"PolicyDocument": map[string]any{"Version": "2012-10-17"}})
	if managed.attr("DefaultVersionId") != "v2" || managed.attr("AttachmentCount") != "0" {
		t.Errorf("managed policy after the update: %v", managed.result.Attributes)
	}
	managed.delete()

	profile := s.create("AWS::IAM::InstanceProfile", "Profile", map[string]any{"InstanceProfileName": "web", "Roles": []any{"app"}})
	if profile.ref() != "web" || profile.attr("Arn") != "arn:aws:iam::"+testAccount+":instance-profile/web" {
		t.Errorf("instance profile Ref %s, Arn %s", profile.ref(), profile.attr("Arn"))
	}
	profile.checkReplacement(map[string]map[string]any{"Roles": {"Roles": []any{"other"}}, "Path": {"Path": "/x/"}}, "Path")
	profile.delete()
}
