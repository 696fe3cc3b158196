package sigv4

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestVerifyChecks(t *testing.T) {
	t.Parallel()
	signed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	u, _ := url.Parse("http://" + testHost + "/bucket/key")
	header := spec{service: "dynamodb", method: "POST", url: u, body: []byte(`{"TableName":"t"}`), sign: signed}
	presigned := spec{service: "s3", method: "GET", url: u, presign: true, expires: 60, sign: signed}
	s3Put := spec{service: "s3", method: "PUT", url: u, body: []byte("object"), sign: signed}
	type failure struct {
		kind   Kind
		detail string
	}
	tests := []struct {
		name   string
		spec   spec
		edit   func(string) string
		body   func([]byte) []byte
		now    time.Time
		failed *failure
	}{
		{name: "header now", spec: header, now: signed},
		{name: "header 15 minutes late", spec: header, now: signed.Add(15 * time.Minute)},
		{name: "header 15 minutes early", spec: header, now: signed.Add(-15 * time.Minute)},
		{name: "header too late", spec: header, now: signed.Add(15*time.Minute + time.Second),
			failed: &failure{Skewed, "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z (20240101T001501Z - 15 min.)"}},
		{name: "header too early", spec: header, now: signed.Add(-16 * time.Minute),
			failed: &failure{Skewed, "Signature not yet current: 20240101T000000Z is still later than 20231231T235900Z (20231231T234400Z + 15 min.)"}},
		{name: "presigned at expiry", spec: presigned, now: signed.Add(60 * time.Second)},
		{name: "presigned expired", spec: presigned, now: signed.Add(61 * time.Second), failed: &failure{Expired, msgRequestExpired}},
		{name: "presigned 15 minutes ahead", spec: presigned, now: signed.Add(-15 * time.Minute)},
		{name: "presigned not yet valid", spec: presigned, now: signed.Add(-15*time.Minute - time.Second),
			failed: &failure{NotYetValid, msgNotYetValid}},
		{name: "host not signed", spec: header, now: signed,
			edit:   func(w string) string { return strings.Replace(w, "content-length;host;", "content-length;", 1) },
			failed: &failure{Malformed, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}},
		{name: "content hash does not match body", spec: s3Put, now: signed,
			body: func([]byte) []byte { return []byte("tampered") }, failed: &failure{PayloadMismatch, ""}},
		{name: "content hash with a streamed body", spec: s3Put, now: signed, body: func([]byte) []byte { return nil }},
		{name: "signature mismatch", spec: header, now: signed,
			edit: func(w string) string { return strings.Replace(w, `"t"`, `"u"`, 1) }, failed: &failure{SignatureMismatch, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wire := signToWire(t, tt.spec)
			if tt.edit != nil {
				wire = tt.edit(wire)
			}
			r, body, err := receive(wire)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != nil {
				body = tt.body(body)
			}
			a, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(r, body, a, testSecret, tt.now)
			if tt.failed == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != tt.failed.kind || e.Detail != tt.failed.detail {
				t.Fatalf("Verify = %v; want %v %q", err, tt.failed.kind, tt.failed.detail)
			}
			if e.AccessKeyID != testKeyID || e.Presigned != tt.spec.presign {
				t.Errorf("Error = %+v", e)
			}
		})
	}
}

func TestVerifyWithoutAuthIsMissing(t *testing.T) {
	t.Parallel()
	if err := Verify(newRequest("/"), nil, nil, "", time.Now()); !isKind(err, Missing) {
		t.Fatalf("Verify(nil) = %v", err)
	}
}

// TestMismatchReportsWhatWasComputed checks that a SignatureMismatch
// carries the canonical request and string to sign, as AWS returns them.
func TestMismatchReportsWhatWasComputed(t *testing.T) {
	t.Parallel()
	signed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	u, _ := url.Parse("http://" + testHost + "/?Action=GetCallerIdentity&Version=2011-06-15")
	wire := signToWire(t, spec{service: "sts", method: "GET", url: u, sign: signed})
	r, body, err := receive(wire)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if !errors.As(Verify(r, body, a, "wrong", signed), &e) || e.Kind != SignatureMismatch {
		t.Fatalf("Verify = %v", e)
	}
	wantCR := "GET\n/\nAction=GetCallerIdentity&Version=2011-06-15\nhost:" + testHost + "\nx-amz-date:20240101T000000Z\n\nhost;x-amz-date\n" + sha256Hex(nil)
	if e.CanonicalRequest != wantCR {
		t.Errorf("CanonicalRequest =\n%s\nwant\n%s", e.CanonicalRequest, wantCR)
	}
	wantSTS := "AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/" + testRegion + "/sts/aws4_request\n" + sha256Hex([]byte(wantCR))
	if e.StringToSign != wantSTS {
		t.Errorf("StringToSign =\n%s\nwant\n%s", e.StringToSign, wantSTS)
	}
	if e.SignatureProvided != a.Signature || e.AccessKeyID != testKeyID {
		t.Errorf("Error = %+v", e)
	}
}

func BenchmarkVerify(b *testing.B) {
	signed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	u, _ := url.Parse("http://" + testHost + "/")
	wire := signToWire(b, spec{service: "dynamodb", method: "POST", url: u, body: []byte(`{"TableName":"t"}`), sign: signed,
		headers: [][2]string{{"X-Amz-Target", "DynamoDB_20120810.GetItem"}, {"Content-Type", "application/x-amz-json-1.0"}}})
	r, body, err := receive(wire)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		if err := Verify(r, body, a, testSecret, signed); err != nil {
			b.Fatal(err)
		}
	}
}
