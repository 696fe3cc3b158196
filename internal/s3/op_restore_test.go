package s3

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

// TestRestoreObjectStates: a restore in progress refuses another with 409
// RestoreAlreadyInProgress and the object's bytes with InvalidObjectState;
// restoreDelay later the copy is readable until its expiry, the next
// midnight UTC after the days asked for, and then archived again.
func TestRestoreObjectStates(t *testing.T) {
	t.Parallel()
	s := newTestService(t, t.TempDir())
	clk := s.clock.(*clock.Fake)
	if w := serve(s, "PUT", "/cold", nil); w.Code != http.StatusOK {
		t.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	put := httptest.NewRequest("PUT", "/cold/k", bytes.NewReader([]byte("ice")))
	put.Header.Set("X-Amz-Storage-Class", "GLACIER")
	if w := serveRequest(s, put, []byte("ice")); w.Code != http.StatusOK {
		t.Fatalf("PutObject: %d %s", w.Code, w.Body)
	}
	restore := []byte(`<RestoreRequest><Days>1</Days></RestoreRequest>`)
	want := func(what string, w *httptest.ResponseRecorder, status int, code string) {
		t.Helper()
		if w.Code != status || !strings.Contains(w.Body.String(), "<Code>"+code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s", what, w.Code, w.Body, status, code)
		}
	}

	if w := serve(s, "POST", "/cold/k?restore", restore); w.Code != http.StatusAccepted {
		t.Fatalf("RestoreObject: %d %s", w.Code, w.Body)
	}
	want("RestoreObject again", serve(s, "POST", "/cold/k?restore", restore), http.StatusConflict, "RestoreAlreadyInProgress")
	want("GetObject during the restore", serve(s, "GET", "/cold/k", nil), http.StatusForbidden, "InvalidObjectState")
	if h := serve(s, "HEAD", "/cold/k", nil).Header().Get("X-Amz-Restore"); h != `ongoing-request="true"` {
		t.Errorf("x-amz-restore during the restore = %q", h)
	}

	clk.Advance(restoreDelay)
	if w := serve(s, "GET", "/cold/k", nil); w.Code != http.StatusOK || w.Body.String() != "ice" {
		t.Errorf("GetObject once restored: %d %s", w.Code, w.Body)
	}
	// Restored at 2025-01-02 03:04:06 for one day: kept to midnight after.
	if h := serve(s, "HEAD", "/cold/k", nil).Header().Get("X-Amz-Restore"); h != `ongoing-request="false", expiry-date="Sat, 04 Jan 2025 00:00:00 GMT"` {
		t.Errorf("x-amz-restore once restored = %q", h)
	}
	if w := serve(s, "POST", "/cold/k?restore", restore); w.Code != http.StatusOK {
		t.Errorf("RestoreObject of the restored object: %d %s", w.Code, w.Body)
	}

	clk.Set(time.Date(2025, 1, 4, 0, 0, 0, 0, time.UTC))
	want("GetObject once the copy expired", serve(s, "GET", "/cold/k", nil), http.StatusForbidden, "InvalidObjectState")
	if h := serve(s, "HEAD", "/cold/k", nil).Header().Get("X-Amz-Restore"); h != "" {
		t.Errorf("x-amz-restore once the copy expired = %q", h)
	}
	want("RestoreObject without Days", serve(s, "POST", "/cold/k?restore", []byte(`<RestoreRequest/>`)), http.StatusBadRequest, "MalformedXML")
}
