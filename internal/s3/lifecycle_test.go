package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
)

// serveWithMD5 runs a request whose body carries its Content-MD5, as
// the configuration calls require.
func serveWithMD5(s *Service, method, target string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	sum := md5.Sum(body)
	r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	c := awsproto.NewCall(r, "REQ", time.Now())
	api := s.API()
	w := httptest.NewRecorder()
	c.Service = api
	if err := api.Protocol.Resolve(c); err == nil && c.Op.StreamBody {
		c.BodyStream = bytes.NewReader(body)
	} else {
		c.Op, c.Params = nil, nil
		c.Body = body
	}
	api.Serve(c, w)
	return w
}

// TestLifecycleExpiresAtMidnight: an object under a 1-day rule stays
// until midnight UTC after a day has passed, and goes then.
func TestLifecycleExpiresAtMidnight(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "") // the clock reads 2025-01-02T03:04:05Z
	clk := s.clock.(*clock.Fake)
	serve(s, "PUT", "/lcb", nil)
	serve(s, "PUT", "/lcb/logs/a", []byte("a"))
	serve(s, "PUT", "/lcb/keep/b", []byte("b"))
	cfg := `<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`
	if w := serveWithMD5(s, "PUT", "/lcb?lifecycle", []byte(cfg)); w.Code != http.StatusOK {
		t.Fatalf("PutBucketLifecycleConfiguration: %d %s", w.Code, w.Body)
	}
	w := serve(s, "HEAD", "/lcb/logs/a", nil)
	if got, want := w.Header().Get("X-Amz-Expiration"), `expiry-date="Sat, 04 Jan 2025 00:00:00 GMT", rule-id="logs"`; got != want {
		t.Errorf("x-amz-expiration = %q, want %q", got, want)
	}
	if got := serve(s, "HEAD", "/lcb/keep/b", nil).Header().Get("X-Amz-Expiration"); got != "" {
		t.Errorf("x-amz-expiration of an object no rule matches = %q", got)
	}
	clk.Set(time.Date(2025, 1, 3, 23, 59, 59, 0, time.UTC))
	if err := s.ApplyLifecycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := serve(s, "HEAD", "/lcb/logs/a", nil); w.Code != http.StatusOK {
		t.Fatalf("before midnight: HEAD = %d", w.Code)
	}
	clk.Set(time.Date(2025, 1, 4, 0, 0, 0, 0, time.UTC))
	if err := s.ApplyLifecycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := serve(s, "HEAD", "/lcb/logs/a", nil); w.Code != http.StatusNotFound {
		t.Fatalf("at midnight: HEAD = %d", w.Code)
	}
	if w := serve(s, "HEAD", "/lcb/keep/b", nil); w.Code != http.StatusOK {
		t.Fatalf("object outside the rule: HEAD = %d", w.Code)
	}
}

func TestNextMidnight(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		days int32
		want time.Time
	}{
		// The user guide's example: created 2014-01-01 10:30 UTC, 3 days.
		{time.Date(2014, 1, 1, 10, 30, 0, 0, time.UTC), 3, time.Date(2014, 1, 5, 0, 0, 0, 0, time.UTC)},
		{time.Date(2014, 1, 1, 23, 59, 59, 0, time.UTC), 1, time.Date(2014, 1, 3, 0, 0, 0, 0, time.UTC)},
		{time.Date(2014, 1, 1, 10, 30, 0, 0, time.FixedZone("x", 5*3600)), 1, time.Date(2014, 1, 3, 0, 0, 0, 0, time.UTC)},
	} {
		if got := nextMidnight(tc.at, tc.days); !got.Equal(tc.want) {
			t.Errorf("nextMidnight(%v, %d) = %v, want %v", tc.at, tc.days, got, tc.want)
		}
	}
}

// FuzzLifecycleConfiguration sends arbitrary lifecycle documents:
// whatever arrives is answered, never with a 500, and what is accepted
// reads back.
func FuzzLifecycleConfiguration(f *testing.F) {
	for _, s := range []string{
		`<LifecycleConfiguration><Rule><ID>a</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration><Rule><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration><Rule><Prefix></Prefix><Status>Disabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration><Rule><Status>Enabled</Status></Rule></LifecycleConfiguration>`,
		`<LifecycleConfiguration/>`, `<<`, ``,
	} {
		f.Add([]byte(s))
	}
	s := newTestService(f, "")
	if w := serve(s, "PUT", "/fuzz", nil); w.Code != 200 {
		f.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := serveWithMD5(s, "PUT", "/fuzz?lifecycle", body)
		if w.Code >= 500 {
			t.Fatalf("PUT ?lifecycle with %q: %d %s", body, w.Code, w.Body)
		}
		if w.Code == 200 {
			if g := serve(s, "GET", "/fuzz?lifecycle", nil); g.Code != 200 {
				t.Fatalf("GET ?lifecycle after %q: %d %s", body, g.Code, g.Body)
			}
			if err := s.ApplyLifecycle(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestLifecycleRemovesExpiredDeleteMarker: a delete marker with no
// other version goes under ExpiredObjectDeleteMarker at once; one with
// versions behind it stays.
func TestLifecycleRemovesExpiredDeleteMarker(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	serve(s, "PUT", "/dmb", nil)
	serve(s, "PUT", "/dmb?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`))
	serve(s, "PUT", "/dmb/kept", []byte("x"))
	serve(s, "DELETE", "/dmb/kept", nil)
	serve(s, "DELETE", "/dmb/alone", nil)
	cfg := `<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>`
	if w := serveWithMD5(s, "PUT", "/dmb?lifecycle", []byte(cfg)); w.Code != http.StatusOK {
		t.Fatalf("PutBucketLifecycleConfiguration: %d %s", w.Code, w.Body)
	}
	if err := s.ApplyLifecycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	body := serve(s, "GET", "/dmb?versions", nil).Body.String()
	if strings.Contains(body, "<Key>alone</Key>") || strings.Count(body, "<Key>kept</Key>") != 2 {
		t.Errorf("after the sweep: %s", body)
	}
}

// TestLifecycleMarkerRemovalRacesPut: in a versioning-suspended bucket
// a PUT replaces the key's null delete marker with a null version; a
// sweep that found the marker expired before the PUT must not remove
// the object the PUT wrote.
func TestLifecycleMarkerRemovalRacesPut(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	serve(s, "PUT", "/rmb", nil)
	serve(s, "PUT", "/rmb?versioning", []byte(`<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>`))
	serve(s, "DELETE", "/rmb/k", nil)
	marker, err := s.object(s.store, "rmb", "k")
	if err != nil || !marker.DeleteMarker {
		t.Fatalf("marker: %v %+v", err, marker)
	}
	// The sweep has decided; the PUT lands before it acts.
	serve(s, "PUT", "/rmb/k", []byte("new"))
	rm := byLifecycle
	rm.current = marker.Order
	if _, err := s.removeVersion(context.Background(), "rmb", "k", versionIDOf(marker), rm); err != nil {
		t.Fatal(err)
	}
	if w := serve(s, "GET", "/rmb/k", nil); w.Code != http.StatusOK || w.Body.String() != "new" {
		t.Errorf("GET after the sweep = %d %s", w.Code, w.Body)
	}
}
