package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// A bucket's inventory, analytics, metrics and Intelligent-Tiering
// configurations are kept by Id and returned as put; an Id the bucket
// does not have is NoSuchConfiguration; lists come in pages of 100
// continued by NextContinuationToken.
func TestS3BucketConfigurations(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := aws.String("configs")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}

	inv := &s3types.InventoryConfiguration{Id: aws.String("weekly"), IsEnabled: aws.Bool(true),
		IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsCurrent,
		Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyWeekly},
		OptionalFields:         []s3types.InventoryOptionalField{s3types.InventoryOptionalFieldSize, s3types.InventoryOptionalFieldETag},
		Filter:                 &s3types.InventoryFilter{Prefix: aws.String("logs/")},
		Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
			Bucket: aws.String("arn:aws:s3:::configs"), Format: s3types.InventoryFormatCsv, Prefix: aws.String("inventory")}}}
	if _, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: bucket, Id: inv.Id, InventoryConfiguration: inv}); err != nil {
		t.Fatal(err)
	}
	gotInv, err := c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: bucket, Id: inv.Id})
	if err != nil {
		t.Fatal(err)
	}
	if g := gotInv.InventoryConfiguration; aws.ToString(g.Id) != "weekly" || g.Schedule.Frequency != s3types.InventoryFrequencyWeekly ||
		len(g.OptionalFields) != 2 || aws.ToString(g.Filter.Prefix) != "logs/" || g.Destination.S3BucketDestination.Format != s3types.InventoryFormatCsv {
		t.Errorf("GetBucketInventoryConfiguration = %+v", g)
	}
	other := *inv
	other.Id = aws.String("other")
	_, err = c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: bucket, Id: aws.String("weekly"), InventoryConfiguration: &other})
	checkS3Error(t, "an Id that is not the configuration's", err, "InvalidArgument", "")
	_, err = c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: bucket, Id: aws.String("missing")})
	checkS3Error(t, "GetBucketInventoryConfiguration of a missing Id", err, "NoSuchConfiguration", "The specified configuration does not exist.")

	an := &s3types.AnalyticsConfiguration{Id: aws.String("docs"), Filter: &s3types.AnalyticsFilterMemberPrefix{Value: "docs/"},
		StorageClassAnalysis: &s3types.StorageClassAnalysis{}}
	if _, err := c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: bucket, Id: an.Id, AnalyticsConfiguration: an}); err != nil {
		t.Fatal(err)
	}
	gotAn, err := c.GetBucketAnalyticsConfiguration(ctx, &s3.GetBucketAnalyticsConfigurationInput{Bucket: bucket, Id: an.Id})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := gotAn.AnalyticsConfiguration.Filter.(*s3types.AnalyticsFilterMemberPrefix); !ok || p.Value != "docs/" {
		t.Errorf("analytics filter = %#v", gotAn.AnalyticsConfiguration.Filter)
	}

	it := &s3types.IntelligentTieringConfiguration{Id: aws.String("cold"), Status: s3types.IntelligentTieringStatusEnabled,
		Tierings: []s3types.Tiering{{AccessTier: s3types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(90)}}}
	if _, err := c.PutBucketIntelligentTieringConfiguration(ctx, &s3.PutBucketIntelligentTieringConfigurationInput{Bucket: bucket, Id: it.Id, IntelligentTieringConfiguration: it}); err != nil {
		t.Fatal(err)
	}
	short := *it
	short.Tierings = []s3types.Tiering{{AccessTier: s3types.IntelligentTieringAccessTierDeepArchiveAccess, Days: aws.Int32(100)}}
	_, err = c.PutBucketIntelligentTieringConfiguration(ctx, &s3.PutBucketIntelligentTieringConfigurationInput{Bucket: bucket, Id: it.Id, IntelligentTieringConfiguration: &short})
	checkS3Error(t, "DEEP_ARCHIVE_ACCESS after 100 days", err, "InvalidArgument", "")
	tiers, err := c.ListBucketIntelligentTieringConfigurations(ctx, &s3.ListBucketIntelligentTieringConfigurationsInput{Bucket: bucket})
	if err != nil || len(tiers.IntelligentTieringConfigurationList) != 1 || aws.ToInt32(tiers.IntelligentTieringConfigurationList[0].Tierings[0].Days) != 90 {
		t.Errorf("ListBucketIntelligentTieringConfigurations = %+v, %v", tiers, err)
	}

	// 101 metrics configurations list as two pages.
	for i := range 101 {
		id := aws.String(fmt.Sprintf("m%03d", i))
		if _, err := c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: bucket, Id: id,
			MetricsConfiguration: &s3types.MetricsConfiguration{Id: id}}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.MetricsConfigurationList) != 100 || !aws.ToBool(first.IsTruncated) || first.NextContinuationToken == nil ||
		aws.ToString(first.MetricsConfigurationList[0].Id) != "m000" {
		t.Fatalf("first page: %d configurations, truncated %v, next %v", len(first.MetricsConfigurationList), aws.ToBool(first.IsTruncated), first.NextContinuationToken)
	}
	second, err := c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: bucket, ContinuationToken: first.NextContinuationToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.MetricsConfigurationList) != 1 || aws.ToBool(second.IsTruncated) || aws.ToString(second.MetricsConfigurationList[0].Id) != "m100" ||
		aws.ToString(second.ContinuationToken) != aws.ToString(first.NextContinuationToken) {
		t.Errorf("second page = %+v", second)
	}

	if _, err := c.DeleteBucketMetricsConfiguration(ctx, &s3.DeleteBucketMetricsConfigurationInput{Bucket: bucket, Id: aws.String("m000")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucketMetricsConfiguration(ctx, &s3.DeleteBucketMetricsConfigurationInput{Bucket: bucket, Id: aws.String("m000")})
	checkS3Error(t, "deleting a deleted metrics configuration", err, "NoSuchConfiguration", "")
	if _, err := c.DeleteBucketInventoryConfiguration(ctx, &s3.DeleteBucketInventoryConfigurationInput{Bucket: bucket, Id: inv.Id}); err != nil {
		t.Fatal(err)
	}
	invs, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: bucket})
	if err != nil || len(invs.InventoryConfigurationList) != 0 || aws.ToBool(invs.IsTruncated) {
		t.Errorf("ListBucketInventoryConfigurations once deleted = %+v, %v", invs, err)
	}
	ans, err := c.ListBucketAnalyticsConfigurations(ctx, &s3.ListBucketAnalyticsConfigurationsInput{Bucket: bucket})
	if err != nil || len(ans.AnalyticsConfigurationList) != 1 {
		t.Errorf("ListBucketAnalyticsConfigurations = %+v, %v", ans, err)
	}
}
