package e2e_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

const replicationRole = "arn:aws:iam::000000000000:role/replication"

// newReplicationBuckets makes versioned buckets.
func newReplicationBuckets(t *testing.T, c *s3.Client, names ...string) {
	t.Helper()
	ctx := context.Background()
	for _, n := range names {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(n),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
}

func checkS3Error(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != code || message != "" && api.ErrorMessage() != message {
		t.Errorf("%s: %v, want %s %q", what, err, code, message)
	}
}

// PutBucketReplication checks its configuration as S3 does: versioning
// enabled on the source and the destination, a destination that exists,
// DeleteMarkerReplication with a Filter; GetBucketReplication returns
// what was put (with an ID given to a rule without one) and
// ReplicationConfigurationNotFoundError when there is none; and the
// source's versioning cannot be suspended while it replicates.
func TestS3ReplicationConfiguration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	newReplicationBuckets(t, c, "repl-src", "repl-dst")
	for _, n := range []string{"repl-plain", "repl-unversioned-dst"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(dest string) s3types.ReplicationRule {
		return s3types.ReplicationRule{Status: s3types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
			Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("docs/")},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
			Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::" + dest), StorageClass: s3types.StorageClassStandardIa}}
	}
	put := func(bucket string, rules ...s3types.ReplicationRule) error {
		_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(bucket),
			ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(replicationRole), Rules: rules}})
		return err
	}
	_, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("repl-src")})
	checkS3Error(t, "GetBucketReplication before any", err, "ReplicationConfigurationNotFoundError", "The replication configuration was not found")
	checkS3Error(t, "an unversioned source", put("repl-plain", rule("repl-dst")), "InvalidRequest",
		"Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	checkS3Error(t, "an unversioned destination", put("repl-src", rule("repl-unversioned-dst")), "InvalidRequest",
		"Destination bucket must have versioning enabled.")
	checkS3Error(t, "a missing destination", put("repl-src", rule("repl-missing")), "InvalidRequest", "Destination bucket must exist.")
	noMarker := rule("repl-dst")
	noMarker.DeleteMarkerReplication = nil
	checkS3Error(t, "a Filter without DeleteMarkerReplication", put("repl-src", noMarker), "InvalidRequest", "")
	badARN := rule("repl-dst")
	badARN.Destination.Bucket = aws.String("repl-dst")
	checkS3Error(t, "a destination that is not an ARN", put("repl-src", badARN), "InvalidArgument", "")
	second := rule("repl-dst")
	second.ID = aws.String("second")
	checkS3Error(t, "two rules of one priority", put("repl-src", rule("repl-dst"), second), "InvalidArgument", "")

	if err := put("repl-src", rule("repl-dst")); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("repl-src")})
	if err != nil {
		t.Fatal(err)
	}
	rc := got.ReplicationConfiguration
	if aws.ToString(rc.Role) != replicationRole || len(rc.Rules) != 1 || aws.ToString(rc.Rules[0].ID) == "" ||
		aws.ToString(rc.Rules[0].Filter.Prefix) != "docs/" || aws.ToInt32(rc.Rules[0].Priority) != 1 ||
		rc.Rules[0].Destination.StorageClass != s3types.StorageClassStandardIa {
		t.Errorf("GetBucketReplication = %+v", rc)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("repl-src"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	checkS3Error(t, "suspending a replicating bucket's versioning", err, "InvalidBucketState", "")
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("repl-src")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("repl-src")})
	checkS3Error(t, "GetBucketReplication once deleted", err, "ReplicationConfigurationNotFoundError", "")
}

