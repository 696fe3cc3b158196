package ecr

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestDownloadURLIsForItsLayerOnly: GetDownloadUrlForLayer's URL, like
// the presigned URL ECR answers, fetches that layer and nothing else:
// its token neither pushes, nor lists, nor reads another blob or
// repository.
func TestDownloadURLIsForItsLayerOnly(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	s.requireAuth = true
	ctx := context.Background()
	for _, n := range []string{"one", "two"} {
		if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var digests []string
	for _, b := range []string{"first layer", "second layer"} {
		d := digestOf([]byte(b))
		u, _ := s.startUpload("one")
		s.appendUpload(u, bytes.NewReader([]byte(b)))
		if err := s.finishUpload(u, d); err != nil {
			t.Fatal(err)
		}
		if err := s.link("two", d); err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
	}
	out, err := s.getDownloadUrlForLayer(ctx, &GetDownloadUrlForLayerRequest{RepositoryName: ptr("one"), LayerDigest: ptr(digests[0])})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(*out.DownloadUrl)
	if err != nil {
		t.Fatal(err)
	}
	tok := u.Query().Get(downloadTokenParam)
	g := &registry{s}
	do := func(method, path, body string) int {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, httptest.NewRequest(method, path+"?"+url.Values{downloadTokenParam: {tok}}.Encode(), strings.NewReader(body)))
		return rec.Code
	}
	if c := do(http.MethodGet, u.Path, ""); c != http.StatusOK {
		t.Errorf("GET of the URL's layer: %d", c)
	}
	if c := do(http.MethodHead, u.Path, ""); c != http.StatusOK {
		t.Errorf("HEAD of the URL's layer: %d", c)
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v2/one/blobs/" + digests[1]},
		{http.MethodGet, "/v2/two/blobs/" + digests[0]},
		{http.MethodGet, "/v2/_catalog"},
		{http.MethodGet, "/v2/one/tags/list"},
		{http.MethodPost, "/v2/two/blobs/uploads/"},
		{http.MethodPut, "/v2/one/manifests/latest"},
	} {
		if code := do(c.method, c.path, "{}"); code != http.StatusUnauthorized {
			t.Errorf("%s %s with a download URL's token: %d, want 401", c.method, c.path, code)
		}
	}
}
