package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/virga/virga/internal/e2e"
)

// registryTransport dials virga for every host name, so that the
// registry's ACCOUNT.dkr.ecr.REGION.localhost names reach it whatever
// the resolver says of *.localhost.
func registryTransport(env *e2e.Env) http.RoundTripper {
	addr := strings.TrimPrefix(env.Endpoint, "http://")
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
}

// registryAddr is the registry's host:port for env's virga.
func registryAddr(env *e2e.Env) string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(env.Endpoint, "http://"))
	return testAccount + ".dkr.ecr.us-east-1.localhost:" + port
}

func createRepo(t *testing.T, c *ecr.Client, repoName string) *ecrtypes.Repository {
	t.Helper()
	out, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String(repoName)})
	if err != nil {
		t.Fatalf("CreateRepository %s: %v", repoName, err)
	}
	return out.Repository
}

func TestECRRepositories(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecr.NewFromConfig(env.Config)
	ctx := context.Background()
	out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String("team/app"),
		ImageTagMutability:         ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeKms},
		Tags:                       []ecrtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Repository
	if *r.RepositoryArn != "arn:aws:ecr:us-east-1:"+testAccount+":repository/team/app" ||
		*r.RepositoryUri != registryAddr(env)+"/team/app" || *r.RegistryId != testAccount ||
		r.ImageTagMutability != ecrtypes.ImageTagMutabilityImmutable || !r.ImageScanningConfiguration.ScanOnPush ||
		r.EncryptionConfiguration.EncryptionType != ecrtypes.EncryptionTypeKms || r.EncryptionConfiguration.KmsKey == nil || r.CreatedAt == nil {
		t.Errorf("CreateRepository: %+v", r)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/app")})
	if e := expectAPIError(t, err, "RepositoryAlreadyExistsException", 400); e.Message != "The repository with name 'team/app' already exists in the registry with id '"+testAccount+"'" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("Bad_Name")})
	expectAPIError(t, err, "InvalidParameterException", 400)

	for _, n := range []string{"b1", "b2", "b3"} {
		createRepo(t, c, n)
	}
	var names []string
	p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Repositories {
			names = append(names, *r.RepositoryName)
		}
	}
	if fmt.Sprint(names) != "[b1 b2 b3 team/app]" || pages != 2 {
		t.Errorf("DescribeRepositories pages %d: %v", pages, names)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"nope"}})
	if e := expectAPIError(t, err, "RepositoryNotFoundException", 400); e.Message != "The repository with name 'nope' does not exist in the registry with id '"+testAccount+"'" {
		t.Errorf("message %q", e.Message)
	}

	// Tags, policies, lifecycle policies.
	arn := r.RepositoryArn
	if _, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []ecrtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Errorf("ListTagsForResource: %v %+v", err, tags)
	}
	_, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("team/app")})
	expectAPIError(t, err, "LifecyclePolicyNotFoundException", 400)
	policy := `{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
	if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("team/app"), LifecyclePolicyText: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	lp, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("team/app")})
	if err != nil || *lp.LifecyclePolicyText != policy {
		t.Errorf("GetLifecyclePolicy: %v %+v", err, lp)
	}
	if _, err := c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String("team/app")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("team/app")})
	expectAPIError(t, err, "RepositoryPolicyNotFoundException", 400)
	rp := `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage"]}]}`
	if _, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("team/app"), PolicyText: aws.String(rp)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("team/app")})
	if err != nil || *got.PolicyText != rp {
		t.Errorf("GetRepositoryPolicy: %v %+v", err, got)
	}
	if _, err := c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("team/app")}); err != nil {
		t.Fatal(err)
	}

	// GetAuthorizationToken: base64 "AWS:TOKEN", 12 hours.
	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	ad := tok.AuthorizationData[0]
	raw, _ := base64.StdEncoding.DecodeString(*ad.AuthorizationToken)
	if !strings.HasPrefix(string(raw), "AWS:") || *ad.ProxyEndpoint != "http://"+registryAddr(env) {
		t.Errorf("GetAuthorizationToken: %q %q", raw, *ad.ProxyEndpoint)
	}
	within(t, "expiresAt", *ad.ExpiresAt, time.Now().Add(12*time.Hour), time.Minute)
}

