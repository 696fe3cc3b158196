package e2e_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

func s3Client(env *e2e.Env, opts ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(env.Config, append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}, opts...)...)
}

func s3Bucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func s3Get(t *testing.T, c *s3.Client, bucket, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s/%s: %v", bucket, key, err)
	}
	return out, data
}

func md5Hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func TestS3Buckets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()

	for _, name := range []string{"ab", "Upper", "a..b", "-ab", "192.168.1.1", "xn--abc", strings.Repeat("a", 64)} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		expectAPIError(t, err, "InvalidBucketName", 400)
	}
	s3Bucket(t, c, "photos")
	// us-east-1 answers 200 to one's own bucket again.
	s3Bucket(t, c, "photos")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("x-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	expectAPIError(t, err, "InvalidLocationConstraint", 400)

	eu := s3Client(env, func(o *s3.Options) { o.Region = "eu-west-1" })
	if _, err := eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("in-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	_, err = eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("in-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	expectAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("in-eu")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation = %+v, %v", loc, err)
	}
	loc, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("photos")})
	if err != nil || loc.LocationConstraint != "" {
		t.Errorf("GetBucketLocation us-east-1 = %+v, %v", loc, err)
	}
	hb, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("in-eu")})
	if err != nil || aws.ToString(hb.BucketRegion) != "eu-west-1" {
		t.Errorf("HeadBucket = %+v, %v", hb, err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nothere")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket of a missing bucket: %v", err)
	}

	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 2 || aws.ToString(lb.Buckets[0].Name) != "in-eu" || lb.Owner == nil {
		t.Fatalf("ListBuckets = %+v, %v", lb, err)
	}
	page, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil || len(page.Buckets) != 1 || page.ContinuationToken == nil || aws.ToString(page.Buckets[0].BucketRegion) != "eu-west-1" {
		t.Fatalf("ListBuckets page 1 = %+v, %v", page, err)
	}
	page, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1), ContinuationToken: page.ContinuationToken})
	if err != nil || len(page.Buckets) != 1 || aws.ToString(page.Buckets[0].Name) != "photos" || page.ContinuationToken != nil {
		t.Fatalf("ListBuckets page 2 = %+v, %v", page, err)
	}

	// Tagging, versioning, ACL, policy, CORS are recorded.
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "NoSuchTagSet", 404)
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("photos"), Tagging: &types.Tagging{
		TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("a&b")}}}}); err != nil {
		t.Fatal(err)
	}
	tg, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("photos")})
	if err != nil || len(tg.TagSet) != 1 || aws.ToString(tg.TagSet[0].Value) != "a&b" {
		t.Errorf("GetBucketTagging = %+v, %v", tg, err)
	}
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("photos"), Tagging: &types.Tagging{
		TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}}})
	expectAPIError(t, err, "InvalidTag", 400)
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("photos")}); err != nil {
		t.Fatal(err)
	}
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("photos")})
	if err != nil || v.Status != "" {
		t.Errorf("GetBucketVersioning = %+v, %v", v, err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("photos"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("photos")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("GetBucketVersioning = %+v, %v", v, err)
	}
	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("photos")})
	if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl {
		t.Errorf("GetBucketAcl = %+v, %v", acl, err)
	}
	// New buckets have ACLs disabled (BucketOwnerEnforced), as on AWS
	// since April 2023; ObjectWriter enables them.
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("photos"), ACL: types.BucketCannedACLPublicRead})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("photos"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("photos"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("photos")})
	if err != nil || len(acl.Grants) != 2 || aws.ToString(acl.Grants[1].Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" {
		t.Errorf("GetBucketAcl after public-read = %+v, %v", acl, err)
	}
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "NoSuchBucketPolicy", 404)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("photos"), Policy: &policy}); err != nil {
		t.Fatal(err)
	}
	gp, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("photos")})
	if err != nil || aws.ToString(gp.Policy) != policy {
		t.Errorf("GetBucketPolicy = %v, %v", aws.ToString(gp.Policy), err)
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("photos"), Policy: aws.String("nope")})
	expectAPIError(t, err, "MalformedPolicy", 400)
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "NoSuchCORSConfiguration", 404)
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("photos"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"*"}, MaxAgeSeconds: aws.Int32(300)}}}}); err != nil {
		t.Fatal(err)
	}
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("photos")})
	if err != nil || len(cors.CORSRules) != 1 || len(cors.CORSRules[0].AllowedMethods) != 2 || aws.ToInt32(cors.CORSRules[0].MaxAgeSeconds) != 300 {
		t.Errorf("GetBucketCors = %+v, %v", cors, err)
	}

	// A subresource's operation answers, not another operation on the
	// same path.
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "ReplicationConfigurationNotFoundError", 404)

	// DeleteBucket refuses a bucket with objects.
	// (The bucket is versioned: its versions and delete markers count.)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "BucketNotEmpty", 409)
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "BucketNotEmpty", 409)
	for _, v := range []*string{put.VersionId, del.VersionId} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("k"), VersionId: v}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")})
	expectAPIError(t, err, "NoSuchBucket", 404)
}

