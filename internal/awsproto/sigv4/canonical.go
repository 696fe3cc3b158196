package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The pieces of SigV4 that are not secret.
const (
	algorithm       = "AWS4-HMAC-SHA256"
	scopeTerminator = "aws4_request"
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"
	// unsignedPayload is the payload hash of a request whose body the
	// signature does not cover.
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// uriEncode percent-encodes every byte of s outside RFC 3986's unreserved
// set (A-Z a-z 0-9 - _ . ~) with upper-case hex, as SigV4 requires. A '/'
// is kept when keepSlash is set (paths) and encoded otherwise (query
// names and values).
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && (s[i] != '/' || !keepSlash) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const digits = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && keepSlash) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', digits[c>>4], digits[c&0xf])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// rawPath returns the request's path exactly as the client sent it, without
// the query. The signature covers the bytes on the wire, which
// url.URL.EscapedPath does not always reproduce (it escapes raw UTF-8, for
// one), so the request line wins when the request came from a server.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u != "*" {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		if u != "" && u[0] != '/' {
			// Absolute form: scheme://authority/path.
			if i := strings.Index(u, "://"); i >= 0 {
				u = u[i+3:]
				if j := strings.IndexByte(u, '/'); j >= 0 {
					u = u[j:]
				} else {
					u = ""
				}
			}
		}
		if u == "" {
			return "/"
		}
		return u
	}
	if o := r.URL.Opaque; o != "" {
		// "//host/path", the form the SDK documents for pre-escaped paths.
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			return o[i:]
		}
		return "/"
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// canonicalURIs returns the canonical URIs a client may have signed for
// raw, most likely first. Every service but S3 URI-encodes the (already
// encoded) path once more; AWS's own test suite also normalizes the path
// (dot segments, repeated slashes) where the Go SDK does not, so both are
// accepted. S3 signs the path as sent; a client that encodes characters
// differently from how it sent them still signs the decoded key encoded
// once, so that form is accepted too. Each candidate is derived from the
// request alone, so accepting several admits no request the client did not
// sign.
func canonicalURIs(raw string, s3 bool) []string {
	if s3 {
		out := []string{raw}
		if dec, err := url.PathUnescape(raw); err == nil {
			if enc := uriEncode(dec, true); enc != raw {
				out = append(out, enc)
			}
		}
		return out
	}
	out := []string{uriEncode(raw, true)}
	if n := normalizePath(raw); n != raw {
		out = append(out, uriEncode(n, true))
	}
	return out
}

// normalizePath removes "." and ".." segments and empty segments (repeated
// slashes) from an absolute path, keeping a trailing slash, as AWS's SigV4
// test suite does for services other than S3.
func normalizePath(p string) string {
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	n := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(p, "/") {
		n += "/"
	}
	return n
}

// pair is one decoded query parameter.
type pair struct{ key, value string }

// parseQuery splits a raw query string into decoded parameters, in order,
// keeping repeated keys. A parameter without '=' has an empty value. A
// component that is not valid percent-encoding is kept as sent.
func parseQuery(raw string) []pair {
	if raw == "" {
		return nil
	}
	out := make([]pair, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		out = append(out, pair{queryUnescape(k), queryUnescape(v)})
	}
	return out
}

func queryUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// first returns the value of the first parameter named key, and whether
// there is one.
func first(ps []pair, key string) (string, bool) {
	for _, p := range ps {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}

// canonicalQuery encodes ps as SigV4's canonical query string: each name
// and value URI-encoded, sorted by encoded name and then encoded value,
// repeated names kept. Parameters named in skip are left out.
func canonicalQuery(ps []pair, skip ...string) string {
	enc := make([]pair, 0, len(ps))
	for _, p := range ps {
		if slices.Contains(skip, p.key) {
			continue
		}
		enc = append(enc, pair{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	slices.SortFunc(enc, func(a, b pair) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// canonicalHeaders writes the canonical headers block for the headers the
// client listed, in the client's order: "name:value\n" for each, values
// trimmed with runs of spaces collapsed and repeated headers joined with
// commas. A listed header the request lacks has an empty value.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTrimmed(&b, v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// headerValues returns the values of header name (lower case) as the client
// sent them. Go's server moves Host and Transfer-Encoding out of Header,
// and a client request may carry its length only in ContentLength.
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "host", ":authority":
		if r.Host != "" {
			return []string{r.Host}
		}
		return []string{r.URL.Host}
	}
	if vs := r.Header.Values(name); len(vs) > 0 {
		return vs
	}
	switch name {
	case "content-length":
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		return r.TransferEncoding
	}
	return nil
}

// writeTrimmed writes v without leading and trailing white space and with
// each run of spaces as one space.
func writeTrimmed(b *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b.WriteByte(v[i])
	}
}

// canonicalRequest joins the parts of a canonical request.
func canonicalRequest(method, uri, query, headers, signedHeaders, payloadHash string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n" + payloadHash
}

// stringToSign returns the string SigV4 signs for a canonical request.
func stringToSign(amzDate, scope, canonical string) string {
	h := sha256.Sum256([]byte(canonical))
	return algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(h[:])
}

// signingKey derives the key for one day, region and service from a secret.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sha256Hex returns the lower-case hex SHA-256 of b.
func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// PolicySignature is the SigV4 signature of a browser form's policy (S3
// POST Object): the hex HMAC-SHA256 of the base64 policy text with the
// signing key of the credential scope's day, region and service.
func PolicySignature(secret, date, region, service, policy string) string {
	return hex.EncodeToString(hmacSHA256(signingKey(secret, date, region, service), policy))
}

// PolicySignatureV2 is the SigV2 signature of a form's policy: the
// base64 HMAC-SHA1 of the base64 policy text with the secret.
func PolicySignatureV2(secret, policy string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(policy))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
