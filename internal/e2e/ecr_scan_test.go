package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/virga/virga/internal/e2e"
)

// TestECRImageScan: StartImageScan's scan is IN_PROGRESS, then COMPLETE
// with no findings; a second scan within 24 hours is refused; an image
// never scanned has no findings to describe; DescribeImages shows the
// scan; scanOnPush scans what is pushed.
func TestECRImageScan(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := ecr.NewFromConfig(env.Config)
	ctx := context.Background()
	createRepo(t, c, "scan/app")
	img := pushImage(t, env, registryAddr(env)+"/scan/app:v1", 1)
	digest := mustDigest(t, img).String()
	byTag := &ecrtypes.ImageIdentifier{ImageTag: aws.String("v1")}

	_, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("scan/app"), ImageId: byTag})
	e := expectAPIError(t, err, "ScanNotFoundException", 400)
	if want := "Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the repository with name 'scan/app' in the registry with id '" + testAccount + "'"; e.Message != want {
		t.Errorf("ScanNotFoundException: %q; want %q", e.Message, want)
	}
	_, err = c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("scan/app"), ImageId: &ecrtypes.ImageIdentifier{ImageTag: aws.String("nope")}})
	expectAPIError(t, err, "ImageNotFoundException", 400)
	_, err = c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("nope"), ImageId: byTag})
	expectAPIError(t, err, "RepositoryNotFoundException", 400)

	started, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("scan/app"), ImageId: byTag})
	if err != nil {
		t.Fatal(err)
	}
	if started.ImageScanStatus.Status != ecrtypes.ScanStatusInProgress || aws.ToString(started.ImageId.ImageDigest) != digest ||
		aws.ToString(started.ImageId.ImageTag) != "v1" {
		t.Errorf("StartImageScan = %+v", started)
	}
	f, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("scan/app"), ImageId: byTag})
	if err != nil || f.ImageScanStatus.Status != ecrtypes.ScanStatusInProgress || f.ImageScanFindings != nil {
		t.Fatalf("findings in progress = %+v, %v", f, err)
	}
	env.Clock.Advance(time.Minute)
	f, err = c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("scan/app"),
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(digest)}})
	if err != nil {
		t.Fatal(err)
	}
	if f.ImageScanStatus.Status != ecrtypes.ScanStatusComplete || aws.ToString(f.ImageScanStatus.Description) != "The scan was completed successfully." ||
		f.ImageScanFindings == nil || f.ImageScanFindings.Findings == nil || len(f.ImageScanFindings.Findings) != 0 ||
		f.ImageScanFindings.FindingSeverityCounts == nil || f.ImageScanFindings.ImageScanCompletedAt == nil {
		t.Errorf("findings complete = %+v %+v", f.ImageScanStatus, f.ImageScanFindings)
	}
	_, err = c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("scan/app"), ImageId: byTag})
	if e := expectAPIError(t, err, "LimitExceededException", 400); e.Message != "The scan quota per image has been exceeded. Wait and try again." {
		t.Errorf("LimitExceededException: %q", e.Message)
	}
	d, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("scan/app")})
	if err != nil || len(d.ImageDetails) != 1 || d.ImageDetails[0].ImageScanStatus == nil ||
		d.ImageDetails[0].ImageScanStatus.Status != ecrtypes.ScanStatusComplete || d.ImageDetails[0].ImageScanFindingsSummary == nil {
		t.Fatalf("DescribeImages = %+v, %v", d, err)
	}
	env.Clock.Advance(25 * time.Hour)
	if _, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("scan/app"), ImageId: byTag}); err != nil {
		t.Errorf("a scan a day later: %v", err)
	}

	// scanOnPush, from the repository or the registry's rules.
	if _, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("scan/app"),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true}}); err != nil {
		t.Fatal(err)
	}
	pushed := mustDigest(t, pushImage(t, env, registryAddr(env)+"/scan/app:v2", 1)).String()
	f, err = c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("scan/app"),
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(pushed)}})
	if err != nil || f.ImageScanStatus.Status != ecrtypes.ScanStatusInProgress {
		t.Fatalf("findings of an image scanned on push = %+v, %v", f, err)
	}
	createRepo(t, c, "other")
	createRepo(t, c, "prod-api")
	if _, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: ecrtypes.ScanTypeBasic,
		Rules: []ecrtypes.RegistryScanningRule{{ScanFrequency: ecrtypes.ScanFrequencyScanOnPush,
			RepositoryFilters: []ecrtypes.ScanningRepositoryFilter{{Filter: aws.String("prod-*"), FilterType: ecrtypes.ScanningRepositoryFilterTypeWildcard}}}}}); err != nil {
		t.Fatal(err)
	}
	reg, err := c.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	if err != nil || reg.ScanningConfiguration.ScanType != ecrtypes.ScanTypeBasic || len(reg.ScanningConfiguration.Rules) != 1 ||
		aws.ToString(reg.RegistryId) != testAccount {
		t.Fatalf("GetRegistryScanningConfiguration = %+v, %v", reg, err)
	}
	pushed = mustDigest(t, pushImage(t, env, registryAddr(env)+"/prod-api:v1", 1)).String()
	if _, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("prod-api"),
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(pushed)}}); err != nil {
		t.Errorf("an image pushed to a repository a registry rule scans: %v", err)
	}
	b, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{
		RepositoryNames: []string{"prod-api", "other", "missing"}})
	if err != nil || len(b.ScanningConfigurations) != 2 || len(b.Failures) != 1 {
		t.Fatalf("BatchGetRepositoryScanningConfiguration = %+v, %v", b, err)
	}
	if p := b.ScanningConfigurations[0]; !p.ScanOnPush || p.ScanFrequency != ecrtypes.ScanFrequencyScanOnPush || len(p.AppliedScanFilters) != 1 {
		t.Errorf("prod-api = %+v", p)
	}
	if o := b.ScanningConfigurations[1]; o.ScanOnPush || o.ScanFrequency != ecrtypes.ScanFrequencyManual {
		t.Errorf("other = %+v", o)
	}
	if b.Failures[0].FailureCode != ecrtypes.ScanningConfigurationFailureCodeRepositoryNotFound {
		t.Errorf("failure = %+v", b.Failures[0])
	}
}