func TestS3Objects(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "docs")

	body := []byte("hello, world\n")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"),
		Body: bytes.NewReader(body), ContentType: aws.String("text/plain"), ContentDisposition: aws.String("attachment"),
		CacheControl: aws.String("max-age=60"), Metadata: map[string]string{"Owner": "me"}, Tagging: aws.String("a=1&b=2")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != `"`+md5Hex(body)+`"` {
		t.Errorf("ETag %s", aws.ToString(put.ETag))
	}
	// S3 gives an object uploaded without a checksum a CRC64NVME.
	if aws.ToString(put.ChecksumCRC64NVME) == "" || put.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("PutObject returned no CRC64NVME: %+v", put)
	}
	out, data := s3Get(t, c, "docs", "a b/c+d ü.txt")
	if !bytes.Equal(data, body) || aws.ToString(out.ContentType) != "text/plain" || aws.ToString(out.ContentDisposition) != "attachment" ||
		aws.ToString(out.CacheControl) != "max-age=60" || out.Metadata["owner"] != "me" || aws.ToInt32(out.TagCount) != 2 {
		t.Errorf("GetObject = %q %+v", data, out)
	}

	// Content-MD5 is checked.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("bad"), Body: strings.NewReader("abc"),
		ContentMD5: aws.String("1B2M2Y8AsgTpgAmY7PhCfg==")})
	expectAPIError(t, err, "BadDigest", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("bad"), Body: strings.NewReader("abc"),
		ContentMD5: aws.String("nope")})
	expectAPIError(t, err, "InvalidDigest", 400)
	// And every flexible checksum the SDK computes.
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
		types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		key := "sum-" + string(alg)
		p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: &key, Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("docs"), Key: &key, ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got := map[types.ChecksumAlgorithm][2]*string{
			types.ChecksumAlgorithmCrc32: {p.ChecksumCRC32, h.ChecksumCRC32}, types.ChecksumAlgorithmCrc32c: {p.ChecksumCRC32C, h.ChecksumCRC32C},
			types.ChecksumAlgorithmCrc64nvme: {p.ChecksumCRC64NVME, h.ChecksumCRC64NVME}, types.ChecksumAlgorithmSha1: {p.ChecksumSHA1, h.ChecksumSHA1},
			types.ChecksumAlgorithmSha256: {p.ChecksumSHA256, h.ChecksumSHA256}}[alg]
		if aws.ToString(got[0]) == "" || aws.ToString(got[0]) != aws.ToString(got[1]) {
			t.Errorf("%s: put %v, head %v", alg, aws.ToString(got[0]), aws.ToString(got[1]))
		}
		// GetObject validates the checksum the response carries.
		if _, data := s3Get(t, c, "docs", key); !bytes.Equal(data, body) {
			t.Errorf("%s: read back %q", alg, data)
		}
	}

	// Ranges.
	for _, tc := range []struct{ rng, want, cr string }{
		{"bytes=0-4", "hello", "bytes 0-4/13"},
		{"bytes=7-", "world\n", "bytes 7-12/13"},
		{"bytes=-6", "world\n", "bytes 7-12/13"},
		{"bytes=7-100", "world\n", "bytes 7-12/13"},
	} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"), Range: &tc.rng})
		if err != nil {
			t.Fatalf("%s: %v", tc.rng, err)
		}
		data, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(data) != tc.want || aws.ToString(out.ContentRange) != tc.cr || aws.ToInt64(out.ContentLength) != int64(len(tc.want)) {
			t.Errorf("%s: %q, Content-Range %q", tc.rng, data, aws.ToString(out.ContentRange))
		}
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"), Range: aws.String("bytes=13-")})
	expectAPIError(t, err, "InvalidRange", 416)

	// Conditional reads.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"), IfNoneMatch: put.ETag})
	expectAPIError(t, err, "NotModified", 304)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"), IfMatch: aws.String(`"other"`)})
	expectAPIError(t, err, "PreconditionFailed", 412)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"),
		IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	expectAPIError(t, err, "NotModified", 304)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"),
		IfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))})
	expectAPIError(t, err, "PreconditionFailed", 412)
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"), IfMatch: put.ETag,
		IfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))}); err != nil {
		t.Errorf("If-Match true wins over If-Unmodified-Since: %v", err)
	}
	// response-* overrides.
	ov, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"),
		ResponseContentType: aws.String("application/x-test"), ResponseContentDisposition: aws.String("inline")})
	if err != nil || aws.ToString(ov.ContentType) != "application/x-test" || aws.ToString(ov.ContentDisposition) != "inline" {
		t.Errorf("overrides: %+v, %v", ov, err)
	}
	ov.Body.Close()

	// Missing keys and buckets carry the elements AWS puts in the body.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("missing")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject of a missing key: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	expectAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("docs"), Key: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject of a missing key: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	expectAPIError(t, err, "KeyTooLongError", 400)
	// Subresources virga does not serve are NotImplemented, not another
	// operation on the same path.
	_, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt")})
	expectAPIError(t, err, "NotImplemented", 501)

	// Object tagging.
	tg, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt")})
	if err != nil || len(tg.TagSet) != 2 {
		t.Errorf("GetObjectTagging = %+v, %v", tg, err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("x"), Value: aws.String("y")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt")}); err != nil {
		t.Fatal(err)
	}
	tg, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("docs"), Key: aws.String("a b/c+d ü.txt")})
	if err != nil || len(tg.TagSet) != 0 {
		t.Errorf("GetObjectTagging after delete = %+v, %v", tg, err)
	}

	// CopyObject, with a key that needs encoding.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("docs"), Key: aws.String("copy.txt"),
		CopySource: aws.String("docs/a%20b/c%2Bd%20%C3%BC.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopyObjectResult.ETag) != `"`+md5Hex(body)+`"` {
		t.Errorf("copy ETag %s", aws.ToString(cp.CopyObjectResult.ETag))
	}
	cout, cdata := s3Get(t, c, "docs", "copy.txt")
	if !bytes.Equal(cdata, body) || cout.Metadata["owner"] != "me" || aws.ToString(cout.ContentType) != "text/plain" {
		t.Errorf("copy = %q %+v", cdata, cout)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("docs"), Key: aws.String("copy.txt"),
		CopySource: aws.String("docs/copy.txt"), MetadataDirective: types.MetadataDirectiveReplace,
		Metadata: map[string]string{"new": "1"}, ContentType: aws.String("text/markdown")}); err != nil {
		t.Fatal(err)
	}
	cout, _ = s3Get(t, c, "docs", "copy.txt")
	if cout.Metadata["new"] != "1" || cout.Metadata["owner"] != "" || aws.ToString(cout.ContentType) != "text/markdown" {
		t.Errorf("REPLACE: %+v", cout)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("docs"), Key: aws.String("copy.txt"), CopySource: aws.String("docs/copy.txt")})
	expectAPIError(t, err, "InvalidRequest", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("docs"), Key: aws.String("x"), CopySource: aws.String("docs/missing")})
	expectAPIError(t, err, "NoSuchKey", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("docs"), Key: aws.String("x"), CopySource: aws.String("docs/copy.txt"),
		CopySourceIfMatch: aws.String(`"nope"`)})
	expectAPIError(t, err, "PreconditionFailed", 412)

	// DeleteObject is idempotent; DeleteObjects reports each key.
	for i := 0; i < 2; i++ {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("docs"), Key: aws.String("copy.txt")}); err != nil {
			t.Fatal(err)
		}
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("docs"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("sum-CRC32")}, {Key: aws.String("never")}}}})
	if err != nil || len(del.Deleted) != 2 || len(del.Errors) != 0 {
		t.Errorf("DeleteObjects = %+v, %v", del, err)
	}
	del, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("docs"), Delete: &types.Delete{Quiet: aws.Bool(true),
		Objects: []types.ObjectIdentifier{{Key: aws.String("sum-SHA1")}}}})
	if err != nil || len(del.Deleted) != 0 {
		t.Errorf("quiet DeleteObjects = %+v, %v", del, err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("docs"), Key: aws.String("sum-SHA1")})
	if !errors.As(err, &nf) {
		t.Errorf("deleted key still there: %v", err)
	}
}

