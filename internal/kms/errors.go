package kms

import "github.com/virga/virga/internal/awsproto/apierr"

// KMS's errors, as its API reference names them.
var (
	ErrValidation           = apierr.New("ValidationException", 400, "")
	ErrNotFound             = apierr.New("NotFoundException", 400, "")
	ErrAlreadyExists        = apierr.New("AlreadyExistsException", 400, "")
	ErrDisabled             = apierr.New("DisabledException", 400, "")
	ErrInvalidState         = apierr.New("KMSInvalidStateException", 400, "")
	ErrInvalidCiphertext    = apierr.New("InvalidCiphertextException", 400, "")
	ErrIncorrectKey         = apierr.New("IncorrectKeyException", 400, "The key ID in the request does not identify a CMK that can perform this operation.")
	ErrInvalidKeyUsage      = apierr.New("InvalidKeyUsageException", 400, "")
	ErrInvalidSignature     = apierr.New("KMSInvalidSignatureException", 400, "")
	ErrInvalidMac           = apierr.New("KMSInvalidMacException", 400, "")
	ErrInvalidAliasName     = apierr.New("InvalidAliasNameException", 400, "")
	ErrInvalidMarker        = apierr.New("InvalidMarkerException", 400, "")
	ErrNotAuthorized        = apierr.New("NotAuthorizedException", 400, "")
	ErrUnsupportedOperation = apierr.New("UnsupportedOperationException", 400, "")
	ErrMalformedPolicy      = apierr.New("MalformedPolicyDocumentException", 400, "")
	ErrTag                  = apierr.New("TagException", 400, "")
	ErrInvalidArn           = apierr.New("InvalidArnException", 400, "")
	ErrLimitExceeded        = apierr.New("LimitExceededException", 400, "")
)
