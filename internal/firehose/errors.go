package firehose

import "github.com/virga/virga/internal/awsproto/apierr"

// Amazon Data Firehose's errors, as its API reference names them.
var (
	ErrValidation             = apierr.New("ValidationException", 400, "")
	ErrInvalidArgument        = apierr.New("InvalidArgumentException", 400, "")
	ErrResourceNotFound       = apierr.New("ResourceNotFoundException", 400, "")
	ErrResourceInUse          = apierr.New("ResourceInUseException", 400, "")
	ErrLimitExceeded          = apierr.New("LimitExceededException", 400, "")
	ErrConcurrentModification = apierr.New("ConcurrentModificationException", 400, "")
)

// notFound is ResourceNotFoundException for a Firehose stream, worded as
// Firehose words it.
func (s *Service) notFound(name string) error {
	return ErrResourceNotFound.Withf("Firehose %s under account %s not found.", name, s.account)
}
