package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

func iamClient(env *e2e.Env) *iam.Client { return iam.NewFromConfig(env.Config) }

// wantIAMError asserts err is the AWS error code with the message.
func wantIAMError(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: err = %v, want %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Errorf("%s: %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

func decoded(t *testing.T, doc *string) string {
	t.Helper()
	s, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", aws.ToString(doc), err)
	}
	return s
}

// TestIAMRoles follows the Lambda tutorial's steps and the role life
// cycle around them: create, get, list, update, tag, and delete only once
// nothing is attached.
func TestIAMRoles(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()

	made, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("lambda-ex"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		Description: aws.String("tutorial"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := made.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::"+testAccount+":role/lambda-ex" || aws.ToString(r.Path) != "/" {
		t.Errorf("Arn %q Path %q", aws.ToString(r.Arn), aws.ToString(r.Path))
	}
	if id := aws.ToString(r.RoleId); len(id) != 21 || !strings.HasPrefix(id, "AROA") {
		t.Errorf("RoleId %q, want AROA and 17 characters", id)
	}
	if aws.ToInt32(r.MaxSessionDuration) != 3600 {
		t.Errorf("MaxSessionDuration %d, want 3600", aws.ToInt32(r.MaxSessionDuration))
	}
	if got := decoded(t, r.AssumeRolePolicyDocument); got != lambdaTrust {
		t.Errorf("AssumeRolePolicyDocument decodes to %s", got)
	}

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("LAMBDA-EX"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	wantIAMError(t, "same name in another case", err, "EntityAlreadyExists", "Role with name LAMBDA-EX already exists.")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad name"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	wantIAMError(t, "bad name", err, "ValidationError", "")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("nojson"), AssumeRolePolicyDocument: aws.String("{")})
	wantIAMError(t, "bad trust policy", err, "MalformedPolicyDocument", "")
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("missing")})
	wantIAMError(t, "get missing", err, "NoSuchEntity", "The role with name missing cannot be found.")

	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyArn: aws.String(basicExecution)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/NoSuchPolicy")})
	wantIAMError(t, "attach unknown", err, "NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/NoSuchPolicy does not exist or is not attachable.")
	// An AWS managed policy outside virga's catalogue is taken to exist,
	// and listed among the attached ones.
	outside := "arn:aws:iam::aws:policy/AmazonKinesisReadOnlyAccess"
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyArn: aws.String(outside)}); err != nil {
		t.Fatal(err)
	}
	attached, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
	if err != nil {
		t.Fatal(err)
	}
	var attachedNames []string
	for _, p := range attached.Policies {
		attachedNames = append(attachedNames, aws.ToString(p.PolicyName))
	}
	if !slices.Contains(attachedNames, "AmazonKinesisReadOnlyAccess") || !slices.Contains(attachedNames, "AWSLambdaBasicExecutionRole") {
		t.Fatalf("attached AWS policies = %v", attachedNames)
	}
	if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyArn: aws.String(outside)}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("lambda-ex"), MaxSessionDuration: aws.Int32(7200)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("lambda-ex"), Description: aws.String("changed")}); err != nil {
		t.Fatal(err)
	}
	newTrust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyDocument: aws.String(newTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("lambda-ex"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("lambda-ex"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("lambda-ex")})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "b" {
		t.Errorf("tags %+v, want team=b", tags.Tags)
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("lambda-ex")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(got.Role.MaxSessionDuration) != 7200 || aws.ToString(got.Role.Description) != "changed" ||
		decoded(t, got.Role.AssumeRolePolicyDocument) != newTrust {
		t.Errorf("after updates: %+v", got.Role)
	}

	for _, name := range []string{"b-role", "c-role"} {
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String("/service/"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var marker *string
	for pages := 0; pages < 5; pages++ {
		l, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range l.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
		if !l.IsTruncated {
			break
		}
		marker = l.Marker
	}
	if strings.Join(names, ",") != "b-role,c-role,lambda-ex" {
		t.Errorf("ListRoles pages: %v", names)
	}
	l, err := c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/service/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Roles) != 2 || aws.ToString(l.Roles[0].Arn) != "arn:aws:iam::"+testAccount+":role/service/b-role" {
		t.Errorf("ListRoles under /service/: %+v", l.Roles)
	}

	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("lambda-ex")})
	wantIAMError(t, "delete attached", err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyArn: aws.String(basicExecution)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("lambda-ex")})
	wantIAMError(t, "delete with inline policy", err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("lambda-ex"), PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("lambda-ex")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("lambda-ex")})
	wantIAMError(t, "get deleted", err, "NoSuchEntity", "")
}

