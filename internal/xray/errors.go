package xray

import (
	"errors"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// X-Ray's errors, with the codes and statuses of AWS's model. Their
// messages are set where they are returned.
var (
	// ErrInvalidRequest is returned for input X-Ray will not accept:
	// constraint violations, a malformed filter expression, an unknown
	// group.
	ErrInvalidRequest = apierr.New("InvalidRequestException", 400, "")
	// ErrThrottled is returned when a request rate is exceeded.
	ErrThrottled = apierr.New("ThrottledException", 429, "")
	// ErrRuleLimitExceeded is returned when the number of groups or
	// sampling rules would exceed its quota.
	ErrRuleLimitExceeded = apierr.New("RuleLimitExceededException", 400, "")
	// ErrResourceNotFound is returned for an ARN that names no group or
	// sampling rule.
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 404, "")
	// ErrTooManyTags is returned when a resource would have more tags
	// than its quota.
	ErrTooManyTags = apierr.New("TooManyTagsException", 400, "")
)

// invalid is InvalidRequestException with a message.
func invalid(format string, args ...any) error {
	return ErrInvalidRequest.Withf(format, args...)
}

func asType[T error](err error, target *T) bool { return errors.As(err, target) }
