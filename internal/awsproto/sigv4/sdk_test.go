package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testKeyID  = "AKIDTESTKEY"
	testSecret = "testSecretKey/With+Chars"
	testHost   = "virga.example.com:4566"
	testRegion = "eu-west-3"
)

// spec is a request to sign with the SDK.
type spec struct {
	service  string
	method   string
	url      *url.URL
	headers  [][2]string // in Header.Add order
	body     []byte
	token    string
	presign  bool
	expires  int                 // X-Amz-Expires, presigned only
	unsigned bool                // S3 header signing with UNSIGNED-PAYLOAD
	sign     time.Time           // signing time
	now      time.Time           // server clock
	requery  func(string) string // rewrites the signed raw query into an equivalent form
}

func (s spec) String() string {
	return fmt.Sprintf("%s %s %s presign=%v headers=%q body=%q token=%v", s.service, s.method, s.url, s.presign, s.headers, s.body, s.token != "")
}

// covered reports whether the signature covers the body.
func (s spec) covered() bool { return !s.unsigned && !(s.presign && s.service == "s3") }

// signToWire signs s with the SDK and returns the request as it goes on the
// wire.
func signToWire(t testing.TB, s spec) string {
	t.Helper()
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: s.token}
	opts := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s.service == "s3" }
	req, err := http.NewRequest(s.method, "http://"+testHost+"/", bytes.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	u := *s.url
	req.URL = &u
	for _, h := range s.headers {
		req.Header.Add(h[0], h[1])
	}
	payload := sha256Hex(s.body)
	if s.presign {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(s.expires))
		req.URL.RawQuery = q.Encode()
		if s.service == "s3" {
			payload = unsignedPayload
		}
		uri, hdrs, err := v4.NewSigner().PresignHTTP(ctx, creds, req, payload, s.service, testRegion, s.sign, opts)
		if err != nil {
			t.Fatal(err)
		}
		req, err = http.NewRequest(s.method, uri, bytes.NewReader(s.body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range hdrs {
			req.Header[k] = vs
		}
	} else {
		if s.service == "s3" {
			if s.unsigned {
				payload = unsignedPayload
			}
			req.Header.Set("X-Amz-Content-Sha256", payload)
		}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, payload, s.service, testRegion, s.sign, opts); err != nil {
			t.Fatal(err)
		}
	}
	if s.requery != nil {
		req.URL.RawQuery = s.requery(req.URL.RawQuery)
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// receive parses a wire request as Go's server does and returns it with its
// body.
func receive(wire string) (*http.Request, []byte, error) {
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(r.Body)
	return r, body, err
}

// check parses and verifies a wire request.
func check(wire, secret string, now time.Time) (*Auth, error) {
	r, body, err := receive(wire)
	if err != nil {
		return nil, err
	}
	a, err := Parse(r)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errors.New("no auth")
	}
	return a, Verify(r, body, a, secret, now)
}

// gen generates random requests.
type gen struct{ rng *rand.Rand }

// pieces are what generated paths, query names and values are made of:
// unreserved, reserved and non-ASCII characters.
func pieces() []string {
	return []string{"a", "B", "z9", "0", " ", "  ", "é", "ሴ", "日本", "!", "$", "&", "'", "(", ")", "*", "+", ",",
		";", "=", ":", "@", "~", "-", "_", ".", "%", "/", "?", "#", "[", "]", "\"", "<", "|", "^", "`", "{"}
}

func (g gen) word(min, max int, alphabet []string) string {
	n := min + g.rng.IntN(max-min+1)
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[g.rng.IntN(len(alphabet))])
	}
	return b.String()
}