// pushImage pushes a random image of layers layers to ref with
// go-containerregistry and returns it.
func pushImage(t *testing.T, env *e2e.Env, ref string, layers int, opts ...remote.Option) v1.Image {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < layers; i++ {
		l, err := random.Layer(int64(1000+i*7000), "application/vnd.docker.image.rootfs.diff.tar.gzip")
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, append([]remote.Option{remote.WithTransport(registryTransport(env))}, opts...)...); err != nil {
		t.Fatalf("remote.Write %s: %v", ref, err)
	}
	return img
}

func TestECRRegistryPushPull(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecr.NewFromConfig(env.Config)
	ctx := context.Background()
	repo := createRepo(t, c, "team/app")
	tr := remote.WithTransport(registryTransport(env))

	img := pushImage(t, env, *repo.RepositoryUri+":v1", 2)
	want, _ := img.Digest()
	ref, _ := name.ParseReference(*repo.RepositoryUri+":v1", name.Insecure)
	pulled, err := remote.Image(ref, tr)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := pulled.Digest(); got != want {
		t.Errorf("pulled digest %s, pushed %s", got, want)
	}
	ls, _ := pulled.Layers()
	for _, l := range ls {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		io.Copy(h, rc)
		rc.Close()
		if d, _ := l.Digest(); "sha256:"+hex.EncodeToString(h.Sum(nil)) != d.String() {
			t.Errorf("layer %s: bytes hash to %x", d, h.Sum(nil))
		}
	}

	// DescribeImages: size is the sum of the layers', and the rest.
	m, _ := img.Manifest()
	var size int64
	for _, l := range m.Layers {
		size += l.Size
	}
	di, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app")})
	if err != nil || len(di.ImageDetails) != 1 {
		t.Fatalf("DescribeImages: %v %+v", err, di)
	}
	d := di.ImageDetails[0]
	if *d.ImageDigest != want.String() || *d.ImageSizeInBytes != size || fmt.Sprint(d.ImageTags) != "[v1]" ||
		*d.ImageManifestMediaType != string(m.MediaType) || *d.ArtifactMediaType != string(m.Config.MediaType) || d.ImagePushedAt == nil {
		t.Errorf("DescribeImages: %+v", d)
	}

	// An index of two images.
	img2 := pushImage(t, env, *repo.RepositoryUri+":v2", 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}, mutate.IndexAddendum{Add: img2})
	iref, _ := name.ParseReference(*repo.RepositoryUri+":multi", name.Insecure)
	if err := remote.WriteIndex(iref, idx, tr); err != nil {
		t.Fatal(err)
	}
	gotIdx, err := remote.Index(iref, tr)
	if err != nil {
		t.Fatal(err)
	}
	wantIdx, _ := idx.Digest()
	if d, _ := gotIdx.Digest(); d != wantIdx {
		t.Errorf("index digest %s, want %s", d, wantIdx)
	}
	// An image an index names cannot be deleted.
	bd, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("team/app"),
		ImageIds: []ecrtypes.ImageIdentifier{{ImageDigest: aws.String(want.String())}, {ImageTag: aws.String("nope")}}})
	if err != nil || len(bd.Failures) != 2 || bd.Failures[0].FailureCode != ecrtypes.ImageFailureCodeImageReferencedByManifestList ||
		bd.Failures[1].FailureCode != ecrtypes.ImageFailureCodeImageNotFound || *bd.Failures[1].FailureReason != "Requested image not found" {
		t.Errorf("BatchDeleteImage: %v %+v", err, bd)
	}

	// BatchGetImage by tag and digest, and an accepted media type that
	// rules one out.
	bg, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("team/app"),
		ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("v1")}, {ImageDigest: aws.String(wantIdx.String())}}})
	if err != nil || len(bg.Images) != 2 || *bg.Images[0].ImageId.ImageDigest != want.String() {
		t.Fatalf("BatchGetImage: %v %+v", err, bg)
	}
	raw, _ := img.RawManifest()
	if *bg.Images[0].ImageManifest != string(raw) {
		t.Errorf("BatchGetImage manifest differs")
	}

	// ListImages with tagStatus and pages.
	li, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("team/app"), Filter: &ecrtypes.ListImagesFilter{TagStatus: ecrtypes.TagStatusTagged}, MaxResults: aws.Int32(2)})
	if err != nil || len(li.ImageIds) != 2 || li.NextToken == nil {
		t.Fatalf("ListImages: %v %+v", err, li)
	}
	li2, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("team/app"), Filter: &ecrtypes.ListImagesFilter{TagStatus: ecrtypes.TagStatusTagged}, NextToken: li.NextToken})
	if err != nil || len(li2.ImageIds) != 1 || li2.NextToken != nil {
		t.Fatalf("ListImages page 2: %v %+v", err, li2)
	}

	// Re-pushing a tag to another image moves it; the old image stays,
	// untagged.
	pushImage(t, env, *repo.RepositoryUri+":v2", 1)
	un, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/app"), Filter: &ecrtypes.DescribeImagesFilter{TagStatus: ecrtypes.TagStatusUntagged}})
	if d2, _ := img2.Digest(); err != nil || len(un.ImageDetails) != 1 || *un.ImageDetails[0].ImageDigest != d2.String() {
		t.Errorf("untagged images: %v %+v", err, un)
	}

	// IMMUTABLE: the same push of another image under v1 is refused.
	if _, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("team/app"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	other, _ := random.Image(256, 1)
	err = remote.Write(ref, other, tr)
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != 400 || len(te.Errors) != 1 || te.Errors[0].Code != "TAG_INVALID" {
		t.Errorf("push over an immutable tag: %v", err)
	}
	om, _ := other.RawManifest()
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/app"), ImageTag: aws.String("v1"), ImageManifest: aws.String(string(om))})
	expectAPIError(t, err, "ImageTagAlreadyExistsException", 400)
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/app"), ImageTag: aws.String("v1"), ImageManifest: aws.String(string(raw))})
	expectAPIError(t, err, "ImageAlreadyExistsException", 400)

	// A repository with images is not deleted without force.
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("team/app")})
	expectAPIError(t, err, "RepositoryNotEmptyException", 400)
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("team/app"), Force: true}); err != nil {
		t.Fatal(err)
	}
	// Pushing to a repository that does not exist: NAME_UNKNOWN.
	err = remote.Write(ref, other, tr)
	if !errors.As(err, &te) || te.StatusCode != 404 || te.Errors[0].Code != "NAME_UNKNOWN" {
		t.Errorf("push to a missing repository: %v", err)
	}
}