func TestS3List(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "lst")
	keys := []string{"a.txt", "dir/b.txt", "dir/c.txt", "dir/sub/d.txt", "e f.txt", "z/y.txt"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lst"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	for _, p := range out.CommonPrefixes {
		got = append(got, aws.ToString(p.Prefix))
	}
	if fmt.Sprint(got) != "[a.txt e f.txt dir/ z/]" || aws.ToInt32(out.KeyCount) != 4 || aws.ToBool(out.IsTruncated) {
		t.Errorf("delimiter listing = %v (%d)", got, aws.ToInt32(out.KeyCount))
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
	if err != nil || len(out.Contents) != 2 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "dir/sub/" {
		t.Errorf("prefix listing = %+v, %v", out, err)
	}
	// Pages of two, with the paginator.
	var all []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), MaxKeys: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range pg.Contents {
			all = append(all, aws.ToString(o.Key))
		}
	}
	if fmt.Sprint(all) != fmt.Sprint(keys) || pages != 3 {
		t.Errorf("paginated = %v in %d pages", all, pages)
	}
	// Pages over common prefixes.
	var mixed []string
	p = s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), MaxKeys: aws.Int32(1), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range pg.Contents {
			mixed = append(mixed, aws.ToString(o.Key))
		}
		for _, cp := range pg.CommonPrefixes {
			mixed = append(mixed, aws.ToString(cp.Prefix))
		}
	}
	if fmt.Sprint(mixed) != "[a.txt dir/ e f.txt z/]" {
		t.Errorf("paginated with delimiter = %v", mixed)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), StartAfter: aws.String("dir/c.txt"), FetchOwner: aws.Bool(true)})
	if err != nil || len(out.Contents) != 3 || aws.ToString(out.Contents[0].Key) != "dir/sub/d.txt" || out.Contents[0].Owner == nil {
		t.Errorf("start-after = %+v, %v", out, err)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Prefix: aws.String("e"), EncodingType: types.EncodingTypeUrl})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "e+f.txt" {
		t.Errorf("encoding-type=url = %+v, %v", out, err)
	}
	// ListObjects (v1) with markers.
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")})
	if err != nil || !aws.ToBool(v1.IsTruncated) || aws.ToString(v1.NextMarker) != "dir/" {
		t.Fatalf("ListObjects = %+v, %v", v1, err)
	}
	v1, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), Marker: v1.NextMarker, Delimiter: aws.String("/")})
	if err != nil || len(v1.Contents) != 1 || aws.ToString(v1.Contents[0].Key) != "e f.txt" || len(v1.CommonPrefixes) != 1 {
		t.Errorf("ListObjects page 2 = %+v, %v", v1, err)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nolist")})
	expectAPIError(t, err, "NoSuchBucket", 404)
}

