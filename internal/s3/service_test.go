package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newTestService(t testing.TB, dir string) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)), IDs: ids.New(nil),
		Account: "000000000000", Region: "us-east-1", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serve runs one request through the service as the edge would.
func serve(s *Service, method, target string, body []byte) *httptest.ResponseRecorder {
	return serveRequest(s, httptest.NewRequest(method, target, bytes.NewReader(body)), body)
}

// serveRequest runs r, whose body is body, through the service as the
// edge would.
func serveRequest(s *Service, r *http.Request, body []byte) *httptest.ResponseRecorder {
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
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

// FuzzXMLBodies sends arbitrary bodies to every operation that reads an
// XML document: whatever arrives is answered, never with a 500.
func FuzzXMLBodies(f *testing.F) {
	for _, s := range []string{
		`<Delete><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
		`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`,
		`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>u</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>a/</Value></FilterRule></S3Key></Filter></QueueConfiguration><EventBridgeConfiguration/></NotificationConfiguration>`,
		`<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectRemoved:*</Event></CloudFunctionConfiguration></NotificationConfiguration>`,
		`<NotificationConfiguration/>`,
		`<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
		`<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>`,
		`<RestoreRequest><Days>1</Days></RestoreRequest>`,
		`<ReplicationConfiguration><Role>r</Role><Rule><ID>a</ID><Priority>1</Priority><Status>Enabled</Status><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>arn:aws:s3:::vfuzz</Bucket></Destination></Rule></ReplicationConfiguration>`,
		`<InventoryConfiguration><Id>i</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>All</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule><Destination><S3BucketDestination><Bucket>arn:aws:s3:::fuzz</Bucket><Format>CSV</Format></S3BucketDestination></Destination></InventoryConfiguration>`,
		`<AnalyticsConfiguration><Id>i</Id><StorageClassAnalysis/></AnalyticsConfiguration>`,
		`<MetricsConfiguration><Id>i</Id><Filter><Prefix>p</Prefix></Filter></MetricsConfiguration>`,
		`<IntelligentTieringConfiguration><Id>i</Id><Status>Enabled</Status><Tiering><Days>90</Days><AccessTier>ARCHIVE_ACCESS</AccessTier></Tiering></IntelligentTieringConfiguration>`,
		`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`,
		`<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>`,
		`<LegalHold><Status>ON</Status></LegalHold>`,
		`<Delete>`, `<<>>`, ``,
	} {
		f.Add([]byte(s))
	}
	s := newTestService(f, "")
	if w := serve(s, "PUT", "/fuzz", nil); w.Code != 200 {
		f.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	// A versioned bucket with one object, which replication and Object
	// Lock require, whose documents change nothing that grows.
	serve(s, "PUT", "/vfuzz", nil)
	if w := serve(s, "PUT", "/vfuzz?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)); w.Code != 200 {
		f.Fatalf("PutBucketVersioning: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "PUT", "/vfuzz/obj", []byte("x")); w.Code != 200 {
		f.Fatalf("PutObject: %d %s", w.Code, w.Body)
	}
	w := serve(s, "POST", "/fuzz/k?uploads", nil)
	if w.Code != 200 {
		f.Fatalf("CreateMultipartUpload: %d %s", w.Code, w.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range []struct{ method, path string }{
			{"POST", "/fuzz?delete"}, {"POST", "/fuzz/k?uploadId=none"}, {"PUT", "/fuzz?tagging"}, {"PUT", "/fuzz?cors"},
			{"PUT", "/other-bucket"}, {"PUT", "/fuzz?versioning"}, {"PUT", "/fuzz?acl"}, {"PUT", "/fuzz/k?tagging"},
			{"PUT", "/fuzz/obj"}, {"PUT", "/fuzz?notification"}, {"PUT", "/fuzz?lifecycle"}, {"PUT", "/fuzz?website"},
			{"PUT", "/fuzz?publicAccessBlock"}, {"PUT", "/fuzz?ownershipControls"}, {"POST", "/fuzz/obj?restore"},
			{"PUT", "/vfuzz?replication"}, {"PUT", "/fuzz?inventory&id=i"}, {"PUT", "/fuzz?analytics&id=i"},
			{"PUT", "/fuzz?metrics&id=i"}, {"PUT", "/fuzz?intelligent-tiering&id=i"}, {"PUT", "/vfuzz?object-lock"},
			{"PUT", "/vfuzz/obj?retention"}, {"PUT", "/vfuzz/obj?legal-hold"},
		} {
			// With the body's Content-MD5, which some of them require.
			r := httptest.NewRequest(target.method, target.path, bytes.NewReader(body))
			sum := md5.Sum(body)
			r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			w := serveRequest(s, r, body)
			if w.Code >= 500 {
				t.Fatalf("%s %s with %q: %d %s", target.method, target.path, body, w.Code, w.Body)
			}
		}
		serve(s, "DELETE", "/other-bucket", nil)
	})
}

func TestServeStreamsPut(t *testing.T) {
	t.Parallel()
	s := newTestService(t, t.TempDir())
	if w := serve(s, "PUT", "/bk1", nil); w.Code != http.StatusOK {
		t.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "PUT", "/bk1/k", []byte("data")); w.Code != http.StatusOK || w.Header().Get("ETag") != `"8d777f385d3dfec8815d20f7496026dc"` {
		t.Fatalf("PutObject: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := serve(s, "GET", "/bk1/k", nil); w.Code != http.StatusOK || w.Body.String() != "data" {
		t.Fatalf("GetObject: %d %s", w.Code, w.Body)
	}
}

// TestStartRemovesLeftovers: what a crash can leave (a temporary file, a
// blob no record refers to) is gone after New; referenced blobs stay.
// restartableDeps are the dependencies of a service kept in dir and an
// in-memory store, which a second New on them starts again.
func restartableDeps(t testing.TB, dir string) Deps {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return Deps{Store: db, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Dir: dir}
}

func TestStartRemovesLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	deps := restartableDeps(t, dir)
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	serve(s, "PUT", "/keep", nil)
	if w := serve(s, "PUT", "/keep/k", []byte("kept")); w.Code != 200 {
		t.Fatalf("PutObject: %d %s", w.Code, w.Body)
	}
	orphan := "0123456789abcdef0123456789abcdef"
	if _, err := s.blobs.write(orphan, bytes.NewReader([]byte("orphan"))); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp", "x-123")
	os.WriteFile(tmp, []byte("partial"), 0o644)

	s2, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary file survived start: %v", err)
	}
	if _, err := s2.blobs.open(orphan); err != errBlobNotFound {
		t.Errorf("orphan blob survived start: %v", err)
	}
	if w := serve(s2, "GET", "/keep/k", nil); w.Code != 200 || w.Body.String() != "kept" {
		t.Errorf("object after start: %d %s", w.Code, w.Body)
	}
}

// TestNotify: every object created or removed is reported once
// committed, with increasing sequencers.
func TestNotify(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var events []Event
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1",
		Notify: func(_ context.Context, e Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	serve(s, "PUT", "/events", nil)
	serve(s, "PUT", "/events/a", []byte("12345"))
	serve(s, "DELETE", "/events/a", nil)
	serve(s, "DELETE", "/events/a", nil) // already gone: no event
	if len(events) != 2 || events[0].Name != "ObjectCreated:Put" || events[0].Key != "a" || events[0].Size != 5 ||
		events[0].ETag != "827ccb0eea8a706c4c34a16891f84e7b" || events[1].Name != "ObjectRemoved:Delete" ||
		!(events[0].Sequencer < events[1].Sequencer) {
		t.Errorf("events = %+v", events)
	}
}

// TestBucketNamesAreGlobal: a bucket another account owns is
// BucketAlreadyExists; one's own is BucketAlreadyOwnedByYou outside
// us-east-1 (and 200 in it).
func TestBucketNamesAreGlobal(t *testing.T) {
	t.Parallel()
	s := newTestService(t, "")
	create := func(account, region, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("PUT", "/shared-name", bytes.NewReader([]byte(body)))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250102/"+region+"/s3/aws4_request, SignedHeaders=host, Signature=x")
		c := awsproto.NewCall(r, "REQ", time.Now())
		c.Caller.Account, c.Region, c.Body = account, region, []byte(body)
		w := httptest.NewRecorder()
		s.API().Serve(c, w)
		return w
	}
	if w := create("111111111111", "us-east-1", ""); w.Code != 200 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if w := create("111111111111", "us-east-1", ""); w.Code != 200 {
		t.Errorf("again in us-east-1: %d %s", w.Code, w.Body)
	}
	if w := create("222222222222", "us-east-1", ""); w.Code != 409 || !strings.Contains(w.Body.String(), "<Code>BucketAlreadyExists</Code>") {
		t.Errorf("another account: %d %s", w.Code, w.Body)
	}
	cfg := `<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`
	if w := create("111111111111", "eu-west-1", cfg); w.Code != 409 || !strings.Contains(w.Body.String(), "<Code>BucketAlreadyOwnedByYou</Code>") {
		t.Errorf("own bucket from eu-west-1: %d %s", w.Code, w.Body)
	}
}
