package e2e_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

func TestS3Versioning(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "vers")
	put := func(body string) *s3.PutObjectOutput {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	get := func(version *string) (string, string, error) {
		t.Helper()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: version})
		if err != nil {
			return "", "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), aws.ToString(out.VersionId), nil
	}
	if out := put("v1"); out.VersionId != nil {
		t.Errorf("unversioned bucket: VersionId %q", aws.ToString(out.VersionId))
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vers"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v2, v3 := aws.ToString(put("v2").VersionId), aws.ToString(put("v3").VersionId)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(v2) || v2 == v3 {
		t.Fatalf("version ids %q %q", v2, v3)
	}
	for _, tc := range []struct {
		version  *string
		body, id string
	}{
		{nil, "v3", v3}, {aws.String(v2), "v2", v2}, {aws.String("null"), "v1", "null"},
	} {
		if body, id, err := get(tc.version); err != nil || body != tc.body || id != tc.id {
			t.Errorf("GetObject %v = %q %q %v, want %q %q", aws.ToString(tc.version), body, id, err, tc.body, tc.id)
		}
	}
	_, _, err := get(aws.String("not-a-version"))
	expectAPIError(t, err, "InvalidArgument", 400)
	_, _, err = get(aws.String(strings.Repeat("0", 32)))
	expectAPIError(t, err, "NoSuchVersion", 404)

	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k")})
	if err != nil || !aws.ToBool(del.DeleteMarker) || del.VersionId == nil {
		t.Fatalf("DeleteObject = %+v, %v", del, err)
	}
	marker := aws.ToString(del.VersionId)
	_, _, err = get(nil)
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject behind a delete marker: %v", err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response.Header.Get("X-Amz-Delete-Marker") != "true" {
		t.Errorf("no x-amz-delete-marker on the 404: %v", re.Response.Header)
	}
	_, _, err = get(&marker)
	expectAPIError(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	lst, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vers")})
	if err != nil || len(lst.Contents) != 0 {
		t.Errorf("ListObjectsV2 lists a deleted key: %+v, %v", lst, err)
	}
	lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers")})
	if err != nil || len(lv.Versions) != 3 || len(lv.DeleteMarkers) != 1 || !aws.ToBool(lv.DeleteMarkers[0].IsLatest) ||
		aws.ToString(lv.Versions[0].VersionId) != v3 || aws.ToBool(lv.Versions[0].IsLatest) || aws.ToString(lv.Versions[2].VersionId) != "null" {
		t.Fatalf("ListObjectVersions = %+v, %v", lv, err)
	}
	page, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers"), MaxKeys: aws.Int32(2)})
	if err != nil || !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextVersionIdMarker) != v3 {
		t.Fatalf("ListObjectVersions page = %+v, %v", page, err)
	}
	page, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers"), KeyMarker: page.NextKeyMarker,
		VersionIdMarker: page.NextVersionIdMarker})
	if err != nil || len(page.Versions) != 2 || aws.ToString(page.Versions[0].VersionId) != v2 || aws.ToBool(page.IsTruncated) {
		t.Fatalf("ListObjectVersions page 2 = %+v, %v", page, err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vers")})
	expectAPIError(t, err, "BucketNotEmpty", 409)

	// Removing the marker brings v3 back; removing v3 makes v2 current.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: &marker}); err != nil {
		t.Fatal(err)
	}
	if body, _, err := get(nil); err != nil || body != "v3" {
		t.Errorf("after removing the marker: %q %v", body, err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: &v3}); err != nil {
		t.Fatal(err)
	}
	if body, id, err := get(nil); err != nil || body != "v2" || id != v2 {
		t.Errorf("after removing v3: %q %q %v", body, id, err)
	}

	// Suspended: writes replace the null version.
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vers"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	if out := put("v4"); aws.ToString(out.VersionId) != "null" {
		t.Errorf("suspended put: VersionId %q", aws.ToString(out.VersionId))
	}
	lv, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers")})
	if err != nil || len(lv.Versions) != 2 || aws.ToString(lv.Versions[0].VersionId) != "null" || aws.ToString(lv.Versions[1].VersionId) != v2 {
		t.Fatalf("after a suspended put = %+v, %v", lv, err)
	}
	if body, _, err := get(aws.String("null")); err != nil || body != "v4" {
		t.Errorf("null version = %q %v", body, err)
	}
	// Deleting every version empties the bucket.
	dels, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vers"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), VersionId: aws.String("null")}, {Key: aws.String("k"), VersionId: &v2}}}})
	if err != nil || len(dels.Deleted) != 2 || len(dels.Errors) != 0 {
		t.Fatalf("DeleteObjects of versions = %+v, %v", dels, err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vers")}); err != nil {
		t.Errorf("DeleteBucket once every version is gone: %v", err)
	}
}
