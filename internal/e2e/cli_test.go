package e2e_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/e2e"
)

// cliJSON decodes the aws CLI's JSON output, failing the test if the
// command failed.
func cliJSON(t testing.TB, res e2e.CLIResult, v any) {
	t.Helper()
	if res.ExitCode != 0 {
		t.Fatalf("aws exited %d\nstdout: %s\nstderr: %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
		t.Fatalf("aws printed no JSON (%v):\n%s\nstderr: %s", err, res.Stdout, res.Stderr)
	}
}

type cliIdentity struct {
	UserId, Account, Arn string
}

func TestCLIGetCallerIdentityAnyCredentials(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	for _, creds := range [][2]string{{"test", "test"}, {"AKIAANYTHING", "whatever-secret"}} {
		var id cliIdentity
		cliJSON(t, env.CLIWith(t, map[string]string{
			"AWS_ACCESS_KEY_ID": creds[0], "AWS_SECRET_ACCESS_KEY": creds[1],
		}, "sts", "get-caller-identity"), &id)
		if id.Account != testAccount || id.Arn != "arn:aws:iam::"+testAccount+":root" {
			t.Errorf("as %s: %+v, want account %s's root", creds[0], id, testAccount)
		}
	}
}

func TestCLISigV4(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t, sigv4Mode)

	res := env.CLIWith(t, map[string]string{"AWS_SECRET_ACCESS_KEY": "wrong"}, "sts", "get-caller-identity")
	if res.ExitCode == 0 {
		t.Errorf("wrong secret: aws exited 0\nstdout: %s", res.Stdout)
	}
	if !strings.Contains(res.Stderr, "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: stderr does not name SignatureDoesNotMatch:\n%s", res.Stderr)
	}

	res = env.CLIWith(t, map[string]string{"AWS_ACCESS_KEY_ID": "AKIAUNKNOWN"}, "sts", "get-caller-identity")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidClientTokenId") {
		t.Errorf("unknown key: exit %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}

	var id cliIdentity
	cliJSON(t, env.CLI(t, "sts", "get-caller-identity"), &id)
	if id.Account != testAccount {
		t.Errorf("test:test: %+v", id)
	}
}

// TestCLIAssumeRole uses the credentials the aws CLI got from assume-role
// the way a shell script would: in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN.
func TestCLIAssumeRole(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t, sigv4Mode)
	var out struct {
		Credentials struct {
			AccessKeyId, SecretAccessKey, SessionToken, Expiration string
		}
		AssumedRoleUser struct{ AssumedRoleId, Arn string }
	}
	cliJSON(t, env.CLI(t, "sts", "assume-role", "--role-arn", testRole, "--role-session-name", "cli-session",
		"--duration-seconds", "900"), &out)
	c := out.Credentials
	if !tempKeyRe.MatchString(c.AccessKeyId) || len(c.SecretAccessKey) != 40 || c.SessionToken == "" {
		t.Fatalf("credentials: %+v", c)
	}
	if exp, err := time.Parse(time.RFC3339, c.Expiration); err != nil {
		t.Errorf("Expiration %q: %v", c.Expiration, err)
	} else {
		within(t, "Expiration", exp, time.Now().Add(15*time.Minute), time.Minute)
	}
	if out.AssumedRoleUser.Arn != assumedArn+"cli-session" {
		t.Errorf("AssumedRoleUser.Arn = %q", out.AssumedRoleUser.Arn)
	}

	var id cliIdentity
	cliJSON(t, env.CLIWith(t, map[string]string{
		"AWS_ACCESS_KEY_ID": c.AccessKeyId, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey, "AWS_SESSION_TOKEN": c.SessionToken,
	}, "sts", "get-caller-identity"), &id)
	if id.Arn != assumedArn+"cli-session" || id.UserId != out.AssumedRoleUser.AssumedRoleId {
		t.Errorf("get-caller-identity with the assumed role's credentials: %+v", id)
	}

	res := env.CLIWith(t, map[string]string{
		"AWS_ACCESS_KEY_ID": c.AccessKeyId, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey,
	}, "sts", "get-caller-identity")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidClientTokenId") {
		t.Errorf("without the session token: exit %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
}

// boto3Script asks STS who it is, assumes a role, and asks again with the
// role's credentials; it prints the two identities as JSON.
const boto3Script = `
import json, os, boto3
kw = dict(endpoint_url=os.environ["VIRGA_ENDPOINT"], region_name="us-east-1")
sts = boto3.client("sts", aws_access_key_id="test", aws_secret_access_key="test", **kw)
me = sts.get_caller_identity()
role = sts.assume_role(RoleArn=os.environ["ROLE_ARN"], RoleSessionName="boto3-session")
c = role["Credentials"]
assumed = boto3.client("sts", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                       aws_session_token=c["SessionToken"], **kw).get_caller_identity()
try:
    boto3.client("sts", aws_access_key_id="test", aws_secret_access_key="wrong", **kw).get_caller_identity()
    denied = ""
except Exception as e:
    denied = e.response["Error"]["Code"]
print(json.dumps({"me": me["Arn"], "assumed": assumed["Arn"], "account": assumed["Account"], "denied": denied}))
`

func TestBoto3STS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	out := env.Boto3(t, boto3Script, "ROLE_ARN="+testRole)
	var got struct{ Me, Assumed, Account, Denied string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := struct{ Me, Assumed, Account, Denied string }{
		Me: "arn:aws:iam::" + testAccount + ":root", Assumed: assumedArn + "boto3-session",
		Account: testAccount, Denied: "SignatureDoesNotMatch",
	}
	if got != want {
		t.Errorf("boto3 saw %+v\nwant      %+v", got, want)
	}
}
