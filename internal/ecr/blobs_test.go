package ecr

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
