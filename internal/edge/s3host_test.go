package edge

import "testing"

func TestS3VirtualHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]string{
		"photos.s3.localhost":                "photos",
		"photos.s3.localhost:4566":           "photos",
		"my.dotted.bucket.s3.localhost:4566": "my.dotted.bucket",
		"photos.s3.us-east-1.localhost":      "photos",
		"Photos.S3.Amazonaws.com":            "photos",
		"photos.s3.eu-west-1.amazonaws.com":  "photos",
		"s3.localhost":                       "",
		"s3.us-east-1.localhost":             "",
		"s3.amazonaws.com":                   "",
		"s3.eu-west-1.amazonaws.com":         "",
		"localhost":                          "",
		"127.0.0.1:4566":                     "",
		"abc.execute-api.localhost":          "",
		"photos.s3.example.com":              "",
		"photos.s3.a.b.localhost":            "",
		"[::1]:4566":                         "",
	} {
		got, ok := s3VirtualHost(host)
		if got != want || ok != (want != "") {
			t.Errorf("s3VirtualHost(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
}
