package ecr

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store/keys"
)

// TestBlobsOutliveOnlyTheirRepositories: a blob two repositories hold
// (pushed to one, mounted in the other) stays while either does, and
// its chunks go with the last.
func TestBlobsOutliveOnlyTheirRepositories(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	for _, n := range []string{"one", "two"} {
		if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr(n)}); err != nil {
			t.Fatal(err)
		}
	}
	blob := bytes.Repeat([]byte("chunked "), chunkSize/4) // two chunks
	d := digestOf(blob)
	u, _ := s.startUpload("one")
	if _, err := s.appendUpload(u, bytes.NewReader(blob)); err != nil {
		t.Fatal(err)
	}
	if err := s.finishUpload(u, d); err != nil {
		t.Fatal(err)
	}
	if err := s.link("two", d); err != nil {
		t.Fatal(err)
	}
	meta, _ := s.loadBlob(d)
	chunks := func() int {
		p := dataPrefix(meta.Data)
		it, _ := s.store.NewIter(p, keys.PrefixEnd(p))
		defer it.Close()
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			n++
		}
		return n
	}
	if chunks() != 2 {
		t.Fatalf("%d chunks, want 2", chunks())
	}
	if _, err := s.deleteRepository(ctx, &DeleteRepositoryRequest{RepositoryName: ptr("one"), Force: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	m, err := s.linked("two", d)
	if err != nil || m == nil {
		t.Fatalf("the blob left with the first repository: %v", err)
	}
	got, err := s.readBlob(m, 1<<30)
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("reading the blob: %v", err)
	}
	if _, err := s.deleteRepository(ctx, &DeleteRepositoryRequest{RepositoryName: ptr("two"), Force: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.loadBlob(d); m != nil || chunks() != 0 {
		t.Errorf("after both repositories: blob %v, %d chunks", m, chunks())
	}
	// Mounting a blob that is gone links nothing.
	if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr("two")}); err != nil {
		t.Fatal(err)
	}
	if err := s.link("two", d); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.linked("two", d); m != nil {
		t.Errorf("a gone blob was mounted")
	}
}

// TestUnknownUploadsLeaveNoLocks: a request naming an upload that does
// not exist (the registry's upload routes, UploadLayerPart and
// CompleteLayerUpload) leaves nothing behind, so a client cannot grow
// the upload locks without bound by inventing ids.
func TestUnknownUploadsLeaveNoLocks(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr("one")}); err != nil {
		t.Fatal(err)
	}
	g := &registry{s}
	for i := range 50 {
		id := fmt.Sprintf("no-such-upload-%d", i)
		for _, m := range []string{http.MethodGet, http.MethodPatch, http.MethodPut, http.MethodDelete} {
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest(m, "/v2/one/blobs/uploads/"+id+"?digest=sha256:"+strings.Repeat("0", 64), strings.NewReader("x")))
			if rec.Code != http.StatusNotFound {
				t.Fatalf("%s unknown upload: %d %s", m, rec.Code, rec.Body)
			}
		}
		if _, err := s.uploadLayerPart(ctx, &UploadLayerPartRequest{RepositoryName: ptr("one"), UploadId: ptr(id + "-api"),
			PartFirstByte: ptr(int64(0)), PartLastByte: ptr(int64(0)), LayerPartBlob: []byte("x")}); err == nil {
			t.Fatal("UploadLayerPart on an unknown upload succeeded")
		}
		if _, err := s.completeLayerUpload(ctx, &CompleteLayerUploadRequest{RepositoryName: ptr("one"), UploadId: ptr(id + "-api"),
			LayerDigests: []string{"sha256:" + strings.Repeat("0", 64)}}); err == nil {
			t.Fatal("CompleteLayerUpload on an unknown upload succeeded")
		}
	}
	if n := s.uploads.held(); n != 0 {
		t.Errorf("%d upload locks left for uploads that never existed", n)
	}
}

// TestUploadIntoDeletedRepository: an upload finished (or a blob
// mounted) after its repository was deleted stores nothing, so a
// repository created later under the name does not hold the blob and no
// chunks are left that no repository holds.
func TestUploadIntoDeletedRepository(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	for _, n := range []string{"one", "two"} {
		if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr(n)}); err != nil {
			t.Fatal(err)
		}
	}
	blob := []byte("a layer")
	d := digestOf(blob)
	u, _ := s.startUpload("one")
	if _, err := s.appendUpload(u, bytes.NewReader(blob)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.deleteRepository(ctx, &DeleteRepositoryRequest{RepositoryName: ptr("one")}); err != nil {
		t.Fatal(err)
	}
	if err := s.finishUpload(u, d); err == nil || apierrCode(err) != ErrRepositoryNotFound.Code {
		t.Fatalf("finishing an upload into a deleted repository: %v", err)
	}
	if meta, _ := s.loadBlob(d); meta != nil {
		t.Error("the blob was stored for a deleted repository")
	}
	if up, _ := s.loadUpload(u.ID); up != nil {
		t.Error("the upload outlived its repository's refusal")
	}
	p := keys.AppendString(nil, "ecr")
	it, _ := s.store.NewIter(p, keys.PrefixEnd(p))
	for ok := it.First(); ok; ok = it.Next() {
		vals, _ := keys.Decode(it.Key())
		if vals[1] == "data" || vals[1] == "link" || vals[1] == "use" {
			t.Errorf("left behind: %v", vals)
		}
	}
	it.Close()

	// A mount into a repository deleted since is refused the same way.
	u2, _ := s.startUpload("two")
	s.appendUpload(u2, bytes.NewReader(blob))
	if err := s.finishUpload(u2, d); err != nil {
		t.Fatal(err)
	}
	if err := s.link("one", d); err == nil || apierrCode(err) != ErrRepositoryNotFound.Code {
		t.Errorf("mounting into a deleted repository: %v", err)
	}
	if _, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr("one")}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.linked("one", d); m != nil {
		t.Error("a new repository holds a blob pushed to the old one of its name")
	}
}

func apierrCode(err error) string {
	if e := apierr.As(err); e != nil {
		return e.Code
	}
	return ""
}
