package acm

import "github.com/virga/virga/internal/awsproto/apierr"

// ACM's errors, as its API reference names them. Every one is a 400.
var (
	ErrValidation                     = apierr.New("ValidationException", 400, "")
	ErrInvalidArn                     = apierr.New("InvalidArnException", 400, "")
	ErrInvalidParameter               = apierr.New("InvalidParameterException", 400, "")
	ErrInvalidDomainValidationOptions = apierr.New("InvalidDomainValidationOptionsException", 400, "")
	ErrInvalidTag                     = apierr.New("InvalidTagException", 400, "")
	ErrTooManyTags                    = apierr.New("TooManyTagsException", 400, "")
	ErrLimitExceeded                  = apierr.New("LimitExceededException", 400, "")
	ErrRequestInProgress              = apierr.New("RequestInProgressException", 400, "")
	ErrResourceInUse                  = apierr.New("ResourceInUseException", 400, "")
	ErrResourceNotFound               = apierr.New("ResourceNotFoundException", 400, "")
)

// notFound is ACM's answer for an ARN that names no certificate of the
// account.
func notFound(arn, account string) error {
	return ErrResourceNotFound.Withf("Could not find certificate %s in account %s.", arn, account)
}

// inUse is ACM's answer to the deletion of a certificate a service
// uses.
func inUse(arn, account string) error {
	return ErrResourceInUse.Withf("Certificate %s in account %s is in use.", arn, account)
}

// notIssued is the answer to GetCertificate for a certificate not yet
// issued. Wording unconfirmed.
func notIssued(arn string) error {
	return ErrRequestInProgress.Withf("Certificate %s is not yet issued.", arn)
}

// invalidArn is the answer for an ARN that is no ACM certificate's.
// Wording unconfirmed.
func invalidArn(arn string) error {
	return ErrInvalidArn.Withf("String '%s' is not a valid ARN.", arn)
}

// ErrInvalidArgs is a ListCertificates argument ACM refuses.
var ErrInvalidArgs = apierr.New("InvalidArgsException", 400, "")