// regDo sends a raw registry request.
func regDo(t *testing.T, env *e2e.Env, method, path string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+registryAddr(env)+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: registryTransport(env)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func wantRegError(t *testing.T, what string, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var doc struct {
		Errors []struct{ Code, Message string }
	}
	if resp.StatusCode != status || json.Unmarshal(body, &doc) != nil || len(doc.Errors) != 1 || doc.Errors[0].Code != code {
		t.Errorf("%s: HTTP %d %s, want %d %s", what, resp.StatusCode, body, status, code)
	}
}

func TestECRRegistryUploads(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecr.NewFromConfig(env.Config)
	createRepo(t, c, "team/app")
	createRepo(t, c, "other")

	resp, body := regDo(t, env, "GET", "/v2/", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Docker-Distribution-API-Version") != "registry/2.0" {
		t.Errorf("GET /v2/: %d %s", resp.StatusCode, body)
	}
	// Chunked: three PATCHes with Content-Range, one out of place.
	blob := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16+5) // over three store chunks
	sum := sha256.Sum256(blob)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	resp, _ = regDo(t, env, "POST", "/v2/team/app/blobs/uploads/", nil, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 202 || !strings.HasPrefix(loc, "/v2/team/app/blobs/uploads/") || resp.Header.Get("Range") != "0-0" {
		t.Fatalf("POST upload: %d %v", resp.StatusCode, resp.Header)
	}
	parts := [][2]int{{0, 1 << 20}, {1 << 20, 2<<20 + 77}, {2<<20 + 77, len(blob)}}
	for i, p := range parts {
		resp, body = regDo(t, env, "PATCH", loc, blob[p[0]:p[1]], map[string]string{"Content-Range": fmt.Sprintf("%d-%d", p[0], p[1]-1), "Content-Type": "application/octet-stream"})
		if resp.StatusCode != 202 || resp.Header.Get("Range") != fmt.Sprintf("0-%d", p[1]-1) {
			t.Fatalf("PATCH %d: %d %s %v", i, resp.StatusCode, body, resp.Header)
		}
		loc = resp.Header.Get("Location")
		if i == 0 {
			resp, body = regDo(t, env, "PATCH", loc, []byte("x"), map[string]string{"Content-Range": "5-5"})
			if resp.StatusCode != 416 {
				t.Errorf("PATCH out of place: %d %s", resp.StatusCode, body)
			}
		}
	}
	resp, body = regDo(t, env, "PUT", loc+"?digest="+url.QueryEscape("sha256:"+strings.Repeat("0", 64)), nil, nil)
	wantRegError(t, "PUT with a wrong digest", resp, body, 400, "DIGEST_INVALID")

	// The same again, completed with the right digest.
	resp, _ = regDo(t, env, "POST", "/v2/team/app/blobs/uploads/", nil, nil)
	loc = resp.Header.Get("Location")
	regDo(t, env, "PATCH", loc, blob[:100], nil)
	resp, body = regDo(t, env, "PUT", loc+"?digest="+url.QueryEscape(digest), blob[100:], nil)
	if resp.StatusCode != 201 || resp.Header.Get("Docker-Content-Digest") != digest || resp.Header.Get("Location") != "/v2/team/app/blobs/"+digest {
		t.Fatalf("PUT upload: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = regDo(t, env, "GET", "/v2/team/app/blobs/"+digest, nil, nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, blob) {
		t.Errorf("GET blob: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, body = regDo(t, env, "GET", "/v2/team/app/blobs/"+digest, nil, map[string]string{"Range": "bytes=1048570-1048589"})
	if resp.StatusCode != 206 || !bytes.Equal(body, blob[1048570:1048590]) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 1048570-1048589/%d", len(blob)) {
		t.Errorf("GET blob range: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = regDo(t, env, "HEAD", "/v2/other/blobs/"+digest, nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("HEAD of a blob in another repository: %d", resp.StatusCode)
	}
	// Cross-repository mount.
	resp, _ = regDo(t, env, "POST", "/v2/other/blobs/uploads/?mount="+url.QueryEscape(digest)+"&from=team/app", nil, nil)
	if resp.StatusCode != 201 || resp.Header.Get("Docker-Content-Digest") != digest {
		t.Errorf("mount: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = regDo(t, env, "HEAD", "/v2/other/blobs/"+digest, nil, nil)
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(blob)) {
		t.Errorf("HEAD after mount: %d %d", resp.StatusCode, resp.ContentLength)
	}
	// Monolithic POST.
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	cfgDigest := "sha256:" + sha256Hex(cfg)
	resp, body = regDo(t, env, "POST", "/v2/team/app/blobs/uploads/?digest="+url.QueryEscape(cfgDigest), cfg, nil)
	if resp.StatusCode != 201 {
		t.Errorf("monolithic POST: %d %s", resp.StatusCode, body)
	}

	// Manifests: a missing layer is MANIFEST_BLOB_UNKNOWN.
	manifest := func(layer string) []byte {
		return []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"%s"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":%d,"digest":"%s"}]}`, len(cfg), cfgDigest, len(blob), layer))
	}
	ct := map[string]string{"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
	resp, body = regDo(t, env, "PUT", "/v2/team/app/manifests/v1", manifest("sha256:"+strings.Repeat("1", 64)), ct)
	wantRegError(t, "manifest naming a missing blob", resp, body, 400, "MANIFEST_BLOB_UNKNOWN")
	resp, body = regDo(t, env, "PUT", "/v2/team/app/manifests/v1", []byte(`{"schemaVersion":2`), ct)
	wantRegError(t, "malformed manifest", resp, body, 400, "MANIFEST_INVALID")
	m := manifest(digest)
	resp, body = regDo(t, env, "PUT", "/v2/team/app/manifests/"+digestOfBytes(m), m, ct)
	if resp.StatusCode != 201 || resp.Header.Get("Docker-Content-Digest") != digestOfBytes(m) {
		t.Fatalf("PUT manifest by digest: %d %s", resp.StatusCode, body)
	}
	for _, tg := range []string{"a", "b", "c", "d"} {
		if resp, body = regDo(t, env, "PUT", "/v2/team/app/manifests/"+tg, m, ct); resp.StatusCode != 201 {
			t.Fatalf("PUT manifest %s: %d %s", tg, resp.StatusCode, body)
		}
	}
	resp, body = regDo(t, env, "HEAD", "/v2/team/app/manifests/c", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.oci.image.manifest.v1+json" || resp.Header.Get("Docker-Content-Digest") != digestOfBytes(m) {
		t.Errorf("HEAD manifest: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = regDo(t, env, "GET", "/v2/team/app/tags/list?n=3", nil, nil)
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"name":"team/app","tags":["a","b","c"]}` ||
		resp.Header.Get("Link") != `</v2/team/app/tags/list?last=c&n=3>; rel="next"` {
		t.Errorf("tags/list n=3: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = regDo(t, env, "GET", "/v2/team/app/tags/list?n=3&last=c", nil, nil)
	if strings.TrimSpace(string(body)) != `{"name":"team/app","tags":["d"]}` || resp.Header.Get("Link") != "" {
		t.Errorf("tags/list last=c: %s %v", body, resp.Header)
	}
	resp, body = regDo(t, env, "GET", "/v2/_catalog?n=1", nil, nil)
	if strings.TrimSpace(string(body)) != `{"repositories":["other"]}` || resp.Header.Get("Link") != `</v2/_catalog?last=other&n=1>; rel="next"` {
		t.Errorf("_catalog n=1: %s %v", body, resp.Header)
	}
	resp, body = regDo(t, env, "GET", "/v2/_catalog?n=1&last=other", nil, nil)
	if strings.TrimSpace(string(body)) != `{"repositories":["team/app"]}` {
		t.Errorf("_catalog last=other: %s", body)
	}
	resp, body = regDo(t, env, "GET", "/v2/team/app/manifests/zzz", nil, nil)
	wantRegError(t, "missing tag", resp, body, 404, "MANIFEST_UNKNOWN")
	resp, body = regDo(t, env, "GET", "/v2/nope/tags/list", nil, nil)
	wantRegError(t, "missing repository", resp, body, 404, "NAME_UNKNOWN")

	// The API sees the registry's pushes: layers and images.
	ctx := context.Background()
	// PutImage wants the manifest's media type, in it or beside it.
	bare := []byte(strings.Replace(string(manifest(digest)), `"mediaType":"application/vnd.oci.image.manifest.v1+json",`, "", 1))
	_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/app"), ImageTag: aws.String("bare"), ImageManifest: aws.String(string(bare))})
	if e := expectAPIError(t, err, "InvalidParameterException", 400); e.Message != "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'" {
		t.Errorf("message %q", e.Message)
	}
	pi, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/app"), ImageTag: aws.String("bare"), ImageManifest: aws.String(string(bare)),
		ImageManifestMediaType: aws.String("application/vnd.oci.image.manifest.v1+json")})
	if err != nil || *pi.Image.ImageId.ImageDigest != digestOfBytes(bare) || *pi.Image.ImageManifestMediaType != "application/vnd.oci.image.manifest.v1+json" {
		t.Errorf("PutImage with imageManifestMediaType: %v %+v", err, pi)
	}
	// BatchGetImage answers a manifest acceptedMediaTypes leaves out as
	// stored.
	bg, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("team/app"), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("bare")}},
		AcceptedMediaTypes: []string{"application/vnd.docker.distribution.manifest.v2+json"}})
	if err != nil || len(bg.Images) != 1 || *bg.Images[0].ImageManifest != string(bare) {
		t.Errorf("BatchGetImage with other accepted types: %v %+v", err, bg)
	}
	bc, err := c.BatchCheckLayerAvailability(ctx, &ecr.BatchCheckLayerAvailabilityInput{RepositoryName: aws.String("team/app"), LayerDigests: []string{digest, "sha256:" + strings.Repeat("2", 64)}})
	if err != nil || len(bc.Layers) != 1 || *bc.Layers[0].LayerSize != int64(len(blob)) || bc.Layers[0].LayerAvailability != ecrtypes.LayerAvailabilityAvailable ||
		len(bc.Failures) != 1 || bc.Failures[0].FailureCode != ecrtypes.LayerFailureCodeMissingLayerDigest {
		t.Errorf("BatchCheckLayerAvailability: %v %+v", err, bc)
	}
	dl, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("team/app"), LayerDigest: aws.String(digest)})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(*dl.DownloadUrl)
	resp, body = regDo(t, env, "GET", u.RequestURI(), nil, nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, blob) {
		t.Errorf("download URL: %d", resp.StatusCode)
	}
	// The API's own layer upload.
	layer := []byte("a layer uploaded through the API")
	iu, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("team/app")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("team/app"), UploadId: iu.UploadId, PartFirstByte: aws.Int64(5), PartLastByte: aws.Int64(10), LayerPartBlob: layer[:6]})
	expectAPIError(t, err, "InvalidLayerPartException", 400)
	up, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("team/app"), UploadId: iu.UploadId, PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(layer) - 1)), LayerPartBlob: layer})
	if err != nil || *up.LastByteReceived != int64(len(layer)-1) {
		t.Fatalf("UploadLayerPart: %v %+v", err, up)
	}
	cl, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("team/app"), UploadId: iu.UploadId, LayerDigests: []string{digestOfBytes(layer)}})
	if err != nil || *cl.LayerDigest != digestOfBytes(layer) {
		t.Fatalf("CompleteLayerUpload: %v %+v", err, cl)
	}
	resp, body = regDo(t, env, "GET", "/v2/team/app/blobs/"+digestOfBytes(layer), nil, nil)
	if !bytes.Equal(body, layer) {
		t.Errorf("API-uploaded layer: %d %q", resp.StatusCode, body)
	}
	// Only the last part may be under 5 MiB.
	iu, err = c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("team/app")})
	if err != nil || *iu.PartSize != 10<<20 {
		t.Fatalf("InitiateLayerUpload: %v %+v", err, iu)
	}
	if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("team/app"), UploadId: iu.UploadId, PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(9), LayerPartBlob: layer[:10]}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("team/app"), UploadId: iu.UploadId, PartFirstByte: aws.Int64(10), PartLastByte: aws.Int64(11), LayerPartBlob: layer[10:12]})
	expectAPIError(t, err, "LayerPartTooSmallException", 400)
	_, err = c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("team/app"), UploadId: aws.String("00000000-0000-0000-0000-000000000000"), LayerDigests: []string{digestOfBytes(layer)}})
	expectAPIError(t, err, "UploadNotFoundException", 400)
}

func digestOfBytes(b []byte) string { return "sha256:" + sha256Hex(b) }

// TestECRRegistryAuth: with --auth sigv4 the registry wants the
// password GetAuthorizationToken gives, as Basic AWS:PASSWORD.
func TestECRRegistryAuth(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode, e2e.WithFakeClock())
	c := ecr.NewFromConfig(env.Config)
	repo := createRepo(t, c, "app")
	resp, body := regDo(t, env, "GET", "/v2/", nil, nil)
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm=`) {
		t.Errorf("GET /v2/ without credentials: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	resp, _ = regDo(t, env, "GET", "/v2/", nil, map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("AWS:forged"))})
	if resp.StatusCode != 401 {
		t.Errorf("forged password: %d", resp.StatusCode)
	}
	tok, err := c.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	img := pushImage(t, env, *repo.RepositoryUri+":v1", 1, remote.WithAuth(&authn.Basic{Username: user, Password: pass}))
	ref, _ := name.ParseReference(*repo.RepositoryUri+":v1", name.Insecure)
	pulled, err := remote.Image(ref, remote.WithTransport(registryTransport(env)), remote.WithAuth(&authn.Basic{Username: user, Password: pass}))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustDigest(t, pulled), mustDigest(t, img); a != b {
		t.Errorf("pulled %s, pushed %s", a, b)
	}
	// The same on virga's own address, where the registry takes
	// requests that carry no SigV4 signature.
	plain := strings.TrimPrefix(env.Endpoint, "http://") + "/app:v2"
	pushImage(t, env, plain, 1, remote.WithAuth(&authn.Basic{Username: user, Password: pass}))
	pref, _ := name.ParseReference(plain, name.Insecure)
	if _, err := remote.Image(pref, remote.WithTransport(registryTransport(env)), remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Errorf("pull from virga's address: %v", err)
	}
	_, err = remote.Image(ref, remote.WithTransport(registryTransport(env)))
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != 401 {
		t.Errorf("anonymous pull: %v", err)
	}
	// The password is good for 12 hours.
	basic := map[string]string{"Authorization": "Basic " + *tok.AuthorizationData[0].AuthorizationToken}
	env.Clock.Advance(12*time.Hour - time.Minute)
	if resp, _ := regDo(t, env, "GET", "/v2/app/tags/list", nil, basic); resp.StatusCode != 200 {
		t.Errorf("tags/list before the token expires: %d", resp.StatusCode)
	}
	env.Clock.Advance(2 * time.Minute)
	if resp, _ := regDo(t, env, "GET", "/v2/app/tags/list", nil, basic); resp.StatusCode != 401 {
		t.Errorf("tags/list after the token expired: %d", resp.StatusCode)
	}
}

func mustDigest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestECRCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	res := env.CLI(t, "ecr", "create-repository", "--repository-name", "cli/app", "--image-scanning-configuration", "scanOnPush=true")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, `"repositoryUri": "`+registryAddr(env)+`/cli/app"`) {
		t.Fatalf("create-repository: %d %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	img := pushImage(t, env, registryAddr(env)+"/cli/app:latest", 1)
	res = env.CLI(t, "ecr", "describe-images", "--repository-name", "cli/app")
	var out struct {
		ImageDetails []struct {
			ImageDigest string
			ImageTags   []string
		}
	}
	if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &out) != nil || len(out.ImageDetails) != 1 ||
		out.ImageDetails[0].ImageDigest != mustDigest(t, img).String() || fmt.Sprint(out.ImageDetails[0].ImageTags) != "[latest]" {
		t.Errorf("describe-images: %d %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = env.CLI(t, "ecr", "get-login-password")
	if res.ExitCode != 0 || strings.TrimSpace(res.Stdout) == "" || strings.Contains(res.Stdout, ":") {
		t.Errorf("get-login-password: %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = env.CLI(t, "ecr", "delete-repository", "--repository-name", "cli/app")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "RepositoryNotEmptyException") {
		t.Errorf("delete-repository of a non-empty repository: %d %s", res.ExitCode, res.Stderr)
	}
}

// TestECRLifecyclePolicy: a lifecycle policy expires what its rules
// select as virga's clock passes them.
func TestECRLifecyclePolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := ecr.NewFromConfig(env.Config)
	ctx := context.Background()
	repo := createRepo(t, c, "app")
	first := pushImage(t, env, *repo.RepositoryUri+":prod-1", 1)
	env.Clock.Advance(time.Minute)
	pushImage(t, env, *repo.RepositoryUri+":prod-2", 1)
	env.Clock.Advance(time.Minute)
	pushImage(t, env, *repo.RepositoryUri+":prod-3", 1)
	env.Clock.Advance(time.Minute)
	latest := pushImage(t, env, *repo.RepositoryUri+":latest", 1)
	pushImage(t, env, *repo.RepositoryUri+":latest", 1) // leaves the first latest untagged

	_, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(`{"rules":[{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":1},"action":{"type":"expire"}}]}`)})
	if e := expectAPIError(t, err, "InvalidParameterException", 400); !strings.Contains(e.Message, "Lifecycle policy validation failure") {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"), LifecyclePolicyText: aws.String(`{"rules":[
		{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
		{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	digests := func() map[string]bool {
		out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app")})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, d := range out.ImageDetails {
			m[*d.ImageDigest] = true
		}
		return m
	}
	waitFor := func(what string, ok func(map[string]bool) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok(digests()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: images %v", what, digests())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The oldest prod image goes at once (two are kept); the untagged
	// one waits for its day.
	waitFor("prod-1 expired", func(m map[string]bool) bool { return !m[mustDigest(t, first).String()] && len(m) == 4 })
	if !digests()[mustDigest(t, latest).String()] {
		t.Fatalf("the untagged image went before its day")
	}
	env.Clock.Advance(25 * time.Hour)
	waitFor("the untagged image expired", func(m map[string]bool) bool { return len(m) == 3 && !m[mustDigest(t, latest).String()] })
	lp, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("app")})
	if err != nil || lp.LastEvaluatedAt == nil {
		t.Errorf("GetLifecyclePolicy: %v %+v", err, lp)
	}
}

// TestECRStack: a stack's AWS::ECR::Repository, its Ref and GetAtt
// outputs, a push to it, and a stack deletion that empties it because
// EmptyOnDelete says so.
func TestECRStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	ctx := context.Background()
	template := `
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: IMMUTABLE
      EmptyOnDelete: true
      LifecyclePolicy:
        LifecyclePolicyText: '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}'
Outputs:
  Name: {Value: !Ref Repo}
  Arn: {Value: !GetAtt Repo.Arn}
  Uri: {Value: !GetAtt Repo.RepositoryUri}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("images"), TemplateBody: aws.String(template)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("images")}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("images")})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	name := outs["Name"]
	if !strings.HasPrefix(name, "images-repo-") || outs["Arn"] != "arn:aws:ecr:us-east-1:"+testAccount+":repository/"+name ||
		outs["Uri"] != registryAddr(env)+"/"+name {
		t.Fatalf("outputs: %v", outs)
	}
	pushImage(t, env, outs["Uri"]+":v1", 1)
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("images")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("images")}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = ecr.NewFromConfig(env.Config).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	expectAPIError(t, err, "RepositoryNotFoundException", 400)
}
