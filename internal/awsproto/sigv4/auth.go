package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Auth is the SigV4 authentication a request carries, from its
// Authorization header or from presigning query parameters. Parse fills it
// in; Verify checks it against the request and a secret.
type Auth struct {
	// AccessKeyID is the access key the client signed with.
	AccessKeyID string
	// Date is the credential scope's date, YYYYMMDD, as the client wrote it.
	Date string
	// Time is the request's signing time: X-Amz-Date, or the Date header
	// when a header-signed request has no X-Amz-Date.
	Time time.Time
	// Region and Service are the credential scope's region and service
	// ("us-east-1", "sts").
	Region  string
	Service string
	// SignedHeaders are the lower-case names of the headers the signature
	// covers, in the client's order.
	SignedHeaders []string
	// Signature is the hex signature the client sent.
	Signature string
	// SecurityToken is the session token of temporary credentials
	// (X-Amz-Security-Token), or empty.
	SecurityToken string
	// Presigned reports whether the authentication came from the query
	// string rather than the Authorization header.
	Presigned bool
	// Expires is a presigned URL's validity after Time (X-Amz-Expires).
	Expires time.Duration
}

// scope returns the credential scope, date/region/service/aws4_request.
func (a *Auth) scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

// Header and query parameter names.
const (
	hdrAuthorization = "Authorization"
	hdrAmzDate       = "X-Amz-Date"
	hdrDate          = "Date"
	hdrToken         = "X-Amz-Security-Token"
	hdrContentSHA256 = "X-Amz-Content-Sha256"

	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qToken         = "X-Amz-Security-Token"
)

