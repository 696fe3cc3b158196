package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/virga/virga/internal/e2e"
)

// mustSucceed returns a check of a call's answer that stops t when the
// call failed: must(c.CreateUser(ctx, in)).
func mustSucceed(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// decisions is each result's action, resource and decision.
func decisions(rs []types.EvaluationResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)+" "+string(r.EvalDecision))
	}
	return out
}

// TestIAMSimulateCustomPolicy runs the CLI's documented examples: a date
// condition allows or not, and the matched statement's position is the
// one AWS reports; then denials, missing keys, resources, boundaries,
// pages and a malformed document.
func TestIAMSimulateCustomPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	at := func(when string) []types.ContextEntry {
		return []types.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{when}, ContextKeyType: types.ContextKeyTypeEnumDate}}
	}
	out, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc},
		ActionNames: []string{"dynamodb:CreateBackup"}, ContextEntries: at("2019-04-25T11:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if got := decisions(out.EvaluationResults); len(got) != 1 || got[0] != "dynamodb:CreateBackup * allowed" {
		t.Fatalf("results %v", got)
	}
	m := out.EvaluationResults[0].MatchedStatements
	if len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "PolicyInputList.1" || m[0].SourcePolicyType != types.PolicySourceTypeNone ||
		m[0].StartPosition.Line != 1 || m[0].StartPosition.Column != 38 ||
		m[0].EndPosition.Line != 1 || m[0].EndPosition.Column != 167 {
		t.Errorf("matched %+v", m)
	}

	out, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc},
		ActionNames: []string{"dynamodb:CreateBackup"}, ContextEntries: at("2014-04-25T11:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.EvaluationResults[0]; r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r.MatchedStatements) != 0 {
		t.Errorf("before the date: %+v", r)
	}

	// Without the key the condition needs, it is missing.
	out, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc},
		ActionNames: []string{"dynamodb:CreateBackup"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.EvaluationResults[0]; len(r.MissingContextValues) != 1 || r.MissingContextValues[0] != "aws:CurrentTime" {
		t.Errorf("missing %v", r.MissingContextValues)
	}

	// Actions × resources, an explicit deny, a boundary, and pages.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/keep/*"}]}`
	bound := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","s3:DeleteObject"],"Resource":"*"}}`
	in := &iam.SimulateCustomPolicyInput{PolicyInputList: []string{deny}, PermissionsBoundaryPolicyInputList: []string{bound},
		ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::b/keep/x", "arn:aws:s3:::b/tmp/y"},
		MaxItems: aws.Int32(4)}
	var all []types.EvaluationResult
	for pages := 0; ; pages++ {
		out, err = c.SimulateCustomPolicy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.EvaluationResults...)
		if !out.IsTruncated {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
		in.Marker = out.Marker
	}
	want := []string{
		"s3:GetObject arn:aws:s3:::b/keep/x allowed", "s3:GetObject arn:aws:s3:::b/tmp/y allowed",
		"s3:DeleteObject arn:aws:s3:::b/keep/x explicitDeny", "s3:DeleteObject arn:aws:s3:::b/tmp/y allowed",
		"s3:PutObject arn:aws:s3:::b/keep/x implicitDeny", "s3:PutObject arn:aws:s3:::b/tmp/y implicitDeny",
	}
	if got := decisions(all); fmtList(got) != fmtList(want) {
		t.Errorf("decisions\n%v\nwant\n%v", got, want)
	}
	if r := all[4]; r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary ||
		len(r.ResourceSpecificResults) != 1 || aws.ToString(r.ResourceSpecificResults[0].EvalResourceName) != "arn:aws:s3:::b/keep/x" {
		t.Errorf("PutObject beyond the boundary: %+v", r)
	}
	if m := all[2].MatchedStatements; len(m) != 1 || m[0].StartPosition.Column != 89 {
		t.Errorf("deny matched %+v", m)
	}

	_, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`},
		ActionNames: []string{"s3:GetObject"}})
	wantIAMError(t, "malformed document", err, "InvalidInput", "")
}

// TestIAMSimulatePrincipalPolicy weighs a user's own, attached and group
// policies, a role's with its boundary, and refuses unknown principals.
func TestIAMSimulatePrincipalPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := iamClient(env)
	ctx := context.Background()
	must := mustSucceed(t)
	listRepos := "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {\n            \"Effect\": \"Allow\",\n            \"Action\": \"codecommit:ListRepositories\",\n            \"Resource\": \"*\"\n        }\n    ]\n}"
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alejandro")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alejandro"), PolicyName: aws.String("Grant-Access-To-CodeCommit-ListRepo"), PolicyDocument: aws.String(listRepos)}))
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoDeletes"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"codecommit:Delete*","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alejandro"), PolicyArn: pol.Policy.Arn}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alejandro")}))
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"codecommit:*","Resource":"*"}}`)}))

	user := "arn:aws:iam::000000000000:user/alejandro"
	out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user),
		ActionNames: []string{"codecommit:ListRepositories", "codecommit:DeleteRepository", "s3:GetObject"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"codecommit:ListRepositories * allowed", "codecommit:DeleteRepository * explicitDeny", "s3:GetObject * implicitDeny"}
	if got := decisions(out.EvaluationResults); fmtList(got) != fmtList(want) {
		t.Fatalf("decisions %v, want %v", got, want)
	}
	var sources []string
	for _, m := range out.EvaluationResults[0].MatchedStatements {
		sources = append(sources, aws.ToString(m.SourcePolicyId)+"/"+string(m.SourcePolicyType))
	}
	if fmtList(sources) != "Grant-Access-To-CodeCommit-ListRepo/user,all/group" {
		t.Errorf("allowed by %v", sources)
	}
	m := out.EvaluationResults[0].MatchedStatements[0]
	if m.StartPosition.Line != 4 || m.StartPosition.Column != 10 || m.EndPosition.Line != 8 || m.EndPosition.Column != 10 {
		t.Errorf("positions %+v %+v", *m.StartPosition, *m.EndPosition)
	}
	if m := out.EvaluationResults[1].MatchedStatements; len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "NoDeletes" || m[0].SourcePolicyType != types.PolicySourceTypeUserManaged {
		t.Errorf("denied by %+v", m)
	}

	// A role is held to its boundary.
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		PermissionsBoundary: aws.String(basicExecution)}))
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["logs:*","s3:*"],"Resource":"*"}}`)}))
	out, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:role/r"),
		ActionNames: []string{"logs:PutLogEvents", "s3:GetObject"}})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"logs:PutLogEvents * allowed", "s3:GetObject * implicitDeny"}
	if got := decisions(out.EvaluationResults); fmtList(got) != fmtList(want) {
		t.Errorf("role decisions %v, want %v", got, want)
	}
	if d := out.EvaluationResults[1].PermissionsBoundaryDecisionDetail; d == nil || d.AllowedByPermissionsBoundary {
		t.Errorf("boundary detail %+v", d)
	}

	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:user/nobody"),
		ActionNames: []string{"s3:GetObject"}})
	wantIAMError(t, "unknown user", err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user),
		PolicyInputList: []string{`{"Version":"2012-10-17"}`}, ActionNames: []string{"s3:GetObject"}})
	wantIAMError(t, "malformed input", err, "InvalidInput", "")
}
