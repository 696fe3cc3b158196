package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParseAuthorization feeds arbitrary Authorization headers and query
// strings to Parse and Scope. Parse must return either an Auth that is
// complete and agrees with Scope, a *Error that renders in every dialect,
// or (only with no authentication at all) nothing.
func FuzzParseAuthorization(f *testing.F) {
	const cred = "Credential=AKID/20240101/us-east-1/sts/aws4_request"
	for _, seed := range []struct{ authz, query string }{
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=abcdef", ""},
		{"AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host,Signature=abcdef", ""},
		{"AWS4-HMAC-SHA256\t " + cred + " ,\t SignedHeaders=host;x-amz-date,  Signature=abcdef ", "a=1"},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", ""},
		{"AWS4-HMAC-SHA256 Credential= AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00", ""},
		{"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts, SignedHeaders=host, Signature=00", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=;;, Signature==", ""},
		{"AWS4-HMAC-SHA256", ""},
		{"AWS4-HMAC-SHA256 ,,, ", ""},
		{"AWS AKID:c2ln", ""},
		{"Bearer eyJhbGciOiJIUzI1NiJ9", ""},
		{"", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=00"},
		{"", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID/20240101/us-east-1/sts/aws4_request&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"},
		{"", "X-Amz-Cr%65dential=a%2Fb%2Fc%2Fd%2Fe&X-Amz-Signature=%zz&X-Amz-Expires=-1"},
		{"", "X-Amz-Algorithm&X-Amz-Credential=&&=&X-Amz-Expires=604801"},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=00", "X-Amz-Signature=00"},
		{"AWS4-HMAC-SHA256 Credential=ሴ/20240101/ሴ/ሴ/aws4_request, SignedHeaders=host, Signature=00", "%"},
	} {
		f.Add(seed.authz, seed.query)
	}
	f.Fuzz(func(t *testing.T, authz, query string) {
		r := &http.Request{
			Method: "GET",
			Host:   "example.com",
			URL:    &url.URL{Path: "/", RawQuery: query},
			Header: http.Header{"X-Amz-Date": {"20240101T000000Z"}},
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		a, err := Parse(r)
		service, region, ok := Scope(r)
		switch {
		case err != nil:
			var e *Error
			if !errors.As(err, &e) || a != nil {
				t.Fatalf("Parse = %v, %v", a, err)
			}
			if e.Kind <= 0 || e.Kind >= kindCount {
				t.Fatalf("Parse error kind %v", e.Kind)
			}
			for d := Query; d < dialectCount; d++ {
				if ae := e.APIError(d); ae.Code == "" || ae.Status != 400 && ae.Status != 403 {
					t.Fatalf("APIError(%d) = %+v", d, ae)
				}
			}
		case a != nil:
			if a.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 || len(a.Date) != 8 {
				t.Fatalf("incomplete Auth %+v", a)
			}
			if !ok || service != a.Service || region != a.Region {
				t.Fatalf("Scope = %q, %q, %v; Parse = %q, %q", service, region, ok, a.Service, a.Region)
			}
			if a.Presigned && (a.Expires < 0 || a.Expires > maxPresignExpires) {
				t.Fatalf("Expires = %v", a.Expires)
			}
			// Verify must not panic on anything Parse accepts.
			_ = Verify(r, nil, a, "secret", a.Time)
		default:
			if authz != "" || hasPresignParams(query) {
				t.Fatalf("Parse ignored authentication: %q %q", authz, query)
			}
		}
	})
}

// FuzzVerify signs arbitrary requests with aws-sdk-go-v2's signer and sends
// them through Go's HTTP wire format: whatever survives the trip must
// verify, and must not verify with another secret.
func FuzzVerify(f *testing.F) {
	f.Add("dynamodb", "POST", "/", "", "application/x-amz-json-1.0", []byte(`{"TableName":"t"}`), false)
	f.Add("s3", "PUT", "/bucket/a b/ሴ!$&'()*+,;=", "acl&x=1&x=&y=a+b", "  spaced   value ", []byte("body"), false)
	f.Add("s3", "GET", "/bucket/key", "response-content-type=text/plain", "", []byte(nil), true)
	f.Add("sts", "GET", "//a/./b/../c", "Action=GetCallerIdentity&Version=2011-06-15", "\tx", []byte(nil), true)
	f.Add("execute-api", "DELETE", "/%2F%zz", "%zz=1&&=", "é,;\"", []byte{0, 1, 2}, false)
	sign := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, service, method, path, query, header string, body []byte, presign bool) {
		if !isServiceName(service) || method == "" ||
			strings.ContainsAny(header, "\r\n") || !strings.HasPrefix(path, "/") {
			t.Skip()
		}
		s := spec{service: service, method: method, url: &url.URL{Scheme: "http", Host: testHost, Path: path, RawQuery: query},
			body: body, presign: presign, expires: 60, sign: sign, now: sign,
			headers: [][2]string{{"X-Fuzz", header}}}
		if _, err := http.NewRequest(method, "http://"+testHost+"/", nil); err != nil {
			t.Skip()
		}
		wire := signToWire(t, s)
		if _, _, err := receive(wire); err != nil {
			t.Skip() // not a request Go sends and reads back
		}
		if _, err := check(wire, testSecret, s.now); err != nil {
			t.Fatalf("%v\n%s", err, wire)
		}
		if _, err := check(wire, testSecret+"x", s.now); err == nil {
			t.Fatalf("verified with another secret\n%s", wire)
		}
	})
}

// isServiceName reports whether s is shaped like an AWS signing name.
func isServiceName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
