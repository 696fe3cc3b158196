package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/virga/virga/internal/testenv"
)

// Python is the interpreter boto3 tests run: Debian's, with Debian's
// python3-boto3.
const Python = "/usr/bin/python3"

// Boto3 runs a Python script that uses boto3 against this virga and
// returns what it printed. The script finds the endpoint in
// VIRGA_ENDPOINT, and any variables in extra; it runs with an empty
// home (no configuration or credentials of the machine's) and one
// attempt per call. A missing boto3 fails the test under CI and skips it
// elsewhere, as testenv.Require does.
func (e *Env) Boto3(t testing.TB, script string, extra ...string) []byte {
	t.Helper()
	RequireTool(t, Python)
	if err := exec.Command(Python, "-c", "import boto3").Run(); err != nil {
		testenv.Require(t, "boto3 is missing for "+Python+" (Debian package python3-boto3)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, "-c", script)
	home := t.TempDir()
	cmd.Env = append([]string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + home + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials",
		"AWS_MAX_ATTEMPTS=1", "VIRGA_ENDPOINT=" + e.Endpoint,
	}, extra...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("boto3: %v\n%s\n%s", err, out, stderr)
	}
	return out
}
