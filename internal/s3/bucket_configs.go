package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// A bucket's inventory, analytics, metrics and S3 Intelligent-Tiering
// configurations are kept by Id, checked, returned and listed as S3
// does (a page of up to configPageSize, ordered by Id, continued with
// the NextContinuationToken), and change nothing: no inventory report
// is written, no analysis or metric is made, no object changes tier.

// Configuration kinds, as bucketRecord.Configs names them.
const (
	configInventory          = "inventory"
	configAnalytics          = "analytics"
	configMetrics            = "metrics"
	configIntelligentTiering = "intelligent-tiering"
)

// maxConfigsPerKind: "You can have up to 1,000 inventory configurations
// per bucket", and as many analytics, metrics and Intelligent-Tiering
// configurations.
const maxConfigsPerKind = 1000

// configPageSize is how many configurations a List answer holds.
const configPageSize = 100

// maxConfigIDLength: a configuration's ID is up to 64 characters.
const maxConfigIDLength = 64

var (
	// ErrNoSuchConfiguration is a configuration Id the bucket does not have.
	ErrNoSuchConfiguration = apierr.New("NoSuchConfiguration", http.StatusNotFound, "The specified configuration does not exist.")
	// ErrTooManyConfigurations is a configuration beyond the limit.
	ErrTooManyConfigurations = apierr.New("TooManyConfigurations", http.StatusBadRequest, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")

	errConfigIDMismatch = ErrInvalidArgument.WithMessage("Configuration ID mismatch")
	errBadContinuation  = ErrInvalidArgument.WithMessage("The continuation token provided is incorrect")
)

// validConfigID: letters, digits and "-", ".", "_", up to 64 of them.
func validConfigID(id string) bool {
	if id == "" || len(id) > maxConfigIDLength {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// putConfig keeps cfg, whose own Id is bodyID, as the bucket's
// configuration id of kind.
func (s *Service) putConfig(bucket, kind, id string, bodyID *string, cfg any) error {
	if !validConfigID(id) {
		return invalidArgument("id", id, "The ID value is invalid.")
	}
	if bodyID == nil || *bodyID != id {
		return errConfigIDMismatch
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error {
		if b.Configs == nil {
			b.Configs = map[string]map[string]json.RawMessage{}
		}
		m := b.Configs[kind]
		if m == nil {
			m = map[string]json.RawMessage{}
			b.Configs[kind] = m
		}
		if _, ok := m[id]; !ok && len(m) >= maxConfigsPerKind {
			return ErrTooManyConfigurations
		}
		m[id] = data
		return nil
	})
}

// getConfig reads the bucket's configuration id of kind.
func getConfig[T any](s *Service, bucket, kind, id string) (*T, error) {
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, err
	}
	data, ok := b.Configs[kind][id]
	if !ok {
		return nil, ErrNoSuchConfiguration
	}
	var cfg T
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// deleteConfig removes the bucket's configuration id of kind.
func (s *Service) deleteConfig(bucket, kind, id string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error {
		if _, ok := b.Configs[kind][id]; !ok {
			return ErrNoSuchConfiguration
		}
		delete(b.Configs[kind], id)
		return nil
	})
}

// configPage is one page of a bucket's configurations of a kind.
type configPage[T any] struct {
	list      []T
	truncated *bool
	next      *string
}

// listConfigs lists the bucket's configurations of kind in Id order,
// from the one after the continuation token's.
func listConfigs[T any](s *Service, bucket, kind string, token *string) (*configPage[T], error) {
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, err
	}
	m := b.Configs[kind]
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if token != nil {
		after, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(after) == 0 {
			return nil, errBadContinuation
		}
		i, _ := slices.BinarySearch(ids, string(after))
		if i < len(ids) && ids[i] == string(after) {
			i++
		}
		ids = ids[i:]
	}
	p := &configPage[T]{truncated: new(bool)}
	if len(ids) > configPageSize {
		ids = ids[:configPageSize]
		*p.truncated = true
		p.next = strptr(base64.RawURLEncoding.EncodeToString([]byte(ids[len(ids)-1])))
	}
	for _, id := range ids {
		var cfg T
		if err := json.Unmarshal(m[id], &cfg); err != nil {
			return nil, err
		}
		p.list = append(p.list, cfg)
	}
	return p, nil
}

// Inventory.

func checkInventory(c *InventoryConfiguration) error {
	d := c.Destination
	if d == nil || d.S3BucketDestination == nil || c.IsEnabled == nil || c.Schedule == nil {
		return ErrMalformedXML
	}
	if !slices.Contains([]string{"CSV", "ORC", "Parquet"}, strDeref(d.S3BucketDestination.Format)) ||
		!slices.Contains([]string{"All", "Current"}, strDeref(c.IncludedObjectVersions)) ||
		!slices.Contains([]string{"Daily", "Weekly"}, strDeref(c.Schedule.Frequency)) {
		return ErrMalformedXML
	}
	if arn := strDeref(d.S3BucketDestination.Bucket); len(arn) <= len(bucketARNPrefix) || arn[:len(bucketARNPrefix)] != bucketARNPrefix {
		return invalidArgument("Bucket", arn, "Invalid bucket ARN.")
	}
	return nil
}

func (s *Service) putBucketInventoryConfiguration(_ context.Context, in *PutBucketInventoryConfigurationRequest) (*struct{}, error) {
	c := in.InventoryConfiguration
	if c == nil {
		return nil, ErrMalformedXML
	}
	if err := checkInventory(c); err != nil {
		return nil, err
	}
	return nil, s.putConfig(*in.Bucket, configInventory, *in.Id, c.Id, c)
}

func (s *Service) getBucketInventoryConfiguration(_ context.Context, in *GetBucketInventoryConfigurationRequest) (*GetBucketInventoryConfigurationOutput, error) {
	c, err := getConfig[InventoryConfiguration](s, *in.Bucket, configInventory, *in.Id)
	if err != nil {
		return nil, err
	}
	return &GetBucketInventoryConfigurationOutput{InventoryConfiguration: c}, nil
}

func (s *Service) deleteBucketInventoryConfiguration(_ context.Context, in *DeleteBucketInventoryConfigurationRequest) (*struct{}, error) {
	return nil, s.deleteConfig(*in.Bucket, configInventory, *in.Id)
}

func (s *Service) listBucketInventoryConfigurations(_ context.Context, in *ListBucketInventoryConfigurationsRequest) (*ListBucketInventoryConfigurationsOutput, error) {
	p, err := listConfigs[InventoryConfiguration](s, *in.Bucket, configInventory, in.ContinuationToken)
	if err != nil {
		return nil, err
	}
	return &ListBucketInventoryConfigurationsOutput{InventoryConfigurationList: p.list, IsTruncated: p.truncated,
		ContinuationToken: in.ContinuationToken, NextContinuationToken: p.next}, nil
}

// Analytics.

func (s *Service) putBucketAnalyticsConfiguration(_ context.Context, in *PutBucketAnalyticsConfigurationRequest) (*struct{}, error) {
	c := in.AnalyticsConfiguration
	if c == nil || c.StorageClassAnalysis == nil {
		return nil, ErrMalformedXML
	}
	if e := c.StorageClassAnalysis.DataExport; e != nil && (strDeref(e.OutputSchemaVersion) != "V_1" ||
		e.Destination == nil || e.Destination.S3BucketDestination == nil || strDeref(e.Destination.S3BucketDestination.Format) != "CSV") {
		return nil, ErrMalformedXML
	}
	return nil, s.putConfig(*in.Bucket, configAnalytics, *in.Id, c.Id, c)
}

func (s *Service) getBucketAnalyticsConfiguration(_ context.Context, in *GetBucketAnalyticsConfigurationRequest) (*GetBucketAnalyticsConfigurationOutput, error) {
	c, err := getConfig[AnalyticsConfiguration](s, *in.Bucket, configAnalytics, *in.Id)
	if err != nil {
		return nil, err
	}
	return &GetBucketAnalyticsConfigurationOutput{AnalyticsConfiguration: c}, nil
}

func (s *Service) deleteBucketAnalyticsConfiguration(_ context.Context, in *DeleteBucketAnalyticsConfigurationRequest) (*struct{}, error) {
	return nil, s.deleteConfig(*in.Bucket, configAnalytics, *in.Id)
}

func (s *Service) listBucketAnalyticsConfigurations(_ context.Context, in *ListBucketAnalyticsConfigurationsRequest) (*ListBucketAnalyticsConfigurationsOutput, error) {
	p, err := listConfigs[AnalyticsConfiguration](s, *in.Bucket, configAnalytics, in.ContinuationToken)
	if err != nil {
		return nil, err
	}
	return &ListBucketAnalyticsConfigurationsOutput{AnalyticsConfigurationList: p.list, IsTruncated: p.truncated,
		ContinuationToken: in.ContinuationToken, NextContinuationToken: p.next}, nil
}

// Metrics.

func (s *Service) putBucketMetricsConfiguration(_ context.Context, in *PutBucketMetricsConfigurationRequest) (*struct{}, error) {
	c := in.MetricsConfiguration
	if c == nil {
		return nil, ErrMalformedXML
	}
	return nil, s.putConfig(*in.Bucket, configMetrics, *in.Id, c.Id, c)
}

func (s *Service) getBucketMetricsConfiguration(_ context.Context, in *GetBucketMetricsConfigurationRequest) (*GetBucketMetricsConfigurationOutput, error) {
	c, err := getConfig[MetricsConfiguration](s, *in.Bucket, configMetrics, *in.Id)
	if err != nil {
		return nil, err
	}
	return &GetBucketMetricsConfigurationOutput{MetricsConfiguration: c}, nil
}

func (s *Service) deleteBucketMetricsConfiguration(_ context.Context, in *DeleteBucketMetricsConfigurationRequest) (*struct{}, error) {
	return nil, s.deleteConfig(*in.Bucket, configMetrics, *in.Id)
}

func (s *Service) listBucketMetricsConfigurations(_ context.Context, in *ListBucketMetricsConfigurationsRequest) (*ListBucketMetricsConfigurationsOutput, error) {
	p, err := listConfigs[MetricsConfiguration](s, *in.Bucket, configMetrics, in.ContinuationToken)
	if err != nil {
		return nil, err
	}
	return &ListBucketMetricsConfigurationsOutput{MetricsConfigurationList: p.list, IsTruncated: p.truncated,
		ContinuationToken: in.ContinuationToken, NextContinuationToken: p.next}, nil
}

// Intelligent-Tiering.

// tieringDays are the days each archive tier allows: "ARCHIVE_ACCESS:
// a minimum of 90 days ... DEEP_ARCHIVE_ACCESS: a minimum of 180 days",
// and at most 730 for both.
var tieringDays = map[string][2]int32{"ARCHIVE_ACCESS": {90, 730}, "DEEP_ARCHIVE_ACCESS": {180, 730}}

func (s *Service) putBucketIntelligentTieringConfiguration(_ context.Context, in *PutBucketIntelligentTieringConfigurationRequest) (*struct{}, error) {
	c := in.IntelligentTieringConfiguration
	if c == nil || strDeref(c.Status) != "Enabled" && strDeref(c.Status) != "Disabled" || len(c.Tierings) == 0 {
		return nil, ErrMalformedXML
	}
	seen := map[string]bool{}
	for _, t := range c.Tierings {
		tier := strDeref(t.AccessTier)
		bounds, ok := tieringDays[tier]
		if !ok || t.Days == nil || seen[tier] {
			return nil, ErrMalformedXML
		}
		seen[tier] = true
		if *t.Days < bounds[0] || *t.Days > bounds[1] {
			return nil, invalidArgument("Days", itoaStr(int64(*t.Days)), "Days must be between "+itoaStr(int64(bounds[0]))+" and "+itoaStr(int64(bounds[1]))+" for "+tier)
		}
	}
	return nil, s.putConfig(*in.Bucket, configIntelligentTiering, *in.Id, c.Id, c)
}

func (s *Service) getBucketIntelligentTieringConfiguration(_ context.Context, in *GetBucketIntelligentTieringConfigurationRequest) (*GetBucketIntelligentTieringConfigurationOutput, error) {
	c, err := getConfig[IntelligentTieringConfiguration](s, *in.Bucket, configIntelligentTiering, *in.Id)
	if err != nil {
		return nil, err
	}
	return &GetBucketIntelligentTieringConfigurationOutput{IntelligentTieringConfiguration: c}, nil
}

func (s *Service) deleteBucketIntelligentTieringConfiguration(_ context.Context, in *DeleteBucketIntelligentTieringConfigurationRequest) (*struct{}, error) {
	return nil, s.deleteConfig(*in.Bucket, configIntelligentTiering, *in.Id)
}

func (s *Service) listBucketIntelligentTieringConfigurations(_ context.Context, in *ListBucketIntelligentTieringConfigurationsRequest) (*ListBucketIntelligentTieringConfigurationsOutput, error) {
	p, err := listConfigs[IntelligentTieringConfiguration](s, *in.Bucket, configIntelligentTiering, in.ContinuationToken)
	if err != nil {
		return nil, err
	}
	return &ListBucketIntelligentTieringConfigurationsOutput{IntelligentTieringConfigurationList: p.list, IsTruncated: p.truncated,
		ContinuationToken: in.ContinuationToken, NextContinuationToken: p.next}, nil
}
