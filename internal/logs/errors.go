package logs

import (
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// CloudWatch Logs' errors.
var (
	ErrInvalidParameter      = apierr.New("InvalidParameterException", 400, "")
	ErrResourceNotFound      = apierr.New("ResourceNotFoundException", 400, "")
	ErrResourceAlreadyExists = apierr.New("ResourceAlreadyExistsException", 400, "")
	ErrLimitExceeded         = apierr.New("LimitExceededException", 400, "")
	ErrValidation            = apierr.New("ValidationException", 400, "")
)

func groupNotFound() error {
	return ErrResourceNotFound.WithMessage("The specified log group does not exist.")
}

func streamNotFound() error {
	return ErrResourceNotFound.WithMessage("The specified log stream does not exist.")
}

// logGroupOf is the log group a request names, by logGroupName or by
// logGroupIdentifier (the group's name or its ARN, logGroupArn's form:
// the model's pattern refuses the "*" of arn's trailing ":*"); the two
// exclude each other.
func logGroupOf(name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		return "", ErrValidation.WithMessage("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return *name, nil
	case identifier != nil:
		id := *identifier
		if _, group, ok := strings.Cut(id, ":log-group:"); ok && strings.HasPrefix(id, "arn:") {
			id = group
		}
		return id, nil
	}
	return "", ErrInvalidParameter.WithMessage("Either logGroupName or logGroupIdentifier must be specified.")
}
