package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestS3ListObjectVersionsOrder: keys in UTF-8 binary order, each key's
// versions newest first, delete markers with their LastModified, and
// KeyMarker/VersionIdMarker paging that neither skips nor repeats.
func TestS3ListObjectVersionsOrder(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "ordered")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ordered"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	var want []string // "key version", in the order S3 lists them
	perKey := map[string][]string{}
	for _, key := range []string{"é", "b", "Z", "a/x", "a", "b", "é", "a"} {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ordered"), Key: aws.String(key), Body: strings.NewReader(key)})
		if err != nil {
			t.Fatal(err)
		}
		perKey[key] = append([]string{aws.ToString(out.VersionId)}, perKey[key]...)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ordered"), Key: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	perKey["b"] = append([]string{aws.ToString(del.VersionId)}, perKey["b"]...)
	keys := []string{"Z", "a", "a/x", "b", "é"} // byte order: 'Z' < 'a' < "a/x" < 'b' < 0xC3
	for _, k := range keys {
		for _, v := range perKey[k] {
			want = append(want, k+" "+v)
		}
	}
	list := func(maxKeys int32) []string {
		t.Helper()
		var got []string
		in := &s3.ListObjectVersionsInput{Bucket: aws.String("ordered"), MaxKeys: aws.Int32(maxKeys)}
		for page := 0; ; page++ {
			out, err := c.ListObjectVersions(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			type entry struct {
				key, id string
				at      time.Time
			}
			var entries []entry
			for _, v := range out.Versions {
				entries = append(entries, entry{aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToTime(v.LastModified)})
			}
			for _, m := range out.DeleteMarkers {
				if aws.ToTime(m.LastModified).Year() < 2000 {
					t.Errorf("delete marker LastModified %v", m.LastModified)
				}
				entries = append(entries, entry{aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToTime(m.LastModified)})
			}
			// The SDK splits the listing in two, each in S3's order; put
			// them back together.
			pos := map[string]int{}
			for i, w := range want {
				pos[w] = i
			}
			nv := len(out.Versions)
			for _, part := range [][]entry{entries[:nv], entries[nv:]} {
				if !slices.IsSortedFunc(part, func(a, b entry) int { return pos[a.key+" "+a.id] - pos[b.key+" "+b.id] }) {
					t.Errorf("page out of order: %v", part)
				}
			}
			slices.SortFunc(entries, func(a, b entry) int { return pos[a.key+" "+a.id] - pos[b.key+" "+b.id] })
			for _, e := range entries {
				got = append(got, e.key+" "+e.id)
			}
			if !aws.ToBool(out.IsTruncated) {
				return got
			}
			if page > 20 {
				t.Fatal("listing does not end")
			}
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
		}
	}
	for _, max := range []int32{1000, 1, 2, 3} {
		if got := list(max); !slices.Equal(got, want) {
			t.Errorf("max-keys %d:\n got %q\nwant %q", max, got, want)
		}
	}
	_, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("ordered"), VersionIdMarker: aws.String(perKey["a"][0])})
	if e := expectAPIError(t, err, "InvalidArgument", 400); e.Message != "A version-id marker cannot be specified without a key marker." {
		t.Errorf("version-id-marker alone: %q", e.Message)
	}
}