func (g gen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g gen) spec() spec {
	s := spec{service: g.pick("sts", "dynamodb", "lambda", "s3", "execute-api", "sqs")}
	s.method = g.pick("GET", "POST", "PUT", "DELETE", "HEAD")
	segs := []string{}
	for range g.rng.IntN(5) {
		switch g.rng.IntN(10) {
		case 0:
			segs = append(segs, g.pick(".", "..", ""))
		default:
			segs = append(segs, g.word(1, 6, slices.DeleteFunc(pieces(), func(p string) bool { return p == "/" })))
		}
	}
	s.url = &url.URL{Scheme: "http", Host: testHost, Path: "/" + strings.Join(segs, "/")}
	if g.rng.IntN(3) == 0 {
		// An escaping of our own, as S3 clients send keys.
		esc := make([]string, len(segs))
		for i, seg := range segs {
			esc[i] = url.PathEscape(seg)
		}
		s.url.RawPath = "/" + strings.Join(esc, "/")
	}
	q := url.Values{}
	for range g.rng.IntN(5) {
		k := g.word(1, 5, pieces())
		for range 1 + g.rng.IntN(3) {
			q.Add(k, g.word(0, 4, pieces()))
		}
	}
	if g.rng.IntN(4) == 0 {
		q.Add("acl", "")
	}
	s.url.RawQuery = q.Encode()
	valueChars := []string{"v", "W", "1", " ", "   ", "\t", "é", "=", ",", ";", "\"", "/"}
	for i := range g.rng.IntN(5) {
		name := g.pick("X-Test-", "x-tEsT-", "X-Custom-") + strconv.Itoa(i)
		for range 1 + g.rng.IntN(2) {
			v := g.word(0, 8, valueChars)
			if g.rng.IntN(3) == 0 {
				v = "  " + v + "  "
			}
			s.headers = append(s.headers, [2]string{name, v})
		}
	}
	if g.rng.IntN(3) == 0 {
		s.headers = append(s.headers, [2]string{"Content-Type", "application/x-amz-json-1.0"})
	}
	if g.rng.IntN(4) == 0 {
		s.headers = append(s.headers, [2]string{"X-Amz-Meta-Color", "  dark   blue "})
	}
	if g.rng.IntN(4) == 0 {
		s.headers = append(s.headers, [2]string{"X-Amz-Target", "DynamoDB_20120810.GetItem"})
	}
	if s.method == "POST" || s.method == "PUT" {
		s.body = []byte(g.word(0, 20, pieces()))
	}
	if g.rng.IntN(3) == 0 {
		s.token = "FwoGZXIvYXdzE" + g.word(5, 20, []string{"a", "B", "/", "+", "="})
	}
	s.sign = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.rng.Int64N(int64(72 * time.Hour))))
	switch {
	case g.rng.IntN(3) == 0:
		s.presign = true
		s.expires = 1 + g.rng.IntN(604800)
		s.now = s.sign.Add(time.Duration(g.rng.Int64N(int64(min(s.expires, 600)) * int64(time.Second))))
	default:
		s.unsigned = s.service == "s3" && g.rng.IntN(2) == 0
		s.now = s.sign.Add(time.Duration(g.rng.Int64N(int64(30*time.Minute))) - 15*time.Minute)
	}
	if g.rng.IntN(3) == 0 {
		s.requery = g.requery
	}
	return s
}

// requery rewrites a raw query into an equivalent one: pairs shuffled,
// spaces as '+', hex digits in lower case.
func (g gen) requery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	g.rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	for i, p := range parts {
		p = strings.ReplaceAll(p, "%20", "+")
		var b strings.Builder
		for j := 0; j < len(p); j++ {
			b.WriteByte(p[j])
			if p[j] == '%' && j+2 < len(p) {
				b.WriteString(strings.ToLower(p[j+1 : j+3]))
				j += 2
			}
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, "&")
}

// TestSDKSignedRequestsVerify signs many generated requests with
// aws-sdk-go-v2's signer, sends them through Go's HTTP wire format, and
// checks that each verifies and that any one-byte change to a signed part
// (path, query, a signed header, the body) or to the secret is rejected.
func TestSDKSignedRequestsVerify(t *testing.T) {
	t.Parallel()
	g := gen{rand.New(rand.NewPCG(1, 2))}
	mutated := map[string]int{}
	for i := range 400 {
		s := g.spec()
		wire := signToWire(t, s)
		a, err := check(wire, testSecret, s.now)
		if err != nil {
			t.Fatalf("case %d: %v\n%v\n%s", i, err, s, wire)
		}
		if a.AccessKeyID != testKeyID || a.Service != s.service || a.Region != testRegion ||
			a.Presigned != s.presign || a.SecurityToken != s.token || !a.Time.Equal(s.sign.Truncate(time.Second)) {
			t.Fatalf("case %d: Parse = %+v\n%v", i, a, s)
		}
		if _, err := check(wire, testSecret[:len(testSecret)-1]+"X", s.now); !isKind(err, SignatureMismatch) {
			t.Fatalf("case %d: wrong secret: %v", i, err)
		}
		mutated["secret"]++
		for _, m := range mutations(g, wire, a, s) {
			if _, err := check(m.wire, testSecret, s.now); err == nil {
				t.Fatalf("case %d: changed %s still verifies\n%v\n--- signed\n%s\n--- sent\n%s", i, m.what, s, wire, m.wire)
			}
			mutated[m.what]++
		}
	}
	t.Logf("mutations: %v", mutated)
	for _, what := range []string{"path", "query", "header", "host", "body", "secret"} {
		if mutated[what] < 50 {
			t.Errorf("only %d mutations of %s", mutated[what], what)
		}
	}
}