// TestIAMPolicies covers inline role policies, customer managed policies
// with their versions, and attachments.
func TestIAMPolicies(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem"],"Resource":"*"}]}`
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("ddb"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	rp, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("ddb")})
	if err != nil {
		t.Fatal(err)
	}
	if decoded(t, rp.PolicyDocument) != doc {
		t.Errorf("GetRolePolicy document %s", decoded(t, rp.PolicyDocument))
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil || len(names.PolicyNames) != 1 || names.PolicyNames[0] != "ddb" {
		t.Errorf("ListRolePolicies: %v %v", names, err)
	}
	_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("nope")})
	wantIAMError(t, "missing inline", err, "NoSuchEntity", "The role policy with name nope cannot be found.")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17"}`)})
	wantIAMError(t, "no Statement", err, "MalformedPolicyDocument", "")

	made, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("app"), Path: aws.String("/app/"), PolicyDocument: aws.String(doc), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(made.Policy.Arn)
	if arn != "arn:aws:iam::"+testAccount+":policy/app/app" || aws.ToString(made.Policy.DefaultVersionId) != "v1" ||
		!strings.HasPrefix(aws.ToString(made.Policy.PolicyId), "ANPA") {
		t.Errorf("CreatePolicy: %+v", made.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("app"), PolicyDocument: aws.String(doc)})
	wantIAMError(t, "duplicate policy", err, "EntityAlreadyExists", "")
	for i := 2; i <= 5; i++ {
		v, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc), SetAsDefault: i == 3})
		if err != nil {
			t.Fatal(err)
		}
		if want := "v" + string(rune('0'+i)); aws.ToString(v.PolicyVersion.VersionId) != want {
			t.Errorf("version %s, want %s", aws.ToString(v.PolicyVersion.VersionId), want)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc)})
	wantIAMError(t, "sixth version", err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantIAMError(t, "delete default version", err, "DeleteConflict", "Cannot delete the default version of a policy.")
	if _, err := c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")}); err != nil {
		t.Fatal(err)
	}
	pv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
	if err != nil {
		t.Fatal(err)
	}
	if !pv.PolicyVersion.IsDefaultVersion || decoded(t, pv.PolicyVersion.Document) != doc {
		t.Errorf("GetPolicyVersion: %+v", pv.PolicyVersion)
	}
	versions, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(versions.Versions) != 5 {
		t.Fatalf("ListPolicyVersions: %v %v", versions, err)
	}

	for _, p := range []string{arn, basicExecution} {
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil || len(attached.AttachedPolicies) != 2 {
		t.Fatalf("ListAttachedRolePolicies: %v %v", attached, err)
	}
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToInt32(got.Policy.AttachmentCount) != 1 || aws.ToString(got.Policy.DefaultVersionId) != "v5" {
		t.Errorf("GetPolicy: %+v %v", got, err)
	}
	awsPolicy, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(basicExecution)})
	if err != nil || aws.ToString(awsPolicy.Policy.PolicyName) != "AWSLambdaBasicExecutionRole" || aws.ToString(awsPolicy.Policy.Path) != "/service-role/" {
		t.Errorf("GetPolicy of an AWS managed policy: %+v %v", awsPolicy, err)
	}
	entities, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || len(entities.PolicyRoles) != 1 || aws.ToString(entities.PolicyRoles[0].RoleName) != "fn" {
		t.Errorf("ListEntitiesForPolicy: %+v %v", entities, err)
	}
	local, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(local.Policies) != 1 {
		t.Errorf("ListPolicies Local: %+v %v", local, err)
	}
	attachedAll, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true})
	if err != nil || len(attachedAll.Policies) != 2 {
		t.Errorf("ListPolicies OnlyAttached: %+v %v", attachedAll, err)
	}
	awsScope, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/service-role/")})
	if err != nil || len(awsScope.Policies) < 5 {
		t.Errorf("ListPolicies AWS /service-role/: %+v %v", awsScope, err)
	}

	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantIAMError(t, "delete attached policy", err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantIAMError(t, "delete versioned policy", err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		if _, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantIAMError(t, "deleted policy", err, "NoSuchEntity", "Policy "+arn+" was not found.")
}

// TestIAMUsers covers users, their policies and access keys.
func TestIAMUsers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	u, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+testAccount+":user/alice" || !strings.HasPrefix(aws.ToString(u.User.UserId), "AIDA") {
		t.Errorf("CreateUser: %+v", u.User)
	}
	me, err := c.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(me.User.Arn) != "arn:aws:iam::"+testAccount+":root" {
		t.Errorf("GetUser as test:test: %+v %v", me, err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	k := key.AccessKey
	if !strings.HasPrefix(aws.ToString(k.AccessKeyId), "AKIA") || len(aws.ToString(k.SecretAccessKey)) != 40 || k.Status != types.StatusTypeActive {
		t.Errorf("CreateAccessKey: %+v", k)
	}
	alice := iam.NewFromConfig(e2e.ClientConfig(env.Endpoint, "us-east-1", aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	self, err := alice.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(self.User.UserName) != "alice" {
		t.Errorf("GetUser with alice's key: %+v %v", self, err)
	}
	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != types.StatusTypeInactive {
		t.Errorf("ListAccessKeys: %+v %v", keys, err)
	}
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantIAMError(t, "delete user with policies", err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")})
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantIAMError(t, "deleted user", err, "NoSuchEntity", "The user with name alice cannot be found.")
}

// TestIAMSurvivesRestart stops virga and finds its roles and policies on
// the same data directory.
func TestIAMSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(c *config.Config) { c.InMemory, c.DataDir = false, dir })
	env := e2e.Start(t, onDisk)
	c := iamClient(env)
	ctx := context.Background()
	made, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("durable"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("durable"), PolicyArn: aws.String(basicExecution)}); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := env.App.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	env = e2e.Start(t, onDisk)
	c = iamClient(env)
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.RoleId) != aws.ToString(made.Role.RoleId) {
		t.Errorf("RoleId %s after the restart, was %s", aws.ToString(got.Role.RoleId), aws.ToString(made.Role.RoleId))
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("durable")})
	if err != nil || len(attached.AttachedPolicies) != 1 {
		t.Errorf("attached after the restart: %+v %v", attached, err)
	}
}

