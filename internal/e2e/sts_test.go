package e2e_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

var (
	tempKeyRe  = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	roleIDRe   = regexp.MustCompile(`^(AROA[A-Z0-9]{17}):(.+)$`)
	sigv4Mode  = e2e.WithConfig(func(c *config.Config) { c.Auth = config.AuthSigV4 })
	testRole   = "arn:aws:iam::" + testAccount + ":role/deployer"
	assumedArn = "arn:aws:sts::" + testAccount + ":assumed-role/deployer/"
)

// assumeRole assumes testRole as session with client, failing the test on
// error.
func assumeRole(t testing.TB, client *sts.Client, session string, duration int32) *sts.AssumeRoleOutput {
	t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(testRole), RoleSessionName: aws.String(session)}
	if duration != 0 {
		in.DurationSeconds = aws.Int32(duration)
	}
	out, err := client.AssumeRole(context.Background(), in)
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	return out
}

// checkTempCredentials asserts the shape AWS gives temporary credentials.
func checkTempCredentials(t testing.TB, c *ststypes.Credentials, wantExpiry time.Time) {
	t.Helper()
	if c == nil {
		t.Fatal("no Credentials")
	}
	if !tempKeyRe.MatchString(aws.ToString(c.AccessKeyId)) {
		t.Errorf("AccessKeyId %q: want ASIA and 16 more upper-case letters or digits", aws.ToString(c.AccessKeyId))
	}
	if n := len(aws.ToString(c.SecretAccessKey)); n != 40 {
		t.Errorf("SecretAccessKey has %d characters, want 40", n)
	}
	if aws.ToString(c.SessionToken) == "" {
		t.Error("SessionToken is empty")
	}
	if c.Expiration == nil {
		t.Fatal("no Expiration")
	}
	within(t, "Expiration", *c.Expiration, wantExpiry, time.Minute)
}

func TestSTSGetCallerIdentityAnyCredentials(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	for _, creds := range [][2]string{{"test", "test"}, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, {"anything", "at-all"}} {
		out, err := stsClient(env, creds[0], creds[1], "").GetCallerIdentity(context.Background(), nil)
		if err != nil {
			t.Fatalf("GetCallerIdentity as %s: %v", creds[0], err)
		}
		if got := aws.ToString(out.Account); got != testAccount {
			t.Errorf("as %s: Account = %q, want %q", creds[0], got, testAccount)
		}
		if got, want := aws.ToString(out.Arn), "arn:aws:iam::"+testAccount+":root"; got != want {
			t.Errorf("as %s: Arn = %q, want %q", creds[0], got, want)
		}
		if got := aws.ToString(out.UserId); got != testAccount {
			t.Errorf("as %s: UserId = %q, want the account id (the root user's id)", creds[0], got)
		}
	}
}

func TestSTSGetCallerIdentityOtherAccount(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithConfig(func(c *config.Config) { c.AccountID = "123456789012" }))
	out, err := stsClient(env, "test", "test", "").GetCallerIdentity(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:root" {
		t.Errorf("GetCallerIdentity = %s %s, want account 123456789012's root", aws.ToString(out.Account), aws.ToString(out.Arn))
	}
}

func TestSTSAssumeRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	client := stsClient(env, "test", "test", "")
	before := time.Now()
	out := assumeRole(t, client, "alice", 0)
	checkTempCredentials(t, out.Credentials, before.Add(time.Hour))

	u := out.AssumedRoleUser
	if u == nil {
		t.Fatal("no AssumedRoleUser")
	}
	if got := aws.ToString(u.Arn); got != assumedArn+"alice" {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, assumedArn+"alice")
	}
	m := roleIDRe.FindStringSubmatch(aws.ToString(u.AssumedRoleId))
	if m == nil || m[2] != "alice" {
		t.Fatalf("AssumedRoleId = %q, want AROA + 17 characters + :alice", aws.ToString(u.AssumedRoleId))
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize = %d without a session policy or tags, want it absent", *out.PackedPolicySize)
	}

	// The role's id is the role's, not the session's: the same on every
	// assumption of the role, with new credentials each time.
	again := assumeRole(t, client, "bob", 0)
	m2 := roleIDRe.FindStringSubmatch(aws.ToString(again.AssumedRoleUser.AssumedRoleId))
	if m2 == nil || m2[1] != m[1] || m2[2] != "bob" {
		t.Errorf("second AssumedRoleId = %q, want %s:bob", aws.ToString(again.AssumedRoleUser.AssumedRoleId), m[1])
	}
	if aws.ToString(again.Credentials.AccessKeyId) == aws.ToString(out.Credentials.AccessKeyId) {
		t.Error("two AssumeRole calls returned the same access key id")
	}

	// Another role has another id.
	other, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/other"), RoleSessionName: aws.String("alice"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(aws.ToString(other.AssumedRoleUser.AssumedRoleId), m[1]) {
		t.Errorf("roles deployer and other share the role id %s", m[1])
	}
}

func TestSTSAssumeRoleWithPathAndOptions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	before := time.Now()
	out, err := stsClient(env, "test", "test", "").AssumeRole(context.Background(), &sts.AssumeRoleInput{
		// A role's path is not part of its assumed-role ARN.
		RoleArn:         aws.String("arn:aws:iam::111122223333:role/service-role/team/Builder"),
		RoleSessionName: aws.String("ci.run=42@example.com"),
		DurationSeconds: aws.Int32(7200),
		Policy:          aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
		Tags:            []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
		SourceIdentity:  aws.String("alice"),
		ExternalId:      aws.String("external-id-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTempCredentials(t, out.Credentials, before.Add(2*time.Hour))
	if got, want := aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::111122223333:assumed-role/Builder/ci.run=42@example.com"; got != want {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, want)
	}
	if out.PackedPolicySize == nil {
		t.Error("PackedPolicySize is absent with a session policy and tags")
	}
	if got := aws.ToString(out.SourceIdentity); got != "alice" {
		t.Errorf("SourceIdentity = %q, want alice", got)
	}
}

func TestSTSCallerIdentityOfAssumedRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	out := assumeRole(t, stsClient(env, "test", "test", ""), "carol", 0)
	c := out.Credentials
	id, err := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).GetCallerIdentity(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); got != assumedArn+"carol" {
		t.Errorf("Arn = %q, want %q", got, assumedArn+"carol")
	}
	if got, want := aws.ToString(id.UserId), aws.ToString(out.AssumedRoleUser.AssumedRoleId); got != want {
		t.Errorf("UserId = %q, want the AssumedRoleId %q", got, want)
	}
	if got := aws.ToString(id.Account); got != testAccount {
		t.Errorf("Account = %q, want %q", got, testAccount)
	}
}

func TestSTSGetSessionToken(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	before := time.Now()
	out, err := stsClient(env, "test", "test", "").GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTempCredentials(t, out.Credentials, before.Add(12*time.Hour))

	out2, err := stsClient(env, "test", "test", "").GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	checkTempCredentials(t, out2.Credentials, before.Add(15*time.Minute))

	// The session stands for the caller who asked for it.
	c := out.Credentials
	session := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	id, err := session.GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id.Arn), "arn:aws:iam::"+testAccount+":root"; got != want {
		t.Errorf("caller with session-token credentials: Arn = %q, want %q", got, want)
	}

	// Session credentials cannot get another session token, whether they
	// came from GetSessionToken or AssumeRole.
	_, err = session.GetSessionToken(ctx, nil)
	e := expectAPIError(t, err, "AccessDenied", http.StatusForbidden)
	if want := "Cannot call GetSessionToken with session credentials"; e.Message != want {
		t.Errorf("message = %q, want %q", e.Message, want)
	}
	r := assumeRole(t, stsClient(env, "test", "test", ""), "dave", 0).Credentials
	_, err = stsClient(env, *r.AccessKeyId, *r.SecretAccessKey, *r.SessionToken).GetSessionToken(ctx, nil)
	expectAPIError(t, err, "AccessDenied", http.StatusForbidden)

	// DurationSeconds is bounded by the API model: 900 to 129600.
	_, err = stsClient(env, "test", "test", "").GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	e = expectAPIError(t, err, "ValidationError", http.StatusBadRequest)
	if want := "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"; e.Message != want {
		t.Errorf("message = %q\nwant      %q", e.Message, want)
	}
}

