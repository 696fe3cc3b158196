package scheduler

import (
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/shape"
)

// Scheduler's errors, with the codes and statuses of AWS's model. Their
// messages are set where they are returned.
var (
	// ErrValidation is returned for input Scheduler will not accept:
	// constraint violations, an invalid schedule expression, dates out of
	// order, a target virga cannot reach.
	ErrValidation = apierr.New("ValidationException", 400, "")
	// ErrResourceNotFound is returned for a schedule or schedule group
	// that does not exist.
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 404, "")
	// ErrConflict is returned for a schedule or group name that is taken.
	ErrConflict = apierr.New("ConflictException", 409, "")
	// ErrServiceQuotaExceeded is returned when a quota, such as the number
	// of schedule groups, would be exceeded.
	ErrServiceQuotaExceeded = apierr.New("ServiceQuotaExceededException", 402, "")
)

// scheduleNotFound is ResourceNotFoundException for a schedule, worded
// as AWS words it.
func scheduleNotFound(name string) error {
	return ErrResourceNotFound.Withf("Schedule %s does not exist.", name)
}

// groupNotFound is ResourceNotFoundException for a schedule group.
func groupNotFound(name string) error {
	return ErrResourceNotFound.Withf("Schedule group %s does not exist.", name)
}

// invalid is ValidationException with a message.
func invalid(format string, args ...any) error {
	return ErrValidation.Withf(format, args...)
}

// violation is ValidationException for one member that breaks a rule the
// model cannot express, worded like the model's own constraint
// violations.
func violation(value, path, constraint string) error {
	return ErrValidation.WithMessage(shape.Message([]shape.Violation{{Value: value, Path: path, Constraint: constraint}}))
}