// TestCLIIAMDocuments checks that the aws CLI and boto3, which decode
// IAM's URL-encoded policy documents, show them as JSON.
func TestCLIIAMDocuments(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	trust := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	var made struct{ Role struct{ Arn string } }
	cliJSON(t, env.CLI(t, "iam", "create-role", "--role-name", "lambda-ex", "--assume-role-policy-document", trust), &made)
	if made.Role.Arn != "arn:aws:iam::"+testAccount+":role/lambda-ex" {
		t.Errorf("create-role Arn %q", made.Role.Arn)
	}
	if res := env.CLI(t, "iam", "attach-role-policy", "--role-name", "lambda-ex", "--policy-arn", basicExecution); res.ExitCode != 0 {
		t.Fatalf("attach-role-policy: %s", res.Stderr)
	}
	var got struct {
		Role struct {
			AssumeRolePolicyDocument struct {
				Version   string
				Statement []struct{ Effect, Action string }
			}
		}
	}
	cliJSON(t, env.CLI(t, "iam", "get-role", "--role-name", "lambda-ex"), &got)
	d := got.Role.AssumeRolePolicyDocument
	if d.Version != "2012-10-17" || len(d.Statement) != 1 || d.Statement[0].Action != "sts:AssumeRole" {
		t.Errorf("get-role document: %+v", d)
	}
	res := env.CLI(t, "iam", "delete-role", "--role-name", "lambda-ex")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "DeleteConflict") {
		t.Errorf("delete-role with a policy attached: exit %d, %s", res.ExitCode, res.Stderr)
	}

	out := env.Boto3(t, `
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["VIRGA_ENDPOINT"], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
iam.put_role_policy(RoleName="lambda-ex", PolicyName="p", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
role = iam.get_role(RoleName="lambda-ex")["Role"]
inline = iam.get_role_policy(RoleName="lambda-ex", PolicyName="p")
print(json.dumps({"trust": role["AssumeRolePolicyDocument"], "inline": inline["PolicyDocument"]}))
`)
	var b struct {
		Trust  map[string]any
		Inline struct{ Statement []struct{ Action string } }
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if b.Trust["Version"] != "2012-10-17" || len(b.Inline.Statement) != 1 || b.Inline.Statement[0].Action != "s3:*" {
		t.Errorf("boto3 documents: %s", out)
	}
}