func TestS3Multipart(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "mpu")

	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"),
		ContentType: aws.String("application/x-big")})
	if err != nil {
		t.Fatal(err)
	}
	id := create.UploadId
	part1 := bytes.Repeat([]byte("a"), 5<<20)
	part2 := []byte("tail")
	var etags []string
	for i, p := range [][]byte{part1, part2} {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		etags = append(etags, aws.ToString(up.ETag))
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	expectAPIError(t, err, "InvalidArgument", 400)

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != 5<<20 {
		t.Fatalf("ListParts = %+v, %v", lp, err)
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(id) {
		t.Fatalf("ListMultipartUploads = %+v, %v", lu, err)
	}

	complete := func(parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"),
			UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	part := func(n int32, etag string) types.CompletedPart {
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etag)}
	}
	_, err = complete(part(2, etags[1]), part(1, etags[0]))
	expectAPIError(t, err, "InvalidPartOrder", 400)
	_, err = complete(part(1, etags[0]), part(2, `"0123"`))
	expectAPIError(t, err, "InvalidPart", 400)
	_, err = complete(part(1, etags[0]), part(3, etags[1]))
	expectAPIError(t, err, "InvalidPart", 400)
	done, err := complete(part(1, etags[0]), part(2, etags[1]))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := hex.DecodeString(strings.Trim(etags[0], `"`))
	b, _ := hex.DecodeString(strings.Trim(etags[1], `"`))
	want := `"` + md5Hex(append(a, b...)) + `-2"`
	if aws.ToString(done.ETag) != want {
		t.Errorf("ETag %s, want %s", aws.ToString(done.ETag), want)
	}
	out, data := s3Get(t, c, "mpu", "big")
	if !bytes.Equal(data, append(append([]byte(nil), part1...), part2...)) || aws.ToString(out.ContentType) != "application/x-big" ||
		aws.ToInt32(out.PartsCount) != 2 {
		t.Errorf("completed object: %d bytes, %+v", len(data), out)
	}
	// An upload that names no checksum gets S3's full-object CRC64NVME,
	// which the SDK checks as it reads.
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), ChecksumMode: types.ChecksumModeEnabled})
	crc := crc64.New(crc64.MakeTable(0x9A6C9329AC4BC9B5))
	crc.Write(data)
	if err != nil || aws.ToString(h.ChecksumCRC64NVME) != base64.StdEncoding.EncodeToString(crc.Sum(nil)) || h.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("multipart CRC64NVME = %q (%s), %v", aws.ToString(h.ChecksumCRC64NVME), h.ChecksumType, err)
	}
	// A range across the parts' boundary.
	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", 5<<20-2, 5<<20+1))})
	if err != nil {
		t.Fatal(err)
	}
	rd, _ := io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(rd) != "aata" {
		t.Errorf("range across parts = %q", rd)
	}
	_, err = complete(part(1, etags[0]))
	expectAPIError(t, err, "NoSuchUpload", 404)

	// A part under 5 MiB that is not the last is EntityTooSmall.
	small, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	var smallTags []string
	for i := 1; i <= 2; i++ {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: small.UploadId,
			PartNumber: aws.Int32(int32(i)), Body: strings.NewReader("part")})
		if err != nil {
			t.Fatal(err)
		}
		smallTags = append(smallTags, aws.ToString(up.ETag))
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"),
		UploadId: small.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{part(1, smallTags[0]), part(2, smallTags[1])}}})
	expectAPIError(t, err, "EntityTooSmall", 400)
	// UploadPartCopy from the completed object.
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: small.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("mpu/big"), CopySourceRange: aws.String("bytes=0-5242879")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"),
		UploadId: small.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			part(1, aws.ToString(cp.CopyPartResult.ETag)), part(2, smallTags[1])}}}); err != nil {
		t.Fatal(err)
	}
	if _, data := s3Get(t, c, "mpu", "small"); len(data) != 5<<20+4 || string(data[len(data)-4:]) != "part" {
		t.Errorf("copied-part object: %d bytes", len(data))
	}

	// Abort.
	ab, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("gone")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("gone"), UploadId: ab.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("gone"), UploadId: ab.UploadId})
	expectAPIError(t, err, "NoSuchUpload", 404)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("gone"), UploadId: ab.UploadId})
	expectAPIError(t, err, "NoSuchUpload", 404)
}

