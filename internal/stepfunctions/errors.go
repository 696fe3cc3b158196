package stepfunctions

import (
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Step Functions' errors, as its API reference names them.
var (
	ErrValidation                   = apierr.New("ValidationException", 400, "")
	ErrInvalidDefinition            = apierr.New("InvalidDefinition", 400, "")
	ErrInvalidArn                   = apierr.New("InvalidArn", 400, "")
	ErrInvalidName                  = apierr.New("InvalidName", 400, "")
	ErrInvalidExecutionInput        = apierr.New("InvalidExecutionInput", 400, "")
	ErrInvalidOutput                = apierr.New("InvalidOutput", 400, "")
	ErrInvalidToken                 = apierr.New("InvalidToken", 400, "")
	ErrStateMachineDoesNotExist     = apierr.New("StateMachineDoesNotExist", 400, "")
	ErrStateMachineAlreadyExists    = apierr.New("StateMachineAlreadyExists", 400, "")
	ErrStateMachineDeleting         = apierr.New("StateMachineDeleting", 400, "")
	ErrStateMachineTypeNotSupported = apierr.New("StateMachineTypeNotSupported", 400, "")
	ErrExecutionDoesNotExist        = apierr.New("ExecutionDoesNotExist", 400, "")
	ErrExecutionAlreadyExists       = apierr.New("ExecutionAlreadyExists", 400, "")
	ErrTaskDoesNotExist             = apierr.New("TaskDoesNotExist", 400, "")
	ErrTaskTimedOut                 = apierr.New("TaskTimedOut", 400, "")
	ErrResourceNotFound             = apierr.New("ResourceNotFound", 400, "")
	ErrTooManyTags                  = apierr.New("TooManyTags", 400, "")
	ErrActivityDoesNotExist         = apierr.New("ActivityDoesNotExist", 400, "")
	ErrExecutionNotRedrivable       = apierr.New("ExecutionNotRedrivable", 400, "")
	ErrInvalidLoggingConfiguration  = apierr.New("InvalidLoggingConfiguration", 400, "")
)

// invalidARN is InvalidArn for arn where a resource of another type was
// expected: a Step Functions ARN of the wrong type says which type it
// names ("Invalid Arn: 'Resource type not valid in this context:
// execution'"), anything else repeats the ARN.
func invalidARN(arn string) error {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[2] == "states" {
		return ErrInvalidArn.WithMessage("Invalid Arn: 'Resource type not valid in this context: " + parts[5] + "'")
	}
	return ErrInvalidArn.WithMessage("Invalid Arn: '" + arn + "'")
}

func machineNotFound(arn string) error {
	return ErrStateMachineDoesNotExist.WithMessage("State Machine Does Not Exist: '" + arn + "'")
}

// machineDeleting is StateMachineDeleting: "The specified state
// machine is being deleted."
func machineDeleting(arn string) error {
	return ErrStateMachineDeleting.WithMessage("State Machine Is Being Deleted: '" + arn + "'")
}

func executionNotFound(arn string) error {
	return ErrExecutionDoesNotExist.WithMessage("Execution Does Not Exist: '" + arn + "'")
}

// Errors of versions and aliases.
var (
	ErrConflict             = apierr.New("ConflictException", 409, "")
	ErrServiceQuotaExceeded = apierr.New("ServiceQuotaExceededException", 400, "")
)

// resourceNotFound is ResourceNotFound as AWS answers it for an alias
// that does not exist.
func resourceNotFound() error {
	return ErrResourceNotFound.WithMessage("Request references a resource that does not exist.")
}
