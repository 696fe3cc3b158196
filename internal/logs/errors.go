package logs

import "github.com/virga/virga/internal/awsproto/apierr"

// CloudWatch Logs' errors.
var (
	ErrInvalidParameter      = apierr.New("InvalidParameterException", 400, "")
	ErrResourceNotFound      = apierr.New("ResourceNotFoundException", 400, "")
	ErrResourceAlreadyExists = apierr.New("ResourceAlreadyExistsException", 400, "")
	ErrLimitExceeded         = apierr.New("LimitExceededException", 400, "")
	ErrValidation            = apierr.New("ValidationException", 400, "")
	// ErrServiceUnavailable is StartQuery's answer once virga is
	// stopping.
	ErrServiceUnavailable = apierr.New("ServiceUnavailableException", 500, "The service cannot complete the request.")
)

func groupNotFound() error {
	return ErrResourceNotFound.WithMessage("The specified log group does not exist.")
}

func streamNotFound() error {
	return ErrResourceNotFound.WithMessage("The specified log stream does not exist.")
}
