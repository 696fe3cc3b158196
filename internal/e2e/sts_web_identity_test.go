package e2e_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/virga/virga/internal/e2e"
)

// unsignedSTS is an STS client that signs nothing, as the SDKs send
// AssumeRoleWithWebIdentity.
func unsignedSTS(env *e2e.Env) *sts.Client {
	return sts.NewFromConfig(env.Config, func(o *sts.Options) { o.Credentials = aws.AnonymousCredentials{} })
}

// oidcProvider makes an IAM OpenID Connect provider for the issuer URL
// with the client ids and returns its ARN.
func oidcProvider(t *testing.T, env *e2e.Env, url string, clients ...string) string {
	t.Helper()
	out, err := iamClient(env).CreateOpenIDConnectProvider(context.Background(), &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(url), ClientIDList: clients, ThumbprintList: []string{strings.Repeat("a", 40)}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.OpenIDConnectProviderArn)
}

// webIdentityTrust is a trust policy letting a web identity of the
// federated principal assume the role when the condition holds.
func webIdentityTrust(principal, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + principal + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + condition + `}]}`
}

// TestSTSWebIdentityUserPoolToken: the SDK's web identity credential
// provider (a token file and a role ARN) exchanges a user pool's ID
// token for credentials of a role that trusts the pool's IAM OpenID
// Connect provider, which act as the assumed role; with --auth iam,
// tokens whose signature, audience, issuer or subject do not fit are
// refused with AWS's errors.
func TestSTSWebIdentityUserPoolToken(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	users := newPasswordPool(t, env)
	web, other := users.client("web"), users.client("other")
	idToken := aws.ToString(users.signIn(web, "ana").IdToken)
	issuer := "cognito-idp.us-east-1.amazonaws.com/" + users.id
	providerARN := oidcProvider(t, env, "https://"+issuer, web)
	if want := "arn:aws:iam::" + testAccount + ":oidc-provider/" + issuer; providerARN != want {
		t.Fatalf("provider ARN = %s; want %s", providerARN, want)
	}
	roleARN := identityRole(t, env, "pool-users", webIdentityTrust(providerARN,
		`{"StringEquals":{"`+issuer+`:aud":"`+web+`"},"StringLike":{"`+issuer+`:sub":"*"}}`))

	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(idToken), 0o600); err != nil {
		t.Fatal(err)
	}
	provider := stscreds.NewWebIdentityRoleProvider(unsignedSTS(env), roleARN, stscreds.IdentityTokenFile(tokenFile),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "ci-job" })
	creds, err := provider.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	who, err := stsClient(env, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken).GetCallerIdentity(ctx, nil)
	if want := "arn:aws:sts::" + testAccount + ":assumed-role/pool-users/ci-job"; err != nil || aws.ToString(who.Arn) != want {
		t.Fatalf("GetCallerIdentity = %v, %v; want %s", who, err, want)
	}
	member := e2e.ClientConfig(env.Endpoint, env.Cfg.Region, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	if _, err := dynamodb.NewFromConfig(member).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}

	// The answer names the token's subject, audience and provider.
	out, err := unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &roleARN,
		RoleSessionName: aws.String("s1"), WebIdentityToken: &idToken, DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	claims := jwtClaims(t, idToken)
	if aws.ToString(out.SubjectFromWebIdentityToken) != claims["sub"] || aws.ToString(out.Audience) != web ||
		aws.ToString(out.Provider) != providerARN || aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+testAccount+":assumed-role/pool-users/s1" ||
		!strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":s1") {
		t.Fatalf("AssumeRoleWithWebIdentity = %+v", out)
	}
	if got := time.Until(aws.ToTime(out.Credentials.Expiration)); got > 15*time.Minute || got < 10*time.Minute {
		t.Fatalf("credentials last %v; want 15 minutes", got)
	}

	assume := func(role, token string, duration *int32) error {
		_, err := unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &role,
			RoleSessionName: aws.String("s1"), WebIdentityToken: &token, DurationSeconds: duration})
		return err
	}
	refused := func(what string, err error, code, message string) {
		t.Helper()
		got := wantAPIError(t, err)
		if got.Code != code || got.Message != message {
			t.Errorf("%s: %s %q; want %s %q", what, got.Code, got.Message, code, message)
		}
	}
	refused("tampered token", assume(roleARN, tamper(idToken), nil), "InvalidIdentityToken",
		"The web identity token's signature could not be verified with its issuer's keys.")
	refused("other client's token", assume(roleARN, aws.ToString(users.signIn(other, "ana").IdToken), nil), "InvalidIdentityToken",
		"Incorrect token audience")
	refused("longer than the role allows", assume(roleARN, idToken, aws.Int32(7200)), "ValidationError",
		"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	refused("not a JWT", assume(roleARN, "not-a-token", nil), "InvalidIdentityToken",
		"The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	someoneElse := identityRole(t, env, "someone-else", webIdentityTrust(providerARN, `{"StringEquals":{"`+issuer+`:sub":"nobody"}}`))
	refused("trust policy's subject", assume(someoneElse, idToken, nil), "AccessDenied",
		"Not authorized to perform sts:AssumeRoleWithWebIdentity")
	refused("role that does not exist", assume("arn:aws:iam::"+testAccount+":role/none", idToken, nil), "AccessDenied",
		"Not authorized to perform sts:AssumeRoleWithWebIdentity")
	// A token of an issuer virga cannot reach is not taken on trust when
	// policies are enforced.
	oidcProvider(t, env, "https://token.actions.githubusercontent.com", "sts.amazonaws.com")
	refused("unverifiable issuer", assume(roleARN, githubToken(t, time.Now().Add(time.Hour)), nil), "InvalidIdentityToken",
		"Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
	refused("issuer without a provider", assume(roleARN, forgedToken(t, "https://issuer.example.com", "x", time.Now().Add(time.Hour)), nil),
		"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://issuer.example.com")
}

// forgedToken is an RS256 JWT of the issuer for the audience, signed
// with a key of its own: what a token of an issuer virga cannot reach
// looks like to it.
func forgedToken(t *testing.T, issuer, audience string, expires time.Time) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	claims, _ := json.Marshal(map[string]any{"iss": issuer, "aud": audience,
		"sub": "repo:virga/app:ref:refs/heads/main", "exp": expires.Unix(), "iat": time.Now().Unix()})
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// githubToken is a token like the ones GitHub Actions gives a workflow.
func githubToken(t *testing.T, expires time.Time) string {
	return forgedToken(t, "https://token.actions.githubusercontent.com", "sts.amazonaws.com", expires)
}

// TestSTSWebIdentityGitHubActions: without --auth iam, a GitHub Actions
// token, whose issuer's keys virga cannot fetch, is accepted for a
// provider IAM has, as the aws CLI sends it unsigned; an expired one is
// ExpiredTokenException.
func TestSTSWebIdentityGitHubActions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	providerARN := oidcProvider(t, env, "https://token.actions.githubusercontent.com", "sts.amazonaws.com")
	roleARN := "arn:aws:iam::" + testAccount + ":role/deploy"
	token := githubToken(t, time.Now().Add(time.Hour))
	out, err := unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &roleARN,
		RoleSessionName: aws.String("gha"), WebIdentityToken: &token})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Provider) != providerARN || aws.ToString(out.SubjectFromWebIdentityToken) != "repo:virga/app:ref:refs/heads/main" ||
		aws.ToString(out.Audience) != "sts.amazonaws.com" {
		t.Fatalf("AssumeRoleWithWebIdentity = %+v", out)
	}
	// An OAuth 2.0 provider named by ProviderId needs no IAM provider and
	// is the answer's Provider.
	byID, err := unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &roleARN,
		RoleSessionName: aws.String("lwa"), WebIdentityToken: aws.String(forgedToken(t, "https://www.amazon.com", "app", time.Now().Add(time.Hour))),
		ProviderId: aws.String("www.amazon.com")})
	if err != nil || aws.ToString(byID.Provider) != "www.amazon.com" {
		t.Fatalf("AssumeRoleWithWebIdentity with ProviderId = %+v, %v", byID, err)
	}
	expired := githubToken(t, time.Now().Add(-time.Minute))
	_, err = unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &roleARN,
		RoleSessionName: aws.String("gha"), WebIdentityToken: &expired})
	if got := expectAPIError(t, err, "ExpiredTokenException", http.StatusBadRequest); !strings.HasPrefix(got.Message, "Token expired: current date/time ") {
		t.Fatalf("expired token: %q", got.Message)
	}

	e2e.RequireTool(t, e2e.AWSCLI)
	res := env.CLI(t, "sts", "assume-role-with-web-identity", "--no-sign-request", "--role-arn", roleARN,
		"--role-session-name", "cli", "--web-identity-token", token)
	if res.ExitCode != 0 {
		t.Fatalf("aws sts assume-role-with-web-identity: %s", res.Stderr)
	}
	var cli struct {
		AssumedRoleUser struct{ Arn string }
		Provider        string
	}
	if err := json.Unmarshal([]byte(res.Stdout), &cli); err != nil || cli.AssumedRoleUser.Arn != "arn:aws:sts::"+testAccount+":assumed-role/deploy/cli" ||
		cli.Provider != providerARN {
		t.Fatalf("aws CLI printed %s (%v)", res.Stdout, err)
	}
}

