package e2e_test

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestCLISSM drives Parameter Store with Debian's aws CLI: put, get with
// decryption, the path listing, history, and an error.
func TestCLISSM(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)

	var put struct {
		Version int64
		Tier    string
	}
	cliJSON(t, env.CLI(t, "ssm", "put-parameter", "--name", "/cli/token", "--type", "SecureString", "--value", "t0ken"), &put)
	if put.Version != 1 || put.Tier != "Standard" {
		t.Fatalf("put-parameter: %+v", put)
	}
	cliJSON(t, env.CLI(t, "ssm", "put-parameter", "--name", "/cli/list", "--type", "StringList", "--value", "a,b,c"), &put)

	var got struct {
		Parameter struct{ Name, Type, Value string }
	}
	cliJSON(t, env.CLI(t, "ssm", "get-parameter", "--name", "/cli/token", "--with-decryption"), &got)
	if got.Parameter.Value != "t0ken" || got.Parameter.Type != "SecureString" {
		t.Errorf("get-parameter --with-decryption: %+v", got)
	}
	var byPath struct {
		Parameters []struct{ Name, Value string }
	}
	cliJSON(t, env.CLI(t, "ssm", "get-parameters-by-path", "--path", "/cli"), &byPath)
	if len(byPath.Parameters) != 2 || byPath.Parameters[0].Name != "/cli/list" || byPath.Parameters[0].Value != "a,b,c" ||
		byPath.Parameters[1].Value == "t0ken" {
		t.Errorf("get-parameters-by-path: %+v", byPath)
	}
	var hist struct {
		Parameters []struct{ Version int64 }
	}
	cliJSON(t, env.CLI(t, "ssm", "get-parameter-history", "--name", "/cli/list"), &hist)
	if len(hist.Parameters) != 1 || hist.Parameters[0].Version != 1 {
		t.Errorf("get-parameter-history: %+v", hist)
	}
	res := env.CLI(t, "ssm", "get-parameter", "--name", "/cli/none")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ParameterNotFound") {
		t.Errorf("missing parameter: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
	res = env.CLI(t, "ssm", "put-parameter", "--name", "/cli/list", "--type", "String", "--value", "x")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ParameterAlreadyExists") {
		t.Errorf("existing parameter: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
}
