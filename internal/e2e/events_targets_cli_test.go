package e2e_test

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestCLIEventBridgePutTargetsInvalidInput checks that PutTargets refuses
// the whole request, as AWS does, when a target's Input is not JSON or
// it gives more than one of Input, InputPath and InputTransformer: the
// aws CLI exits with the ValidationException, and the rule keeps no
// target from the request.
func TestCLIEventBridgePutTargetsInvalidInput(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	cliJSON(t, env.CLI(t, "events", "put-rule", "--name", "r", "--event-pattern", `{"source":["my.app"]}`), &struct{}{})
	q := "arn:aws:sqs:us-east-1:" + testAccount + ":q"

	for _, c := range []struct{ targets, want string }{
		{`[{"Id":"ok","Arn":"` + q + `"},{"Id":"t2","Arn":"` + q + `","Input":"{'a':1}"}]`,
			`JSON syntax error in input for target t2: [Source: (String)"{'a':1}"; line: 1, column: 3]`},
		{`[{"Id":"t3","Arn":"` + q + `","Input":"{}","InputPath":"$.detail"}]`,
			"Only one of Input, InputPath, or InputTransformer must be provided."},
	} {
		res := env.CLI(t, "events", "put-targets", "--rule", "r", "--targets", c.targets)
		if res.ExitCode == 0 || !strings.Contains(res.Stderr, "(ValidationException)") || !strings.Contains(res.Stderr, "operation: "+c.want) && !strings.Contains(res.Stderr, "): "+c.want) {
			t.Errorf("put-targets %s: exit %d\nstdout: %s\nstderr: %s\nwant %s", c.targets, res.ExitCode, res.Stdout, res.Stderr, c.want)
		}
	}
	var list struct{ Targets []struct{ Id string } }
	cliJSON(t, env.CLI(t, "events", "list-targets-by-rule", "--rule", "r"), &list)
	if len(list.Targets) != 0 {
		t.Errorf("targets after refused requests: %+v, want none", list.Targets)
	}
}
