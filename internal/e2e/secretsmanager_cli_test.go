package e2e_test

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestCLISecretsManager drives Secrets Manager with Debian's aws CLI:
// create, read, a new value, describe, a random password, and deletion.
func TestCLISecretsManager(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)

	var created struct{ ARN, Name, VersionId string }
	cliJSON(t, env.CLI(t, "secretsmanager", "create-secret", "--name", "cli/secret", "--secret-string", `{"k":"v"}`), &created)
	if created.Name != "cli/secret" || !strings.HasPrefix(created.ARN, "arn:aws:secretsmanager:us-east-1:"+testAccount+":secret:cli/secret-") || created.VersionId == "" {
		t.Fatalf("create-secret: %+v", created)
	}
	var val struct {
		SecretString  string
		VersionStages []string
	}
	cliJSON(t, env.CLI(t, "secretsmanager", "get-secret-value", "--secret-id", created.ARN), &val)
	if val.SecretString != `{"k":"v"}` || strings.Join(val.VersionStages, ",") != "AWSCURRENT" {
		t.Errorf("get-secret-value: %+v", val)
	}
	cliJSON(t, env.CLI(t, "secretsmanager", "put-secret-value", "--secret-id", "cli/secret", "--secret-string", "second"), &created)
	var desc struct {
		Name               string
		VersionIdsToStages map[string][]string
	}
	cliJSON(t, env.CLI(t, "secretsmanager", "describe-secret", "--secret-id", "cli/secret"), &desc)
	if len(desc.VersionIdsToStages) != 2 {
		t.Errorf("describe-secret: %+v", desc)
	}
	var pw struct{ RandomPassword string }
	cliJSON(t, env.CLI(t, "secretsmanager", "get-random-password", "--password-length", "16", "--exclude-punctuation"), &pw)
	if len(pw.RandomPassword) != 16 || strings.ContainsAny(pw.RandomPassword, "!#$%&*+,-./:;<=>?@^_~") {
		t.Errorf("get-random-password: %q", pw.RandomPassword)
	}
	var del struct{ Name string }
	cliJSON(t, env.CLI(t, "secretsmanager", "delete-secret", "--secret-id", "cli/secret", "--recovery-window-in-days", "7"), &del)
	res := env.CLI(t, "secretsmanager", "get-secret-value", "--secret-id", "cli/secret")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidRequestException") || !strings.Contains(res.Stderr, "marked for deletion") {
		t.Errorf("deleted secret: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
}
