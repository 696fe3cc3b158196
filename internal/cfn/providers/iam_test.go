package providers_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The IAM types make real IAM entities: these tests read them back from
// IAM.

const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func trust() map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}}
}

func allowDoc(action string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": action, "Resource": "*"}}}
}

func TestRole(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	role := s.create("AWS::IAM::Role", "ExecRole", map[string]any{
		"Path":                     "/service-role/",
		"AssumeRolePolicyDocument": trust(),
		"ManagedPolicyArns":        []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		"Policies":                 []any{map[string]any{"PolicyName": "logs", "PolicyDocument": allowDoc("logs:*")}},
		"MaxSessionDuration":       "7200",
	})
	name := role.ref()
	if !generated(name, "ExecRole") || role.attr("Arn") != "arn:aws:iam::"+testAccount+":role/service-role/"+name {
		t.Errorf("Ref %s, Arn %s", name, role.attr("Arn"))
	}
	id := role.attr("RoleId")
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}$`).MatchString(id) {
		t.Errorf("RoleId %q", id)
	}
	got := asObj(s.call("iam", "GetRole", map[string]any{"RoleName": name})["Role"])
	if got["RoleId"] != id || fmt.Sprint(got["MaxSessionDuration"]) != "7200" {
		t.Errorf("GetRole: %v", got)
	}
	doc, _ := url.QueryUnescape(got["AssumeRolePolicyDocument"].(string))
	var have, want any
	json.Unmarshal([]byte(doc), &have)
	json.Unmarshal([]byte(trustDoc), &want)
	if !reflect.DeepEqual(have, want) {
		t.Errorf("trust policy %s", doc)
	}
	if n := len(asList(s.call("iam", "ListAttachedRolePolicies", map[string]any{"RoleName": name})["AttachedPolicies"])); n != 1 {
		t.Errorf("%d attached policies", n)
	}
	role.checkReplacement(map[string]map[string]any{
		"RoleName":                 {"RoleName": "x"},
		"Path":                     {"Path": "/"},
		"AssumeRolePolicyDocument": {"AssumeRolePolicyDocument": map[string]any{}},
	}, "RoleName", "Path")
	role.update(map[string]any{"Path": "/service-role/", "AssumeRolePolicyDocument": trust(), "Description": "d",
		"Policies": []any{map[string]any{"PolicyName": "s3", "PolicyDocument": allowDoc("s3:*")}}})
	if role.attr("RoleId") != id {
		t.Errorf("an update changed the RoleId from %s to %s", id, role.attr("RoleId"))
	}
	names := asList(s.call("iam", "ListRolePolicies", map[string]any{"RoleName": name})["PolicyNames"])
	if len(names) != 1 || names[0] != "s3" {
		t.Errorf("inline policies after the update: %v", names)
	}
	if n := len(asList(s.call("iam", "ListAttachedRolePolicies", map[string]any{"RoleName": name})["AttachedPolicies"])); n != 0 {
		t.Errorf("%d attached policies after the update dropped them", n)
	}
	role.delete()
	if code := s.callErr("iam", "GetRole", map[string]any{"RoleName": name}); code != "NoSuchEntity" {
		t.Errorf("GetRole after the delete: %q", code)
	}

	long := s.create("AWS::IAM::Role", "AVeryLongLogicalIdentifierForARoleThatGoesOnAndOnAndOn", map[string]any{"AssumeRolePolicyDocument": trust()})
	if len(long.ref()) != 64 {
		t.Errorf("a long generated role name: %q (%d)", long.ref(), len(long.ref()))
	}
	named := s.create("AWS::IAM::Role", "Named", map[string]any{"RoleName": "app", "AssumeRolePolicyDocument": trust()})
	if named.ref() != "app" || named.attr("Arn") != "arn:aws:iam::"+testAccount+":role/app" {
		t.Errorf("named role: %s %s", named.ref(), named.attr("Arn"))
	}
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.create("AWS::IAM::Role", "App", map[string]any{"RoleName": "app", "AssumeRolePolicyDocument": trust()})
	inline := s.create("AWS::IAM::Policy", "Inline", map[string]any{"PolicyName": "p", "PolicyDocument": allowDoc("sqs:*"), "Roles": []any{"app"}})
	if !generated(inline.ref(), "Inline") || inline.attr("Id") != inline.ref() {
		t.Errorf("policy Ref %s", inline.ref())
	}
	s.call("iam", "GetRolePolicy", map[string]any{"RoleName": "app", "PolicyName": "p"})
	inline.update(map[string]any{"PolicyName": "q", "PolicyDocument": allowDoc("sqs:*"), "Roles": []any{"app"}})
	if code := s.callErr("iam", "GetRolePolicy", map[string]any{"RoleName": "app", "PolicyName": "p"}); code != "NoSuchEntity" {
		t.Errorf("the renamed policy's old name: %q", code)
	}
	s.call("iam", "GetRolePolicy", map[string]any{"RoleName": "app", "PolicyName": "q"})
	inline.delete()
	if code := s.callErr("iam", "GetRolePolicy", map[string]any{"RoleName": "app", "PolicyName": "q"}); code != "NoSuchEntity" {
		t.Errorf("the deleted policy: %q", code)
	}

	managed := s.create("AWS::IAM::ManagedPolicy", "Managed", map[string]any{"PolicyDocument": allowDoc("s3:*"), "Roles": []any{"app"}})
	if managed.ref() != "arn:aws:iam::"+testAccount+":policy/"+testStack+"-Managed-"+managed.ref()[len(managed.ref())-13:] ||
		managed.attr("PolicyArn") != managed.ref() || managed.attr("DefaultVersionId") != "v1" || managed.attr("AttachmentCount") != "1" ||
		!regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`).MatchString(managed.attr("PolicyId")) ||
		!regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(managed.attr("CreateDate")) {
		t.Errorf("managed policy Ref %s, attributes %v", managed.ref(), managed.result.Attributes)
	}
	managed.checkReplacement(map[string]map[string]any{
		"ManagedPolicyName": {"ManagedPolicyName": "x"},
		"Description":       {"Description": "x"},
		"PolicyDocument":    {"PolicyDocument": map[string]any{}},
	}, "ManagedPolicyName", "Description")
	for i := 0; i < 5; i++ { // past IAM's five versions
		managed.update(map[string]any{"PolicyDocument": allowDoc("s3:Get" + string(rune('A'+i)))})
	}
	if managed.attr("DefaultVersionId") != "v6" || managed.attr("AttachmentCount") != "0" {
		t.Errorf("managed policy after the updates: %v", managed.result.Attributes)
	}
	managed.delete()
	if code := s.callErr("iam", "GetPolicy", map[string]any{"PolicyArn": managed.ref()}); code != "NoSuchEntity" {
		t.Errorf("GetPolicy after the delete: %q", code)
	}

	user := s.create("AWS::IAM::User", "Dev", map[string]any{"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"LoginProfile": map[string]any{"Password": "Initial-pass1", "PasswordResetRequired": true}})
	if !generated(user.ref(), "Dev") || user.attr("Arn") != "arn:aws:iam::"+testAccount+":user/"+user.ref() {
		t.Errorf("user Ref %s, Arn %s", user.ref(), user.attr("Arn"))
	}
	login := func() map[string]any {
		return asObj(s.call("iam", "GetLoginProfile", map[string]any{"UserName": user.ref()})["LoginProfile"])
	}
	if lp := login(); lp["PasswordResetRequired"] != true {
		t.Errorf("login profile %v", lp)
	}
	user.update(map[string]any{"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"LoginProfile": map[string]any{"Password": "Initial-pass1"}})
	if lp := login(); lp["PasswordResetRequired"] != false {
		t.Errorf("login profile after the update %v", lp)
	}
	user.update(map[string]any{})
	if code := s.callErr("iam", "GetLoginProfile", map[string]any{"UserName": user.ref()}); code != "NoSuchEntity" {
		t.Errorf("GetLoginProfile once LoginProfile is gone: %q", code)
	}
	user.update(map[string]any{"LoginProfile": map[string]any{"Password": "Again-pass2"}})
	user.delete()
	if code := s.callErr("iam", "GetUser", map[string]any{"UserName": user.ref()}); code != "NoSuchEntity" {
		t.Errorf("GetUser after deleting a user with a login profile: %q", code)
	}

	profile := s.create("AWS::IAM::InstanceProfile", "Profile", map[string]any{"InstanceProfileName": "web", "Roles": []any{"app"}})
	if profile.ref() != "web" || profile.attr("Arn") != "arn:aws:iam::"+testAccount+":instance-profile/web" {
		t.Errorf("instance profile Ref %s, Arn %s", profile.ref(), profile.attr("Arn"))
	}
	profile.checkReplacement(map[string]map[string]any{"Roles": {"Roles": []any{"other"}}, "Path": {"Path": "/x/"}}, "Path")
	profile.delete()
	if code := s.callErr("iam", "GetInstanceProfile", map[string]any{"InstanceProfileName": "web"}); code != "NoSuchEntity" {
		t.Errorf("GetInstanceProfile after the delete: %q", code)
	}
}

func asObj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func groupUsers(s *stack, group string) []string {
	var names []string
	for _, u := range asList(s.call("iam", "GetGroup", map[string]any{"GroupName": group})["Users"]) {
		names = append(names, asObj(u)["UserName"].(string))
	}
	return names
}

func TestGroups(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	g := s.create("AWS::IAM::Group", "Team", map[string]any{
		"Path":     "/a/",
		"Policies": []any{map[string]any{"PolicyName": "logs", "PolicyDocument": allowDoc("logs:*")}},
	})
	name := g.ref()
	if !generated(name, "Team") || g.attr("Arn") != "arn:aws:iam::"+testAccount+":group/a/"+name {
		t.Errorf("Ref %s, Arn %s", name, g.attr("Arn"))
	}
	g.checkReplacement(map[string]map[string]any{
		"GroupName": {"GroupName": "x"},
		"Path":      {"Path": "/b/"},
	}, "GroupName")
	// A Path change moves the group in place.
	g.update(map[string]any{"Path": "/b/"})
	if g.ref() != name || g.attr("Arn") != "arn:aws:iam::"+testAccount+":group/b/"+name {
		t.Errorf("after a Path change: Ref %s, Arn %s", g.ref(), g.attr("Arn"))
	}
	if n := len(asList(s.call("iam", "ListGroupPolicies", map[string]any{"GroupName": name})["PolicyNames"])); n != 0 {
		t.Errorf("%d inline policies after the update dropped them", n)
	}
	other := s.create("AWS::IAM::Group", "Other", map[string]any{})

	u := s.create("AWS::IAM::User", "Dev", map[string]any{"Groups": []any{name}})
	if got := groupUsers(s, name); len(got) != 1 || got[0] != u.ref() {
		t.Errorf("group's users: %v", got)
	}
	u.update(map[string]any{"Groups": []any{other.ref()}})
	if len(groupUsers(s, name)) != 0 || len(groupUsers(s, other.ref())) != 1 {
		t.Errorf("after moving the user: %v, %v", groupUsers(s, name), groupUsers(s, other.ref()))
	}

	add := s.create("AWS::IAM::UserToGroupAddition", "Add", map[string]any{"GroupName": name, "Users": []any{u.ref()}})
	if got := groupUsers(s, name); len(got) != 1 {
		t.Errorf("after the addition: %v", got)
	}
	add.update(map[string]any{"GroupName": other.ref(), "Users": []any{u.ref()}})
	if len(groupUsers(s, name)) != 0 {
		t.Errorf("the addition's old group keeps the user: %v", groupUsers(s, name))
	}
	add.delete()
	u.delete()
	if code := s.callErr("iam", "GetUser", map[string]any{"UserName": u.ref()}); code != "NoSuchEntity" {
		t.Errorf("GetUser after the delete: %q", code)
	}
	g.delete()
	if code := s.callErr("iam", "GetGroup", map[string]any{"GroupName": name}); code != "NoSuchEntity" {
		t.Errorf("GetGroup after the delete: %q", code)
	}
}

// TestManagedPolicyDeleteDetachesEverything: a managed policy attached to
// more roles than one ListEntitiesForPolicy page holds is detached from
// all of them before it is deleted.
func TestManagedPolicyDeleteDetachesEverything(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var roles []any
	for i := range 105 {
		name := fmt.Sprintf("r%03d", i)
		s.call("iam", "CreateRole", map[string]any{"RoleName": name, "AssumeRolePolicyDocument": trustDoc})
		roles = append(roles, name)
	}
	managed := s.create("AWS::IAM::ManagedPolicy", "Wide", map[string]any{"PolicyDocument": allowDoc("s3:*"), "Roles": roles})
	if managed.attr("AttachmentCount") != "105" {
		t.Fatalf("attachments %v", managed.result.Attributes)
	}
	managed.delete()
	if code := s.callErr("iam", "GetPolicy", map[string]any{"PolicyArn": managed.ref()}); code != "NoSuchEntity" {
		t.Errorf("GetPolicy after the delete: %q", code)
	}
}

// TestIAMCreateFailsAfterMaking: an IAM entity whose creation fails
// after the creating call made it (a policy, role or group it names does
// not exist) is named in the result, so that the rollback deletes it; a
// second Create, which the taken name refuses, names none.
func TestIAMCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	missing := "arn:aws:iam::" + testAccount + ":policy/nothing"
	for _, c := range []struct {
		typ, made, get string
		props          map[string]any
	}{
		{"AWS::IAM::Role", "made-role", "GetRole", map[string]any{"RoleName": "made-role",
			"AssumeRolePolicyDocument": trust(), "ManagedPolicyArns": []any{missing}}},
		{"AWS::IAM::User", "made-user", "GetUser", map[string]any{"UserName": "made-user",
			"Groups": []any{"nothing"}}},
		{"AWS::IAM::Group", "made-group", "GetGroup", map[string]any{"GroupName": "made-group",
			"ManagedPolicyArns": []any{missing}}},
		{"AWS::IAM::InstanceProfile", "made-profile", "GetInstanceProfile", map[string]any{
			"InstanceProfileName": "made-profile", "Roles": []any{"nothing"}}},
		{"AWS::IAM::ManagedPolicy", "arn:aws:iam::" + testAccount + ":policy/made-policy", "GetPolicy", map[string]any{
			"ManagedPolicyName": "made-policy", "PolicyDocument": allowDoc("s3:GetObject"), "Roles": []any{"nothing"}}},
	} {
		res := s.failedCreate(c.typ, "Made", c.props)
		if res == nil || res.PhysicalID != c.made {
			t.Errorf("%s: Create: %+v", c.typ, res)
			continue
		}
		key := strings.TrimPrefix(c.get, "Get") + "Name"
		if c.typ == "AWS::IAM::ManagedPolicy" {
			key = "PolicyArn"
		}
		s.call("iam", c.get, map[string]any{key: c.made})
		if res := s.failedCreate(c.typ, "Made", c.props); res != nil {
			t.Errorf("%s: Create of a taken name: %+v", c.typ, res)
		}
	}
}
