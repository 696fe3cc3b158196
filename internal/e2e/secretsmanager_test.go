package e2e_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/virga/virga/internal/e2e"
)

func TestSecretsManagerVersionsAndStages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := secretsmanager.NewFromConfig(env.Config)
	ctx := context.Background()

	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String(`{"user":"u","password":"p1"}`),
		Description: aws.String("db creds"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:` + testAccount + `:secret:app/db-[A-Za-z0-9]{6}$`).MatchString(aws.ToString(created.ARN)) {
		t.Errorf("ARN = %s", aws.ToString(created.ARN))
	}
	v1 := aws.ToString(created.VersionId)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("x")})
	if got := expectAPIError(t, err, "ResourceExistsException", 400); got.Message != "The operation failed because the secret app/db already exists." {
		t.Errorf("exists: %q", got.Message)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name"), SecretString: aws.String("x")})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("both"), SecretString: aws.String("x"), SecretBinary: []byte{1}})
	expectAPIError(t, err, "InvalidParameterException", 400)

	// Idempotent retry: same token and value.
	tok := "11111111-2222-3333-4444-555555555555"
	p1, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("v2"), ClientRequestToken: aws.String(tok)})
	if err != nil || aws.ToString(p1.VersionId) != tok || strings.Join(p1.VersionStages, ",") != "AWSCURRENT" {
		t.Fatalf("PutSecretValue = %+v, %v", p1, err)
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("v2"), ClientRequestToken: aws.String(tok)}); err != nil {
		t.Errorf("retry: %v", err)
	}
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("other"), ClientRequestToken: aws.String(tok)})
	expectAPIError(t, err, "ResourceExistsException", 400)

	get := func(in *secretsmanager.GetSecretValueInput) *secretsmanager.GetSecretValueOutput {
		t.Helper()
		out, err := c.GetSecretValue(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := get(&secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")}); aws.ToString(out.SecretString) != "v2" {
		t.Errorf("AWSCURRENT = %q", aws.ToString(out.SecretString))
	}
	if out := get(&secretsmanager.GetSecretValueInput{SecretId: created.ARN, VersionStage: aws.String("AWSPREVIOUS")}); aws.ToString(out.VersionId) != v1 {
		t.Errorf("AWSPREVIOUS by ARN = %s, want %s", aws.ToString(out.VersionId), v1)
	}
	partial := strings.TrimSuffix(aws.ToString(created.ARN), aws.ToString(created.ARN)[len(aws.ToString(created.ARN))-7:])
	if out := get(&secretsmanager.GetSecretValueInput{SecretId: aws.String(partial), VersionId: aws.String(v1)}); !strings.Contains(aws.ToString(out.SecretString), "p1") {
		t.Errorf("by partial ARN and version = %q", aws.ToString(out.SecretString))
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionStage: aws.String("AWSPENDING")})
	if got := expectAPIError(t, err, "ResourceNotFoundException", 400); got.Message != "Secrets Manager can't find the specified secret value for staging label: AWSPENDING" {
		t.Errorf("AWSPENDING: %q", got.Message)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	if got := expectAPIError(t, err, "ResourceNotFoundException", 400); got.Message != "Secrets Manager can't find the specified secret." {
		t.Errorf("missing: %q", got.Message)
	}

	// A pending version, then promoted by hand.
	pend, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("v3"), VersionStages: []string{"AWSPENDING"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("app/db"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: pend.VersionId})
	if got := expectAPIError(t, err, "InvalidParameterException", 400); got.Message != "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version "+tok+", so you must explicitly reference that version in RemoveFromVersionId." {
		t.Errorf("move without remove: %q", got.Message)
	}
	if _, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("app/db"), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: pend.VersionId, RemoveFromVersionId: aws.String(tok)}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
	if err != nil {
		t.Fatal(err)
	}
	stages := desc.VersionIdsToStages
	if strings.Join(stages[aws.ToString(pend.VersionId)], ",") != "AWSPENDING,AWSCURRENT" || strings.Join(stages[tok], ",") != "AWSPREVIOUS" || len(stages) != 2 {
		t.Errorf("VersionIdsToStages = %v", stages)
	}
	if aws.ToString(desc.Description) != "db creds" || desc.CreatedDate == nil || desc.LastChangedDate == nil || desc.LastAccessedDate == nil || len(desc.Tags) != 1 {
		t.Errorf("DescribeSecret = %+v", desc)
	}
	vers, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("app/db"), IncludeDeprecated: aws.Bool(true)})
	if err != nil || len(vers.Versions) != 3 {
		t.Fatalf("ListSecretVersionIds = %+v, %v", vers, err)
	}

	up, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("app/db"), SecretBinary: []byte{0, 1, 2}})
	if err != nil || up.VersionId == nil {
		t.Fatalf("UpdateSecret = %+v, %v", up, err)
	}
	if out := get(&secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")}); string(out.SecretBinary) != "\x00\x01\x02" || out.SecretString != nil {
		t.Errorf("binary = %v %v", out.SecretBinary, out.SecretString)
	}
	if _, err := c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("app/db"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("app/db"), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	desc, _ = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
	if len(desc.Tags) != 1 || aws.ToString(desc.Tags[0].Key) != "env" {
		t.Errorf("tags = %+v", desc.Tags)
	}
}

func TestSecretsManagerDeletion(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := secretsmanager.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, n := range []string{"keep", "gone", "other"} {
		if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("v-" + n)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("keep"), RecoveryWindowInDays: aws.Int64(6)})
	if got := expectAPIError(t, err, "InvalidParameterException", 400); got.Message != "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)." {
		t.Errorf("window 6: %q", got.Message)
	}
	_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("keep"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	expectAPIError(t, err, "InvalidParameterException", 400)

	del, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("keep")})
	if err != nil {
		t.Fatal(err)
	}
	within(t, "DeletionDate", aws.ToTime(del.DeletionDate), env.Clock.Now().Add(30*24*time.Hour), time.Second)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("keep")})
	if got := expectAPIError(t, err, "InvalidRequestException", 400); got.Message != "You can't perform this operation on the secret because it was marked for deletion." {
		t.Errorf("get deleted: %q", got.Message)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("keep"), SecretString: aws.String("again")})
	expectAPIError(t, err, "InvalidRequestException", 400)
	list, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	if err != nil || len(list.SecretList) != 2 {
		t.Fatalf("ListSecrets = %+v, %v", list, err)
	}
	if _, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("keep")}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("keep")}); err != nil || aws.ToString(out.SecretString) != "v-keep" {
		t.Fatalf("restored = %+v, %v", out, err)
	}

	// The recovery window passes: the name is free again.
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("gone"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(7*24*time.Hour + time.Second)
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("gone")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gone"), SecretString: aws.String("new")}); err != nil {
		t.Errorf("reusing the name after the window: %v", err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("other"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("other")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

func TestSecretsManagerListAndPassword(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := secretsmanager.NewFromConfig(env.Config)
	ctx := context.Background()
	for i, n := range []string{"prod/a", "prod/b", "dev/a"} {
		if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("x"),
			Tags: []types.Tag{{Key: aws.String("n"), Value: aws.String(strings.Repeat("v", i+1))}}}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(in *secretsmanager.ListSecretsInput) string {
		t.Helper()
		var out []string
		p := secretsmanager.NewListSecretsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.SecretList {
				out = append(out, aws.ToString(s.Name))
			}
		}
		// Secrets made in the same millisecond have no order between them.
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	if got := names(&secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1)}); got != "dev/a,prod/a,prod/b" {
		t.Errorf("all in pages of one = %s", got)
	}
	if got := names(&secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"prod/"}}}}); got != "prod/a,prod/b" {
		t.Errorf("name prefix = %s", got)
	}
	if got := names(&secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"!prod/"}}}}); got != "dev/a" {
		t.Errorf("negated name = %s", got)
	}
	if got := names(&secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeTagValue, Values: []string{"vv"}}}}); got != "dev/a,prod/b" {
		t.Errorf("tag-value prefix = %s", got)
	}

	pw, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
	if err != nil || len(aws.ToString(pw.RandomPassword)) != 32 {
		t.Fatalf("GetRandomPassword = %+v, %v", pw, err)
	}
	pw, err = c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(12), ExcludePunctuation: aws.Bool(true), ExcludeCharacters: aws.String("0Oo1lI")})
	if err != nil || !regexp.MustCompile(`^[A-HJ-NP-Za-km-np-z2-9]{12}$`).MatchString(aws.ToString(pw.RandomPassword)) {
		t.Fatalf("GetRandomPassword with exclusions = %q, %v", aws.ToString(pw.RandomPassword), err)
	}
	_, err = c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4097)})
	expectAPIError(t, err, "ValidationException", 400)
}
