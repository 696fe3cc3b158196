package kinesis

import "github.com/virga/virga/internal/awsproto/apierr"

// Kinesis Data Streams' errors, as its API reference names them.
var (
	ErrValidation        = apierr.New("ValidationException", 400, "")
	ErrInvalidArgument   = apierr.New("InvalidArgumentException", 400, "")
	ErrResourceNotFound  = apierr.New("ResourceNotFoundException", 400, "")
	ErrResourceInUse     = apierr.New("ResourceInUseException", 400, "")
	ErrLimitExceeded     = apierr.New("LimitExceededException", 400, "")
	ErrExpiredIterator   = apierr.New("ExpiredIteratorException", 400, "")
	ErrExpiredNextToken  = apierr.New("ExpiredNextTokenException", 400, "")
	ErrThroughputExceeds = apierr.New("ProvisionedThroughputExceededException", 400, "")
	ErrKMSNotFound       = apierr.New("KMSNotFoundException", 400, "")
	ErrKMSDisabled       = apierr.New("KMSDisabledException", 400, "")
	ErrKMSInvalidState   = apierr.New("KMSInvalidStateException", 400, "")
)

// notFound is ResourceNotFoundException for a stream, worded as Kinesis
// words it.
func (s *Service) notFound(name string) error {
	return ErrResourceNotFound.Withf("Stream %s under account %s not found.", name, s.account)
}
