package s3url

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParse checks that Parse and ParseURI never panic, that what they
// accept names a bucket and a key, and that a path-style URL built from
// what Parse found reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"https://bucket.s3.amazonaws.com/key.yaml",
		"https://bucket.s3.us-west-2.amazonaws.com/dir/key.yaml",
		"https://s3.amazonaws.com/bucket/a%20b?versionId=v",
		"https://s3-eu-west-1.amazonaws.com/bucket/key",
		"http://127.0.0.1:4566/bucket/key",
		"http://bucket.s3.localhost:4566/key",
		"s3://bucket/key?versionId=v",
		"https://s3.backup.s3.dualstack.us-east-1.amazonaws.com/k",
		"https://example.com/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if o, err := Parse(raw); err == nil {
			if o.Bucket == "" || o.Key == "" || strings.Contains(o.Bucket, "/") {
				t.Fatalf("Parse(%q) = %+v", raw, o)
			}
			back := "https://s3.amazonaws.com/" + url.PathEscape(o.Bucket) + "/" + escapeKey(o.Key)
			if o.VersionID != "" {
				back += "?versionId=" + url.QueryEscape(o.VersionID)
			}
			if got, err := Parse(back); err != nil || got != o {
				t.Fatalf("Parse(%q) = %+v; Parse(%q) = %+v, %v", raw, o, back, got, err)
			}
		}
		if o, err := ParseURI(raw); err == nil {
			if o.Bucket == "" || o.Key == "" || strings.ContainsAny(o.Bucket, "/?") {
				t.Fatalf("ParseURI(%q) = %+v", raw, o)
			}
		}
	})
}

func escapeKey(k string) string {
	parts := strings.Split(k, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
