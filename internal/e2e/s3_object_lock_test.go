package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

const lockedMessage = "Access Denied because object protected by object lock."

// Object Lock: a default retention rule locks new versions; a version
// under COMPLIANCE retention or a legal hold cannot be deleted by
// version id, one under GOVERNANCE only with
// x-amz-bypass-governance-retention; retention can be lengthened but
// not shortened; and a bucket without Object Lock refuses all of it.
func TestS3ObjectLock(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := aws.String("vault-lock")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket, ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("plain-lock")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("plain-lock"),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}})
	checkS3Error(t, "PutObjectLockConfiguration of an unversioned bucket", err, "InvalidBucketState", "")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain-lock"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plain-lock"), Key: aws.String("k")})
	checkS3Error(t, "GetObjectRetention in a bucket without Object Lock", err, "InvalidRequest", "Bucket is missing Object Lock Configuration")

	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: bucket,
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeCompliance, Days: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bucket})
	if err != nil || cfg.ObjectLockConfiguration.Rule == nil || aws.ToInt32(cfg.ObjectLockConfiguration.Rule.DefaultRetention.Days) != 1 {
		t.Fatalf("GetObjectLockConfiguration = %+v, %v", cfg, err)
	}

	// The default rule: COMPLIANCE for a day.
	kept, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("kept"), Body: strings.NewReader("kept")})
	if err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("kept")})
	if err != nil || head.ObjectLockMode != s3types.ObjectLockModeCompliance || head.ObjectLockRetainUntilDate == nil ||
		head.ObjectLockRetainUntilDate.Before(time.Now().Add(23*time.Hour)) {
		t.Errorf("HeadObject of a version under the default rule: %+v, %v", head, err)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("kept"), VersionId: kept.VersionId, BypassGovernanceRetention: aws.Bool(true)})
	checkS3Error(t, "deleting a COMPLIANCE version", err, "AccessDenied", lockedMessage)
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: aws.String("kept"), BypassGovernanceRetention: aws.Bool(true),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))}})
	checkS3Error(t, "shortening COMPLIANCE retention", err, "AccessDenied", "")
	longer := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: aws.String("kept"),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeCompliance, RetainUntilDate: &longer}}); err != nil {
		t.Errorf("lengthening COMPLIANCE retention: %v", err)
	}
	ret, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bucket, Key: aws.String("kept")})
	if err != nil || !aws.ToTime(ret.Retention.RetainUntilDate).Equal(longer) {
		t.Errorf("GetObjectRetention = %+v, %v, want until %v", ret, err, longer)
	}
	// A delete without a version id adds a delete marker.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("kept")}); err != nil {
		t.Errorf("DeleteObject without a version id: %v", err)
	}

	// GOVERNANCE yields to the bypass.
	gov, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("gov"), Body: strings.NewReader("gov"),
		ObjectLockMode: s3types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("gov"), VersionId: gov.VersionId}}}})
	if err != nil || len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects of a GOVERNANCE version without the bypass = %+v, %v", del, err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("gov"), VersionId: gov.VersionId, BypassGovernanceRetention: aws.Bool(true)}); err != nil {
		t.Errorf("deleting a GOVERNANCE version with the bypass: %v", err)
	}

	// A legal hold holds whatever the retention.
	held, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("held"), Body: strings.NewReader("held"),
		ObjectLockMode: s3types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: bucket, Key: aws.String("held")})
	checkS3Error(t, "GetObjectLegalHold never set", err, "NoSuchObjectLockConfiguration", "")
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: bucket, Key: aws.String("held"), VersionId: held.VersionId,
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
	hold, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: bucket, Key: aws.String("held")})
	if err != nil || hold.LegalHold.Status != s3types.ObjectLockLegalHoldStatusOn {
		t.Errorf("GetObjectLegalHold = %+v, %v", hold, err)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("held"), VersionId: held.VersionId, BypassGovernanceRetention: aws.Bool(true)})
	checkS3Error(t, "deleting a version under a legal hold", err, "AccessDenied", lockedMessage)
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: bucket, Key: aws.String("held"),
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("held"), VersionId: held.VersionId, BypassGovernanceRetention: aws.Bool(true)}); err != nil {
		t.Errorf("deleting once the legal hold is off: %v", err)
	}

	// A replica in a bucket without Object Lock is not locked.
	newReplicationBuckets(t, c, "lock-replica")
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: bucket,
		ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(replicationRole), Rules: []s3types.ReplicationRule{
			{Status: s3types.ReplicationRuleStatusEnabled, Prefix: aws.String("copied/"), Destination: &s3types.Destination{Bucket: aws.String("arn:aws:s3:::lock-replica")}}}}}); err != nil {
		t.Fatal(err)
	}
	copied, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("copied/x"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lock-replica"), Key: aws.String("copied/x")})
		if err == nil {
			if head.ObjectLockMode != "" {
				t.Errorf("replica in a bucket without Object Lock has lock mode %q", head.ObjectLockMode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the locked object was not replicated")
		}
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lock-replica"), Key: aws.String("copied/x"), VersionId: copied.VersionId}); err != nil {
		t.Errorf("deleting the replica: %v", err)
	}
}

// Under --auth iam, the Object Lock calls are authorized by IAM's
// action names: a user allowed s3:PutBucketObjectLockConfiguration,
// s3:GetBucketObjectLockConfiguration, s3:PutObjectRetention and
// s3:GetObjectRetention may make them, and one allowed nothing may not.
func TestS3ObjectLockIAMActions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	root := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("iam-lock"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("iam-lock"), Key: aws.String("k"), Body: strings.NewReader("k")}); err != nil {
		t.Fatal(err)
	}
	allowed := s3.NewFromConfig(iamUser(t, env, "locker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[`+
		`"s3:PutBucketObjectLockConfiguration","s3:GetBucketObjectLockConfiguration","s3:PutObjectRetention","s3:GetObjectRetention"],"Resource":"*"}]}`),
		func(o *s3.Options) { o.UsePathStyle = true })
	denied := s3.NewFromConfig(iamUser(t, env, "nobody", ""), func(o *s3.Options) { o.UsePathStyle = true })
	put := func(c *s3.Client) error {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("iam-lock"),
			ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}})
		return err
	}
	if err := put(allowed); err != nil {
		t.Errorf("PutObjectLockConfiguration allowed by s3:PutBucketObjectLockConfiguration: %v", err)
	}
	if _, err := allowed.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("iam-lock")}); err != nil {
		t.Errorf("GetObjectLockConfiguration allowed by s3:GetBucketObjectLockConfiguration: %v", err)
	}
	if _, err := allowed.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("iam-lock"), Key: aws.String("k"),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))}}); err != nil {
		t.Errorf("PutObjectRetention allowed by s3:PutObjectRetention: %v", err)
	}
	if _, err := allowed.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("iam-lock"), Key: aws.String("k")}); err != nil {
		t.Errorf("GetObjectRetention allowed by s3:GetObjectRetention: %v", err)
	}
	checkS3Error(t, "PutObjectLockConfiguration of a user allowed nothing", put(denied), "AccessDenied", "")
}
