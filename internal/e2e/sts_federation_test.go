package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/virga/virga/internal/e2e"
)

// TestSTSGetFederationToken: a federated user's credentials work like
// any other temporary credentials, and under --auth iam the user that
// asked for them is held to its own policies and to the session policy
// together; without a session policy the federated user may do nothing.
func TestSTSGetFederationToken(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	userCfg := iamUser(t, env, "fed", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["dynamodb:*","sts:GetFederationToken"],"Resource":"*"}}`)
	user := sts.NewFromConfig(userCfg)

	before := time.Now()
	out, err := user.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), DurationSeconds: aws.Int32(3600),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["dynamodb:ListTables","s3:*"],"Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	checkTempCredentials(t, out.Credentials, before.Add(time.Hour))
	wantARN := "arn:aws:sts::" + testAccount + ":federated-user/Bob"
	if f := out.FederatedUser; aws.ToString(f.Arn) != wantARN || aws.ToString(f.FederatedUserId) != testAccount+":Bob" {
		t.Errorf("FederatedUser %s %s", aws.ToString(f.Arn), aws.ToString(f.FederatedUserId))
	}
	if out.PackedPolicySize == nil {
		t.Error("no PackedPolicySize with a session policy")
	}
	cr := out.Credentials
	fedCfg := e2e.ClientConfig(env.Endpoint, env.Cfg.Region, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	id, err := sts.NewFromConfig(fedCfg).GetCallerIdentity(ctx, nil)
	if err != nil || aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != testAccount+":Bob" {
		t.Fatalf("GetCallerIdentity %+v, %v", id, err)
	}
	ddb := dynamodb.NewFromConfig(fedCfg)
	if _, err := ddb.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("ListTables, allowed by both: %v", err)
	}
	_, err = ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tbl")})
	wantDenied(t, err, "AccessDeniedException", http.StatusBadRequest,
		"User: "+wantARN+" is not authorized to perform: dynamodb:DescribeTable on resource: "+tableARN+" because no session policy allows the dynamodb:DescribeTable action")

	// Without a session policy, nothing is allowed.
	bare, err := user.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Nobody")})
	if err != nil {
		t.Fatal(err)
	}
	checkTempCredentials(t, bare.Credentials, before.Add(12*time.Hour))
	if bare.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize %d without session policies", *bare.PackedPolicySize)
	}
	cr = bare.Credentials
	_, err = dynamodb.NewFromConfig(e2e.ClientConfig(env.Endpoint, env.Cfg.Region, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)).
		ListTables(ctx, &dynamodb.ListTablesInput{})
	expectAPIError(t, err, "AccessDeniedException", http.StatusBadRequest)

	// The root's federated users last an hour at most, and have what
	// the session policy allows.
	root := stsClient(env, "test", "test", "")
	rout, err := root.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ops"), DurationSeconds: aws.Int32(7200),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:List*","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	checkTempCredentials(t, rout.Credentials, before.Add(time.Hour))
	cr = rout.Credentials
	if _, err := dynamodb.NewFromConfig(e2e.ClientConfig(env.Endpoint, env.Cfg.Region, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)).
		ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("root's federated user: %v", err)
	}

	// Session credentials cannot ask for tokens; durations are bounded.
	_, err = sts.NewFromConfig(fedCfg).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	st, err := root.GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = stsClient(env, *st.Credentials.AccessKeyId, *st.Credentials.SecretAccessKey, *st.Credentials.SessionToken).
		GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	e := expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if want := "Cannot call GetFederationToken with session credentials"; e.Message != want {
		t.Errorf("message %q, want %q", e.Message, want)
	}
	_, err = root.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("short"), DurationSeconds: aws.Int32(899)})
	e = expectAPIError(t, err, "ValidationError", http.StatusBadRequest)
	if want := "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"; e.Message != want {
		t.Errorf("message %q\nwant    %q", e.Message, want)
	}
}