// Objects replicate: a new version matching an enabled rule (PutObject,
// CopyObject, CompleteMultipartUpload) is PENDING and then COMPLETED on
// the source, and its copy in the destination has the same key, version
// id, metadata and tags, the rule's storage class and status REPLICA. A
// key no rule matches is not copied, a replica is not replicated back,
// delete markers replicate only by a rule that says so, and a version
// whose destination is gone is FAILED.
func TestS3ReplicationCopiesObjects(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	newReplicationBuckets(t, c, "src", "dst", "gone")
	rules := []s3types.ReplicationRule{
		{ID: aws.String("docs"), Status: s3types.ReplicationRuleStatusEnabled, Priority: aws.Int32(2),
			Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("docs/")},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusEnabled},
			Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::dst"), StorageClass: s3types.StorageClassStandardIa}},
		{ID: aws.String("logs"), Status: s3types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
			Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("logs/")},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
			Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::dst")}},
		{ID: aws.String("lost"), Status: s3types.ReplicationRuleStatusEnabled, Priority: aws.Int32(3),
			Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("lost/")},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
			Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::gone")}},
	}
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("src"),
		ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(replicationRole), Rules: rules}}); err != nil {
		t.Fatal(err)
	}
	// The destination replicates back: replicas must not come back.
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("dst"),
		ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(replicationRole), Rules: []s3types.ReplicationRule{
			{Status: s3types.ReplicationRuleStatusEnabled, Prefix: aws.String(""), Destination: &s3types.Destination{Bucket: aws.String("arn:aws:s3:::src")}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}

	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("docs/a.txt"), Body: strings.NewReader("alpha"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"colour": "blue"}, Tagging: aws.String("team=red")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("logs/copy.txt"), CopySource: aws.String("src/docs/a.txt")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("src"), Key: aws.String("logs/big")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("src"), Key: aws.String("logs/big"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("parts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("src"), Key: aws.String("logs/big"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"other/x", "lost/y"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}

	// statusOf polls a source object until its replication is done.
	statusOf := func(key string) s3types.ReplicationStatus {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			if head.ReplicationStatus != s3types.ReplicationStatusPending {
				return head.ReplicationStatus
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s is still PENDING", key)
			}
		}
	}
	for _, k := range []string{"docs/a.txt", "logs/copy.txt", "logs/big"} {
		if got := statusOf(k); got != s3types.ReplicationStatusCompleted {
			t.Errorf("replication status of %s = %q, want COMPLETED", k, got)
		}
	}
	if got := statusOf("lost/y"); got != s3types.ReplicationStatusFailed {
		t.Errorf("replication status with the destination gone = %q, want FAILED", got)
	}
	if got := statusOf("other/x"); got != "" {
		t.Errorf("replication status of a key no rule matches = %q", got)
	}

	replica, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("docs/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(replica.Body)
	replica.Body.Close()
	if string(body) != "alpha" || replica.ReplicationStatus != s3types.ReplicationStatusReplica ||
		aws.ToString(replica.VersionId) != aws.ToString(put.VersionId) || replica.Metadata["colour"] != "blue" ||
		aws.ToString(replica.ContentType) != "text/plain" || replica.StorageClass != s3types.StorageClassStandardIa ||
		aws.ToInt32(replica.TagCount) != 1 {
		t.Errorf("replica = %q, status %q, version %q (source %q), metadata %v, type %q, class %q, tags %d", body, replica.ReplicationStatus,
			aws.ToString(replica.VersionId), aws.ToString(put.VersionId), replica.Metadata, aws.ToString(replica.ContentType),
			replica.StorageClass, aws.ToInt32(replica.TagCount))
	}
	for _, k := range []string{"logs/copy.txt", "logs/big"} {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String(k)})
		if err != nil || head.ReplicationStatus != s3types.ReplicationStatusReplica {
			t.Errorf("replica of %s: %v", k, err)
		}
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("other/x")}); err == nil {
		t.Error("a key no rule matches was replicated")
	}

	// Delete markers: docs/ replicates them, logs/ does not.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String("docs/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String("logs/copy.txt")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("docs/a.txt")})
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the delete marker was not replicated")
		}
	}
	versions, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.DeleteMarkers) != 1 || aws.ToString(versions.DeleteMarkers[0].VersionId) != aws.ToString(del.VersionId) {
		t.Errorf("destination's delete markers = %+v, want the source's %s", versions.DeleteMarkers, aws.ToString(del.VersionId))
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("logs/copy.txt")}); err != nil {
		t.Errorf("a delete marker of a rule without DeleteMarkerReplication was replicated: %v", err)
	}
	back, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("src"), Prefix: aws.String("logs/big")})
	if err != nil || len(back.Versions) != 1 {
		t.Errorf("source's versions of logs/big = %d, %v: a replica came back", len(back.Versions), err)
	}
}

const replicationStackTemplate = `
Resources:
  Replica:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-replica
      VersioningConfiguration: {Status: Enabled}
  Source:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-source
      VersioningConfiguration: {Status: Enabled}
      ReplicationConfiguration:
        Role: arn:aws:iam::000000000000:role/replication
        Rules:
          - Id: reports
            Status: Enabled
            Priority: 1
            Filter: {Prefix: reports/}
            DeleteMarkerReplication: {Status: Enabled}
            Destination: {Bucket: !GetAtt Replica.Arn, StorageClass: STANDARD_IA}
  Locked:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-locked
      ObjectLockEnabled: true
      ObjectLockConfiguration:
        ObjectLockEnabled: Enabled
        Rule: {DefaultRetention: {Mode: GOVERNANCE, Days: 3}}
`