func TestSTSGetAccessKeyInfo(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	out, err := stsClient(env, "test", "test", "").GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{
		AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Account); got != testAccount {
		t.Errorf("Account = %q, want %q", got, testAccount)
	}
	_, err = stsClient(env, "test", "test", "").GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{
		AccessKeyId: aws.String("short"),
	})
	e := expectAPIError(t, err, "ValidationError", http.StatusBadRequest)
	if want := "1 validation error detected: Value 'short' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"; e.Message != want {
		t.Errorf("message = %q\nwant      %q", e.Message, want)
	}
}

// TestSTSValidation sends what the SDK would refuse to send (or what it
// would send, but is wrong) and checks AWS's ValidationError wording.
func TestSTSValidation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	form := func(params ...string) string {
		v := url.Values{"Action": {"AssumeRole"}, "Version": {stsAPIVersion}}
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		return v.Encode()
	}
	const arn = "arn:aws:iam::000000000000:role/r"
	pattern := `Member must satisfy regular expression pattern: [\w+=,.@-]*`
	for _, tc := range []struct {
		name, body, code, message string
	}{
		{"missing RoleArn and short RoleSessionName",
			"Action=AssumeRole&Version=2011-06-15&RoleSessionName=x", "ValidationError",
			"2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
				"Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"missing everything", form(), "ValidationError",
			"2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"DurationSeconds too small", form("RoleArn", arn, "RoleSessionName", "s1", "DurationSeconds", "899"), "ValidationError",
			"1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"DurationSeconds too large", form("RoleArn", arn, "RoleSessionName", "s1", "DurationSeconds", "43201"), "ValidationError",
			"1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"RoleSessionName pattern", form("RoleArn", arn, "RoleSessionName", "has space!"), "ValidationError",
			"1 validation error detected: Value 'has space!' at 'roleSessionName' failed to satisfy constraint: " + pattern},
		{"RoleSessionName too long", form("RoleArn", arn, "RoleSessionName", strings.Repeat("a", 65)), "ValidationError",
			"1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"RoleArn too short", form("RoleArn", "arn:aws:iam::1:r", "RoleSessionName", "s1"), "ValidationError",
			"1 validation error detected: Value 'arn:aws:iam::1:r' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"RoleArn not a role", form("RoleArn", "arn:aws:iam::000000000000:user/alice", "RoleSessionName", "s1"), "ValidationError",
			"arn:aws:iam::000000000000:user/alice is invalid"},
		{"RoleArn not an ARN", form("RoleArn", "this-is-not-an-arn-at-all", "RoleSessionName", "s1"), "ValidationError",
			"this-is-not-an-arn-at-all is invalid"},
		{"Policy not JSON", form("RoleArn", arn, "RoleSessionName", "s1", "Policy", "{not json"), "MalformedPolicyDocument",
			"The policy is not in the valid JSON format."},
		{"DurationSeconds not a number", form("RoleArn", arn, "RoleSessionName", "s1", "DurationSeconds", "soon"), "ValidationError", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, env, formPost(tc.body))
			e := wantQueryError(t, resp, http.StatusBadRequest, tc.code)
			if tc.message != "" && e.Error.Message != tc.message {
				t.Errorf("message = %q\nwant      %q", e.Error.Message, tc.message)
			}
			if e.Error.Message == "" {
				t.Error("empty message")
			}
		})
	}
}

