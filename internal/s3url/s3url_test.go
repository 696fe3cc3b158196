package s3url

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want Object
	}{
		{"https://bucket.s3.amazonaws.com/key.yaml", Object{"bucket", "key.yaml", ""}},
		{"https://bucket.s3.us-west-2.amazonaws.com/dir/key.yaml", Object{"bucket", "dir/key.yaml", ""}},
		{"https://bucket.s3-us-west-2.amazonaws.com/key", Object{"bucket", "key", ""}},
		{"https://bucket.s3.dualstack.eu-west-1.amazonaws.com/key", Object{"bucket", "key", ""}},
		{"https://my.dotted.bucket.s3.amazonaws.com/key", Object{"my.dotted.bucket", "key", ""}},
		{"https://s3.backup.s3.amazonaws.com/key", Object{"s3.backup", "key", ""}},
		{"https://s3.amazonaws.com/bucket/dir/key.yaml", Object{"bucket", "dir/key.yaml", ""}},
		{"https://s3.us-east-1.amazonaws.com/bucket/key", Object{"bucket", "key", ""}},
		{"https://s3-eu-west-1.amazonaws.com/bucket/key", Object{"bucket", "key", ""}},
		{"https://s3-external-1.amazonaws.com/bucket/key", Object{"bucket", "key", ""}},
		{"https://s3.dualstack.us-east-1.amazonaws.com/bucket/key", Object{"bucket", "key", ""}},
		{"https://s3.us-gov-west-1.amazonaws.com/bucket/key", Object{"bucket", "key", ""}},
		{"https://bucket.s3.cn-north-1.amazonaws.com.cn/key", Object{"bucket", "key", ""}},
		{"HTTPS://BUCKET.S3.AMAZONAWS.COM/Key", Object{"bucket", "Key", ""}},
		{"https://s3.amazonaws.com/bucket/key?versionId=3HL4kqtJlcpXroDTDmJ%2Brmd", Object{"bucket", "key", "3HL4kqtJlcpXroDTDmJ+rmd"}},
		{"https://s3.amazonaws.com/bucket/a%20b%2Bc/d%2Fe", Object{"bucket", "a b+c/d/e", ""}},
		{"https://bucket.s3.amazonaws.com/caf%C3%A9+x", Object{"bucket", "café+x", ""}},
		{"http://127.0.0.1:4566/bucket/key", Object{"bucket", "key", ""}},
		{"http://localhost:4566/bucket/dir/key?versionId=v1", Object{"bucket", "dir/key", "v1"}},
		{"http://[::1]:4566/bucket/key", Object{"bucket", "key", ""}},
		{"http://virga.internal:8080/bucket/key", Object{"bucket", "key", ""}},
		{"http://bucket.s3.localhost:4566/key", Object{"bucket", "key", ""}},
		{"http://bucket.s3.us-east-1.localhost:4566/key", Object{"bucket", "key", ""}},
		{"http://s3.localhost:4566/bucket/key", Object{"bucket", "key", ""}},
		{"http://s3.us-east-1.localhost/bucket/key", Object{"bucket", "key", ""}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.url, "virga.internal")
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.url, got, err, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"", "bucket/key", "s3://bucket/key", "ftp://s3.amazonaws.com/bucket/key",
		"https://example.com/bucket/key", "https://raw.githubusercontent.com/o/r/t.yaml",
		"https://s3.amazonaws.com/bucket", "https://s3.amazonaws.com/bucket/", "https://s3.amazonaws.com/",
		"https://bucket.s3.amazonaws.com/", "https://bucket.s3.amazonaws.com",
		"https://bucket.s3-website-us-east-1.amazonaws.com/key", "https://lambda.us-east-1.amazonaws.com/bucket/key",
		"https://s3.notaregion.amazonaws.com/bucket/key", "https://s3-us-east-1.us-east-1.amazonaws.com/bucket/key",
		"https://bucket.s3.amazonaws.com.evil.com/key", "https://user@s3.amazonaws.com/bucket/key",
		"http://api.execute-api.localhost:4566/bucket/key", "http://127.0.0.1:4566/bucket",
		"https://s3.amazonaws.com/%zz/key",
	} {
		if got, err := Parse(u); !errors.Is(err, ErrNotS3) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNotS3", u, got, err)
		}
	}
}

func TestParseURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri  string
		want Object
	}{
		{"s3://bucket/key.zip", Object{"bucket", "key.zip", ""}},
		{"s3://bucket/dir/a%20b.zip", Object{"bucket", "dir/a%20b.zip", ""}},
		{"s3://bucket/key?versionId=abc%2Bdef", Object{"bucket", "key", "abc+def"}},
		{"s3://bucket/key?other=1", Object{"bucket", "key", ""}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.uri)
		if err != nil || got != tt.want {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", tt.uri, got, err, tt.want)
		}
		if back, err := ParseURI(got.String()); err != nil || back != got {
			t.Errorf("ParseURI(%q.String() = %q) = %+v, %v", tt.uri, got.String(), back, err)
		}
	}
	for _, u := range []string{"", "s3://", "s3://bucket", "s3://bucket/", "s3:///key", "https://s3.amazonaws.com/b/k", "s3://b/k?versionId=%zz"} {
		if got, err := ParseURI(u); !errors.Is(err, ErrNotS3) {
			t.Errorf("ParseURI(%q) = %+v, %v; want ErrNotS3", u, got, err)
		}
	}
}