// TestIAMAccessKeySigV4 signs requests with a key CreateAccessKey made,
// under --auth sigv4: they are the user's, until the key is deactivated.
func TestIAMAccessKeySigV4(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	c := iamClient(env)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci"), Path: aws.String("/bots/")}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	who, err := stsClient(env, id, secret, "").GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != "arn:aws:iam::"+testAccount+":user/bots/ci" || !strings.HasPrefix(aws.ToString(who.UserId), "AIDA") {
		t.Errorf("GetCallerIdentity with the user's key: %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	_, err = stsClient(env, id, "wrong"+secret[5:], "").GetCallerIdentity(ctx, nil)
	wantIAMError(t, "wrong secret", err, "SignatureDoesNotMatch", "")
	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = stsClient(env, id, secret, "").GetCallerIdentity(ctx, nil)
	wantIAMError(t, "inactive key", err, "InvalidClientTokenId", "")
}

// TestIAMPolicyVersionPages: ListPolicyVersions pages with MaxItems and
// Marker, newest version first, every version once.
func TestIAMPolicyVersionPages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	made, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("paged"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	arn := made.Policy.Arn
	for range 4 {
		if _, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p := iam.NewListPolicyVersionsPaginator(c, &iam.ListPolicyVersionsInput{PolicyArn: arn, MaxItems: aws.Int32(2)})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == 5 {
			t.Fatalf("more than 3 pages: %v", got)
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if out.IsTruncated == (out.Marker == nil) || out.Marker != nil && *out.Marker == "" {
			t.Errorf("page %d: IsTruncated %v, Marker %v", pages, out.IsTruncated, out.Marker)
		}
		for _, v := range out.Versions {
			got = append(got, aws.ToString(v.VersionId))
		}
	}
	if strings.Join(got, ",") != "v5,v4,v3,v2,v1" {
		t.Fatalf("versions over the pages: %v", got)
	}
}

// TestIAMAccessKeyPages: ListAccessKeys with MaxItems 1 returns each of a
// user's two keys once, whatever order their ids fall in.
func TestIAMAccessKeyPages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	for u := range 6 {
		name := aws.String(fmt.Sprintf("u%d", u))
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			t.Fatal(err)
		}
		made := map[string]bool{}
		for range 2 {
			k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
			if err != nil {
				t.Fatal(err)
			}
			made[aws.ToString(k.AccessKey.AccessKeyId)] = true
		}
		seen := map[string]bool{}
		p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: name, MaxItems: aws.Int32(1)})
		for pages := 0; p.HasMorePages() && pages < 4; pages++ {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range out.AccessKeyMetadata {
				seen[aws.ToString(k.AccessKeyId)] = true
			}
		}
		if len(seen) != 2 || !maps.Equal(seen, made) {
			t.Fatalf("user %s: made %v, listed %v", *name, made, seen)
		}
	}
}
