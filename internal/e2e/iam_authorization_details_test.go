package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/virga/virga/internal/e2e"
)

// TestIAMAccountAuthorizationDetails: every user, group, role and
// managed policy with what they hold, filtered and paged.
func TestIAMAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	must := mustSucceed(t)
	readDoc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readDoc)}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")}))
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("local"), PolicyDocument: aws.String(readDoc)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Policy.Arn}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(basicExecution)}))
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("fn")}))

	out, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 || len(out.Policies) != 2 || out.IsTruncated {
		t.Fatalf("details: %d users, %d groups, %d roles, %d policies, truncated %v", len(out.UserDetailList), len(out.GroupDetailList),
			len(out.RoleDetailList), len(out.Policies), out.IsTruncated)
	}
	u := out.UserDetailList[0]
	if aws.ToString(u.UserName) != "ann" || fmtList(u.GroupList) != "devs" || len(u.UserPolicyList) != 1 ||
		decoded(t, u.UserPolicyList[0].PolicyDocument) != readDoc {
		t.Errorf("user %+v", u)
	}
	if g := out.GroupDetailList[0]; len(g.AttachedManagedPolicies) != 1 || aws.ToString(g.AttachedManagedPolicies[0].PolicyArn) != aws.ToString(pol.Policy.Arn) {
		t.Errorf("group %+v", g)
	}
	r := out.RoleDetailList[0]
	if decoded(t, r.AssumeRolePolicyDocument) != lambdaTrust || len(r.InstanceProfileList) != 1 ||
		aws.ToString(r.InstanceProfileList[0].InstanceProfileName) != "ip" || len(r.AttachedManagedPolicies) != 1 {
		t.Errorf("role %+v", r)
	}
	var arns []string
	for _, p := range out.Policies {
		arns = append(arns, aws.ToString(p.Arn))
		if aws.ToInt32(p.AttachmentCount) != 1 || len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion {
			t.Errorf("policy %s: %d attachments, versions %+v", aws.ToString(p.Arn), aws.ToInt32(p.AttachmentCount), p.PolicyVersionList)
		}
	}
	if fmtList(arns) != basicExecution+","+aws.ToString(pol.Policy.Arn) {
		t.Errorf("policies %v", arns)
	}

	// A filter, and pages of one.
	in := &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy}, MaxItems: aws.Int32(1)}
	var got []string
	for range 3 {
		page, err := c.GetAccountAuthorizationDetails(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.RoleDetailList {
			got = append(got, "role:"+aws.ToString(r.RoleName))
		}
		for _, p := range page.Policies {
			got = append(got, "policy:"+aws.ToString(p.PolicyName))
		}
		if len(page.UserDetailList)+len(page.GroupDetailList) != 0 {
			t.Errorf("filtered out users or groups answered")
		}
		if !page.IsTruncated {
			break
		}
		in.Marker = page.Marker
	}
	if fmtList(got) != "role:fn,policy:local" {
		t.Errorf("pages %v", got)
	}
	_, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Users"}})
	wantIAMError(t, "unknown filter", err, "ValidationError", "")
}
