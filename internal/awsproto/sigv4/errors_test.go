package sigv4

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func TestAPIError(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	skew := &Error{Kind: Skewed, RequestTime: at, ServerTime: at.Add(20 * time.Minute),
		Detail: "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)"}
	mismatch := &Error{Kind: SignatureMismatch, AccessKeyID: "AKID", SignatureProvided: "00", CanonicalRequest: "GET\n/", StringToSign: "AWS4"}
	tests := []struct {
		name    string
		err     *Error
		dialect Dialect
		code    string
		status  int
		message string
		details any
	}{
		{"missing query", &Error{Kind: Missing}, Query, "MissingAuthenticationToken", 403, "Request is missing Authentication Token", nil},
		{"missing json", &Error{Kind: Missing}, JSON, "MissingAuthenticationTokenException", 400, "Request is missing Authentication Token", nil},
		{"missing restjson", &Error{Kind: Missing}, RestJSON, "MissingAuthenticationTokenException", 403, "Missing Authentication Token", nil},
		{"missing s3", &Error{Kind: Missing}, S3, "AccessDenied", 403, "Access Denied", nil},

		{"malformed query", &Error{Kind: Malformed, Detail: "Authorization header requires 'Signature' parameter. Authorization=x"}, Query,
			"IncompleteSignature", 400, "Authorization header requires 'Signature' parameter. Authorization=x", nil},
		{"malformed json", &Error{Kind: Malformed, Detail: "d"}, JSON, "IncompleteSignatureException", 400, "d", nil},
		{"malformed restjson", &Error{Kind: Malformed, Detail: "d"}, RestJSON, "IncompleteSignatureException", 403, "d", nil},
		{"malformed s3 header", &Error{Kind: Malformed, Detail: "d"}, S3, "AuthorizationHeaderMalformed", 400, "d", nil},
		{"malformed s3 query", &Error{Kind: Malformed, Presigned: true, Detail: msgExpiresWeek}, S3, "AuthorizationQueryParametersError", 400, msgExpiresWeek, nil},
		{"malformed without detail", &Error{Kind: Malformed}, Query, "IncompleteSignature", 400, "The request signature does not conform to AWS standards.", nil},

		{"unsupported query", &Error{Kind: Unsupported}, Query, "IncompleteSignature", 400, msgUnsupported, nil},
		{"unsupported s3", &Error{Kind: Unsupported, Detail: "ignored"}, S3, "InvalidRequest", 400, msgUnsupported, nil},

		{"unknown key query", &Error{Kind: UnknownAccessKey, AccessKeyID: "AKID"}, Query, "InvalidClientTokenId", 403, "The security token included in the request is invalid.", nil},
		{"unknown key json", &Error{Kind: UnknownAccessKey}, JSON, "UnrecognizedClientException", 400, "The security token included in the request is invalid.", nil},
		{"unknown key restjson", &Error{Kind: UnknownAccessKey}, RestJSON, "UnrecognizedClientException", 403, "The security token included in the request is invalid.", nil},
		{"unknown key s3", &Error{Kind: UnknownAccessKey, AccessKeyID: "AKID"}, S3, "InvalidAccessKeyId", 403,
			"The AWS Access Key Id you provided does not exist in our records.", &S3AccessKeyDetails{AWSAccessKeyID: "AKID"}},

		{"mismatch query", mismatch, Query, "SignatureDoesNotMatch", 403, msgMismatch +
			"\n\nThe Canonical String for this request should have been\n'GET\n/'\n\nThe String-to-Sign should have been\n'AWS4'\n", nil},
		{"mismatch json", &Error{Kind: SignatureMismatch}, JSON, "InvalidSignatureException", 400, msgMismatch, nil},
		{"mismatch restjson", &Error{Kind: SignatureMismatch}, RestJSON, "InvalidSignatureException", 403, msgMismatch, nil},
		{"mismatch s3", mismatch, S3, "SignatureDoesNotMatch", 403,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			&S3SignatureDetails{AWSAccessKeyID: "AKID", StringToSign: "AWS4", SignatureProvided: "00", StringToSignBytes: "41 57 53 34",
				CanonicalRequest: "GET\n/", CanonicalRequestBytes: "47 45 54 0a 2f"}},
		{"scope date mismatch query", &Error{Kind: SignatureMismatch, Detail: "Date in Credential scope does not match"}, Query,
			"SignatureDoesNotMatch", 403, "Date in Credential scope does not match", nil},

		{"payload mismatch json", &Error{Kind: PayloadMismatch}, JSON, "InvalidSignatureException", 400, msgMismatch, nil},
		{"payload mismatch s3", &Error{Kind: PayloadMismatch}, S3, "XAmzContentSHA256Mismatch", 400,
			"The provided 'x-amz-content-sha256' header does not match what was computed.", nil},

		{"skew query", skew, Query, "SignatureDoesNotMatch", 403, skew.Detail, nil},
		{"skew json", skew, JSON, "InvalidSignatureException", 400, skew.Detail, nil},
		{"skew restjson", skew, RestJSON, "InvalidSignatureException", 403, skew.Detail, nil},
		{"skew s3", skew, S3, "RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.",
			&S3SkewDetails{RequestTime: "20240101T000000Z", ServerTime: "2024-01-01T00:20:00Z", MaxAllowedSkewMilliseconds: 900000}},

		{"expired s3", &Error{Kind: Expired, Presigned: true, RequestTime: at, ServerTime: at.Add(time.Hour), Expires: 300 * time.Second}, S3,
			"AccessDenied", 403, "Request has expired",
			&S3ExpiredDetails{XAmzExpires: 300, Expires: "2024-01-01T00:05:00Z", ServerTime: "2024-01-01T01:00:00Z"}},
		{"expired query", &Error{Kind: Expired, Detail: msgRequestExpired}, Query, "SignatureDoesNotMatch", 403, "Request has expired", nil},
		{"not yet valid s3", &Error{Kind: NotYetValid, Presigned: true, RequestTime: at, ServerTime: at.Add(-time.Hour), Expires: 60 * time.Second}, S3,
			"AccessDenied", 403, "Request is not yet valid",
			&S3NotYetValidDetails{XAmzDate: "1704067200000", Expires: "2024-01-01T00:01:00Z", ServerTime: "2023-12-31T23:00:00Z"}},

		{"expired token query", &Error{Kind: ExpiredToken}, Query, "ExpiredToken", 403, "The security token included in the request is expired", nil},
		{"expired token json", &Error{Kind: ExpiredToken}, JSON, "ExpiredTokenException", 400, "The security token included in the request is expired", nil},
		{"expired token restjson", &Error{Kind: ExpiredToken}, RestJSON, "ExpiredTokenException", 403, "The security token included in the request is expired", nil},
		{"expired token s3", &Error{Kind: ExpiredToken}, S3, "ExpiredToken", 400, "The provided token has expired.", nil},

		{"invalid token query", &Error{Kind: InvalidToken}, Query, "InvalidClientTokenId", 403, "The security token included in the request is invalid.", nil},
		{"invalid token json", &Error{Kind: InvalidToken}, JSON, "UnrecognizedClientException", 400, "The security token included in the request is invalid.", nil},
		{"invalid token s3", &Error{Kind: InvalidToken}, S3, "InvalidToken", 400, "The provided token is malformed or otherwise invalid.", nil},

		{"zero kind", &Error{}, Query, apierr.ErrInternal.Code, 500, apierr.ErrInternal.Message, nil},
		{"unknown dialect", &Error{Kind: Missing}, Dialect(9), apierr.ErrInternal.Code, 500, apierr.ErrInternal.Message, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.err.APIError(tt.dialect)
			if got.Code != tt.code || got.Status != tt.status || got.Message != tt.message {
				t.Fatalf("APIError = %s %d %q\nwant %s %d %q", got.Code, got.Status, got.Message, tt.code, tt.status, tt.message)
			}
			if !reflect.DeepEqual(got.Details, tt.details) {
				t.Fatalf("Details = %#v, want %#v", got.Details, tt.details)
			}
		})
	}
}

// TestEveryKindRenders checks the table has a row for every kind in every
// dialect.
func TestEveryKindRenders(t *testing.T) {
	t.Parallel()
	for k := Missing; k < kindCount; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("kind %d has no name", k)
		}
		for d := Query; d < dialectCount; d++ {
			e := (&Error{Kind: k}).APIError(d)
			if e.Code == "" || e.Status < 400 || e.Status > 403 || e.Message == "" || e.Fault {
				t.Errorf("%v in dialect %d renders as %+v", k, d, e)
			}
		}
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: Missing}, "sigv4: missing"},
		{&Error{Kind: Skewed, Detail: "Signature expired"}, "sigv4: skewed: Signature expired"},
		{&Error{Kind: 42}, "sigv4: Kind(42)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
