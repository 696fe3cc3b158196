package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestS3LifecycleAndWebsiteCLI sets a lifecycle configuration with
// s3api and a website with "aws s3 website", as a newcomer would, and
// reads both back.
func TestS3LifecycleAndWebsiteCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	dir := t.TempDir()
	cliOK(t, env.CLI(t, "s3", "mb", "s3://cli-site"), "mb")
	lc := filepath.Join(dir, "lifecycle.json")
	os.WriteFile(lc, []byte(`{"Rules":[{"ID":"tmp","Status":"Enabled","Filter":{"Prefix":"tmp/"},"Expiration":{"Days":3}}]}`), 0o644)
	cliOK(t, env.CLI(t, "s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-site", "--lifecycle-configuration", "file://"+lc), "put lifecycle")
	var got struct {
		Rules []struct {
			ID         string
			Expiration struct{ Days int }
		}
	}
	cliJSON(t, env.CLI(t, "s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-site"), &got)
	if len(got.Rules) != 1 || got.Rules[0].ID != "tmp" || got.Rules[0].Expiration.Days != 3 {
		t.Errorf("lifecycle read back: %+v", got)
	}
	res := env.CLI(t, "s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-site", "--lifecycle-configuration",
		`{"Rules":[{"Status":"Enabled","Filter":{},"Expiration":{"Days":0}}]}`)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "'Days' for Expiration action must be a positive integer") {
		t.Errorf("Days 0: exit %d, %s", res.ExitCode, res.Stderr)
	}

	index := filepath.Join(dir, "index.html")
	os.WriteFile(index, []byte("<h1>cli</h1>"), 0o644)
	cliOK(t, env.CLI(t, "s3", "cp", index, "s3://cli-site/index.html"), "cp")
	cliOK(t, env.CLI(t, "s3", "website", "s3://cli-site/", "--index-document", "index.html", "--error-document", "error.html"), "website")
	var w struct {
		IndexDocument struct{ Suffix string }
		ErrorDocument struct{ Key string }
	}
	cliJSON(t, env.CLI(t, "s3api", "get-bucket-website", "--bucket", "cli-site"), &w)
	if w.IndexDocument.Suffix != "index.html" || w.ErrorDocument.Key != "error.html" {
		t.Errorf("website read back: %+v", w)
	}
	if st, _, body := websiteGet(t, env, "GET", "cli-site.s3-website-us-east-1.localhost", "/"); st != 200 || body != "<h1>cli</h1>" {
		t.Errorf("website: %d %q", st, body)
	}
	// The error document is missing: S3's page says so twice.
	if st, _, body := websiteGet(t, env, "GET", "cli-site.s3-website-us-east-1.localhost", "/nope"); st != 404 ||
		!strings.Contains(body, "An Error Occurred While Attempting to Retrieve a Custom Error Document") || !strings.Contains(body, "<li>Key: error.html</li>") {
		t.Errorf("missing error document: %d %s", st, body)
	}
}