type mutation struct{ what, wire string }

// mutations returns copies of wire with one byte of a signed part changed.
func mutations(g gen, wire string, a *Auth, s spec) []mutation {
	var out []mutation
	lineEnd := strings.Index(wire, "\r\n")
	target := wire[strings.IndexByte(wire, ' ')+1 : strings.LastIndexByte(wire[:lineEnd], ' ')]
	targetAt := strings.IndexByte(wire, ' ') + 1
	path, query, hasQuery := strings.Cut(target, "?")
	if i := pickAlnum(g, path); i >= 0 {
		out = append(out, mutation{"path", flipAlnum(wire, targetAt+i)})
	}
	if hasQuery {
		if i := pickAlnum(g, query); i >= 0 {
			out = append(out, mutation{"query", flipAlnum(wire, targetAt+len(path)+1+i)})
		}
	}
	head, body, _ := strings.Cut(wire, "\r\n\r\n")
	headAt := 0
	for _, line := range strings.Split(head, "\r\n")[1:] {
		lineAt := strings.Index(wire[headAt:], line) + headAt
		headAt = lineAt + len(line)
		name, value, _ := strings.Cut(line, ":")
		name = strings.ToLower(name)
		if name == "content-length" || !slices.Contains(a.SignedHeaders, name) {
			continue
		}
		if i := pickAlnum(g, value); i >= 0 {
			what := "header"
			if name == "host" {
				what = "host"
			}
			out = append(out, mutation{what, flipAlnum(wire, lineAt+len(name)+1+i)})
		}
	}
	if len(body) > 0 && s.covered() {
		at := len(head) + 4 + g.rng.IntN(len(body))
		b := []byte(wire)
		b[at] ^= 1
		out = append(out, mutation{"body", string(b)})
	}
	return out
}

// pickAlnum returns the index of a random ASCII letter or digit in s that
// is not part of a %XX escape, or -1.
func pickAlnum(g gen, s string) int {
	var idx []int
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			i += 2
			continue
		}
		if isAlnum(s[i]) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	return idx[g.rng.IntN(len(idx))]
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// flipAlnum replaces the letter or digit at i with another of its class, so
// the request stays well-formed and its meaning changes.
func flipAlnum(s string, i int) string {
	b := []byte(s)
	switch c := b[i]; {
	case c == '9':
		b[i] = '0'
	case c == 'z':
		b[i] = 'a'
	case c == 'Z':
		b[i] = 'A'
	default:
		b[i] = c + 1
	}
	return string(b)
}

func isKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// TestSDKSpecialCases covers forms the generator does not reach reliably.
func TestSDKSpecialCases(t *testing.T) {
	t.Parallel()
	sign := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	mk := func(service, method, rawURL string) spec {
		u, err := url.Parse(rawURL)
		if err != nil {
			t.Fatal(err)
		}
		return spec{service: service, method: method, url: u, sign: sign, now: sign.Add(time.Minute)}
	}
	tests := []struct {
		name string
		spec spec
		edit func(string) string // applied to the wire request after signing
		both bool                // apply edit to presigned requests too
	}{
		{name: "s3 key signed encoded and sent as raw UTF-8",
			spec: mk("s3", "GET", "http://virga.example.com:4566/bucket/%E1%88%B4%C3%A9"),
			edit: func(w string) string { return strings.Replace(w, "/bucket/%E1%88%B4%C3%A9", "/bucket/ሴé", 1) },
			both: true},
		{name: "s3 key with every reserved character single-encoded",
			spec: mk("s3", "GET", "http://virga.example.com:4566/bucket/a%20b%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40%C3%A9")},
		{name: "s3 key sent with reserved characters raw",
			spec: mk("s3", "GET", "http://virga.example.com:4566/bucket/a!$&'()*+,;=:@")},
		{name: "non-s3 path double-encoded",
			spec: mk("execute-api", "GET", "http://virga.example.com:4566/prod/a%20b/%C3%A9")},
		{name: "repeated keys and empty values",
			spec: mk("sqs", "GET", "http://virga.example.com:4566/?a=2&a=1&a=&b&c=%2F")},
		{name: "query flag without equals sign on the wire",
			spec: mk("s3", "GET", "http://virga.example.com:4566/bucket?acl"),
			edit: func(w string) string { return strings.Replace(w, "?acl=", "?acl", 1) }},
		{name: "authorization header without spaces after commas",
			spec: mk("sts", "POST", "http://virga.example.com:4566/"),
			edit: func(w string) string { return strings.ReplaceAll(w, ", S", ",S") }},
		{name: "authorization header with tabs and runs of spaces",
			spec: mk("sts", "POST", "http://virga.example.com:4566/"),
			edit: func(w string) string {
				w = strings.Replace(w, "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 \t  ", 1)
				return strings.ReplaceAll(w, ", S", " ,\t S")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, presign := range []bool{false, true} {
				s := tt.spec
				s.presign, s.expires = presign, 300
				s.headers = [][2]string{{"X-Test", "a   b"}, {"X-Test", " c "}}
				wire := signToWire(t, s)
				if tt.edit != nil && (tt.both || !presign) {
					wire = tt.edit(wire)
				}
				if _, err := check(wire, testSecret, s.now); err != nil {
					t.Fatalf("presign=%v: %v\n%s", presign, err, wire)
				}
			}
		})
	}
}

// TestPresignedTokenAddedAfterSigning checks the form some services use:
// X-Amz-Security-Token appended to a URL signed without it.
func TestPresignedTokenAddedAfterSigning(t *testing.T) {
	t.Parallel()
	sign := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	u, _ := url.Parse("http://virga.example.com:4566/mqtt")
	s := spec{service: "iotdevicegateway", method: "GET", url: u, presign: true, expires: 300, sign: sign, now: sign}
	wire := signToWire(t, s)
	withToken := strings.Replace(wire, " HTTP/1.1", "&X-Amz-Security-Token=tok%2Fen HTTP/1.1", 1)
	a, err := check(withToken, testSecret, s.now)
	if err != nil {
		t.Fatal(err)
	}
	if a.SecurityToken != "tok/en" {
		t.Errorf("SecurityToken = %q", a.SecurityToken)
	}
}

// TestOverRealServer sends SDK-signed requests through Go's HTTP client
// and server, the path every request takes in production.
func TestOverRealServer(t *testing.T) {
	t.Parallel()
	sign := time.Now().UTC()
	results := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, err := Parse(r)
		if err == nil {
			err = Verify(r, body, a, testSecret, sign.Add(time.Second))
		}
		results <- err
	}))
	defer srv.Close()
	for _, service := range []string{"s3", "dynamodb"} {
		for _, presign := range []bool{false, true} {
			u, _ := url.Parse(srv.URL + "/bucket/k%C3%A9y%20one?list-type=2&prefix=a%2Fb")
			s := spec{service: service, method: "PUT", url: u, body: []byte("hello"), presign: presign, expires: 60,
				headers: [][2]string{{"X-Test", " x  y "}}, sign: sign}
			ctx := context.Background()
			creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
			opts := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" }
			req, _ := http.NewRequest(s.method, u.String(), bytes.NewReader(s.body))
			req.Header.Set("X-Test", " x  y ")
			if presign {
				q := req.URL.Query()
				q.Set("X-Amz-Expires", "60")
				req.URL.RawQuery = q.Encode()
				uri, hdrs, err := v4.NewSigner().PresignHTTP(ctx, creds, req, unsignedPayload, service, testRegion, sign, opts)
				if err != nil {
					t.Fatal(err)
				}
				req, _ = http.NewRequest(s.method, uri, bytes.NewReader(s.body))
				for k, vs := range hdrs {
					req.Header[k] = vs
				}
			} else if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha256Hex(s.body), service, testRegion, sign, opts); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if err := <-results; err != nil {
				t.Errorf("%s presign=%v: %v", service, presign, err)
			}
		}
	}
}
