package e2e_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/virga/virga/internal/e2e"
)

// An archived object (GLACIER, DEEP_ARCHIVE) is refused by GetObject
// with 403 InvalidObjectState until RestoreObject has made a restored
// copy: the first restore answers 202, HeadObject's x-amz-restore shows
// the copy in progress and then ready with its expiry, GetObject serves
// the bytes, and a restore of the restored object answers 200. A
// GLACIER_IR object is read at once and cannot be restored.
func TestS3RestoreArchivedObject(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := aws.String("vault")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	for key, class := range map[string]s3types.StorageClass{"cold": s3types.StorageClassGlacier, "deep": s3types.StorageClassDeepArchive, "instant": s3types.StorageClassGlacierIr} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: strings.NewReader("frozen " + key), StorageClass: class}); err != nil {
			t.Fatal(err)
		}
	}
	wantCode := func(what string, err error, code string, status int) {
		t.Helper()
		var api smithy.APIError
		var resp *smithyhttp.ResponseError
		if !errors.As(err, &api) || api.ErrorCode() != code || !errors.As(err, &resp) || resp.HTTPStatusCode() != status {
			t.Errorf("%s: %v, want %d %s", what, err, status, code)
		}
	}
	read := func(key string) (string, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)})
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), err
	}
	restore := func(key string) (int, error) {
		out, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: bucket, Key: aws.String(key),
			RestoreRequest: &s3types.RestoreRequest{Days: aws.Int32(2)}})
		if err != nil {
			return 0, err
		}
		return awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response).StatusCode, nil
	}

	for _, key := range []string{"cold", "deep"} {
		_, err := read(key)
		wantCode("GetObject of "+key, err, "InvalidObjectState", http.StatusForbidden)
		if err != nil && !strings.Contains(err.Error(), "The operation is not valid for the object's storage class") {
			t.Errorf("GetObject of %s: %v", key, err)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(key)})
		if err != nil || head.Restore != nil {
			t.Errorf("HeadObject of %s before a restore: %v, x-amz-restore %q", key, err, aws.ToString(head.Restore))
		}
	}
	// A copy of an archived source is refused in S3's words, by
	// CopyObject and UploadPartCopy alike; GLACIER_IR is copied.
	const copyRefused = "The source object of the COPY operation is not in the active tier and is only stored in Amazon Glacier."
	copyOf := func(key string) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String(key + "-copy"), CopySource: aws.String("vault/" + key)})
		return err
	}
	err := copyOf("cold")
	wantCode("CopyObject of an archived object", err, "InvalidObjectState", http.StatusForbidden)
	if err != nil && !strings.Contains(err.Error(), copyRefused) {
		t.Errorf("CopyObject of an archived object: %v", err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: aws.String("parts"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("vault/deep")})
	wantCode("UploadPartCopy of an archived object", err, "InvalidObjectState", http.StatusForbidden)
	if err := copyOf("instant"); err != nil {
		t.Errorf("CopyObject of a GLACIER_IR object: %v", err)
	}
	if got, err := read("instant"); err != nil || got != "frozen instant" {
		t.Errorf("GetObject of a GLACIER_IR object = %q, %v", got, err)
	}
	_, err = restore("instant")
	wantCode("RestoreObject of a GLACIER_IR object", err, "InvalidObjectState", http.StatusForbidden)

	if status, err := restore("cold"); err != nil || status != http.StatusAccepted {
		t.Fatalf("first RestoreObject = %d, %v, want 202", status, err)
	}
	var restored string
	for deadline := time.Now().Add(30 * time.Second); ; {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("cold")})
		if err != nil {
			t.Fatal(err)
		}
		restored = aws.ToString(head.Restore)
		if strings.HasPrefix(restored, `ongoing-request="false"`) {
			break
		}
		if restored != `ongoing-request="true"` {
			t.Fatalf("x-amz-restore during the restore = %q", restored)
		}
		if time.Now().After(deadline) {
			t.Fatal("the restore did not complete")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, date, ok := strings.Cut(restored, `expiry-date="`)
	expiry, err := time.Parse(http.TimeFormat, strings.TrimSuffix(date, `"`))
	if !ok || err != nil || expiry.Hour() != 0 || expiry.Minute() != 0 || expiry.Before(time.Now().Add(48*time.Hour)) || expiry.After(time.Now().Add(73*time.Hour)) {
		t.Errorf("x-amz-restore once restored = %q, want an expiry at midnight two days on", restored)
	}
	if got, err := read("cold"); err != nil || got != "frozen cold" {
		t.Errorf("GetObject of the restored object = %q, %v", got, err)
	}
	if err := copyOf("cold"); err != nil {
		t.Errorf("CopyObject of the restored object: %v", err)
	}
	if status, err := restore("cold"); err != nil || status != http.StatusOK {
		t.Errorf("RestoreObject of the restored object = %d, %v, want 200", status, err)
	}
	if _, err := read("deep"); err == nil {
		t.Error("GetObject of the DEEP_ARCHIVE object not restored succeeded")
	}
}
