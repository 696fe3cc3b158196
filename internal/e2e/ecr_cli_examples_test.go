package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// TestECRCLILifecyclePolicyText: ECR answers a lifecycle policy put from
// an indented file without its whitespace, as the CLI reference's
// put-lifecycle-policy and get-lifecycle-policy examples show.
func TestECRCLILifecyclePolicyText(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	if res := env.CLI(t, "ecr", "create-repository", "--repository-name", "project-a/amazon-ecs-sample"); res.ExitCode != 0 {
		t.Fatalf("create-repository: %s", res.Stderr)
	}
	file := filepath.Join(t.TempDir(), "policy.json")
	policy := `{
   "rules": [
       {
           "rulePriority": 1,
           "description": "Expire images older than 14 days",
           "selection": {
               "tagStatus": "untagged",
               "countType": "sinceImagePushed",
               "countUnit": "days",
               "countNumber": 14
           },
           "action": {
               "type": "expire"
           }
       }
   ]
}
`
	if err := os.WriteFile(file, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	const want = `{"rules":[{"rulePriority":1,"description":"Expire images older than 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
	for _, args := range [][]string{
		{"ecr", "put-lifecycle-policy", "--repository-name", "project-a/amazon-ecs-sample", "--lifecycle-policy-text", "file://" + file},
		{"ecr", "get-lifecycle-policy", "--repository-name", "project-a/amazon-ecs-sample"},
	} {
		res := env.CLI(t, args...)
		var out struct {
			LifecyclePolicyText string `json:"lifecyclePolicyText"`
		}
		if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &out) != nil || out.LifecyclePolicyText != want {
			t.Errorf("%s: %d %s %s", args[1], res.ExitCode, res.Stdout, res.Stderr)
		}
	}
}