// TestSTSValidationThroughSDK checks that the SDK decodes STS's
// validation errors (it validates only required members itself).
func TestSTSValidationThroughSDK(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	client := stsClient(env, "test", "test", "")
	_, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(testRole), RoleSessionName: aws.String("s"), DurationSeconds: aws.Int32(60),
	})
	e := expectAPIError(t, err, "ValidationError", http.StatusBadRequest)
	want := "2 validation errors detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
		"Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
	if e.Message != want {
		t.Errorf("message = %q\nwant      %q", e.Message, want)
	}
	_, err = client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(testRole), RoleSessionName: aws.String("s1"), Policy: aws.String("[1,2"),
	})
	expectAPIError(t, err, "MalformedPolicyDocument", http.StatusBadRequest)
}

func TestSTSSigV4(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()

	t.Run("configured credentials", func(t *testing.T) {
		out, err := stsClient(env, "test", "test", "").GetCallerIdentity(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != testAccount {
			t.Errorf("Account = %q", aws.ToString(out.Account))
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		_, err := stsClient(env, "test", "wrong", "").GetCallerIdentity(ctx, nil)
		e := expectAPIError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
		if !strings.HasPrefix(e.Message, "The request signature we calculated does not match the signature you provided.") {
			t.Errorf("message = %q", e.Message)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		_, err := stsClient(env, "AKIANOTKNOWN", "test", "").GetCallerIdentity(ctx, nil)
		e := expectAPIError(t, err, "InvalidClientTokenId", http.StatusForbidden)
		if want := "The security token included in the request is invalid."; e.Message != want {
			t.Errorf("message = %q, want %q", e.Message, want)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		resp := do(t, env, rawRequest{
			Body:    "Action=GetCallerIdentity&Version=2011-06-15",
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		})
		e := wantQueryError(t, resp, http.StatusForbidden, "MissingAuthenticationToken")
		if want := "Request is missing Authentication Token"; e.Error.Message != want {
			t.Errorf("message = %q, want %q", e.Error.Message, want)
		}
	})
	t.Run("unsigned GET", func(t *testing.T) {
		resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/?Action=GetCallerIdentity&Version=2011-06-15"})
		wantQueryError(t, resp, http.StatusForbidden, "MissingAuthenticationToken")
	})
	t.Run("signed by hand", func(t *testing.T) {
		resp := do(t, env, formPost("Action=GetCallerIdentity&Version=2011-06-15"))
		if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "<Account>"+testAccount+"</Account>") {
			t.Fatalf("HTTP %d\n%s", resp.Status, resp.Body)
		}
	})
	t.Run("body changed after signing", func(t *testing.T) {
		req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
		hr, _ := http.NewRequest(http.MethodPost, env.Endpoint+"/", strings.NewReader(req.Body))
		hr.Header.Set("Content-Type", req.Headers["Content-Type"])
		if err := v4.NewSigner().SignHTTP(ctx, *req.Sign, hr, sha256Hex([]byte(req.Body)), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		tampered := "Action=GetCallerIdentity&Version=2011-06-15&X=1"
		resp := do(t, env, rawRequest{Body: tampered, Headers: map[string]string{
			"Content-Type":  req.Headers["Content-Type"],
			"Authorization": hr.Header.Get("Authorization"),
			"X-Amz-Date":    hr.Header.Get("X-Amz-Date"),
		}})
		wantQueryError(t, resp, http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("signed 16 minutes ago", func(t *testing.T) {
		req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
		req.SignAt = time.Now().Add(-16 * time.Minute)
		e := wantQueryError(t, do(t, env, req), http.StatusForbidden, "SignatureDoesNotMatch")
		if !regexp.MustCompile(`^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$`).MatchString(e.Error.Message) {
			t.Errorf("message = %q, want AWS's skew message", e.Error.Message)
		}
	})
	t.Run("signed 16 minutes ahead", func(t *testing.T) {
		req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
		req.SignAt = time.Now().Add(16 * time.Minute)
		e := wantQueryError(t, do(t, env, req), http.StatusForbidden, "SignatureDoesNotMatch")
		if !strings.HasPrefix(e.Error.Message, "Signature not yet current: ") {
			t.Errorf("message = %q, want AWS's skew message", e.Error.Message)
		}
	})
	t.Run("signed 14 minutes ago", func(t *testing.T) {
		req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
		req.SignAt = time.Now().Add(-14 * time.Minute)
		if resp := do(t, env, req); resp.Status != http.StatusOK {
			t.Fatalf("HTTP %d\n%s", resp.Status, resp.Body)
		}
	})
	t.Run("malformed authorization", func(t *testing.T) {
		resp := do(t, env, rawRequest{
			Body: "Action=GetCallerIdentity&Version=2011-06-15",
			Headers: map[string]string{
				"Content-Type":  "application/x-www-form-urlencoded",
				"Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sts/aws4_request",
			},
		})
		wantQueryError(t, resp, http.StatusBadRequest, "IncompleteSignature")
	})
}

func TestSTSSigV4TemporaryCredentials(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()
	out := assumeRole(t, stsClient(env, "test", "test", ""), "eve", 0)
	c := out.Credentials

	id, err := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatalf("GetCallerIdentity with AssumeRole credentials: %v", err)
	}
	if got := aws.ToString(id.Arn); got != assumedArn+"eve" {
		t.Errorf("Arn = %q, want %q", got, assumedArn+"eve")
	}

	// Temporary credentials are nothing without their token.
	_, err = stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, "").GetCallerIdentity(ctx, nil)
	expectAPIError(t, err, "InvalidClientTokenId", http.StatusForbidden)
	_, err = stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, "not-the-token").GetCallerIdentity(ctx, nil)
	expectAPIError(t, err, "InvalidClientTokenId", http.StatusForbidden)
	// Nor with another secret.
	_, err = stsClient(env, *c.AccessKeyId, "wrong-secret-wrong-secret-wrong-secret-!", *c.SessionToken).GetCallerIdentity(ctx, nil)
	expectAPIError(t, err, "SignatureDoesNotMatch", http.StatusForbidden)

	// GetSessionToken credentials are verified the same way.
	st, err := stsClient(env, "test", "test", "").GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := st.Credentials
	if _, err := stsClient(env, *sc.AccessKeyId, *sc.SecretAccessKey, *sc.SessionToken).GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("GetCallerIdentity with GetSessionToken credentials: %v", err)
	}
	_, err = stsClient(env, *sc.AccessKeyId, *sc.SecretAccessKey, "").GetCallerIdentity(ctx, nil)
	expectAPIError(t, err, "InvalidClientTokenId", http.StatusForbidden)
}

// TestSTSSigV4CredentialsExpire moves virga's clock, not the SDK's: the
// SDK signs with the real time, so every advance before the last stays
// under the 15 minutes of allowed skew. Expiry is checked before the
// signature, so the last one may go past it.
func TestSTSSigV4CredentialsExpire(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode, e2e.WithFakeClock())
	ctx := context.Background()
	out := assumeRole(t, stsClient(env, "test", "test", ""), "short", 900)
	c := out.Credentials
	within(t, "Expiration", *c.Expiration, env.Clock.Now().Add(900*time.Second), time.Second)
	client := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)

	env.Clock.Advance(899 * time.Second)
	if _, err := client.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("1 s before expiry: %v", err)
	}

	env.Clock.Advance(2 * time.Second)
	_, err := client.GetCallerIdentity(ctx, nil)
	e := wantAPIError(t, err)
	if want := (apiError{"ExpiredToken", "The security token included in the request is expired", http.StatusForbidden}); e != want {
		t.Errorf("1 s after expiry: got %+v\nwant %+v", e, want)
	}

	// Long-term credentials are unaffected (after the clock comes back
	// within the SDK's skew).
	env.Clock.Set(time.Now())
	if _, err := stsClient(env, "test", "test", "").GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("test:test after the clock moved: %v", err)
	}

	// A day after expiry virga forgets the credentials: they are unknown.
	env.Clock.Advance(25 * time.Hour)
	_, err = client.GetCallerIdentity(ctx, nil)
	expectAPIError(t, err, "InvalidClientTokenId", http.StatusForbidden)
}

