package e2e_test

import (
	"encoding/json"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestECRCLIImageScanningConfiguration: the CLI reference's
// put-image-scanning-configuration example answers the repository's new
// setting, and describe-repositories shows it.
func TestECRCLIImageScanningConfiguration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	if res := env.CLI(t, "ecr", "create-repository", "--repository-name", "sample-repo"); res.ExitCode != 0 {
		t.Fatalf("create-repository: %s", res.Stderr)
	}
	res := env.CLI(t, "ecr", "put-image-scanning-configuration", "--repository-name", "sample-repo", "--image-scanning-configuration", "scanOnPush=true")
	var put struct {
		RegistryId                 string `json:"registryId"`
		RepositoryName             string `json:"repositoryName"`
		ImageScanningConfiguration struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
	}
	if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &put) != nil ||
		put.RegistryId != "000000000000" || put.RepositoryName != "sample-repo" || !put.ImageScanningConfiguration.ScanOnPush {
		t.Fatalf("put-image-scanning-configuration: %d %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = env.CLI(t, "ecr", "describe-repositories", "--repository-names", "sample-repo", "--query", "repositories[0].imageScanningConfiguration.scanOnPush")
	if res.ExitCode != 0 || res.Stdout != "true\n" {
		t.Errorf("describe-repositories: %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
	}
}
