package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/virga/virga/internal/store/keys"
)

// TestReplicationSurvivesRestart: a version written while replication
// is configured is PENDING until Run copies it; its task is in the
// store, so a service started again on the same store (and blobs)
// replicates it.
func TestReplicationSurvivesRestart(t *testing.T) {
	t.Parallel()
	deps := restartableDeps(t, t.TempDir())
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	versioning := []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)
	for _, b := range []string{"/src", "/dst"} {
		serve(s, "PUT", b, nil)
		if w := serve(s, "PUT", b+"?versioning", versioning); w.Code != 200 {
			t.Fatalf("PutBucketVersioning: %d %s", w.Code, w.Body)
		}
	}
	cfg := []byte(`<ReplicationConfiguration><Role>arn:aws:iam::000000000000:role/r</Role><Rule><Status>Enabled</Status>` +
		`<Prefix></Prefix><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule></ReplicationConfiguration>`)
	sum := md5.Sum(cfg)
	r := httptest.NewRequest("PUT", "/src?replication", bytes.NewReader(cfg))
	r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	if w := serveRequest(s, r, cfg); w.Code != 200 {
		t.Fatalf("PutBucketReplication: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "PUT", "/src/k", []byte("copied")); w.Code != 200 {
		t.Fatalf("PutObject: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "HEAD", "/src/k", nil); w.Header().Get("X-Amz-Replication-Status") != "PENDING" {
		t.Fatalf("replication status before Run = %q", w.Header().Get("X-Amz-Replication-Status"))
	}

	s2, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	s2.replicate(context.Background(), slog.New(slog.DiscardHandler))
	if w := serve(s2, "HEAD", "/src/k", nil); w.Header().Get("X-Amz-Replication-Status") != "COMPLETED" {
		t.Errorf("source's replication status after a restart = %q", w.Header().Get("X-Amz-Replication-Status"))
	}
	w := serve(s2, "GET", "/dst/k", nil)
	if w.Code != 200 || w.Body.String() != "copied" || w.Header().Get("X-Amz-Replication-Status") != "REPLICA" {
		t.Errorf("replica: %d %q, status %q", w.Code, w.Body, w.Header().Get("X-Amz-Replication-Status"))
	}
	if p := replicationPrefix(); func() bool {
		it, _ := deps.Store.NewIter(p, keys.PrefixEnd(p))
		defer it.Close()
		return it.First()
	}() {
		t.Error("a replication task is left once done")
	}
}
