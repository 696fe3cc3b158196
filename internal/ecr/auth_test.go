package ecr

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto"
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

// TestLoginTokenNamesItsPrincipal: a login token carries whom it was
// made for inside its MAC: changing the principal, the expiry or the
// MAC makes it invalid, and a token of the format before principals
// were named is told apart.
func TestLoginTokenNamesItsPrincipal(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	bob := tokenPrincipal{ARN: "arn:aws:iam::000000000000:user/bob", UserID: "AIDABOB", Account: "000000000000", AccessKeyID: "AKIABOB"}
	tok := s.newLoginToken(bob)
	p, legacy, ok := s.loginPrincipal(tok)
	if !ok || legacy || p == nil || *p != bob {
		t.Fatalf("loginPrincipal(%q) = %+v %v %v", tok, p, legacy, ok)
	}
	parts := strings.Split(tok, ".")
	alice := s.newLoginToken(tokenPrincipal{ARN: "arn:aws:iam::000000000000:user/alice"})
	forged := parts[0] + "." + strings.Split(alice, ".")[1] + "." + parts[2]
	for _, bad := range []string{forged, "1" + tok, parts[0] + "." + parts[1] + ".x" + parts[2], parts[0] + "." + parts[2], tok + ".x", ""} {
		if _, _, ok := s.loginPrincipal(bad); ok {
			t.Errorf("loginPrincipal(%q) accepted", bad)
		}
	}
	// A download URL's token is no login token, and a login token no
	// download URL's.
	if _, _, ok := s.loginPrincipal(s.newScopedToken(blobScope("a", "sha256:00"))); ok {
		t.Error("download token taken for a login token")
	}
	if s.validToken(tok, blobScope("a", "sha256:00")) {
		t.Error("login token taken for a download token")
	}
	// The format before: EXPIRY.MAC over no scope.
	if p, legacy, ok := s.loginPrincipal(s.newScopedToken("")); !ok || !legacy || p != nil {
		t.Errorf("legacy token: %+v %v %v", p, legacy, ok)
	}
	self := tokenPrincipal{Self: true}
	_, pass := s.RegistryCredentials()
	if p, _, ok := s.loginPrincipal(pass); !ok || p == nil || *p != self {
		t.Errorf("RegistryCredentials' token: %+v %v", p, ok)
	}
}

type allowAll struct{}

func (allowAll) Authorize(*awsproto.Call, any) error { return nil }

// TestLegacyTokenUnderIAM: a token of the format before tokens named
// their principal still logs in where policies are not enforced, and
// is refused (401, with a word on why) where they are.
func TestLegacyTokenUnderIAM(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	s.requireAuth = true
	legacy := s.newScopedToken("")
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/v2/", nil)
		r.SetBasicAuth("AWS", legacy)
		return r
	}
	if _, err := s.authenticate(req()); err != nil {
		t.Errorf("legacy token without IAM: %v", err)
	}
	s.SetAuthorizer(allowAll{})
	if _, err := s.authenticate(req()); err == nil || err.status != http.StatusUnauthorized {
		t.Errorf("legacy token under IAM: %v", err)
	}
	r := httptest.NewRequest(http.MethodGet, "/v2/", nil)
	r.SetBasicAuth("AWS", s.newLoginToken(tokenPrincipal{ARN: "arn:aws:iam::000000000000:user/bob"}))
	if a, err := s.authenticate(r); err != nil || a.who == nil || a.who.ARN != "arn:aws:iam::000000000000:user/bob" {
		t.Errorf("new token under IAM: %+v %v", a, err)
	}
}
