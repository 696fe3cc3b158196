package pipes

import (
	"github.com/virga/virga/internal/awsproto/apierr"
)

// Pipes' errors, with the codes and statuses of AWS's model. Their
// messages are set where they are returned.
var (
	// ErrValidation is returned for input Pipes will not accept.
	ErrValidation = apierr.New("ValidationException", 400, "")
	// ErrNotFound is returned for a pipe that does not exist.
	ErrNotFound = apierr.New("NotFoundException", 404, "")
	// ErrConflict is returned for a pipe name that is taken, or a pipe
	// whose state does not allow the change.
	ErrConflict = apierr.New("ConflictException", 409, "")
)

// pipeNotFound is NotFoundException for a pipe.
func pipeNotFound(name string) error {
	return ErrNotFound.Withf("Pipe %s does not exist.", name)
}

// invalid is ValidationException with a message.
func invalid(format string, args ...any) error {
	return ErrValidation.Withf(format, args...)
}

// missingParameter is the ValidationException Pipes answers for a
// parameter a source or target needs: its message lists the field.
func missingParameter(field string) error {
	return ErrValidation.WithMessage(`{"ValidationErrorFields":[{"Name":"` + field + `","Message":"Missing required parameter."}]}`)
}
