package sigv4

import (
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Verify checks that a, parsed from r by Parse, is a valid signature of r
// and body by secretKey at time now. body is the request body as read.
// When r has a hex X-Amz-Content-Sha256 header the caller may instead pass
// nil and check that hash while it streams the body (the signature covers
// the header); without the header, nil is an empty body.
//
// The canonical request is rebuilt over exactly the headers the client
// listed in SignedHeaders. The checks, in order, each returning a *Error:
// 'host' must be signed (Malformed); a presigned URL must be neither dated
// more than 15 minutes ahead (NotYetValid) nor past X-Amz-Expires
// (Expired), and a header-signed request must be within 15 minutes of now
// (Skewed); the signature must match (SignatureMismatch); and a hex
// X-Amz-Content-Sha256 must be the hash of body (PayloadMismatch).
//
// Verify does not know which access keys exist or which session tokens are
// valid: the caller looks a.AccessKeyID up first (UnknownAccessKey) and
// checks a.SecurityToken (InvalidToken, ExpiredToken).
func Verify(r *http.Request, body []byte, a *Auth, secretKey string, now time.Time) error {
	if a == nil {
		return &Error{Kind: Missing}
	}
	if !slices.Contains(a.SignedHeaders, "host") && !slices.Contains(a.SignedHeaders, ":authority") {
		return &Error{Kind: Malformed, Presigned: a.Presigned, AccessKeyID: a.AccessKeyID,
			Detail: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}
	}
	if err := checkTime(a, now); err != nil {
		return err
	}

	amzDate := a.Time.UTC().Format(amzDateLayout)
	scope := a.scope()
	key := signingKey(secretKey, a.Date, a.Region, a.Service)
	headers := canonicalHeaders(r, a.SignedHeaders)
	signed := strings.Join(a.SignedHeaders, ";")
	claimed := r.Header.Get(hdrContentSHA256)

	var firstCR, firstSTS string
	matched := false
	for _, uri := range canonicalURIs(rawPath(r), a.Service == "s3") {
		for _, query := range canonicalQueries(r, a) {
			for _, payload := range payloadHashes(a, claimed, body) {
				cr := canonicalRequest(r.Method, uri, query, headers, signed, payload)
				sts := stringToSign(amzDate, scope, cr)
				if firstCR == "" {
					firstCR, firstSTS = cr, sts
				}
				want := hex.EncodeToString(hmacSHA256(key, sts))
				if hmac.Equal([]byte(want), []byte(a.Signature)) {
					matched = true
					break
				}
			}
			if matched {
				break
			}
		}
		if matched {
			break
		}
	}
	if !matched {
		return &Error{Kind: SignatureMismatch, Presigned: a.Presigned, AccessKeyID: a.AccessKeyID,
			SignatureProvided: a.Signature, CanonicalRequest: firstCR, StringToSign: firstSTS}
	}
	if body != nil && isSHA256Hex(claimed) && !strings.EqualFold(claimed, sha256Hex(body)) {
		return &Error{Kind: PayloadMismatch, Presigned: a.Presigned, AccessKeyID: a.AccessKeyID}
	}
	return nil
}

// checkTime checks a's time against now: the 15-minute window for header
// signatures, the validity window for presigned URLs.
func checkTime(a *Auth, now time.Time) *Error {
	e := &Error{Presigned: a.Presigned, AccessKeyID: a.AccessKeyID, RequestTime: a.Time,
		ServerTime: now, Expires: a.Expires}
	req := a.Time.UTC().Format(amzDateLayout)
	if a.Presigned {
		switch {
		case a.Time.After(now.Add(maxSkew)):
			e.Kind, e.Detail = NotYetValid, msgNotYetValid
			return e
		case now.After(a.Time.Add(a.Expires)):
			e.Kind, e.Detail = Expired, msgRequestExpired
			return e
		}
		return nil
	}
	switch {
	case a.Time.Before(now.Add(-maxSkew)):
		e.Kind = Skewed
		e.Detail = "Signature expired: " + req + " is now earlier than " +
			now.Add(-maxSkew).UTC().Format(amzDateLayout) + " (" + now.UTC().Format(amzDateLayout) + " - 15 min.)"
		return e
	case a.Time.After(now.Add(maxSkew)):
		e.Kind = Skewed
		e.Detail = "Signature not yet current: " + req + " is still later than " +
			now.Add(maxSkew).UTC().Format(amzDateLayout) + " (" + now.UTC().Format(amzDateLayout) + " + 15 min.)"
		return e
	}
	return nil
}

// canonicalQueries returns the canonical query strings a client may have
// signed. A presigned URL's signature never covers X-Amz-Signature; some
// services (IoT's WebSocket URLs among them) also add X-Amz-Security-Token
// after signing, so the query without it is accepted too.
func canonicalQueries(r *http.Request, a *Auth) []string {
	ps := parseQuery(r.URL.RawQuery)
	if !a.Presigned {
		return []string{canonicalQuery(ps)}
	}
	out := []string{canonicalQuery(ps, qSignature)}
	if _, ok := first(ps, qToken); ok {
		out = append(out, canonicalQuery(ps, qSignature, qToken))
	}
	return out
}

// payloadHashes returns the payload hashes a client may have signed. The
// X-Amz-Content-Sha256 header, when present, is what was signed (a hash,
// UNSIGNED-PAYLOAD or a STREAMING-* marker). A presigned URL without it is
// signed with UNSIGNED-PAYLOAD by S3 clients and with the body's hash by
// SDKs presigning other services (an EKS token's GetCallerIdentity).
func payloadHashes(a *Auth, claimed string, body []byte) []string {
	switch {
	case claimed != "":
		return []string{claimed}
	case a.Presigned:
		return []string{unsignedPayload, sha256Hex(body)}
	}
	return []string{sha256Hex(body)}
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