// TestSTSPresignedGetCallerIdentity is how EKS tokens and Vault's AWS auth
// prove an identity: a presigned GetCallerIdentity URL.
func TestSTSPresignedGetCallerIdentity(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()

	presign := func(t *testing.T, creds aws.Credentials, at time.Time, expires string) string {
		t.Helper()
		q := url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsAPIVersion}}
		if expires != "" {
			q.Set("X-Amz-Expires", expires)
		}
		r, err := http.NewRequest(http.MethodGet, env.Endpoint+"/?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := v4.NewSigner().PresignHTTP(ctx, creds, r, sha256Hex(nil), "sts", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	get := func(t *testing.T, u string) rawResponse {
		t.Helper()
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return do(t, env, rawRequest{Method: http.MethodGet, Path: pu.RequestURI()})
	}
	type identity struct {
		Result struct {
			Arn, UserId, Account string
		} `xml:"GetCallerIdentityResult"`
	}

	t.Run("works", func(t *testing.T) {
		for _, expires := range []string{"60", ""} {
			resp := get(t, presign(t, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, time.Now(), expires))
			if resp.Status != http.StatusOK {
				t.Fatalf("X-Amz-Expires=%q: HTTP %d\n%s", expires, resp.Status, resp.Body)
			}
			var id identity
			if err := xml.Unmarshal(resp.Body, &id); err != nil {
				t.Fatal(err)
			}
			if id.Result.Account != testAccount {
				t.Errorf("Account = %q in\n%s", id.Result.Account, resp.Body)
			}
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		resp := get(t, presign(t, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"}, time.Now(), "60"))
		wantQueryError(t, resp, http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("expired", func(t *testing.T) {
		resp := get(t, presign(t, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, time.Now().Add(-2*time.Minute), "60"))
		e := wantQueryError(t, resp, http.StatusForbidden, "SignatureDoesNotMatch")
		if e.Error.Message != "Request has expired" {
			t.Errorf("message = %q, want %q", e.Error.Message, "Request has expired")
		}
	})
	t.Run("assumed role", func(t *testing.T) {
		c := assumeRole(t, stsClient(env, "test", "test", ""), "presigner", 0).Credentials
		creds := aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
		resp := get(t, presign(t, creds, time.Now(), "60"))
		if resp.Status != http.StatusOK {
			t.Fatalf("HTTP %d\n%s", resp.Status, resp.Body)
		}
		var id identity
		if err := xml.Unmarshal(resp.Body, &id); err != nil {
			t.Fatal(err)
		}
		if id.Result.Arn != assumedArn+"presigner" {
			t.Errorf("Arn = %q, want %q", id.Result.Arn, assumedArn+"presigner")
		}
	})
	t.Run("SDK presign client", func(t *testing.T) {
		pc := sts.NewPresignClient(stsClient(env, "test", "test", ""))
		req, err := pc.PresignGetCallerIdentity(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range req.SignedHeader {
			if strings.EqualFold(k, "Host") {
				continue
			}
			for _, v := range vs {
				hr.Header.Add(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: HTTP %d", req.Method, req.URL, resp.StatusCode)
		}
	})
}

// TestSTSAssumeRoleMaxSessionDuration: a session may last as long as its
// role's MaxSessionDuration and no longer.
func TestSTSAssumeRoleMaxSessionDuration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	role, err := iamClient(env).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("long"), MaxSessionDuration: aws.Int32(7200),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	assume := func(seconds int32) error {
		_, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn,
			RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(seconds)})
		return err
	}
	if err := assume(7200); err != nil {
		t.Fatal(err)
	}
	if got := expectAPIError(t, assume(7201), "ValidationError", http.StatusBadRequest); got.Message != "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." {
		t.Fatalf("message = %q", got.Message)
	}
}
