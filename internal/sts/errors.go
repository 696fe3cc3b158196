package sts

import "github.com/virga/virga/internal/awsproto/apierr"

// STS's errors, with AWS's codes and wording.
var (
	// ErrValidation is STS's spelling of a constraint violation.
	ErrValidation = apierr.New("ValidationError", 400, "")
	// ErrMalformedPolicyDocument is returned for a session policy that is
	// not a JSON object.
	ErrMalformedPolicyDocument = apierr.New("MalformedPolicyDocument", 400, "The policy is not in the valid JSON format.")
	// ErrAccessDenied is returned when a caller may not do what it asks.
	ErrAccessDenied = &apierr.Error{Code: "AccessDenied", Status: 403}
	// ErrInvalidIdentityToken is a web identity token STS does not
	// accept: malformed, of an unknown issuer or audience, or with a
	// signature that does not verify.
	ErrInvalidIdentityToken = apierr.New("InvalidIdentityToken", 400, "")
	// ErrExpiredToken is a web identity token past its exp.
	ErrExpiredToken = apierr.New("ExpiredTokenException", 400, "")
	// ErrInvalidAuthorizationMessage is an encoded authorization message
	// STS cannot decode.
	ErrInvalidAuthorizationMessage = apierr.New("InvalidAuthorizationMessageException", 400, "")
)