// Messages for malformed presigned URLs, in S3's wording (the one AWS
// documents for query-string authentication).
const (
	msgPresignParams     = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgPresignAlgorithm  = `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`
	msgPresignCredential = `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgPresignDate       = `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`
	msgExpiresNumber     = "X-Amz-Expires should be a number"
	msgExpiresNegative   = "X-Amz-Expires must be non-negative"
	msgExpiresWeek       = "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
	msgTwoMechanisms     = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
)

// Parse reads the SigV4 authentication of r. It returns nil, nil for a
// request that carries none (anonymous), and a *Error of kind Malformed or
// Unsupported when what it carries cannot be used. Parse checks the form
// of the authentication only; Verify checks the signature and the time.
func Parse(r *http.Request) (*Auth, error) {
	authz := r.Header.Get(hdrAuthorization)
	presigned := hasPresignParams(r.URL.RawQuery)
	switch {
	case authz != "" && presigned:
		return nil, &Error{Kind: Malformed, Detail: msgTwoMechanisms}
	case authz != "":
		a, err := parseHeader(r, authz)
		if err != nil {
			return nil, err
		}
		return a, nil
	case presigned:
		a, err := parsePresigned(r)
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	return nil, nil
}

// hasPresignParams reports whether the raw query has any parameter that
// starts query-string authentication.
func hasPresignParams(raw string) bool {
	return queryHas(raw, qAlgorithm) || queryHas(raw, qCredential) || queryHas(raw, qSignature)
}

// queryHas reports whether the raw query has a parameter named key (as
// sent, not decoded), without allocating.
func queryHas(raw, key string) bool {
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if strings.HasPrefix(seg, key) && (len(seg) == len(key) || seg[len(key)] == '=') {
			return true
		}
	}
	return false
}

// parseHeader parses an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// Like AWS, it splits the parameters on commas and white space, so any
// spacing is accepted, and names every missing parameter at once.
func parseHeader(r *http.Request, authz string) (*Auth, *Error) {
	rest := strings.TrimLeft(authz, " \t")
	alg := rest
	if i := strings.IndexAny(rest, " \t,"); i >= 0 {
		alg, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	if alg != algorithm {
		// AWS's wording for this is not known beyond S3's, which the
		// table's standard message for Unsupported is.
		return nil, &Error{Kind: Unsupported}
	}
	var credential, signedHeaders, signature string
	for rest != "" {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		tok := rest
		if i := strings.IndexAny(rest, " \t,"); i >= 0 {
			tok, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, &Error{Kind: Malformed, Detail: "'" + tok +
				"' not a valid key=value pair (missing equal-sign) in Authorization header: '" + authz + "'."}
		}
		switch k {
		case "Credential":
			credential = setOnce(credential, v)
		case "SignedHeaders":
			signedHeaders = setOnce(signedHeaders, v)
		case "Signature":
			signature = setOnce(signature, v)
		}
	}

	amzDate := r.Header.Get(hdrAmzDate)
	httpDate := r.Header.Get(hdrDate)
	var missing strings.Builder
	for _, m := range [...]struct{ name, value string }{
		{"Credential", credential}, {"Signature", signature}, {"SignedHeaders", signedHeaders},
	} {
		if m.value == "" {
			missing.WriteString("Authorization header requires '" + m.name + "' parameter. ")
		}
	}
	if amzDate == "" && httpDate == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return nil, &Error{Kind: Malformed, Detail: missing.String() + "Authorization=" + authz}
	}

	a := &Auth{Signature: signature, SecurityToken: r.Header.Get(hdrToken)}
	if err := parseCredential(a, credential, false); err != nil {
		return nil, err
	}
	a.SignedHeaders = splitSignedHeaders(signedHeaders)
	if amzDate != "" {
		t, ok := parseAmzDate(amzDate)
		if !ok {
			return nil, &Error{Kind: Malformed, AccessKeyID: a.AccessKeyID,
				Detail: "Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601"}
		}
		a.Time = t
	} else {
		t, err := http.ParseTime(httpDate)
		if err != nil {
			return nil, &Error{Kind: Malformed, AccessKeyID: a.AccessKeyID,
				Detail: "Date must be in RFC 1123 format. Got '" + httpDate + "'."}
		}
		a.Time = t.UTC()
	}
	if err := checkScopeDate(a); err != nil {
		return nil, err
	}
	return a, nil
}

// setOnce keeps the first value a parameter was given.
func setOnce(cur, v string) string {
	if cur != "" {
		return cur
	}
	return v
}

// parsePresigned parses query-string authentication (a presigned URL).
func parsePresigned(r *http.Request) (*Auth, *Error) {
	ps := parseQuery(r.URL.RawQuery)
	alg, _ := first(ps, qAlgorithm)
	credential, _ := first(ps, qCredential)
	signature, _ := first(ps, qSignature)
	amzDate, _ := first(ps, qDate)
	signedHeaders, _ := first(ps, qSignedHeaders)
	expires, hasExpires := first(ps, qExpires)
	if alg != "" && alg != algorithm {
		return nil, &Error{Kind: Malformed, Presigned: true, Detail: msgPresignAlgorithm}
	}
	if alg == "" || credential == "" || signature == "" || amzDate == "" || signedHeaders == "" {
		return nil, &Error{Kind: Malformed, Presigned: true, Detail: msgPresignParams}
	}
	a := &Auth{Signature: signature, Presigned: true}
	if err := parseCredential(a, credential, true); err != nil {
		return nil, err
	}
	if tok, ok := first(ps, qToken); ok {
		a.SecurityToken = tok
	} else {
		a.SecurityToken = r.Header.Get(hdrToken)
	}
	a.SignedHeaders = splitSignedHeaders(signedHeaders)
	t, ok := parseAmzDate(amzDate)
	if !ok {
		return nil, &Error{Kind: Malformed, Presigned: true, AccessKeyID: a.AccessKeyID, Detail: msgPresignDate}
	}
	a.Time = t
	switch {
	case hasExpires:
		secs, err := strconv.ParseInt(expires, 10, 64)
		switch {
		case err != nil:
			return nil, &Error{Kind: Malformed, Presigned: true, AccessKeyID: a.AccessKeyID, Detail: msgExpiresNumber}
		case secs < 0:
			return nil, &Error{Kind: Malformed, Presigned: true, AccessKeyID: a.AccessKeyID, Detail: msgExpiresNegative}
		case secs > int64(maxPresignExpires/time.Second):
			return nil, &Error{Kind: Malformed, Presigned: true, AccessKeyID: a.AccessKeyID, Detail: msgExpiresWeek}
		}
		a.Expires = time.Duration(secs) * time.Second
	case a.Service == "s3":
		return nil, &Error{Kind: Malformed, Presigned: true, AccessKeyID: a.AccessKeyID, Detail: msgPresignParams}
	default:
		a.Expires = defaultPresignExpires
	}
	if err := checkScopeDate(a); err != nil {
		return nil, err
	}
	return a, nil
}

// parseCredential fills in a's access key and scope from
// AKID/YYYYMMDD/region/service/aws4_request.
func parseCredential(a *Auth, credential string, presigned bool) *Error {
	parts := strings.Split(credential, "/")
	fail := func(detail string) *Error {
		if presigned {
			detail = msgPresignCredential
		}
		return &Error{Kind: Malformed, Presigned: presigned, Detail: detail}
	}
	if len(parts) != 5 {
		return fail("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + credential + "'")
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	switch {
	case parts[4] != scopeTerminator:
		return fail("Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[4] + "'. ")
	case a.AccessKeyID == "":
		return fail("Credential must have an access key id, got '" + credential + "'")
	case a.Region == "" || a.Service == "":
		return fail("Credential should be scoped to a valid region and service, got '" + credential + "'")
	}
	if _, err := time.Parse(scopeDateLayout, a.Date); err != nil || len(a.Date) != 8 {
		return fail("Credential date must be in the format YYYYMMDD, got '" + a.Date + "'")
	}
	return nil
}

// checkScopeDate checks that the credential scope is dated the day the
// request was signed, as AWS requires.
func checkScopeDate(a *Auth) *Error {
	if d := a.Time.UTC().Format(scopeDateLayout); d != a.Date {
		iso := a.Time.UTC().Format(amzDateLayout)
		return &Error{Kind: SignatureMismatch, Presigned: a.Presigned, AccessKeyID: a.AccessKeyID,
			SignatureProvided: a.Signature,
			Detail: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
				a.Date + "' != '" + d + "', from '" + iso + "'."}
	}
	return nil
}

// splitSignedHeaders splits "host;x-amz-date" into lower-case names.
func splitSignedHeaders(s string) []string {
	names := strings.Split(s, ";")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return names
}

// parseAmzDate parses an ISO 8601 basic-format UTC time, 20240101T000000Z,
// accepting only that exact form so that the time formats back to the
// string the client signed.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(amzDateLayout, s)
	if err != nil || t.Format(amzDateLayout) != s {
		return time.Time{}, false
	}
	return t, true
}