// TestS3VirtualHost addresses buckets by host name, as SDKs do by
// default, with the host resolved to virga.
func TestS3VirtualHost(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "vhost")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k.txt"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"vhost.s3.localhost", "vhost.s3.us-east-1.localhost", "vhost.s3.amazonaws.com", "vhost.s3.eu-west-1.amazonaws.com"} {
		for _, path := range []string{"/dir/k.txt", "/?list-type=2", "/"} {
			req, _ := http.NewRequest("GET", env.Endpoint+path, nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || path == "/dir/k.txt" && string(body) != "v" || path != "/dir/k.txt" && !strings.Contains(string(body), "<Key>dir/k.txt</Key>") {
				t.Errorf("GET %s at %s: %d %s", path, host, resp.StatusCode, body)
			}
		}
	}
	// The SDK's own virtual-hosted addressing, signed.
	vc := s3.NewFromConfig(env.Config, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(strings.Replace(env.Endpoint, "127.0.0.1", "s3.localhost", 1))
		o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, env.App.Addr())
		}}}
	})
	if _, err := vc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("signed"), Body: strings.NewReader("s")}); err != nil {
		t.Fatal(err)
	}
	if _, data := s3Get(t, vc, "vhost", "signed"); string(data) != "s" {
		t.Errorf("virtual-hosted GetObject = %q", data)
	}
	lst, err := vc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost")})
	if err != nil || len(lst.Contents) != 2 {
		t.Errorf("virtual-hosted ListObjectsV2 = %+v, %v", lst, err)
	}
}
