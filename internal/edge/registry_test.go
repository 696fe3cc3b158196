package edge

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restxml"
)

func TestRegistryHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"000000000000.dkr.ecr.us-east-1.localhost":      true,
		"000000000000.dkr.ecr.us-east-1.localhost:4566": true,
		"123456789012.DKR.ECR.eu-west-1.amazonaws.com":  true,
		"dkr.ecr.us-east-1.localhost":                   false,
		"a.b.dkr.ecr.us-east-1.localhost":               false,
		"000000000000.dkr.ecr.localhost":                false,
		"000000000000.dkr.ecr.us-east-1.example.com":    false,
		"localhost:4566":                                false,
		"bucket.s3.localhost":                           false,
	} {
		if got := registryHost(host); got != want {
			t.Errorf("registryHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestRoutingToRegistry: the registry's host names reach the registry
// whatever the path and signature; on other hosts, only unsigned
// requests to registry paths do, so that a signed S3 path-style request
// for a bucket named "v2" still reaches S3.
func TestRoutingToRegistry(t *testing.T) {
	t.Parallel()
	type in struct {
		Bucket *string `aws:"loc=uri,locname=Bucket"`
	}
	type inKey struct {
		Bucket *string `aws:"loc=uri,locname=Bucket"`
		Key    *string `aws:"loc=uri,locname=Key"`
	}
	type out struct{}
	s3 := (&awsproto.Service{
		Name:     "s3",
		Protocol: restxml.New(),
		Operations: []awsproto.Operation{{Name: "ListObjects", HTTP: "GET /{Bucket}",
			Handler: awsproto.Handle(func(_ context.Context, i *in) (*out, error) { return &out{}, nil })},
			{Name: "GetObject", HTTP: "GET /{Bucket}/{Key+}",
				Handler: awsproto.Handle(func(_ context.Context, i *inKey) (*out, error) { return &out{}, nil })}},
	}).Init()
	f := newFixture(t, false, func(o *Options) {
		o.Services = append(o.Services, s3)
		o.Registry = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "registry "+r.URL.Path) })
		o.RegistryPath = func(p string) bool { return p == "/v2/" || strings.HasSuffix(p, "/tags/list") }
	})
	get := func(host, path string, signed bool, hdr ...string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		req.Host = host
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		if signed {
			req.Header.Set("X-Amz-Date", "20240506T070809Z")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSTATIC/20240506/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		}
		r := f.do(t, req)
		return r.status, string(r.raw)
	}
	if s, b := get("000000000000.dkr.ecr.us-east-1.localhost:4566", "/v2/", false); s != 200 || b != "registry /v2/" {
		t.Errorf("registry host: %d %q", s, b)
	}
	if s, b := get("000000000000.dkr.ecr.us-east-1.amazonaws.com", "/v2/", true); s != 200 || b != "registry /v2/" {
		t.Errorf("AWS registry host, signed: %d %q", s, b)
	}
	if s, b := get("127.0.0.1:4566", "/v2/", false); s != 200 || b != "registry /v2/" {
		t.Errorf("unsigned /v2/: %d %q", s, b)
	}
	if s, b := get("127.0.0.1:4566", "/v2/team/app/tags/list", false); s != 200 || b != "registry /v2/team/app/tags/list" {
		t.Errorf("unsigned tags/list: %d %q", s, b)
	}
	// A registry client's own credentials are not a signature.
	if s, b := get("127.0.0.1:4566", "/v2/", false, "Authorization", "Basic QVdTOnRva2Vu"); s != 200 || b != "registry /v2/" {
		t.Errorf("/v2/ with Basic credentials: %d %q", s, b)
	}
	if s, b := get("127.0.0.1:4566", "/v2/", false, "Authorization", "Bearer abc"); s != 200 || b != "registry /v2/" {
		t.Errorf("/v2/ with a Bearer token: %d %q", s, b)
	}
	// Signed: S3's bucket "v2".
	if s, b := get("127.0.0.1:4566", "/v2/", true); s != 200 || strings.HasPrefix(b, "registry") {
		t.Errorf("signed GET /v2/ (bucket v2): %d %q", s, b)
	}
	if s, b := get("127.0.0.1:4566", "/v2/team/app/tags/list", true); s != 200 || strings.HasPrefix(b, "registry") {
		t.Errorf("signed GET of an object in bucket v2: %d %q", s, b)
	}
	if s, b := get("127.0.0.1:4566", "/v2/?X-Amz-Signature=00&X-Amz-Credential=x", false); strings.HasPrefix(b, "registry") {
		t.Errorf("presigned GET /v2/ went to the registry: %d %q", s, b)
	}
	// Unsigned paths the registry does not claim are not its.
	if _, b := get("127.0.0.1:4566", "/v2/apis", false); strings.HasPrefix(b, "registry") {
		t.Errorf("unsigned /v2/apis went to the registry: %q", b)
	}
}
