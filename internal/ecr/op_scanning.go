package ecr

import (
	"context"
	"strconv"
	"time"
)

// scanTarget finds the repository and the image an identifier names for
// StartImageScan and DescribeImageScanFindings. The caller
// holds s.mu where it changes the image.
func (s *Service) scanTarget(registry, repoName *string, id *ImageIdentifier) (*repository, *image, error) {
	if err := s.checkRegistry(registry); err != nil {
		return nil, nil, err
	}
	repo := deref(repoName)
	r, err := s.mustRepo(repo)
	if err != nil {
		return nil, nil, err
	}
	im, err := s.mustImage(repo, *id)
	return r, im, err
}

// startImageScan starts a basic scan of an image manifest, at most one an
// image every 24 hours.
func (s *Service) startImageScan(_ context.Context, in *StartImageScanRequest) (*StartImageScanResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, im, err := s.scanTarget(in.RegistryId, in.RepositoryName, in.ImageId)
	if err != nil {
		return nil, err
	}
	if len(im.Children) > 0 {
		return nil, ErrUnsupportedImageType.WithMessage("The image is of a type that cannot be scanned.")
	}
	now := s.clock.Now()
	if im.Scan != nil && now.Before(time.UnixMilli(im.Scan.Started).Add(scanInterval)) {
		return nil, errScanQuota
	}
	im.Scan = &imageScan{Started: now.UnixMilli()}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, imageKey(r.Name, im.Digest), im); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &StartImageScanResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), ImageId: s.imageID(im, in.ImageId),
		ImageScanStatus: im.Scan.status(now)}, nil
}

// imageID is the identifier ECR answers for an image asked for by id:
// its digest, and the tag it was asked for by.
func (s *Service) imageID(im *image, asked *ImageIdentifier) *ImageIdentifier {
	return &ImageIdentifier{ImageDigest: ptr(im.Digest), ImageTag: asked.ImageTag}
}

// describeImageScanFindings answers an image's last scan: its status and,
// once complete, its findings, of which virga finds none.
func (s *Service) describeImageScanFindings(_ context.Context, in *DescribeImageScanFindingsRequest) (*DescribeImageScanFindingsResponse, error) {
	r, im, err := s.scanTarget(in.RegistryId, in.RepositoryName, in.ImageId)
	if err != nil {
		return nil, err
	}
	if im.Scan == nil {
		// Unlike ImageNotFoundException's, this message quotes a null.
		return nil, ErrScanNotFound.Withf("Image scan does not exist for the image with '{imageDigest:'%s', imageTag:'%s'}' in the repository with name '%s' in the registry with id '%s'",
			orNull(in.ImageId.ImageDigest), orNull(in.ImageId.ImageTag), r.Name, s.account)
	}
	if in.NextToken != nil {
		if _, err := strconv.Atoi(*in.NextToken); err != nil {
			return nil, ErrInvalidParameter.WithMessage("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
		}
	}
	now := s.clock.Now()
	out := &DescribeImageScanFindingsResponse{RegistryId: ptr(s.account), RepositoryName: ptr(r.Name), ImageId: s.imageID(im, in.ImageId),
		ImageScanStatus: im.Scan.status(now)}
	if sum := im.Scan.summary(now); sum != nil {
		out.ImageScanFindings = &ImageScanFindings{ImageScanCompletedAt: sum.ImageScanCompletedAt,
			VulnerabilitySourceUpdatedAt: sum.VulnerabilitySourceUpdatedAt, FindingSeverityCounts: sum.FindingSeverityCounts,
			Findings: []ImageScanFinding{}}
	}
	return out, nil
}

// putRegistryScanningConfiguration replaces the registry's scan type and
// rules.
func (s *Service) putRegistryScanningConfiguration(_ context.Context, in *PutRegistryScanningConfigurationRequest) (*PutRegistryScanningConfigurationResponse, error) {
	c := &registryScanning{ScanType: string(deref(in.ScanType)), Rules: in.Rules}
	if c.ScanType == "" {
		c.ScanType = "BASIC"
	}
	for _, rule := range c.Rules {
		freq := deref(rule.ScanFrequency)
		if c.ScanType == "BASIC" && freq == "CONTINUOUS_SCAN" {
			return nil, ErrValidation.WithMessage("Invalid parameter at 'scanFrequency' failed to satisfy constraint: 'CONTINUOUS_SCAN is not supported for BASIC scan type'")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, scanConfigKey(), c); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &PutRegistryScanningConfigurationResponse{RegistryScanningConfiguration: c.output()}, nil
}

func (c *registryScanning) output() *RegistryScanningConfiguration {
	rules := c.Rules
	if rules == nil {
		rules = []RegistryScanningRule{}
	}
	return &RegistryScanningConfiguration{ScanType: ptr(ScanType(c.ScanType)), Rules: rules}
}

// getRegistryScanningConfiguration answers the registry's scan type and
// rules.
func (s *Service) getRegistryScanningConfiguration(_ context.Context, _ *GetRegistryScanningConfigurationRequest) (*GetRegistryScanningConfigurationResponse, error) {
	c, err := s.loadScanning()
	if err != nil {
		return nil, err
	}
	return &GetRegistryScanningConfigurationResponse{RegistryId: ptr(s.account), ScanningConfiguration: c.output()}, nil
}

// batchGetRepositoryScanningConfiguration answers how each repository's
// images are scanned, and a failure for each repository there is not.
func (s *Service) batchGetRepositoryScanningConfiguration(_ context.Context, in *BatchGetRepositoryScanningConfigurationRequest) (*BatchGetRepositoryScanningConfigurationResponse, error) {
	c, err := s.loadScanning()
	if err != nil {
		return nil, err
	}
	out := &BatchGetRepositoryScanningConfigurationResponse{ScanningConfigurations: []RepositoryScanningConfiguration{},
		Failures: []RepositoryScanningConfigurationFailure{}}
	for _, name := range in.RepositoryNames {
		r, err := s.loadRepo(name)
		if err != nil {
			return nil, err
		}
		if r == nil {
			out.Failures = append(out.Failures, RepositoryScanningConfigurationFailure{RepositoryName: ptr(name),
				FailureCode: ptr(ScanningConfigurationFailureCode("REPOSITORY_NOT_FOUND")), FailureReason: ptr("REPOSITORY_NOT_FOUND")})
			continue
		}
		freq, filters := c.repoScanning(r)
		out.ScanningConfigurations = append(out.ScanningConfigurations, RepositoryScanningConfiguration{
			RepositoryArn: ptr(s.repoARN(r.Name)), RepositoryName: ptr(r.Name), ScanOnPush: ptr(freq == "SCAN_ON_PUSH"),
			ScanFrequency: ptr(freq), AppliedScanFilters: filters})
	}
	return out, nil
}

func orNull(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}
