package ecr

import (
	"time"

	"github.com/virga/virga/internal/wildcard"
)

// scanDuration is how long a basic scan takes here: a scan is
// IN_PROGRESS for this long after it starts, then COMPLETE. virga has no
// vulnerability database, so every scan completes without findings.
const scanDuration = 2 * time.Second

// scanInterval: basic scanning scans an image "once every 24 hours" (ECR
// service quotas, "Image scans"); StartImageScan within it is
// LimitExceededException.
const scanInterval = 24 * time.Hour

// errScanQuota is ECR's answer to a second scan of an image within
// scanInterval.
var errScanQuota = ErrLimitExceeded.WithMessage("The scan quota per image has been exceeded. Wait and try again.")

// imageScan is an image's last scan: when it started (epoch ms).
type imageScan struct {
	Started int64 `json:"started"`
}

// registryScanning is the registry's scanning configuration, as
// PutRegistryScanningConfiguration stored it.
type registryScanning struct {
	ScanType string                 `json:"scanType"`
	Rules    []RegistryScanningRule `json:"rules,omitempty"`
}

func scanConfigKey() []byte { return base("scancfg") }

// scanState is the scan's status now, and when it completed (zero while
// it is in progress).
func (sc *imageScan) state(now time.Time) (ScanStatus, time.Time) {
	done := time.UnixMilli(sc.Started).Add(scanDuration)
	if now.Before(done) {
		return "IN_PROGRESS", time.Time{}
	}
	return "COMPLETE", done
}

// status is the image's ImageScanStatus.
func (sc *imageScan) status(now time.Time) *ImageScanStatus {
	st, _ := sc.state(now)
	out := &ImageScanStatus{Status: ptr(st)}
	if st == "COMPLETE" {
		out.Description = ptr("The scan was completed successfully.")
	}
	return out
}

// summary is the image's ImageScanFindingsSummary, once the scan is
// complete: no findings.
func (sc *imageScan) summary(now time.Time) *ImageScanFindingsSummary {
	if _, done := sc.state(now); !done.IsZero() {
		return &ImageScanFindingsSummary{ImageScanCompletedAt: ptr(done), VulnerabilitySourceUpdatedAt: ptr(done),
			FindingSeverityCounts: map[string]int32{}}
	}
	return nil
}

// loadScanning reads the registry's scanning configuration; BASIC with
// no rules until one is put.
func (s *Service) loadScanning() (*registryScanning, error) {
	c := &registryScanning{ScanType: "BASIC"}
	if _, err := getJSON(s.store, scanConfigKey(), c); err != nil {
		return nil, err
	}
	return c, nil
}

// repoScanning is how the registry scans a repository's images: the
// first registry rule with a filter that matches its name (wildcards
// '*'), else the repository's own scanOnPush.
func (c *registryScanning) repoScanning(r *repository) (ScanFrequency, []ScanningRepositoryFilter) {
	for _, rule := range c.Rules {
		for _, f := range rule.RepositoryFilters {
			if wildcard.Match(deref(f.Filter), r.Name, 0) {
				return deref(rule.ScanFrequency), rule.RepositoryFilters
			}
		}
	}
	if r.ScanOnPush {
		return "SCAN_ON_PUSH", []ScanningRepositoryFilter{}
	}
	return "MANUAL", []ScanningRepositoryFilter{}
}

// scansOnPush reports whether an image pushed to r is scanned.
func (s *Service) scansOnPush(r *repository) (bool, error) {
	c, err := s.loadScanning()
	if err != nil {
		return false, err
	}
	freq, _ := c.repoScanning(r)
	return freq == "SCAN_ON_PUSH" || freq == "CONTINUOUS_SCAN", nil
}
