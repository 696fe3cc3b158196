package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestCLIStartSyncExecutionNoHostPrefix: Debian's aws CLI sends
// start-sync-execution to sync-HOST, which for 127.0.0.1 resolves
// nowhere; with scripts/awscli-plugin/virga_no_host_prefix.py loaded
// it calls the endpoint as given, and the express execution answers.
func TestCLIStartSyncExecutionNoHostPrefix(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	plugin, err := filepath.Abs("../../scripts/awscli-plugin")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[plugins]\ncli_legacy_plugin_path = "+plugin+
		"\nvirga_no_host_prefix = virga_no_host_prefix\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cliOK(t, env.CLI(t, "stepfunctions", "create-state-machine", "--name", "quick", "--type", "EXPRESS",
		"--role-arn", "arn:aws:iam::000000000000:role/sfn",
		"--definition", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"End":true}}}`), "create-state-machine")
	args := []string{"stepfunctions", "start-sync-execution", "--input", "{}",
		"--state-machine-arn", "arn:aws:states:us-east-1:000000000000:stateMachine:quick"}

	// Without the plugin: the CLI's own sync- host.
	if res := env.CLI(t, args...); res.ExitCode == 0 || !strings.Contains(res.Stderr, "sync-127.0.0.1") {
		t.Errorf("without the plugin: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	var out struct{ Status, Output string }
	cliJSON(t, env.CLIWith(t, map[string]string{"AWS_CONFIG_FILE": config}, args...), &out)
	if out.Status != "SUCCEEDED" || out.Output != `{"ok":true}` {
		t.Fatalf("start-sync-execution: %+v", out)
	}
}