// An AWS::S3::Bucket's ReplicationConfiguration is put on the bucket,
// and its objects replicate; its ObjectLockConfiguration is put too.
func TestS3ReplicationStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	deployStack(t, cloudformation.NewFromConfig(env.Config), "replicated", replicationStackTemplate, false)
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	got, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("cfn-source")})
	if err != nil {
		t.Fatal(err)
	}
	if r := got.ReplicationConfiguration.Rules; len(r) != 1 || aws.ToString(r[0].ID) != "reports" ||
		aws.ToString(r[0].Destination.Bucket) != "arn:aws:s3:::cfn-replica" || aws.ToString(r[0].Filter.Prefix) != "reports/" {
		t.Fatalf("GetBucketReplication = %+v", got.ReplicationConfiguration)
	}
	lock, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("cfn-locked")})
	if err != nil || lock.ObjectLockConfiguration.Rule == nil || lock.ObjectLockConfiguration.Rule.DefaultRetention.Mode != s3types.ObjectLockRetentionModeGovernance ||
		aws.ToInt32(lock.ObjectLockConfiguration.Rule.DefaultRetention.Days) != 3 {
		t.Errorf("GetObjectLockConfiguration of the stack's locked bucket = %+v, %v", lock, err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfn-source"), Key: aws.String("reports/q1"), Body: strings.NewReader("q1")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cfn-replica"), Key: aws.String("reports/q1")})
		if err == nil {
			if head.ReplicationStatus != s3types.ReplicationStatusReplica || head.StorageClass != s3types.StorageClassStandardIa {
				t.Errorf("replica: status %q, class %q", head.ReplicationStatus, head.StorageClass)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the object was not replicated")
		}
	}
}

// TestS3ReplicationCLI runs the aws CLI's put-bucket-replication,
// get-bucket-replication and delete-bucket-replication examples (the
// aws CLI sends the Content-MD5 S3 requires).
func TestS3ReplicationCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	for _, b := range []string{"doc-example-bucket1", "doc-example-bucket2"} {
		cliOK(t, env.CLI(t, "s3api", "create-bucket", "--bucket", b), "create-bucket")
		cliOK(t, env.CLI(t, "s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled"), "put-bucket-versioning")
	}
	file := filepath.Join(t.TempDir(), "replication.json")
	if err := os.WriteFile(file, []byte(`{
    "Role": "arn:aws:iam::123456789012:role/s3-replication-role",
    "Rules": [{"Status": "Enabled", "Priority": 1, "DeleteMarkerReplication": {"Status": "Disabled"},
               "Filter": {"Prefix": ""}, "Destination": {"Bucket": "arn:aws:s3:::doc-example-bucket2"}}]
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cliOK(t, env.CLI(t, "s3api", "put-bucket-replication", "--bucket", "doc-example-bucket1",
		"--replication-configuration", "file://"+file), "put-bucket-replication"); out != "" {
		t.Errorf("put-bucket-replication printed %q", out)
	}
	var got struct {
		ReplicationConfiguration struct {
			Role  string
			Rules []struct {
				ID, Status  string
				Priority    int
				Destination struct{ Bucket string }
			}
		}
	}
	cliJSON(t, env.CLI(t, "s3api", "get-bucket-replication", "--bucket", "doc-example-bucket1"), &got)
	rc := got.ReplicationConfiguration
	if rc.Role != "arn:aws:iam::123456789012:role/s3-replication-role" || len(rc.Rules) != 1 || rc.Rules[0].ID == "" ||
		rc.Rules[0].Priority != 1 || rc.Rules[0].Destination.Bucket != "arn:aws:s3:::doc-example-bucket2" {
		t.Errorf("get-bucket-replication = %+v", rc)
	}
	cliOK(t, env.CLI(t, "s3api", "delete-bucket-replication", "--bucket", "doc-example-bucket1"), "delete-bucket-replication")
	res := env.CLI(t, "s3api", "get-bucket-replication", "--bucket", "doc-example-bucket1")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ReplicationConfigurationNotFoundError") {
		t.Errorf("get-bucket-replication once deleted: %d %s", res.ExitCode, res.Stderr)
	}
}
