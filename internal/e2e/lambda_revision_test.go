package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// revisionMismatch is Lambda's PreconditionFailedException message for
// every operation that takes a function's or alias's RevisionId.
const revisionMismatch = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"

// TestLambdaRevisionLifecycle follows a function's RevisionId as Lambda
// moves it: every change of state (created → Active, update in progress
// → Successful) gives a new one, so the revision an answer carries is
// stale once GetFunction reports the finished state; a published version
// has its own, and publishing renews $LATEST's; an alias has its own,
// which creating it leaves $LATEST's alone. A stale RevisionId is
// refused with one message by every operation that takes one.
func TestLambdaRevisionLifecycle(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	config := func(qualifier string) *lambda.GetFunctionConfigurationOutput {
		t.Helper()
		in := &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("revs")}
		if qualifier != "" {
			in.Qualifier = aws.String(qualifier)
		}
		out, err := c.GetFunctionConfiguration(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	stale := func(what string, err error) {
		t.Helper()
		if e := expectAPIError(t, err, "PreconditionFailedException", 412); e.Message != revisionMismatch {
			t.Errorf("%s: message %q", what, e.Message)
		}
	}

	created := createStub(t, c, "revs", false)
	rev2 := aws.ToString(config("").RevisionId)
	if rev2 == aws.ToString(created.RevisionId) {
		t.Error("becoming Active left the function's RevisionId as CreateFunction answered it")
	}
	_, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("revs"),
		Description: aws.String("x"), RevisionId: created.RevisionId})
	stale("UpdateFunctionConfiguration with CreateFunction's revision", err)

	conf, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("revs"),
		Description: aws.String("x"), RevisionId: aws.String(rev2)})
	if err != nil {
		t.Fatal(err)
	}
	rev4 := aws.ToString(config("").RevisionId)
	if rev3 := aws.ToString(conf.RevisionId); rev3 == rev2 || rev4 == rev3 || rev4 == rev2 {
		t.Errorf("UpdateFunctionConfiguration: revisions %s → %s (answer) → %s (done)", rev2, rev3, rev4)
	}
	_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("revs"),
		ZipFile: scriptZip(t, "y"), RevisionId: conf.RevisionId})
	stale("UpdateFunctionCode with UpdateFunctionConfiguration's revision", err)
	code, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("revs"),
		ZipFile: scriptZip(t, "y"), RevisionId: aws.String(rev4)})
	if err != nil {
		t.Fatal(err)
	}
	rev6 := aws.ToString(config("").RevisionId)
	if rev5 := aws.ToString(code.RevisionId); rev5 == rev4 || rev6 == rev5 || rev6 == rev4 {
		t.Errorf("UpdateFunctionCode: revisions %s → %s (answer) → %s (done)", rev4, rev5, rev6)
	}

	_, err = c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("revs"), RevisionId: aws.String(rev4)})
	stale("PublishVersion", err)
	pub, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("revs"), RevisionId: aws.String(rev6)})
	if err != nil {
		t.Fatal(err)
	}
	v1 := aws.ToString(config("1").RevisionId)
	rev7 := aws.ToString(config("").RevisionId)
	if v1 != aws.ToString(pub.RevisionId) || v1 == rev6 || rev7 == rev6 || rev7 == v1 {
		t.Errorf("PublishVersion: answered %s, version 1 %s; $LATEST %s → %s", aws.ToString(pub.RevisionId), v1, rev6, rev7)
	}

	alias, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("revs"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(config("").RevisionId) != rev7 || aws.ToString(config("1").RevisionId) != v1 {
		t.Error("CreateAlias changed the revision of $LATEST or of the version")
	}
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("revs"), Name: aws.String("live"), Description: aws.String("d"),
		RevisionId: aws.String("wrong")})
	stale("UpdateAlias", err)
	updated, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("revs"), Name: aws.String("live"), Description: aws.String("d"),
		RevisionId: alias.RevisionId})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("revs"), Name: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(updated.RevisionId) == aws.ToString(alias.RevisionId) || aws.ToString(got.RevisionId) != aws.ToString(updated.RevisionId) {
		t.Errorf("UpdateAlias: %s → %s, GetAlias %s", aws.ToString(alias.RevisionId), aws.ToString(updated.RevisionId), aws.ToString(got.RevisionId))
	}

	// Publishing with the code: the answer is the new version being
	// created, whose revision changes when it is Active.
	pub2, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("revs"), ZipFile: scriptZip(t, "z"), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if pub2.State != lambdatypes.StatePending || aws.ToString(pub2.Version) != "2" || aws.ToString(config("2").RevisionId) == aws.ToString(pub2.RevisionId) {
		t.Errorf("UpdateFunctionCode with Publish: %s version %s, revision %s", pub2.State, aws.ToString(pub2.Version), aws.ToString(pub2.RevisionId))
	}
}