// TestECRCLIImageScan runs the CLI reference's start-image-scan and
// describe-image-scan-findings examples.
func TestECRCLIImageScan(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	if res := env.CLI(t, "ecr", "create-repository", "--repository-name", "sample-repo"); res.ExitCode != 0 {
		t.Fatalf("create-repository: %s", res.Stderr)
	}
	digest := mustDigest(t, pushImage(t, env, registryAddr(env)+"/sample-repo:latest", 1)).String()
	var started struct {
		RegistryId, RepositoryName string
		ImageId                    struct{ ImageDigest string }
		ImageScanStatus            struct{ Status string }
	}
	cliJSON(t, env.CLI(t, "ecr", "start-image-scan", "--repository-name", "sample-repo", "--image-id", "imageDigest="+digest), &started)
	if started.RegistryId != testAccount || started.ImageId.ImageDigest != digest || started.ImageScanStatus.Status != "IN_PROGRESS" {
		t.Errorf("start-image-scan = %+v", started)
	}
	var found struct {
		ImageScanStatus   struct{ Status, Description string }
		ImageScanFindings struct {
			Findings              []json.RawMessage
			FindingSeverityCounts map[string]int
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cliJSON(t, env.CLI(t, "ecr", "describe-image-scan-findings", "--repository-name", "sample-repo", "--image-id", "imageDigest="+digest), &found)
		if found.ImageScanStatus.Status == "COMPLETE" {
			break
		}
		if found.ImageScanStatus.Status != "IN_PROGRESS" || time.Now().After(deadline) {
			t.Fatalf("describe-image-scan-findings = %+v", found)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if found.ImageScanFindings.Findings == nil || len(found.ImageScanFindings.Findings) != 0 || !strings.Contains(found.ImageScanStatus.Description, "completed") {
		t.Errorf("describe-image-scan-findings = %+v", found)
	}
}