// TestSTSWebIdentityCognitoOpenIDToken: an identity pool's OpenID token
// (GetOpenIdToken) is exchanged, in the basic authflow, for credentials
// of a role that trusts cognito-identity.amazonaws.com for the pool.
func TestSTSWebIdentityCognitoOpenIDToken(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	pool, err := ci.NewFromConfig(env.Config).CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("guests"),
		AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymous(env).GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := identityRole(t, env, "guest", cognitoTrust(poolID, "unauthenticated"))
	out, err := unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &roleARN,
		RoleSessionName: aws.String("guest"), WebIdentityToken: tok.Token})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Provider) != "cognito-identity.amazonaws.com" || aws.ToString(out.Audience) != poolID ||
		aws.ToString(out.SubjectFromWebIdentityToken) != aws.ToString(id.IdentityId) {
		t.Fatalf("AssumeRoleWithWebIdentity = %+v", out)
	}
	// The trust policy's amr condition is weighed.
	members := identityRole(t, env, "members", cognitoTrust(poolID, "authenticated"))
	_, err = unsignedSTS(env).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &members,
		RoleSessionName: aws.String("guest"), WebIdentityToken: tok.Token})
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
}

// TestSTSDecodeAuthorizationMessage: virga's AccessDenied answers carry
// no encoded message, so whatever is given is one STS cannot decode.
func TestSTSDecodeAuthorizationMessage(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	_, err := sts.NewFromConfig(env.Config).DecodeAuthorizationMessage(context.Background(),
		&sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("rHU-pVHMSckD0OAc5l3r9")})
	expectAPIError(t, err, "InvalidAuthorizationMessageException", http.StatusBadRequest)
}
