package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

// newRequest builds a server-side request for target with header pairs.
func newRequest(target string, header ...string) *http.Request {
	r := httptest.NewRequest("GET", "http://example.com"+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

func TestParse(t *testing.T) {
	t.Parallel()
	const (
		cred  = "Credential=AKID/20240101/us-east-1/sts/aws4_request"
		sh    = "SignedHeaders=host;x-amz-date"
		sig   = "Signature=0123abcd"
		date  = "20240101T102030Z"
		query = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request" +
			"&X-Amz-Date=20240101T102030Z&X-Amz-SignedHeaders=host&X-Amz-Signature=0123abcd"
	)
	at := time.Date(2024, 1, 1, 10, 20, 30, 0, time.UTC)
	header := &Auth{AccessKeyID: "AKID", Date: "20240101", Time: at, Region: "us-east-1", Service: "sts",
		SignedHeaders: []string{"host", "x-amz-date"}, Signature: "0123abcd"}
	with := func(a *Auth, f func(*Auth)) *Auth { c := *a; f(&c); return &c }
	presigned := &Auth{AccessKeyID: "AKID", Date: "20240101", Time: at, Region: "us-east-1", Service: "s3",
		SignedHeaders: []string{"host"}, Signature: "0123abcd", Presigned: true, Expires: 300 * time.Second}
	type failure struct {
		kind      Kind
		detail    string
		presigned bool
	}
	tests := []struct {
		name   string
		req    *http.Request
		want   *Auth
		failed *failure
	}{
		{name: "anonymous", req: newRequest("/")},
		{name: "anonymous with a query", req: newRequest("/?Action=GetCallerIdentity&X-Amz-Date=x")},
		{name: "header", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sig, "X-Amz-Date", date),
			want: header},
		{name: "no spaces after commas", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+","+sh+","+sig, "X-Amz-Date", date),
			want: header},
		{name: "tabs and runs of spaces", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256\t  "+cred+" ,\t"+sh+",   "+sig+" ", "X-Amz-Date", date),
			want: header},
		{name: "parameters in any order", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+sig+", "+cred+", "+sh, "X-Amz-Date", date),
			want: header},
		{name: "signed header names lower-cased", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=Host;X-Amz-Date, "+sig, "X-Amz-Date", date),
			want: header},
		{name: "date header instead of x-amz-date", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sig, "Date", "Mon, 01 Jan 2024 10:20:30 GMT"),
			want: header},
		{name: "session token", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sig, "X-Amz-Date", date, "X-Amz-Security-Token", "tok"),
			want: with(header, func(a *Auth) { a.SecurityToken = "tok" })},
		{name: "missing signature", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", " + sh}},
		{name: "missing everything", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256"),
			failed: &failure{kind: Malformed, detail: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256"}},
		{name: "empty parameter counts as missing", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=, "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, " + sig}},
		{name: "space after equals sign", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential= AKID/20240101/us-east-1/sts/aws4_request, "+sh+", "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "'AKID/20240101/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: " +
				"'AWS4-HMAC-SHA256 Credential= AKID/20240101/us-east-1/sts/aws4_request, " + sh + ", " + sig + "'."}},
		{name: "sigv2", req: newRequest("/", "Authorization", "AWS AKID:c2lnbmF0dXJl"), failed: &failure{kind: Unsupported}},
		{name: "sigv4a", req: newRequest("/", "Authorization", "AWS4-ECDSA-P256-SHA256 "+cred+", "+sh+", "+sig, "X-Amz-Date", date), failed: &failure{kind: Unsupported}},
		{name: "bearer", req: newRequest("/", "Authorization", "Bearer eyJhbGciOi"), failed: &failure{kind: Unsupported}},
		{name: "credential with four parts", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts, "+sh+", "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20240101/us-east-1/sts'"}},
		{name: "credential with a bad terminator", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws5_request, "+sh+", "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "}},
		{name: "credential with a bad date", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/2024011/us-east-1/sts/aws4_request, "+sh+", "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "Credential date must be in the format YYYYMMDD, got '2024011'"}},
		{name: "credential without a region", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101//sts/aws4_request, "+sh+", "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: "Credential should be scoped to a valid region and service, got 'AKID/20240101//sts/aws4_request'"}},
		{name: "extended iso date", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sig, "X-Amz-Date", "2024-01-01T10:20:30Z"),
			failed: &failure{kind: Malformed, detail: "Date must be in ISO-8601 'basic format'. Got '2024-01-01T10:20:30Z'. See http://en.wikipedia.org/wiki/ISO_8601"}},
		{name: "scope dated another day", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sig, "X-Amz-Date", "20240102T000000Z"),
			failed: &failure{kind: SignatureMismatch, detail: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20240102', from '20240102T000000Z'."}},
		{name: "header and query both", req: newRequest(query+"&X-Amz-Expires=300", "Authorization", "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sig, "X-Amz-Date", date),
			failed: &failure{kind: Malformed, detail: msgTwoMechanisms}},
		{name: "presigned", req: newRequest(query + "&X-Amz-Expires=300"), want: presigned},
		{name: "presigned with token", req: newRequest(query + "&X-Amz-Expires=300&X-Amz-Security-Token=a%2Bb"),
			want: with(presigned, func(a *Auth) { a.SecurityToken = "a+b" })},
		{name: "presigned with a week", req: newRequest(query + "&X-Amz-Expires=604800"),
			want: with(presigned, func(a *Auth) { a.Expires = 7 * 24 * time.Hour })},
		{name: "presigned other service defaults expiry",
			req: newRequest("?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fsts%2Faws4_request" +
				"&X-Amz-Date=20240101T102030Z&X-Amz-SignedHeaders=host&X-Amz-Signature=0123abcd"),
			want: with(presigned, func(a *Auth) { a.Service, a.Expires = "sts", 15*time.Minute })},
		{name: "presigned s3 without expiry", req: newRequest(query), failed: &failure{kind: Malformed, detail: msgPresignParams, presigned: true}},
		{name: "presigned without signature", req: newRequest("?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3"),
			failed: &failure{kind: Malformed, detail: msgPresignParams, presigned: true}},
		{name: "presigned with another algorithm", req: newRequest("?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Signature=00"),
			failed: &failure{kind: Malformed, detail: msgPresignAlgorithm, presigned: true}},
		{name: "presigned with a bad credential", req: newRequest("?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101&X-Amz-Date=20240101T102030Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"),
			failed: &failure{kind: Malformed, detail: msgPresignCredential, presigned: true}},
		{name: "presigned with a bad date", req: newRequest(`?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101&X-Amz-SignedHeaders=host&X-Amz-Signature=00`),
			failed: &failure{kind: Malformed, detail: msgPresignDate, presigned: true}},
		{name: "expires not a number", req: newRequest(query + "&X-Amz-Expires=soon"), failed: &failure{kind: Malformed, detail: msgExpiresNumber, presigned: true}},
		{name: "expires negative", req: newRequest(query + "&X-Amz-Expires=-1"), failed: &failure{kind: Malformed, detail: msgExpiresNegative, presigned: true}},
		{name: "expires over a week", req: newRequest(query + "&X-Amz-Expires=604801"), failed: &failure{kind: Malformed, detail: msgExpiresWeek, presigned: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Parse(tt.req)
			if tt.failed == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if !reflect.DeepEqual(a, tt.want) {
					t.Fatalf("Parse =\n%+v\nwant\n%+v", a, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || a != nil {
				t.Fatalf("Parse = %v, %v; want *Error", a, err)
			}
			if e.Kind != tt.failed.kind || e.Detail != tt.failed.detail || e.Presigned != tt.failed.presigned {
				t.Fatalf("Parse error = %v %q presigned=%v\nwant %v %q presigned=%v", e.Kind, e.Detail, e.Presigned,
					tt.failed.kind, tt.failed.detail, tt.failed.presigned)
			}
		})
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		req             *http.Request
		service, region string
		ok              bool
	}{
		{name: "header", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00"),
			service: "sts", region: "us-east-1", ok: true},
		{name: "header without spaces", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host,Credential=AKID/20240101/eu-west-1/dynamodb/aws4_request,Signature=00"),
			service: "dynamodb", region: "eu-west-1", ok: true},
		{name: "credential inside another value is ignored", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 X=Credential=a/b/c/d/e, Credential=AKID/20240101/r/lambda/aws4_request"),
			service: "lambda", region: "r", ok: true},
		{name: "empty credential then a real one", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=, Credential=AKID/20240101/r/sqs/aws4_request"),
			service: "sqs", region: "r", ok: true},
		{name: "query", req: newRequest("/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-west-2%2Fs3%2Faws4_request"),
			service: "s3", region: "us-west-2", ok: true},
		{name: "query lower-case escapes", req: newRequest("/?X-Amz-Credential=AKID%2f20240101%2fus-west-2%2fs3%2faws4_request"),
			service: "s3", region: "us-west-2", ok: true},
		{name: "query unescaped slashes", req: newRequest("/?X-Amz-Credential=AKID/20240101/us-west-2/s3/aws4_request"),
			service: "s3", region: "us-west-2", ok: true},
		{name: "query escaped name", req: newRequest("/?X-Amz-Cr%65dential=AKID%2F20240101%2Fr%2Fs%252D3%2Faws4_request"),
			service: "s%2D3", region: "r", ok: true},
		{name: "anonymous", req: newRequest("/?a=b")},
		{name: "too few parts", req: newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/sts/aws4_request")},
		{name: "too many parts", req: newRequest("/?X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe%2Ff")},
		{name: "empty service", req: newRequest("/?X-Amz-Credential=a%2Fb%2Fc%2F%2Fe")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			service, region, ok := Scope(tt.req)
			if service != tt.service || region != tt.region || ok != tt.ok {
				t.Fatalf("Scope = %q, %q, %v; want %q, %q, %v", service, region, ok, tt.service, tt.region, tt.ok)
			}
		})
	}
}

func BenchmarkScope(b *testing.B) {
	header := newRequest("/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	query := newRequest("/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z")
	for _, bc := range []struct {
		name string
		r    *http.Request
	}{{"header", header}, {"query", query}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := Scope(bc.r); !ok {
					b.Fatal("no scope")
				}
			}
		})
	}
}
